"""The question asked when the window closes while a job that would lose work runs (a training, a whole-scene run).

The question follows the jobs: when they end while it is open (their results saved), it says so and its buttons
become Quit / Stay; a walk's question still offered to cancel a training that had finished under it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from .worker import running_workers

POLL_MS = 250  # how often the open question looks whether the jobs still run


def _precious_running() -> bool:
    return any(w.ask_before_quit for w in running_workers())


def _plural(jobs: list[str]) -> bool:
    """Whether ``jobs`` read as more than one: two jobs, or one named in the plural (a walk read "The proposals is
    still running")."""
    last = jobs[-1].lower() if jobs else ""
    return len(jobs) > 1 or (last.endswith("s") and not last.endswith("ss"))


def quit_text(jobs: list[str]) -> str:
    """The question's words for ``jobs`` (names): what is lost, and what is kept, named where a job stores as it goes
    (a walk quit during a retrain and found its trained network kept, the summary saying "finish")."""
    names = " and ".join(j.lower() for j in jobs)
    segments = any(("scene" in j.lower() or "retrain" in j.lower()) for j in jobs)
    kept = (" What is already saved in the project is kept: each network trained and the frames segmented so far, "
            "which the Project Summary (or `humanseg status`) then offers to finish." if segments else
            " What is already saved in the project is kept.")
    is_, it, its = ("are", "They", "their") if _plural(jobs) else ("is", "It", "its")
    return f"The {names} {is_} still running. Quit anyway? {it} will be cancelled and {its} unsaved work lost.{kept}"


def ask_quit(parent: QWidget | None, jobs: list[str], title: str,
             still_running: Callable[[], bool] = _precious_running) -> bool:
    """Closing while ``jobs`` (names) run: True to cancel them and quit. ``still_running`` is polled while the
    question is open."""
    names = " and ".join(j.lower() for j in jobs)
    # what is kept, named (a walk quit during a retrain and found its trained network kept, status saying "finish")
    box = QMessageBox(QMessageBox.Icon.Question, title, quit_text(jobs), parent=parent)
    them = "them" if _plural(jobs) else "it"
    quit_button = box.addButton(f"Quit and cancel {them}", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(f"Keep {them} running", QMessageBox.ButtonRole.RejectRole)  # named, not Yes / No
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)

    def follow() -> None:
        if still_running():
            return
        timer.stop()
        ended, it = ("have", "they") if _plural(jobs) else ("has", "it")
        box.setText(f"The {names} {ended} ended while this question was open; what {it} saved is in the project. "
                    "Quit now?")
        quit_button.setText("Quit")
        keep.setText("Stay")

    timer = QTimer(box)
    timer.timeout.connect(follow)
    timer.start(POLL_MS)
    box.exec()
    timer.stop()
    return box.clickedButton() is quit_button
