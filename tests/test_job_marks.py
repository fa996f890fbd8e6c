"""A job is seen at work on its persons from its start, not once it has stored its first run (a session's note:
while a `run` proposed and trained its first person, a second `run`, `segment` and `status` said nothing)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess

import pytest
from scene_run_setup import config as _config
from scene_run_setup import inputs

from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.project.job_marks import JOBS_DIR, job_mark, jobs_at_work
from humanseg_core.project.lock import _started


@pytest.fixture
def other():
    """A live process of another program's, as a job of another terminal would be."""
    proc = subprocess.Popen(["sleep", "60"])
    yield {"pid": proc.pid, "host": socket.gethostname(), "started": _started(proc.pid)}
    proc.kill()
    proc.wait()


def _mark_of(folder, process, pids, what="run", name="x.json"):
    where = folder / JOBS_DIR
    where.mkdir(exist_ok=True)
    (where / name).write_text(json.dumps({"what": what, "pids": pids, "process": process}), encoding="utf-8")
    return where / name


def test_a_mark_lasts_while_its_job_runs_and_is_seen_by_other_processes_only(tmp_path, other):
    with job_mark(tmp_path, [3, 7]) as path:
        assert path is not None and json.loads(path.read_text())["pids"] == [3, 7]
        assert jobs_at_work(tmp_path) == []  # this process's own: not another's (the studio's own jobs)
    assert not path.exists()
    with pytest.raises(RuntimeError), job_mark(tmp_path, [3]) as path:
        raise RuntimeError("failed")
    assert not path.exists()  # however it ends
    _mark_of(tmp_path, other, [4, 5], "training")
    (seen,) = jobs_at_work(tmp_path)
    assert seen.pids == {4, 5} and seen.what == "training" and f"(process {other['pid']})" in seen.text()


