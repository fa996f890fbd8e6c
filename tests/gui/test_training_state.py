"""The Training panel tells one story: the hint follows the accepted count, one hold-out J, the latest run and
the budget come back with the project."""

import numpy as np
import pytest
from fakes import main_window_api

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.segmentation.training_panel import NEED_LABELS, NEED_LABELS_AFTER_SCENE, TrainingPanel
from humanseg_core.errors import HumansegError
from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

PID = 1  # a person of the generated scene (conftest.TRACKS)


def test_the_hint_to_accept_proposals_follows_the_count(qtbot):
    panel = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(panel)
    panel.set_person(3, n_accepted=0)
    assert panel.status.text() == NEED_LABELS and not panel.start_btn.isEnabled()
    panel.set_person(3, n_accepted=24)  # decisions were made: the hint goes, the count is what it says
    assert "Accept" not in panel.status.text() and "24 accepted masks" in panel.status.text()
    assert "24 accepted masks" in panel.person_label.text() and panel.start_btn.isEnabled()
    panel.set_person(3, n_accepted=0)  # all undone
    assert panel.status.text() == NEED_LABELS


def test_one_hold_out_j_in_the_plot_header_and_the_status_line(qtbot):
    def job(params, cancel):  # the last in-loop measure (0.531) is not the run's final J (0.619)
        for step in range(1, 11):
            data = {"loss": 1.0 / step, "step": step}
            if step % 5 == 0:
                data["holdout_J"] = 0.531
            yield Progress(step, 10, f"step {step}", data)
        return {"steps": 10, "holdout_J": 0.619, "checkpoint": "/tmp/x.pt"}

    panel = TrainingPanel(job, on_record=lambda params, result: 5)
    qtbot.addWidget(panel)
    panel.set_person(1, n_accepted=8)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    qtbot.waitUntil(lambda: not panel.is_running())
    assert panel.plot.holdout_points() == [(5, 0.531), (10, 0.619)]  # the header quotes the last point
    assert "0.619" in panel.status.text() and "0.531" not in panel.status.text()


@pytest.mark.parametrize("first, last, said", [(0.833, 0.808, True), (0.80, 0.795, False), (0.70, 0.81, False)])
def test_a_hold_out_j_that_fell_says_why(qtbot, first, last, said):
    """A walk's hold-out J went from 0.833 (step 1) to 0.808, and nothing said why."""
    def job(params, cancel):
        yield Progress(1, 10, "step 1", {"loss": 1.0, "step": 1, "holdout_J": first})
        return {"steps": 10, "holdout_J": last, "checkpoint": "/tmp/x.pt"}

    panel = TrainingPanel(job, on_record=lambda params, result: 5)
    qtbot.addWidget(panel)
    panel.set_person(1, n_accepted=8)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert f"hold-out J {last:.3f}" in panel.status.text()
    assert (f"below the {first:.3f} of step 1: the masks it trained on" in panel.status.text()) == said
    from app.segmentation.training_panel import DONE_STYLE, NOTED_STYLE

    assert panel.status.styleSheet() == (NOTED_STYLE if said else DONE_STYLE)  # a fall is no success (a walk: green)


@pytest.fixture
def stored(tmp_path):
    """A project where person PID has 3 accepted masks and one stored run, with its curve."""
    project = Project.create(tmp_path / "proj", ProjectInputs(str(tmp_path / "v"), str(tmp_path / "t.txt")))
    m = np.zeros((240, 320), bool)
    m[5:15, 5:10] = True
    project.add_proposals([Proposal(f, PID, (5, 5, 10, 15), m, "test", status="accepted") for f in (0, 10, 20)])
    curve = {"loss": [[1, 0.9], [2, 0.5], [3, 0.4]], "holdout": [[2, 0.4], [3, 0.619]]}
    run_id = project.add_run(PID, "osvos-lite", {"accepted_masks": 3, "seconds": 60.0, "steps": None},
                             str(tmp_path / "proj" / "checkpoints" / "a.pt"),
                             {"steps": 3, "seconds": 58.2, "holdout_J": 0.619, "curve": curve})
    folder = project.folder
    project.close()
    return folder, run_id


