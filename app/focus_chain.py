"""Tab and Shift+Tab over what is on screen: the controls of a right-hand tab another tab covers stay "visible" to
Qt, so its focus chain walked through them (a keyboard walk's focus sat on a covered tab's check box and "Run whole
scene", where a Space would act unseen). The next control is found along the chain and given the focus at once:
passing the focus through the covered ones made a covered list pick its first row (a re-walk's Fix tab then offered
"Looks right" for a frame nobody chose)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

MAX_STEPS = 2000  # widgets of the window's focus chain looked at, at most, in one Tab


def covered(widget: QWidget | None) -> bool:
    """Whether ``widget`` lies in a dock whose tab another tab covers (the window keeps ``on_screen`` on each)."""
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return widget.property("on_screen") is False
        widget = widget.parentWidget()
    return False


def _takes_tab(w: QWidget, window: QWidget) -> bool:
    """As Qt's own Tab picks a widget (tab focus, shown, enabled, no focus proxy), and not in a covered tab."""
    return (bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and w.isVisibleTo(window) and w.isEnabled()
            and w.focusProxy() is None and w.window() is window and not covered(w))


def step_on_screen(window: QWidget, forward: bool) -> bool | None:
    """Give the focus to the next (or previous) control on screen along ``window``'s focus chain; None when there
    is no focus to start from (Qt's own step then)."""
    start = QApplication.focusWidget()
    if start is None or start.window() is not window:
        return None
    w = start
    for _ in range(MAX_STEPS):
        w = w.nextInFocusChain() if forward else w.previousInFocusChain()
        if w is start:
            return False
        if _takes_tab(w, window):
            w.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
            return True
    return None
