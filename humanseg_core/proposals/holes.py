"""Holes of a binary mask filled: ``scipy.ndimage.binary_fill_holes`` with its default structure, by flood fill.

The background reaches a hole only through the mask, so a hole is any background pixel not 4-connected to the
image border. OpenCV's flood fill from a one-pixel frame around the image finds the background that is, in
about a tenth of scipy's time on a full frame (the proposals fill a frame-sized mask once per frame); the
results are equal (tests/core/test_holes.py).
"""

from __future__ import annotations

import cv2
import numpy as np


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """bool mask: ``mask`` (any nonzero is inside) with every hole filled."""
    inside = np.asarray(mask) != 0
    if inside.ndim != 2 or inside.size == 0:
        raise ValueError(f"fill_holes takes a 2-D mask, got shape {inside.shape}")
    framed = np.zeros((inside.shape[0] + 2, inside.shape[1] + 2), np.uint8)
    framed[1:-1, 1:-1] = inside
    seed_mask = np.zeros((framed.shape[0] + 2, framed.shape[1] + 2), np.uint8)  # floodFill's own border
    cv2.floodFill(framed, seed_mask, (0, 0), 2, flags=4)  # the outside background becomes 2
    return framed[1:-1, 1:-1] != 2