@pytest.fixture(scope="module")
def scene(scene_dir):
    from app.open_dialog import scene_folder_inputs
    from humanseg_core.inputs.scene import load_scene

    i = scene_folder_inputs(scene_dir)
    sc = load_scene(video=i.video, trajectories=i.trajectories, homography=i.homography)
    yield sc
    sc.close()


def _install(qtbot, project, scene):
    from app.segmentation.install import install_segmentation

    win = main_window_api(scene)  # the public API install_segmentation uses (no frames)
    qtbot.addWidget(win)
    c = install_segmentation(win, project)
    win.selected_pid = PID
    win.person_selected.emit(PID)
    return c


def test_reopening_a_project_shows_its_latest_run(qtbot, stored, scene):
    folder, run_id = stored
    with Project.open(folder) as project:
        c = _install(qtbot, project, scene)
        t = c.training
        assert "no training yet" not in t.status.text() and "Accept" not in t.status.text()
        assert f"Last run #{run_id}" in t.status.text() and "0.619" in t.status.text()
        assert "3 steps in 0:58" in t.status.text()
        assert [s for s, _ in t.plot.loss_points()] == [1, 2, 3]
        assert t.plot.holdout_points()[-1] == (3, 0.619)
        assert t.resume_btn.isEnabled() and not t.segment_btn.isHidden()
        # a decision adds a label: the panel says the run trained on fewer
        m = np.zeros((240, 320), bool)
        m[2:8, 2:8] = True
        project.add_proposals([Proposal(30, PID, (2, 2, 8, 8), m, "test", status="accepted")])
        c.refresh()
        assert "4 accepted masks" in t.person_label.text() and "trained on 3" in t.status.text()


def test_the_budget_comes_back_with_the_project(qtbot, stored, scene):
    folder, _ = stored
    with Project.open(folder) as project:
        c = _install(qtbot, project, scene)
        assert c.training.budget_value() == ("seconds", 60)  # nothing chosen yet: the default, about a minute
        c.training.budget_kind.setCurrentIndex(c.training.budget_kind.findData("seconds"))
        c.training.budget.setValue(45)
    with Project.open(folder) as project:
        c = _install(qtbot, project, scene)
        assert c.training.budget_value() == ("seconds", 45)
        assert c.training.params()["seconds"] == 45.0 and c.training.params()["steps"] is None


def test_the_default_budget_is_a_minute_and_steps_stay_selectable(qtbot, stored, scene, tmp_path):
    """A new project trains about a minute (a seconds budget covers the whole job); a project's stored
    budget wins, and the next project without one shows the default again, not the previous project's."""
    panel = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(panel)
    assert panel.budget_value() == ("seconds", 60)
    assert panel.params()["seconds"] == 60.0 and panel.params()["steps"] is None
    panel.budget_kind.setCurrentIndex(panel.budget_kind.findData("steps"))
    assert panel.params()["steps"] == panel.budget.value() and panel.params()["seconds"] is None
    folder, _ = stored
    with Project.open(folder) as project:
        project.set_setting("training.budget", {"kind": "steps", "value": 40})
        c = _install(qtbot, project, scene)
        assert c.training.budget_value() == ("steps", 40)  # the project's own choice wins
        other = Project.create(tmp_path / "other", ProjectInputs(str(tmp_path / "v"), str(tmp_path / "t.txt")))
        c.set_project(other)
        assert c.training.budget_value() == ("seconds", 60)
        assert other.setting("training.budget") is None  # showing the default stores nothing
        other.close()


def test_a_read_only_window_does_not_write_the_budget(qtbot, stored, scene):
    from types import SimpleNamespace

    folder, _ = stored
    with Project.open(folder) as project:
        c = _install(qtbot, project, scene)
        c.window.review = SimpleNamespace(read_only=True)  # another window holds the project
        c.training.budget.setValue(77)
        assert project.setting("training.budget") is None


def test_label_cleaning_shows_its_own_progress_before_the_steps(qtbot):
    import threading

    go = threading.Event()

    def job(params, cancel):
        yield Progress(1, 4, "cleaning labels 1/4", data={"stage": "labels", "step": 0})
        go.wait(5)
        yield Progress(1, 10, "step 1", data={"loss": 0.5, "step": 1})
        return {"steps": 1}

    panel = TrainingPanel(job)
    qtbot.addWidget(panel)
    panel.set_person(2, n_accepted=5)
    panel.start_btn.click()
    qtbot.waitUntil(lambda: panel.progress.format() == "cleaning labels 1/4", timeout=5000)
    assert (panel.progress.value(), panel.progress.maximum()) == (1, 4) and panel.plot.loss_points() == []
    go.set()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    assert panel.plot.loss_points() == [(1, 0.5)]


