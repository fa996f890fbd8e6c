"""Black frames: a camera's dropout leaves frames of one dark colour, which decode and hold nobody; so does a
recorder's "no signal" screen, one saturated colour (blue, most often) under a line of text.

A walk's video began with 30 black frames: the proposals found "persons" there (scored 0.6, trained on), and the
run wrote a 1000-pixel mask for each person on every one of them. The steps that make masks (the proposals,
segmentation) read frames through :func:`content_reader`, which takes such a frame for one that cannot be read:
it is skipped with the reason, as an unreadable frame is, and gets no mask. The studio still shows it as it is.
Only near-black frames count, and frames of one saturated colour but for a few pixels (a dark night scene has its
lights; a test's flat grey frame is not a dropout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import FrameError

BLANK_LEVEL = 24  # the brightest sampled pixel of a black frame stays at or under this (0-255)
BLANK_SPREAD = 8  # and the sampled pixels differ by at most this
STEP = 7  # every 7th pixel of every 7th row is sampled
NO_MASK = "no mask is made on it"  # said of every frame that decodes and holds nobody (not one that cannot be read)
BLANK_TEXT = f"the frame is black (one dark colour over the whole image: a camera dropout?); {NO_MASK}"
NO_SIGNAL_TEXT = f"the frame is one flat colour (a recorder's \"no signal\" screen?); {NO_MASK}"
FLAT_SHARE = 0.97  # a "no signal" frame: this share of the sampled pixels within FLAT_SPREAD of their median colour
FLAT_SPREAD = 12
FLAT_CHROMA = 60  # ... a colour, not a grey: its channels this far apart (0-255)


def is_blank(image: np.ndarray) -> bool:
    """Whether ``image`` (H, W[, C] uint8) is one near-black colour (a sample of its pixels)."""
    sample = np.asarray(image)[::STEP, ::STEP]
    if sample.size == 0:
        return False
    top, low = int(sample.max()), int(sample.min())
    return top <= BLANK_LEVEL and top - low <= BLANK_SPREAD


def is_no_signal(image: np.ndarray) -> bool:
    """Whether ``image`` (H, W, 3 uint8) is one saturated colour but for a few pixels (a recorder's "no signal"
    screen and its line of text; a sample of its pixels). A grey one is not (a test's flat frames)."""
    sample = np.asarray(image)[::STEP, ::STEP]
    if sample.ndim != 3 or sample.shape[-1] < 3 or sample.size == 0:
        return False
    pixels = sample.reshape(-1, sample.shape[-1])[:, :3].astype(np.int16)
    median = np.median(pixels, axis=0)
    if float(median.max() - median.min()) < FLAT_CHROMA:
        return False
    near = np.abs(pixels - median).max(axis=1) <= FLAT_SPREAD
    return float(near.mean()) >= FLAT_SHARE


def holds_nobody(problem: str) -> bool:
    """Whether a frame's problem (a FrameError's text) is one of a frame that decodes and holds nobody."""
    return NO_MASK in problem


def content_reader(frames: Any) -> Callable[[int], np.ndarray]:
    """``frames.read`` (index -> BGR frame) that raises FrameError (naming ``frames.path`` and the frame) for a black
    frame."""
    read, path, file_of = frames.read, getattr(frames, "path", "the video"), getattr(frames, "file_of", None)

    def checked(index: int) -> np.ndarray:
        image = read(index)
        blank = is_blank(image)
        if blank or is_no_signal(image):  # a folder's image named, a video named
            raise FrameError(file_of(index) if file_of is not None else path, BLANK_TEXT if blank else NO_SIGNAL_TEXT,
                             int(index))
        return image

    return checked
