"""Backgrounds for the composites: crops of real stills, and procedural scenes so that the few stills
are not memorised (paving grids, gradients, low-frequency texture, walls, poles, benches, bins, lines).
Every function draws from the given ``numpy.random.Generator`` only, so a seed reproduces the image.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def _colour(rng: np.random.Generator, lo: int = 30, hi: int = 230) -> np.ndarray:
    grey = rng.uniform(lo, hi)
    tint = rng.normal(0.0, 18.0, 3)
    return np.clip(grey + tint, 0, 255)


def procedural(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A random man-made-looking ground/scene image, BGR uint8 (h, w, 3)."""
    c0, c1 = _colour(rng), _colour(rng)
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (c0 * (1 - t) + c1 * t) * np.ones((1, w, 1), np.float32)
    # low-frequency texture
    k = int(rng.integers(3, 12))
    tex = cv2.resize(rng.normal(0, 1, (k, k, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img += tex * rng.uniform(3, 25)
    kind = int(rng.integers(4))
    if kind == 0:  # paving grid, possibly rotated
        step = rng.uniform(8, 40)
        ang = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = xx * np.cos(ang) + yy * np.sin(ang)
        b = -xx * np.sin(ang) + yy * np.cos(ang)
        line = ((a % step) < 1.5) | ((b % (step * rng.uniform(0.6, 1.6))) < 1.5)
        img[line] *= rng.uniform(0.6, 0.9)
    elif kind == 1:  # stripes (road markings, steps)
        step = int(rng.integers(10, 60))
        for y in range(int(rng.integers(step)), h, step):
            cv2.line(img, (0, y), (w, y + int(rng.integers(-20, 20))), _colour(rng).tolist(),
                     int(rng.integers(1, 6)))
    elif kind == 2:  # fine noise texture (asphalt, gravel)
        img += rng.normal(0, rng.uniform(4, 14), (h, w, 1)).astype(np.float32)
    for _ in range(int(rng.integers(0, 7))):  # objects: walls, windows, benches, bins, poles
        x0, y0 = int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h))
        shape = int(rng.integers(3))
        col = _colour(rng, 0, 255).tolist()
        if shape == 0:
            cv2.rectangle(img, (x0, y0), (x0 + int(rng.integers(5, w // 2 + 6)), y0 + int(rng.integers(5, h // 2 + 6))),
                          col, -1)
        elif shape == 1:  # vertical pole / tree trunk: person-like distractor
            pw = int(rng.integers(2, max(3, w // 12)))
            cv2.rectangle(img, (x0, y0), (x0 + pw, y0 + int(rng.integers(h // 6, h))), col, -1)
        else:
            cv2.ellipse(img, (x0, y0), (int(rng.integers(3, w // 6 + 4)), int(rng.integers(3, h // 6 + 4))),
                        float(rng.uniform(0, 180)), 0, 360, col, -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def from_still(rng: np.random.Generator, still: np.ndarray, h: int, w: int) -> np.ndarray:
    """A random crop of a still (random scale 0.5-1.6, flip, colour shift), BGR uint8 (h, w, 3)."""
    s = rng.uniform(0.5, 1.6)
    sh, sw = still.shape[:2]
    s = max(s, h / sh * 1.01, w / sw * 1.01)
    img = cv2.resize(still, (int(np.ceil(sw * s)), int(np.ceil(sh * s))),
                     interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    y0 = int(rng.integers(0, img.shape[0] - h + 1))
    x0 = int(rng.integers(0, img.shape[1] - w + 1))
    out: np.ndarray = img[y0:y0 + h, x0:x0 + w].astype(np.float32)
    if rng.random() < 0.5:
        out = out[:, ::-1]
    out = out * rng.uniform(0.7, 1.25, 3) + rng.uniform(-25, 25)
    return np.clip(out, 0, 255).astype(np.uint8)


def background(rng: np.random.Generator, stills: Sequence[np.ndarray], h: int, w: int,
               p_still: float = 0.55) -> np.ndarray:
    """A still crop with probability ``p_still`` (when there are stills), else a procedural image."""
    if stills and rng.random() < p_still:
        return from_still(rng, stills[int(rng.integers(len(stills)))], h, w)
    return procedural(rng, h, w)
