"""Person numbers on the video do not cover each other nor the selected person's ring (a walk read "14 143" where
person 142's number lay under 143's), and stay in the view at its edges."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from app.track_overlay import SELECTED_RING, TrackOverlay


def _boxes(overlay, positions, selected=None):
    overlay._positions = dict(positions)
    overlay._selected = selected
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        return overlay._place_labels(painter, list(positions))
    finally:
        painter.end()


def test_labels_of_persons_side_by_side_do_not_overlap(qtbot):
    overlay = TrackOverlay()
    crowd = {142: (100.0, 100.0), 143: (112.0, 99.0), 144: (124.0, 101.0), 145: (106.0, 112.0)}
    boxes = _boxes(overlay, crowd)
    placed = list(boxes.values())
    assert all(not a.intersects(b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert all(QRectF(0, 0, 400, 300).contains(b) for b in placed)


def test_no_label_covers_the_selected_ring_and_edges_keep_them_in_view(qtbot):
    overlay = TrackOverlay()
    crowd = {7: (200.0, 150.0), 8: (214.0, 140.0), 9: (178.0, 176.0)}  # 9: its usual place is on the ring
    boxes = _boxes(overlay, crowd, selected=7)
    r = SELECTED_RING + 4.0
    ring = QRectF(200 - r, 150 - r, 2 * r, 2 * r)
    assert not boxes[8].intersects(ring) and not boxes[9].intersects(ring)
    edge = _boxes(overlay, {3: (398.0, 2.0)})
    assert QRectF(0, 0, 400, 300).contains(edge[3])


def test_trails_are_drawn_on_the_image_alone(qtbot):
    """A walk's trails (another scene's homography) ran far over the grey around the image."""
    from types import SimpleNamespace

    import numpy as np
    from PySide6.QtGui import QColor

    uv = np.array([[20.0, 20.0], [60.0, 30.0], [180.0, 40.0]])  # from inside the 100x50 image to far right of it
    scene = SimpleNamespace(trajectories=SimpleNamespace(pids=[5]), frames=SimpleNamespace(width=100, height=50),
                            pixel_track=lambda pid: (np.array([0, 10, 20]), uv))
    overlay = TrackOverlay()
    overlay.set_scene_data(scene)
    overlay._positions = {5: (20.0, 20.0)}  # in view at this frame: its marker and its trail
    overlay.show_labels = False
    image = QImage(200, 60, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    try:
        overlay.paint(painter, None)
        assert not painter.hasClipping()  # the markers and labels painted after the trails are not cut
    finally:
        painter.end()
    alpha = np.array([[image.pixelColor(x, y).alpha() for x in range(200)] for y in range(60)])
    assert alpha[:50, :100].any()  # the trail on the image
    assert not alpha[:, 102:].any() and not alpha[51:, :].any()  # and nothing beyond it
