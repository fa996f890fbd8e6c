"""Tab and Shift+Tab over what is on screen: the controls of a right-hand tab another tab covers stay "visible" to
Qt, so its focus chain walked through them (a keyboard walk's focus sat on a covered tab's check box and "Run whole
scene", where a Space would act unseen)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

MAX_STEPS = 400  # the window's focus chain, at most, in one Tab


def covered(widget: QWidget | None) -> bool:
    """Whether ``widget`` lies in a dock whose tab another tab covers (the window keeps ``on_screen`` on each)."""
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return widget.property("on_screen") is False
        widget = widget.parentWidget()
    return False


def step_on_screen(step: Callable[[], bool]) -> bool:
    """Run Qt's own focus ``step`` (one Tab or Shift+Tab) until the focus lands on a control that is on screen."""
    start = QApplication.focusWidget()
    for _ in range(MAX_STEPS):
        if not step():
            return False
        now = QApplication.focusWidget()
        if not covered(now) or now is start:
            return True
    return True
