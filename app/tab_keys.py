"""Ctrl+Tab and Ctrl+Shift+Tab bring the next or previous right-hand tab to the front, the keyboard in it (a keyboard
walk found only View ▸ Panels for it: the tab bar's arrows step the video, Ctrl+Tab did nothing)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QTabBar, QWidget


def install_tab_keys(window) -> list[QAction]:
    """The two window-wide actions, also under View ▸ Panels (where the F1 key list finds them)."""
    acts = []
    for text, key, step in (("&Next Panel Tab", "Ctrl+Tab", 1), ("Pre&vious Panel Tab", "Ctrl+Shift+Tab", -1)):
        act = QAction(text, window)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _=False, s=step: step_tab(window, s))
        window.addAction(act)
        acts.append(act)
    menu = getattr(window, "_panels_menu", None)
    if menu is not None:
        menu.addSeparator()
        menu.addActions(acts)
    return acts


def step_tab(window, step: int) -> QDockWidget | None:
    """Raise the tab ``step`` away from the current one of the right-hand group; the keyboard goes into it."""
    right = {d.windowTitle(): d for d in window.findChildren(QDockWidget)
             if window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea and not d.isFloating()}
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and b.count() > 1
            and all(b.tabText(i) in right for i in range(b.count()))]
    if not bars:
        return None
    bar = max(bars, key=QTabBar.count)
    dock = right[bar.tabText((bar.currentIndex() + step) % bar.count())]
    dock.raise_()
    first = next((w for w in dock.widget().findChildren(QWidget)
                  if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus), None)
    if first is not None:
        first.setFocus(Qt.FocusReason.TabFocusReason)
    return dock
