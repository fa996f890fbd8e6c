"""The warning about annotated frames outside the video reads cleanly (issue 9: no "frames: frames")."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from humanseg_core.inputs.scene import load_scene


def _scene(folder: Path, first_frame: int, annotated: list[int]) -> Path:
    (folder / "frames").mkdir(parents=True)
    image = np.full((48, 64, 3), 90, np.uint8)
    for i in range(first_frame, first_frame + 5):
        cv2.imwrite(str(folder / "frames" / f"{i:05d}.png"), image)
    rows = [f"{f}\t1\t{1.0 + 0.1 * k:.2f}\t1.00" for k, f in enumerate(annotated)]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    (folder / "H.txt").write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    return folder


def _frames_warning(tmp_path, first: int, annotated: list[int]) -> str:
    """The scene's warning about annotated frames, for a 5-frame video from ``first``."""
    d = _scene(tmp_path, first, annotated)
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    try:
        return next(w for w in scene.warnings if "annotated frames" in w)
    finally:
        scene.close()


def test_frames_outside_the_video_name_the_ranges_once(tmp_path):
    text = _frames_warning(tmp_path, 3700, [100000, 100010])
    assert text.startswith("none of the annotated frames (100000..100010) is in the video")  # was 'all … are not'
    assert "is trajectories.txt this video's?" in text  # another scene's file is the likelier cause
    assert "3700..3704" in text and "frames/" in text and "Check the frame offset and step" in text


def test_frames_that_fit_the_video_with_an_offset_say_which(tmp_path):
    """A walk: zara01_feet's frames (5300..5499) opened with the demo's tracks (0..190) read 'all annotated
    frames (0..190) are not in the video …; with frame offset 5300 (--frame-offset 5300; the studio's Open
    dialog: Frame offset) the first annotated frame is the video's first frame (a video file numbers …)'."""
    text = _frames_warning(tmp_path, 3700, [0, 2])
    assert text == ("none of the annotated frames (0..2) is in the video (its frames are 3700..3704, in frames/): is "
                    "trajectories.txt this video's? If the file is this video's, a frame offset of 3700 puts its "
                    "first annotated frame on the video's first frame (Frame offset in the Open dialog; "
                    "--frame-offset 3700 in a command)")
    assert not re.search(r"\b(\w+)\W+\1\b", text), f"a doubled word: {text!r}"
    assert "frames: frames" not in text


def test_a_clip_of_a_longer_recording_says_what_is_left_out(tmp_path):
    """A walk cut a clip from a recording and read the whole annotation file with the right offset: rows before
    the clip refused the file, and the rows after it read "98% … not in the video; check the frame offset"."""
    d = _scene(tmp_path, 0, [-20, -10, 0, 2, 4, 40])
    with open(d / "trajectories.txt", "a") as f:
        f.write("-20\t2\t1.50\t1.00\n")  # a second person on a frame before the clip: 3 rows, 2 frames
    said, rows = set(), (d / "trajectories.txt").read_text()
    for comment in ("", "# a comment sends the file through the careful parser\n"):
        (d / "trajectories.txt").write_text(comment + rows)
        scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
        try:
            said.add(next(w for w in scene.warnings if "annotated frames" in w))
        finally:
            scene.close()
    assert said == {"trajectories.txt runs beyond the video (its frames are 0..4, in frames/): 3 of its annotated "
                    "frames are in the video and used; left out: 1 annotated frame after the video's last, 2 before "
                    "its first (a clip of a longer recording reads so; otherwise check the frame offset and step)"}


def test_frames_missing_inside_the_video_give_the_share(tmp_path):
    """Annotated frames missing from the video's span give their share and the frame offset to check; where they
    are gaps in a folder's numbering the gaps are named alone (a walk's missing 06050.jpg was first called a frame
    offset to check)."""
    d = _scene(tmp_path, 0, [0, 2, 4])
    (d / "frames" / "00002.png").unlink()  # a frame inside the video's span is missing
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    try:
        said = list(scene.warnings)
    finally:
        scene.close()
    assert not any("annotated frames" in w for w in said), said
    assert any("has no image for 1 frame number between 0 and 4 (2)" in w for w in said), said
    d = _scene(tmp_path / "b", 0, [0, 1, 4])  # a folder of every 2nd frame (0, 2, 4): frame 1 is off its grid
    for f in (1, 3):
        (d / "frames" / f"{f:05d}.png").unlink()
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    try:
        text = next(w for w in scene.warnings if "annotated frames" in w)
    finally:
        scene.close()
    assert "are not in the video" in text and "check the frame" in text


