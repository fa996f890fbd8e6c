"""What a project's video looks like, kept small, to tell its own video from another one of the same size and
numbering.

A data-safety walk pointed a project at another video with the same frame numbers and size (Locate…): it was
taken without a word, and the analyst's masks were then shown, reviewed and exported over other frames. A
fingerprint is a few frames of the video, spread over its length, shrunk to :data:`WIDTH` pixels wide in grey.
A re-encoded, blurred or brightened copy of the same video gives nearly the same small frames; another video,
even of the same camera's view with other people walking, differs where its people differ: a person of 55 px in
a 720 px frame still covers several pixels of the small one.
"""

from __future__ import annotations

import base64
from typing import Any

import cv2
import numpy as np

from ..errors import HumansegError

WIDTH = 96  # the small frames' width in pixels
COUNT = 4  # frames kept, spread over the video
#: A small frame's pixel differs when its grey level differs by more than this from the project's copy, both
#: blurred a little (a copy shifted by a pixel or two) and the new frame's levels fitted to the copy's by a gain and an
#: offset (a brighter, darker or more contrasted copy, gamma).
LEVEL = 30
BLUR = 0.8  # the blur's sigma, in small pixels
#: A frame differs when more than this many of its small pixels differ, leaving out those that differ in every frame
#: compared (a clock burned into the picture; a re-encoded copy: none differ; another video of the same view with
#: other people: 28-176 on zara01).
PIXELS = 12
#: The pixels that differ in every compared frame are left out (a clock) while they are at most this share of the
#: small frame: a large time stamp and camera name burned in differ in 216 of 7392 on zara01 (2.9 %); another
#: static scene's background differs in 1382 (a review: it was taken for a clock, and the scene for the project's).
CLOCK_SHARE = 0.05
#: The gain that fits a new frame's levels to the copy's lies in this range where the copy has contrast: a copy
#: contrasted x1.5, darkened or brightened fits well inside; a black or flat video fits any frame with a gain of 0
#: (a review: an all-black video of the same size and numbers was taken without a word).
GAIN_RANGE = (0.25, 4.0)
CONTRAST = 4.0  # the grey levels' standard deviation over which a small frame has contrast to fit a gain to
SETTING = "video_fingerprint"  # the project setting that holds it


def small_frame(frame: np.ndarray) -> np.ndarray:
    """``frame`` (H x W x 3 RGB or H x W grey, uint8) in grey, :data:`WIDTH` pixels wide (area averaged)."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if frame.ndim == 3 else frame
    height = max(1, round(grey.shape[0] * WIDTH / max(1, grey.shape[1])))
    return cv2.resize(np.ascontiguousarray(grey), (WIDTH, height), interpolation=cv2.INTER_AREA)


def take(frames, count: int = COUNT) -> dict[str, Any] | None:
    """The fingerprint of ``frames`` (a ``FrameSource``): ``{"size": [h, w], "frames": [index, ...], "small":
    [base64 of each small frame's bytes, ...], "shape": [h, w] of the small frames}``; None when no frame decodes."""
    indices = list(frames.indices)
    if not indices:
        return None
    picks = sorted({indices[round(k * (len(indices) - 1) / max(1, count - 1))] for k in range(count)})
    kept: list[int] = []
    small: list[str] = []
    shape: list[int] = []
    for index in picks:
        try:
            got = small_frame(frames.read(index))
        except HumansegError:  # a frame that does not decode is left out; the others tell
            continue
        kept.append(int(index))
        small.append(base64.b64encode(got.tobytes()).decode("ascii"))
        shape = [int(got.shape[0]), int(got.shape[1])]
    if not kept:
        return None
    return {"size": [int(frames.height), int(frames.width)], "frames": kept, "small": small, "shape": shape}


def _stored_frames(stored: Any) -> list[tuple[int, np.ndarray]]:
    """[(frame index, small frame)] of a stored fingerprint; [] when it cannot be read (an older or damaged one
    tells nothing)."""
    try:
        h, w = (int(v) for v in stored["shape"])
        out = []
        for index, text in zip(stored["frames"], stored["small"], strict=True):
            data = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
            out.append((int(index), data.reshape(h, w)))
        return out
    except (KeyError, TypeError, ValueError):
        return []


def _misfit(was: np.ndarray, now: np.ndarray) -> np.ndarray:
    """The small pixels of ``now`` that differ from ``was`` (the same shape) beyond a gain, an offset and a blur."""
    a = cv2.GaussianBlur(was.astype(np.float32), (0, 0), BLUR)
    b = cv2.GaussianBlur(now.astype(np.float32), (0, 0), BLUR)
    design = np.c_[a.ravel(), np.ones(a.size, np.float32)]
    (gain, offset), *_ = np.linalg.lstsq(design, b.ravel(), rcond=None)
    if float(a.std()) > CONTRAST and not GAIN_RANGE[0] <= gain <= GAIN_RANGE[1]:  # flat (black) or inverted
        return np.ones(a.shape, bool)
    return np.abs(b - (gain * a + offset)) > LEVEL


def differing_frames(stored: Any, frames) -> tuple[list[int], int]:
    """(the frames of fingerprint ``stored`` at which ``frames`` (a ``FrameSource``) looks like another video,
    how many of them were compared): frames the new video lacks or cannot decode are not compared."""
    misfits: dict[int, np.ndarray | None] = {}
    for index, was in _stored_frames(stored):
        if index not in frames:
            continue
        try:
            now = small_frame(frames.read(index))
        except HumansegError:
            continue
        misfits[index] = _misfit(was, now) if now.shape == was.shape else None  # another size: another video
    shaped = [m for m in misfits.values() if m is not None]
    everywhere = np.logical_and.reduce(shaped) if len(shaped) >= 3 else None  # a burned-in clock's pixels
    if everywhere is not None and everywhere.sum() > CLOCK_SHARE * everywhere.size:  # more: another background
        everywhere = None
    differ = [index for index, m in misfits.items()
              if m is None or int((m & ~everywhere if everywhere is not None else m).sum()) > PIXELS]
    return differ, len(misfits)


def unlike_message(video: str, differ: list[int], compared: int, kept: int = 0) -> str:
    """What is said of a new ``video`` whose frames ``differ`` (of ``compared``) from the project's video's; "" when
    it looks like the project's video (one frame of two or more differs: a frame changed by an edit). ``kept``: the
    frames the project keeps a copy of: where the video has none of them, it could not be checked (a review: a short
    copy of another video, on the frames between them, was taken without a word)."""
    if kept and not compared:
        return (f"{video}: it holds none of the {kept} frames the project keeps a small copy of, so it could not be "
                "checked against the project's video: it may be another video, and the project's masks would then "
                "lie over other people")
    if not differ or (compared >= 2 and len(differ) == 1):
        return ""
    shown = ", ".join(str(f) for f in differ)
    return (f"{video}: frame{'s' if len(differ) > 1 else ''} {shown} ({len(differ)} of the {compared} the project "
            "keeps a small copy of) look unlike the project's video: it may be another video with the same frame "
            "size and numbers, and the project's masks would then lie over other people")
