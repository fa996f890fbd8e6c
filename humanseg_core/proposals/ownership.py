"""One-to-one ownership of foreground pixels across every person of a frame, guided by the body prior.

Background subtraction merges touching people into blobs, and in a crowd a box-per-blob matching cannot
say whose pixels are whose. Every person's track point is known, so every person gets an expected body
(:func:`body_prior.body_axes`: a vertical segment of the expected height), and each foreground pixel goes
to at most one person:

1. shadows (:func:`restore_body_shadows`): a pixel the background model calls "shadow" (uniformly darker
   than the background) is foreground again when it lies inside some person's expected body region: dark
   trousers and coats on a grey floor look exactly like shadow, but shadows lie on the ground beside the
   feet, never across the body above them. Shadow pixels outside every body region stay background.
   A deep shadow (harsh sun: darker than the background's shadow test allows, :func:`mark_foot_shadows`)
   counts as a shadow only on the ground around a person's feet;
2. depth priority (nearest person first: lowest feet in the image): each person claims the unclaimed
   pixels of its body core; a farther person keeps only what lies outside nearer cores;
3. reach: a person owns nothing above its head, below its feet (give or take ``VERTICAL_TOLERANCE``) or
   farther from its axis than ``reach`` x height (arms, bags, prams); pixels out of everyone's reach are
   nobody's;
4. the rest goes to the person of least cost: distance to the axis plus a colour cost (each person's
   colours from its core pixels or from frames where it stood alone), two rounds; with the parent, its
   probability, and with the frame's motion, how unlike the person's own motion the pixel moves
   (:mod:`.motion`).

A person whose core is mostly covered by nearer persons' cores is reported hidden (no proposal: the
visible part is too small to be sure of).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..prior.guided_filter import support_box
from .blob_split import write_parts
from .body_prior import CORE_HALF_WIDTH, VERTICAL_TOLERANCE, body_axes, depth_order
from .colour_rounds import argmin_or_none, colour_rounds
from .detectors.bgs import SHADOW_RATIO, SHADOW_SPREAD, brightness_ratios, frame_gain
from .holes import fill_holes
from .motion import Motion
from .person_mask import WIDTH_RATIO, axis_distance, colour_codes

# persons shorter than this (px) keep their foreground unfiltered: their legs and arms are 1-2 px wide, and a
# 3x3 median takes them for specks (held-out zara01_small, 32 px: median IoU 0.782 -> 0.789; the scenes of
# 50-75 px people unchanged)
SPECK_MEDIAN_MIN_HEIGHT = 45.0
# where a deep shadow may lie, in heights around the person's expected feet: (above, below, either side)
FOOT_SHADOW_ZONE = (0.16, 0.3, 0.6)


@dataclass(frozen=True)
class OwnershipConfig:
    """Shares are of the person's expected height."""

    reach: float = 0.8  # farthest a pixel may lie from the body axis and still be the person's
    body_half_width: float = 0.09  # shadow-protected body region: this far either side of the axis ...
    feet_band: float = 0.16  # ... except in this band above the feet: twice the depth of a foot shadow
    feet_core: bool = False  # True: the core stays protected down to the feet
    hidden_share: float = 0.75  # a person whose core is this much inside nearer cores is hidden
    colour_weight: float = 3.0
    rounds: int = 2
    point_tolerance: float = 0.03  # rows owned beyond the body end where the point sits (share of height)
    whole_blobs: bool = True  # a blob touching one person's core only is all that person's (any pose)
    restore_shadows: bool = True  # False: every shadow pixel stays background (as the plain BGS does)
    # a neutral darkening down to this brightness ratio (below the shadow test's SHADOW_RATIO) is a shadow
    # too, on the ground around a person's feet (FOOT_SHADOW_ZONE) where the parent sees no person; 0: off.
    # zara01_harsh (deep foot shadows) median IoU 0.788 -> 0.802; the demo's flat dark legs 0.908 -> 0.890
    deep_shadow: float = 0.15


@dataclass
class Ownership:
    parts: dict = field(default_factory=dict)  # {pid: bool mask}
    ambiguity: dict = field(default_factory=dict)  # {pid: share of its pixels another person almost had}
    hidden_by: dict = field(default_factory=dict)  # {pid: pid of the nearest person hiding it}


