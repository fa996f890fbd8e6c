"""The one worker pattern: run a core job (a generator of Progress) on a thread pool, report by signals.

Usage::

    worker = JobWorker(lambda cancel: some_core_job(args, cancel=cancel), name="Training")
    worker.progress.connect(on_progress)      # Progress, on the GUI thread
    worker.finished.connect(on_result)        # the job's return value
    worker.failed.connect(on_error)           # str: a message for the user
    worker.cancelled.connect(on_cancelled)
    worker.start()
    ...
    worker.cancel()                           # honoured at the job's next cancel check

The GUI thread never waits on the job: signals are queued across threads.  Quitting: :func:`running_workers`
lists the jobs still running (``ask_before_quit`` marks those whose loss the user should confirm, e.g.
training or an export), :func:`cancel_all` cancels them and :func:`wait_all` waits for them with a bound.
A worker whose Qt object was deleted under it (its panel closed) cancels its job and stops quietly.
"""

from __future__ import annotations

import threading
import time
import traceback
import warnings
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from humanseg_core.errors import Cancelled, HumansegError
from humanseg_core.jobs import CancelToken, Progress
from humanseg_core.threads import JobGovernor

JobFactory = Callable[[CancelToken], Generator[Progress, None, Any]]

_live_workers: set[JobWorker] = set()  # keep running workers alive until they finish
_project_jobs_ended = [0]  # jobs writing to the project that ended, their handlers run (app.outside_changes)
# workers whose pool thread is done with them: let go on the GUI thread only. A worker whose last reference went with
# its runnable on the pool thread was deleted there, under the queued ``done`` the GUI thread was delivering to it
# (a CI run's segfault in processEvents, 1 in 10 runs of the orphan test)
_retired: list[JobWorker] = []
_retired_lock = threading.Lock()


class JobWorker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # always emitted last, whatever the outcome

    def __init__(self, factory: JobFactory, name: str = "job", parent: QObject | None = None, *,
                 on_progress=None, on_finished=None, on_failed=None, on_cancelled=None, on_done=None,
                 ask_before_quit: bool = False, uses_project: bool = True, writes: bool = True):
        """The ``on_*`` callables, when given, are connected to the signals of the same name.
        ``ask_before_quit``: closing the window while this job runs asks first (work would be lost).
        ``uses_project``: False for a job that never reads the project (the homography check of opened inputs):
        closing the project leaves it running (a walk's check was cancelled by the close its own opening made).
        ``writes``: False for a job that only reads the project (thumbnails, scores): what changes the project
        meanwhile is another program's (app.outside_changes; a walk's `humanseg run` stayed half-shown, its last
        write taken for the score job's the re-read had started)."""
        # no Qt parent: a parent deleted under a running job (a panel or dialog closed, a test's widgets torn
        # down) took this object with it while the pool thread emitted on it: a crash in _emit (a suite's
        # segfault). The worker lives while referenced (_live_workers until done); the owner's end cancels the
        # job and cuts the owner's handlers off instead.
        super().__init__()
        if parent is not None:
            parent.destroyed.connect(self._owner_gone)
        self.name = name
        self.ask_before_quit = ask_before_quit
        self.uses_project = uses_project
        self.writes = writes
        self.token = CancelToken()
        self._factory = factory
        self._ended = threading.Event()  # set by the pool thread when the job is over, whatever the outcome
        self.running = False
        self._orphaned = False  # its owner was deleted: no handler of the owner's runs any more
        self._handlers = [(signal, slot) for signal, slot in (
            (self.progress, on_progress), (self.finished, on_finished), (self.failed, on_failed),
            (self.cancelled, on_cancelled), (self.done, on_done)) if slot is not None]
        for signal, slot in self._handlers:
            signal.connect(slot)

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        self._ended.clear()
        _live_workers.add(self)
        self.done.connect(self._forget)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))

    def cancel(self) -> None:
        self.token.cancel()

    def _owner_gone(self, *_a) -> None:
        """The panel or dialog that started the job was deleted: the job is cancelled, and none of its handlers
        (the owner's) runs any more; ``done`` still lets the worker go."""
        self.token.cancel()
        self._orphaned = True
        for signal, slot in self._handlers:
            try:
                with warnings.catch_warnings():  # PySide warns where Qt cut a deleted receiver's connection already
                    warnings.simplefilter("ignore", RuntimeWarning)
                    signal.disconnect(slot)
            except (RuntimeError, SystemError, TypeError):  # a deleted receiver's own: Qt cut it off already
                pass
        self._handlers = []
        if self._ended.is_set():  # its done, queued, would come after: nothing of it left to wait for
            self._forget()

    def _forget(self) -> None:
        _let_go_retired()
        if self.running and self.uses_project and self.writes:
            _project_jobs_ended[0] += 1
        self.running = False
        _live_workers.discard(self)

    def wait(self, timeout_s: float) -> bool:
        """Block until the job is over (True) or ``timeout_s`` passed (False).  For quitting only."""
        return not self.running or self._ended.wait(timeout_s)

    def _emit(self, signal, *args) -> bool:
        """Emit, unless the Qt object was deleted under the running job (its panel or window closed):
        then cancel the job and say so (False)."""
        try:
            signal.emit(*args)
            return True
        except RuntimeError:  # "Signal source has been deleted" / "Internal C++ object already deleted"
            self.token.cancel()
            return False

    def _run(self) -> None:  # on the pool thread
        gen = None
        governor = JobGovernor()  # torch's CPU threads give way to other work on the machine
        try:
            gen = self._factory(self.token)
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    self._emit(self.finished, stop.value)
                    break
                governor.tick()
                if not self._emit(self.progress, p):
                    gen.close()  # runs the job's cleanup (finally blocks); nothing is left half-written
                    break
        except Cancelled:
            self._emit(self.cancelled)
        except HumansegError as exc:
            self._emit(self.failed, str(exc))
        except Exception as exc:  # an unexpected bug: show it, never crash the GUI
            traceback.print_exc()
            self._emit(self.failed, f"{self.name} failed: {type(exc).__name__}: {exc}")
        finally:
            governor.close()  # the thread count as the job found it (this pool thread runs later jobs)
            self._ended.set()
            if not self._emit(self.done):
                self.running = False
                _live_workers.discard(self)


