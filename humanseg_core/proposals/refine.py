"""Click-to-refine: a person mask corrected by positive / negative clicks with OpenCV GrabCut.

GrabCut runs on a crop around the mask, the clicks and the person's expected body. Its seed:

- the proposal is "probably person", the rest of the crop "probably background";
- with a body prior (:class:`RefinePrior`, built by :func:`refine_prior` from the track points, the
  anchor and the expected height): the person's spine (a thin line down the axis from the top of the
  head through the torso) is "surely person" where the proposal has it, so a click elsewhere never cuts
  the head off; the other persons' expected bodies are "probably background" (their cores "surely" so,
  outside this person's expected body), their accepted masks "surely background", their pending
  proposals "probably"; none of them overrides the proposal in this person's own expected core.
  (Marking the whole own core "probably person" where the proposal lacks it added background: on the
  demo, 450 refines, mean IoU 0.773 against 0.790 without it.)
- a disc at each negative click and at every other person's track point is sure background, a disc at
  each positive click sure person.

GrabCut's answer then keeps only the pieces connected to this person (a positive click, the sure body,
or the proposal): a blob on a neighbour is never added. The pixels a positive click covers are always
kept. Outside the crop the mask is kept as it was. Small (a crop of a person), so the studio runs it on a
click.

What a click may change (4 Dec): with today's proposals GrabCut's whole answer made masks worse, most on
small people (one click at the largest error, BENCHMARKS "A Refine click changes what was clicked"): a
positive click on davis_park's 55 px people took mean IoU 0.736 -> 0.554, a negative one 0.789 -> 0.398 (it
took the body away with the sliver clicked). Now

- the pixels of the mask are only taken away by a negative click, and only added by a positive one: a
  positive click keeps GrabCut's additions connected to the person within ``RefineConfig.add_reach`` of it,
  and nothing of the mask is lost (except other persons' accepted masks, sure background);
- a negative click takes away the piece GrabCut removed under it (``_cut``): the whole piece when it lies
  off the person's expected core (a neighbour's blob, a shadow), else only within
  ``RefineConfig.cut_reach`` of the click (where the body is, the analyst clicked a part of it, not all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from .body_prior import CORE_HALF_WIDTH
from .person_mask import person_axis

Point = tuple[float, float]  # (u = column, v = row) in image pixels
Axis = tuple[float, float, float]  # (u, v_top, v_bottom) of a body's vertical axis in pixels

BODY_HALF_WIDTH = 0.22  # half-width of a whole expected body (arms, bags) as a share of its height
SPINE_HALF_WIDTH = 0.03  # half-width of the spine (head and torso, kept when the proposal has it), share of h
SPINE_LENGTH = 0.5  # the spine runs from the top of the head down this share of the height
OWN_CORE_PROBABLE = False


@dataclass(frozen=True)
class RefineConfig:
    click_radius: int = 3  # pixels of a click disc (sure person / sure background)
    other_radius: int = 5  # pixels of the disc at another person's track point (sure background)
    margin: float = 0.5  # crop margin, a share of the person box's larger side (at least 12 px)
    iterations: int = 4
    # GrabCut starts its colour models by k-means from OpenCV's random generator: seeded, the same mask and
    # clicks always give the same result, whatever ran before on the thread (unseeded, the synthetic case of
    # tests/test_refine.py gave IoU 1.0 or 0.65 depending on earlier OpenCV calls)
    rng_seed: int = 0
    negative_reach: float = 0.15  # around a negative click (share of the height) nothing is sure person
    # a negative click cuts a piece on the person's core only this far from it (share of the height; without
    # a body prior, of the mask's height): one click at each proposal's largest extra piece
    # (bench/refine_clicks.py), mean IoU demo 0.855 -> 0.867, eth_dense 0.672 -> 0.685, davis_park 0.789 ->
    # 0.763 (GrabCut's whole answer: 0.824 / 0.391 / 0.398)
    cut_reach: float = 0.1
    cut_share: float = 0.5  # without a body prior: a removed piece up to this share of the mask goes whole
    # a positive click adds only this far from it (share of the height): one click at each proposal's largest
    # missing piece, mean IoU zara01 0.843 -> 0.843 (0.823 adding anywhere, 0.701 GrabCut's whole answer), demo
    # 0.839 -> 0.862 (0.853), davis_park 0.736 -> 0.753 (0.754), davis_audience 0.527 -> 0.591 (0.598)
    add_reach: float = 0.25


@dataclass(frozen=True)
class RefinePrior:
    """Where bodies are expected on the frame (see :func:`refine_prior`); every part optional."""

    own: Axis | None = None  # this person's expected body axis
    others: tuple[Axis, ...] = ()  # the other persons' expected body axes
    others_sure: np.ndarray | None = None  # bool H x W: other persons' accepted masks on this frame
    others_likely: np.ndarray | None = None  # bool H x W: other persons' pending proposals on this frame


def refine_prior(point: Point | None, others: Sequence[Point], anchor: str, height: Callable[[Point], float],
                 others_sure: np.ndarray | None = None, others_likely: np.ndarray | None = None) -> RefinePrior:
    """The body prior from track points: ``anchor`` ("head", "feet" or "centre") says where the point sits
    on a body, ``height(point)`` the expected height in pixels there."""
    own = person_axis(point, anchor, height(point)) if point is not None else None
    return RefinePrior(own, tuple(person_axis(p, anchor, height(p)) for p in others), others_sure, others_likely)


def _band(shape: tuple[int, int], x0: int, y0: int, axis: Axis, half_width: float) -> np.ndarray:
    """Which pixels of a crop at (x0, y0) lie within ``half_width`` x height of the axis, head to feet."""
    u, top, bottom = axis
    h = max(1.0, bottom - top)
    ys, xs = np.mgrid[y0:y0 + shape[0], x0:x0 + shape[1]]
    return (np.abs(xs - u) <= half_width * h) & (ys >= top) & (ys <= bottom)


def _crop(mask: np.ndarray, points: Sequence[Point], margin: float) -> tuple[int, int, int, int]:
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    us = [p[0] for p in points] + ([int(xs.min()), int(xs.max())] if len(xs) else [])
    vs = [p[1] for p in points] + ([int(ys.min()), int(ys.max())] if len(ys) else [])
    x0, x1, y0, y1 = min(us), max(us), min(vs), max(vs)
    m = max(12.0, margin * max(x1 - x0, y1 - y0))
    return (max(0, int(x0 - m)), max(0, int(y0 - m)), min(w, int(x1 + m) + 1), min(h, int(y1 + m) + 1))


def _seed_prior(seed: np.ndarray, proposal: np.ndarray, x0: int, y0: int, prior: RefinePrior) -> np.ndarray:
    """Write the body prior into ``seed`` (a crop at x0, y0); returns where this person is sure."""
    shape = seed.shape
    sure = np.zeros(shape, bool)
    own_core = own_body = sure
    if prior.own is not None:
        own_core = _band(shape, x0, y0, prior.own, CORE_HALF_WIDTH)
        own_body = _band(shape, x0, y0, prior.own, BODY_HALF_WIDTH)
    for axis in prior.others:
        seed[_band(shape, x0, y0, axis, BODY_HALF_WIDTH) & ~own_core] = cv2.GC_PR_BGD
        seed[_band(shape, x0, y0, axis, CORE_HALF_WIDTH) & ~own_body] = cv2.GC_BGD
    window = (slice(y0, y0 + shape[0]), slice(x0, x0 + shape[1]))
    if prior.others_likely is not None:
        seed[np.asarray(prior.others_likely, bool)[window] & ~own_core] = cv2.GC_PR_BGD
    if prior.others_sure is not None:
        seed[np.asarray(prior.others_sure, bool)[window]] = cv2.GC_BGD
    if prior.own is None:
        return sure
    u, top, bottom = prior.own
    h = max(1.0, bottom - top)
    spine = _band(shape, x0, y0, (u, top, top + SPINE_LENGTH * h), max(SPINE_HALF_WIDTH, 1.5 / h))
    return spine & proposal & (seed != cv2.GC_BGD)


def _connected(fg: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """The pieces of ``fg`` (8-connected) that touch ``anchors``."""
    n, labels = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
    if n <= 1:
        return fg
    keep = np.unique(labels[anchors & fg])
    return np.isin(labels, keep[keep > 0])


def refine_mask(image: np.ndarray, mask: np.ndarray, positives: Sequence[Point] = (),
                negatives: Sequence[Point] = (), others: Sequence[Point] = (),
                config: RefineConfig = RefineConfig(), prior: RefinePrior | None = None) -> np.ndarray:
    """The mask refined by GrabCut from the proposal, the clicks, other persons' points and the body prior
    (bool, H x W).

    ``image`` is the BGR (or grey) frame; every point is (u, v) in its pixels. With nothing to seed the
    person (an empty mask and no positive click) the mask comes back unchanged.
    """
    mask = np.asarray(mask, bool)
    if image.shape[:2] != mask.shape:
        raise ValueError(f"image {image.shape[:2]} and mask {mask.shape} differ in size")
    if not mask.any() and not positives:
        return mask.copy()
    extent = [*positives, *negatives]
    if prior is not None and prior.own is not None:
        u, top, bottom = prior.own
        extent += [(u, top), (u, bottom)]
    x0, y0, x1, y1 = _crop(mask, extent, config.margin)
    img = image[y0:y1, x0:x1]
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    img = np.ascontiguousarray(img, np.uint8)
    proposal = mask[y0:y1, x0:x1]
    seed = np.where(proposal, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    sure = _seed_prior(seed, proposal, x0, y0, prior) if prior is not None else np.zeros(seed.shape, bool)
    if negatives and sure.any():  # near a negative click the analyst decides: nothing is sure person there
        reach = config.negative_reach * (prior.own[2] - prior.own[1]) if prior and prior.own else 0.0
        near = np.zeros(seed.shape, np.uint8)
        for u, v in negatives:
            cv2.circle(near, (int(round(u)) - x0, int(round(v)) - y0), max(config.click_radius, int(reach)), 1, -1)
        sure &= near == 0
    seed[sure] = cv2.GC_FGD

    def disc(points: Sequence[Point], radius: int, value: int, into: np.ndarray) -> None:
        for u, v in points:
            cv2.circle(into, (int(round(u)) - x0, int(round(v)) - y0), radius, int(value), -1)

    disc(others, config.other_radius, cv2.GC_BGD, seed)
    disc(negatives, config.click_radius, cv2.GC_BGD, seed)
    clicked = np.zeros(seed.shape, np.uint8)
    disc(positives, config.click_radius, 1, clicked)
    clicked_px = clicked > 0
    seed[clicked_px] = cv2.GC_FGD
    fg = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if fg.all() or not fg.any():
        return mask.copy()  # GrabCut needs both sides
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(config.rng_seed)  # this thread's generator: deterministic (RefineConfig.rng_seed)
    cv2.grabCut(img, seed, None, bgd, fgd,  # type: ignore[call-overload]  # no rect with a mask (stubs miss None)
                config.iterations, cv2.GC_INIT_WITH_MASK)
    fg = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD)) | clicked_px
    fg = _connected(fg, clicked_px | sure | proposal)  # only pieces of this person: nothing new elsewhere
    # additions are bounded near the clicks on a mask that has a person already (ADR 0023); an empty one (a label
    # drawn by hand) takes GrabCut's whole piece: a walk's first click there gave 67 px of a 533 px person
    height = _height(prior, proposal) if proposal.any() else 0.0
    kept = proposal | clicked_px | (fg & _near(positives, x0, y0, fg.shape, config.add_reach * height
                                               if height > 0 else float(sum(fg.shape))))
    if prior is not None and prior.others_sure is not None:
        kept &= ~np.asarray(prior.others_sure, bool)[y0:y1, x0:x1]
    if negatives:
        kept &= ~_cut(proposal & ~fg, negatives, x0, y0, prior, proposal, config)
    out = mask.copy()
    out[y0:y1, x0:x1] = kept
    return out


def click_refine(image: np.ndarray, mask: np.ndarray, positives: Sequence[Point] = (),
                 negatives: Sequence[Point] = (), others: Sequence[Point] = (), prior: RefinePrior | None = None,
                 segmenter: Any = None, parent_file: str | None = None) -> np.ndarray:
    """What the editor's Refine clicks make of ``mask``: on an empty one (a label drawn by hand) clicked only in
    the person, :func:`first_click_mask` with ``segmenter`` (default: the parent network of ``parent_file``, None
    the shipped one, loaded once),
    else :func:`refine_mask`."""
    if not np.any(mask) and positives and not negatives:
        if segmenter is None:
            from .parent_masks import shared_parent

            segmenter = shared_parent(parent_file)
        first = first_click_mask(image, positives, prior, segmenter)
        if first is not None:
            return first
    return refine_mask(image, mask, positives, negatives, others, prior=prior)


def first_click_mask(image: np.ndarray, positives: Sequence[Point], prior: RefinePrior | None,
                     segmenter: Any) -> np.ndarray | None:
    """A mask drawn by hand begins empty: the first click in the person gives the parent network's mask of the
    person whose expected body (``prior.own``) it is, its other persons' bodies as negatives, the pieces under
    the clicks and at the body's centre (plus the clicked pixels, less the other persons' accepted masks); None
    when that cannot be had (no body prior or network, or neither inside the network's mask): GrabCut decides then
    (:func:`refine_mask`; a walk's first GrabCut click gave 67 px of a 533 px person)."""
    if segmenter is None or prior is None or prior.own is None or not positives:
        return None
    u, top, bottom = prior.own
    height = float(bottom - top)
    if height <= 0:
        return None
    from .parent_masks import ParentConfig, sharpen

    others = [(ou, (ot + ob) / 2.0) for ou, ot, ob in prior.others]
    # as the proposals run it: the mean with the mirror image, the edges guided by the frame (five scenes: median
    # IoU +0.003 to +0.023 over the network's plain output)
    prob = segmenter.segment_batch(image, [((u, (top + bottom) / 2.0), others, height)], anchor="centre",
                                   flip=True)[0]
    person = sharpen({0: prob}, image, {0: height}, ParentConfig())[0] >= 0.5
    if prior.others_sure is not None:
        person &= ~np.asarray(prior.others_sure, bool)
    n, labels = cv2.connectedComponents(person.astype(np.uint8), connectivity=8)
    h, w = person.shape
    # the pieces under the clicks and the one at the body's centre: a click on a head the network had apart
    # from the body gave 35 px (a walk; with the centre's piece, clicks on heads: eth_big median IoU 0.42 ->
    # 0.64, davis_audience 0.27 -> 0.49, clicks at the body's deepest pixel unchanged)
    spots = [*positives, (u, (top + bottom) / 2.0)]
    keep = {int(labels[int(round(v)), int(round(x))]) for x, v in spots if 0 <= round(v) < h and 0 <= round(x) < w}
    keep.discard(0)
    if not keep:
        return None
    out = np.isin(labels, sorted(keep))
    out |= _near(positives, 0, 0, out.shape, RefineConfig().click_radius)
    return out


def _cut(removed: np.ndarray, negatives: Sequence[Point], x0: int, y0: int, prior: RefinePrior | None,
         proposal: np.ndarray, config: RefineConfig) -> np.ndarray:
    """What the negative clicks take away of the pieces GrabCut removed (a crop at x0, y0): each piece under a
    click, whole when it lies off the person's expected core (without a body prior: when it is at most
    ``cut_share`` of the mask), else its part within ``cut_reach`` x the height of the click."""
    cut = np.zeros(removed.shape, bool)
    if not removed.any():
        return cut
    n, labels = cv2.connectedComponents(removed.astype(np.uint8), connectivity=8)
    height = _height(prior, proposal)
    core = _band(removed.shape, x0, y0, prior.own, CORE_HALF_WIDTH) if prior is not None and prior.own else None
    area = max(1, int(proposal.sum()))
    for u, v in negatives:
        at = np.zeros(removed.shape, np.uint8)
        cv2.circle(at, (int(round(u)) - x0, int(round(v)) - y0), config.click_radius, 1, -1)
        for k in np.unique(labels[(at > 0) & removed]):
            piece = labels == k
            whole = not (piece & core).any() if core is not None else piece.sum() <= config.cut_share * area
            if not whole:
                piece &= _near([(u, v)], x0, y0, removed.shape, max(config.click_radius, config.cut_reach * height))
            cut |= piece
    return cut


def _height(prior: RefinePrior | None, proposal: np.ndarray) -> float:
    """The person's expected height (the body prior's), else the mask's."""
    if prior is not None and prior.own is not None:
        return float(prior.own[2] - prior.own[1])
    ys = np.nonzero(proposal)[0]
    return float(ys.max() - ys.min() + 1) if len(ys) else 0.0


def _near(points: Sequence[Point], x0: int, y0: int, shape: tuple[int, ...], radius: float) -> np.ndarray:
    """Which pixels of a crop at (x0, y0) lie within ``radius`` of one of ``points``."""
    near = np.zeros(shape[:2], np.uint8)
    for u, v in points:
        cv2.circle(near, (int(round(u)) - x0, int(round(v)) - y0), max(1, int(round(radius))), 1, -1)
    return near > 0


def fill_polygon(mask: np.ndarray, polygon: Sequence[Point], add: bool) -> np.ndarray:
    """The mask with the polygon's inside added (``add``) or cut; ``polygon`` is [(u, v), ...]."""
    out = np.asarray(mask, np.uint8).copy()
    if len(polygon) >= 3:
        pts = np.round(np.asarray(polygon, float)).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(out, [pts], 1 if add else 0)
    return out.astype(bool)