def test_a_homography_that_puts_every_person_in_one_speck_is_flagged(tmp_path):
    """students03 opened with an identity matrix: the 36 persons' points (0-15 m) landed in a 15 px corner of
    the 720x576 image, 'Inside 100%', and nothing said the homography was wrong."""
    (tmp_path / "frames").mkdir()
    image = np.full((576, 720, 3), 90, np.uint8)
    for i in range(3):
        cv2.imwrite(str(tmp_path / "frames" / f"{i:05d}.png"), image)
    rows = [f"{f}\t{pid}\t{x + f:.2f}\t{y:.2f}" for f in (0, 1, 2) for pid, x, y in ((1, 1.0, 2.0), (2, 12.0, 9.0))]
    (tmp_path / "trajectories.txt").write_text("\n".join(rows) + "\n")
    for name, matrix, flagged in (("identity", "1 0 0\n0 1 0\n0 0 1\n", True),
                                  ("metric", "0.021 0 0\n0 0.021 0\n0 0 1\n", False)):
        (tmp_path / f"H_{name}.txt").write_text(matrix)
        scene = load_scene(tmp_path / "frames", tmp_path / "trajectories.txt", tmp_path / f"H_{name}.txt")
        try:
            speck = [w for w in scene.warnings if "all the annotated points together span only" in w]
        finally:
            scene.close()
        assert bool(speck) == flagged, (name, scene.warnings)
        if flagged:
            assert "720x576" in speck[0] and "H_identity.txt: its scale" in speck[0] and "13 m" in speck[0]


def test_a_homography_read_in_the_wrong_pixel_order_is_named(tmp_path):
    """A new-user walk read zara01_feet's (u, v) homography as (row, col): 79 % of the points still fell
    inside the image, no warning fired anywhere, and the run scored J 0.01-0.03."""
    import pytest

    scene_dir = Path(__file__).resolve().parents[2] / "shared" / "data" / "scenes" / "zara01_feet"
    if not (scene_dir / "H.txt").is_file():
        pytest.skip(f"{scene_dir} is absent")
    for order, expect in (("rowcol", True), ("uv", False)):
        scene = load_scene(scene_dir / "frames", scene_dir / "trajectories.txt", scene_dir / "H.txt", h_order=order)
        try:
            said = [w for w in scene.warnings if "pixel order swapped" in w]
        finally:
            scene.close()
        assert bool(said) == expect, (order, scene.warnings)


def test_a_folder_missing_frames_says_which(tmp_path):
    """A new-user walk: frames 3, 17, 24 … were absent from a PNG folder; the run's output just lacked them."""
    d = _scene(tmp_path, 0, [0, 4])  # frames 0..4
    (d / "frames" / "00002.png").unlink()
    with load_scene(d / "frames", d / "trajectories.txt", d / "H.txt") as scene:
        assert "frames/ has no image for 1 frame number between 0 and 4 (2): that frame is not segmented nor " \
               "exported" in scene.warnings
    for f in (5, 6, 7, 8, 10, 11, 12):  # now 0..12 without 2 and 9: named up to five, the rest counted
        cv2.imwrite(str(d / "frames" / f"{f:05d}.png"), np.full((48, 64, 3), 90, np.uint8))
    with load_scene(d / "frames", d / "trajectories.txt", d / "H.txt") as scene:
        assert any("has no image for 2 frame numbers between 0 and 12 (2, 9): those" in w for w in scene.warnings)


def test_a_folder_of_every_tenth_frame_has_no_gaps(tmp_path):
    d = tmp_path / "s"
    (d / "frames").mkdir(parents=True)
    for f in range(0, 60, 10):
        cv2.imwrite(str(d / "frames" / f"{f:05d}.png"), np.full((48, 64, 3), 90, np.uint8))
    (d / "trajectories.txt").write_text("0\t1\t1.0\t1.0\n50\t1\t1.5\t1.0\n")
    (d / "H.txt").write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    with load_scene(d / "frames", d / "trajectories.txt", d / "H.txt") as scene:
        assert not any("has no image" in w for w in scene.warnings)


def test_a_homography_read_the_wrong_way_round_is_offered_the_other_direction(small_demo, tmp_path):
    """A walk's inverted homography read "check the homography: its scale and direction" with nothing to try (the
    other pixel order is offered; the other direction was not)."""
    import numpy as np

    inverted = tmp_path / "H_inv.txt"
    np.savetxt(inverted, np.linalg.inv(np.loadtxt(small_demo / "H.txt")))
    for h, direction, other in ((inverted, "pixel-to-world", "world-to-pixel"),
                                (small_demo / "H.txt", "world-to-pixel", "pixel-to-world")):
        scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", h, h_direction=direction)
        try:
            said = [w for w in scene.warnings if "check the homography" in w]
        finally:
            scene.close()
        offered = [w for w in said if "Read the other way round, " in w]
        assert len(offered) == 1
        assert f"try --h-direction {other} (Homography direction in the Open dialog)" in offered[0]
    scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt")
    try:
        assert not [w for w in scene.warnings if "other way round" in w]
    finally:
        scene.close()


