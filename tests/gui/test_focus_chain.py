"""Tab walks what is on screen: a right-hand tab covered by another keeps its controls out of the focus chain (a
keyboard walk's focus sat on a covered tab's check box and "Run whole scene", where a Space would act unseen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_tab_skips_the_controls_of_a_covered_tab(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

    def panel(name):
        w = QWidget()
        lay = QVBoxLayout(w)
        buttons = [QPushButton(f"{name} {i}") for i in range(2)]
        for b in buttons:
            lay.addWidget(b)
        return w, buttons

    front_w, front = panel("front")
    back_w, back = panel("back")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QListWidget

    rows = QListWidget()  # a covered list given the focus would pick its first row (a re-walk's Fix tab)
    rows.addItems(["167", "145"])
    back_w.layout().addWidget(rows)
    focus_ins = []

    class Spy(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.FocusIn:
                focus_ins.append(obj)
            return False

    spy = Spy()
    for w in (*back, rows):
        w.installEventFilter(spy)
    back_dock = window.add_panel("Back", back_w)
    front_dock = window.add_panel("Front", front_w)
    window.tabifyDockWidget(back_dock, front_dock)
    qtbot.wait(50)
    front_dock.raise_()
    qtbot.waitUntil(lambda: back_dock.property("on_screen") is False, timeout=2000)
    front[0].setFocus()
    qtbot.waitUntil(front[0].hasFocus, timeout=2000)
    seen = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert front[1] in seen and not any(b in seen for b in back)
    assert focus_ins == [] and rows.currentRow() == -1  # not even passed through
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert focus_ins == [] and rows.currentRow() == -1
    back_dock.raise_()  # the other tab in front: its controls are Tab's again
    qtbot.waitUntil(lambda: back_dock.property("on_screen") is True, timeout=2000)
    back[0].setFocus()
    qtbot.keyClick(back[0], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is back[1]
