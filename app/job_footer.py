"""One job-runner footer for the panels and dialogs that run a core job: a progress bar with the job's
report, a Cancel button and a status line, around one :class:`app.worker.JobWorker`.

    self.footer = JobFooter()
    self.footer.start(lambda cancel: some_job(..., cancel=cancel), "Training", ask_before_quit=True,
                      on_finished=self._finished, on_done=self._update_buttons)
    self.footer.is_running(); self.footer.cancel(); self.footer.finish("done", ok=True)

``running_changed(bool)`` follows the job.  The panel keeps its own start buttons and the text of its
reports (``format_progress``); the footer keeps the bar, Cancel, the colours and the worker's lifetime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from humanseg_core.jobs import Progress

from .worker import JobFactory, JobWorker

#: what a panel says, and does, where another studio window holds the project: it starts no job
READ_ONLY = ("read-only here (another studio window holds it, or its folder cannot be written to): run jobs where it "
             "can be changed")
READ_ONLY_LOCKED = ("read-only here (another studio window holds it): run jobs in that window, or close it: this "
                    "window then takes the project over within seconds")
READ_ONLY_FOLDER = "read-only here (its folder cannot be written to): copy the project somewhere writable to run jobs"


def read_only_text(review) -> str:
    """Why a panel starts no job on the project, for the window's review controller ``review`` (its ``read_only``
    set): its folder cannot be written to, or another window holds it (a session's panels said "or" for both)."""
    if review is None or not getattr(review, "read_only", False):
        return READ_ONLY
    return READ_ONLY_FOLDER if getattr(review, "read_only_folder", False) else READ_ONLY_LOCKED

OK_STYLE = "QLabel { color: #9be39b; }"
ERROR_STYLE = "QLabel { color: #ff8a80; }"
WARN_STYLE = "QLabel { color: #f5d90a; }"  # done, with something the analyst must know (frames without a result)


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "--:--"
    seconds = int(round(max(0.0, seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class JobFooter(QWidget):
    running_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, cancel_text: str = "Cancel", unit: str = ""):
        """``unit``: what the job counts ("frames"), shown as "12/40 frames · ETA 0:03" by default."""
        super().__init__(parent)
        self.unit = unit
        self.format_progress: Callable[[Progress], str] = self._default_format
        self._worker: JobWorker | None = None
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_btn = QPushButton(cancel_text)
        self.cancel_btn.clicked.connect(self.cancel)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.status)
        self.idle("idle")

    # -- running --------------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._worker is not None

    @property
    def worker(self) -> JobWorker | None:
        return self._worker

    def start(self, factory: JobFactory, name: str, *, ask_before_quit: bool = False, busy: str = "starting…",
              status: str | None = None, on_progress: Callable[[Progress], Any] | None = None,
              on_finished: Callable[[Any], Any] | None = None, on_failed: Callable[[str], Any] | None = None,
              on_cancelled: Callable[[], Any] | None = None, on_done: Callable[[], Any] | None = None) -> JobWorker:
        """Run ``factory`` in a worker: the bar is busy until the first report, then follows the reports
        (``on_progress`` runs after the bar is updated); Cancel is enabled while it runs."""
        if self._worker is not None:
            raise RuntimeError(f"{name}: a job is already running in this footer")
        self.progress.setRange(0, 0)
        self.progress.setFormat(busy)
        if status is not None:
            self.set_status(status)

        def progressed(p: Progress) -> None:
            self.show_progress(p)
            if on_progress is not None:
                on_progress(p)

        def done() -> None:
            self._worker = None
            self.cancel_btn.setEnabled(False)
            if self.progress.maximum() == 0:  # never reported: leave the busy state
                self.idle(self.progress.format())
            if on_done is not None:
                on_done()
            self.running_changed.emit(False)

        self._worker = JobWorker(factory, name=name, parent=self, ask_before_quit=ask_before_quit,
                                 on_progress=progressed, on_finished=on_finished, on_failed=on_failed,
                                 on_cancelled=on_cancelled, on_done=done)
        self.cancel_btn.setEnabled(True)
        self._worker.start()
        self.running_changed.emit(True)
        return self._worker

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_btn.setEnabled(False)

    # -- showing --------------------------------------------------------------------------------
    def _default_format(self, p: Progress) -> str:
        if p.total <= 0:  # a stage of no known length: what it does, no "0/0"
            return p.message or "working…"
        if (p.data or {}).get("stage") == "prepare" and p.message:  # its sample frames, not the job's (a walk read
            return p.message  # "6/8 frames" at the start of a 200-frame segmentation)
        unit = f" {self.unit}" if self.unit else ""
        return f"{p.done}/{p.total}{unit} · ETA {format_eta(p.eta_s)}"

    def show_progress(self, p: Progress) -> None:
        if p.total > 0:
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
        self.progress.setFormat(self.format_progress(p))

    def idle(self, text: str, full: bool = False) -> None:
        """The bar at rest, empty (or ``full``), saying ``text``."""
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if full else 0)
        self.progress.setFormat(text)
        self.cancel_btn.setEnabled(self._worker is not None)

    def set_status(self, text: str, style: str = "") -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)

    def finish(self, text: str, bar: str = "done") -> None:
        """A job ended well: a green status line and a full bar."""
        self.set_status(text, OK_STYLE)
        self.idle(bar, full=True)

    def fail(self, text: str, bar: str = "failed") -> None:
        self.set_status(text, ERROR_STYLE)
        self.idle(bar)
