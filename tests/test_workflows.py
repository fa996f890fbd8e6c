"""The workflow jobs shared by the CLI and the studio: one checkpoint naming scheme, runs that store their
train / hold-out frames and threshold, proposals stored in one place, nothing stored when cancelled."""

import re
from types import SimpleNamespace

import numpy as np
import pytest
from test_osvos_checkpoint import _tiny_project

from humanseg_core import workflows
from humanseg_core.errors import Cancelled, HumansegError
from humanseg_core.jobs import CancelToken, Progress, run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.project import Project
from humanseg_core.records import Proposal
from humanseg_core.workflows import ProposeConfig, SegmentConfig, propose_into, segment_person, train_person

NAME = re.compile(r"^pid1_osvos-lite_\d{8}-\d{6}\.pt$")


def test_train_then_segment_store_everything_the_quality_panel_needs(tmp_path):
    folder, masks = _tiny_project(tmp_path)
    with Project.open(folder) as project:
        done = run_job(train_person(project, 1, TrainConfig(steps=1, holdout=1, allow_download=False)))
        run = project.runs(1)[-1]
        assert run["id"] == done.run_id and NAME.match(run["checkpoint"].rsplit("/", 1)[-1])
        params, metrics = run["params"], run["metrics"]
        assert len(params["holdout_frames"]) == 1 and len(params["train_frames"]) == 2
        assert sorted(params["holdout_frames"] + params["train_frames"]) == [0, 2, 4]
        assert 0.0 < metrics["threshold"] < 1.0 and metrics["from_scratch"] is True and metrics["steps"] == 1
        assert params["model"] == "osvos-lite" and params["steps"] == 1 and params["accepted_masks"] == 3
        assert params["labels_at"] < run["created"]  # when it read them (ADR 0044)
        second = run_job(train_person(project, 1, TrainConfig(steps=1, allow_download=False)))
        assert second.checkpoint != done.checkpoint  # never overwrites a checkpoint, even within a second
        seg = run_job(segment_person(project, 1, done.run_id, SegmentConfig(first=1, last=3)))
        assert seg.run_id == done.run_id and sorted(seg.masks) == [1, 2, 3]
        assert sorted(project.results(1, done.run_id)) == [1, 2, 3]
        with pytest.raises(HumansegError, match="no frame of the video"):
            run_job(segment_person(project, 1, None, SegmentConfig(first=100, last=200)))
        with pytest.raises(HumansegError, match="no training run 999"):
            run_job(segment_person(project, 1, 999, SegmentConfig()))


def test_a_cancelled_training_records_no_run(tmp_path):
    folder, _ = _tiny_project(tmp_path)
    token = CancelToken()

    def stop(p):
        if p.data.get("step") == 1:
            token.cancel()

    with Project.open(folder) as project:
        with pytest.raises(Cancelled):
            run_job(train_person(project, 1, TrainConfig(steps=50, allow_download=False), token), stop)
        assert project.runs(1) == []


def _fake_generate(calls):
    def generate(scene, pids, method, cancel=None, **kw):
        calls.append(kw)
        yield Progress(1, 2, "frame 0")
        if cancel is not None:
            cancel.raise_if_cancelled()
        box = (0, 0, 4, 4)
        mask = np.zeros((120, 160), bool)
        mask[:4, :4] = True
        return [Proposal(frame=0, pid=p, box=box, mask=mask, source="bgs:fake") for p in pids], []

    return generate


def test_propose_into_stores_with_the_projects_anchor_and_nothing_when_cancelled(tmp_path):
    folder, _ = _tiny_project(tmp_path)
    calls = []
    with Project.open(folder) as project:
        token = CancelToken()
        job = propose_into(project, [1], ProposeConfig(), token, generate=_fake_generate(calls))
        next(job)
        token.cancel()
        with pytest.raises(Cancelled):
            run_job(job)
        assert [p for p in project.proposals(1) if p.source == "bgs:fake"] == []
        done = run_job(propose_into(project, [1], ProposeConfig(threshold_px=25), generate=_fake_generate(calls)))
        assert (done.proposals, done.skips, done.persons) == (1, 0, 1)
        assert [p.frame for p in project.proposals(1) if p.source == "bgs:fake"] == [0]
        assert calls[-1]["anchor"] == project.inputs.anchor and calls[-1]["threshold_px"] == 25
        assert calls[-1]["project"] is project


