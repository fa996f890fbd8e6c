"""The frame offset of a clip cut from a longer recording, found in the video when no annotated frame is in it.

A walk opened an .mp4 clip (frames 0..159) of ETH with the recording's whole ``obsmat.txt`` (frames
780..12381): "none of the annotated frames is in the video", and no offset to try, since the annotations
span far more than the clip (:func:`.scene.suggested_offset` offers one only when they fit in it). The video
tells where the clip lies: at the right offset the annotated persons stand on moving foreground.

:func:`estimate_offset` takes a median background and the foreground of a few frames spread over the clip
(as :mod:`.order_check` does), then, for every offset that puts some annotated frame in the video, the
foreground share of a narrow body column at each annotated person's point (head, feet or centre, the best of
the three), from integral images: a few hundred thousand boxes, about a second in all. The offset of the
highest share (over its points and :data:`PRIOR_POINTS` more of none) is taken when it stands clear of every
offset more than :data:`APART` frames from it.

Measured (each scene's frames with its place's whole trajectory file read 20 000-40 000 frames off, 5 Dec):
found within 2 frames on the ETH clip of the walk (-6829 for -6830), eth_dense, zara01, zara01_feet,
students03, zara02_center, zara02_still, davis_shop and eth_huge (the best 1.28-2.6x the runner-up); nothing
offered on eth_big (the runner-up at 0.87 of the right offset's share) and zara01_tiny (24 px people: a share
of 0.07); no wrong offset offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..jobs import CancelToken, Job, Progress
from .order_check import BACKGROUND_FRAMES, HALF_WIDTH, HEIGHT_SHARE, THRESHOLD, _read

SAMPLE_FRAMES = 12  # frames of the clip whose foreground is measured
MIN_POINTS = 8  # an offset is scored on at least this many points inside the image
# points of no foreground added to every offset's: an offset that puts a few points on people by chance (8-20
# points near a recording's end scored 0.40 against the right offset's 0.51 over 99 points) scores low
PRIOR_POINTS = 30
MIN_COVER = 0.15  # the best offset's share (right offsets on 11 test scenes: 0.21-0.55 with the prior points)
APART = 25  # frames: offsets nearer than this to the best are the same walk seen a moment apart ...
CLEAR = 1.25  # ... the best must cover this many times the best offset farther away (right ones: 1.15-2.6x)
ANCHORS = ("head", "feet", "centre")


@dataclass(frozen=True)
class OffsetFound:
    offset: int  # the frame offset in all (the one the file was read with, plus the shift found)
    cover: float  # the foreground share of the body columns at that offset
    runner_up: float  # the best share more than APART frames from it
    points: int  # points scored at that offset


def _foregrounds(scene, cancel: CancelToken | None) -> list[tuple[int, np.ndarray]]:
    """[(frame, integral image of its foreground)] of frames spread over the clip (a median background)."""
    indices = list(scene.frames.indices)
    if len(indices) < 3:
        return []
    spread = [indices[i] for i in np.linspace(0, len(indices) - 1, min(BACKGROUND_FRAMES, len(indices))).astype(int)]
    stack = []
    for f in spread:
        if cancel is not None:
            cancel.raise_if_cancelled()
        img = _read(scene, f)
        if img is not None:
            stack.append(img)
    if len(stack) < 3:
        return []
    background = np.median(np.stack(stack), axis=0).astype(np.int16)
    del stack
    out = []
    sample = sorted({indices[i] for i in np.linspace(0, len(indices) - 1,
                                                      min(SAMPLE_FRAMES, len(indices))).astype(int)})
    for f in sample:
        if cancel is not None:
            cancel.raise_if_cancelled()
        img = _read(scene, f)
        if img is None or img.shape[:2] != background.shape[:2]:
            continue
        diff = np.abs(img.astype(np.int16) - background)
        fg = ((diff.max(axis=2) if diff.ndim == 3 else diff) > THRESHOLD).astype(np.int32)
        integral = np.zeros((fg.shape[0] + 1, fg.shape[1] + 1), np.int64)
        integral[1:, 1:] = fg.cumsum(0).cumsum(1)
        out.append((int(f), integral))
    return out


def _box_share(integral: np.ndarray, x0, x1, y0, y1) -> np.ndarray:
    area = np.maximum((x1 - x0) * (y1 - y0), 1)
    total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return total / area


def _scores(scene, shown: list[tuple[int, np.ndarray]], cancel: CancelToken | None = None
            ) -> tuple[int, np.ndarray, np.ndarray]:
    """(the first shift d scored, each anchor's summed column shares per shift, the points per shift): shift
    ``lo + k`` moves the annotations to video frame = track frame + d."""
    homography, tracks = scene.homography, scene.trajectories.tracks
    annotated, indices = scene.annotated_frames(), list(scene.frames.indices)
    rows, cols = shown[0][1].shape[0] - 1, shown[0][1].shape[1] - 1
    h = HEIGHT_SHARE * rows
    half = HALF_WIDTH * h
    lo, hi = indices[0] - annotated[-1], indices[-1] - annotated[0]  # shifts d: video frame = track frame + d
    n = hi - lo + 1
    sums = np.zeros((len(ANCHORS), n))
    counts = np.zeros(n)
    for f, integral in shown:
        if cancel is not None:
            cancel.raise_if_cancelled()
        for track in tracks.values():
            # the shifts that put this frame inside the person's annotated span: track frame f - d
            d = np.arange(max(lo, f - track.last), min(hi, f - track.first) + 1)
            if not len(d):
                continue
            at = (f - d).astype(np.float64)
            world = np.stack([np.interp(at, track.frames, track.world[:, 0]),
                              np.interp(at, track.frames, track.world[:, 1])], axis=1)
            uv = homography.world_to_pixel(world)
            u, v = uv[:, 0], uv[:, 1]
            ok = np.isfinite(u) & np.isfinite(v) & (u >= 0) & (u < cols) & (v >= 0) & (v < rows)
            if not ok.any():
                continue
            d, u, v = d[ok], u[ok], v[ok]
            x0 = np.clip(u - half, 0, cols).astype(int)
            x1 = np.clip(u + half + 1, 0, cols).astype(int)
            k = d - lo
            counts[k] += 1
            for a, (top, bottom) in enumerate(((v, v + h), (v - h, v), (v - h / 2, v + h / 2))):
                y0 = np.clip(top, 0, rows).astype(int)
                y1 = np.clip(bottom + 1, 0, rows).astype(int)
                sums[a, k] += np.where((x1 > x0) & (y1 > y0), _box_share(integral, x0, x1, y0, y1), 0.0)
    return lo, sums, counts


def estimate_offset(scene, cancel: CancelToken | None = None) -> Job[OffsetFound | None]:
    """Job: the frame offset that puts the annotated persons on the video's moving people (see the module), or
    None: no homography (the points are not placed), annotated frames in the video already, too little
    foreground, or no offset standing clear of the others."""
    annotated, indices = scene.annotated_frames(), list(scene.frames.indices)
    if scene.homography.approximate or not annotated or not indices or any(f in scene.frames for f in annotated):
        return None
    yield Progress(0, 2, "finding the clip's frame offset: the video's moving people", data={"stage": "prepare"})
    shown = _foregrounds(scene, cancel)
    if not shown:
        return None
    yield Progress(1, 2, "finding the clip's frame offset: the annotated points laid over them",
                   data={"stage": "prepare"})
    lo, sums, counts = _scores(scene, shown, cancel)
    scored = counts >= MIN_POINTS
    if not scored.any():
        return None
    share = np.where(scored, sums.max(axis=0) / (counts + PRIOR_POINTS), -1.0)
    best = int(np.argmax(share))
    far = np.abs(np.arange(len(counts)) - best) > APART
    runner_up = float(share[far].max()) if far.any() else 0.0
    found = OffsetFound(int(getattr(scene.trajectories, "frame_offset", 0)) + lo + best, float(share[best]),
                        max(runner_up, 0.0), int(counts[best]))
    yield Progress(2, 2, "finding the clip's frame offset: done", data={"stage": "prepare"})
    if found.cover < MIN_COVER or found.cover < CLEAR * found.runner_up:
        return None
    return found


def found_offset_text(found: OffsetFound, command: bool = True) -> str:
    """The estimate said as a next step: where the annotations meet the video's moving people."""
    return (f"the video's moving people match the annotations at frame offset {found.offset} (found in the video: "
            f"{found.cover:.0%} of the body columns at the points, {found.runner_up:.0%} at the next best offset); "
            "check that the points then sit on the people" + (f" (--frame-offset {found.offset})" if command else ""))
