"""The proposals' faster arithmetic gives what the plain numpy / scipy / OpenCV forms give, exactly.

The evidence step runs the proposals' joint step on every frame of a whole-scene run, so its per-frame
arithmetic was rewritten for speed (BENCHMARKS "The evidence step made faster"); each rewrite is checked here
against the straightforward form it replaced, on random and real-shaped inputs.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy import ndimage

from humanseg_core.proposals.detectors.bgs import brightness_ratios, channel_sum, frame_gain
from humanseg_core.proposals.holes import fill_holes
from humanseg_core.proposals.person_mask import (
    WIDTH_RATIO,
    axis_distance,
    box_of,
    keep_person_components,
    person_axis,
)
from humanseg_core.proposals.temporal_consensus import _register, _shifted


def _images(seed: int, shape=(57, 83)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    background = np.clip(frame.astype(int) + rng.integers(-40, 41, shape + (3,)), 0, 255).astype(np.uint8)
    return frame, background


@pytest.mark.parametrize("gain", [1.0, 1.037, 0.81])
def test_brightness_ratios_equal_the_channel_reductions(gain: float) -> None:
    frame, background = _images(int(gain * 1000))
    f = frame.astype(np.float32)
    b = background.astype(np.float32) * np.float32(gain)
    rc = (f + 1.0) / (b + 1.0)
    want = (np.abs(f - b).max(axis=2), rc.mean(axis=2), rc.max(axis=2) - rc.min(axis=2))
    for got, expected in zip(brightness_ratios(frame, background, gain), want):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, expected)


def test_frame_gain_and_channel_sum_equal_the_axis_sums() -> None:
    frame, background = _images(5)
    np.testing.assert_array_equal(channel_sum(frame), frame.sum(axis=2, dtype=np.float32))
    floats = frame.astype(np.float32) * np.float32(0.37)
    np.testing.assert_array_equal(channel_sum(floats), floats.sum(axis=2))
    expected = float(np.median((frame.sum(axis=2, dtype=np.float32) + 1.0)
                               / (background.sum(axis=2, dtype=np.float32) + 1.0)))
    assert frame_gain(frame, background) == (expected if 0.5 < expected < 2.0 else 1.0)


def test_fill_holes_equals_scipy() -> None:
    rng = np.random.default_rng(1)
    for _ in range(400):
        shape = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        mask = rng.random(shape) < rng.uniform(0.2, 0.8)
        np.testing.assert_array_equal(fill_holes(mask), ndimage.binary_fill_holes(mask))
    ring = np.zeros((9, 9), np.uint8)
    ring[2:7, 2:7] = 255
    ring[4, 4] = 0
    assert fill_holes(ring)[4, 4] and fill_holes(ring).sum() == 25  # a hole is filled, any nonzero is inside


def test_fill_holes_refuses_a_non_2d_mask() -> None:
    with pytest.raises(ValueError, match="2-D"):
        fill_holes(np.zeros((3, 3, 3), bool))


def test_shift_equals_an_integer_warp() -> None:
    rng = np.random.default_rng(2)
    for _ in range(200):
        a = rng.random((int(rng.integers(1, 20)), int(rng.integers(1, 20)))).astype(np.float32)
        dx, dy = int(rng.integers(-25, 26)), int(rng.integers(-25, 26))
        m = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
        warped = cv2.warpAffine(a, m, (a.shape[1], a.shape[0]), flags=cv2.INTER_NEAREST,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        np.testing.assert_array_equal(_shifted(a, dx, dy), warped)


def test_register_finds_the_shift_over_the_moved_box_only() -> None:
    current = np.zeros((60, 40), bool)
    current[10:50, 12:26] = True
    moved = np.zeros((60, 40), np.float32)
    moved[13:53, 9:23] = 1.0  # the same body 3 px down and 3 px left
    got = _register(moved, current, radius=4)
    np.testing.assert_array_equal(got >= 0.5, current)
    assert _register(np.zeros_like(moved), current, radius=4).sum() == 0
    np.testing.assert_array_equal(_register(moved, np.zeros_like(current), radius=4), moved)  # nothing to match


def _keep_full_frame(mask: np.ndarray, point, anchor: str, height: float) -> np.ndarray:
    """The straightforward form: components labelled over the whole frame."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros(mask.shape, bool)
    axis = person_axis(point, anchor, height)
    ys, xs = np.nonzero(labels)
    d = axis_distance(xs.astype(np.float32), ys.astype(np.float32), axis, width_weight=1.0)
    nearest = np.full(n, np.inf)
    np.minimum.at(nearest, labels[ys, xs], d)
    main = int(np.argmin(nearest[1:]) + 1)
    min_area = max(4.0, 0.02 * stats[main, cv2.CC_STAT_AREA])
    keep = np.array([c == main or (c > 0 and nearest[c] <= height * WIDTH_RATIO / 2.0
                                   and stats[c, cv2.CC_STAT_AREA] >= min_area) for c in range(n)])
    return keep[labels]