def _rect(axis, height: float, half_width: float, tol: float = 0.0) -> tuple[float, float, float, float]:
    u, top, bottom = axis
    return u - half_width * height, top - tol * height, u + half_width * height, bottom + tol * height


def _paint(shape, rect) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[_span_slices(shape, rect)] = True
    return m


def _lowest_foreground(fg: np.ndarray, axis, h: float) -> float:
    """The lowest row of foreground or shadow in the core column of the body on ``axis``: the feet, or the
    foot shadow just below them (0.06 h); the expected feet row when the column holds none."""
    u, top, bottom = axis
    rows, cols = fg.shape
    x0, x1 = max(0, int(u - CORE_HALF_WIDTH * h)), min(cols, int(u + CORE_HALF_WIDTH * h) + 1)
    y0, y1 = max(0, int(top)), min(rows, int(bottom + VERTICAL_TOLERANCE * h) + 1)
    if x0 >= x1 or y0 >= y1:
        return bottom
    hit = np.nonzero((fg[y0:y1, x0:x1] > 0).any(axis=1))[0]
    return float(y0 + hit[-1]) if len(hit) else bottom


def body_region(shape, axes: Mapping, heights: Mapping, config: OwnershipConfig = OwnershipConfig(),
                fg: np.ndarray | None = None) -> np.ndarray:
    """Where some person's body is expected: the body band above the feet band (and, with ``feet_core``,
    the core down to the feet). With ``fg`` (uint8, 127 shadow) the feet row is measured in the core
    column (:func:`_lowest_foreground`) when it lies above the expected one (the height is a guess)."""
    out = np.zeros(shape, bool)
    for p, axis in axes.items():
        h = float(heights[p])
        u, top, bottom = axis
        if fg is not None:
            bottom = min(bottom + VERTICAL_TOLERANCE * h, _lowest_foreground(fg, axis, h))
        out |= _paint(shape, _rect((u, top, bottom - config.feet_band * h), h, config.body_half_width))
        if config.feet_core:
            out |= _paint(shape, _rect((u, top, bottom), h, CORE_HALF_WIDTH))
    return out


def restore_body_shadows(fg: np.ndarray, axes: Mapping, heights: Mapping,
                         config: OwnershipConfig = OwnershipConfig()) -> np.ndarray:
    """Bool foreground from a uint8 mask (255 fg, 127 shadow): shadow pixels inside a body region count."""
    solid = fg == 255
    shadow = fg == 127
    if shadow.any() and axes and config.restore_shadows:
        solid = solid | (shadow & body_region(fg.shape[:2], axes, heights, config, fg))
    return solid


def mark_foot_shadows(fg: np.ndarray, frame: np.ndarray, background: np.ndarray, axes: Mapping,
                      heights: Mapping, config: OwnershipConfig = OwnershipConfig(),
                      person: np.ndarray | None = None, gain: float | None = None) -> np.ndarray:
    """``fg`` (uint8, 255 fg, 127 shadow) with the deep shadows around the feet marked 127 as well: a
    foreground pixel darker than ``background`` by a brightness ratio between ``config.deep_shadow`` and the
    shadow test's lower bound, the same in the three channels, in a person's :data:`FOOT_SHADOW_ZONE` and
    outside ``person`` (bool: where the parent sees a person; dark shoes and trousers are as dark and as
    neutral). Harsh sun casts foot shadows darker than the shadow test allows. The body region still takes
    back what lies in it (:func:`restore_body_shadows`). ``gain``: the frame's brightness gain against
    ``background`` when the caller has it (else measured)."""
    if config.deep_shadow <= 0 or not axes or not (fg == 255).any():
        return fg
    rows, cols = fg.shape[:2]
    zone = np.zeros((rows, cols), bool)
    above, below, side = FOOT_SHADOW_ZONE
    for p, (u, _top, bottom) in axes.items():
        h = float(heights[p])
        zone |= _paint((rows, cols), (u - side * h, bottom - above * h, u + side * h, bottom + below * h))
    found = support_box(zone)
    if found is None:
        return fg
    box = (slice(found[0], found[1] + 1), slice(found[2], found[3] + 1))  # the ratios only there
    gain = frame_gain(frame, background) if gain is None else gain
    _diff, ratio, spread = brightness_ratios(frame[box], background[box], gain)
    deep = (fg[box] == 255) & zone[box] & (ratio > config.deep_shadow) & (ratio <= SHADOW_RATIO[0]) \
        & (spread < SHADOW_SPREAD)
    if person is not None:
        deep &= ~person[box]
    if not deep.any():
        return fg
    out = fg.copy()
    out[box][deep] = 127
    return out


