"""Quitting while jobs run: the window asks for precious jobs, cancels every job and waits (bounded);
a worker whose Qt object is deleted under it stops its job quietly."""

import threading
import time

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app import worker as worker_mod
from app.segmentation.training_panel import TrainingPanel
from app.worker import JobWorker
from humanseg_core.jobs import Progress


def slow_job(state):
    """A job that runs until cancelled and records that its cleanup ran."""

    def factory(params, cancel):
        state["started"].set()
        try:
            for step in range(1, 100_000):
                cancel.raise_if_cancelled()
                time.sleep(0.01)
                yield Progress(step, 100_000, f"step {step}", {"loss": 1.0 / step, "step": step})
        finally:
            state["cleaned"] = True

    return factory


def _state():
    return {"started": threading.Event(), "cleaned": False}


def test_closing_during_training_asks_then_cancels_and_waits(window, qtbot):
    state = _state()
    panel = TrainingPanel(slow_job(state))
    window.add_panel("Training", panel)
    panel.set_person(1, n_accepted=5)
    asked = []
    window.ask_quit = lambda names: asked.append(names) or False  # the user says: keep working
    panel.start_btn.click()
    assert state["started"].wait(5)
    w = panel.footer.worker
    assert window.close() is False and asked == [["Training"]]
    assert window.isVisible() and w.running and not w.token.cancelled  # nothing was touched
    window.ask_quit = lambda names: asked.append(names) or True  # now: quit
    t0 = time.monotonic()
    assert window.close() is True
    assert time.monotonic() - t0 < 5
    assert w.token.cancelled and w._ended.is_set() and state["cleaned"]
    assert worker_mod.running_workers() == []
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)  # the queued signals still land cleanly


def test_closing_with_only_background_jobs_does_not_ask(window):
    state = _state()
    w = JobWorker(lambda cancel: slow_job(state)({}, cancel), name="Segmentation", parent=window)
    window.ask_quit = lambda names: pytest.fail("asked for a job that loses nothing")
    w.start()
    assert state["started"].wait(5)
    assert window.close() is True
    assert w.token.cancelled and w._ended.is_set() and state["cleaned"]


def test_a_worker_deleted_under_its_job_cancels_it_quietly(qtbot):
    import shiboken6

    state = _state()
    w = JobWorker(lambda cancel: slow_job(state)({}, cancel), name="Training")
    token = w.token
    shiboken6.delete(w)  # the panel owning it was closed: "Signal source has been deleted" on emit
    w._run()  # on the pool thread in real life; it must neither raise nor keep the job running
    assert token.cancelled and state["cleaned"] and w._ended.is_set()
    assert w not in worker_mod.running_workers()


@pytest.mark.parametrize("button, quits", [("Quit and cancel it", True), ("Keep it running", False)])
def test_the_quit_question_names_its_buttons(window, qtbot, button, quits):
    """A walk: closing during a training asked '… Quit anyway?' with Yes / No; the buttons now say what
    they do."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen = []

    def press():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(sorted(b.text() for b in box.buttons()))
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, press)
    assert window.ask_quit(["Training"]) is quits
    assert seen == [["Keep it running", "Quit and cancel it"]]


def test_the_quit_question_follows_a_job_that_ends_under_it(qtbot):
    """A walk: the question still offered to cancel a training that had finished while it was open."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.quit_question import POLL_MS, ask_quit

    running = [True]
    seen = []

    def end_it():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.text(), sorted(b.text() for b in box.buttons())))
        running[0] = False  # the training ends under the open question
        QTimer.singleShot(3 * POLL_MS, press_quit)

    def press_quit():
        box = QApplication.activeModalWidget()
        seen.append((box.text(), sorted(b.text() for b in box.buttons())))
        next(b for b in box.buttons() if b.text() == "Quit").click()

    QTimer.singleShot(0, end_it)
    assert ask_quit(None, ["Training"], "t", still_running=lambda: running[0]) is True
    assert "still running" in seen[0][0] and seen[0][1] == ["Keep it running", "Quit and cancel it"]
    assert "training has ended" in seen[1][0] and seen[1][1] == ["Quit", "Stay"]


def test_a_scripted_quit_cancels_a_precious_job_without_asking(window, qtbot, monkeypatch):
    """`--demo --screenshot x.png --quit-after 15000` never ended: the close asked about the demo's proposals job
    and nobody was there to answer."""
    from app.main import close_scripted

    state = _state()
    panel = TrainingPanel(slow_job(state))
    window.add_panel("Training", panel)
    panel.set_person(1, n_accepted=5)
    import app.main_window as main_window

    def asked(*args, **kwargs):
        raise AssertionError("a scripted quit asked")

    monkeypatch.setattr(main_window, "ask_quit", asked)  # the question the window's own ask_quit would open
    panel.start_btn.click()
    assert state["started"].wait(5)
    w = panel.footer.worker
    try:
        close_scripted(window)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
        assert w.token.cancelled and state["cleaned"]
    finally:  # a failure must not leave the job running: the teardown would wait for it (an audit's run hung)
        w.token.cancel()
        window.ask_quit = lambda names: True


def test_the_question_names_what_a_job_that_stores_as_it_goes_keeps():
    """A walk quit during a retrain as told its work would be lost; its trained network was kept, the summary then
    saying "finish"."""
    from app.quit_question import quit_text

    said = quit_text(["Retrain from here"])
    assert said.startswith("The retrain from here is still running. Quit anyway? It will be cancelled and its "
                           "unsaved work lost. What is already saved in the project is kept: each network trained")
    assert "offers to finish" in quit_text(["Whole scene"])
    assert quit_text(["Training"]).endswith("lost. What is already saved in the project is kept.")


def test_the_question_reads_a_job_named_in_the_plural_as_plural():
    """A walk: "The proposals is still running" and "The proposals has ended while this question was open"."""
    from app.quit_question import quit_text

    assert quit_text(["Proposals"]).startswith("The proposals are still running. Quit anyway? They will be cancelled "
                                               "and their unsaved work lost.")
    assert quit_text(["Export", "Training"]).startswith("The export and training are still running.")
    assert quit_text(["Training"]).startswith("The training is still running. Quit anyway? It will be")


def test_the_buttons_name_jobs_in_the_plural_as_them(window, qtbot):
    """A review: the question about the proposals read "are still running" above "Keep it running"."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen = []

    def press():
        box = QApplication.activeModalWidget()
        seen.append(sorted(b.text() for b in box.buttons()))
        next(b for b in box.buttons() if b.text().startswith("Keep")).click()

    QTimer.singleShot(0, press)
    assert window.ask_quit(["Proposals"]) is False
    assert seen == [["Keep them running", "Quit and cancel them"]]
