"""The parent network as a proposal method: per-person probabilities on one frame, owned one-to-one.

:func:`parent_probabilities` runs the point-prompted parent (:mod:`humanseg_core.prior.parent`) on a crop
around every person of the frame, the other persons' points as the negative prompt and the expected height
from the height model, batched per frame. :func:`combine` turns the probabilities into one mask per person:
each pixel belongs to the person with the highest probability (nearer persons win ties) when that
probability is high enough; with a BGS foreground, BGS confirms the pixels the parent is unsure of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import WeightsError
from .body_prior import body_axes, depth_order
from .person_mask import ANCHORS


@dataclass(frozen=True)
class ParentConfig:
    threshold: float = 0.5  # parent alone: a pixel is the person's from this probability up
    low: float = 0.3  # with BGS: a foreground pixel is the person's from this probability up ...
    high: float = 0.7  # ... and a background pixel from this one (static persons, dark clothing)
    # bgs+parent: "cost" (the parent's probability joins the ownership cost of the BGS pixels; pixels every
    # person's probability calls background are dropped, those it is sure of are added) or "gate" (the
    # parent decides whose a pixel is, BGS confirms the unsure ones: :func:`combine`)
    mode: str = "cost"
    drop: float = 0.15
    batch: int = 32  # persons per forward pass
    # only points within this many heights of a person are given as its negatives
    negatives_reach: float = 2.0


def load_parent_or_none(path: Path | str | None = None):
    """(segmenter, None) or (None, the reason it could not be loaded, naming the file)."""
    try:
        from ..prior.parent import DEFAULT_PARENT, load_parent
    except ImportError as exc:  # torch missing on this machine
        return None, f"the parent network cannot run here ({exc})"
    target = Path(path) if path is not None else DEFAULT_PARENT
    try:
        return load_parent(target), None
    except WeightsError as exc:
        return None, str(exc)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        return None, f"{target}: unreadable parent file ({exc})"


def parent_probabilities(segmenter, image: np.ndarray, persons: Mapping, heights: Mapping,
                         config: ParentConfig = ParentConfig(), anchor: str | None = None) -> dict:
    """{pid: full-frame float32 probability} of every person of ``persons`` ({pid: (u, v)}); ``anchor``:
    where the points sit on the bodies when known (None: the network guesses)."""
    pids = list(persons)
    items = []
    for p in pids:
        u, v = persons[p]
        reach = config.negatives_reach * float(heights[p])
        others = [persons[q] for q in pids if q != p
                  and abs(persons[q][0] - u) <= reach and abs(persons[q][1] - v) <= reach]
        items.append(((float(u), float(v)), others, float(heights[p])))
    out: dict = {}
    for start in range(0, len(items), max(1, config.batch)):
        chunk = items[start:start + config.batch]
        probs = segmenter.segment_batch(image, chunk, anchor=anchor if anchor in ANCHORS else None)
        for p, prob in zip(pids[start:start + config.batch], probs):
            out[p] = prob
    return out


def combine(probs: Mapping, solid: np.ndarray | None, persons: Mapping, anchor: str, heights: Mapping,
            config: ParentConfig = ParentConfig()):
    """({pid: bool mask}, {pid: ambiguity}, {}): one-to-one masks from the parent's probabilities.

    Without ``solid`` (the parent alone) a pixel is the most probable person's when its probability
    reaches ``threshold``. With ``solid`` (BGS foreground, bool) a foreground pixel needs ``low``, a
    background one ``high``. Ties go to the nearer person (lowest feet)."""
    pids = [p for p in depth_order(body_axes(persons, anchor, heights)) if p in probs]
    shape = next(iter(probs.values())).shape if probs else (0, 0)
    parts = {p: np.zeros(shape, bool) for p in pids}
    if not pids:
        return parts, {}, {}
    rows, cols = np.nonzero(np.any([probs[p] > 0 for p in pids], axis=0))
    if len(rows) == 0:
        return parts, {p: 1.0 for p in pids}, {}
    win = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))  # where any crop looked
    stack = np.stack([probs[p][win] for p in pids])  # nearest first: argmax keeps the first of equals
    best = stack.argmax(axis=0)
    top = np.take_along_axis(stack, best[None], axis=0)[0]
    if solid is None:
        keep = top >= config.threshold
    else:
        keep = np.where(solid[win], top >= config.low, top >= config.high)
    second = np.partition(stack, -2, axis=0)[-2] if len(pids) > 1 else np.zeros_like(top)
    contested = second >= 0.5 * np.maximum(top, 1e-6)
    ambiguity = {}
    for k, p in enumerate(pids):
        sel = keep & (best == k)
        parts[p][win] = sel
        n = int(sel.sum())
        ambiguity[p] = float((contested & sel).sum()) / n if n else 1.0
    return parts, ambiguity, {}