def clean_foreground(solid: np.ndarray, height: float) -> np.ndarray:
    """Specks dropped (median 3x3, for persons of ``SPECK_MEDIAN_MIN_HEIGHT`` px and more), small gaps closed
    and holes filled, with a disc scaled to ``height``."""
    m: np.ndarray = solid.astype(np.uint8)
    if height >= SPECK_MEDIAN_MIN_HEIGHT:
        m = cv2.medianBlur(m, 3)
    k = max(3, round(height / 25.0) | 1)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return fill_holes(m)


def hidden_persons(axes: Mapping, heights: Mapping, shape, share: float) -> dict:
    """{pid: pid of the nearest occluder} for persons whose core lies ``share`` or more inside nearer cores."""
    order = depth_order(axes)
    nearer = np.zeros(shape, bool)
    out = {}
    cores = {p: _span_slices(shape, _rect(axes[p], float(heights[p]), CORE_HALF_WIDTH)) for p in order}
    for i, p in enumerate(order):  # on the cores' rectangles only: a full frame per person cost 33 ms (full HD)
        ys, xs = cores[p]
        area = (ys.stop - ys.start) * (xs.stop - xs.start)
        if area and float(nearer[ys, xs].sum()) / area >= share:
            overlap = [(_meet(cores[p], cores[q]), q) for q in order[:i]]
            out[p] = max(overlap)[1]
        nearer[ys, xs] = True
    return out


def _span_slices(shape, rect) -> tuple[slice, slice]:
    """The (rows, cols) slices :func:`_paint` fills (empty slices when the rectangle misses the frame)."""
    h, w = shape
    x0, y0, x1, y1 = rect
    xa, ya = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
    xb, yb = min(w, int(np.ceil(x1)) + 1), min(h, int(np.ceil(y1)) + 1)
    if xa < xb and ya < yb:
        return slice(ya, yb), slice(xa, xb)
    return slice(0, 0), slice(0, 0)


def _meet(a: tuple[slice, slice], b: tuple[slice, slice]) -> int:
    """Pixels two rectangles of :func:`_span_slices` share."""
    dy = min(a[0].stop, b[0].stop) - max(a[0].start, b[0].start)
    dx = min(a[1].stop, b[1].stop) - max(a[1].start, b[1].start)
    return max(0, dy) * max(0, dx)


def _span(axis, h: float, anchor: str, config: OwnershipConfig) -> tuple[float, float]:
    """Rows a person may own: the expected body, give or take a tolerance; tight at the end where the
    track point sits (it is measured there), loose at the other (the height is a guess)."""
    _u, top, bottom = axis
    up = config.point_tolerance if anchor == "head" else VERTICAL_TOLERANCE
    down = config.point_tolerance if anchor == "feet" else VERTICAL_TOLERANCE
    return top - up * h, bottom + down * h


