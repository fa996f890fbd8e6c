"""Share one foreground blob among the persons whose track points fall in it, nearer persons first.

Background subtraction merges people who touch or overlap into one blob. :func:`split_blob` gives each
pixel of such a blob to one person (or to nobody):

1. depth priority: persons are visited nearest first (:func:`body_prior.depth_order`); each claims the
   still unclaimed pixels of its body core (:func:`body_prior.core_region`). Where bodies overlap the
   nearer one hides the farther one, so the farther person keeps only what lies outside the nearer core;
2. a person owns no pixel above its head or below its feet (:func:`body_prior.vertical_span`): a nearer
   person's legs or pram below a farther person's feet are never the farther person's;
3. every other pixel (arms, bags, prams, the edges of the body) goes to the person minimising a spatial
   cost (distance to the body axis, horizontal offsets weighted as in ``person_mask.axis_distance``)
   plus a colour cost: each person's colour histogram comes from frames where the person stood alone
   (``appearance``) or else from the core pixels it claimed.

The result also says how sure the split is for each person (:class:`SplitResult.ambiguity`: the share of
the person's pixels that another person could have had almost as cheaply).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .body_prior import body_axes, core_region, depth_order, vertical_span
from .colour_rounds import argmin_or_none, colour_rounds
from .person_mask import WIDTH_RATIO, axis_distance, colour_codes

# a pixel is contested when its best and second-best costs differ by less than this
CONTEST_MARGIN = 0.5


@dataclass
class SplitResult:
    parts: dict = field(default_factory=dict)  # {pid: bool mask}
    ambiguity: dict = field(default_factory=dict)  # {pid: share of its pixels that are contested}
    core_share: dict = field(default_factory=dict)  # {pid: share of its pixels claimed as body core}


def split_blob(mask: np.ndarray, points: Mapping, anchor: str, heights: Mapping | float,
               image: np.ndarray | None = None, appearance: Mapping | None = None,
               colour_weight: float = 3.0, rounds: int = 2, depth_priority: bool = True,
               symmetric_appearance: bool = False) -> SplitResult:
    """Share the pixels of ``mask`` among the persons of ``points`` ({pid: (u, v)}).

    ``heights``: {pid: expected height in px} or one number; ``image``: the BGR frame for the colour cost;
    ``appearance``: {pid: 512-bin colour counts} learnt where the person stood alone."""
    pids = list(points)
    out = SplitResult({p: np.zeros(mask.shape, bool) for p in pids}, {p: 0.0 for p in pids},
                      {p: 0.0 for p in pids})
    ys, xs = np.nonzero(mask)
    if len(xs) == 0 or not pids:
        return out
    xs_f, ys_f = xs.astype(np.float32), ys.astype(np.float32)
    hmap = {p: float(heights[p]) if isinstance(heights, Mapping) else float(heights) for p in pids}
    axes = body_axes(points, anchor, hmap)
    spatial = np.stack([axis_distance(xs_f, ys_f, axes[p]) / max(1.0, hmap[p] * WIDTH_RATIO / 2.0)
                        for p in pids])
    allowed = np.stack([vertical_span(ys_f, axes[p], hmap[p]) for p in pids])
    core = np.full(len(xs), -1, np.int64)
    if depth_priority:
        index = {p: k for k, p in enumerate(pids)}
        for p in depth_order(axes):
            k = index[p]
            core[(core < 0) & core_region(xs_f, ys_f, axes[p], hmap[p])] = k
    cost = np.where(allowed, spatial, np.inf)
    code = colour_codes(image[ys, xs]) if image is not None else None
    label = argmin_or_none(cost)
    if code is not None and len(pids) > 1 and colour_weight > 0:
        appearance = appearance or {}
        if symmetric_appearance and not all(np.sum(appearance.get(p, 0)) >= 200 for p in pids):
            appearance = {}  # learnt looks include what people carry: use them for all or for none
        label, cost = colour_rounds(cost, code, core, label, pids, appearance, colour_weight, rounds,
                                    seed_from_core=depth_priority)
    if depth_priority:
        label = np.where(core >= 0, core, label)
    core_share = write_parts(out.parts, out.ambiguity, pids, label, cost, core, (ys, xs))
    out.core_share.update(core_share)
    return out


def write_parts(parts: dict, ambiguity: dict, pids: list, label: np.ndarray, cost: np.ndarray,
                  core: np.ndarray, yx: tuple[np.ndarray, np.ndarray]) -> dict:
    """Write each person's pixels (``label`` indexes ``pids``) into ``parts`` and the share of them that
    were contested (the two lowest ``cost`` rows closer than :data:`CONTEST_MARGIN`, outside a body core)
    into ``ambiguity``; returns each person's share of pixels that are its own body core."""
    ys, xs = yx
    srt = np.sort(cost, axis=0)
    with np.errstate(invalid="ignore"):
        contested = (srt[1] - srt[0] < CONTEST_MARGIN) if len(pids) > 1 else np.zeros(len(xs), bool)
    contested &= core < 0
    core_share = {}
    for k, p in enumerate(pids):
        sel = label == k
        parts[p][ys[sel], xs[sel]] = True
        n = int(sel.sum())
        ambiguity[p] = float(contested[sel].sum()) / n if n else 1.0
        core_share[p] = float((core[sel] == k).sum()) / n if n else 0.0
    return core_share
