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
    the colour channels (H x W)."""
    diff = img.astype(np.int16) - background.astype(np.int16)
    shift = np.median(diff.reshape(-1, diff.shape[2]) if diff.ndim == 3 else diff.ravel(), axis=0)
    diff = np.abs(diff - np.asarray(shift).astype(np.int16))
    return diff.max(axis=2) if diff.ndim == 3 else diff
