"""``humanseg calibrate`` (:mod:`humanseg_core.inputs.calibrate`): a homography estimated from the video when
the scene has none. Without one the extent fit put the points off the people (the demo's proposals: median
IoU 0.309 against 0.894 with its homography; calibrated 0.878)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from humanseg_core.cli import main
from humanseg_core.errors import HomographyError
from humanseg_core.inputs.calibrate import calibrate_job
from humanseg_core.inputs.homography import load_homography
from humanseg_core.inputs.scene import load_scene
from humanseg_core.jobs import run_job


def _on_people(scene, demo, homography) -> float:
    """The share of the annotated (frame, person) pairs whose point, projected with ``homography``, lies on
    the person's ground-truth box (3 px of slack)."""
    hits = total = 0
    for pid in scene.pids:
        track = scene.trajectories.tracks[pid]
        for f, xy in zip(track.frames, track.world):
            png = demo / "gt" / str(pid) / f"{int(f):05d}.png"
            if not png.is_file():
                continue
            ys, xs = np.nonzero(cv2.imread(str(png), cv2.IMREAD_GRAYSCALE) > 127)
            if not len(xs):
                continue
            u, v = homography.world_to_pixel(xy)
            total += 1
            hits += bool(xs.min() - 3 <= u <= xs.max() + 3 and ys.min() - 3 <= v <= ys.max() + 3)
    return hits / max(total, 1)


def test_the_calibrated_points_land_on_the_people(demo60):
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", None)
    try:
        found = run_job(calibrate_job(scene))
        assert found.homography.approximate and found.anchor in ("feet", "head", "centre")
        assert found.pairs >= 0.3 * found.positions
        assert _on_people(scene, demo60, found.homography) >= 0.9
        assert _on_people(scene, demo60, scene.homography) < 0.5  # the extent fit it replaces
    finally:
        scene.close()


def test_the_cli_writes_a_homography_file_and_keeps_an_existing_one(demo60, tmp_path, capsys):
    out = tmp_path / "H_estimated.txt"
    args = ["calibrate", "--video", str(demo60 / "frames"), "--trajectories", str(demo60 / "trajectories.txt"),
            "--out", str(out)]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["homography"] == str(out) and doc["pairs"] > 0 and doc["anchor"] in ("feet", "head", "centre")
    h = load_homography(out)  # the file reads back as any homography file
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", out)
    try:
        assert _on_people(scene, demo60, h) >= 0.9
        # the scene says, while it uses it, that the homography is an estimate and how well it matched
        [said] = scene.warnings
        assert said.startswith(f"Estimated homography (H_estimated.txt): {doc['pairs']} of ") and "median" in said
        assert ("not the ground's" in said) == (doc["anchor"] != "feet")
    finally:
        scene.close()
    plain = tmp_path / "H_plain.txt"  # the same matrix without calibrate's comments: nothing said
    plain.write_text("\n".join(line for line in out.read_text().splitlines() if not line.startswith("#")))
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", plain)
    try:
        assert not scene.warnings
    finally:
        scene.close()
    out.write_text("mine")
    assert main(args) == 2 and out.read_text() == "mine"  # nothing saved is replaced without --force
    assert "exists; give --force" in capsys.readouterr().err


def test_a_video_where_nobody_moves_is_refused_with_the_reason(demo60, still_demo60):
    scene = load_scene(still_demo60, demo60 / "trajectories.txt", None)
    try:
        with pytest.raises(HomographyError, match="matched moving people"):
            run_job(calibrate_job(scene))
    finally:
        scene.close()


def test_annotations_outside_the_video_name_the_offset_that_lines_them_up(demo60):
    """A walk calibrated an mp4 (frames from 0) with trajectories numbered from 9200: 'no annotated frame is
    in the video' said nothing of the offset."""
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", None, frame_offset=9200)
    try:
        first = scene.frames.indices[0] - (scene.annotated_frames()[0] - 9200)
        with pytest.raises(HomographyError, match=f"--frame-offset {first}"):
            run_job(calibrate_job(scene))
    finally:
        scene.close()


def test_the_share_of_matched_positions_needed_is_the_users_to_lower(demo60, tmp_path, capsys, monkeypatch):
    """A walk's zara02_still (people standing) matched 29 % of 30 %: the refusal now says how to go on, and
    --min-share moves the bar (here raised, so the demo's 65 % is refused)."""
    out = tmp_path / "H.txt"
    args = ["calibrate", "--video", str(demo60 / "frames"), "--trajectories", str(demo60 / "trajectories.txt"),
            "--out", str(out)]
    assert main(args + ["--min-share", "0.95"]) == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "at least 95% needed" in err and "go on without one" in err and "--min-share accepts" not in err
    assert main(args + ["--min-share", "0"]) == 2 and "--min-share must be in (0, 1]" in capsys.readouterr().err
    from humanseg_core.inputs import calibrate

    real = calibrate.CalibrateConfig
    monkeypatch.setattr(calibrate, "CalibrateConfig", lambda: real(min_share=0.95))  # the default bar refuses
    assert main(args) == 2 and "--min-share accepts a weaker match" in capsys.readouterr().err
    assert main(args + ["--min-share", "0.5"]) == 0 and out.is_file()


