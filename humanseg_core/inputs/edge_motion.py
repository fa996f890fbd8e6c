"""Where a person annotated only once moves past that annotation: measured in the video.

A trajectory file that starts or stops while a person is in view leaves that person unannotated for up to
one annotation step (:meth:`.scene.Scene.span` reaches there). With two annotations or more the track's end
velocity carries the person on; with one the person stood still, and so did its crops, its point and its
share of the pixels while it walked on (held-out eth_soft: 7 of 22 persons are annotated once, on the file's
last frame; the two fastest got J 0.03-0.1 on the frames after it).

The person's mask on its annotated frame is followed through the frames the span reaches with dense optical
flow (OpenCV's Farneback) inside the mask's box, the mask moved along; the median over the steps of the
median displacement of its pixels is the image velocity, mapped to world units through the homography and
capped at ``SPEED_CAP`` x the scene's median walking speed (from the persons annotated more than once).
Against the composite's exact positions on eth_soft (pixels per frame, measured / true): (-0.47, -2.94) /
(0.15, -3.11), (-0.03, 1.69) / (0.06, 1.56), (-0.43, 1.82) / (-0.39, 1.99); the worst, a mask holding part
of a neighbour, (0.79, 0.07) / (1.82, -0.76).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import cv2
import numpy as np

from ..errors import HumansegError

MARGIN = 10  # pixels around the mask's box where the flow is computed
MIN_PIXELS = 20  # a mask smaller than this says nothing about its motion
SPEED_CAP = 3.0  # the measured speed is capped at this multiple of the scene's median walking speed
# px/frame between the medians of the first and the second half of the steps beyond which the second half is
# taken for a drift: the mask, moved along, slid onto a neighbour or the background (a walk's person 163 read
# 2.9, 3.3, 2.6 px/frame, then 0.7 ... -2.0 where a neighbour crossed: 0.7 over all steps, 3.5 true)
HALVES_APART = 1.0


def image_velocity(read: Callable[[int], np.ndarray], frame: int, mask: np.ndarray, step: int,
                   count: int) -> tuple[float, float] | None:
    """(du, dv) in pixels per frame of the mask's pixels from ``frame`` over ``count`` frames in the
    direction ``step`` (+1 or -1); None when the mask is too small or no frame could be read."""
    ys, xs = np.nonzero(np.asarray(mask, bool))
    if len(xs) < MIN_PIXELS or count < 1:
        return None
    try:
        prev = cv2.cvtColor(read(int(frame)), cv2.COLOR_BGR2GRAY)
    except (HumansegError, OSError):  # an unreadable frame: nothing measured
        return None
    h, w = prev.shape
    offset = np.zeros(2)
    steps = []
    for k in range(1, count + 1):
        try:
            cur = cv2.cvtColor(read(int(frame) + step * k), cv2.COLOR_BGR2GRAY)
        except (HumansegError, OSError):  # the measure stops at the first frame it cannot read
            break
        sx, sy = int(round(offset[0])), int(round(offset[1]))
        px, py = xs + sx, ys + sy
        inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
        if inside.sum() < MIN_PIXELS:
            break
        px, py = px[inside], py[inside]
        x0, x1 = max(0, px.min() - MARGIN), min(w, px.max() + MARGIN + 1)
        y0, y1 = max(0, py.min() - MARGIN), min(h, py.max() + MARGIN + 1)
        a, b = np.ascontiguousarray(prev[y0:y1, x0:x1]), np.ascontiguousarray(cur[y0:y1, x0:x1])
        flow = np.zeros(a.shape + (2,), np.float32)
        flow = np.asarray(cv2.calcOpticalFlowFarneback(a, b, flow, 0.5, 2, 9, 3, 5, 1.1, 0), np.float32)
        d = np.median(flow[py - y0, px - x0], axis=0)
        steps.append(d)
        offset += d
        prev = cur
    if not steps:
        return None
    du, dv = steps_velocity(np.array(steps))
    return float(du), float(dv)


def steps_velocity(steps: np.ndarray) -> np.ndarray:
    """(du, dv) of the per-frame displacements ``steps`` (K, 2): their median, or the first half's when the two
    halves disagree by more than :data:`HALVES_APART` and the first half moved by more than that (the later steps
    drifted; a person walks on evenly). A first half standing still is no such evidence: a person may start
    walking (a review), and all the steps then say how fast.
    Measured on the 10 persons annotated once of 12 composed scenes against their true motion: the same on 9,
    and person 163 of davis_park 0.72 -> 2.61 px/frame (true 3.46); median error 0.18 px/frame both."""
    steps = np.asarray(steps, np.float64).reshape(-1, 2)
    if len(steps) >= 4:
        half = (len(steps) + 1) // 2
        first, second = np.median(steps[:half], axis=0), np.median(steps[half:], axis=0)
        if float(np.linalg.norm(first - second)) > HALVES_APART and float(np.linalg.norm(first)) > HALVES_APART:
            return first
    return np.median(steps, axis=0)


def walking_speed(scene) -> float | None:
    """The median speed (world units per frame) of the persons annotated more than once; None without any."""
    speeds = []
    for pid in scene.pids:
        track = scene.trajectories.tracks[int(pid)]
        if len(track) >= 2:
            d = np.linalg.norm(np.diff(track.world, axis=0), axis=1) / np.diff(track.frames).astype(np.float64)
            speeds.extend(d[np.isfinite(d)].tolist())
    return float(np.median(speeds)) if speeds else None


def edge_velocity(scene, pid: int, mask: np.ndarray, cap: float | None = None) -> np.ndarray | None:
    """The world velocity (units per frame) of ``pid``, annotated once, from its ``mask`` on that frame over
    the frames its span reaches; None when the track has more annotations, the span does not reach past it,
    or nothing could be measured. ``cap``: the largest speed believed (world units per frame)."""
    track = scene.trajectories.tracks[int(pid)]
    if len(track) != 1:
        return None
    first, last = scene.span(pid)
    step, count = (1, last - track.last) if last > track.last else (-1, track.first - first)
    if count < 1:
        return None
    d = image_velocity(scene.frames.read, track.first, mask, step, count)
    if d is None:
        return None
    u, v = np.asarray(scene.pixel_track(pid)[1]).reshape(-1, 2)[0]
    if not (np.isfinite(u) and np.isfinite(v)):
        return None
    ends = np.array([[u, v], [u + count * d[0], v + count * d[1]]], np.float64)
    world = np.asarray(scene.homography.pixel_to_world(ends), np.float64).reshape(2, 2)
    velocity = (world[1] - world[0]) / float(count)
    if not np.all(np.isfinite(velocity)):
        return None
    speed = float(np.linalg.norm(velocity))
    if cap is not None and speed > cap > 0:
        velocity *= cap / speed
    return velocity


def measure_edge_motion(scene, masks: Mapping[int, Mapping[int, np.ndarray]]) -> dict[int, tuple[float, float]]:
    """Measure and set (:meth:`.scene.Scene.set_edge_velocity`) the velocity of every person of ``masks``
    ({pid: {frame: bool mask}}, e.g. the run's labels) annotated once with a span past that annotation;
    returns {pid: (vx, vy)} of those set."""
    speed = walking_speed(scene)
    cap = None if speed is None else SPEED_CAP * speed
    out = {}
    for pid, by_frame in masks.items():
        track = scene.trajectories.tracks.get(int(pid))
        if track is None or len(track) != 1 or track.first not in by_frame:
            continue
        velocity = edge_velocity(scene, int(pid), by_frame[track.first], cap)
        if velocity is not None:
            scene.set_edge_velocity(int(pid), velocity)
            out[int(pid)] = (float(velocity[0]), float(velocity[1]))
    return out


__all__ = ["edge_velocity", "image_velocity", "measure_edge_motion", "steps_velocity", "walking_speed"]
