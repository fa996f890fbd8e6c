"""Closing a project once its cancelled jobs have stopped, without the GUI thread waiting for them.

A stall audit: Close Project during training, answered "Cancel the job and go on", held the GUI thread 1-2 s in
``worker.wait`` (at most 5 s) until the training reached its next cancel check. Now the close waits a moment on the
GUI thread only (:data:`QUICK_WAIT_S`); a job still stopping then is polled by a timer, the window stays live
(the status bar says what it waits for) and the close goes on when every job has ended, or is given up after
:data:`GIVE_UP_S` (the project stays open, said so).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from ..worker import running_workers

QUICK_WAIT_S = 0.25  # what the GUI thread may wait for cancelled jobs to stop before it lets a timer wait
POLL_MS = 100
GIVE_UP_S = 30.0


class CloseAfterJobs(QObject):
    """One pending "do this once the jobs have stopped" at a time (a newer one replaces it)."""

    def __init__(self, parent: QObject, message: Callable[[str], None]):
        super().__init__(parent)
        self._message = message
        self._then: Callable[[], object] | None = None
        self._deadline = 0.0
        self._gave_up = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def waiting(self) -> bool:
        return self._then is not None

    def start(self, then: Callable[[], object], gave_up: str) -> None:
        """Call ``then`` once no job runs (it says what it did); ``gave_up``: the status bar's line when they have not
        stopped in time."""
        self._then, self._gave_up = then, gave_up
        self._deadline = time.monotonic() + GIVE_UP_S
        self._timer.start()

    def cancel(self) -> None:
        self._then = None
        self._timer.stop()

    def _poll(self) -> None:
        if running_workers(project_only=True):
            if time.monotonic() > self._deadline:
                self.cancel()
                self._message(self._gave_up)
            return
        then, self._then = self._then, None
        self._timer.stop()
        if then is not None:
            then()