def test_calibrate_progress_is_throttled(capsys):
    """A walk's `calibrate` printed 101 progress lines for a few seconds' work: the first, the last, and one
    every 2 s between."""
    from humanseg_core.cli.run import StageProgress
    from humanseg_core.jobs import Progress

    now = [0.0]
    say = StageProgress(2.0, clock=lambda: now[0])  # as `calibrate` runs it
    for i in range(1, 101):
        now[0] = i * 0.05  # 5 s in all
        say(Progress(i, 100, f"people seen on frame {i}", data={"stage": "blobs"}))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("[blobs 1/100]") and lines[-1].startswith("[blobs 100/100]") and len(lines) == 4


def test_a_fit_forced_under_the_reliable_share_says_so_in_its_note(tmp_path):
    """A walk forced `--min-share 0.1` (13 % matched): the projections were 71 px off, and the proposals'
    warning quoted the file's note, which read like a good fit's."""
    from humanseg_core.inputs.calibrate import Calibration, save_homography
    from humanseg_core.inputs.homography import Homography, estimate_note

    for pairs, weak in ((111, True), (600, False)):
        found = Calibration(Homography(np.eye(3)), "feet", pairs, 6.0, 871, 871)
        save_homography(tmp_path / "H.txt", found, "video.mp4")
        note, anchor = estimate_note(tmp_path / "H.txt")
        assert anchor == "feet" and note.startswith(f"{pairs} of 871 positions matched")
        assert ("13%: under the 30% a reliable fit matches" in note) is weak


def test_the_persons_who_never_matched_anyone_moving_are_named():
    """A walk's standing group (davis_park without its H.txt) had its points land on each other (one person J
    0.00) while the estimate's note read like a good fit's: the persons in view on 3 sampled frames or more
    whose positions matched nobody moving are named, to be checked first."""
    from humanseg_core.inputs.calibrate import Calibration, _in_view, unmatched_text
    from humanseg_core.inputs.homography import Homography

    m = np.eye(3)  # world = pixel, to keep the arithmetic visible
    blob = {"feet": np.array([[10.0, 10.0], [50.0, 50.0]]), "head": np.zeros((0, 2)), "centre": np.zeros((0, 2))}
    walker, stander, brief, outside = [10.0, 10.0], [80.0, 80.0], [30.0, 90.0], [500.0, 10.0]
    samples = [(np.array([walker, stander, outside]), blob)] * 3 + [(np.array([walker, brief]), blob)] * 2
    owners = [np.array([1, 2, 4])] * 3 + [np.array([1, 3])] * 2
    # 2 stands where nobody moves on 3 frames: named; 3 is in view on 2 only, 4 never in the 100 x 100 image
    inside, unmatched = _in_view(m, samples, owners, "feet", 100.0, 100, 100)  # (a tolerance of 3 px)
    assert unmatched == (2,) and inside == 10
    found = Calibration(Homography(m, approximate=True), "feet", 5, 0.0, 5, 8, unmatched=(2,))
    assert unmatched_text(found) == ("person 2 never matched anyone moving in the video (standing still, or "
                                     "hidden): its points rest on the fit alone, so check it first")
    many = Calibration(Homography(m, approximate=True), "feet", 5, 0.0, 5, 8, unmatched=tuple(range(1, 15)))
    assert unmatched_text(many).startswith("persons 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 2 more never")
    assert unmatched_text(Calibration(Homography(m, approximate=True), "feet", 5, 0.0, 5, 8)) == ""


def test_the_preview_draws_each_point_where_the_estimate_puts_it(demo60):
    from humanseg_core.inputs.calibrate import Calibration, preview

    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", demo60 / "H.txt")
    try:
        pids = list(scene.pids)
        frame, _, _ = preview(scene, Calibration(scene.homography, "feet", 10, 1.0, 5, 20))
        first = next(p for p in pids if (at := scene.position_px(p, frame)) is not None  # in view on that frame
                     and 0 <= at[0] < scene.frames.width and 0 <= at[1] < scene.frames.height)
        pids.remove(first)
        pids.insert(0, first)
        found = Calibration(scene.homography, "feet", 10, 1.0, 5, 20, unmatched=(first,))
        frame, image, (x0, y0) = preview(scene, found)
        plain = scene.frames.read(frame)
        drawn = 0
        for pid in pids:
            at = scene.position_px(pid, frame)
            if at is None or not (0 <= at[0] < plain.shape[1] and 0 <= at[1] < plain.shape[0]):
                continue
            b, g, r = (int(c) for c in image[int(round(at[1])) - y0, int(round(at[0])) - x0])
            # green for a person who matched someone moving, orange for one who never did
            assert (b, g, r) == ((0, 140, 255) if pid == pids[0] else (60, 220, 60))
            drawn += 1
        assert drawn >= 2 and frame in scene.annotated_frames()
    finally:
        scene.close()