def test_a_killed_jobs_mark_is_ignored_and_removed_by_the_next_job(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = _mark_of(tmp_path, {"pid": gone.pid, "host": socket.gethostname()}, [3])
    damaged = tmp_path / JOBS_DIR / "damaged.json"
    damaged.write_text("{not json", encoding="utf-8")
    assert jobs_at_work(tmp_path) == []
    with job_mark(tmp_path, [9]):
        assert not stale.exists()
    assert damaged.exists()  # not a mark it can read, and new: maybe another's being written, left alone
    left = tmp_path / JOBS_DIR / "h-1-1.tmp"
    left.write_text('{"what": "run", "pids": [1', encoding="utf-8")  # a job killed as it wrote its mark
    for path in (damaged, left):
        os.utime(path, (1e9, 1e9))
    with job_mark(tmp_path, [9]):
        assert not damaged.exists() and not left.exists()  # a minute old: debris (a walk found them kept)


def test_a_folder_that_cannot_be_written_goes_without_marks(tmp_path):
    (tmp_path / JOBS_DIR).write_text("a file where the folder would be")
    with job_mark(tmp_path, [3]) as path:
        assert path is None


def test_status_and_a_second_command_see_a_job_that_has_stored_no_run_yet(tmp_path, other, small_demo, capsys):
    from fakes import run_cli

    from humanseg_core.workflows.at_work import at_work_text

    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        _mark_of(p.folder, other, [1, 2])
        said = at_work_text(p, [2, 5])
    assert said == (f"person 2: a run of another window or command (process {other['pid']}) is at work on it; this "
                    "works beside it, and both store their own runs (wait for it to end, or cancel it, to avoid two)")
    code, doc, _err = run_cli(capsys, "status", "--project", tmp_path / "proj")
    assert code == 0 and {doc["persons"][p]["next"] for p in ("1", "2")} == {"wait"}  # no proposal of theirs yet


def test_a_whole_scene_run_marks_its_persons_before_it_proposes(tmp_path, small_demo, one_thread):
    from humanseg_core.workflows.scene_run import scene_run_job

    shutil.copytree(small_demo, tmp_path / "demo")
    with Project.create(tmp_path / "proj", inputs(tmp_path / "demo")) as p:
        job = scene_run_job(p, _config())
        seen = None
        for report in job:
            assert isinstance(report, Progress)
            if report.data.get("stage") == "propose":
                seen = [json.loads(f.read_text()) for f in (p.folder / JOBS_DIR).glob("*.json")]
                job.close()  # cancelled there: its mark goes with it
                break
        assert seen and seen[0]["pids"] == [1, 2] and seen[0]["process"]["pid"] == os.getpid()
        assert list((p.folder / JOBS_DIR).glob("*.json")) == []


def test_training_one_person_marks_it_while_it_trains(tmp_path, small_demo, monkeypatch):
    import numpy as np

    import humanseg_core.osvos.train as train
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.records import Proposal
    from humanseg_core.workflows.person import train_person

    seen = []

    def training(*_a, **_k):
        seen.extend(json.loads(f.read_text()) for f in (tmp_path / "proj" / JOBS_DIR).glob("*.json"))
        raise Cancelled()
        yield  # a job

    monkeypatch.setattr(train, "train_job", training)
    mask = np.zeros((288, 360), bool)
    mask[100:150, 100:120] = True
    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        p.add_proposals([Proposal(frame=0, pid=1, box=(100, 100, 20, 50), mask=mask, source="bgs", score=0.9)])
        p.set_statuses([q.id for q in p.proposals(1)], "accepted")
        with pytest.raises(Cancelled):
            run_job(train_person(p, 1, TrainConfig(model="osvos-lite")))
    assert [(s["what"], s["pids"]) for s in seen] == [("training", [1])]
    assert list((tmp_path / "proj" / JOBS_DIR).glob("*.json")) == []


def test_proposals_being_made_mark_their_persons(tmp_path, small_demo, other):
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows import ProposeConfig, propose_into
    from humanseg_core.workflows.at_work import at_work_text

    seen = []

    def generate(scene, pids, **_kw):
        seen.extend(json.loads(f.read_text()) for f in (tmp_path / "proj" / JOBS_DIR).glob("*.json"))
        return [], []
        yield  # a job

    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        run_job(propose_into(p, [1, 2], ProposeConfig(), generate=generate))
        assert [(s["what"], s["pids"]) for s in seen] == [("proposals", [1, 2])]
        assert list((p.folder / JOBS_DIR).glob("*.json")) == []
        _mark_of(p.folder, other, [2], "proposals")
        assert at_work_text(p, [2]).startswith(f"person 2: a proposal job of another window or command (process "
                                               f"{other['pid']}) is at work on it")


def test_propose_and_train_on_persons_another_job_works_on_say_so(tmp_path, small_demo, other, capsys):
    from fakes import run_cli

    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        _mark_of(p.folder, other, [1], "training")
    code, _doc, err = run_cli(capsys, "propose", "--project", tmp_path / "proj", "--pids", "1", "--method", "bgs")
    assert code == 0 and f"humanseg: warning: person 1: a training job of another window or command (process " \
                         f"{other['pid']}) is at work on it" in err
    code, _doc, err = run_cli(capsys, "train", "--project", tmp_path / "proj", "--pid", "1", "--steps", "1")
    assert "humanseg: warning: person 1: a training job of another window or command" in err


def test_persons_the_marking_job_has_finished_wait_no_more(tmp_path, small_demo, other, capsys):
    """A review: a long run's persons read "wait" until it ended, those it had finished and stored too."""
    from fakes import run_cli

    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        _mark_of(p.folder, other, [1, 2])
        (p.folder / "n1.pt").write_bytes(b"a network")
        p.add_run(1, "osvos-parent", {"scene_run": True}, str(p.folder / "n1.pt"),
                  {"process": other, "segmented_frames": 21})  # whole, stored by the marking process
        p.add_run(2, "osvos-parent", {"scene_run": True}, str(p.folder / "n1.pt"),
                  {"process": {**other, "pid": 1}})  # another process's, not whole
    code, doc, _err = run_cli(capsys, "status", "--project", tmp_path / "proj", "--pids", "1,2")
    assert code == 0 and doc["persons"]["1"]["next"] != "wait" and doc["persons"]["2"]["next"] == "wait"


def test_a_mark_of_another_machine_says_where_and_how_to_end_it(tmp_path):
    path = _mark_of(tmp_path, {"pid": 4242, "host": "render-node-7"}, [3])
    (seen,) = jobs_at_work(tmp_path)  # (another machine's process cannot be checked: taken as at work)
    assert seen.text() == f"a run of another window or command (process 4242 on render-node-7; if that job is gone, " \
                          f"delete {path})"


def test_a_run_keeping_trained_persons_marks_only_those_it_works_on(local_run, tmp_path):
    from humanseg_core.workflows.scene_run import scene_run_job

    shutil.copytree(local_run[0] / "proj", tmp_path / "proj")
    with Project.open(tmp_path / "proj") as p:
        job = scene_run_job(p, _config(pids=(1, 2, 3), keep_trained=True))
        for report in job:
            if report.data.get("stage") == "propose":
                seen = [json.loads(f.read_text())["pids"] for f in (p.folder / JOBS_DIR).glob("*.json")]
                job.close()
                break
    assert seen == [[3]]  # persons 1 and 2 keep their results (a review: they read "wait")


def test_one_person_segmented_marks_it_and_a_segment_of_a_run_at_work_is_refused_without_a_warning(
        local_run, tmp_path, monkeypatch, capsys, other):
    """A walk: a standalone `segment` left no mark (status said "export" while it replaced results); a `segment` of
    a run at work said "this works beside it" and then refused."""
    from fakes import run_cli

    import humanseg_core.workflows.person as person

    shutil.copytree(local_run[0] / "proj", tmp_path / "proj")
    seen = []
    real = person.record_agreement

    def measured(project, *a, **k):  # after its results are stored (a review: the mark had gone before)
        seen.extend(json.loads(f.read_text()) for f in (project.folder / JOBS_DIR).glob("*.json"))
        return real(project, *a, **k)

    monkeypatch.setattr(person, "record_agreement", measured)
    code, _doc, _err = run_cli(capsys, "segment", "--project", tmp_path / "proj", "--pid", 1, "--frames", "0:3",
                               "--refine", "none", "--out", tmp_path / "seg")
    assert code == 0 and [(s["what"], s["pids"]) for s in seen] == [("segmentation", [1])]
    with Project.open(tmp_path / "proj") as p:
        p.add_run(1, "osvos-parent", {"scene_run": True}, str(tmp_path / "proj" / "x.pt"), {"process": other})
    code, _doc, err = run_cli(capsys, "segment", "--project", tmp_path / "proj", "--pid", 1, "--out", tmp_path / "s2")
    assert code == 2 and "is still at work in another window or command" in err and "works beside it" not in err


def test_an_export_while_a_run_is_at_work_says_so_and_not_to_segment_that_run(local_run, tmp_path, capsys, other):
    """A walk exported while a run segmented its persons: told to `segment --run 9`, the run at work that moment."""
    import numpy as np
    from fakes import run_cli

    from humanseg_core.records import Proposal

    shutil.copytree(local_run[0] / "proj", tmp_path / "proj")
    (tmp_path / "proj" / "x.pt").write_bytes(b"a network")
    with Project.open(tmp_path / "proj") as p:
        run = p.add_run(1, "osvos-parent", {"scene_run": True}, str(tmp_path / "proj" / "x.pt"), {"process": other})
    code, doc, err = run_cli(capsys, "export", "--project", tmp_path / "proj", "--pids", "1", "--format", "palette",
                             "--source", "results", "--out", tmp_path / "e")
    assert code == 0 and f"person 1: run {run} of another window or command is at work on it; the export holds " \
                         "what was stored before it" in err
    assert f"--run {run}" not in err
    with Project.open(tmp_path / "proj") as p:  # a person with no results yet, its run at work: no advice either
        fresh = p.add_run(5, "osvos-parent", {"scene_run": True}, str(tmp_path / "proj" / "x.pt"),
                          {"process": other})
        p.add_proposals([Proposal(frame=3, pid=5, box=(0, 0, 4, 4), mask=np.ones((288, 360), bool), source="bgs")])
    code, doc, err = run_cli(capsys, "export", "--project", tmp_path / "proj", "--pids", "1,5", "--format",
                             "palette", "--source", "results", "--out", tmp_path / "e2")
    assert doc["trained_not_segmented"] == {"5": fresh} and f"--run {fresh}" not in err and f"run {fresh}" in err
