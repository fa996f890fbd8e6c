"""Whole-scene runs without running one: the Accept policies, the segment stage's words, persons refused before a
project is written, and a person kept on its best proposal (split from test_scene_run.py)."""

import numpy as np
import pytest

from humanseg_core.cli import main
from humanseg_core.errors import HumansegError
from humanseg_core.workflows.scene_config import AcceptPolicy, SceneRunConfig, labels_from_proposals


def test_policy_parsing():
    assert AcceptPolicy.parse("score>=0.8") == AcceptPolicy("score", 0.8)
    assert AcceptPolicy.parse("reviewed").takes("pending", 1.0) is False
    assert AcceptPolicy.parse("score>=0.5").takes("pending", 0.4) is False
    assert AcceptPolicy.parse("all").takes("rejected", 1.0) is False
    with pytest.raises(HumansegError, match="on a command line quote it"):  # '>=0.7' taken by the shell (a walk)
        SceneRunConfig(accept="score")
    with pytest.raises(HumansegError, match="--accept"):
        AcceptPolicy.parse("most")
    default = SceneRunConfig(steps_per_person=None, seconds_per_person=None)  # no budget: the default (ADR 0026)
    assert (default.steps_per_person, default.seconds_per_person) == (100, 60.0)
    assert SceneRunConfig(seconds_per_person=60).steps_per_person is None  # one given alone is taken alone
    assert SceneRunConfig(steps_per_person=400).seconds_per_person is None


def test_the_segment_stage_says_when_the_evidence_step_runs():
    from humanseg_core.jobs import Progress
    from humanseg_core.workflows.scene_run import segment_progress

    inner = Progress(3, 9, "frames 0-31")
    assert segment_progress(inner, "evidence").message == "segmenting with per-frame evidence: frames 0-31"
    assert segment_progress(inner).message == "segmenting: frames 0-31"


@pytest.mark.parametrize("command", ["run", "propose"])
def test_refused_for_unknown_persons_leaves_no_project(small_demo, tmp_path, capsys, command):
    """A walk's `humanseg run --pids 3,7` on a scene without those persons was refused with a clear message
    but left a new project.sqlite behind; a later walk's `propose --pids 2,3` did the same, and the project
    left then read every later command's inputs with the refused one's frame offset."""
    folder = tmp_path / "proj"
    code = main([command, "--project", str(folder), "--video", str(small_demo / "frames"), "--trajectories",
                 str(small_demo / "trajectories.txt"), "--homography", str(small_demo / "H.txt"),
                 "--pids", "1,999"] + (["--out", str(tmp_path / "out")] if command == "run" else []))
    assert code == 2 and "999" in capsys.readouterr().err
    assert not folder.exists()


def test_score_policy_keeps_a_persons_best_proposal_when_none_reaches_it():
    """eth_dense with --accept score>=0.7: 7 of 41 persons had no proposal over 0.7 and counted J 0 (mean J 0.574
    against 0.631 for all); each now trains on its best proposal (0.640)."""
    from humanseg_core.records import Proposal
    from humanseg_core.workflows.scene_config import on_best_alone

    def prop(frame, score, status="pending", empty=False):
        mask = np.zeros((8, 8), bool)
        mask[2:6, 2:4] = not empty
        return Proposal(frame=frame, pid=1, box=(2, 2, 4, 6), mask=mask, source="bgs", score=score, status=status)

    policy = AcceptPolicy.parse("score>=0.7")
    low = [prop(10, 0.3), prop(20, 0.55), prop(30, 0.9, empty=True), prop(40, 0.6, status="rejected")]
    labels, _ = labels_from_proposals(low, policy)
    assert list(labels) == [20] and on_best_alone(low, policy)  # the best pending one with a mask
    high = [*low, prop(50, 0.8)]
    assert list(labels_from_proposals(high, policy)[0]) == [50] and not on_best_alone(high, policy)
    reviewed = [*low, prop(60, 0.2, status="accepted")]  # what the analyst accepted is enough
    assert list(labels_from_proposals(reviewed, policy)[0]) == [60] and not on_best_alone(reviewed, policy)
    assert labels_from_proposals(low, AcceptPolicy.parse("reviewed"))[0] == {}  # the other policies as before
    assert not on_best_alone(low, AcceptPolicy.parse("all"))