def assign_pixels(mask: np.ndarray, points: Mapping, anchor: str, heights: Mapping,
                  image: np.ndarray | None = None, appearance: Mapping | None = None,
                  config: OwnershipConfig = OwnershipConfig(), prior: Mapping | None = None,
                  prior_weight: float = 4.0, prior_occludes: float = 0.0,
                  occluders: Mapping | None = None, motion: Motion | None = None) -> Ownership:
    """Give each pixel of ``mask`` to at most one person of ``points`` ({pid: (u, v)}); see the module.

    ``prior``: {pid: full-frame probability} of each person (the parent network): ``prior_weight`` x
    (1 - probability) joins the cost, and the body cores no longer decide alone. ``prior_occludes`` > 0:
    a pixel where a nearer person's prior reaches it is seen as that person's, so a farther person may
    not own it (depth order: a back person's point on a nearer body no longer pulls that body in); only
    the nearer persons of ``occluders`` ({pid: nearer pids hiding its point}) when given, else all.
    ``motion``: the frame's flow and the persons' velocities; a pixel moving unlike a person costs that
    person more (:mod:`.motion`)."""
    pids = list(points)
    out = Ownership({p: np.zeros(mask.shape, bool) for p in pids}, {p: 1.0 for p in pids})
    if not pids:
        return out
    hmap = {p: float(heights[p]) for p in pids}
    axes = body_axes(points, anchor, hmap)
    out.hidden_by = hidden_persons(axes, hmap, mask.shape, config.hidden_share)
    reach = np.zeros(mask.shape, bool)
    for p in pids:
        lo, hi = _span(axes[p], hmap[p], anchor, config)
        reach |= _paint(mask.shape, (axes[p][0] - config.reach * hmap[p], lo, axes[p][0] + config.reach * hmap[p], hi))
    ys, xs = np.nonzero(mask & reach)
    if len(xs) == 0:
        return out
    xs_f, ys_f = xs.astype(np.float32), ys.astype(np.float32)
    cost = np.full((len(pids), len(xs)), np.inf, np.float32)
    core = np.full(len(xs), -1, np.int64)
    index = {p: k for k, p in enumerate(pids)}
    seen: dict = {}  # {pid: pixels its prior claims} (prior_occludes)
    for p in depth_order(axes):
        k, h = index[p], hmap[p]
        u, top, bottom = axes[p]
        lo, hi = _span(axes[p], h, anchor, config)
        near = (np.abs(xs_f - u) <= config.reach * h) & (ys_f >= lo) & (ys_f <= hi)
        cost[k, near] = axis_distance(xs_f[near], ys_f[near], axes[p]) / max(1.0, h * WIDTH_RATIO / 2.0)
        moved = motion.cost(p, ys, xs) if motion is not None else None
        if prior is not None and p in prior:
            own = prior[p][ys, xs]
            if moved is not None:  # a pixel moving unlike the person is less surely its own (and seen as it)
                own = own - moved / prior_weight
            cost[k, near] += prior_weight * (1.0 - own[near])
            if prior_occludes > 0:
                for q in (seen if occluders is None else occluders.get(p, ())):
                    if q in seen:
                        cost[k, seen[q]] = np.inf
                seen[p] = near & (own >= prior_occludes)
        elif moved is not None:
            cost[k, near] += moved[near]
        in_core = near & (np.abs(xs_f - u) <= CORE_HALF_WIDTH * h) & (ys_f >= top) & (ys_f <= bottom)
        core[(core < 0) & in_core] = k
    label = argmin_or_none(cost)
    total = cost
    if image is not None and len(pids) > 1 and config.colour_weight > 0 and config.rounds > 0:
        label, total = colour_rounds(cost, colour_codes(image[ys, xs]), core, label, pids, appearance or {},
                                     config.colour_weight, config.rounds)
    whole = _single_owner_blobs(mask, xs, ys, core, len(pids)) if config.whole_blobs and prior is None else {}
    if prior is None:
        label = np.where(core >= 0, core, label)
    else:
        core[:] = -1  # the prior decided; nothing is a sure core pixel
    write_parts(out.parts, out.ambiguity, pids, label, total, core, (ys, xs))
    for k, p in enumerate(pids):
        if k in whole:
            out.parts[p] |= whole[k]
    return out


def _single_owner_blobs(mask: np.ndarray, xs, ys, core: np.ndarray, n_persons: int) -> dict:
    """{person index: bool mask} of the foreground blobs holding body-core pixels of that person only:
    such a blob is the person's whole, beyond the reach of an upright body (a person lying, bending,
    dancing, pushing a pram), as long as no other person's core touches it."""
    n, comp = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    has = core >= 0
    if n <= 1 or not has.any():
        return {}
    pairs = np.unique(comp[ys[has], xs[has]].astype(np.int64) * n_persons + core[has])
    blob, person = pairs // n_persons, pairs % n_persons
    counts = np.bincount(blob, minlength=n)
    out: dict = {}
    for b, k in zip(blob, person):
        if b > 0 and counts[b] == 1:
            out[int(k)] = out.get(int(k), np.zeros(mask.shape, bool)) | (comp == b)
    return out
