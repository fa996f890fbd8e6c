"""Keep a window that grew within its screen: a walk's Generate Proposals window, grown by its summary after a
run, ended 60 px below a 1280x800 screen with its Close button out of reach."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def keep_on_screen(widget: QWidget) -> None:
    """No taller than the screen's available area, and moved up (never above its top) so that its bottom shows."""
    screen = widget.screen()
    if screen is None or not widget.isWindow():
        return
    avail = screen.availableGeometry()
    frame = widget.frameGeometry().height() - widget.height()  # the title bar, where a window manager draws one
    if widget.frameGeometry().height() > avail.height():
        widget.resize(widget.width(), max(widget.minimumHeight(), avail.height() - frame))
    over = widget.frameGeometry().bottom() - avail.bottom()
    if over > 0:
        widget.move(widget.x(), max(avail.top(), widget.y() - over))
