"""Which detection box belongs to which annotated person, one-to-one across every person of a frame.

The cost of a (person, box) pair is the distance in pixels from the track point to the part of the box
where that point should sit on a body (``anchor``): the top band for a head point, the bottom band for
feet, the middle for a centre point, the whole box for ``"box"``; 0 inside that region. The pairs are
matched with :func:`scipy.optimize.linear_sum_assignment`, so two persons never claim the same box, and a
pair farther than the threshold is no match: that person is skipped on that frame with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

ANCHORS = ("auto", "head", "feet", "centre", "box")
DEFAULT_THRESHOLD_PX = 40.0
REF_DIAGONAL = float(np.hypot(720, 576))
# the band of the box (share of its height) where each anchor sits
BAND = 0.25
_BIG = 1e9


def default_threshold(width: int, height: int, base: float = DEFAULT_THRESHOLD_PX) -> float:
    """``base`` px at 720x576, scaled with the image diagonal."""
    return float(base) * float(np.hypot(width, height)) / REF_DIAGONAL


def anchor_region(box, anchor: str) -> tuple[float, float, float, float]:
    """The part of ``box`` (x0, y0, x1, y1) where a point of kind ``anchor`` sits."""
    x0, y0, x1, y1 = (float(c) for c in box)
    h = y1 - y0
    if anchor == "head":
        return x0, y0, x1, y0 + BAND * h
    if anchor == "feet":
        return x0, y1 - BAND * h, x1, y1
    if anchor == "centre":
        w = x1 - x0
        return x0 + 0.1 * w, y0 + BAND * h, x1 - 0.1 * w, y1 - BAND * h
    return x0, y0, x1, y1


def point_box_distance(point, box, anchor: str = "box") -> float:
    """0 inside the anchor region of the box, else the distance to its edge."""
    x0, y0, x1, y1 = anchor_region(box, anchor)
    u, v = float(point[0]), float(point[1])
    dx = max(x0 - u, 0.0, u - x1)
    dy = max(y0 - v, 0.0, v - y1)
    return float(np.hypot(dx, dy))


def distance_matrix(points: np.ndarray, boxes: np.ndarray, anchor: str = "box") -> np.ndarray:
    """(P, B) distances from each point to the anchor region of each box."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    regions = np.array([anchor_region(b, anchor) for b in np.asarray(boxes).reshape(-1, 4)],
                       np.float64).reshape(-1, 4)
    u, v = pts[:, :1], pts[:, 1:]
    dx = np.maximum.reduce([regions[None, :, 0] - u, np.zeros((len(pts), len(regions))), u - regions[None, :, 2]])
    dy = np.maximum.reduce([regions[None, :, 1] - v, np.zeros((len(pts), len(regions))), v - regions[None, :, 3]])
    return np.hypot(dx, dy)


@dataclass
class Match:
    pid: int
    box_index: int
    distance: float
    flags: list = field(default_factory=list)


def match_frame(points: Mapping[int, tuple], boxes: np.ndarray, threshold: float, anchor: str = "box",
                image_size: tuple[float, float] | None = None, ambiguity_ratio: float = 0.2,
                ambiguity_px: float = 3.0) -> tuple[dict[int, Match], dict[int, str]]:
    """Match every person of a frame to at most one box and every box to at most one person.

    ``points``: {pid: (u, v)}; ``boxes``: (N, 4) x0 y0 x1 y1; ``image_size``: (width, height) to reject
    points outside the image. Returns ({pid: Match}, {pid: reason}) covering every pid of ``points``.
    A match is flagged ``"ambiguous"`` when another box is almost as close (within ``ambiguity_ratio``
    of the distance, or ``ambiguity_px`` pixels).
    """
    if anchor == "auto":
        anchor = "box"
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    skips: dict[int, str] = {}
    inside: list[int] = []
    for pid, (u, v) in points.items():
        if not (np.isfinite(u) and np.isfinite(v)):
            skips[pid] = "no position on this frame"
        elif image_size is not None and not (0 <= u < image_size[0] and 0 <= v < image_size[1]):
            skips[pid] = f"point outside the image ({u:.0f}, {v:.0f})"
        else:
            inside.append(pid)
    if not inside:
        return {}, skips
    if len(boxes) == 0:
        skips.update({pid: "no detections on this frame" for pid in inside})
        return {}, skips
    pts = np.array([points[p] for p in inside], np.float64)
    dist = distance_matrix(pts, boxes, anchor)
    cost = np.where(dist <= threshold, dist, _BIG)
    rows, cols = linear_sum_assignment(cost)
    matches: dict[int, Match] = {}
    owner = {}
    for r, c in zip(rows, cols):
        if cost[r, c] < _BIG:
            owner[c] = inside[r]
            flags = []
            others = np.delete(dist[r], c)
            if len(others) and others.min() <= dist[r, c] * (1 + ambiguity_ratio) + ambiguity_px:
                flags.append("ambiguous")
            matches[inside[r]] = Match(inside[r], int(c), float(dist[r, c]), flags)
    for r, pid in enumerate(inside):
        if pid in matches:
            continue
        best = int(np.argmin(dist[r]))
        if dist[r, best] > threshold:
            skips[pid] = f"no detection within {threshold:.0f} px (nearest {dist[r, best]:.0f} px)"
        else:
            taken = owner.get(best)
            skips[pid] = (f"nearest detection ({dist[r, best]:.0f} px) taken by person {taken}"
                          if taken is not None else "no free detection within the threshold")
    return matches, skips


def estimate_anchor(rel_positions) -> str:
    """Where the points sit on bodies, from the relative heights (0 = box top, 1 = bottom) of the points
    of confident matches: ``"head"``, ``"feet"`` or ``"centre"`` (``"centre"`` with too little data)."""
    rel = np.asarray([r for r in rel_positions if np.isfinite(r)], np.float64)
    if len(rel) < 3:
        return "centre"
    med = float(np.median(rel))
    if med < 1 / 3:
        return "head"
    if med > 2 / 3:
        return "feet"
    return "centre"


def relative_height(point, box) -> float:
    """The point's height in the box: 0 at the top, 1 at the bottom (may fall outside [0, 1])."""
    y0, y1 = float(box[1]), float(box[3])
    return (float(point[1]) - y0) / max(1.0, y1 - y0)
