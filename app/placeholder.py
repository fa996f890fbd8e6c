"""The picture shown for a frame that cannot be read: never the previous frame under the current markers."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

BACKGROUND = QColor(58, 22, 22)  # dark red: nothing like a video frame
STRIPE = QColor(110, 40, 40)


def placeholder_image(width: int, height: int, text: str) -> QImage:
    """A ``width`` x ``height`` image: a dark red hatched field, a cross and ``text`` in the middle."""
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_RGB32)
    image.fill(BACKGROUND)
    p = QPainter(image)
    p.setPen(QPen(STRIPE, 2))
    for x in range(-height, width, 24):
        p.drawLine(x, 0, x + height, height)
    p.setPen(QPen(QColor(200, 80, 80), 3))
    p.drawLine(0, 0, width, height)
    p.drawLine(width, 0, 0, height)
    font = QFont()
    font.setPixelSize(max(12, height // 30))
    font.setBold(True)
    p.setFont(font)
    box = QRect(width // 10, height // 3, width * 8 // 10, height // 3)
    p.fillRect(box, QColor(0, 0, 0, 190))
    p.setPen(QColor(255, 230, 230))
    p.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
    p.end()
    return image
