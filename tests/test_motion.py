"""The motion term of pixel ownership (humanseg_core/proposals/motion.py, ADR 0013)."""

from __future__ import annotations

import numpy as np

from humanseg_core.proposals.motion import Motion, MotionConfig, dense_flow, frame_motion
from humanseg_core.proposals.ownership import assign_pixels


def _texture(seed: int = 0, shape=(96, 128)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (shape[0] // 4, shape[1] // 4, 3), np.uint8)
    return np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)


def test_dense_flow_follows_a_shifted_texture():
    img = _texture()
    moved = np.roll(img, 2, axis=1)  # every pixel 2 px to the right
    flow = dense_flow(img, moved)[16:-16, 16:-16]
    assert abs(float(np.median(flow[..., 0])) - 2.0) < 0.3
    assert abs(float(np.median(flow[..., 1]))) < 0.3


def test_a_full_hd_regions_flow_is_measured_scaled_down_in_frame_pixels(monkeypatch):
    """Above FLOW_MAX_SIDE the flow is measured on the region scaled down (a full-HD frame took 0.35 s) and given
    back at full size, in full-size pixels; below it, as before."""
    import cv2

    from humanseg_core.proposals import motion

    img = _texture(1, (96, 256))
    moved = np.roll(img, (2, 4), axis=(0, 1))  # 4 px right, 2 px down
    whole = dense_flow(img, moved)
    monkeypatch.setattr(motion, "FLOW_MAX_SIDE", 128)  # the same texture, now "large": scaled by a half
    scaled = dense_flow(img, moved)
    assert scaled.shape == whole.shape == (96, 256, 2) and scaled.dtype == np.float32
    inner = scaled[20:-20, 40:-40]
    assert abs(float(np.median(inner[..., 0])) - 4.0) < 0.5 and abs(float(np.median(inner[..., 1])) - 2.0) < 0.5
    monkeypatch.setattr(motion, "FLOW_MAX_SIDE", 1024)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    direct = cv2.calcOpticalFlowFarneback(gray, cv2.cvtColor(moved, cv2.COLOR_BGR2GRAY), np.zeros(gray.shape + (2,),
                                          np.float32), 0.5, 3, 9, 3, 5, 1.1, 0)
    assert np.array_equal(dense_flow(img, moved), direct)  # small regions: unchanged


def _two_walkers(motion: Motion | None):
    """Two persons side by side (feet at u 40 and 60), one foreground block from u 30 to 70 that the
    parent gives both equally: the split is at u 50 by distance alone. A's pixels (u < 56) move right
    with A, B's move left with B."""
    mask = np.zeros((100, 100), bool)
    mask[35:80, 30:70] = True
    prior = {1: np.where(mask, 0.9, 0.0).astype(np.float32), 2: np.where(mask, 0.9, 0.0).astype(np.float32)}
    return assign_pixels(mask, {1: (40.0, 80.0), 2: (60.0, 80.0)}, "feet", {1: 50.0, 2: 50.0},
                         prior=prior, motion=motion).parts


def test_motion_gives_pixels_to_the_person_they_move_with():
    flow = np.zeros((100, 100, 2), np.float32)
    flow[:, :56, 0] = 2.0
    flow[:, 56:, 0] = -2.0
    motion = Motion(flow, {1: (2.0, 0.0), 2: (-2.0, 0.0)})
    still = _two_walkers(None)
    moving = _two_walkers(motion)
    assert not still[1][50:70, 53].any() and still[2][50:70, 53].all()  # by distance: B's
    assert moving[1][50:70, 53].all() and not moving[2][50:70, 53].any()  # moves with A: A's
    assert moving[2][50:70, 58].all()  # B keeps what moves with it
    # a person without a velocity is not charged: the split stays where distance puts it
    unknown = _two_walkers(Motion(flow, {1: (2.0, 0.0)}, MotionConfig(weight=0.0)))
    assert (unknown[1] == still[1]).all()


def test_motion_cost_is_bounded():
    flow = np.full((4, 4, 2), 50.0, np.float32)  # a wild flow vector (a flat region, a swinging limb)
    cost = Motion(flow, {1: (0.0, 0.0)}, MotionConfig(weight=1.0, cap=2.0)).cost(1, np.array([0, 1]), np.array([0, 3]))
    assert cost is not None and np.allclose(cost, 1.0)
    assert Motion(flow, {}).cost(7, np.array([0]), np.array([0])) is None


def test_frame_motion_reads_a_neighbour_and_signs_velocities_towards_it():
    img = _texture(1)
    frames = {9: np.roll(img, -2, axis=1), 11: np.roll(img, 2, axis=1)}
    asked: list[int] = []

    def read(i):
        asked.append(i)
        return frames.get(i)

    track = {(5, 9): (8.0, 20.0), (5, 10): (10.0, 20.0), (5, 11): (12.0, 20.0)}
    m = frame_motion(img, 10, read, lambda p, f: track.get((p, f)), {5: (10.0, 20.0), 6: (50.0, 50.0)})
    assert m is not None and asked == [11]  # the next frame first
    assert m.velocities == {5: (2.0, 0.0)}  # person 6 has no position there: no velocity, no charge
    assert abs(float(np.median(m.flow[16:-16, 16:-16, 0])) - 2.0) < 0.3
    asked.clear()
    m = frame_motion(img, 10, read, lambda p, f: track.get((p, f)), {5: (10.0, 20.0)}, previous_first=True)
    assert m is not None and asked == [9] and m.velocities == {5: (-2.0, 0.0)}
    assert abs(float(np.median(m.flow[16:-16, 16:-16, 0])) + 2.0) < 0.3
    asked.clear()
    frames.pop(11)  # the last frame of the video: the previous one
    assert frame_motion(img, 10, read, lambda p, f: track.get((p, f)), {5: (10.0, 20.0)}) is not None
    assert asked == [11, 9]
    assert frame_motion(img, 10, read, lambda p, f: None, {5: (1.0, 1.0)}, MotionConfig(enabled=False)) is None
    assert frame_motion(img, 10, lambda i: None, lambda p, f: None, {5: (1.0, 1.0)}) is None


def test_a_nearer_person_is_not_seen_where_the_pixels_move_with_the_farther_one():
    """A nearer person whose probability reaches the occlusion level hides a farther one there; not on
    pixels that move with the farther person and not with it."""
    mask = np.zeros((100, 100), bool)
    mask[35:85, 30:70] = True
    prior = {1: np.where(mask, 0.6, 0.0).astype(np.float32), 2: np.where(mask, 0.6, 0.0).astype(np.float32)}
    flow = np.zeros((100, 100, 2), np.float32)
    flow[:, 50:, 0] = -2.0  # the right half moves left, with person 2; the rest stands still, with person 1
    points, heights = {1: (45.0, 85.0), 2: (55.0, 80.0)}, {1: 50.0, 2: 50.0}  # person 1 nearer (lower feet)

    def parts(motion):
        return assign_pixels(mask, points, "feet", heights, prior=prior, prior_occludes=0.5, motion=motion).parts

    assert not parts(None)[2].any()  # all seen as the nearer person's
    moved = parts(Motion(flow, {1: (0.0, 0.0), 2: (-2.0, 0.0)}))
    assert moved[2][40:80, 52:68].all() and not moved[2][:, :50].any()


def test_flow_of_a_region_is_indexed_in_frame_pixels():
    img = _texture(2)
    frames = {11: np.roll(img, 2, axis=1)}
    m = frame_motion(img, 10, frames.get, lambda p, f: (12.0, 40.0), {5: (10.0, 40.0)}, region=(40, 30, 80, 60))
    assert m is not None and m.origin == (24, 14) and m.flow.shape == (46 + 16, 56 + 16, 2)
    cost = m.cost(5, np.array([40, 45]), np.array([50, 60]))  # moving as the person: (close to) free
    assert cost is not None and float(cost.max()) < 0.2
