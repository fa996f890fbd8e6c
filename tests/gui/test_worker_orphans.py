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
