"""Other inputs, another project or Close Project never close the project's store under a running job
(training, proposals, a whole-scene run): the studio asks, then cancels the job and waits (bounded), or keeps
the project and what is open."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app import worker as worker_mod
from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs


@pytest.fixture
def studio(window, scene_dir, tmp_path):
    from app.panels import install_panels

    install_panels(window)
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    assert window.review.open_project(str(tmp_path / "proj"))
    window.ask_quit = lambda names: True  # closing the window after a test cancels what still runs
    return window


def _other_inputs(scene_dir, tmp_path) -> ProjectInputs:
    other = tmp_path / "other.txt"  # the same video, persons 7 and 8 only
    other.write_text("0\t7\t2.0\t3.0\n10\t7\t2.5\t3.0\n10\t8\t8.0\t6.0\n20\t8\t8.5\t6.0\n")
    return ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(other), homography=str(scene_dir / "H.txt"))


def _slow_scene_job(log: dict, step_s: float = 0.01):
    """A whole-scene job that reads the store at every step until cancelled; its cleanup reads it too."""

    def job(project, config, cancel):
        log["started"].set()
        try:
            while True:
                cancel.raise_if_cancelled()
                project.counts()  # sqlite: fails once the store is closed
                time.sleep(step_s)
                yield Progress(0, 2, "training", data={"stage": "train", "pid": 1, "step": 1, "steps": 0})
        finally:
            try:
                project.counts()
                log["cleanup"] = "store open"
            except Exception as exc:  # noqa: BLE001  (what the test looks at)
                log["cleanup"] = f"store closed: {exc}"

    return job


def _start_scene_run(studio, monkeypatch, step_s: float = 0.01) -> tuple[dict, object]:
    from humanseg_core.workflows import scene_run

    log = {"started": threading.Event(), "cleanup": None}
    monkeypatch.setattr(scene_run, "scene_run_job", _slow_scene_job(log, step_s))
    studio.scene_run.start()
    assert log["started"].wait(5)
    return log, studio.scene_run._worker


def test_other_inputs_during_a_whole_scene_run_ask_and_keep_the_project(studio, scene_dir, tmp_path, monkeypatch):
    project = studio.review.project
    log, w = _start_scene_run(studio, monkeypatch)
    asked = []
    studio.review.ask_stop_jobs = lambda jobs, action: asked.append((jobs, action)) or False  # keep it
    assert not studio.open_inputs(_other_inputs(scene_dir, tmp_path))
    assert asked == [(["Whole scene"], "Opening other inputs")]
    assert studio.review.project is project and studio.scene.pids == [1, 2, 3]  # nothing changed
    assert w.running and not w.token.cancelled
    assert project.counts() is not None  # the store is open
    assert studio.inputs.trajectories.endswith("trajectories.txt")
    assert "kept open" in studio.statusBar().currentMessage()


def test_other_inputs_cancel_the_job_and_wait_before_closing_the_store(studio, scene_dir, tmp_path, monkeypatch,
                                                                       qtbot):
    log, w = _start_scene_run(studio, monkeypatch)
    studio.review.ask_stop_jobs = lambda jobs, action: True  # cancel the job and go on
    assert studio.open_inputs(_other_inputs(scene_dir, tmp_path))
    assert w.token.cancelled and w._ended.is_set()
    assert log["cleanup"] == "store open"  # the job ended before the store closed
    assert studio.review.project is None and studio.scene.pids == [7, 8]
    # every job on the project ended; the new inputs' own homography check (no project) may run on
    assert worker_mod.running_workers(project_only=True) == []
    assert all(w.name == "Homography check" for w in worker_mod.running_workers())
    from app.scene_panel import NO_PROJECT

    panel = studio.scene_run  # its job's last signals arrive after the project closed: it says so
    qtbot.waitUntil(lambda: panel.status.text().startswith("Cancelled") and NO_PROJECT in panel.status.text())
    assert not panel.run_button.isEnabled()


def test_a_job_slow_to_stop_is_waited_for_without_holding_the_window(studio, scene_dir, tmp_path, monkeypatch,
                                                                      qtbot):
    """A stall audit: the GUI thread waited up to 5 s for a cancelled training to reach its next cancel check. It now
    waits a moment; the window stays live while a timer waits, and the other inputs open once the job has ended."""
    project = studio.review.project
    log, w = _start_scene_run(studio, monkeypatch, step_s=0.6)  # checks its cancel token every 0.6 s
    studio.review.ask_stop_jobs = lambda jobs, action: True
    assert not studio.open_inputs(_other_inputs(scene_dir, tmp_path))  # not yet: at once, without waiting it out
    assert studio.review.project is project and w.token.cancelled and not w._ended.is_set()
    assert "Waiting for the whole scene to stop" in studio.statusBar().currentMessage()
    qtbot.waitUntil(lambda: studio.review.project is None, timeout=5000)
    assert log["cleanup"] == "store open" and studio.scene.pids == [7, 8]  # it ended on an open store


def test_a_job_that_does_not_stop_in_time_keeps_the_project(studio, scene_dir, tmp_path, monkeypatch, qtbot):
    from app.review import close_after_jobs

    monkeypatch.setattr(close_after_jobs, "GIVE_UP_S", 0.3)
    project = studio.review.project
    log, w = _start_scene_run(studio, monkeypatch, step_s=1.5)
    studio.review.ask_stop_jobs = lambda jobs, action: True
    studio.review.close_project()
    qtbot.waitUntil(lambda: "stays open" in studio.statusBar().currentMessage(), timeout=5000)
    assert studio.review.project is project and w.token.cancelled
    assert w.wait(5) and log["cleanup"] == "store open"
    qtbot.wait(300)
    assert studio.review.project is project  # given up: the close does not happen behind the analyst's back


def test_close_and_open_project_during_proposals_ask(studio, tmp_path, qtbot):
    """Generate (the Proposals job) counts too; Close Project and Open Project ask like other inputs."""
    go = threading.Event()

    def generate(scene, pids, method, cancel=None, **kw):
        while not go.is_set():
            cancel.raise_if_cancelled()
            time.sleep(0.01)
            yield Progress(0, 4, "frame 0", data={"frame": 0})
        return [], []

    from app.review.generate_dialog import GenerateDialog

    project = studio.review.project
    dlg = GenerateDialog(studio.scene, project, selected_pid=1, parent=studio, generate=generate)
    qtbot.addWidget(dlg)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.running and dlg.worker is not None, timeout=5000)
    w = dlg.worker
    asked = []
    studio.review.ask_stop_jobs = lambda jobs, action: asked.append((jobs, action)) or False
    studio.review.close_project()
    assert studio.review.project is project and dlg.running
    assert not studio.review.open_project(str(tmp_path / "proj"))
    assert studio.review.project is project and project.counts() is not None
    assert asked == [(["Proposals"], "Closing the project"), (["Proposals"], "Opening another project")]
    studio.review.ask_stop_jobs = lambda jobs, action: True
    studio.review.close_project()
    assert studio.review.project is None and w.token.cancelled and w._ended.is_set()
    # said, not "Waiting for the proposals to stop…" left on (a walk)
    assert studio.statusBar().currentMessage().startswith("Project proj closed")
    assert worker_mod.running_workers(project_only=True) == []  # (the inputs' homography check may run on)
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)  # the dialog hears of it, on a closed project


def test_a_whole_scene_run_waits_for_an_unsaved_mask_edit(studio, monkeypatch):
    """A walk started Whole scene with 'Save mask *' still showing in Review: the run went on without a word of
    the edit. The strokes are saved or discarded as the analyst answers first; Cancel keeps the edit, no run."""
    from humanseg_core.workflows import scene_run

    started = []
    monkeypatch.setattr(scene_run, "scene_run_job", lambda *a, **k: started.append(1))
    answers = []
    studio.review.panel.finish_edit = lambda: answers.append("asked") and False  # the analyst cancels
    monkeypatch.setattr(type(studio.review.panel.editor), "dirty", property(lambda _self: True))  # strokes
    studio.scene_run.start()
    assert answers == ["asked"] and not started and studio.scene_run._worker is None
    assert "mask edit in Review stays open" in studio.scene_run.status.text()


def test_a_job_closing_asks_nothing_of_is_waited_for_too(studio, qtbot):
    """A review: a job the close does not ask about (thumbnails, a ranking) taking a second to stop had the close
    refused at once ("still stopping"), since only jobs asked about were waited for."""
    from app.worker import JobWorker
    from humanseg_core.errors import Cancelled

    started = threading.Event()

    def job(cancel):
        started.set()
        while not cancel.cancelled:
            time.sleep(0.01)
            yield Progress(0, 1, "thumbnails")
        time.sleep(0.8)  # finishing the step it was in
        raise Cancelled()

    JobWorker(job, name="Thumbnails", parent=studio).start()
    assert started.wait(5)
    studio.review.close_project()
    assert "Waiting for the thumbnails to stop" in studio.statusBar().currentMessage()
    qtbot.waitUntil(lambda: studio.review.project is None, timeout=5000)
    assert studio.statusBar().currentMessage().startswith("Project proj closed")
