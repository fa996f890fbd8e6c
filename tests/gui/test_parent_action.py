"""Project ▸ Parent Network…: the studio says which parent network the project uses and takes another, checked
and copied on a worker, as `humanseg parent use` (ADR 0039)."""

from __future__ import annotations

import shutil

import pytest

from humanseg_core.prior.paths import DEFAULT_PARENT
from humanseg_core.workflows.parent_choice import project_parent


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    from test_review_loop import make_studio

    return make_studio(qtbot, tmp_path, monkeypatch)


def test_the_project_takes_a_parent_file_and_goes_back(qtbot, studio, tmp_path, monkeypatch):
    from app.review import parent_action

    window, ctrl = studio
    asked: list = []
    errors: list = []
    monkeypatch.setattr(parent_action, "show_error", lambda _w, title, text: errors.append(text))
    mine = tmp_path / "mine.pt"
    shutil.copy(DEFAULT_PARENT, mine)
    monkeypatch.setattr(parent_action.QFileDialog, "getOpenFileName", lambda *a, **k: (str(mine), ""))
    monkeypatch.setattr(ctrl, "ask_parent", lambda chosen, read_only: asked.append(chosen) or parent_action.CHOOSE)
    assert ctrl.act_parent.isEnabled() and ctrl.act_parent.text() == "&Parent Network…"
    ctrl.act_parent.trigger()
    qtbot.waitUntil(lambda: project_parent(ctrl.project).path is not None, timeout=10000)
    assert asked[0].path is None  # the question said the shipped one was in use
    chosen = project_parent(ctrl.project)
    assert chosen.path.parent == ctrl.project.folder.resolve() / "parent" and chosen.source == str(mine.resolve())
    qtbot.waitUntil(lambda: "now uses the project's own parent network" in window.statusBar().currentMessage())

    bad = tmp_path / "notes.pt"
    bad.write_text("not a network")
    worker = parent_action.parent_network(ctrl, file=str(bad))
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "notes.pt" in errors[0] and "The project keeps the project's own parent network" in errors[0]
    assert worker is not None and project_parent(ctrl.project) == chosen

    monkeypatch.setattr(ctrl, "ask_parent", lambda chosen, read_only: parent_action.SHIPPED)
    ctrl.act_parent.trigger()
    qtbot.waitUntil(lambda: project_parent(ctrl.project).path is None, timeout=10000)
    assert chosen.path.is_file()  # nothing deleted


def test_a_read_only_project_is_not_changed(qtbot, studio, tmp_path, monkeypatch):
    from app.review import parent_action

    window, ctrl = studio
    errors: list = []
    monkeypatch.setattr(parent_action, "show_error", lambda _w, title, text: errors.append(text))
    monkeypatch.setattr(ctrl, "read_only", True)
    assert parent_action.parent_network(ctrl, file=str(DEFAULT_PARENT)) is None
    assert "read-only" in errors[0] and project_parent(ctrl.project).path is None
