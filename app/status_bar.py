"""The status bar: current frame and time, and the pixel and world coordinates under the cursor."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel, QStatusBar

from .timeline import format_time


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame_label = QLabel("")
        self.cursor_label = QLabel("")
        self.frame_label.setMinimumWidth(220)
        self.cursor_label.setMinimumWidth(330)
        self.addPermanentWidget(self.cursor_label)
        self.addPermanentWidget(self.frame_label)

    def set_frame(self, frame: int | None, fps: float = 25.0, total: int = 0) -> None:
        if frame is None:
            self.frame_label.setText("")
            return
        self.frame_label.setText(f"Frame {frame}  ·  {format_time(frame / (fps or 25.0))}  ·  {total} frames")

    def set_cursor(self, u: float | None, v: float | None = None, world=None) -> None:
        """Cursor at image (u, v) and its world (x, y) in metres (None when unknown)."""
        if u is None or v is None:
            self.cursor_label.setText("")
            return
        text = f"px ({u:.0f}, {v:.0f})"
        if world is not None and all(math.isfinite(c) for c in world):
            text += f"   world ({world[0]:.2f}, {world[1]:.2f}) m"
        self.cursor_label.setText(text)
