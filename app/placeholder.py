"""The picture shown for a frame that cannot be read: never the previous frame under the current markers.

The hatched field replaces the frame; the message naming the frame and the problem is a separate image
(:func:`message_image`) that the window draws above every overlay, so the persons' markers and numbers never
cover it (students03: 24 persons in view hid 'Frame 4010 cannot be read')."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

BACKGROUND = QColor(58, 22, 22)  # dark red: nothing like a video frame
STRIPE = QColor(110, 40, 40)


def placeholder_image(width: int, height: int, text: str = "") -> QImage:
    """A ``width`` x ``height`` image: a dark red hatched field, a cross and ``text`` (if any) in the middle."""
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_RGB32)
    image.fill(BACKGROUND)
    p = QPainter(image)
    p.setPen(QPen(STRIPE, 2))
    for x in range(-height, width, 24):
        p.drawLine(x, 0, x + height, height)
    p.setPen(QPen(QColor(200, 80, 80), 3))
    p.drawLine(0, 0, width, height)
    p.drawLine(width, 0, 0, height)
    if text:
        _draw_message(p, width, height, text)
    p.end()
    return image


def unreadable_text(index: int, message: str) -> str:
    """The words over an unreadable frame: a title naming the frame, then the file and the problem on lines of
    their own, without the reader's repetitions ("frame 8050:" again, "; the frame is skipped", which is said of
    a job's frames, not of a frame looked at; a walk read all of it on one wrapped line)."""
    text = message.replace(f"frame {index}: ", "", 1).removesuffix("; the frame is skipped")
    where, sep, problem = text.partition(": ")
    lines = [where, problem] if sep and ("/" in where or "\\" in where) else [text]
    return "\n".join([f"Frame {index} cannot be read", *lines])


def message_image(width: int, height: int, text: str) -> QImage:
    """A transparent ``width`` x ``height`` image holding only the message box with ``text``."""
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    _draw_message(p, width, height, text)
    p.end()
    return image


def _draw_message(p: QPainter, width: int, height: int, text: str) -> None:
    font = QFont()
    font.setPixelSize(max(12, height // 30))
    font.setBold(True)
    p.setFont(font)
    box = QRect(width // 10, height // 3, width * 8 // 10, height // 3)
    p.fillRect(box, QColor(0, 0, 0, 225))
    p.setPen(QColor(255, 230, 230))
    p.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
