"""The studio's dock layout (which panels are open, tabbed, floating, their sizes), saved in the settings
when the window closes and restored when the studio starts.  The window's size is not restored: it always
opens fitted to the screen (``panels.fit_to_screen``), and a saved layout that cannot fit the screen (its
panels stacked one above another need more height than the screen has) is not restored."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

STATE_KEY = "window/dock_state"
STATE_VERSION = 1  # raise when the docks change so much that an old layout no longer makes sense


def save_layout(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue(STATE_KEY, window.saveState(STATE_VERSION))
    settings.sync()


def restore_layout(window: QMainWindow, settings: QSettings) -> bool:
    """Restore the saved layout; False (and the default layout kept) when none is saved, it does not match
    these docks, or it would make the window larger than the screen."""
    state = settings.value(STATE_KEY)
    if not isinstance(state, QByteArray) or state.isEmpty():
        return False
    default = window.saveState(STATE_VERSION)
    if not window.restoreState(state, STATE_VERSION):
        return False
    if _fits_screen(window):
        window.setProperty("layout_restored", True)  # (panels.RESTORED: the first share of the docks is left)
        return True
    window.restoreState(default, STATE_VERSION)
    return False


def _fits_screen(window: QMainWindow) -> bool:
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return True
    need, avail = window.minimumSizeHint(), screen.availableGeometry()
    return need.width() <= avail.width() and need.height() <= avail.height()
