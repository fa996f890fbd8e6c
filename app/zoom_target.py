"""View ▸ Zoom In / Zoom Out (Ctrl++ / Ctrl+-) zoom the view the analyst works in: the Review view when the focus
or the pointer is in the Review panel (a walk pressed Ctrl++ in the mask editor and the video zoomed), else the
video."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from .review.proposal_view import ZOOM_STEP


def zoom_views(window, zoom_in: bool) -> None:
    """Zoom the Review view or the video (see the module)."""
    panel = getattr(getattr(window, "review", None), "panel", None)
    focus = QApplication.focusWidget()
    in_review = panel is not None and panel.isVisible() and (
        (focus is not None and (focus is panel or panel.isAncestorOf(focus))) or panel.underMouse())
    if in_review:
        panel.view.zoom_by(ZOOM_STEP if zoom_in else 1.0 / ZOOM_STEP)
    else:
        (window.frame_view.zoom_in if zoom_in else window.frame_view.zoom_out)()
