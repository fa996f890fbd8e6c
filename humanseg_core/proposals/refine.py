"""Click-to-refine: a person mask corrected by positive / negative clicks with OpenCV GrabCut.

GrabCut runs on a crop around the mask and the clicks. Its seed: the proposal is "probably person", the
rest of the crop "probably background"; a disc at each positive click is sure person, a disc at each
negative click and at every other person's track point is sure background (so a neighbour touching the
person is cut off). Outside the crop the mask is kept as it was. Small (a crop of a person), so the studio
runs it on a click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Point = tuple[float, float]  # (u = column, v = row) in image pixels


@dataclass(frozen=True)
class RefineConfig:
    click_radius: int = 3  # pixels of a click disc (sure person / sure background)
    other_radius: int = 5  # pixels of the disc at another person's track point (sure background)
    margin: float = 0.5  # crop margin, a share of the person box's larger side (at least 12 px)
    iterations: int = 4


def _crop(mask: np.ndarray, points: Sequence[Point], margin: float) -> tuple[int, int, int, int]:
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    us = [p[0] for p in points] + ([int(xs.min()), int(xs.max())] if len(xs) else [])
    vs = [p[1] for p in points] + ([int(ys.min()), int(ys.max())] if len(ys) else [])
    x0, x1, y0, y1 = min(us), max(us), min(vs), max(vs)
    m = max(12.0, margin * max(x1 - x0, y1 - y0))
    return (max(0, int(x0 - m)), max(0, int(y0 - m)), min(w, int(x1 + m) + 1), min(h, int(y1 + m) + 1))


def refine_mask(image: np.ndarray, mask: np.ndarray, positives: Sequence[Point] = (),
                negatives: Sequence[Point] = (), others: Sequence[Point] = (),
                config: RefineConfig = RefineConfig()) -> np.ndarray:
    """The mask refined by GrabCut from the proposal, the clicks and other persons' points (bool, H x W).

    ``image`` is the BGR (or grey) frame; every point is (u, v) in its pixels. With nothing to seed the
    person (an empty mask and no positive click) the mask comes back unchanged.
    """
    mask = np.asarray(mask, bool)
    if image.shape[:2] != mask.shape:
        raise ValueError(f"image {image.shape[:2]} and mask {mask.shape} differ in size")
    if not mask.any() and not positives:
        return mask.copy()
    x0, y0, x1, y1 = _crop(mask, [*positives, *negatives], config.margin)
    img = image[y0:y1, x0:x1]
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    img = np.ascontiguousarray(img, np.uint8)
    seed = np.where(mask[y0:y1, x0:x1], cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)

    def disc(points: Sequence[Point], radius: int, value: int) -> None:
        for u, v in points:
            cv2.circle(seed, (int(round(u)) - x0, int(round(v)) - y0), radius, int(value), -1)

    disc(others, config.other_radius, cv2.GC_BGD)
    disc(negatives, config.click_radius, cv2.GC_BGD)
    disc(positives, config.click_radius, cv2.GC_FGD)
    fg = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if fg.all() or not fg.any():
        return mask.copy()  # GrabCut needs both sides
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(img, seed, None, bgd, fgd,  # type: ignore[call-overload]  # no rect with a mask (stubs miss None)
                config.iterations, cv2.GC_INIT_WITH_MASK)
    out = mask.copy()
    out[y0:y1, x0:x1] = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD))
    return out


def fill_polygon(mask: np.ndarray, polygon: Sequence[Point], add: bool) -> np.ndarray:
    """The mask with the polygon's inside added (``add``) or cut; ``polygon`` is [(u, v), ...]."""
    out = np.asarray(mask, np.uint8).copy()
    if len(polygon) >= 3:
        pts = np.round(np.asarray(polygon, float)).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(out, [pts], 1 if add else 0)
    return out.astype(bool)