def test_a_cancel_before_the_first_step_says_the_preparation_stops_not_a_step(qtbot):
    import threading

    from app.segmentation.training_panel import CANCEL_AT_STEP, CANCEL_IN_PREPARATION

    step_shown, release = threading.Event(), threading.Event()

    def job(params, cancel):
        yield Progress(1, 4, "cleaning labels 1/4", data={"stage": "labels", "step": 0})
        while not cancel.cancelled and not release.is_set():  # preparing: checks the token as train_job does
            release.wait(0.01)
        cancel.raise_if_cancelled()
        yield Progress(0, 10, "training starts", data={"stage": "train", "step": 0})
        step_shown.wait(5)
        while not cancel.cancelled:
            release.wait(0.01)
        cancel.raise_if_cancelled()

    panel = TrainingPanel(job)
    qtbot.addWidget(panel)
    panel.set_person(2, n_accepted=5)
    panel.start_btn.click()
    qtbot.waitUntil(lambda: panel.progress.format() == "cleaning labels 1/4", timeout=5000)
    panel.cancel_btn.click()
    assert panel.status.text() == CANCEL_IN_PREPARATION and "end of the current step" not in panel.status.text()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    assert "cancelled" in panel.status.text().lower()
    # once the step loop has reported, a cancel waits for the end of the current step
    release.set()
    panel.start_btn.click()
    qtbot.waitUntil(lambda: panel.progress.format().startswith("step 0"), timeout=5000)
    panel.cancel_btn.click()
    step_shown.set()
    assert panel.status.text() == CANCEL_AT_STEP
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)


def test_a_whole_scene_run_without_accepted_masks_is_described_not_hidden(qtbot):
    """students03: after a cancelled Whole scene run person 171 had run #3 (trained on 15 unreviewed
    proposals, no curve kept) and no accepted mask; the Train tab said 'run #3 stored' on its bar, 'no
    training yet' in the plot and only 'Accept some proposals first' on the status line."""
    panel = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(panel)
    run = {"id": 3, "model": "osvos-parent", "checkpoint": "/tmp/pid171.pt",
           "params": {"scene_run": True, "accept": "all", "labels": 15, "seconds_per_person": 5.0},
           "metrics": {"steps": 27, "final_loss": 0.27}}
    panel.set_person(171, n_accepted=0, last_run=run)
    text = panel.status.text()
    assert "Last run #3" in text and "27 steps" in text and "Whole scene" in text and "15 masks" in text
    assert "Start trains on" not in text  # no reviewed label: the next line says what to do
    # Start still needs accepted masks, and says why there are none (a walk read "0 accepted masks" under
    # "on 20 labels" as a contradiction)
    assert NEED_LABELS_AFTER_SCENE in text and NEED_LABELS not in text
    assert "no training yet" not in panel.plot.empty_text and "#3" in panel.plot.empty_text
    panel.set_person(5, n_accepted=0)  # a person without runs: as before
    assert panel.status.text() == NEED_LABELS and panel.plot.empty_text == "no training yet"


def test_a_newer_run_stored_elsewhere_replaces_the_finished_jobs_outcome(qtbot):
    """A new-user walk: after a Train run (#1) and then a Whole scene run (#2) the bar said 'run #2 stored'
    while the status still read 'run #1 finished after 1 steps · hold-out J 0.892'."""
    from types import SimpleNamespace

    panel = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(panel)
    panel.set_factory(lambda params, cancel: iter(()), on_record=lambda params, result: 1)
    first = {"id": 1, "model": "osvos-parent", "checkpoint": "/tmp/a.pt", "params": {}, "metrics": {"steps": 1}}
    panel.set_person(3, n_accepted=5, last_run=first)
    panel._params = {}
    panel._on_finished(SimpleNamespace(checkpoint="/tmp/a.pt", notices=[], metrics={}, holdout_J=0.892, steps=1))
    assert "run #1 finished after 1 step ·" in panel.status.text()
    panel.set_person(3, n_accepted=5, last_run=first)  # the same run: the outcome stays
    assert "run #1 finished" in panel.status.text()
    scene = {"id": 2, "model": "osvos-parent", "checkpoint": "/tmp/b.pt",
             "params": {"scene_run": True, "accept": "all", "labels": 20}, "metrics": {"steps": 30}}
    panel.set_person(3, n_accepted=5, last_run=scene)
    text = panel.status.text()
    assert "run #1" not in text and "Last run #2" in text and "Whole scene" in text