def failure_text(name: str, message: str) -> str:
    """A failed job's line for the user, naming the job once: ``failed`` already carries "<name> failed:"
    for unexpected errors (see ``_run``), a HumansegError's message does not."""
    return message if message.startswith(f"{name} failed") else f"{name} failed: {message}"


def project_jobs_live() -> bool:
    """Whether a job writing to the project runs, or has ended without its handlers having run yet (on the GUI thread:
    its ``done``); what it wrote is then its own to show. A job that ended after its worker's Qt object was deleted
    (its panel closed meanwhile) never gets its handlers run: forgotten here, not live for ever."""
    _forget_orphans()
    return any(w.running and w.uses_project and w.writes for w in list(_live_workers))


def _forget_orphans() -> None:
    """Drop the workers whose job ended and whose Qt object is gone (their ``done`` can never be delivered)."""
    import shiboken6

    _let_go_retired()
    for w in list(_live_workers):
        if w._ended.is_set() and (w._orphaned or not shiboken6.isValid(w)):
            w.running = False
            _live_workers.discard(w)


def project_jobs_ended() -> int:
    """How many jobs writing to the project have ended, their handlers run (a job that started and ended between two
    looks at the project wrote what it changed)."""
    return _project_jobs_ended[0]


def running_workers(project_only: bool = False) -> list[JobWorker]:
    """The workers whose job has not ended yet (``project_only``: those that use the project)."""
    return [w for w in list(_live_workers) if w.running and not w._ended.is_set()
            and (w.uses_project or not project_only)]


def cancel_all(project_only: bool = False) -> int:
    """Cancel every running job (``project_only``: those that use the project); returns how many."""
    workers = running_workers(project_only)
    for w in workers:
        w.cancel()
    return len(workers)


def wait_all(timeout_s: float = 5.0, project_only: bool = False) -> bool:
    """Wait (bounded) until every running job (``project_only``: using the project) has ended; True when they
    all did."""
    deadline = time.monotonic() + timeout_s
    for w in running_workers(project_only):
        if not w.wait(max(0.0, deadline - time.monotonic())):
            return False
    return True


def end_jobs(ask: Callable[[list[str]], bool], timeout_s: float = 5.0, must_end: bool = False,
             project_only: bool = False) -> bool:
    """Before quitting: ``ask(names)`` when jobs marked ``ask_before_quit`` run (False keeps them and
    returns False), then cancel every job and wait for them, at most ``timeout_s``.  True: go ahead.
    ``must_end`` (before closing a project's store under its jobs): False also when a job has not ended
    within ``timeout_s``; it stays cancelled. ``project_only``: the jobs that use the project (it closes)."""
    precious = sorted({w.name for w in running_workers(project_only) if w.ask_before_quit})
    if precious and not ask(precious):
        return False
    if cancel_all(project_only):  # nothing running: no waiting at all
        ended = wait_all(timeout_s, project_only)
        if must_end and not ended:
            return False
    return True


class _Runnable(QRunnable):
    def __init__(self, worker: JobWorker):
        super().__init__()
        self.worker: JobWorker | None = worker
        self.setAutoDelete(True)

    def run(self) -> None:
        worker = self.worker
        assert worker is not None
        try:
            worker._run()
        finally:  # the pool thread keeps no reference: the worker is let go on the GUI thread (_let_go_retired)
            with _retired_lock:
                _retired.append(worker)
                self.worker = None
                del worker


def _let_go_retired() -> None:
    """Drop the workers whose pool thread is done with them, on the GUI thread (where their Qt objects live); those
    still awaited (in ``_live_workers``, or referenced by their panel) stay alive through those references."""
    if threading.current_thread() is not threading.main_thread():
        return
    with _retired_lock:
        gone = list(_retired)
        _retired.clear()
    del gone  # the last reference of a worker nobody holds goes here, on the GUI thread
