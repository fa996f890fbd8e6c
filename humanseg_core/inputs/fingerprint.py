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
#: A small frame's pixel differs when its grey level differs by more than this, after the two frames' median
#: difference (a brightness change) is taken off.
LEVEL = 40
#: A frame differs when more than this many of its small pixels differ (a re-encoded copy: none; another video of
#: the same view with other people: tens).
PIXELS = 6
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


def differing_frames(stored: Any, frames) -> tuple[list[int], int]:
    """(the frames of fingerprint ``stored`` at which ``frames`` (a ``FrameSource``) looks like another video,
    how many of them were compared): frames the new video lacks or cannot decode are not compared."""
    differ: list[int] = []
    compared = 0
    for index, was in _stored_frames(stored):
        if index not in frames:
            continue
        try:
            now = small_frame(frames.read(index))
        except HumansegError:
            continue
        if now.shape != was.shape:
            differ.append(index)
            compared += 1
            continue
        diff = now.astype(np.int16) - was.astype(np.int16)
        diff -= np.int16(np.median(diff))
        compared += 1
        if int((np.abs(diff) > LEVEL).sum()) > PIXELS:
            differ.append(index)
    return differ, compared


def unlike_message(video: str, differ: list[int], compared: int) -> str:
    """What is said of a new ``video`` whose frames ``differ`` (of ``compared``) from the project's video's; "" when
    it looks like the project's video (at most one frame of several differs: a frame changed by an edit)."""
    if not differ or (compared > 2 and len(differ) == 1):
        return ""
    shown = ", ".join(str(f) for f in differ)
    return (f"{video}: frame{'s' if len(differ) > 1 else ''} {shown} ({len(differ)} of the {compared} the project "
            "keeps a small copy of) look unlike the project's video: it may be another video with the same frame "
            "size and numbers, and the project's masks would then lie over other people")
