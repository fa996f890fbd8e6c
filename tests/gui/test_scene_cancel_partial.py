"""A Whole scene run cancelled while segmenting says which persons now have partial results, and which keep the
results they had (ADR 0011: a run cut short is used only by a person without other results).

Walk: demo, persons 1,2 had complete results (190 frames, runs 11 and 12); Whole scene on 1,2 again
(retrain), Cancel at frame 90: the new runs 14 and 15 kept the 69 frames stored so far and became the runs
Play and Export use, while the panel said only "Cancelled: the results stored so far are kept" and the rows
"segmented 91 frames", as if nothing had changed for those persons.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.errors import Cancelled
from humanseg_core.jobs import Progress


@pytest.fixture
def project(scene_project):
    return scene_project


def _fake_job(mask, complete):
    """A scene job that stores 3 frames for persons 1 and 2 and segments until cancelled; the persons of
    ``complete`` had reached the end of their spans."""

    def fake_job(project, config, cancel):
        runs = {pid: project.add_run(pid, "osvos-parent", params={"scene_run": True}) for pid in (1, 2)}
        yield Progress(0, 2, "2 persons to train", data={"stage": "train", "pids": [1, 2]})
        for pid, run in runs.items():
            project.save_results(pid, run, {0: mask, 1: mask, 2: mask})
        while not cancel.cancelled:
            yield Progress(3, 10, "frame 3", data={"stage": "segment", "person_frames": {1: 4, 2: 4}})
            time.sleep(0.01)
        for pid, run in runs.items():  # as the run job marks runs finished or cut short (scene_run)
            project.update_run(run, metrics={"segmented_frames": 3} if pid in complete else {"stopped": "cancelled"})
        raise Cancelled("cancelled by the user")

    return fake_job


def _cancelled_run(qtbot, project):
    """The Scene panel's run (the fake job), retraining, cancelled while segmenting; (panel, the newest run with
    results of each person)."""
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.ask_keep = lambda pids: "retrain"
    panel.start()
    qtbot.waitUntil(lambda: panel.state(1) == "segmenting: 4 frames so far", timeout=5000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled() and panel.status.text().startswith("Cancelled"), timeout=5000)
    return panel, project.newest_result_runs()


def test_a_cancel_while_segmenting_names_the_partial_results(qtbot, project, monkeypatch):
    from humanseg_core.workflows import scene_run

    mask = np.ones((8, 8), bool)
    earlier = project.add_run(1, "osvos-parent")
    project.save_results(1, earlier, {f: mask for f in range(10)})
    monkeypatch.setattr(scene_run, "scene_run_job", _fake_job(mask, complete=()))
    panel, now = _cancelled_run(qtbot, project)
    # a walk: the cancel put the partial run in Play and Export in place of the complete one; it keeps it now
    assert panel.state(1) == (f"cancelled while segmenting: 3 frames stored (run {now[1]}); Play and Export keep "
                              f"run {earlier}'s 10 frames (pick run {now[1]} in Play's Run box to see these)")
    assert project.result_runs() == {1: earlier, 2: now[2]}
    assert panel.state(2) == (f"cancelled while segmenting: 3 frames stored (run {now[2]}), now the newest, which "
                              "Play shows")  # nothing else to show
    assert panel.status.text() == ("Cancelled: the results stored so far are kept. Person 2 has partial "
                                   "results, now the newest, which Play shows: Segment tab (with the new network) "
                                   "completes it. Person 1 keeps its earlier results in Play and Export; the "
                                   "cancelled run's frames are in Play's Run box")


def test_a_cancel_before_segmenting_changes_nothing_said(qtbot, project, monkeypatch):
    from fakes import start_scene_job, wait_cancelled

    def fake_job(project, config, cancel):
        while not cancel.cancelled:
            yield Progress(0, 2, "person 7", data={"stage": "train", "pid": 7, "step": 1, "steps": 0})
            time.sleep(0.01)
        raise Cancelled("cancelled by the user")

    panel, _ = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: (panel.state(7) or "").startswith("training"), timeout=5000)
    panel.cancel()
    wait_cancelled(qtbot, panel)
    assert panel.status.text() == "Cancelled: the results stored so far are kept"
    assert panel.state(7) == "cancelled"


def test_a_long_state_reads_in_full_on_hover(qtbot):
    """At 1280x720 the state 'cancelled while segmenting: 69 frames stored (run 16), now used by Play …' was
    cut with an ellipsis and had no tooltip."""
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    long = ("cancelled while segmenting: 69 frames stored (run 16), now used by Play and Export; run 14's results "
            "stay in the project")
    panel._set_state(1, long)
    assert panel.table.item(0, 1).toolTip() == long


def test_a_person_finished_before_the_cancel_is_not_called_partial(qtbot, project, monkeypatch):
    from humanseg_core.workflows import scene_run

    monkeypatch.setattr(scene_run, "scene_run_job", _fake_job(np.ones((8, 8), bool), complete=(2,)))
    panel, now = _cancelled_run(qtbot, project)
    assert panel.state(2) == f"segmented 3 frames before the cancel (run {now[2]}, complete)"
    assert panel.status.text() == ("Cancelled: the results stored so far are kept. Person 1 has partial "
                                   "results, now the newest, which Play shows: Segment tab (with the new network) "
                                   "completes it")


def test_a_cancelled_run_shows_the_results_it_stored(qtbot, window, scene_dir, tmp_path, monkeypatch):
    """A walk cancelled a run that had stored two persons' results: "Show every person's result on the video"
    still counted the 5 persons shown before it."""
    from fakes import wait_cancelled

    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows import scene_run

    install_panels(window)
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    assert window.review.open_project(str(tmp_path / "proj"))
    panel = window.scene_run
    panel.show_all.setChecked(True)
    mask = np.zeros((240, 320), bool)
    mask[100:140, 50:70] = True
    monkeypatch.setattr(scene_run, "scene_run_job", _fake_job(mask, complete=()))
    panel.device.setCurrentText("cpu")
    project = window.review.project
    panel.start()
    try:
        qtbot.waitUntil(lambda: len(project.result_runs()) == 2, timeout=5000)
    finally:
        panel.cancel()
        wait_cancelled(qtbot, panel)
    assert panel.show_all.text().endswith("(2 persons)") and sorted(panel.overlay.pids) == [1, 2]
    window.review.close_project()



def test_the_agreement_of_persons_finished_before_the_cancel_is_measured_after_it(qtbot, project, monkeypatch):
    """A walk: persons segmented whole before a cancel read Agree "—" until the next run measured them."""
    from app.scene_panel import ScenePanel
    from humanseg_core.records import Proposal
    from humanseg_core.workflows import scene_run
    from humanseg_core.workflows.agreement import METRIC

    mask = np.zeros((8, 8), bool)
    mask[2:6, 2:6] = True
    label = np.zeros((8, 8), bool)
    label[2:6, 2:4] = True  # half the result: agreement 0.5
    for pid in (1, 2):
        project.add_proposals([Proposal(frame=1, pid=pid, box=(2, 2, 4, 6), mask=label, source="bgs",
                                        status="accepted")])
    monkeypatch.setattr(scene_run, "scene_run_job", _fake_job(mask, complete=(2,)))
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.ask_keep = lambda pids: "retrain"
    measured = []
    panel.agreement_measured.connect(lambda: measured.append(True))
    panel.start()
    qtbot.waitUntil(lambda: panel.state(1) == "segmenting: 4 frames so far", timeout=5000)
    panel.cancel()
    qtbot.waitUntil(lambda: bool(measured), timeout=5000)
    now = project.newest_result_runs()
    runs = {r["id"]: r["metrics"] for r in project.runs()}
    assert runs[now[2]][METRIC] == 0.5  # whole before the cancel: measured
    assert METRIC not in runs[now[1]]  # cut short: not (its results are partial)
