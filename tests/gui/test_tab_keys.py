"""Ctrl+Tab / Ctrl+Shift+Tab bring the next / previous right-hand tab to the front (a keyboard walk found only
View ▸ Panels for it)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_ctrl_tab_steps_through_the_right_hand_tabs(qtbot):
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.panels import install_panels
    from app.tab_keys import step_tab

    window = install_panels(MainWindow())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    nxt, prev = window.tab_keys
    assert nxt.shortcut().toString() == "Ctrl+Tab" and prev.shortcut().toString() == "Ctrl+Shift+Tab"
    assert nxt in window._panels_menu.actions()
    seen, focused = [], []
    for _ in range(3):
        dock = step_tab(window, 1)
        qtbot.wait(20)
        seen.append(dock.windowTitle())
        assert dock.property("on_screen") is not False
        focused.append(dock.isAncestorOf(QApplication.focusWidget()))
    assert len(set(seen)) == 3 and any(focused)  # three different tabs in turn, the keyboard in them
    back = step_tab(window, -1)
    qtbot.wait(20)
    assert back.windowTitle() == seen[-2]


def test_a_focused_tab_bars_arrows_pick_its_tabs_not_video_frames(opened, qtbot):
    """A keyboard walk tabbed to a dock's tab bar and pressed Right: the video stepped a frame, the tab stayed."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    from app.panels import install_panels

    window = install_panels(opened)
    window.resize(1280, 800)
    qtbot.wait(50)
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and b.count() > 1]
    assert bars
    bar = bars[0]
    bar.setCurrentIndex(0)
    bar.setFocus()
    qtbot.waitUntil(bar.hasFocus, timeout=5000)
    frame = window.current_frame
    qtbot.keyClick(bar, Qt.Key.Key_Right)
    assert bar.currentIndex() == 1 and window.current_frame == frame
    qtbot.keyClick(bar, Qt.Key.Key_Left)
    assert bar.currentIndex() == 0 and window.current_frame == frame
    window.set_frame(window.frames.indices[3])
    frame = window.current_frame
    qtbot.keyClick(bar, Qt.Key.Key_End)  # its last tab, and Home its first: the video stays (a re-walk)
    assert bar.currentIndex() == bar.count() - 1 and window.current_frame == frame
    qtbot.keyClick(bar, Qt.Key.Key_Home)
    assert bar.currentIndex() == 0 and window.current_frame == frame
    window.setFocus()
    window.timeline.act_next.trigger()  # elsewhere Right is the timeline's still
    qtbot.waitUntil(lambda: window.current_frame != frame, timeout=5000)
