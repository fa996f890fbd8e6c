"""Pixel ownership without the parent network (bgs-owned): where two body cores overlap the nearer person's core
wins; a pixel nobody may own stays nobody's. Tiny synthetic masks."""

import numpy as np

from humanseg_core.proposals.colour_rounds import argmin_or_none as _argmin_or_none
from humanseg_core.proposals.ownership import assign_pixels


def test_where_two_body_cores_overlap_the_nearer_person_owns_them():
    """Persons 1 (feet at row 80) and 2 (feet at row 74, farther) stand 4 px apart: their cores (0.09 of a 50 px
    height each side of the axis) overlap between u 46 and 48.5, and those pixels are the nearer person's whether
    it is listed first or last."""
    mask = np.zeros((100, 100), bool)
    mask[25:80, 38:58] = True
    for points in ({1: (45.0, 80.0), 2: (49.0, 74.0)}, {2: (49.0, 74.0), 1: (45.0, 80.0)}):
        parts = assign_pixels(mask, points, "feet", {1: 50.0, 2: 50.0}).parts
        assert not (parts[1] & parts[2]).any()
        assert parts[1][40:70, 46:49].all() and not parts[2][40:70, 46:49].any()


def test_a_pixel_every_person_is_barred_from_is_nobodys():
    cost = np.array([[1.0, np.inf, 3.0], [2.0, np.inf, 0.5]], np.float32)
    assert _argmin_or_none(cost).tolist() == [0, -1, 1]
