"""What a scene without a homography says of its trajectory file when the file does not look like this video's:
positions in pixels, not metres, and a whole recording's annotations over a short clip. With a homography the
project looks for a clip's place itself (:mod:`.offset_estimate`); without one it cannot, and the fitted
approximation hides both mistakes (an own-data walk: pixel positions gave proposals of J 0.49 against 0.78 in metres,
and ETH's whole ``obsmat.txt`` over a 250-frame clip the recording's first walkers, with no word of either). And,
with or without one, a file whose columns read the wrong way round (:func:`columns_swapped`)."""

from __future__ import annotations

from typing import Any

import numpy as np

PIXEL_SPAN = 60.0  # units: a surveillance scene's walkers span at most tens of metres; pixel positions hundreds
PIXEL_MARGIN = 0.05  # share of the image's size the positions may lie outside it and still read as its pixels
CLIP_SHARE = 4  # the annotations span this many times the video's frames or more: perhaps the recording's file


def pixel_hint(path, world: np.ndarray, width: int, height: int) -> str | None:
    """A warning when the positions look like the video's pixels, not metres."""
    if len(world) < 2:
        return None
    lo, hi = world.min(axis=0), world.max(axis=0)
    if max(hi - lo) < PIXEL_SPAN:
        return None
    mx, my = PIXEL_MARGIN * width, PIXEL_MARGIN * height
    if lo[0] < -mx or lo[1] < -my or hi[0] > width + mx or hi[1] > height + my:
        return None
    return (f"{path}: its positions span x {lo[0]:.0f}–{hi[0]:.0f}, y {lo[1]:.0f}–{hi[1]:.0f}, within the video's "
            f"{width}x{height}: they look like pixels, not metres. If they are, give a homography file of the identity "
            "(1 0 0 / 0 1 0 / 0 0 1), which reads them as pixels; the fitted approximation misplaces them")


def clip_hint(path, annotated: list[int], video: list[int], numbered: bool) -> str | None:
    """A warning when the annotations span far more frames than the video (perhaps the recording's whole file over
    a clip of it), unless the user ``numbered`` the file's frames (a frame offset or step given)."""
    if numbered or len(annotated) < 2 or len(video) < 2:
        return None
    span, length = annotated[-1] - annotated[0] + 1, video[-1] - video[0] + 1
    if span < CLIP_SHARE * length:
        return None
    return (f"{path}: its annotations span frames {annotated[0]}–{annotated[-1]}, {span // length}x the video's "
            f"{length} frames. If the video is a clip of the recording this file annotates, the persons read on it "
            "are those of the recording's first frames, not the clip's: give a frame offset (minus the recording's "
            "frame where the clip starts: Frame offset in the Open dialog, --frame-offset in a command), or the "
            "scene's homography file, with which the clip's place is looked for in the video")


def columns_swapped(scene: Any) -> int | None:
    """The annotation step when the file's "persons" look like the video's frames and its "frames" like persons:
    written pid, frame, x, y with no header (a walk's file was offered a frame offset that made its frames persons).
    Its persons' ids (the frames) lie every few numbers apart, most of them frames of the video; None otherwise."""
    pids = sorted({int(p) for p in scene.pids})
    if len(pids) < 3 or scene.trajectories.header_columns:
        return None
    gaps = np.diff(pids)
    step = int(np.median(gaps))
    if step < 2 or float(np.mean(gaps == step)) < 0.8:  # ids one apart: persons (frames come every few)
        return None
    video = scene.frames.indices
    within = [p for p in pids if video[0] <= p <= video[-1]]  # (a file annotating more than the clip: some)
    return step if len(within) >= 2 and all(p in scene.frames for p in within) else None
