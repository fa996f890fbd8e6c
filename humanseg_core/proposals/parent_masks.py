"""The parent network as a proposal method: per-person probabilities on one frame, owned one-to-one.

:func:`parent_probabilities` runs the point-prompted parent (:mod:`humanseg_core.prior.parent`) on a crop
around every person of the frame, the other persons' points as the negative prompt and the expected height
from the height model, batched per frame; by default each crop and its mirror image, averaged
(``ParentConfig.flip``: +0.011 to +0.018 median IoU on the shared scenes, ADR 0006 "Boundary").
:func:`combine` turns the probabilities into one mask per person: each pixel belongs to the person with
the highest probability (nearer persons win ties) when that probability is high enough; with a BGS
foreground, BGS confirms the pixels the parent is unsure of.

Occlusion in crowds (:func:`parent_occlusion`): a person standing behind another often has its track
point (its feet) on the nearer person's body in the image. Given as the nearer person's negative, that
point made the network cut the nearer body around it, and the farther person, prompted there, took the
nearer body. The nearer person is run again without such points; where it then covers one, the farther
person may not own what the nearer one is seen at (depth order), and keeps only its visible part, or gets
no proposal when too little is left.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import WeightsError
from ..prior.guided_filter import EPS, refine_probability
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
    # a farther person whose point lies inside a nearer person's expected body (within this share of the
    # nearer person's height from its axis) may be hidden there: checked by a second run of the nearer
    # person without that negative (:func:`parent_occlusion`; 0: off, every point is a negative)
    hidden_point_width: float = 0.25
    # a pixel where a nearer person's probability reaches this is that person's (it occludes whoever stands
    # behind): a farther person cannot own it (0: off, the most probable person wins); with
    # ``occlude_all`` False only persons whose point the nearer body covers (:func:`parent_occlusion`)
    occludes: float = 0.5
    occlude_all: bool = False
    # bgs+parent, once the mostly-behind rule (:mod:`.behind`) has said who gets no proposal: the pixels are
    # owned again with every nearer person occluding where its probability reaches this, whether or not its
    # body covers the farther point (0: off). A partly hidden person then keeps only what no nearer person
    # is surely seen at, and the nearer person its own body: eth_dense 0.698 -> 0.711, eth_big 0.677 -> 0.682
    # (mean IoU +0.009) and wrong persons 2.8 -> 2.3 %, every scene's mean up or equal (ADR 0006 "Later:
    # nearer persons occlude everyone"). Not in the first pass: there it kept mostly hidden persons alive
    # (wrong 3.7 -> 5.6 %)
    occludes_everyone: float = 0.7
    # the nearer person's probability without the hidden points replaces the first one within this many
    # heights of them (0: everywhere)
    restore_radius: float = 0.4
    # test-time augmentation: the mean of the crop's and its mirror image's probabilities (False: the
    # network's plain output, one crop per person)
    flip: bool = True
    # where the parent decides alone (the ``parent`` method, standing persons in ``bgs+parent``): each
    # person's probabilities, a blurred enlargement of the network's 96 px map, are refined with the frame
    # as the guide (:mod:`..prior.guided_filter`), in windows of this share of the person's height (0: off)
    # and with this ridge (colours in [0, 1]); where background subtraction decides the edges, it is not
    # used (there it cost zara01 and zara01_feet about 0.01, ADR 0006 "Later: the parent's edges")
    guide: float = 0.045
    guide_eps: float = EPS


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


def shared_parent(path: Path | str | None = None):
    """The parent network of file ``path`` (None: the shipped one) loaded once per process (the editor's first
    click on an empty mask), or None when it cannot be loaded (the click falls back to GrabCut). A file changed
    since is loaded again."""
    from ..prior.paths import DEFAULT_PARENT

    try:
        stamp = os.stat(DEFAULT_PARENT if path is None else path).st_mtime_ns
    except OSError:
        stamp = None
    return _shared(None if path is None else str(path), stamp)


@functools.lru_cache(maxsize=2)
def _shared(path: str | None, _stamp: int | None):
    return load_parent_or_none(path)[0]


def parent_probabilities(segmenter, image: np.ndarray, persons: Mapping, heights: Mapping,
                         config: ParentConfig = ParentConfig(), anchor: str | None = None) -> dict:
    """{pid: full-frame float32 probability} of every person of ``persons`` ({pid: (u, v)}), every other
    point near it as its negative; ``anchor``: where the points sit on the bodies when known (None: the
    network guesses)."""
    return dict(zip(persons, _run(segmenter, image, [_item(p, persons, heights, config) for p in persons],
                                  config, anchor)))


def parent_occlusion(segmenter, image: np.ndarray, persons: Mapping, heights: Mapping,
                     config: ParentConfig = ParentConfig(), anchor: str | None = None) -> tuple[dict, dict]:
    """(probabilities as :func:`parent_probabilities`, {pid: nearer pids seen over its point}).

    A farther person's point inside a nearer person's expected body (:func:`hidden_points`) is either
    hidden behind that body or visible beside it. The nearer person is run once more without those
    points as negatives (a negative on its own body makes the network cut the body around it); where
    that probability reaches ``occludes`` at a farther person's point, the point is on the nearer body:
    the nearer person keeps that probability and hides the farther one there (``combine``,
    ``assign_pixels(occluders=...)``). Otherwise the points stay negatives."""
    pids = list(persons)
    hidden = hidden_points(persons, heights, anchor, config.hidden_point_width) if config.occludes > 0 else {}
    items = [_item(p, persons, heights, config) for p in pids]
    items += [_item(q, persons, heights, config, skip=hidden[q]) for q in hidden]
    probs = _run(segmenter, image, items, config, anchor)
    out = dict(zip(pids, probs))
    occluders: dict = {}
    for q, alone in zip(hidden, probs[len(pids):]):
        seen = [p for p in hidden[q] if _value_at(alone, persons[p]) >= config.occludes]
        if seen:
            out[q] = _restore_near(out[q], alone, [persons[p] for p in seen], config.restore_radius * heights[q])
            for p in seen:
                occluders.setdefault(p, set()).add(q)
    return out, occluders


def _restore_near(prob: np.ndarray, alone: np.ndarray, points, radius: float) -> np.ndarray:
    """``prob`` with ``alone`` (the run without the hidden points) within ``radius`` of those points,
    where their negatives cut the body; elsewhere the other negatives still hold."""
    if radius <= 0:
        return alone
    out = prob.copy()
    for u, v in points:
        r0, r1 = max(0, int(v - radius)), min(prob.shape[0], int(v + radius) + 1)
        c0, c1 = max(0, int(u - radius)), min(prob.shape[1], int(u + radius) + 1)
        if r0 >= r1 or c0 >= c1:
            continue
        ys, xs = np.ogrid[r0:r1, c0:c1]
        disc = (ys - v) ** 2 + (xs - u) ** 2 <= radius * radius
        out[r0:r1, c0:c1] = np.where(disc, alone[r0:r1, c0:c1], out[r0:r1, c0:c1])
    return out


def _item(p, persons: Mapping, heights: Mapping, config: ParentConfig, skip=()) -> tuple:
    u, v = persons[p]
    reach = config.negatives_reach * float(heights[p])
    others = [persons[q] for q in persons if q != p and q not in skip
              and abs(persons[q][0] - u) <= reach and abs(persons[q][1] - v) <= reach]
    return (float(u), float(v)), others, float(heights[p])


def _run(segmenter, image: np.ndarray, items: list, config: ParentConfig, anchor: str | None) -> list:
    out: list = []
    hint = anchor if anchor in ANCHORS else None
    for start in range(0, len(items), max(1, config.batch)):
        out += list(segmenter.segment_batch(image, items[start:start + config.batch], anchor=hint, flip=config.flip))
    return out


def sharpen(probs: Mapping, image: np.ndarray, heights: Mapping, config: ParentConfig = ParentConfig()) -> dict:
    """{pid: probability} refined by the guided filter with ``image`` as the guide (``config.guide``; the
    same maps when it is 0)."""
    if config.guide <= 0:
        return dict(probs)
    return {p: refine_probability(image, pr, max(1, int(round(config.guide * float(heights[p])))), config.guide_eps)
            for p, pr in probs.items()}


def _value_at(prob: np.ndarray, point) -> float:
    r = int(np.clip(round(float(point[1])), 0, prob.shape[0] - 1))
    c = int(np.clip(round(float(point[0])), 0, prob.shape[1] - 1))
    return float(prob[r, c])


def hidden_points(persons: Mapping, heights: Mapping, anchor: str | None, half_width: float) -> dict:
    """{pid: set of farther persons whose track point lies inside pid's expected body}: where two bodies
    overlap in the image the nearer one (lower feet) is seen, so the farther person's point (its feet
    behind the nearer legs, its head behind the nearer head) marks a pixel of the nearer body, not the
    farther person. Empty without a known anchor or with ``half_width`` 0."""
    if anchor not in ANCHORS or half_width <= 0 or len(persons) < 2:
        return {}
    axes = body_axes(persons, anchor, heights)
    out: dict = {}
    for p, (u, top, bottom) in axes.items():
        w = half_width * float(heights[p])
        inside = {q for q, (uq, vq) in persons.items()
                  if q != p and axes[q][2] < bottom and abs(uq - u) <= w and top <= vq <= bottom}
        if inside:
            out[p] = inside
    return out


def occluded_by_nearer(stack: np.ndarray, level: float, pids: list | None = None,
                       occluders: Mapping | None = None) -> np.ndarray:
    """Bool (n, ...) of a probability stack ordered nearest first: where a nearer person's probability
    reaches ``level`` (that person is seen there, whoever stands behind): every nearer person, or with
    ``occluders`` ({pid: nearer pids}, ``pids`` the stack's order) only those. All False when ``level`` is 0."""
    out = np.zeros(stack.shape, bool)
    if level <= 0 or len(stack) < 2:
        return out
    hit = stack >= level
    if occluders is None or pids is None:
        out[1:] = np.logical_or.accumulate(hit, axis=0)[:-1]
        return out
    index = {p: k for k, p in enumerate(pids)}
    for k, p in enumerate(pids):
        for q in occluders.get(p, ()):
            if q in index and index[q] < k:
                out[k] |= hit[index[q]]
    return out


def combine(probs: Mapping, solid: np.ndarray | None, persons: Mapping, anchor: str, heights: Mapping,
            config: ParentConfig = ParentConfig(), occluders: Mapping | None = None):
    """({pid: bool mask}, {pid: ambiguity}, {}): one-to-one masks from the parent's probabilities.

    Without ``solid`` (the parent alone) a pixel is the most probable person's when its probability
    reaches ``threshold``. With ``solid`` (BGS foreground, bool) a foreground pixel needs ``low``, a
    background one ``high``. Ties go to the nearer person (lowest feet). ``occluders`` ({pid: nearer
    pids}, :func:`parent_occlusion`): where one of them reaches ``occludes``, the person owns nothing
    (every nearer person with ``occlude_all``)."""
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
    hidden = occluded_by_nearer(stack, config.occludes, pids, None if config.occlude_all else occluders or {})
    best = np.where(hidden, -1.0, stack).argmax(axis=0)
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


def upper_envelope(maps: Iterable[np.ndarray]) -> np.ndarray | None:
    """The pixelwise maximum of full-frame maps (``np.max(np.stack(maps), axis=0)`` without the stack: a
    full-HD frame's 18 persons had cost 0.1 s a frame in it), or None when there are none."""
    maps = list(maps)
    if not maps:
        return None
    top = np.array(maps[0], dtype=np.result_type(*maps), copy=True)
    for m in maps[1:]:
        np.maximum(top, m, out=top)
    return top
