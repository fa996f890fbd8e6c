"""Stable, well separated colours per person id (the same pid always gets the same colour)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor

_GOLDEN = 0.618033988749895


@lru_cache(maxsize=4096)
def person_rgb(pid: int) -> tuple[int, int, int]:
    """An (r, g, b) colour for ``pid``: hues spread by the golden ratio, saturated and bright."""
    hue = (0.11 + _GOLDEN * int(pid)) % 1.0
    # alternate the value a little so neighbouring hues stay apart on a dark or light background
    value = 255 if int(pid) % 2 == 0 else 225
    c = QColor.fromHsv(int(hue * 359), 230, value)
    return c.red(), c.green(), c.blue()


def person_color(pid: int, alpha: int = 255) -> QColor:
    """The person's colour as a QColor (optionally translucent)."""
    r, g, b = person_rgb(pid)
    return QColor(r, g, b, alpha)


def contrast_text(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()
    return QColor(0, 0, 0) if luminance > 150 else QColor(255, 255, 255)
