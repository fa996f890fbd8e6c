"""A window read-only because another window held its project takes it over once that window lets it go
(app/review/lock_follow.py; ADR 0036 amended): never under a running job, and an open Export dialog records its
exports from then on (a review of the takeover)."""

from __future__ import annotations

import threading

import pytest

from humanseg_core.jobs import Progress

pytestmark = pytest.mark.gui


def _held(qtbot, tmp_path, monkeypatch, older: bool):
    from test_replaced_results import _as_version_1
    from test_review_loop import make_studio

    from humanseg_core.project import lock
    from humanseg_core.project.lock import LockHolder

    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    folder = ctrl.project.folder
    ctrl.close_project()
    if older:
        _as_version_1(folder)
    monkeypatch.setattr(lock, "holder", lambda f: LockHolder(4242, "elsewhere"))
    monkeypatch.setattr(lock, "acquire", lambda f: LockHolder(4242, "elsewhere"))
    monkeypatch.setattr(ctrl, "warn_locked", lambda *a: None)
    assert ctrl.open_project(folder=folder) and ctrl.read_only
    return window, ctrl


def _let_go(monkeypatch) -> None:
    from humanseg_core.project import lock

    monkeypatch.setattr(lock, "holder", lambda f: None)
    monkeypatch.setattr(lock, "acquire", lambda f: None)


def test_an_older_schema_is_not_reopened_under_a_running_export(qtbot, tmp_path, monkeypatch):
    from app.review.lock_follow import take_over

    window, ctrl = _held(qtbot, tmp_path, monkeypatch, older=True)
    go, seen = threading.Event(), {}

    def job(project, pids, fmt, out, **kw):
        yield Progress(0, 1, "reading")
        go.wait(10)
        try:
            seen["counts"] = project.counts()  # what an export reads next: the project it was given, still open
        except Exception as exc:  # noqa: BLE001
            seen["error"] = repr(exc)
        yield Progress(1, 1, "done")
        return {"out": out, "persons": pids, "masks": 0}

    dlg = ctrl.export()
    qtbot.addWidget(dlg)
    dlg._export_job = job
    dlg.person_list.selectAll()
    dlg.out_edit.setText(str(tmp_path / "out"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.running, timeout=3000)
    held = ctrl.project
    _let_go(monkeypatch)
    assert not take_over(ctrl) and ctrl.project is held and ctrl.read_only  # waits for the job
    go.set()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert "error" not in seen, seen
    from app.worker import running_workers

    qtbot.waitUntil(lambda: not running_workers(project_only=True), timeout=5000)
    assert take_over(ctrl) and not ctrl.read_only and not ctrl.project.read_only  # then updated and editable


def test_an_export_dialog_open_read_only_records_its_exports_once_taken_over(qtbot, tmp_path, monkeypatch):
    from app.review.lock_follow import take_over

    window, ctrl = _held(qtbot, tmp_path, monkeypatch, older=False)
    dlg = ctrl.export()
    qtbot.addWidget(dlg)
    assert dlg.read_only
    _let_go(monkeypatch)
    assert take_over(ctrl) and not ctrl.read_only
    assert ctrl.export() is dlg and not dlg.read_only  # raised again, and its exports kept in the project now
