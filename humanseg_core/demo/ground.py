"""The demo scene's ground: a mild-perspective homography and a paved-square background texture.

World frame: metres on the ground plane, X to the right, Y away from the camera (so Y grows upwards in
the image, as in the UCY files). The homography maps pixel (u = column, v = row, pixel centres at integer
coordinates) to world; world -> pixel is ``inv(H) @ [X, Y, 1]`` divided by the third coordinate.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import ArrayLike

# Reference image size the correspondences below are given for; other sizes scale them.
REF_W, REF_H = 720, 576
# World rectangle corners (metres) and where they land in the 720x576 reference image: a camera looking
# down a square, the near edge wider than the image, the horizon far above the top (v ~ -900).
_WORLD = np.array([[0, 0], [15, 0], [0, 12], [15, 12]], np.float32)
_PIXEL = np.array([[-30, 600], [750, 600], [120, 20], [600, 20]], np.float32)

TILE_W, TILE_H = 0.6, 0.4  # paving stones, running bond (metres)
GROUT = 0.022  # half-width of the grout lines (metres)
KERB_Y = (10.6, 10.9)  # granite kerb between the square and the road (world Y range)


def ground_homographies(width: int = REF_W, height: int = REF_H) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(H, G)``: H maps pixel (u, v) -> world, G = inv(H) maps world -> pixel (both 3x3, [2,2] = 1)."""
    pix = _PIXEL * np.array([width / REF_W, height / REF_H], np.float32)
    G = cv2.getPerspectiveTransform(_WORLD, pix).astype(np.float64)
    G /= G[2, 2]
    H = np.linalg.inv(G)
    H /= H[2, 2]
    return H, G


def apply_h(M: np.ndarray, pts: ArrayLike) -> np.ndarray:
    """Apply a 3x3 homography to (N, 2) points with the projective division."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    q = np.c_[pts, np.ones(len(pts))] @ M.T
    return q[:, :2] / q[:, 2:3]


def local_scale(G: np.ndarray, xy: np.ndarray | tuple[float, float]) -> float:
    """Pixels per metre along world X at ground point ``xy`` (used to size a person standing there)."""
    x, y = float(xy[0]), float(xy[1])
    a, b = apply_h(G, [[x - 0.25, y], [x + 0.25, y]])
    return float(np.hypot(*(b - a)) / 0.5)


def _value_noise(rng: np.random.Generator, shape: tuple[int, int], cell: int, amp: float) -> np.ndarray:
    h, w = shape
    small = rng.standard_normal((h // cell + 2, w // cell + 2)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) * np.float32(amp)


def make_background(H: np.ndarray, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """The empty ground image (BGR uint8): paving stones with grout, a kerb, a road, stains and grain."""
    u, v = np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))
    q = H[0, 0] * u + H[0, 1] * v + H[0, 2], H[1, 0] * u + H[1, 1] * v + H[1, 2]
    den = H[2, 0] * u + H[2, 1] * v + H[2, 2]
    X, Y = q[0] / den, q[1] / den

    row = np.floor(Y / TILE_H).astype(np.int64)
    Xs = X + 0.5 * TILE_W * (row & 1)
    col = np.floor(Xs / TILE_W).astype(np.int64)
    fx = Xs - col * TILE_W
    fy = Y - row * TILE_H
    grout = (np.minimum(fx, TILE_W - fx) < GROUT) | (np.minimum(fy, TILE_H - fy) < GROUT)

    # One brightness and a slight warm/cool tint per stone, looked up from a table by a hash of its index.
    table = rng.normal(0.0, 1.0, size=(4096, 2)).astype(np.float32)
    key = (row * 7919 + col * 104729) % 4096
    bright = table[key, 0] * 11.0
    tint = table[key, 1] * 4.0
    base = np.array([150, 162, 172], np.float32)  # BGR, warm grey stone
    img: np.ndarray = np.empty((height, width, 3), np.float32)
    img[..., 0] = base[0] + bright - tint
    img[..., 1] = base[1] + bright
    img[..., 2] = base[2] + bright + tint
    img[grout] = (96, 102, 108)

    road = Y > KERB_Y[1]
    kerb = (Y >= KERB_Y[0]) & ~road
    img[kerb] = (185, 188, 190)
    img[road] = (78, 80, 82)
    # Lane marking on the road, dashed every 2 m.
    dash = road & (np.abs(Y - 12.6) < 0.07) & (np.mod(X, 2.0) < 1.1)
    img[dash] = (215, 218, 220)

    stains = _value_noise(rng, (height, width), 24, 7.0) + _value_noise(rng, (height, width), 6, 3.0)
    img += stains[..., None]
    img += rng.standard_normal((height, width, 3), dtype=np.float32) * np.float32(3.5)
    img = cv2.GaussianBlur(img, (3, 3), 0.7)
    return np.clip(img, 0, 255).astype(np.uint8)
