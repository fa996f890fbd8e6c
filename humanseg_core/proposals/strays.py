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

from collections.abc import Iterable, Mapping
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


def stray_points(fg: np.ndarray, top: np.ndarray, named: Iterable[int], height_at, anchor: str,
                 typical_height: float, config: StrayConfig) -> tuple[dict[int, tuple[float, float]], dict[int, float]]:
    """({id: (u, v)}, {id: height}) of the walkers in the foreground ``fg`` (uint8, 255 foreground) that the
    named persons' upper probability envelope ``top`` does not explain. Ids are negative and below every
    named id; ``height_at(v, u)`` is the expected height of a person whose point is (u, v)."""
    if not config.enabled:
        return {}, {}
    unexplained = clean_foreground(fg == 255, typical_height) & (top < config.probability)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(unexplained.astype(np.uint8), connectivity=8)
    first = min([0, *named]) - 1
    points: dict[int, tuple[float, float]] = {}
    heights: dict[int, float] = {}
    for i in range(1, n):
        x, y, w, tall, area = (int(c) for c in stats[i])
        u = x + w / 2.0
        v = {"feet": float(y + tall), "head": y + 0.06 * tall}.get(anchor, float(centroids[i][1]))
        h = float(height_at(v, u))
        if not np.isfinite(h) or h <= 0 or area < config.min_area * h * h or tall < config.min_tall * h:
            continue
        pid = first - len(points)
        points[pid] = (u, v)
        heights[pid] = h
    return points, heights


def named_only(mapping: Mapping, strays: Mapping) -> dict:
    """``mapping`` without the strays' ids."""
    return {k: v for k, v in mapping.items() if k not in strays}


def occluder_name(occluder, strays: Mapping) -> str:
    """What a hidden person's skip names as its occluder: the person's id, or :data:`UNNAMED`."""
    return UNNAMED if occluder in strays else str(occluder)
