"""Option values refused in one line before any work (a CLI walk: a budget of nan seconds trained forever,
--pids 2.9 meant person 2, --pids inf, --bound-th nan, demo --seed -1 and an unknown background model were
tracebacks, demo --force deleted a project, segment --out mixed into older masks and the project folder)."""

import math

import pytest
from fakes import run_cli

from humanseg_core.checks import flag, positive, whole
from humanseg_core.cli.common import parse_pids
from humanseg_core.errors import HumansegError
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.workflows.scene_config import SceneRunConfig


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0, -1, "10", True])
def test_a_budget_must_be_a_positive_finite_number(value):
    with pytest.raises(HumansegError, match="--seconds"):
        TrainConfig(model="osvos-lite", seconds=value)
    with pytest.raises(HumansegError, match="--seconds-per-person"):
        SceneRunConfig(seconds_per_person=value)
    assert positive(2.5, "x") == 2.5


def test_whole_numbers_and_flags():
    for bad in ("five", 2.5, math.nan, True):
        with pytest.raises(HumansegError, match="--steps-per-person must be a whole number"):
            SceneRunConfig(steps_per_person=bad, seconds_per_person=None)
    with pytest.raises(HumansegError, match="--seed must be a whole number"):
        SceneRunConfig(seed="s")
    with pytest.raises(HumansegError, match="--min-labels must be 1 or more"):
        SceneRunConfig(min_labels=0)
    assert whole(3.0, "x", 1) == 3 and flag(False, "x") is False
    with pytest.raises(HumansegError, match="must be true or false, got 'no'"):
        flag("no", "skip_bad_lines")
    with pytest.raises(HumansegError, match="--holdout"):
        TrainConfig(model="osvos-lite", holdout=-2)
    with pytest.raises(HumansegError, match="--holdout"):
        TrainConfig(model="osvos-lite", holdout=math.nan)


@pytest.mark.parametrize("text", ["2.9", "inf", "nan", "", " , ", "1,x"])
def test_pids_are_whole_ids(text):
    with pytest.raises(HumansegError, match="--pids"):
        parse_pids(text, [1, 2, 3])
    assert parse_pids(" 1, 3 ", [1, 2, 3]) == [1, 3] and parse_pids("all", [3, 1]) == [1, 3]


def test_the_cli_says_bad_numbers_in_one_line(capsys, tmp_path):
    for argv, said in (
        (["eval", "--pred", str(tmp_path), "--gt", str(tmp_path), "--bound-th", "nan"], "--bound-th"),
        (["eval-scene", "--pred", str(tmp_path), "--gt-root", str(tmp_path), "--bound-th", "inf"], "--bound-th"),
        (["demo", "--out", str(tmp_path / "d"), "--frames", "2", "--seed", "-1"], "--seed"),
        (["demo", "--out", str(tmp_path / "file.txt" / "d"), "--frames", "2"], "cannot create it"),
        (["propose", "--project", str(tmp_path / "p"), "--threshold", "nan", "--pids", "1"], "--threshold"),
    ):
        if "file.txt" in argv[2]:
            (tmp_path / "file.txt").write_text("not a folder")
        code, _out, err = run_cli(capsys, *argv)
        assert code == 2 and said in err and "Traceback" not in err, (argv, err)


def test_demo_force_replaces_a_demo_only(capsys, tmp_path):
    project = tmp_path / "work"
    (project / "sub").mkdir(parents=True)
    (project / "sub" / "project.sqlite").write_text("a project")
    code, _out, err = run_cli(capsys, "demo", "--out", str(project), "--frames", "2", "--force")
    assert code == 2 and "not a demo scene" in err
    assert (project / "sub" / "project.sqlite").read_text() == "a project"
    demo = tmp_path / "demo"
    assert run_cli(capsys, "demo", "--out", str(demo), "--frames", "2")[0] == 0
    assert run_cli(capsys, "demo", "--out", str(demo), "--frames", "3", "--force")[0] == 0
    assert len(list((demo / "frames").glob("*.jpg"))) == 3


def test_an_unknown_background_model_is_an_error_not_a_traceback():
    from humanseg_core.proposals.detectors.bgs import UnknownAlgorithm, _make_model

    with pytest.raises(UnknownAlgorithm) as err:
        _make_model("Bogus")
    assert isinstance(err.value, HumansegError) and isinstance(err.value, ValueError)