def test_the_cli_and_the_studio_call_the_same_workflows(tmp_path, monkeypatch):
    """Both sides go through humanseg_core.workflows (a stand-in records the calls)."""
    from humanseg_core.cli import main

    seen = []

    def fake_train(project, pid, config, cancel=None, **kw):
        seen.append(("train", pid, config.steps))
        raise HumansegError("stand-in")
        yield  # a generator

    def fake_segment(project, pid, run_id, config, cancel=None, **kw):
        seen.append(("segment", pid, config.first, config.last))
        raise HumansegError("stand-in")
        yield

    monkeypatch.setattr(workflows, "train_person", fake_train)
    monkeypatch.setattr(workflows, "segment_person", fake_segment)
    folder, _ = _tiny_project(tmp_path)
    assert main(["train", "--project", str(folder), "--pid", "1", "--steps", "4", "--offline"]) == 2
    assert main(["segment", "--project", str(folder), "--pid", "1", "--out", str(tmp_path / "m"),
                 "--frames", "2:5"]) == 2
    pytest.importorskip("PySide6")
    from app.segmentation.install import SegmentationController

    c = SimpleNamespace(project=None, scene=None)  # only the controller's job factories are exercised
    params = {"pid": 1, "model": "osvos-lite", "steps": 4, "seconds": None, "guidance": True, "holdout": 0,
              "resume": None}
    with pytest.raises(HumansegError):
        run_job(SegmentationController.train_job(c, params, None))
    with pytest.raises(HumansegError):
        run_job(SegmentationController.segment_job(c, {"pid": 1, "run": {"id": 1}, "first": 2, "last": 4}, None))
    assert seen == [("train", 1, 4), ("segment", 1, 2, 4), ("train", 1, 4), ("segment", 1, 2, 4)]


def test_a_person_placed_anew_keeps_no_pending_proposal_of_its_old_placement(tmp_path):
    """A re-walk moved person 55 in the trajectory file: proposed again, it got 11 new proposals, and on the 12 frames
    the new placement skipped its old placement's pending proposals stayed; the next run trained on them."""
    folder, _ = _tiny_project(tmp_path)
    mask = np.zeros((120, 160), bool)
    mask[:4, :4] = True
    with Project.open(folder) as project:
        run_job(propose_into(project, [1], ProposeConfig(), generate=_fake_generate([])))  # frame 0, recorded
        project.add_proposals([Proposal(frame=f, pid=1, box=(0, 0, 4, 4), mask=mask, source="bgs:fake")
                               for f in (1, 3)])  # more of the old placement's, pending
        undone = next(p for p in project.proposals(1) if p.frame == 3)
        project.set_status(undone.id, "rejected")
        project.set_status(undone.id, "pending")  # decided once, then undone: the analyst's history, kept
        again = run_job(propose_into(project, [1], ProposeConfig(), generate=_fake_generate([])))
        assert again.proposals == 1 and {p.frame for p in project.proposals(1) if p.source == "bgs:fake"} == {0, 1, 3}
        traj = tmp_path / "traj.txt"  # the person's rows changed: placed anew
        traj.write_text(traj.read_text().replace("\t1\t", "\t1\t1", 1))
        run_job(propose_into(project, [1], ProposeConfig(), generate=_fake_generate([])))
        assert {p.frame for p in project.proposals(1) if p.source == "bgs:fake"} == {0, 3}  # 1 gone
        assert {p.frame: p.status for p in project.proposals(1) if p.source == "bgs:test"} == {
            0: "accepted", 2: "accepted", 4: "accepted"}  # the analyst's decisions stay
