"""Click-to-refine (GrabCut seeded by the proposal, clicks and other persons' points) on a synthetic case."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.metrics import jaccard
from humanseg_core.proposals.refine import fill_polygon, refine_mask


def _scene():
    rng = np.random.default_rng(0)
    h, w = 160, 200
    image = rng.integers(90, 130, (h, w, 3)).astype(np.uint8)  # noisy grey ground
    truth = np.zeros((h, w), bool)
    truth[30:130, 80:110] = True  # the person: a tall red body
    image[truth] = (40, 40, 200)
    neighbour = np.zeros((h, w), bool)
    neighbour[60:130, 110:135] = True  # a green neighbour touching its side
    image[neighbour] = (40, 180, 40)
    proposal = truth.copy()
    proposal[95:130] = False  # legs missing
    proposal |= neighbour  # and the neighbour leaked in
    return image, truth, proposal


def test_clicks_improve_iou():
    image, truth, proposal = _scene()
    before = jaccard(proposal, truth)
    refined = refine_mask(image, proposal, positives=[(95, 115)], negatives=[(122, 100)], others=[(122, 70)])
    after = jaccard(refined, truth)
    assert before < 0.7 and after > 0.9 and after > before + 0.2
    # the other person's point alone already pushes the neighbour out
    assert jaccard(refine_mask(image, proposal, others=[(122, 70), (122, 110)]), truth) > before


def test_nothing_to_seed_returns_the_mask_and_sizes_are_checked():
    image, _, _ = _scene()
    empty = np.zeros(image.shape[:2], bool)
    assert not refine_mask(image, empty).any()
    with pytest.raises(ValueError, match="differ"):
        refine_mask(image, empty[:10])


def test_polygon_adds_and_cuts():
    mask = np.zeros((50, 50), bool)
    added = fill_polygon(mask, [(10, 10), (30, 10), (30, 30), (10, 30)], add=True)
    assert added[20, 20] and not added[40, 40]
    cut = fill_polygon(added, [(10, 10), (20, 10), (20, 30), (10, 30)], add=False)
    assert not cut[20, 15] and cut[20, 25]
