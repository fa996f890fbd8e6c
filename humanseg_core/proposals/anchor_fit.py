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
        h = float(heights[p])
        weight = 1.0 if _isolated(p, persons, h) else 0.25
        x0, x1 = int(max(0, u - HALF_WIDTH * h)), int(min(w_img, u + HALF_WIDTH * h + 1))
        for a in HYPOTHESES:
            _u, top, bottom = person_axis((u, v), a, h)
            y0, y1 = int(max(0, top)), int(min(h_img, bottom + 1))
            if x1 <= x0 or y1 - y0 < 0.5 * h:  # mostly outside the image: says nothing
                continue
            out[a][0] += weight * float(cover[y0:y1, x0:x1].mean())
            out[a][1] += weight
    return {a: (s, w) for a, (s, w) in out.items()}


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
