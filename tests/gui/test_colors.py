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
