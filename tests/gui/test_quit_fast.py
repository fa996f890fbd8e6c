"""Quitting with nothing running is quick: the close does not enter the job wait, and the process ends
without the interpreter's teardown (seconds with torch loaded) once settings and locks are written."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app import worker as worker_mod


def test_closing_without_jobs_never_waits_on_the_job_path(window, monkeypatch):
    waited = []
    monkeypatch.setattr(worker_mod, "wait_all", lambda timeout_s=5.0, *a: waited.append(timeout_s) or True)
    monkeypatch.setattr(worker_mod.JobWorker, "wait", lambda self, t: waited.append(t) or True)
    assert worker_mod.running_workers() == []
    assert window.close() is True
    assert waited == []


def test_closing_with_a_job_still_waits_for_it(window, monkeypatch):
    """The bounded wait stays for running jobs (here a background job, which is not asked about)."""
    import threading
    import time

    from humanseg_core.jobs import Progress

    go, waited = threading.Event(), []
    real_wait_all = worker_mod.wait_all
    monkeypatch.setattr(worker_mod, "wait_all", lambda t=5.0, *a: waited.append(t) or real_wait_all(t, *a))

    def job(cancel):
        go.set()
        while not cancel.cancelled:
            yield Progress(0, 1, "working")
            time.sleep(0.01)

    w = worker_mod.JobWorker(job, name="Background")
    w.start()
    assert go.wait(5)
    assert window.close() is True
    assert waited and w._ended.is_set()


def test_the_program_ends_without_teardown_after_saving(scene_dir, qapp, monkeypatch, tmp_path):
    import app.main as main_mod
    import humanseg_core.process_end as end_mod

    calls = []
    monkeypatch.setattr(end_mod.atexit, "_run_exitfuncs", lambda: calls.append("atexit"))
    monkeypatch.setattr(end_mod.os, "_exit", lambda code: calls.append(("exit", code)))
    try:
        code = main_mod.main([str(scene_dir), "--quit-after", "300"], fast_exit=True)
    finally:
        qapp.setStyleSheet("")
    assert code == 0
    assert calls == ["atexit", ("exit", 0)]  # the exit handlers (project locks, logging) ran first


def test_no_fast_exit_while_a_job_still_runs(monkeypatch):
    import app.main as main_mod
    import humanseg_core.process_end as end_mod

    calls = []
    monkeypatch.setattr(worker_mod, "running_workers", lambda: [object()])  # it outlived the bounded wait
    monkeypatch.setattr(end_mod.os, "_exit", lambda code: calls.append(code))
    main_mod.exit_now(None, 0)
    assert calls == []
