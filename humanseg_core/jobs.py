"""Long jobs: plain generators that yield :class:`Progress` and honour a :class:`CancelToken`.

A job is ``def job(..., cancel: CancelToken | None = None) -> Generator[Progress, None, R]``.
It yields progress as it goes, checks ``cancel.raise_if_cancelled()`` at least once per unit of work
(one frame, one training step), and *returns* its result (``StopIteration.value``).
The CLI drains it with :func:`run_job`; the studio runs it in a worker thread (``app.worker``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import Cancelled

R = TypeVar("R")


class CancelToken:
    """Thread-safe cancel flag shared between the caller and a running job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


@dataclass(frozen=True)
class JobWarning:
    """Something the user must know about a running job, typed so callers never match its text.
    ``kind`` is job-specific (e.g. ``osvos.config.FROM_SCRATCH``); ``text`` is the sentence to show."""

    kind: str
    text: str


@dataclass
class Progress:
    """One progress report. ``data`` carries job-specific values (e.g. ``{"loss": 0.3}``); ``warnings``
    the typed warnings raised so far that the user must see at once."""

    done: int
    total: int
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    eta_s: float | None = None
    warnings: tuple[JobWarning, ...] = ()

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.done / self.total)


Job = Generator[Progress, None, R]


class EtaClock:
    """Estimates remaining seconds from the rate since the first item was done: the time before it (loading a
    network, building a background model) is not a rate (a walk's Segment tab said "ETA 3:26" after its first
    frame and finished in 0:25). None until two reports apart."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.t0 = clock()
        self._first: tuple[float, int] | None = None  # (time, done) of the first report with something done

    def eta(self, done: int, total: int) -> float | None:
        if done <= 0 or total <= 0:
            return None
        now = self.clock()
        if self._first is None:
            self._first = (now, done)
            return None
        t1, d1 = self._first
        if done <= d1:
            return None
        return (now - t1) / (done - d1) * max(0, total - done)


def run_job(job: Job[R], on_progress: Callable[[Progress], None] | None = None) -> R:
    """Drain a job synchronously, passing each progress report to ``on_progress``; return its result. torch's
    CPU threads give way to other work on the machine as it goes (:class:`~humanseg_core.threads.JobGovernor`)."""
    from .threads import JobGovernor

    governor = JobGovernor()
    try:
        while True:
            try:
                p = next(job)
            except StopIteration as stop:
                return stop.value
            governor.tick()
            if on_progress is not None:
                on_progress(p)
    finally:
        governor.close()  # the thread count as the job found it