def test_a_time_budget_before_its_first_step_is_timed_says_so(qtbot):
    """A walk's Train tab read "step 0/~0 · ETA --:--" for ten seconds, under "run #50: no loss curve stored" (the
    last stored run's words) while a new run trained."""
    import threading

    release = threading.Event()

    def job(params, cancel):
        yield Progress(0, 0, "training starts", data={"stage": "train", "step": 0})
        while not cancel.cancelled and not release.is_set():
            release.wait(0.01)
        cancel.raise_if_cancelled()

    panel = TrainingPanel(job)
    qtbot.addWidget(panel)
    run = {"id": 50, "model": "osvos-parent", "checkpoint": "/tmp/p24.pt",
           "params": {"scene_run": True, "accept": "score>=0.7", "labels": 14}, "metrics": {"steps": 100}}
    panel.set_person(24, n_accepted=14, last_run=run)
    assert "no loss curve stored" in panel.plot.empty_text
    panel.set_budget("seconds", 20)
    panel.start_btn.click()
    try:
        qtbot.waitUntil(lambda: panel.progress.format() == "step 0 · timing the first step", timeout=5000)
        assert "no loss curve stored" not in panel.plot.empty_text and "first step" in panel.plot.empty_text
    finally:
        release.set()  # the job ends whatever the test found
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)


def test_the_model_box_reads_whole_in_the_narrow_dock(qtbot):
    """A walk's Train tab read "…parent network (defa"; the description is the item's tooltip now."""
    from PySide6.QtCore import Qt

    panel = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(panel)
    box = panel.model_box
    for i in range(box.count()):
        assert len(box.itemText(i)) <= 24 and box.itemData(i, Qt.ItemDataRole.ToolTipRole)
    assert box.itemText(box.findData("osvos-parent")) == "osvos-parent (default)"


def test_a_run_that_ends_before_its_first_step_does_not_say_it_is_training(qtbot):
    """A review: cancelled before the first step, the idle plot kept "training: the loss curve starts …"."""
    from app.segmentation.loss_plot import STOPPED_EMPTY

    def job(params, cancel):
        yield Progress(0, 0, "preparing", data={"stage": "labels"})
        raise HumansegError("the labels could not be read")

    panel = TrainingPanel(job)
    qtbot.addWidget(panel)
    panel.set_person(3, n_accepted=4)
    panel.start_btn.click()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    assert panel.plot.empty_text == STOPPED_EMPTY


