"""View ▸ Zoom In / Out zoom the view the analyst works in (a walk pressed Ctrl++ in the mask editor and the
video zoomed)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_zoom_keys_zoom_the_review_view_when_it_has_the_focus(qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QAction
    from test_review_loop import make_studio

    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, proposed=(10,))
    window.review = ctrl  # as app.panels installs it
    window.select_person(1)
    ctrl.show_panel()
    panel = ctrl.panel
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    zoom_in = next(a for a in window.findChildren(QAction) if a.text() == "Zoom &In")
    panel.view.setFocus()
    qtbot.waitUntil(lambda: panel.view.hasFocus(), timeout=2000)
    video_before = window.frame_view.image_to_viewport(100, 100)
    review_before = panel.view.zoom
    zoom_in.trigger()
    assert panel.view.zoom == pytest.approx(review_before * 1.25)
    assert window.frame_view.image_to_viewport(100, 100) == video_before  # the video stays as it was
    window.frame_view.setFocus()
    qtbot.waitUntil(lambda: window.frame_view.hasFocus(), timeout=2000)
    zoom_in.trigger()
    assert window.frame_view.image_to_viewport(100, 100) != video_before
    assert panel.view.zoom == pytest.approx(review_before * 1.25)
