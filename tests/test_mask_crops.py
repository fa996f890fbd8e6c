"""CroppedMasks: full-frame masks kept as their bounding crops read back the same."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.mask_crops import CroppedMasks


def test_masks_read_back_the_same_and_hold_only_their_crops() -> None:
    rng = np.random.default_rng(3)
    masks = {}
    for f in range(40):
        m = np.zeros((120, 160), bool)
        y, x = rng.integers(0, 110), rng.integers(0, 150)
        m[y:y + rng.integers(1, 30), x:x + rng.integers(1, 20)] = True  # a block, maybe at an edge
        m[y, min(159, x + 5)] = True
        masks[f * 10] = m
    masks[999] = np.zeros((120, 160), bool)  # empty
    masks[1000] = np.ones((120, 160), bool)  # the whole frame
    kept = CroppedMasks(masks)
    assert len(kept) == len(masks) and list(kept) == list(masks)
    for f, m in masks.items():
        got = kept[f]
        assert got.dtype == bool and got.shape == m.shape
        np.testing.assert_array_equal(got, m)
        ys, xs = np.nonzero(m)
        assert kept.box(f) == ((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(xs)
                               else None)
    got = kept[0]
    got[:] = True  # a copy: the kept mask is not changed
    np.testing.assert_array_equal(kept[0], masks[0])
    full = sum(m.nbytes for m in masks.values())
    assert kept.nbytes() < full * 0.2  # 40 small masks and a whole frame: the crops hold far less


def test_a_mask_that_is_not_2d_is_refused() -> None:
    with pytest.raises(ValueError, match="2-D"):
        CroppedMasks({0: np.zeros((4, 4, 3), bool)})
