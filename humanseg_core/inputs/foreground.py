"""Where a frame differs from the background, its brightness change taken off first.

A brightness drift (clouds, the camera's gain) shifts every pixel: read as a plain difference, it marked 87-96 %
of each frame as people, and the checks built on it (the homography's pixel order, the frame offset, the
homography estimate) then judged noise (a helper's scene: a homography read the wrong way round passed unsaid).
The frame's median difference to the background, per channel, is taken off first; where nothing drifts it is 0.
"""

from __future__ import annotations

import numpy as np


def difference(img: np.ndarray, background: np.ndarray) -> np.ndarray:
    """|``img`` - ``background``| (int16) after the frame's median difference is taken off, the largest over
    the colour channels (H x W).

    The median is read from each channel's histogram of differences (511 bins) rather than by sorting: the same
    value as ``np.median`` (the two middle values' mean, truncated to an integer), 5x faster on a 720x576 frame,
    which the homography estimate, the frame-offset search and the pixel-order check each take on every frame
    they read."""
    if img.ndim == 2:
        img, background = img[..., None], background[..., None]
    n = img.shape[0] * img.shape[1]
    out: np.ndarray | None = None
    for c in range(img.shape[2]):
        diff = img[..., c].astype(np.int16) - background[..., c].astype(np.int16)
        below = np.cumsum(np.bincount((diff + 255).ravel(), minlength=511))  # values -255..255
        low = int(np.searchsorted(below, (n - 1) // 2 + 1)) - 255  # the middle value(s), as sorted
        high = int(np.searchsorted(below, n // 2 + 1)) - 255
        diff = np.abs(diff - np.int16((low + high) / 2))  # truncated as np.median(...).astype(np.int16) was
        out = diff if out is None else np.maximum(out, diff, out=out)
    assert out is not None
    return out
