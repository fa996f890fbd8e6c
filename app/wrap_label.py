"""A word-wrapped label that keeps the height its text needs at its width: in a dock the layout had given the Review
panel's info line its three-line floor while a long note wrapped to a fourth, cut in half (a walk)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel


class WrapLabel(QLabel):
    """A rich-text label wrapped at its width, at least ``lines`` lines high, and as high as its text needs."""

    def __init__(self, lines: int = 1, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._floor = lines * self.fontMetrics().lineSpacing() + 2

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        need = max(self._floor, self._text_height(self.width()) if self.width() > 0 else 0)
        if self.minimumHeight() != need:
            self.setMinimumHeight(need)

    def _text_height(self, width: int) -> int:
        """The height the text takes wrapped at ``width`` (QLabel's own heightForWidth counts its minimum height,
        which would never let it shrink back)."""
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(0)
        doc.setHtml(self.text()) if self.textFormat() != Qt.TextFormat.PlainText else doc.setPlainText(self.text())
        margins = self.contentsMargins()
        doc.setTextWidth(max(1, width - margins.left() - margins.right() - 2 * self.margin()))
        return int(doc.size().height() + 0.999) + margins.top() + margins.bottom() + 2 * self.margin() + 2
