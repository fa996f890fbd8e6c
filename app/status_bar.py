"""The status bar: current frame and time, and the pixel and world coordinates under the cursor.

A message longer than the room left of those labels is elided in the middle (its start and end stay
readable) and the whole text is the bar's tooltip; ``currentMessage()`` gives the whole text."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from .timeline import format_time

MESSAGE_PAD = 32  # px between the message and the permanent labels (Qt's margins and spacing, measured: 30)


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame_label = QLabel("")
        self.cursor_label = QLabel("")
        self.frame_label.setMinimumWidth(220)
        self.cursor_label.setMinimumWidth(330)
        self.addPermanentWidget(self.cursor_label)
        self.addPermanentWidget(self.frame_label)
        self.cursor_label.hide()  # shown while the cursor is over the video: empty, its 330 px cut messages (a walk)
        self._full = ""  # the message as given
        self._shown = ""  # the message as drawn (elided to fit)
        self._until: float | None = None  # when a timed message goes (time.monotonic)
        self.messageChanged.connect(self._message_changed)

    # -- messages -----------------------------------------------------------------------------------
    def message_width(self) -> int:
        """The px a message has: the bar's width less the permanent labels on its right."""
        labels = (self.cursor_label, self.frame_label)
        used = sum(max(w.width(), w.minimumWidth(), w.sizeHint().width()) for w in labels if not w.isHidden())
        return max(40, self.width() - used - MESSAGE_PAD)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # Qt's name
        self._full = str(text)
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        self._show(timeout)

    def _show(self, timeout: int) -> None:
        self._shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.message_width())
        self.setToolTip(self._full if self._shown != self._full else "")
        super().showMessage(self._shown, timeout)

    def currentMessage(self) -> str:  # Qt's name: the whole message, not the elided one drawn
        shown = super().currentMessage()
        return self._full if shown and shown == self._shown else shown

    def _message_changed(self, shown: str) -> None:
        if not shown or shown != self._shown:  # the message went (timeout, clearMessage)
            self._full = self._shown = ""
            self.setToolTip("")

    def resizeEvent(self, event) -> None:  # Qt's name: elide the message again to the new width
        super().resizeEvent(event)
        self._refit()

    def _refit(self) -> None:
        """The message elided again to the room it has now (the bar resized, the cursor label shown or hidden)."""
        if self._full and super().currentMessage() == self._shown:
            left = 0 if self._until is None else int(1000 * (self._until - time.monotonic()))
            if self._until is None or left > 0:
                self._show(left)

    # -- frame and cursor ---------------------------------------------------------------------------
    def set_frame(self, frame: int | None, fps: float = 25.0, total: int = 0) -> None:
        if frame is None:
            self.frame_label.setText("")
            return
        self.frame_label.setText(f"Frame {frame}  ·  {format_time(frame / (fps or 25.0))}  ·  {total} frames")

    def set_cursor(self, u: float | None, v: float | None = None, world=None) -> None:
        """Cursor at image (u, v) and its world (x, y) in metres (None when unknown)."""
        if u is None or v is None:
            self.cursor_label.setText("")
            if not self.cursor_label.isHidden():
                self.cursor_label.hide()
                self._refit()
            return
        text = f"px ({u:.0f}, {v:.0f})"
        if world is not None and all(math.isfinite(c) for c in world):
            text += f"   world ({world[0]:.2f}, {world[1]:.2f}) m"
        self.cursor_label.setText(text)
        if self.cursor_label.isHidden():
            self.cursor_label.show()
            self._refit()
            QTimer.singleShot(0, self, self._refit)  # again once the bar has laid the label out