def test_the_other_direction_is_offered_only_where_it_spreads_the_points_over_the_image(small_demo, tmp_path):
    """An audit: the offer's own checks (most points inside, spread over the image) each dropped went unnoticed;
    and the speck warning's offer was never seen alone."""
    import numpy as np

    h = np.loadtxt(small_demo / "H.txt")
    for name, matrix, offered in (("tiny.txt", h * np.diag([1.0, 1.0, 1e-4]), False),  # neither way fits
                                  ("shifted.txt", np.linalg.inv(h) @ np.diag([1.0, 1.0, 1.0]), True)):
        path = tmp_path / name
        np.savetxt(path, matrix)
        scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", path)
        try:
            said = [w for w in scene.warnings if "other way round" in w]
        finally:
            scene.close()
        assert bool(said) is offered, (name, scene.warnings)


def test_run_propose_and_batch_refuse_a_homography_read_the_wrong_way_round_before_any_work(small_demo, tmp_path,
                                                                                             capsys):
    """A walk's `run` with the inverted matrix said "read the other way round … try --h-direction world-to-pixel",
    then trained on the one proposal left and segmented every frame for nothing (exit 1 after 53 s)."""
    import numpy as np

    from humanseg_core.cli import main

    inverted = tmp_path / "H_inv.txt"
    np.savetxt(inverted, np.linalg.inv(np.loadtxt(small_demo / "H.txt")))
    inputs = ["--video", str(small_demo / "frames"), "--trajectories", str(small_demo / "trajectories.txt"),
              "--homography", str(inverted)]
    for command in (["run", *inputs, "--pids", "1", "--steps-per-person", "1", "--out", str(tmp_path / "new" / "out")],
                    ["propose", *inputs, "--pids", "1"]):
        project = tmp_path / f"proj_{command[0]}"
        assert main([command[0], "--project", str(project), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert "Nothing was proposed or trained, and no project made: give --h-direction world-to-pixel" in err, err
        assert "Open dialog" not in err  # the studio's words, not the command line's
        assert not project.exists() and not (tmp_path / "new").exists()  # no project made, no folder (a walk's
        # refused run had left --out's new parent folder)
    manifest = tmp_path / "scenes.toml"
    manifest.write_text(f"[[scene]]\nproject = '{tmp_path / 'proj_batch'}'\nvideo = '{small_demo / 'frames'}'\n"
                        f"trajectories = '{small_demo / 'trajectories.txt'}'\nhomography = '{inverted}'\n"
                        f"out = '{tmp_path / 'out_b'}'\npids = '1'\nsteps_per_person = 1\n")
    assert main(["batch", "--manifest", str(manifest)]) == 2
    assert "Nothing was proposed or trained" in capsys.readouterr().err
    assert not (tmp_path / "proj_batch").exists()
    # a project made already is not refused so: its reading is relocate's, or the manifest's (a review: a batch giving
    # h_direction for a project made with the inverted file was refused, which `run` takes)
    import argparse

    from humanseg_core.cli.batch import _check_persons
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    Project.create(tmp_path / "made", ProjectInputs(video=str(small_demo / "frames"), trajectories=str(
        small_demo / "trajectories.txt"), homography=str(inverted))).close()
    _check_persons(argparse.Namespace(project=str(tmp_path / "made"), video=None, trajectories=None, pids="1",
                                      h_order=None))


def test_the_writability_probe_leaves_no_folder_it_made(tmp_path):
    from humanseg_core.export.atomic import probe

    probe(tmp_path / "a" / "b" / "c")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.txt").write_text("x")
    probe(tmp_path / "a" / "b")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["keep.txt"]


def test_an_export_folder_is_made_even_if_another_commands_probe_took_its_parent_away(tmp_path, monkeypatch):
    """A review: one command's probe may remove the empty parent folder another has just found there."""
    import tempfile

    from humanseg_core.export import atomic

    real, calls = tempfile.mkdtemp, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first is the probe's own, the second the export folder's
            raise FileNotFoundError(2, "No such file or directory")
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", flaky)
    with atomic.atomic_folder(tmp_path / "new" / "out") as tmp:
        (tmp / "a.txt").write_text("x")
    assert (tmp_path / "new" / "out" / "a.txt").read_text() == "x" and len(calls) >= 3