def test_one_label_a_frame_the_analysts_edit_first_and_the_threshold_inclusive():
    """Two proposals of one person on one frame (two sources): the hand edit is the label even against a better
    scored accepted one; an accepted one beats a pending one; a score at the threshold is taken; GrabCut may clean
    every label but a hand edit."""
    from humanseg_core.records import Proposal

    def prop(frame, score, status, cols, source):
        mask = np.zeros((8, 8), bool)
        mask[1:7, cols] = True
        return Proposal(frame=frame, pid=1, box=(0, 1, 8, 7), mask=mask, source=source, score=score, status=status)

    policy = AcceptPolicy.parse("score>=0.7")
    assert policy.takes("pending", 0.7) and not policy.takes("pending", 0.6999)
    props = [prop(5, 0.1, "edited", slice(1, 3), "bgs"), prop(5, 0.9, "accepted", slice(4, 7), "parent"),
             prop(6, 0.95, "pending", slice(1, 3), "bgs"), prop(6, 0.2, "accepted", slice(4, 7), "parent"),
             prop(7, 0.7, "pending", slice(2, 5), "bgs")]
    labels, refinable = labels_from_proposals(props, policy)
    assert sorted(labels) == [5, 6, 7]
    assert labels[5][1:7, 1:3].all() and not labels[5][:, 4:7].any()  # the edit, not the accepted one
    assert labels[6][1:7, 4:7].all() and not labels[6][:, 1:3].any()  # accepted over a better scored pending one
    assert refinable == {6, 7}  # the frame whose label is a hand edit is not re-drawn
    only_accepted = labels_from_proposals([prop(3, 0.5, "accepted", slice(1, 3), "bgs")], policy)[1]
    assert only_accepted == {3}


def test_the_share_of_labels_the_analyst_drew():
    """One fixed label of four gives its network a quarter of the hand-made labels' extra weight, not all of it."""
    from humanseg_core.records import Proposal
    from humanseg_core.workflows.scene_config import edited_share

    def prop(frame, status):
        return Proposal(frame=frame, pid=1, box=(0, 0, 4, 4), mask=np.ones((4, 4), bool), source="bgs", status=status)

    props = [prop(1, "edited"), prop(2, "accepted"), prop(3, "pending"), prop(4, "accepted"), prop(9, "edited")]
    assert edited_share(props, {1: None, 2: None, 3: None, 4: None}) == 0.25  # frame 9's edit is no label here
    assert edited_share(props, {}) == 0.0


def test_a_run_trains_on_the_label_exports_take_not_the_best_scored(bare_project):
    """A review found a mask imported over an edited proposal (a separate 'import' proposal, score 0) exported and
    trained on by `humanseg train`, while a whole-scene run still took the edited proposal (score 0.45): the two
    picked a frame's label by different rules. The analyst's latest decision now wins in both."""
    from humanseg_core.records import Proposal

    def prop(source, score, rows):
        mask = np.zeros((8, 8), bool)
        mask[rows, 2:5] = True
        return Proposal(frame=10, pid=1, box=(2, 0, 5, 8), mask=mask, source=source, score=score)

    edited, imported = prop("bgs", 0.45, slice(0, 4)), prop("import", 0.0, slice(2, 8))
    pending = Proposal(frame=20, pid=1, box=(0, 0, 8, 8), mask=np.ones((8, 8), bool), source="bgs", score=0.9)
    bare_project.add_proposals([edited, imported, pending])
    bare_project.set_mask(edited.id, edited.mask)
    bare_project.set_mask(imported.id, imported.mask)  # later: the analyst's newest label of frame 10
    exported = bare_project.accepted_masks(1)
    assert np.array_equal(exported[10], imported.mask)
    for policy in ("reviewed", "all", "score>=0.3"):
        labels, _ = labels_from_proposals(bare_project.proposals(1), AcceptPolicy.parse(policy),
                                          bare_project.decided_ids(1))
        assert np.array_equal(labels[10], imported.mask), policy
    assert 20 in labels  # pending proposals still count under the policies that take them


def test_an_unusable_parent_file_leaves_no_project(small_demo, tmp_path, capsys):
    """An ML walk's `run --parent-weights` of a damaged file was refused, naming it, but left an empty project."""
    bad = tmp_path / "bad.pt"
    bad.write_text("junk")
    folder = tmp_path / "proj"
    code = main(["run", "--project", str(folder), "--video", str(small_demo / "frames"), "--trajectories",
                 str(small_demo / "trajectories.txt"), "--homography", str(small_demo / "H.txt"), "--pids", "1",
                 "--out", str(tmp_path / "out"), "--parent-weights", str(bad)])
    assert code == 2 and "bad.pt: not a usable parent network file" in capsys.readouterr().err
    assert not folder.exists() and not (tmp_path / "out").exists()