@pytest.mark.parametrize("ending", ["finished", "cancelled", "failed", "not saved"])
def test_a_training_stays_its_persons_while_another_is_selected(qtbot, ending):
    """A walk started person 86's training, clicked person 76: the header read "Person 76" over 86's bar, curve
    and Cancel, and the finished run was said under person 76 ("run #1 finished after 394 steps")."""
    import threading
    from types import SimpleNamespace

    release = threading.Event()

    def job(params, cancel):
        yield Progress(1, 10, "step", data={"stage": "train", "step": 1, "loss": 0.5})
        while not cancel.cancelled and not release.is_set():
            release.wait(0.01)
        cancel.raise_if_cancelled()
        if ending == "failed":
            raise HumansegError("the labels could not be read")
        return SimpleNamespace(run_id=7, checkpoint="/tmp/p86.pt", notices=[], metrics={}, holdout_J=0.8, steps=10)

    def record(params, result):
        if ending == "not saved":
            raise OSError("disk full")
        return result.run_id

    panel = TrainingPanel(job, on_record=record)
    qtbot.addWidget(panel)
    older = {"id": 3, "model": "osvos-parent", "checkpoint": "/tmp/p76.pt", "params": {}, "metrics": {"steps": 5}}
    panel.set_person(86, n_accepted=12)
    panel.start_btn.click()
    try:
        qtbot.waitUntil(lambda: panel.plot.loss_points() == [(1, 0.5)], timeout=5000)
        panel.set_person(76, n_accepted=19, last_run=older)
        assert panel.person_label.text() == "Training person 86 · selected: person 76, 19 accepted masks"
        assert panel.plot.loss_points() == [(1, 0.5)]  # the running job's curve stays on screen
    finally:
        if ending == "cancelled":
            panel.cancel()
        release.set()
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    assert panel.person_label.text() == "Person 76 · 19 accepted masks"
    said = {"finished": "Person 86's training finished: run #7. Select person 86 to see it and segment with it.",
            "cancelled": "Person 86's training cancelled. Nothing was saved for that run.",
            "failed": "Person 86: Training failed: the labels could not be read",
            "not saved": "Training of person 86 finished but the run could not be saved: disk full"}[ending]
    assert panel.status.text() == said
    assert panel.plot.empty_text == "run #3: no loss curve stored" and panel.plot.loss_points() == []  # 76's run
    panel.segment_btn.click()  # 76's own network, never 86's new run under 76
    assert panel._last_run_id == 3


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_segmentation_stays_its_persons_while_another_is_selected(qtbot, cancelled):
    import threading

    from app.segmentation.segment_panel import SegmentPanel

    release = threading.Event()

    def factory(request, cancel):
        yield Progress(1, 2, "frame 10")
        while not cancel.cancelled and not release.is_set():
            release.wait(0.01)
        cancel.raise_if_cancelled()
        return {10: np.ones((4, 4), bool)}

    stored: list = []
    panel = SegmentPanel(factory, on_store=lambda pid, run_id, masks: stored.append((pid, run_id)))
    qtbot.addWidget(panel)
    runs = [{"id": 2, "model": "osvos-lite", "params": {}, "metrics": {}, "checkpoint": "b.pt"}]
    panel.set_person(86, (10, 11), runs)
    panel.start_btn.click()
    try:
        qtbot.waitUntil(panel.is_running, timeout=5000)
        panel.set_person(76, (10, 11), [dict(runs[0], id=3)])
        assert panel.person_label.text() == "Segmenting person 86 · selected: person 76"
        if cancelled:
            panel.cancel()
    finally:
        release.set()
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    assert stored == ([] if cancelled else [(86, 2)]) and panel.person_label.text() == "Person 76"
    if cancelled:
        assert panel.footer.status.text() == "Person 86: Segmentation cancelled: nothing was saved."


def test_start_asks_first_where_a_command_trains_the_person(qtbot, stored, scene, monkeypatch):
    """A walk's Start trained beside a command's training of the same person, without a word (two runs)."""
    import json
    import socket
    import subprocess

    from PySide6.QtWidgets import QMessageBox

    from humanseg_core.project.job_marks import JOBS_DIR
    from humanseg_core.project.lock import _started

    folder, _ = stored
    other = subprocess.Popen(["sleep", "60"])
    try:
        (folder / JOBS_DIR).mkdir(exist_ok=True)
        (folder / JOBS_DIR / "cli.json").write_text(json.dumps(
            {"what": "training", "pids": [PID], "process": {"pid": other.pid, "host": socket.gethostname(),
                                                            "started": _started(other.pid)}}), encoding="utf-8")
        asked = []
        monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)  # closed: Cancel
        with Project.open(folder) as project:
            c = _install(qtbot, project, scene)
            started = []
            monkeypatch.setattr(c.training.footer, "start", lambda *a, **k: started.append(True))
            c.training.start()
            assert len(asked) == 1 and "a training job of another window or command" in asked[0]
            assert not started  # declined: nothing started
            (folder / JOBS_DIR / "cli.json").unlink()
            c.training.start()
            assert started and len(asked) == 1  # nobody else at work: no question
    finally:
        other.kill()
        other.wait()


def test_not_visible_marks_are_not_counted_as_accepted_masks_anywhere(qtbot, stored, scene):
    """A walk: Train said 15 accepted masks, the MP4 panel's header 16 (the V mark counted)."""
    folder, _ = stored
    with Project.open(folder) as project:
        project.add_proposals([Proposal(30, PID, (5, 5, 10, 15), np.zeros((240, 320), bool), "test",
                                        status="edited")])  # Review's V: an empty label
        c = _install(qtbot, project, scene)
        assert "3 accepted masks" in c.training.person_label.text()
        assert c.export.person_label.text().endswith("3 accepted masks")
