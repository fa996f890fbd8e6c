"""``humanseg status`` after labels changed since the network in use read them (ADR 0044): "retrain", "segment"
after a newer network, an export of the labels, the Persons table's mark, `train`'s and `decide`'s part."""

import numpy as np
import pytest
from fakes import run_cli as _run
from status_project import H, W, _mask, status_project

from humanseg_core.project import Project
from humanseg_core.records import Proposal


@pytest.fixture
def project_dir(tmp_path):
    return status_project(tmp_path)


def test_labels_changed_after_the_run_read_them_ask_for_a_retrain(capsys, project_dir, tmp_path):
    """A walk imported hand masks after an export: the person stayed "exported", its network trained without them.
    A change before the latest export is in it (an export takes the labels on their frames): "exported" again."""
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "export" and doc["persons"]["3"]["labels_changed"] == 0
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "davis",
                            "--source", "results", "--out", tmp_path / "first")
    with Project.open(project_dir) as p:  # a mask fixed by hand
        p.set_mask(p.proposals(3)[2].id, _mask(40))
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain" and doc["persons"]["3"]["labels_changed"] == 1
    steps = "\n".join(doc["next_steps"])
    assert "person 3: retrain: its labels changed after its network read them" in steps
    assert f"humanseg run --project {project_dir} --pids 3 --accept reviewed --out DIR trains and segments" in steps
    assert next(line.split() for line in err.splitlines() if line.split()[:1] == ["3"])[-1] == "retrain"
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "davis",
                            "--source", "results", "--out", tmp_path / "second")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain"  # results alone: the fix is not in it (a re-walk)
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "davis",
                            "--source", "any", "--out", tmp_path / "third")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "exported"  # the fix is in that export, on its frame
    with Project.open(project_dir) as p:  # a label rejected: the network trained on it
        p.set_status(p.proposals(3)[3].id, "rejected")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain" and doc["persons"]["3"]["labels_changed"] == 2
    with Project.open(project_dir) as p:  # trained again (`humanseg train`): its network waits to segment
        run = p.add_run(3, "osvos-lite", {}, str(project_dir / "n3.pt"))
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "segment"  # (a walk read "retrain" again)
    with Project.open(project_dir) as p:  # segmented: its results read every label as it stands
        p.save_results(3, run, {10: _mask(4)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "export" and doc["persons"]["3"]["labels_changed"] == 0


def test_an_unreviewed_run_took_the_pending_proposals_accepting_one_changes_nothing(capsys, project_dir):
    from humanseg_core.project.runs import utc_now

    with Project.open(project_dir) as p:  # person 7: pending only, a whole-scene run under Accept all
        p.save_results(7, p.add_run(7, "osvos-parent", {"accept": "all", "labels_at": utc_now()},
                                    str(project_dir / "n7.pt")), {10: _mask(5)})
        ids = [q.id for q in p.proposals(7)]
        p.set_status(ids[0], "accepted")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["7"]["next"] == "export"
    with Project.open(project_dir) as p:
        p.set_status(ids[1], "rejected")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["7"]["next"] == "retrain" and doc["persons"]["7"]["labels_changed"] == 1
    assert "--pids 7 --accept all --out DIR" in "\n".join(doc["next_steps"])  # its own policy: train takes 1 label


def test_under_accept_score_the_proposals_under_it_were_never_labels(capsys, project_dir):
    """A walk: under score>=0.7, accepting a 0.63 proposal the run never took changed nothing, and rejecting one
    asked for a retrain."""
    from humanseg_core.project.runs import utc_now

    with Project.open(project_dir) as p:  # person 7: pending proposals scored 0.5 and 0.9
        p.add_proposals([Proposal(frame=f, pid=7, box=(0, 0, 4, 4), mask=_mask(f), source="parent", score=0.9)
                         for f in (10, 11)])
        p.save_results(7, p.add_run(7, "osvos-parent", {"accept": "score>=0.7", "labels_at": utc_now()},
                                    str(project_dir / "n7.pt")), {10: _mask(5)})
        low = [q.id for q in p.proposals(7) if q.score < 0.7]
        high = [q.id for q in p.proposals(7) if q.score >= 0.7]
        p.set_status(low[0], "rejected")  # never taken
        p.set_status(high[0], "accepted")  # taken already
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["7"]["next"] == "export"
    with Project.open(project_dir) as p:
        p.set_status(low[-1], "accepted")  # a label it never saw (frame 15)
        p.set_status(high[1], "rejected")  # one it trained on
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["7"]["next"] == "retrain" and doc["persons"]["7"]["labels_changed"] == 2
    assert "--pids 7 --accept 'score>=0.7' --out DIR" in "\n".join(doc["next_steps"])


def test_exported_persons_with_proposals_nobody_reviewed_are_told_so(capsys, project_dir, tmp_path):
    """A walk: "done" of persons exported after a whole-scene run, 40 of their proposals never looked at."""
    with Project.open(project_dir) as p:
        p.save_results(7, p.add_run(7, "osvos-parent", {"accept": "all"}, str(project_dir / "n7.pt")), {10: _mask(5)})
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3,7", "--format", "davis",
                            "--source", "results", "--out", tmp_path / "out")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    line = next(s for s in doc["next_steps"] if s.startswith("2 persons (3, 7): exported"))
    assert line.endswith("; 6 proposals pending review (trained on unreviewed, or left out): the Review tab, or "
                         f"humanseg decide --project {project_dir} --pid N --list, to look at them")


def _changed(project_dir, since):
    with Project.open(project_dir) as p:
        return p.labels_changed_since(since)


def test_a_change_undone_is_none_and_a_proposal_made_and_rejected_since_was_never_a_label(project_dir):
    """A review: accept then undo read "retrain"; so did a proposal proposed after an Accept all run, then
    rejected."""
    from humanseg_core.project.runs import utc_now

    at = utc_now()
    with Project.open(project_dir) as p:
        first = p.proposals(7)[0].id
        p.set_status(first, "accepted")
        p.set_status(first, "pending")  # undone
        p.add_proposals([Proposal(frame=30, pid=7, box=(0, 0, 4, 4), mask=_mask(1), source="parent", score=0.9)])
        p.set_status(next(q.id for q in p.proposals(7) if q.frame == 30), "rejected")
    assert _changed(project_dir, {7: (at, None)}) == {}
    assert _changed(project_dir, {7: (at, 0.0)}) == {}


def test_at_the_threshold_and_proposed_again(project_dir):
    """A pending proposal scored exactly x counted under score>=x; one that counted, proposed again (its mask
    replaced, its score now under x), changed; proposed again under reviewed, nothing did."""
    from humanseg_core.project.runs import utc_now

    at = utc_now()
    with Project.open(project_dir) as p:
        p.set_status(next(q.id for q in p.proposals(7) if q.frame == 10), "rejected")  # scored 0.5: taken at 0.5
    assert _changed(project_dir, {7: (at, 0.5)})[7][0] == 1
    assert _changed(project_dir, {7: (at, 0.51)}) == {}
    at = utc_now()
    with Project.open(project_dir) as p:  # frame 11 proposed again, scored 0.3 now
        p.add_proposals([Proposal(frame=11, pid=7, box=(0, 0, 4, 4), mask=_mask(9), source="bgs", score=0.3)])
    assert _changed(project_dir, {7: (at, 0.5)})[7][0] == 1
    assert _changed(project_dir, {7: (at, None)}) == {}


def test_a_blank_hand_label_is_no_label(project_dir):
    from humanseg_core.project.runs import utc_now
    from humanseg_core.records import HAND_SOURCE

    at = utc_now()
    with Project.open(project_dir) as p:
        p.add_proposals([Proposal(frame=12, pid=7, box=(0, 0, 4, 4), mask=np.zeros((H, W), bool),
                                  source=HAND_SOURCE, score=0.0)])
    assert _changed(project_dir, {7: (at, 0.0)}) == {}


def test_a_network_that_read_the_labels_before_the_change_still_asks_for_a_retrain(capsys, project_dir):
    """A newer network trained before the change (or a reused one, which keeps the stopped run's time) read the
    labels as they were: still "retrain"; an adopted checkpoint's time is unknown (it was recorded on open)."""
    from humanseg_core.project.runs import utc_now

    with Project.open(project_dir) as p:
        p.add_run(3, "osvos-lite", {"labels_at": utc_now()}, str(project_dir / "n3.pt"))  # before the change
        p.set_mask(p.proposals(3)[2].id, _mask(40))
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain"
    with Project.open(project_dir) as p:  # adopted on open after the change: when it trained is not known
        p.add_run(3, "osvos-lite", {"adopted": True}, str(project_dir / "a3.pt"))
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain"


def test_a_run_in_use_that_read_its_labels_while_training_counts_from_then(capsys, project_dir):
    """A change made while the network trained (after it read its labels, before its run was stored) is one
    it never saw: labels_at, not the run's creation."""
    from humanseg_core.project.runs import utc_now

    read = utc_now()
    with Project.open(project_dir) as p:
        p.set_mask(p.proposals(3)[2].id, _mask(40))  # while it trained
        p.save_results(3, p.add_run(3, "osvos-lite", {"labels_at": read}, str(project_dir / "n3.pt")), {10: _mask(4)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain"


def test_a_reused_network_keeps_the_time_its_stopped_run_read_the_labels(project_dir):
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_records import reuse_run

    with Project.open(project_dir) as p:
        old = p.runs(3)[0]
        old["params"] = {"labels_at": "2026-01-01T00:00:00.000000+00:00"}
        run = reuse_run(p, 3, SceneRunConfig(model="osvos-lite"), 5, old)
        assert next(r for r in p.runs(3) if r["id"] == run)["params"]["labels_at"] == old["params"]["labels_at"]
        old["params"] = {}  # a run before 6 Dec 17:00 UTC: its creation
        run = reuse_run(p, 3, SceneRunConfig(model="osvos-lite"), 5, old)
        assert next(r for r in p.runs(3) if r["id"] == run)["params"]["labels_at"] == old["created"]


def test_proposing_again_what_was_proposed_changes_nothing(project_dir):
    """A re-walk: `propose` again with the same output made every proposal "changed" (status read "retrain")."""
    from humanseg_core.project.runs import utc_now

    with Project.open(project_dir) as p:
        same = p.proposals(7)
        at = utc_now()
        p.add_proposals([Proposal(frame=q.frame, pid=7, box=q.box, mask=q.mask, source=q.source, score=q.score,
                                  distance=q.distance, flags=q.flags) for q in same])
    assert _changed(project_dir, {7: (at, 0.0)}) == {}
    with Project.open(project_dir) as p:  # one mask otherwise: a change
        q = same[0]
        p.add_proposals([Proposal(frame=q.frame, pid=7, box=q.box, mask=~q.mask, source=q.source, score=q.score,
                                  distance=q.distance, flags=q.flags)])
    assert _changed(project_dir, {7: (at, 0.0)})[7][0] == 1


def test_the_table_marks_whom_status_sends_to_retrain_not_a_run_to_finish_first(capsys, project_dir):
    """An audit: the Persons table's '*' showed beside a person whose newest run had stopped part-way (status:
    finish)."""
    from humanseg_core.workflows.label_changes import retrain_due
    from humanseg_core.workflows.project_status import person_status

    with Project.open(project_dir) as p:
        p.set_mask(p.proposals(3)[2].id, _mask(40))
        changed: dict = {}
        person_status(p, changed=changed)
        assert retrain_due(p, changed) == {3: 1}
        stopped = p.add_run(3, "osvos-parent", {"scene_run": True}, str(project_dir / "n3.pt"))
        p.save_results(3, stopped, {10: _mask(2)})  # part-way: no segmented_frames
        p.set_mask(p.proposals(3)[3].id, _mask(41))  # changed after it read them
        changed = {}
        person_status(p, changed=changed)
        assert changed[3][0] == 2 and retrain_due(p, changed) == {}  # (the run in use: the whole one)
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "finish"


def test_a_label_taken_away_is_in_no_export(capsys, project_dir, tmp_path):
    """A review: a label rejected after the run, then an export of the labels: "exported", though the results still
    came from a network that had trained on it."""
    with Project.open(project_dir) as p:
        p.set_status(p.proposals(3)[3].id, "rejected")
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "davis",
                            "--source", "any", "--out", tmp_path / "out")
    assert code == 0
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "retrain"
    from humanseg_core.workflows.project_status import person_status

    with Project.open(project_dir) as p:
        changed: dict = {}
        person_status(p, changed=changed)
        assert changed[3][3] is True  # taken away


def test_segment_says_when_the_newer_network_took_fewer_labels(capsys, project_dir):
    """A re-walk: after a change, `train` took 3 masks where the run in use had taken 23; status said "segment"."""
    from humanseg_core.project.runs import utc_now

    with Project.open(project_dir) as p:
        ids = [q.id for q in p.proposals(7)]
        p.set_statuses(ids[:2], "accepted")
        p.save_results(7, p.add_run(7, "osvos-parent", {"accept": "all", "labels": 6, "labels_at": utc_now()},
                                    str(project_dir / "n7.pt")), {10: _mask(5)})
        p.set_status(ids[5], "rejected")
        p.add_run(7, "osvos-parent", {"accepted_masks": 2, "labels_at": utc_now()}, str(project_dir / "t7.pt"))
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["7"]["next"] == "segment"
    line = next(s for s in doc["next_steps"] if s.startswith("person 7: segment"))
    assert line.endswith("; person 7's newest network trained on 2 labels, the run in use on 6 (humanseg run "
                         f"--project {project_dir} --pids 7 --accept all --out DIR trains on those again)")
