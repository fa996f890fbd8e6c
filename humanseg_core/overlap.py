"""One owner per pixel: overlapping person masks of a frame resolved by depth order.

In a street camera looking down, the person whose feet are lower in the image (larger row ``v``) stands
nearer and hides whoever is behind.  :func:`resolve_overlaps` visits persons nearest first; each keeps the
pixels of its mask that no nearer person took.  Depth keys come from the track points (the feet row of
the person's expected box, see ``workflows.scene_run``); a person without a key counts as farthest, and
ties go to the larger pid (as the palette export always did).  Used by the whole-scene run before it
stores results and by the MOTS export, which needs masks that do not overlap.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np

__all__ = ["depth_order", "resolve_overlaps"]


def depth_order(pids: list, depth: Mapping[Hashable, float | None] | None) -> list:
    """``pids`` nearest first: larger depth key first, missing keys last, ties by larger pid."""
    depth = depth or {}

    def key(p):
        d = depth.get(p)
        ok = d is not None and np.isfinite(d)
        return (0 if ok else 1, -float(d) if ok else 0.0, -_as_number(p))

    return sorted(pids, key=key)


def _as_number(p) -> float:
    try:
        return float(p)
    except (TypeError, ValueError):
        return 0.0


def resolve_overlaps(masks: Mapping[Hashable, np.ndarray], depth: Mapping[Hashable, float | None] | None = None,
                     ) -> tuple[dict, int]:
    """({pid: bool mask} where no pixel has two owners, number of pixels taken away from farther persons).

    Masks must share one shape; the input masks are not modified."""
    out: dict = {}
    taken: np.ndarray | None = None
    removed = 0
    for p in depth_order(list(masks), depth):
        m = np.asarray(masks[p], bool)
        if taken is None:
            taken = np.zeros(m.shape, bool)
        elif m.shape != taken.shape:
            raise ValueError(f"mask of person {p} is {m.shape}, others are {taken.shape}")
        out[p] = m
        box = bounding_slices(m)
        if box is None:
            continue
        sub, held = m[box], taken[box]  # a person is small in the frame: work inside its box only
        clash = sub & held
        n = int(np.count_nonzero(clash))
        if n:
            removed += n
            m = m.copy()
            m[box] = sub & ~clash
            out[p] = m
        held |= m[box]
    return {p: out[p] for p in masks}, removed


def bounding_slices(m: np.ndarray) -> tuple[slice, ...] | None:
    """Slices of the bounding box of a 2-D boolean mask's pixels; None when it is empty."""
    if m.ndim != 2:
        return (slice(None),) * m.ndim if m.any() else None
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(m[rows[0]:rows[-1] + 1].any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)
