"""A project job whose panel was deleted after the job ended, before its ``done`` was delivered, never gets its
handlers run: it is not counted live for ever (the studio's follow of outside changes waited on it; a full test
run saw a window's every later job wait for it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_job_whose_worker_was_deleted_before_its_done_is_not_live(qtbot):
    import shiboken6
    from PySide6.QtCore import QObject

    from app import worker

    def job(cancel):
        return
        yield  # a generator: a job that ends at once

    panel = QObject()
    w = worker.JobWorker(job, name="scores", parent=panel, uses_project=True, writes=True)
    w.start()
    assert w._ended.wait(5)  # ended on its pool thread; its done queued, not delivered
    assert w in worker._live_workers and w.running
    shiboken6.delete(panel)  # the panel closed before the event loop ran again
    assert not worker.project_jobs_live() and w not in worker._live_workers


def test_a_job_outlives_its_deleted_owner_cancelled_and_unheard(qtbot):
    """A suite's segfault: a panel deleted under its running job took the worker's Qt object with it while the pool
    thread emitted on it. The worker has no Qt parent now: the owner's end cancels the job and cuts its handlers."""
    import threading

    import shiboken6
    from PySide6.QtCore import QObject

    from app import worker
    from humanseg_core.jobs import Progress

    started, heard = threading.Event(), []

    def job(cancel):
        started.set()
        while not cancel.cancelled:
            yield Progress(0, 0, "working")
        cancel.raise_if_cancelled()

    owner = QObject()
    w = worker.JobWorker(job, name="scores", parent=owner, on_progress=heard.append,
                         on_cancelled=lambda: heard.append("cancelled"), on_done=lambda: heard.append("done"))
    w.start()
    assert started.wait(5)
    shiboken6.delete(owner)  # the panel closed while its job ran
    assert w.token.cancelled and shiboken6.isValid(w)
    assert w._ended.wait(5)
    qtbot.waitUntil(lambda: w not in worker._live_workers, timeout=5000)
    heard.clear()
    qtbot.wait(50)
    assert heard == [] and not w.running  # nothing of the owner's ran after it was gone


def test_a_worker_is_let_go_on_the_gui_thread_never_on_its_pool_thread(qtbot):
    """A CI run's segfault: the orphan above, let go by everyone but its runnable, was deleted on the pool thread
    (the runnable's end) while the GUI thread delivered its queued ``done``. Pool threads keep no reference now."""
    import threading

    import shiboken6
    from PySide6.QtCore import QObject, Qt

    from app import worker

    def job(cancel):
        return
        yield

    deleted_on = []
    for _ in range(60):
        panel = QObject()
        w = worker.JobWorker(job, name="scores", parent=panel, uses_project=True, writes=True)
        w.destroyed.connect(lambda *_: deleted_on.append(threading.current_thread().name),
                            Qt.ConnectionType.DirectConnection)
        w.start()
        assert w._ended.wait(5)
        shiboken6.delete(panel)
        del w
        qtbot.wait(2)
    worker.QThreadPool.globalInstance().waitForDone(5000)
    worker.project_jobs_live()  # the GUI thread lets the last ones go
    assert deleted_on and set(deleted_on) == {threading.main_thread().name}
