"""Bad trajectory rows left out on request (``skip_bad``, ``--skip-bad-lines``, the studio's question) instead
of refusing the whole file; without the request every bad row still refuses it, naming the file and line."""

import json

import numpy as np
import pytest
from fakes import frames_and_trajectories

from humanseg_core.errors import ProjectError, TrajectoryError
from humanseg_core.inputs.scene import load_scene
from humanseg_core.inputs.trajectories import load_trajectories

ROWS = ("0 1 1.0 2.0\n0 2 3 4\n10 1 1.5 2\n10 1 9 9\n10 1 8 8\nfoo bar\n20 1 2.0\n20 2 nan 3\n"
        "1e30 2 1 1\n30 1 2.5 2\n30 2 3.5 4\n")


def test_bad_rows_are_left_out_and_named(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("frame pid x y\n" + ROWS)
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(path)
    assert err.value.line == 7 and err.value.bad_row  # the first bad row read, as before
    t = load_trajectories(path, skip_bad=True)
    assert [line for line, _ in t.skipped] == [5, 6, 7, 8, 9, 10]
    problems = dict(t.skipped)
    assert problems[5] == problems[6] == "person 1 annotated twice at frame 10 (line 4 kept, the nearest its track)"
    assert "found 2" in problems[7] and "found 3" in problems[8] and "not a finite number" in problems[9]
    assert "out of range" in problems[10]
    assert t.tracks[1].frames.tolist() == [0, 10, 30]
    np.testing.assert_allclose(t.tracks[1].world[1], [1.5, 2])  # the row on the track between frames 0 and 30
    assert t.tracks[2].frames.tolist() == [0, 30]


def test_of_a_persons_rows_that_disagree_the_one_on_its_track_is_kept(tmp_path):
    """A walk's file had a stray row at (2, 2) pasted before person 110's own row at one frame: the stray was kept
    for being first and the track's own row left out."""
    path = tmp_path / "t.txt"
    path.write_text("0 1 1 1\n10 1 9 9\n10 1 3 1\n20 1 5 1\n"  # frame 10: the stray (9, 9) first
                    "0 2 4 4\n10 2 0 0\n10 2 5 4\n"  # no later frame: the nearest to frame 0's
                    "10 3 7 7\n10 3 6 6\n10 3 7 7\n")  # no other frame: the first row and its repeat
    t = load_trajectories(path, skip_bad=True)
    np.testing.assert_allclose(t.tracks[1].world, [[1, 1], [3, 1], [5, 1]])
    np.testing.assert_allclose(t.tracks[2].world, [[4, 4], [5, 4]])
    np.testing.assert_allclose(t.tracks[3].world, [[7, 7]])
    assert t.skipped == [(2, "person 1 annotated twice at frame 10 (line 3 kept, the nearest its track)"),
                         (6, "person 2 annotated twice at frame 10 (line 7 kept, the nearest its track)"),
                         (9, "person 3 annotated twice at frame 10 (line 8 kept, the first)")]


def test_a_clean_file_skips_nothing_and_a_file_of_bad_rows_is_still_refused(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("0 1 1 2\n10 1 2 2\n")
    assert load_trajectories(clean, skip_bad=True).skipped == []
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3\n4 5 6\n7 8 9\n")  # a homography
    with pytest.raises(TrajectoryError, match="no good trajectory row"):
        load_trajectories(bad, skip_bad=True)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"0 1 1 2\n\x00\x01")
    with pytest.raises(TrajectoryError, match="binary") as err:
        load_trajectories(binary, skip_bad=True)
    assert not err.value.bad_row


@pytest.fixture
def inputs(tmp_path):
    return frames_and_trajectories(tmp_path, 31, ROWS)


def test_the_scene_warns_of_the_skipped_rows(inputs):
    frames, traj = inputs
    scene = load_scene(frames, traj, skip_bad_lines=True)
    try:
        said = [w for w in scene.warnings if "skipped" in w]
        assert said == [f"{traj}: 6 bad lines skipped (line 4: person 1 annotated twice at frame 10 (line 3 "
                        "kept, the nearest its track); line 5: person 1 annotated twice at frame 10 (line 3 kept, "
                        "the nearest its track); line 6: "
                        "expected 4 columns (trajnet), found 2; and 3 more)"]
    finally:
        scene.close()


def test_the_cli_says_the_option_and_a_project_keeps_it(inputs, tmp_path, capsys, monkeypatch):
    from humanseg_core.cli import main
    from humanseg_core.project import Project

    frames, traj = inputs
    assert main(["tracks", "--video", str(frames), "--trajectories", str(traj), "--json"]) == 2
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said == (f"humanseg: error: {traj}, line 6: expected 4 columns (trajnet), found 2 "
                    "(6 bad rows in all; --skip-bad-lines leaves them out)")  # a re-walk read only the first
    one = tmp_path / "one_bad.txt"  # one bad row: "leaves it out" (a re-walk read "them" for one line)
    one.write_text("0 1 1.0 1.0\n10 1 1.5\n20 1 2.0 1.0\n")
    assert main(["tracks", "--video", str(frames), "--trajectories", str(one), "--json"]) == 2
    assert capsys.readouterr().err.strip().endswith("found 3 (--skip-bad-lines leaves it out)")
    assert main(["tracks", "--video", str(frames), "--trajectories", str(traj), "--json", "--skip-bad-lines"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert any("6 bad lines skipped" in w for w in doc["warnings"])
    project = tmp_path / "proj"
    code = main(["propose", "--project", str(project), "--video", str(frames), "--trajectories", str(traj),
                 "--pids", "1", "--skip-bad-lines", "--method", "bgs"])
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    # the rows left out, in the JSON a script reads (a CLI walk found them only in the stderr warning)
    assert len(doc["bad_lines"]) == 6 and {"line": 6, "problem": "expected 4 columns (trajnet), found 2"} in \
        doc["bad_lines"]
    assert doc["approximate"] is True  # no homography, and bgs estimates none
    with Project.open(project) as p:
        assert p.inputs.skip_bad_lines
        scene = p.load_scene()  # the stored inputs read the file as it was read then
        assert scene.trajectories.tracks[1].frames.tolist() == [0, 10, 30]
        scene.close()
    assert doc["homography_warnings"] == []
    # a homography the checks reject is in propose's JSON as in run's (a re-walk: stderr only)
    from humanseg_core.cli import common, propose

    said = "the homography H.txt does not fit this video: at the annotated points …"
    monkeypatch.setattr(common, "scene_warnings", lambda scene: [said, "a clip of a longer recording"])
    # ... and in its exit status, as run's (a walk's propose over a homography that did not fit exited 0)
    assert main(["propose", "--project", str(project), "--pids", "1", "--method", "bgs"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["homography_warnings"] == [said]
    assert err.strip().splitlines()[-1] == ("humanseg: error: the homography or the frame offset does not fit this "
                                            "video (the warnings above say which): the proposals are not on the "
                                            "persons")
    # and the video check's own verdict while proposing, by its kind (a review: "looks read in the wrong pixel
    # order" matched no phrase and was left out)
    from humanseg_core.jobs import JobWarning, Progress
    from humanseg_core.workflows.propose import PIXEL_ORDER

    order = "the homography H.txt looks read in the wrong pixel order: … Check it: --h-order rowcol"
    real = propose.run_job
    monkeypatch.setattr(common, "scene_warnings", lambda scene: [])
    monkeypatch.setattr(propose, "run_job", lambda job, progress: (progress(Progress(
        0, 1, "checking", warnings=(JobWarning(PIXEL_ORDER, order),))), real(job, progress))[1])
    assert main(["propose", "--project", str(project), "--pids", "1", "--method", "bgs"]) == 1
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["homography_warnings"] == [order]


def test_a_damaged_stored_flag_is_named(tmp_path):
    from humanseg_core.project.rows import inputs_from_json

    with pytest.raises(ProjectError, match="skip_bad_lines"):
        inputs_from_json(tmp_path / "p.db", json.dumps({"video": "v", "trajectories": "t", "skip_bad_lines": "yes"}))


def test_an_existing_project_takes_the_option_and_names_the_ones_it_does_not_use(inputs, tmp_path, capsys):
    """A walk: a bad row added to the file after the project was made refused every command, and the hint's
    --skip-bad-lines was dropped on the existing project as --frame-offset was, without a word."""
    from humanseg_core.cli import main
    from humanseg_core.project import Project
    from humanseg_core.records import Proposal

    frames, traj = inputs
    traj.write_text("0 1 1.0 2.0\n10 1 1.5 2\n30 1 2.5 2\n")
    project = tmp_path / "proj"
    assert main(["propose", "--project", str(project), "--video", str(frames), "--trajectories", str(traj),
                 "--pids", "1", "--method", "bgs"]) == 0
    capsys.readouterr()
    with Project.open(project) as p:  # work placed: the project keeps its frame offset
        if not sum(p.counts().values()):
            p.add_proposals([Proposal(frame=10, pid=1, box=(0, 0, 4, 4), mask=np.ones((60, 100), bool),
                                      source="bgs:test")])
    traj.write_text(traj.read_text() + "40 1 oops 2\n")
    assert main(["propose", "--project", str(project), "--pids", "1", "--method", "bgs"]) == 2
    assert "line 4" in capsys.readouterr().err
    assert main(["propose", "--project", str(project), "--pids", "1", "--method", "bgs", "--skip-bad-lines",
                 "--frame-offset", "5"]) == 2  # the other reading refused (ADR 0049), the bad rows' option taken
    err = capsys.readouterr().err
    assert "reads its trajectory file without its bad rows from now on" in err
    assert "nothing was run or changed but --skip-bad-lines, taken" in err and "frame offset 0" in err
    with Project.open(project) as p:
        assert p.inputs.skip_bad_lines and p.inputs.frame_offset == 0


def test_a_project_without_work_takes_the_option_before_the_offset_that_reads_the_file(inputs, tmp_path, capsys):
    """--skip-bad-lines and --frame-offset on a project holding no work: the offset reads the file, so the bad rows
    are left out first (the other way round the offset was refused as placing nobody)."""
    from humanseg_core.cli import main
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    frames, traj = inputs
    traj.write_text("100 1 1.0 2.0\n110 1 1.5 2\n130 1 2.5 2\n140 1 oops 2\n")
    Project.create(tmp_path / "proj", ProjectInputs(video=str(frames), trajectories=str(traj),
                                                    skip_bad_lines=False)).close()
    assert main(["propose", "--project", str(tmp_path / "proj"), "--pids", "all", "--method", "bgs",
                 "--skip-bad-lines", "--frame-offset", "-100"]) == 0, capsys.readouterr().err
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.skip_bad_lines and p.inputs.frame_offset == -100


def test_a_format_given_that_the_file_is_not_is_said_as_the_format(tmp_path):
    """A walk: a 4-column file read with --format obsmat said 'expected 8 columns, found 4 (--skip-bad-lines
    leaves bad rows out)', and skipping then refused all 226 rows."""
    path = tmp_path / "t.txt"
    path.write_text("0 1 1.0 2.0\n10 1 1.5 2\n")
    for skip in (False, True):
        with pytest.raises(TrajectoryError, match=r"found 4: the trajnet format's count \(--traj-format auto or trajnet"
                                                  r" reads it\)") as err:
            load_trajectories(path, fmt="obsmat", skip_bad=skip)
        assert not err.value.bad_row