def test_keep_person_components_equals_the_whole_frame_labelling() -> None:
    rng = np.random.default_rng(3)
    for k in range(300):
        # irregular pieces, several across the person's axis (distance 0: ties, settled by the labels' order),
        # the mask's box starting on odd and even coordinates
        noise = rng.random((70, 90)) < rng.uniform(0.03, 0.2)
        mask = cv2.dilate(noise.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0
        mask[:int(rng.integers(0, 9)), :] = False
        mask[:, :int(rng.integers(0, 9))] = False
        u = int(rng.integers(20, 70))
        point = (float(u), 35.0)
        anchor = ("head", "feet", "centre")[k % 3]
        np.testing.assert_array_equal(keep_person_components(mask, point, anchor, 120.0),
                                      _keep_full_frame(mask, point, anchor, 120.0))
    assert not keep_person_components(np.zeros((5, 5), bool), (2, 2), "feet", 4.0).any()


def test_box_of() -> None:
    mask = np.zeros((10, 12), bool)
    assert box_of(mask) is None
    mask[3, 4] = mask[7, 9] = True
    assert box_of(mask) == (4, 3, 10, 8)
    assert box_of(mask.astype(np.uint8) * 255) == (4, 3, 10, 8)


def test_upper_envelope_equals_the_stacked_max() -> None:
    from humanseg_core.proposals.parent_masks import upper_envelope

    rng = np.random.default_rng(5)
    maps = [rng.random((23, 31)).astype(np.float32) for _ in range(5)]
    first = maps[0].copy()
    np.testing.assert_array_equal(upper_envelope(maps), np.max(np.stack(maps), axis=0))
    np.testing.assert_array_equal(maps[0], first)  # the inputs are left as they were
    mixed = [maps[0], rng.random((23, 31))]  # float32 and float64: numpy's common type, as the stack gave
    assert upper_envelope(mixed).dtype == np.float64
    assert upper_envelope([]) is None


def _paint(shape, rect):  # ownership's full-frame rectangle as it was, not through the slices under test
    h, w = shape
    x0, y0, x1, y1 = rect
    m = np.zeros(shape, bool)
    xa, ya = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
    xb, yb = min(w, int(np.ceil(x1)) + 1), min(h, int(np.ceil(y1)) + 1)
    if xa < xb and ya < yb:
        m[ya:yb, xa:xb] = True
    return m


def _hidden_persons_full_frames(axes, heights, shape, share):  # the form the rectangles replaced
    from humanseg_core.proposals.ownership import CORE_HALF_WIDTH, _rect, depth_order

    order = depth_order(axes)
    nearer = np.zeros(shape, bool)
    out = {}
    cores = {p: _paint(shape, _rect(axes[p], float(heights[p]), CORE_HALF_WIDTH)) for p in order}
    for i, p in enumerate(order):
        area = int(cores[p].sum())
        if area and float((cores[p] & nearer).sum()) / area >= share:
            out[p] = max((int((cores[p] & cores[q]).sum()), q) for q in order[:i])[1]
        nearer |= cores[p]
    return out


def test_hidden_persons_equals_the_full_frame_cores() -> None:
    from humanseg_core.proposals.ownership import hidden_persons

    rng = np.random.default_rng(6)
    found = 0
    for _ in range(300):
        n = int(rng.integers(1, 9))
        heights = {p: float(rng.uniform(8, 60)) for p in range(n)}
        axes = {p: (float(rng.uniform(-10, 50)), float(v - heights[p]), float(v))
                for p in range(n) for v in [rng.uniform(-10, 90)]}
        share = float(rng.uniform(0.2, 0.9))
        got = hidden_persons(axes, heights, (80, 90), share)
        assert got == _hidden_persons_full_frames(axes, heights, (80, 90), share)
        found += len(got)
    assert found > 50  # the cases do hide persons
