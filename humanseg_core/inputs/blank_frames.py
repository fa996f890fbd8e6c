"""Black frames: a camera's dropout leaves frames of one dark colour, which decode and hold nobody.

A walk's video began with 30 black frames: the proposals found "persons" there (scored 0.6, trained on), and the
run wrote a 1000-pixel mask for each person on every one of them. The steps that make masks (the proposals,
segmentation) read frames through :func:`content_reader`, which takes such a frame for one that cannot be read:
it is skipped with the reason, as an unreadable frame is, and gets no mask. The studio still shows it as it is.
Only near-black frames count (a dark night scene has its lights; a test's flat grey frame is not a dropout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import FrameError

BLANK_LEVEL = 24  # the brightest sampled pixel of a black frame stays at or under this (0-255)
BLANK_SPREAD = 8  # and the sampled pixels differ by at most this
STEP = 7  # every 7th pixel of every 7th row is sampled
BLANK_TEXT = "the frame is black (one dark colour over the whole image: a camera dropout?); no mask is made on it"


def is_blank(image: np.ndarray) -> bool:
    """Whether ``image`` (H, W[, C] uint8) is one near-black colour (a sample of its pixels)."""
    sample = np.asarray(image)[::STEP, ::STEP]
    if sample.size == 0:
        return False
    top, low = int(sample.max()), int(sample.min())
    return top <= BLANK_LEVEL and top - low <= BLANK_SPREAD


def content_reader(frames: Any) -> Callable[[int], np.ndarray]:
    """``frames.read`` (index -> BGR frame) that raises FrameError (naming ``frames.path`` and the frame) for a black
    frame."""
    read, path, file_of = frames.read, getattr(frames, "path", "the video"), getattr(frames, "file_of", None)

    def checked(index: int) -> np.ndarray:
        image = read(index)
        if is_blank(image):  # a folder's image named, a video named
            raise FrameError(file_of(index) if file_of is not None else path, BLANK_TEXT, int(index))
        return image

    return checked
