"""Pixel ownership refined by colour: each person's colour histogram (learnt from earlier frames, or seeded from
its body core or the pixels it holds now) adds a cost to the spatial one, a few rounds, until no pixel moves.
Shared by the blob split (one foreground blob among its persons) and the joint ownership of a frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import ndimage

MIN_SEEDS = 20  # pixels a person needs to seed its own histogram
MIN_KNOWN = 200  # pixels of a learnt appearance that make it count


def colour_cost(code: np.ndarray, hist_counts: np.ndarray) -> np.ndarray:
    """-log p(colour) under a person's 8x8x8 histogram (smoothed), scaled to [0, ~1.5]: ``code`` the pixels'
    colour codes (0..511)."""
    hist = ndimage.gaussian_filter(np.asarray(hist_counts, np.float64).reshape(8, 8, 8), 0.7, mode="constant")
    prob = hist.reshape(-1) / max(hist.sum(), 1e-9)
    return -np.log(prob[code] + 1e-4) / np.log(512)


def argmin_or_none(cost: np.ndarray) -> np.ndarray:
    """Per column the row of the smallest finite cost, or -1 when every row is infinite."""
    label = cost.argmin(axis=0)
    label[~np.isfinite(cost.min(axis=0))] = -1
    return label


def colour_rounds(cost: np.ndarray, code: np.ndarray, core: np.ndarray, label: np.ndarray, pids: Sequence,
                  appearance: Mapping, weight: float, rounds: int,
                  seed_from_core: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(label, total cost) after up to ``rounds`` rounds: each person's colour cost (its ``appearance``
    histogram when it holds :data:`MIN_KNOWN` pixels; else its body ``core`` pixels, when ``seed_from_core`` and
    it has :data:`MIN_SEEDS` of them; else the pixels ``label`` gives it) times ``weight``, added to ``cost``
    where it is finite; a round that moves no pixel ends them. With no round: (label, cost)."""
    total = cost
    for _ in range(rounds):
        total = cost.copy()
        for k, p in enumerate(pids):
            known = appearance.get(p)
            if known is not None and np.sum(known) >= MIN_KNOWN:
                counts = known
            else:
                own = core == k
                seeds = code[own if seed_from_core and own.sum() >= MIN_SEEDS else label == k]
                if len(seeds) < MIN_SEEDS:
                    continue
                counts = np.bincount(seeds, minlength=512)
            finite = np.isfinite(total[k])
            total[k, finite] += weight * colour_cost(code[finite], counts)
        new = argmin_or_none(total)
        if (new == label).all():
            break
        label = new
    return label, total
