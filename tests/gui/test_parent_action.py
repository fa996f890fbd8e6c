"""Project ▸ Parent Network…: the studio says which parent network the project uses and takes another, checked
and copied on a worker, as `humanseg parent use` (ADR 0039)."""

from __future__ import annotations

import pytest
from fakes import parent_file

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
    mine = parent_file(tmp_path / "mine.pt")
    monkeypatch.setattr(parent_action.QFileDialog, "getOpenFileName", lambda *a, **k: (str(mine), ""))
    monkeypatch.setattr(ctrl, "ask_parent", lambda chosen, read_only: asked.append(chosen) or parent_action.CHOOSE)
    assert ctrl.act_parent.isEnabled() and ctrl.act_parent.text() == "&Parent Network…"
    ctrl.act_parent.trigger()
    qtbot.waitUntil(lambda: project_parent(ctrl.project).path is not None, timeout=10000)
    assert asked[0].path is None  # the question said the shipped one was in use
    chosen = project_parent(ctrl.project)
    assert chosen.path.parent == ctrl.project.folder.resolve() / "parent" and chosen.source == str(mine.resolve())
    said = f"Parent network: {chosen.path.name} from now on"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(said))

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
    mine = parent_file(tmp_path / "mine.pt")
    monkeypatch.setattr(ctrl, "read_only", True)
    assert parent_action.parent_network(ctrl, file=str(mine)) is None
    assert "read-only" in errors[0] and project_parent(ctrl.project).path is None


def test_the_editor_and_the_fix_tab_take_the_projects_parent(qtbot, studio, tmp_path, monkeypatch):
    from app.review.correction_text import retrain_job
    from app.review.label_here import _warm_parent
    from humanseg_core.osvos import nets_parent
    from humanseg_core.proposals import parent_masks
    from humanseg_core.workflows import correction
    from humanseg_core.workflows.parent_choice import choose_parent

    window, ctrl = studio
    mine = parent_file(tmp_path / "mine.pt")
    copy = choose_parent(ctrl.project, mine).path
    loads: list = []
    monkeypatch.setattr(parent_masks, "shared_parent", lambda path=None: loads.append(path))
    _warm_parent(ctrl.panel)  # the first click's network, loaded ahead
    qtbot.waitUntil(lambda: loads == [str(copy)], timeout=5000)
    asked: list = []
    monkeypatch.setattr(nets_parent, "default_model", lambda path=None: asked.append(path) or ("osvos-parent", None))
    monkeypatch.setattr(correction, "retrain_from_here", lambda *a: iter(()))
    list(retrain_job(ctrl.project, 1, [], 5.0))  # Fix ▸ Retrain from here: its model chosen by the project's parent
    assert asked == [str(copy)]


def test_a_missing_copy_is_said_in_the_problems_strip(qtbot, studio, tmp_path):
    from humanseg_core.workflows.parent_choice import choose_parent

    window, ctrl = studio
    copy = choose_parent(ctrl.project, parent_file(tmp_path / "mine.pt")).path
    folder = ctrl.project.folder
    ctrl.close_project()
    copy.unlink()
    assert ctrl.open_project(folder=folder)
    qtbot.waitUntil(lambda: ctrl.problems.isVisible(), timeout=3000)
    assert any("the project's parent network is missing" in w and "`" not in w for w in ctrl.problems.warnings())


def test_the_questions_default_is_close(qtbot, studio):
    """A keyboard walk opened Parent Network… to read which parent is used: Enter opened a file dialog."""
    from app.review.parent_action import parent_box

    window, ctrl = studio
    for read_only in (False, True):
        box, pick, back = parent_box(window, project_parent(ctrl.project), read_only)
        qtbot.addWidget(box)
        close = box.defaultButton()
        assert close is not None and close is not pick and box.buttonRole(close) == box.ButtonRole.RejectRole
        assert box.escapeButton() is close and back is None and pick.isEnabled() is not read_only
