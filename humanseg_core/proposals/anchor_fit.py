"""Where the track points sit on the bodies (head, feet or centre), from how a foreground covers each guess.

Box-based guessing (:func:`association.estimate_anchor`) needs persons whose blob is theirs alone; in a
crowd every blob is shared and the boxes say nothing. Here each hypothesis places the expected body (a
narrow column of the expected height) below the point (head), above it (feet) or around it (centre), and
the one whose columns the foreground (BGS, or the parent's probabilities) covers best wins. Persons with no
other point near them count fully, the others a quarter, so a crowd cannot outvote the isolated persons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .person_mask import person_axis

HYPOTHESES = ("head", "feet", "centre")
HALF_WIDTH = 0.12  # column half-width, share of the height
# each hypothesis is scored at these multiples of the expected height, the coverages averaged: before any
# box has taught the heights the expected one is a guess (a held-out scene of 24 px people took the default
# 75 px; the feet column and the centre column then covered the person alike, and centre won on noise)
SCALES = (0.35, 0.6, 1.0, 1.6)


def _isolated(p, persons: Mapping, h: float) -> bool:
    u, v = persons[p]
    return all(abs(uv[0] - u) > 0.6 * h or abs(uv[1] - v) > 1.2 * h for q, uv in persons.items() if q != p)


def coverage_scores(cover: np.ndarray, persons: Mapping, heights: Mapping) -> dict:
    """{anchor: (weighted coverage sum, weight sum)} on one frame; ``cover`` is float in [0, 1] (H, W)."""
    h_img, w_img = cover.shape
    out = {a: [0.0, 0.0] for a in HYPOTHESES}
    for p, (u, v) in persons.items():
        if not (0 <= u < w_img and 0 <= v < h_img):
            continue
        expected = float(heights[p])
        weight = 1.0 if _isolated(p, persons, expected) else 0.25
        for a in HYPOTHESES:
            covered = [c for c in (_column_cover(cover, (u, v), a, k * expected) for k in SCALES) if c is not None]
            if len(covered) == len(SCALES):  # mostly outside the image at some scale: says nothing
                out[a][0] += weight * float(np.mean(covered))
                out[a][1] += weight
    return {a: (s, w) for a, (s, w) in out.items()}


def _column_cover(cover: np.ndarray, point, anchor: str, h: float) -> float | None:
    """The mean of ``cover`` over the body column of height ``h`` that ``anchor`` places at ``point``, or None
    when it lies mostly outside the image."""
    h_img, w_img = cover.shape
    u = float(point[0])
    x0, x1 = int(max(0, u - HALF_WIDTH * h)), int(min(w_img, u + HALF_WIDTH * h + 1))
    _u, top, bottom = person_axis(point, anchor, h)
    y0, y1 = int(max(0, top)), int(min(h_img, bottom + 1))
    if x1 <= x0 or y1 - y0 < 0.5 * h:
        return None
    return float(cover[y0:y1, x0:x1].mean())


def best_anchor(scores: Iterable[Mapping]) -> str:
    """The hypothesis with the highest mean coverage over frames (``"centre"`` when nothing was seen)."""
    total = {a: [0.0, 0.0] for a in HYPOTHESES}
    for sc in scores:
        for a, (s, w) in sc.items():
            total[a][0] += s
            total[a][1] += w
    means = {a: s / w for a, (s, w) in total.items() if w > 0}
    if not means:
        return "centre"
    return max(means, key=lambda a: means[a])
