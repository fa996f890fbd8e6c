"""The studio's dock layout (which panels are open, tabbed, floating, their sizes) and window geometry,
saved in the settings when the window closes and restored when the studio starts."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

STATE_KEY = "window/dock_state"
GEOMETRY_KEY = "window/geometry"
STATE_VERSION = 1  # raise when the docks change so much that an old layout no longer makes sense


def save_layout(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue(STATE_KEY, window.saveState(STATE_VERSION))
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.sync()


def restore_layout(window: QMainWindow, settings: QSettings) -> bool:
    """Restore the saved layout; False (and the default layout kept) when none is saved or it does not fit."""
    geometry, state = settings.value(GEOMETRY_KEY), settings.value(STATE_KEY)
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    if not isinstance(state, QByteArray) or state.isEmpty():
        return False
    return bool(window.restoreState(state, STATE_VERSION))
