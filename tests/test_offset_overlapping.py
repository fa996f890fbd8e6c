"""A clip of a longer recording whose frame numbers happen to overlap the recording's file: some annotated frames
lie in the clip, the points are off its moving people there, and the offset is found in the video anyway (a walk's
zara02 clip, frames 0..149, with the recording's file: its frames 10..140 in the clip, 0 proposals, "check the
frame offset" and no value to try)."""

from __future__ import annotations

from pathlib import Path

from test_offset_estimate import shifted_tracks

from humanseg_core.inputs.offset_estimate import estimate_offset
from humanseg_core.inputs.order_check import verdict_and_offset
from humanseg_core.inputs.scene import load_scene
from humanseg_core.jobs import run_job


def overlapping_tracks(demo: Path, out: Path) -> Path:
    """:func:`shifted_tracks` and, on the clip's own frame numbers, walks elsewhere (moved 4 m): persons of
    another moment of the recording, annotated where the clip has nobody."""
    shifted_tracks(demo, out)
    rows = []
    for line in (demo / "trajectories.txt").read_text().splitlines():
        if line.strip():
            f, p, x, y = line.split()
            rows.append(f"{int(float(f))}\t{int(float(p)) + 300}\t{float(x) - 4.0}\t{float(y) + 4.0}")
    out.write_text(out.read_text() + "\n".join(rows) + "\n")
    return out


def test_points_off_the_people_on_overlapping_frames_find_the_offset_in_the_video(demo60, tmp_path, monkeypatch):
    from humanseg_core.inputs import offset_estimate, order_check

    made: list[bool] = []  # the homography check's median background is the offset search's too: one, not two
    real = order_check.median_background  # (a review: the search computed a second one, 0.3-0.8 s of reading)
    counted = lambda *a, **k: made.append(True) or real(*a, **k)  # noqa: E731
    monkeypatch.setattr(order_check, "median_background", counted)
    monkeypatch.setattr(offset_estimate, "median_background", counted)
    tracks = overlapping_tracks(demo60, tmp_path / "recording.txt")
    with load_scene(demo60 / "frames", tracks, demo60 / "H.txt") as scene:
        assert any(f in scene.frames for f in scene.annotated_frames())
        assert run_job(estimate_offset(scene)) is None  # frames in the video: not looked for unless asked
        found = run_job(estimate_offset(scene, in_video_too=True))
        assert found is not None and found.offset == -3000
        made.clear()
        text, _swap, misfit = verdict_and_offset(scene, "uv")
        assert len(made) == 1
    assert misfit is not None and misfit[0].offset == -3000 and misfit[1] is False
    assert "does not fit this video" in text and "--frame-offset -3000" in text, text
    with load_scene(demo60 / "frames", tracks, demo60 / "H.txt", frame_offset=-3000) as scene:
        assert run_job(estimate_offset(scene, in_video_too=True)) is None  # the offset read now
        text, _swap, misfit = verdict_and_offset(scene, "uv")
    assert misfit is None and text == ""  # the points on the people


def test_a_file_of_the_clip_alone_whose_points_are_off_offers_no_offset(demo60, tmp_path):
    """Every annotated frame in the clip, the points 4 m off: a homography that does not fit is the homography's (or
    the direction's); the offsets looked for (a clip can be out of step with its own file) find none; another
    scene's matrix is to be left out (a walk's warning did not say so)."""
    rows = []
    for line in (demo60 / "trajectories.txt").read_text().splitlines():
        if line.strip():
            f, p, x, y = line.split()
            rows.append(f"{f}\t{p}\t{float(x) - 4.0}\t{float(y) + 4.0}")
    (tmp_path / "moved.txt").write_text("\n".join(rows) + "\n")
    with load_scene(demo60 / "frames", tmp_path / "moved.txt", demo60 / "H.txt") as scene:
        assert all(f in scene.frames for f in scene.annotated_frames())
        text, _swap, misfit = verdict_and_offset(scene, "uv")
    assert "does not fit this video" in text and misfit is None
    assert ("another scene's (then give the scene's own, File ▸ Use a Homography File… or `relocate --homography`, "
            "or leave it out: one is estimated from the video)") in text  # the README's advice


def test_a_misfit_whose_offset_needs_the_other_pixel_order_names_both(demo60, tmp_path):
    """The recording's file and the original ETH-style (row, col) matrix read as (u, v): the offset is found only
    with the order swapped, and the warning names both."""
    import numpy as np

    tracks = overlapping_tracks(demo60, tmp_path / "recording.txt")
    swapped = tmp_path / "H_rowcol.txt"
    np.savetxt(swapped, np.loadtxt(demo60 / "H.txt")[:, [1, 0, 2]])
    with load_scene(demo60 / "frames", tracks, swapped) as scene:
        text, worth, misfit = verdict_and_offset(scene, "uv")
    assert misfit is not None and misfit[0].offset == -3000 and misfit[1] is True and worth is True
    assert "--h-order rowcol --frame-offset -3000" in text and "does not fit this video" in text, text



def test_a_clip_out_of_step_with_its_own_file_is_offered_the_offset(demo60, tmp_path):
    """A hunt's clip a second out of step with its own file, every annotated frame in the video: 0.000 median IoU
    and only "check the frame offset". The demo's rows written 20 frames late, those inside the clip kept: the
    offset that puts them back (-20) is found in the video and named."""
    rows = []
    for line in (demo60 / "trajectories.txt").read_text().splitlines():
        if line.strip():
            f, p, x, y = line.split()
            if int(float(f)) + 20 <= 59:
                rows.append(f"{int(float(f)) + 20}\t{p}\t{x}\t{y}")
    (tmp_path / "late.txt").write_text("\n".join(rows) + "\n")
    with load_scene(demo60 / "frames", tmp_path / "late.txt", demo60 / "H.txt") as scene:
        assert all(f in scene.frames for f in scene.annotated_frames())
        text, _swap, misfit = verdict_and_offset(scene, "uv")
    assert misfit is not None and abs(misfit[0].offset + 20) <= 1 and not misfit[1]
    assert "its frames are out of step with the video's" in text and f"--frame-offset {misfit[0].offset}" in text
