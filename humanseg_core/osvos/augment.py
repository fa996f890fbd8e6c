"""Augmentation of crop + mask pairs: horizontal flip, scale, small rotation, shift, colour jitter.

Geometric augmentations are 3x3 matrices in crop coordinates, composed with the frame->crop affine so that
each training crop is cut from the full frame in one warp (no double interpolation, edges padded the same
way as at inference).  The shift also mimics the error of the track point.
"""

from __future__ import annotations

import numpy as np


def random_affine(rng: np.random.Generator, in_w: int, in_h: int, scale=(0.85, 1.15), max_rot_deg=8.0,
                  max_shift=0.06, flip=True) -> np.ndarray:
    """A random 3x3 similarity (+ optional mirror) about the crop centre."""
    cx, cy = (in_w - 1) / 2.0, (in_h - 1) / 2.0
    s = float(np.exp(rng.uniform(np.log(scale[0]), np.log(scale[1]))))
    a = np.deg2rad(rng.uniform(-max_rot_deg, max_rot_deg))
    fx = -1.0 if (flip and rng.random() < 0.5) else 1.0
    tx, ty = rng.uniform(-max_shift, max_shift, 2) * np.array([in_w, in_h])
    c, sn = np.cos(a) * s, np.sin(a) * s
    to_origin = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]], np.float64)
    rot = np.array([[c * fx, -sn, 0], [sn * fx, c, 0], [0, 0, 1]], np.float64)
    back = np.array([[1, 0, cx + tx], [0, 1, cy + ty], [0, 0, 1]], np.float64)
    return back @ rot @ to_origin


def compose(aug: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The 2x3 affine ``aug @ m`` (m: frame->crop 2x3, aug: 3x3 in crop coordinates)."""
    m3 = np.vstack([m, [0.0, 0.0, 1.0]])
    return (aug @ m3)[:2]


def colour_jitter(rng: np.random.Generator, img: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Brightness, contrast and per-channel gain jitter of a uint8 BGR image."""
    x = img.astype(np.float32)
    gain = rng.uniform(1 - 0.1 * strength, 1 + 0.1 * strength, 3).astype(np.float32)
    contrast = rng.uniform(1 - 0.2 * strength, 1 + 0.2 * strength)
    bright = rng.uniform(-20 * strength, 20 * strength)
    mean = x.mean()
    x = (x - mean) * contrast + mean + bright
    x = x * gain[None, None, :]
    return np.clip(x, 0, 255).astype(np.uint8)
