"""A long help text in a dialog that fits the screen: it scrolls rather than putting its OK button below the
screen's edge (a walk's Review keys box ran past the bottom of 1280x720 and 1400x900 screens)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

SCREEN_SHARE = 0.8  # of the screen's available height and width, at most


def text_dialog(parent: QWidget | None, title: str, html: str, markdown: bool = False) -> QDialog:
    """The dialog (not shown): ``html`` (markdown with ``markdown``) in a scrolling browser, an OK button, sized to
    its text within the screen."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    lay = QVBoxLayout(dialog)
    text = QTextBrowser(dialog)
    text.setOpenExternalLinks(False)
    if markdown:
        text.setMarkdown(html)
    else:
        text.setHtml(html)
    lay.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, parent=dialog)
    buttons.accepted.connect(dialog.accept)
    lay.addWidget(buttons)
    screen = (parent.screen() if parent is not None else None) or dialog.screen()
    avail = screen.availableGeometry() if screen is not None else None
    doc = text.document()
    doc.setTextWidth(720)
    want_w, want_h = 760, int(doc.size().height()) + 90
    if avail is not None:
        want_w = min(want_w, int(avail.width() * SCREEN_SHARE))
        want_h = min(want_h, int(avail.height() * SCREEN_SHARE))
    if parent is not None and parent.window().isVisible():  # within its window too: centred on it, it stood out
        frame = parent.window().geometry()  # above a 1920x1200 window on a 2560x1440 screen (a walk)
        want_w = min(want_w, max(400, int(frame.width() * SCREEN_SHARE)))
        want_h = min(want_h, max(300, int(frame.height() * SCREEN_SHARE)))
    dialog.resize(want_w, want_h)
    return dialog


def show_text(parent: QWidget | None, title: str, html: str) -> None:
    text_dialog(parent, title, html).exec()
