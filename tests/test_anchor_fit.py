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


def test_an_isolated_person_counts_fully_a_crowded_one_a_quarter_and_a_column_off_the_image_not_at_all():
    from humanseg_core.proposals.anchor_fit import coverage_scores

    cover = np.ones((200, 300), np.float32)
    heights = {1: 40.0, 2: 40.0, 3: 40.0, 4: 40.0}
    persons = {1: (50.0, 100.0), 2: (200.0, 100.0), 3: (205.0, 105.0)}  # 2 and 3 stand together
    scores = coverage_scores(cover, persons, heights)
    assert scores["centre"] == (pytest.approx(1.5), pytest.approx(1.5))  # 1 + 0.25 + 0.25
    edge = coverage_scores(cover, {4: (150.0, 25.0)}, heights)  # a point near the top edge: above it, a tall
    assert edge["feet"] == (0.0, 0.0) and edge["head"][1] == 1.0  # column lies mostly outside the image
