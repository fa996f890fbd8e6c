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

The GUI thread never waits on the job: signals are queued across threads.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable, Generator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from humanseg_core.errors import Cancelled, HumansegError
from humanseg_core.jobs import CancelToken, Progress

JobFactory = Callable[[CancelToken], Generator[Progress, None, Any]]

_live_workers: set["JobWorker"] = set()  # keep running workers alive until they finish


class JobWorker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # always emitted last, whatever the outcome

    def __init__(self, factory: JobFactory, name: str = "job", parent: QObject | None = None, *,
                 on_progress=None, on_finished=None, on_failed=None, on_cancelled=None, on_done=None):
        """The ``on_*`` callables, when given, are connected to the signals of the same name."""
        super().__init__(parent)
        self.name = name
        self.token = CancelToken()
        self._factory = factory
        self.running = False
        for signal, slot in ((self.progress, on_progress), (self.finished, on_finished), (self.failed, on_failed),
                             (self.cancelled, on_cancelled), (self.done, on_done)):
            if slot is not None:
                signal.connect(slot)

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        _live_workers.add(self)
        self.done.connect(self._forget)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))

    def cancel(self) -> None:
        self.token.cancel()

    def _forget(self) -> None:
        self.running = False
        _live_workers.discard(self)

    def _run(self) -> None:  # on the pool thread
        try:
            gen = self._factory(self.token)
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    self.finished.emit(stop.value)
                    break
                self.progress.emit(p)
        except Cancelled:
            self.cancelled.emit()
        except HumansegError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # an unexpected bug: show it, never crash the GUI
            traceback.print_exc()
            self.failed.emit(f"{self.name} failed: {type(exc).__name__}: {exc}")
        finally:
            self.done.emit()


class _Runnable(QRunnable):
    def __init__(self, worker: JobWorker):
        super().__init__()
        self.worker = worker
        self.setAutoDelete(True)

    def run(self) -> None:
        self.worker._run()
