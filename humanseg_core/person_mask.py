"""One person's clean mask from a raw foreground or instance mask, guided by the track point.

The raw mask is restricted to the person's box, closed, hole-filled, split from the other persons whose
track points lie in the same blob (each pixel goes to the nearest person *axis*: the vertical segment a
person of the expected height occupies given where the track point sits on the body), and reduced to the
connected component(s) that belong to the person: the one nearest to its axis plus any sizeable piece
inside the axis corridor (a leg cut off by a thin gap).
"""

from __future__ import annotations

from typing import Mapping

import cv2
import numpy as np
from scipy import ndimage

ANCHORS = ("head", "feet", "centre")
# body width as a share of the height (used for the corridor and the split metric)
WIDTH_RATIO = 0.4


def person_axis(point, anchor: str, height: float) -> tuple[float, float, float]:
    """(u, v_top, v_bottom) of the vertical segment a person of ``height`` px occupies."""
    u, v = float(point[0]), float(point[1])
    if anchor == "head":
        return u, v, v + height
    if anchor == "feet":
        return u, v - height, v
    return u, v - height / 2.0, v + height / 2.0


def axis_distance(us: np.ndarray, vs: np.ndarray, axis, width_weight: float = 2.0) -> np.ndarray:
    """Distance from pixels to an axis; horizontal offsets count ``width_weight`` times (bodies are thin)."""
    u, top, bottom = axis
    dv = np.maximum(0.0, np.maximum(top - vs, vs - bottom))
    du = (us - u) * width_weight
    return np.hypot(du, dv)


def split_share(mask: np.ndarray, pid, points: Mapping, anchor: str, height: float) -> np.ndarray:
    """The pixels of ``mask`` nearer to person ``pid``'s axis than to any other person's in ``points``."""
    if len(points) < 2:
        return mask
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return mask
    pids = list(points)
    dist = np.stack([axis_distance(xs.astype(np.float32), ys.astype(np.float32),
                                   person_axis(points[p], anchor, height)) for p in pids])
    own = dist.argmin(axis=0) == pids.index(pid)
    out = np.zeros_like(mask)
    out[ys[own], xs[own]] = True
    return out


def _odd(n: float) -> int:
    n = max(1, int(round(n)))
    return n if n % 2 else n + 1


def clean_person_mask(raw: np.ndarray, box, point, anchor: str = "centre", height: float | None = None,
                      others: Mapping | None = None, pid=None) -> np.ndarray:
    """Full-frame bool mask of one person.

    ``raw``: full-frame mask (bool, or uint8 where only 255 counts as foreground: 127 marks shadow);
    ``box``: (x0, y0, x1, y1) pixels; ``point``: the track point (u, v); ``anchor``: where the point sits
    on the body; ``height``: expected person height in px (default: the box height); ``others``:
    {pid: (u, v)} of every person of the frame (this one included, under ``pid``) for the split.
    """
    h_img, w_img = raw.shape[:2]
    fg = raw == 255 if raw.dtype == np.uint8 else raw.astype(bool)
    x0, y0, x1, y1 = (int(round(c)) for c in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(w_img, max(x1, x0 + 1)), min(h_img, max(y1, y0 + 1))
    out = np.zeros((h_img, w_img), bool)
    crop = fg[y0:y1, x0:x1].astype(np.uint8)
    if not crop.any():
        return out
    if height is None or height <= 0:
        height = float(y1 - y0)
    anchor = anchor if anchor in ANCHORS else "centre"
    # close small gaps (scaled with the person), fill holes
    k = _odd(height / 25.0)
    if k > 1:
        crop = cv2.morphologyEx(crop, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    crop = ndimage.binary_fill_holes(crop)
    # split from the other persons in this blob
    if others and pid is not None and len(others) > 1:
        local = {p: (uv[0] - x0, uv[1] - y0) for p, uv in others.items()}
        local[pid] = (point[0] - x0, point[1] - y0)
        crop = split_share(crop, pid, local, anchor, height)
    # keep the person's component(s)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(crop.astype(np.uint8), connectivity=8)
    if n <= 1:
        return out
    axis = person_axis((point[0] - x0, point[1] - y0), anchor, height)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    d = axis_distance(xs.astype(np.float32), ys.astype(np.float32), axis, width_weight=1.0)
    nearest = np.full(n, np.inf)
    np.minimum.at(nearest, lab, d)
    main = int(np.argmin(nearest[1:]) + 1)
    corridor = height * WIDTH_RATIO / 2.0
    min_area = max(4.0, 0.02 * stats[main, cv2.CC_STAT_AREA])
    keep = np.zeros(n, bool)
    keep[main] = True
    for c in range(1, n):
        if c != main and nearest[c] <= corridor and stats[c, cv2.CC_STAT_AREA] >= min_area:
            keep[c] = True
    out[y0:y1, x0:x1] = keep[labels]
    return out


def box_of(mask: np.ndarray):
    """(x0, y0, x1, y1) ints of a bool mask (x1, y1 exclusive), or None when empty."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
