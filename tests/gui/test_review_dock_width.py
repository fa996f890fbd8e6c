"""The Review tab keeps the layout's width when it comes in front: the window's default share (40 %) rounded a pixel
under the check's, so every project opened and every E widened it to half the window, and it stayed so (a walk on a
1366 px laptop: the video lost 137 px)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    from test_review_loop import make_studio

    return make_studio(qtbot, tmp_path, monkeypatch)


def test_the_default_share_is_kept_and_a_narrow_tab_widened(qtbot, studio):
    from app.panels import share_right_dock

    window, ctrl = studio
    window.resize(1366, 700)
    share_right_dock(window)
    qtbot.waitUntil(lambda: abs(ctrl.dock.width() - 0.4 * window.width()) < 40, timeout=3000)
    before = ctrl.dock.width()
    ctrl.show_panel()  # as a project opened or E pressed
    qtbot.wait(50)
    assert abs(ctrl.dock.width() - before) <= 2, (before, ctrl.dock.width())
    window.resize(2400, 900)  # a wide window, the tab dragged narrow (its minimum width allows it here)
    window.resizeDocks([ctrl.dock], [int(0.22 * window.width())], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: ctrl.dock.width() < 0.3 * window.width(), timeout=3000)
    ctrl.show_panel()  # left far narrower: made room for the review view
    qtbot.waitUntil(lambda: ctrl.dock.width() >= 0.45 * window.width(), timeout=3000)
