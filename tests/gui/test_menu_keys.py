"""The keys help (F1) lists every key of the window's menus too: a walk on a laptop found Space, the frame keys,
Ctrl+G and Ctrl+E nowhere in it, and the menus themselves show one key a command."""

from __future__ import annotations

import pytest


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    from test_review_loop import make_studio

    return make_studio(qtbot, tmp_path, monkeypatch)


def test_the_keys_help_lists_every_menu_key(studio, monkeypatch):
    from app import text_dialog
    from app.menu_keys import menu_key_rows

    window, ctrl = studio
    rows = dict((what, keys) for keys, what in menu_key_rows(window))
    assert rows["Project ▸ Generate Proposals…"] == "Ctrl+G" and rows["Project ▸ Export Masks…"] == "Ctrl+E"
    assert "+" in rows["View ▸ Zoom In"].split(" / ") and "Ctrl+0" in rows["View ▸ Fit"].split(" / ")
    assert any(what.startswith("Go ▸ ") for what in rows)  # the frame keys
    rows = dict((what, keys) for keys, what in menu_key_rows(window, ctrl.review_actions))
    assert rows["Review ▸ Review Keys…"] == "F1" and rows["Review ▸ Show Review Panel"] == "Ctrl+R"
    assert not any(what in ("Review ▸ Accept", "Review ▸ Reject") for what in rows)  # the review's own tables say those
    shown: list = []
    monkeypatch.setattr(text_dialog, "show_text", lambda parent, title, html: shown.append(html))
    keys_action = next(a for a in ctrl.window.actions() if a.text() == "Review &Keys…")
    assert keys_action.shortcut().toString() == "F1"
    keys_action.trigger()
    assert "The window's menus" in shown[0] and "Project ▸ Generate Proposals…" in shown[0]


def test_project_menu_brings_the_whole_scene_tab(window, qtbot):
    from app.panels import install_panels

    install_panels(window)
    window.show()
    scene = window.scene_run
    window.review.show_panel()  # another tab in front
    assert scene.menu_action.shortcut().toString() == "Ctrl+Shift+W"
    [project] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Project"]
    names = [a.text() for a in project.actions()]
    assert names.index("&Whole Scene…") == names.index("&Generate Proposals…") + 1
    scene.menu_action.trigger()
    qtbot.waitUntil(lambda: scene.dock.property("on_screen") is True, timeout=3000)