def test_an_export_folder_that_cannot_be_made_fails_before_the_work(tmp_path):
    from humanseg_core.export.atomic import ExportError, check_target

    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ExportError, match="file.txt: is a file, not a folder"):
        check_target(tmp_path / "file.txt" / "out", force=False)
    assert check_target(tmp_path / "new" / "out", force=False) == tmp_path / "new" / "out"
    assert not (tmp_path / "new").exists()  # the probe is gone, and the folder made to hold it (a walk)








def test_a_person_without_proposals_is_told_why_not_sent_to_decide(tmp_path, capsys):
    """A walk: a person never in view was skipped by `run` as '0 usable label(s)', `decide` said 'no
    proposals' and `train` advised `decide --accept-all`, which failed: each now says its frames were skipped."""
    from fakes import frames_and_trajectories

    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Skip
    from humanseg_core.workflows.person import train_person

    frames, traj = frames_and_trajectories(tmp_path, 12, "0 1 1 2\n10 1 1.5 2\n0 2 900 2\n10 2 901 2\n")
    with Project.create(tmp_path / "proj", ProjectInputs(video=str(frames), trajectories=str(traj))) as project:
        project.add_skips([Skip(f, 2, "the person is outside the image here (only 0% of its expected body is inside)")
                           for f in (0, 10)])
        with pytest.raises(HumansegError, match=r"no proposals for person 2: its annotated frames were skipped "
                                                r"\(2 the person is outside the image here\)"):
            run_job(train_person(project, 2, TrainConfig(model="osvos-lite", steps=1)))
    code, _doc, err = run_cli(capsys, "decide", "--project", tmp_path / "proj", "--pid", 2, "--list")
    assert code == 2 and "no proposals for person 2: its annotated frames were skipped (2 the person is outside" in err


def test_a_parent_file_the_user_names_is_refused_when_it_cannot_be_used(tmp_path, capsys):
    """A walk: `propose --method parent --weights /nonexistent.pt` warned, fell back to bgs-owned and exited 0
    (the fallback is for a shipped file gone missing, not for a file the user named)."""
    code, _doc, err = run_cli(capsys, "propose", "--project", tmp_path / "p", "--pids", "1", "--method", "parent",
                              "--weights", tmp_path / "nope.pt")
    assert code == 2 and "--weights:" in err and "nope.pt" in err and not (tmp_path / "p").exists()


def test_small_cli_wording(tmp_path, capsys):
    from humanseg_core.errors import FrameError
    from humanseg_core.inputs.image_decode import header_size

    with pytest.raises(FrameError) as err:  # an empty or non-image frame named its internal BytesIO object
        header_size(b"not an image at all", tmp_path / "03712.jpg", 3712)
    assert "object at 0x" not in str(err.value) and "cannot read the image header" in str(err.value)
    with pytest.raises(FrameError) as err:  # a zero-byte JPEG read "(UnidentifiedImageError: …)" (a walk)
        header_size(b"", tmp_path / "07050.jpg", 7050)
    assert "07050.jpg" in str(err.value) and "the file is empty (0 bytes)" in str(err.value)
    assert "Error" not in str(err.value)
    with pytest.raises(SystemExit):
        from humanseg_core.cli import main

        main(["--version"])
    assert capsys.readouterr().out.startswith("humanseg ")
    code, _doc, err = run_cli(capsys, "decide", "--project", tmp_path, "--pid", 1, "--list", "--score-below", "nan")
    assert code == 2 and "--score-below: a score from 0 to 1" in err


