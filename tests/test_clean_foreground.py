"""The foreground clean-up before ownership keeps the thin limbs of small persons (ownership.clean_foreground)."""

from __future__ import annotations

import numpy as np

from humanseg_core.proposals.ownership import SPECK_MEDIAN_MIN_HEIGHT, clean_foreground


def _figure() -> np.ndarray:
    """A 32-px person: an 8-px-wide body and two 1-px legs, and a speck away from it."""
    m = np.zeros((60, 60), bool)
    m[10:30, 26:34] = True
    m[30:42, 27] = True
    m[30:42, 32] = True
    m[50, 5] = True
    return m


def test_small_persons_keep_their_legs():
    out = clean_foreground(_figure(), 32.0)
    assert out[30:42, 27].all() and out[30:42, 32].all()


def test_larger_persons_lose_specks():
    assert SPECK_MEDIAN_MIN_HEIGHT > 32
    out = clean_foreground(_figure(), 75.0)
    assert not out[50, 5]
    assert out[12:28, 28:32].all()
