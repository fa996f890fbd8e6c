"""Where the track points sit on the bodies, from how the foreground covers each guess (``anchor_fit``),
when the expected height is still a guess (a held-out scene of 24 px people, feet points, the default height
75 px: 'centre' was picked, and every mask came out half the person's height)."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.proposals.anchor_fit import best_anchor, coverage_scores


def _frame(anchor: str, true_h: int, n: int = 6, shape=(400, 600)):
    """Persons ``true_h`` px tall and ``true_h // 3`` wide, far apart, their points at ``anchor``, each with a
    fainter foot shadow below (background subtraction keeps some of it): (cover, points)."""
    cover = np.zeros(shape, np.float32)
    points = {}
    for i in range(n):
        u, top = 60 + 90 * i, 150
        cover[top:top + true_h, u - true_h // 6:u + true_h // 6 + 1] = 1.0
        cover[top + true_h:top + true_h + true_h // 4, u - true_h // 6:u + true_h // 3] = 0.5
        v = {"head": top + 0.06 * true_h, "feet": top + true_h - 1, "centre": top + true_h / 2}[anchor]
        points[i] = (float(u), float(v))
    return cover, points


@pytest.mark.parametrize("anchor", ["head", "feet", "centre"])
@pytest.mark.parametrize("true_h, expected_h", [(24, 75.0), (75, 75.0), (60, 110.0), (150, 62.0)])
def test_the_anchor_is_found_whatever_the_expected_height(anchor, true_h, expected_h):
    cover, points = _frame(anchor, true_h)
    heights = {p: expected_h for p in points}
    assert best_anchor([coverage_scores(cover, points, heights)]) == anchor
