"""Zoom on person (playback): the frame view follows the selected person's track point at a zoom that fits
the person's expected height; checked through the view's visible image rectangle."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.frame_view import FrameView
from app.segmentation.playback_panel import FOLLOW_HEIGHTS, FOLLOW_HEIGHTS_UNKNOWN, PlaybackPanel

H, W = 240, 320
HEIGHT_PX = 60.0


def track(frame):
    return (100.0 + 10 * frame, 150.0, HEIGHT_PX) if 0 <= frame <= 8 else None


@pytest.fixture
def rig(qtbot):
    host = QWidget()
    view = FrameView()
    panel = PlaybackPanel(view, read_frame=lambda f: np.zeros((H, W, 3), np.uint8))
    lay = QHBoxLayout(host)
    lay.addWidget(view, 1)
    lay.addWidget(panel)
    qtbot.addWidget(host)
    host.resize(900, 400)
    host.show()
    qtbot.waitExposed(host)
    view.set_frame(np.zeros((H, W, 3), np.uint8))
    panel.set_video(range(10), 10.0)
    panel.set_locator(track)
    yield panel, view
    host.close()  # the fixture holds the host: collected early, it would delete the panel and the view


def centre(rect):
    return rect.center().x(), rect.center().y()


def test_zoom_on_person_follows_the_track_point_at_the_expected_height(rig):
    panel, view = rig
    panel.show_frame(2)
    whole = view.visible_image_rect()
    assert whole.height() >= H - 1  # not following yet: the whole frame
    panel.zoom.setChecked(True)
    rect = view.visible_image_rect()
    assert rect.height() == pytest.approx(FOLLOW_HEIGHTS_UNKNOWN * HEIGHT_PX, rel=0.08)
    assert centre(rect) == pytest.approx((120.0, 150.0), abs=2.0)
    assert view.zoom() > 1.5 * whole.height() / H
    panel.show_frame(6)  # the view moves with the person
    assert centre(view.visible_image_rect()) == pytest.approx((160.0, 150.0), abs=2.0)


def test_a_mask_tells_where_the_body_is_and_the_zoom_tightens(rig):
    panel, view = rig
    mask = np.zeros((H, W), bool)
    mask[100:160, 130:150] = True  # the body's centre 20 px above the track point (feet annotated)
    panel.set_masks("results", {3: mask})
    panel.zoom.setChecked(True)
    panel.show_frame(3)
    rect = view.visible_image_rect()
    assert rect.height() == pytest.approx(FOLLOW_HEIGHTS * HEIGHT_PX, rel=0.08)
    assert centre(rect) == pytest.approx((130.0, 130.0), abs=2.0)
    panel.show_frame(5)  # no mask there: the learnt offset keeps the body in the middle
    assert centre(view.visible_image_rect()) == pytest.approx((150.0, 130.0), abs=2.0)


def test_unchecking_fits_the_frame_again_and_a_hidden_panel_leaves_the_view_alone(rig):
    panel, view = rig
    panel.zoom.setChecked(True)
    panel.show_frame(1)
    assert view.visible_image_rect().height() < 0.7 * H
    panel.zoom.setChecked(False)
    assert view.visible_image_rect().height() >= H - 1
    panel.zoom.setChecked(True)
    panel.hide()
    view.fit()
    panel.show_frame(4)
    assert view.visible_image_rect().height() >= H - 1
    assert panel.person_region() is not None
    panel.show_frame(9)  # off the track and no mask: nothing to follow
    assert panel.person_region() is None


def test_the_studio_zooms_on_the_selected_person_in_playback(window, zoomed_play, gen):
    rect = window.frame_view.visible_image_rect()
    u, v = window.scene.position_px(1, 10)
    assert (u, v) == pytest.approx((80, 70), abs=0.5)
    assert rect.contains(u, v) and rect.height() < gen.HEIGHT / 2
    window.set_frame(20)
    u2, v2 = window.scene.position_px(1, 20)
    assert centre(window.frame_view.visible_image_rect()) == pytest.approx((u2, v2), abs=2.0)


def test_a_mask_on_a_neighbour_above_keeps_the_track_point_in_the_window(rig):
    """A crowd walk: a person's mask lay on a neighbour, and the window followed it until the person's own marker
    sat at the bottom edge."""
    panel, view = rig
    mask = np.zeros((H, W), bool)
    mask[10:70, 130:150] = True  # 110 px above the track point: nearly two heights
    panel.set_masks("results", {3: mask})
    panel.zoom.setChecked(True)
    panel.show_frame(3)
    rect = view.visible_image_rect()
    assert rect.top() < 130.0 and rect.bottom() >= 150.0 + 0.2 * HEIGHT_PX - 2  # the point 0.2 heights inside