def test_messages_that_fit_the_case(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code, _doc, err = run_cli(capsys, "demo", "--out", tmp_path / "afile", "--frames", "2")
    assert code == 2 and "exists and is not a folder" in err
    code, _doc, err = run_cli(capsys, "decide", "--project", tmp_path / "afile", "--pid", 1, "--list")
    assert code == 2 and "exists and is not a folder" in err


def test_propose_names_the_frames_it_could_not_read(tmp_path, capsys):
    """A walk: '4 (frame, person) pairs skipped (4 frame unreadable)', and which frames and why only came
    out later, in run and export."""
    from fakes import frames_and_trajectories

    frames, traj = frames_and_trajectories(tmp_path, 21, "0 1 1 2\n10 1 1.5 2\n20 1 2 2\n")
    (frames / "00010.png").write_bytes(b"\x89PNG truncated")
    code, doc, err = run_cli(capsys, "propose", "--project", tmp_path / "p", "--video", frames, "--trajectories",
                             traj, "--pids", "1", "--method", "bgs")
    assert code == 0 and "humanseg: warning: frame 10: " in err and "00010.png" in err, err


def test_two_commands_creating_one_project_at_once_both_go_on(tmp_path, capsys, monkeypatch):
    """A walk: two `propose` creating the same new project together: one failed with 'already holds a
    project; open it instead of creating one'. The second opens what the first created."""
    from fakes import frames_and_trajectories

    from humanseg_core.project import Project

    frames, traj = frames_and_trajectories(tmp_path, 11, "0 1 1 2\n10 1 1.5 2\n")
    create = Project.create

    def raced(folder, inputs):  # the other command wins the race between the check and the create
        create(folder, inputs).close()
        return create(folder, inputs)

    monkeypatch.setattr(Project, "create", staticmethod(raced))
    code, doc, err = run_cli(capsys, "propose", "--project", tmp_path / "p", "--video", frames, "--trajectories",
                             traj, "--pids", "1", "--method", "bgs")
    assert code == 0 and "already holds a project" not in err


def test_calibrate_checks_its_out_before_the_fit(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code, _doc, err = run_cli(capsys, "calibrate", "--video", tmp_path, "--trajectories", tmp_path / "t.txt",
                              "--out", tmp_path / "afile" / "H.txt")
    assert code == 2 and "afile: is a file, not a folder" in err and "place for --out" in err


def test_calibrate_never_writes_over_its_own_input(tmp_path, capsys):
    """A data-safety review: `calibrate --trajectories T.txt --out T.txt --force` replaced the trajectories."""
    traj = tmp_path / "T.txt"
    traj.write_text("0 1 1.0 2.0\n")
    code, _doc, err = run_cli(capsys, "calibrate", "--video", tmp_path, "--trajectories", traj, "--out",
                              tmp_path / "." / "T.txt", "--force")
    assert code == 2 and "T.txt: is the --trajectories input" in err and traj.read_text() == "0 1 1.0 2.0\n"
    (tmp_path / "project.sqlite").write_bytes(b"SQLite format 3\x00 a project")  # nor over a project or a frame
    code, _doc, err = run_cli(capsys, "calibrate", "--video", tmp_path, "--trajectories", traj, "--out",
                              tmp_path / "project.sqlite", "--force")
    assert code == 2 and "is not a homography file" in err
    assert (tmp_path / "project.sqlite").read_bytes() == b"SQLite format 3\x00 a project"


def test_counted_reasons_read_as_plurals():
    from humanseg_core.wording import reasons_text

    said = reasons_text(["point outside the image (728, 40)", "point outside the image (9, 900)",
                         "frame unreadable: a: bad", "frame unreadable: b: bad", "point outside the image (1, 2)",
                         "hidden behind person 4"])
    assert said == "3 points outside the image, 2 frames unreadable, 1 hidden behind a nearer person"
    assert reasons_text(["point outside the image (1, 2)"]) == "1 point outside the image"
    # a walk read "its annotated frames were skipped (1 too little of the person is visible)"
    assert reasons_text(["too little of the person is visible"] * 2) == "2 with too little of the person visible"
    # two persons on one unreadable frame read "2 frames unreadable" (a walk)
    assert reasons_text(["frame unreadable: f/07050.jpg: empty"] * 2) == "2 on 1 unreadable frame"
    # a video's frames share the reason's words: skips count them by frame (a walk: "49 on 1 unreadable frame" for 7)
    from humanseg_core.records import Skip

    said = "frame unreadable: v.avi: cannot decode this frame (corrupt or truncated video)"
    skips = [Skip(f, pid, said) for f in (41, 47, 53) for pid in (1, 2)] + [Skip(5, 1, "hidden behind person 2")]
    assert reasons_text(skips) == "6 on 3 unreadable frames, 1 hidden behind a nearer person"


def test_an_option_prefix_is_not_taken_for_the_option(tmp_path, capsys):
    """A walk's `run --pid all` was read as --pids all and started a whole scene; now refused with the option
    meant."""
    from humanseg_core.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["run", "--project", str(tmp_path / "p"), "--pid", "all", "--out", str(tmp_path / "o")])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --pid all; did you mean --pids?" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("command", [["propose", "--project", "p"], ["run", "--project", "p", "--out", "o"]])
def test_center_is_the_centre_anchor(command):
    """The composer writes `center`; a walk's `--anchor center` was refused (only `centre`)."""
    from humanseg_core.cli import build_parser

    assert build_parser().parse_args([*command, "--anchor", "center"]).anchor == "centre"


def test_a_trajectory_format_given_as_runs_output_format_names_the_right_option(capsys):
    """A walk's `run --format obsmat` got only argparse's list of output formats."""
    from humanseg_core.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--project", "p", "--out", "o", "--format", "obsmat"])
    assert "obsmat is a trajectory format: --traj-format obsmat" in capsys.readouterr().err
    assert build_parser().parse_args(["run", "--project", "p", "--out", "o", "--format", "mots"]).out_format == "mots"


def test_no_prefix_is_taken_in_nested_commands_either(capsys):
    """`parent train … --step 5` was read as --steps 5 (a review of the change above)."""
    from humanseg_core.cli import main

    with pytest.raises(SystemExit):
        main(["parent", "train", "--data", "d", "--out", "o", "--minutes", "1", "--step", "5"])
    assert "unrecognized arguments: --step 5; did you mean --steps?" in capsys.readouterr().err


def test_runs_default_budget_is_100_steps_bounded_by_60_seconds():
    """Whole-scene J was the same at 60 steps and at 15 s (about 140 steps) on zara01_feet and eth_dense: the
    default is steps (the same masks wherever they fit in the bound, a run ~1.5x faster here), bounded in time
    for a very slow machine; a budget given alone is taken alone."""
    from humanseg_core.cli import build_parser
    from humanseg_core.cli.run import config_from_args
    from humanseg_core.workflows.scene_config import SceneRunConfig

    def budget(*extra):
        args = build_parser().parse_args(["run", "--project", "p", "--out", "o", *extra])
        config = config_from_args(args, "o")
        return config.steps_per_person, config.seconds_per_person

    assert budget() == (100, 60.0) == (SceneRunConfig().steps_per_person, SceneRunConfig().seconds_per_person)
    assert budget("--steps-per-person", "400") == (400, None)
    assert budget("--seconds-per-person", "30") == (None, 30.0)


def test_a_run_refusing_its_export_folder_makes_no_project(tmp_path, capsys):
    """A walk's `run --out` named a folder of other files: refused, but the project was made, and the corrected
    rerun's other --homography was then 'not used'."""
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    (tmp_path / "v").mkdir()
    (tmp_path / "t.txt").write_text("0 1 1.0 2.0\n")
    code, _doc, err = run_cli(capsys, "run", "--project", tmp_path / "p", "--video", tmp_path / "v", "--trajectories",
                              tmp_path / "t.txt", "--pids", "all", "--out", foreign)
    assert code == 2 and "refusing to replace this folder" in err
    assert not (tmp_path / "p").exists() and (foreign / "notes.txt").read_text() == "mine"





def test_segment_frames_read_as_decide_reads_them_too():
    """A walk: `segment --frames A:B` (B exclusive) beside `decide --frames 3250-3300` (B included); the dashed
    range was refused by segment. Both read now, each as written."""
    import pytest

    from humanseg_core.cli.segment import parse_range
    from humanseg_core.errors import HumansegError

    assert parse_range("100:200") == (100, 200) and parse_range(":50") == (None, 50)
    assert parse_range("3250-3300") == (3250, 3301) and parse_range("7-7") == (7, 8)
    for bad, said in (("9-3", "the end comes before the start"), ("a-b", r"A-B \(B included\)"),
                      ("5:2", "the end comes before the start"), ("1:2:3", "expected A:B")):
        with pytest.raises(HumansegError, match=said):
            parse_range(bad)


def test_a_frame_marked_not_visible_is_no_training_label(tmp_path):
    """Review's V keeps an empty mask of the analyst's on a frame where the person is hidden: one-person training
    leaves it out, as a Whole scene run's labels do (a review: its filter was untested)."""
    import numpy as np
    from fakes import frames_and_trajectories

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal
    from humanseg_core.workflows.person import train_person

    frames, traj = frames_and_trajectories(tmp_path, 12, "0 1 1 2\n10 1 1.5 2\n")
    with Project.create(tmp_path / "proj", ProjectInputs(video=str(frames), trajectories=str(traj))) as project:
        body = np.zeros((60, 100), bool)
        body[10:50, 40:55] = True
        project.add_proposals([Proposal(frame=f, pid=1, box=(40, 10, 55, 50), mask=body, source="bgs:test",
                                        status="accepted") for f in (0, 10)])
        hidden = next(p for p in project.proposals(1) if p.frame == 10)
        project.set_mask(hidden.id, np.zeros_like(body), status="edited")
        run = run_job(train_person(project, 1, TrainConfig(model="osvos-lite", steps=1, allow_download=False)))
        params = next(r for r in project.runs(1) if r["id"] == run.run_id)["params"]
        assert params["accepted_masks"] == 1 and 10 not in params["train_frames"] + params["holdout_frames"]
