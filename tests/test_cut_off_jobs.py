"""A job cut off by a kill is said when the project opens next (a walk killed the studio in the middle of a
training: on reopening nothing said so, and the training's empty checkpoint claim stayed for a day)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest
from test_job_marks import other  # noqa: F401  (a live process of another program: a fixture)

from humanseg_core.project import Project
from humanseg_core.project.job_marks import JOBS_DIR
from humanseg_core.project.lock import _started
from humanseg_core.records import ProjectInputs


@pytest.fixture
def gone():
    """A process that has ended, as a killed studio's would be."""
    proc = subprocess.Popen(["sleep", "0"])
    started = _started(proc.pid)
    proc.wait()
    return {"pid": proc.pid, "host": socket.gethostname(), "started": started}


def _mark(folder, name, what, pids, process, at):
    where = folder / JOBS_DIR
    where.mkdir(exist_ok=True)
    path = where / name
    path.write_text(json.dumps({"what": what, "pids": pids, "process": process}), encoding="utf-8")
    os.utime(path, (at, at))
    return path


def _claim(folder, name, at, data=b""):
    path = folder / "checkpoints" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (at, at))
    return path


def test_a_killed_training_is_said_once_and_its_empty_claim_goes(tmp_path, gone, other):  # noqa: F811
    Project.create(tmp_path / "p", ProjectInputs(video=str(tmp_path / "v"), trajectories=str(tmp_path / "t"))).close()
    folder = tmp_path / "p"
    start = time.time() - 120
    killed = _mark(folder, "a.json", "training", [238], gone, start)
    claim = _claim(folder, "pid238_osvos-parent_20261208-015457.pt", start - 1)  # claimed before the mark
    later = _claim(folder, "pid238_osvos-parent_20261208-015600.pt", start + 30)  # a later training's claim
    saved = _claim(folder, "pid238_osvos-parent_20261208-010000.pt", start - 600, b"weights")
    working = _mark(folder, "b.json", "run", [1, 2], other, start)
    project = Project.open(folder)
    try:
        said = [w for w in project.warnings if "did not finish" in w]
    finally:
        project.close()
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(start))
    assert said == [f"a training of person 238 (process {gone['pid']}, started {when}) did not finish: its window "
                    "or command was closed or killed; nothing of it was stored: train again"]
    assert not killed.exists() and not claim.exists()
    assert later.exists() and saved.read_bytes() == b"weights" and working.exists()  # others' work untouched
    project = Project.open(folder)
    try:
        assert not [w for w in project.warnings if "did not finish" in w]  # said once
    finally:
        project.close()


def test_a_killed_run_says_its_persons_and_that_its_stored_work_stays(tmp_path, gone):
    Project.create(tmp_path / "p", ProjectInputs(video=str(tmp_path / "v"), trajectories=str(tmp_path / "t"))).close()
    _mark(tmp_path / "p", "a.json", "run", list(range(1, 11)), gone, time.time())
    project = Project.open(tmp_path / "p")
    try:
        said = [w for w in project.warnings if "did not finish" in w]
    finally:
        project.close()
    assert len(said) == 1 and said[0].startswith("a whole-scene run of persons 1, 2, 3, 4, 5, 6, 7, 8 and 2 more")
    assert said[0].endswith("what it had stored before stays")
