"""Persons of one scene get colours of their own: far apart when in view together, and not shared when
another colour is nearly as good (a walk read two yellow rows of the Persons table as one person twice)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_persons_never_together_still_get_colours_of_their_own():
    from app.colors import scene_palette

    # 20 persons in four waves of five: each wave together, the waves apart in time
    spans = {pid: (100 * (pid // 5), 100 * (pid // 5) + 50) for pid in range(20)}
    palette = scene_palette(spans)
    assert len(set(palette.values())) == 20  # no colour shared (72 to choose from; the waves took 5 before)
    crowd = {pid: (0, 10) for pid in range(80)}  # more persons than colours, all together: shared, no failure
    assert len(scene_palette(crowd)) == 80 and len(set(scene_palette(crowd).values())) == 72


def test_a_scenes_colours_are_those_of_its_persons_in_the_video():
    """A walk's person 130 was teal read with obsmat.txt (360 persons), pink with a truncated copy and salmon with
    the clip's own file: persons never in the video changed the colours of those in it."""
    from types import SimpleNamespace

    from app.colors import person_rgb, use_scene

    def scene(extra: int):
        spans = {130: (6830, 6950), 131: (6830, 6990), 132: (6900, 6990)}
        spans.update({k: (6000 + 10 * k, 7200) for k in range(extra)})  # annotated only beyond the video
        tracks = {p: SimpleNamespace(frames=[a, b]) for p, (a, b) in spans.items()}
        video = SimpleNamespace(indices=range(6830, 6990))
        return SimpleNamespace(trajectories=SimpleNamespace(tracks=tracks), frames=video,
                               pids_in_video=lambda: [130, 131, 132])

    use_scene(scene(0))
    alone = [person_rgb(p) for p in (130, 131, 132)]
    use_scene(scene(40))
    assert [person_rgb(p) for p in (130, 131, 132)] == alone
    use_scene(None)