def test_a_fit_whose_horizon_crosses_below_the_people_is_not_a_cameras_view():
    """A walk's 80-frame clip calibrated to a fit matching 161 of 387 positions within 3 px, 94 px off the true
    points: its horizon (where pixel -> world's third coordinate changes sign) crossed the image's bottom edge, the
    ground below the people seen from behind. Such fits are set aside; an affine one or one whose horizon lies
    above the image is kept."""
    from humanseg_core.inputs.calibrate import _ground_below_horizon

    width, height = 720, 576
    world = np.array([[x, y] for x in np.linspace(2, 12, 6) for y in np.linspace(2, 8, 4)])

    def samples(m):  # the positions of a frame, placed by world -> pixel m
        return [(world, {})]

    affine = np.linalg.inv(np.array([[0.021, 0.0, 0.0], [0.0, -0.024, 13.7], [0.0, 0.0, 1.0]]))
    wrong = np.linalg.inv(np.array([[-0.0094, -0.0030, 2.437], [-0.00088, -0.00116, -0.869],
                                    [-0.00070, 0.00248, -1.0]]))  # the walk's fit (pixel -> world)
    eth_like = np.linalg.inv(np.array([[0.026, -0.0019, -4.8], [-0.0015, 0.019, -4.4],
                                       [0.0, 0.00042, 0.46]]))  # perspective, its horizon above the image
    assert _ground_below_horizon(affine, samples(affine), width, height)
    assert _ground_below_horizon(eth_like, samples(eth_like), width, height)
    assert not _ground_below_horizon(wrong, samples(wrong), width, height)


def test_the_search_sets_aside_fits_whose_ground_lies_behind_the_horizon(demo60, monkeypatch):
    """Every fit judged a view from behind: none is kept, and the job says no homography could be estimated."""
    from humanseg_core.inputs import calibrate

    monkeypatch.setattr(calibrate, "_ground_below_horizon", lambda *a: False)
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", None)
    try:
        with pytest.raises(HomographyError, match="only 0 positions matched"):
            run_job(calibrate_job(scene))
    finally:
        scene.close()


def test_every_command_and_the_studio_take_traj_format():
    """A trajectory file read in the other format is told to use --traj-format: every command and the studio take
    it (a walk's `run` was told --format, its output's format there)."""
    from app.main import build_parser as studio_parser
    from humanseg_core.cli import build_parser

    for argv in (["calibrate", "--video", "v", "--trajectories", "t", "--out", "H.txt"],
                 ["propose", "--project", "p", "--pids", "all"], ["tracks", "--video", "v", "--trajectories", "t"]):
        args, _ = build_parser().parse_known_args([*argv, "--traj-format", "obsmat"])
        assert args.traj_format == "obsmat", argv
    assert studio_parser().parse_args(["--traj-format", "obsmat"]).format == "obsmat"


def test_a_clip_holding_one_annotated_frame_says_that_is_why(demo60, tmp_path):
    """A walk calibrated a short clip holding one annotated frame: "0 positions matched" said nothing of why."""
    import shutil

    frames = sorted((demo60 / "frames").iterdir())
    scene = load_scene(demo60 / "frames", demo60 / "trajectories.txt", None)
    try:
        annotated = scene.annotated_frames()
        step = annotated[1] - annotated[0]
        first = scene.frames.indices[0]
    finally:
        scene.close()
    clip = tmp_path / "clip"
    clip.mkdir()
    for path in frames[annotated[1] - first - step // 2 + 1:annotated[1] - first + step // 2]:  # one annotation
        shutil.copy(path, clip / path.name)
    scene = load_scene(clip, demo60 / "trajectories.txt", None)
    try:
        assert len([f for f in scene.annotated_frames() if f in set(scene.frames.indices)]) == 1
        with pytest.raises(HomographyError, match=r"no homography could be estimated \(the video holds 1 annotated "
                                                  r"frame with \d+ positions in all\); give a longer stretch of the "
                                                  r"video, with more annotated frames, or use the scene's own"):
            run_job(calibrate_job(scene))
    finally:
        scene.close()
