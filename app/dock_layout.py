"""The studio's dock layout (which panels are open, tabbed, floating, their sizes), saved in the settings
when the window closes and restored when the studio starts.  The window's size is not restored: it always
opens fitted to the screen (``panels.fit_to_screen``)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

STATE_KEY = "window/dock_state"
STATE_VERSION = 1  # raise when the docks change so much that an old layout no longer makes sense


def save_layout(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue(STATE_KEY, window.saveState(STATE_VERSION))
    settings.sync()


def restore_layout(window: QMainWindow, settings: QSettings) -> bool:
    """Restore the saved layout; False (and the default layout kept) when none is saved or it does not fit."""
    state = settings.value(STATE_KEY)
    if not isinstance(state, QByteArray) or state.isEmpty():
        return False
    return bool(window.restoreState(state, STATE_VERSION))
