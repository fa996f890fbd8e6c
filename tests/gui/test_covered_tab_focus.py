"""A panel whose tab another covers keeps no keyboard focus: a walk raised the Play tab after reviewing, and Right
stepped the covered Review tab's proposals (5335 -> 5340 -> 5350) instead of the video's frames."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_covering_a_tab_gives_the_focus_inside_it_to_the_video(window, qtbot):
    from PySide6.QtWidgets import QApplication, QLineEdit

    first, second = QLineEdit(), QLineEdit()
    dock_a, dock_b = window.add_panel("A", first), window.add_panel("B", second)
    window.tabifyDockWidget(dock_a, dock_b)
    dock_a.raise_()
    qtbot.waitUntil(lambda: dock_a.property("on_screen") is True, timeout=2000)
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=2000)
    dock_b.raise_()  # B's tab covers A's
    qtbot.waitUntil(lambda: dock_a.property("on_screen") is False, timeout=2000)
    assert QApplication.focusWidget() is window.frame_view
    from PySide6.QtCore import Qt

    elsewhere = QLineEdit()
    window.add_panel("C", elsewhere, Qt.DockWidgetArea.BottomDockWidgetArea)
    elsewhere.setFocus()  # the focus outside the covered tab: left where it is
    qtbot.waitUntil(lambda: QApplication.focusWidget() is elsewhere, timeout=2000)
    dock_a.raise_()
    qtbot.waitUntil(lambda: dock_b.property("on_screen") is False, timeout=2000)
    assert QApplication.focusWidget() is elsewhere
