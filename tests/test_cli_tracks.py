"""`humanseg tracks`: JSON and table output on a tiny generated scene and on the composite zara01 scene."""

import argparse
import json

import cv2
import numpy as np
import pytest

from humanseg_core.cli import tracks


def run_tracks(argv, capsys, err: list | None = None):
    """(exit status, stdout); ``err``: a list the stderr is appended to."""
    parser = argparse.ArgumentParser(prog="humanseg")
    tracks.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["tracks", *argv])
    code = args.func(args)
    captured = capsys.readouterr()
    if err is not None:
        err.append(captured.err)
    return code, captured.out


@pytest.fixture
def tiny_scene(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(10, 31):
        cv2.imwrite(str(frames / f"{i:05d}.png"), np.zeros((50, 100, 3), np.uint8))
    traj = tmp_path / "t.txt"
    traj.write_text("10 1 1.0 1.0\n20 1 2.0 1.5\n30 1 9.0 2.0\n20 2 50 0.5\n")
    H = tmp_path / "H.txt"
    H.write_text("# pixel -> world: X = u / 10, Y = (50 - v) / 10\n0.1 0 0\n0 -0.1 5\n0 0 1\n")
    return frames, traj, H


def test_json_document(tiny_scene, capsys):
    frames, traj, H = tiny_scene
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--json"], capsys)
    assert code == 0
    doc = json.loads(out.strip().splitlines()[-1])
    assert (doc["width"], doc["height"]) == (100, 50)
    assert doc["frame_count"] == 21 and doc["fps"] == 25 and doc["first_frame"] == 10
    assert doc["warnings"] == [] and doc["approximate"] is False
    p1, p2 = doc["persons"]
    assert p1["pid"] == 1 and p1["frames"] == [10, 20, 30]
    np.testing.assert_allclose(p1["pixels"], [[10, 40], [20, 35], [90, 30]])
    assert p1["inside_share"] == 1.0
    assert p2["pid"] == 2 and p2["pixels"] == [[500.0, 45.0]] and p2["inside_share"] == 0.0


def test_without_homography_warns_and_fits(tiny_scene, capsys):
    frames, traj, _ = tiny_scene
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--json"], capsys)
    doc = json.loads(out)
    assert doc["approximate"] is True
    assert any("No homography" in w for w in doc["warnings"])
    assert doc["persons"] and all(p["inside_share"] == 1.0 for p in doc["persons"])  # (an audit: [] passed)


def test_table_output(tiny_scene, capsys):
    frames, traj, H = tiny_scene
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "100x50" in lines[0] and "21 frames" in lines[0]
    rows = [line.split() for line in lines if line.strip().split()[0].isdigit()]
    assert rows == [["1", "3", "10..30", "10..30", "100%"], ["2", "1", "20..20", "20..20", "0%"]]
    assert lines[2].split() == ["pid", "points", "annotated", "in", "video", "inside"]


def test_the_span_reaches_one_step_past_the_file_s_last_row_for_a_person_still_in_view(tiny_scene, capsys):
    # the video runs to 35 while the file stops at 30: person 1 (in view at 30) is segmented to 35 (ADR 0012);
    # person 2, annotated at 20 only, left
    frames, traj, H = tiny_scene
    for i in range(31, 36):
        cv2.imwrite(str(frames / f"{i:05d}.png"), np.zeros((50, 100, 3), np.uint8))
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--json", "--summary"], capsys)
    p1, p2 = json.loads(out.strip().splitlines()[-1])["persons"]
    assert (p1["first"], p1["last"], p1["span"]) == (10, 30, [10, 35]) and p2["span"] == [20, 20]


def test_the_span_is_the_videos_frames_of_it(tiny_scene, capsys):
    """A walk's 60-frame clip listed spans "0..110": the span is what is segmented, within the video; a person
    never in it says so."""
    frames, traj, H = tiny_scene
    for i in range(21, 31):
        (frames / f"{i:05d}.png").unlink()  # the video: frames 10..20
    traj.write_text(traj.read_text() + "30 3 2.0 1.0\n")  # person 3: after the video's end, listed when named
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--json", "--summary", "--pids", "1,2,3"], capsys)
    p1, _p2, p3 = json.loads(out.strip().splitlines()[-1])["persons"]
    assert p1["span"] == [10, 20] and (p1["first"], p1["last"]) == (10, 30) and p3["span"] is None
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--pids", "1,2,3"], capsys)
    rows = [line.split() for line in out.splitlines() if line.strip().split()[0].isdigit()]
    assert rows[0][2:4] == ["10..30", "10..20"] and rows[2][3:6] == ["not", "in", "video"], rows


def test_bad_input_exits_2_with_the_file_named(tiny_scene, tmp_path, capsys):
    from humanseg_core.cli import main

    frames, _, H = tiny_scene
    bad = tmp_path / "bad.txt"
    bad.write_text("10 1 1.0 1.0\n20 1 oops 1.5\n")
    code = main(["tracks", "--video", str(frames), "--trajectories", str(bad), "--json"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}, line 2" in err and "oops" in err


def test_composite_scene(shared_data, capsys):
    d = shared_data / "scenes" / "zara01"
    code, out = run_tracks(["--video", str(d / "frames"), "--trajectories", str(d / "trajectories.txt"),
                            "--homography", str(d / "H.txt"), "--json"], capsys)
    doc = json.loads(out)
    assert (doc["width"], doc["height"], doc["frame_count"]) == (720, 576, 250)
    assert [p["pid"] for p in doc["persons"]] == list(range(54, 65))
    p57 = next(p for p in doc["persons"] if p["pid"] == 57)
    assert p57["frames"][0] == 3700 and len(p57["pixels"]) == len(p57["frames"])


def test_unknown_pids_are_named_plainly(tiny_scene, capsys):
    """'--pids: no person with id [99] (known: [1, 2]...)' printed Python lists and a '...' that cut nothing."""
    from humanseg_core.cli import main

    frames, traj, H = tiny_scene
    code = main(["tracks", "--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                 "--pids", "99,98"])
    err = capsys.readouterr().err
    assert code == 2 and "no person with id 98, 99 in the trajectories (known: 1, 2)" in err and "[" not in err


def test_points_on_frames_outside_the_video_are_not_inside(tiny_scene, capsys):
    """A walk with an mp4 (frames from 0) and trajectories from 9200 read 'Inside 100%' for every person
    while none of their frames was in the video; the warning now names the offset that lines them up."""
    frames, traj, H = tiny_scene
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--json", "--frame-offset", "1000"], capsys)
    doc = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and all(p["inside_share"] == 0.0 for p in doc["persons"])
    assert any("--frame-offset 0" in w for w in doc["warnings"]), doc["warnings"]


def test_a_clip_of_a_longer_recording_counts_its_own_points_inside(tiny_scene, capsys):
    """A walk's clip read with the recording's file: persons every point of whom in the clip lay inside the image
    read "Inside 4 %" (15 of the file's 375 points), in orange, beside First/Last of the clip's own frames."""
    frames, traj, H = tiny_scene
    longer = traj.with_name("longer.txt")
    longer.write_text(traj.read_text() + "".join(f"{f} 1 {f / 100:.1f} 1.0\n" for f in range(40, 400, 10)))
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(longer), "--homography", str(H),
                            "--json"], capsys)
    doc = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and doc["persons"][0]["inside_share"] == 1.0  # 3 points in the clip, all inside (of 39)


def test_a_leading_tilde_is_home_in_every_path_option(monkeypatch, tmp_path):
    """A walk: `run --project '~/p'` made a folder named '~' while `--out '~/x'` went home; `--trajectories`,
    `--homography`, `--manifest`, `--gt-root` and `--pred` kept the '~'."""
    from humanseg_core.cli import build_parser
    from humanseg_core.cli.batch import _scene_args
    from humanseg_core.cli.common import expand_home

    monkeypatch.setenv("HOME", str(tmp_path))
    a = expand_home(build_parser().parse_args(["run", "--project", "~/p", "--out", "~/x", "--pids", "1",
                                               "--trajectories", "~/t.txt", "--homography", "~/H.txt"]))
    assert (a.project, a.out, a.trajectories, a.homography) == tuple(
        str(tmp_path / n) for n in ("p", "x", "t.txt", "H.txt"))
    e = expand_home(build_parser().parse_args(["eval-scene", "--pred", "~/o", "--gt-root", "~/gt"]))
    assert (e.pred, e.gt_root) == (str(tmp_path / "o"), str(tmp_path / "gt"))
    b = build_parser().parse_args(["batch", "--manifest", "m.toml"])
    scene = _scene_args(b, {}, {"project": "~/s1", "video": "~/v.mp4", "out": "~/o1"})
    assert (scene.project, scene.video, scene.out) == (str(tmp_path / "s1"), str(tmp_path / "v.mp4"),
                                                       str(tmp_path / "o1"))
    # a scene's reading left as not given unless its manifest says it: a batch run again keeps a project's rowcol
    # (a mutation audit: defaults of uv would read as given)
    assert scene.h_order is None and scene.h_direction is None


def test_sigterm_is_said_and_undone_like_ctrl_c(tmp_path):
    """A walk: `kill` (SIGTERM) printed nothing and left the export's staging folder behind."""
    import subprocess
    import sys

    code = ("import os, signal, sys\n"
            "import humanseg_core.cli.tracks as t\n"
            "def run(args):\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "    import time; time.sleep(5)\n"
            "    return 0\n"
            "t.run = run\n"
            "from humanseg_core.cli import main\n"
            "sys.exit(main(['tracks', '--video', 'v', '--trajectories', 't']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 143 and "humanseg: terminated: what the project stored before is kept" in done.stderr


def test_persons_never_in_the_video_are_left_out_and_counted(tiny_scene, capsys):
    """A walk's ETH obsmat.txt on a 120-frame clip listed 360 persons, 347 of them never in it."""
    frames, traj, H = tiny_scene
    traj.write_text(traj.read_text() + "500 3 1.0 1.0\n510 3 2.0 1.0\n")  # after the video's frames 10-30
    said: list = []
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H)], capsys, said)
    # on stderr, as every command's warnings (a walk found them in the table on stdout)
    assert code == 0 and "humanseg: warning: 1 of the 3 persons of t.txt is never in the video: left out" in said[0]
    assert "warning" not in out
    assert [line.split()[0] for line in out.splitlines()[-2:]] == ["1", "2"]
    code, out = run_tracks(["--video", str(frames), "--trajectories", str(traj), "--homography", str(H),
                            "--pids", "3", "--json"], capsys)
    assert [p["pid"] for p in json.loads(out)["persons"]] == [3]  # asked for by name: listed
