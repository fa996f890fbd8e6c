"""Walkers the trajectory file does not name: found in the foreground, they compete for pixels (ADR 0059).

Trajectory sets often annotate only some of the people in the video (TrajNet keeps a subset; annotators miss
people). Background subtraction sees everyone, but the parent network only knows the named persons' points as
negatives, and pixel ownership gives every foreground pixel within reach to some named person. A named person
walking beside or behind an unnamed one then took its body, or its pram (a hunt's zara02 scene with 6 of 14
persons removed from the trajectory file: median IoU 0.805 -> 0.764, below the parent alone at 0.773, and 8 %
of the proposals mostly on someone else).

:func:`stray_points` finds the foreground that no named person's parent probability explains, and gives each
piece large enough to be a person (a quarter of a body's area, 0.4 of its height) a point where the scene's
anchor would put it. The joint step adds these points as persons of its own (negative ids) to the parent's
negatives and to the pixel ownership, and drops their masks afterwards: they only take their own pixels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from .ownership import clean_foreground

#: what a frame's skip says of a person hidden behind such a walker (after records.HIDDEN_BEHIND)
UNNAMED = "not in the trajectory file"


@dataclass(frozen=True)
class StrayConfig:
    # off by default: measured, the strays cost the crowds (eth_dense 0.714 -> 0.700 median IoU, wrong person
    # 3.9 -> 4.4 %; eth_big, eth_huge, eth_halfstill alike) as much as they gave the unnamed walkers (ADR 0059)
    enabled: bool = False
    # foreground where no named person's parent probability reaches this is unexplained
    probability: float = 0.3
    # a piece of it is a walker when its area is at least this share of height^2 (a quarter of a body 0.4
    # heights wide) and it is at least this share of the height tall
    min_area: float = 0.1
    min_tall: float = 0.4
    # ... and at most this share of it lies in a named person's expected body (a box this many heights either
    # side of its axis): in crowds the unexplained foreground is mostly named persons' partly hidden bodies
    max_inside: float = 0.5
    body_half_width: float = 0.25


def _bodies(shape: tuple[int, ...], axes: Mapping, heights: Mapping, half_width: float) -> np.ndarray:
    """Where the named persons' bodies are expected: a box about each axis (u, top, bottom)."""
    out = np.zeros(shape[:2], bool)
    for p, (u, top, bottom) in axes.items():
        w = half_width * float(heights[p])
        rows = slice(max(0, int(top)), max(0, int(np.ceil(bottom)) + 1))
        out[rows, max(0, int(u - w)):max(0, int(np.ceil(u + w)) + 1)] = True
    return out


def stray_points(fg: np.ndarray, top: np.ndarray, axes: Mapping, heights: Mapping, height_at, anchor: str,
                 config: StrayConfig) -> tuple[dict[int, tuple[float, float]], dict[int, float]]:
    """({id: (u, v)}, {id: height}) of the walkers in the foreground ``fg`` (uint8, 255 foreground) that the
    named persons' upper probability envelope ``top`` does not explain and their expected bodies do not hold
    (``axes``: {pid: (u, top, bottom)}, ``heights``: {pid: px}). Ids are negative and below every named id;
    ``height_at(v, u)`` is the expected height of a person whose point is (u, v)."""
    if not config.enabled or not axes:
        return {}, {}
    unexplained = clean_foreground(fg == 255, float(np.median(list(heights.values())))) & (top < config.probability)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(unexplained.astype(np.uint8), connectivity=8)
    bodies = _bodies(fg.shape, axes, heights, config.body_half_width) if n > 1 else None
    named = list(axes)
    first = min([0, *named]) - 1
    points: dict[int, tuple[float, float]] = {}
    sizes: dict[int, float] = {}
    for i in range(1, n):
        x, y, w, tall, area = (int(c) for c in stats[i])
        u = x + w / 2.0
        v = {"feet": float(y + tall), "head": y + 0.06 * tall}.get(anchor, float(centroids[i][1]))
        h = float(height_at(v, u))
        if not np.isfinite(h) or h <= 0 or area < config.min_area * h * h or tall < config.min_tall * h:
            continue
        piece = labels[y:y + tall, x:x + w] == i
        if bodies is not None and (piece & bodies[y:y + tall, x:x + w]).sum() > config.max_inside * area:
            continue
        pid = first - len(points)
        points[pid] = (u, v)
        sizes[pid] = h
    return points, sizes


def named_only(mapping: Mapping, strays: Mapping) -> dict:
    """``mapping`` without the strays' ids."""
    return {k: v for k, v in mapping.items() if k not in strays}


def occluder_name(occluder: int, strays: Mapping) -> int | str:
    """What a hidden person's skip names as its occluder: the person's id as it is, or :data:`UNNAMED`."""
    return UNNAMED if occluder in strays else occluder
