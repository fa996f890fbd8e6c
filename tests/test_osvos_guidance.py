"""Crop windows around the track point: geometry fit, crop/paste round trip (edges too), suppression."""

import numpy as np
import pytest

from humanseg_core.errors import HumansegError
from humanseg_core.osvos.guidance import (
    CropGeometry,
    crop,
    fit_geometry,
    keep_track_regions,
    mask_box,
    paste,
    prior_map,
)

W, H = 320, 240


def _person(cx, cy, w=20, h=50):
    m = np.zeros((H, W), bool)
    yy, xx = np.ogrid[:H, :W]
    m[((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2 <= 1] = True
    return m


def _iou(a, b):
    return (a & b).sum() / max(1, (a | b).sum())


def test_fit_geometry_recovers_offset_and_size():
    # Track point at the head: the box centre lies 25 px below it.
    masks = {f: _person(60 + 10 * f, 120) for f in range(5)}
    track = {f: (60 + 10 * f, 95.0) for f in range(5)}
    g = fit_geometry(masks, track.get)
    assert g.dx == pytest.approx(0, abs=1)
    assert g.dy == pytest.approx(25, abs=1)
    assert g.box_h == pytest.approx(51, abs=2)
    cx, cy, w, h = g.window((200, 100))
    assert (cx, cy) == pytest.approx((200, 125), abs=1)
    assert h == pytest.approx(1.6 * g.box_h, rel=0.05) and w / h == pytest.approx(96 / 128)


def test_fit_geometry_without_usable_masks_is_a_clear_error():
    with pytest.raises(HumansegError, match="person 7"):
        fit_geometry({3: _person(50, 50)}, lambda f: None, pid=7)


@pytest.mark.parametrize("centre", [(160, 120), (8, 20), (W - 5, H - 10), (W - 15, 12)])
def test_crop_and_paste_round_trip_the_geometry(centre):
    mask = _person(*centre) & True
    g = CropGeometry(dx=0, dy=0, box_w=20, box_h=50, v_ref=120)
    m = g.matrix(centre)
    c = crop(mask.astype(np.float32), m, g.in_w, g.in_h)
    back = paste(c, m, W, H) >= 0.5
    assert mask.sum() > 0
    assert _iou(back, mask) > 0.9
    # Nothing outside the window comes back.
    cx, cy, ww, hh = g.window(centre)
    ys, xs = np.nonzero(back)
    assert (abs(xs - cx) <= ww / 2 + 1).all() and (abs(ys - cy) <= hh / 2 + 1).all()


def test_crop_pads_outside_the_image():
    img = np.full((H, W, 3), 200, np.uint8)
    g = CropGeometry(dx=0, dy=0, box_w=20, box_h=50, v_ref=120)
    c = crop(img, g.matrix((0, 0)), g.in_w, g.in_h)
    assert c.shape == (128, 96, 3) and (c == 200).all()  # edge replicated, no garbage


def test_prior_peaks_at_the_expected_centre():
    g = CropGeometry(dx=0, dy=0, box_w=20, box_h=50, v_ref=120)
    m = g.matrix((100, 100))
    p = prior_map(m, (100, 100), (20, 50), g.in_w, g.in_h)
    y, x = np.unravel_index(np.argmax(p), p.shape)
    assert abs(x - 47.5) <= 1 and abs(y - 63.5) <= 1 and p.max() == pytest.approx(1, abs=0.02)


def test_other_people_are_suppressed():
    mask = _person(100, 100) | _person(200, 100)  # the tracked one at 100, another at 200
    kept = keep_track_regions(mask, (100, 100), (20, 50))
    assert kept[100, 100] and not kept[100, 200]
    assert kept.sum() == _person(100, 100).sum()
    # Nothing near the point: nothing kept.
    assert not keep_track_regions(_person(250, 100), (50, 100), (20, 50)).any()
    assert mask_box(np.zeros((4, 4), bool)) is None
