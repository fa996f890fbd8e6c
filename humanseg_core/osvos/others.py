"""Other persons' expected bodies: the pixels near our person that most likely belong to someone else.

Every person on a frame has an interpolated track point (``Scene.persons_at``).  The crop geometry fitted on
our person's accepted masks (``CropGeometry``: box offset from the point, box size, scale against the image
row) also tells where anybody else's body lies, since all persons share the camera and the anchor
convention.  The *core* of a body is a narrow vertical band around its axis, from the top of the head to
the feet (``body_prior.CORE_HALF_WIDTH`` of the height each side): pixels there are almost surely that
person's.  A pixel is *claimed by another person* when it lies in another person's core and outside ours;
when we stand in front (our feet lower in the image) we own our whole expected box, so only the part of
their core outside our box is theirs.

Used at inference (predicted pixels claimed by others are removed) and in training (label pixels claimed by
others are ignored: the accepted masks are noisy exactly there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..proposals.body_prior import CORE_HALF_WIDTH
from .guidance import CropGeometry

NEARER_WINS = False  # a nearer person's core claims pixels inside ours too (else our core is always ours)
OthersFn = Callable[[int], "Iterable[tuple[float, float]]"]


def _core(xs, ys, box, half_width: float) -> np.ndarray:
    cx, cy, _bw, bh = box
    return (np.abs(xs - cx) <= half_width * bh) & (ys >= cy - bh / 2) & (ys <= cy + bh / 2)


def _inside_box(xs, ys, box, width_share: float = 1.0) -> np.ndarray:
    cx, cy, bw, bh = box
    return (np.abs(xs - cx) <= width_share * bw / 2) & (np.abs(ys - cy) <= bh / 2)


def claimed_by_others(g: CropGeometry, point, others: Sequence, xs: np.ndarray, ys: np.ndarray,
                      half_width: float = CORE_HALF_WIDTH, nearer_wins: bool = NEARER_WINS) -> np.ndarray:
    """Boolean map (the broadcast shape of ``xs``, ``ys``: frame pixel coordinates) of the pixels that lie
    in the core of another person's expected body and not in our own (see the module docstring)."""
    shape = np.broadcast(xs, ys).shape
    out = np.zeros(shape, bool)
    if point is None or not others:
        return out
    own = g.expected_box(point)
    own_bottom = own[1] + own[3] / 2
    own_core = _core(xs, ys, own, half_width)
    own_box = None
    for q in others:
        if q is None or not (np.isfinite(q[0]) and np.isfinite(q[1])):
            continue
        if abs(q[0] - point[0]) < 1e-6 and abs(q[1] - point[1]) < 1e-6:
            continue  # the same point: not another person
        box = g.expected_box(q)
        # far from our box: cannot touch our crop's person
        if abs(box[0] - own[0]) > (box[2] + own[2]) or abs(box[1] - own[1]) > (box[3] + own[3]):
            continue
        theirs = _core(xs, ys, box, half_width)
        if box[1] + box[3] / 2 > own_bottom:  # they are nearer: they hide us where their core is
            if not nearer_wins:
                theirs &= ~own_core
        else:  # we are nearer: our whole expected body is ours
            if own_box is None:
                own_box = _inside_box(xs, ys, own)
            theirs &= ~own_box
        out |= theirs
    return out


def crop_grid(m: np.ndarray, in_w: int, in_h: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame coordinates (xs (1, W), ys (H, 1)) of the crop pixels of an axis-aligned frame->crop affine."""
    xs = (np.arange(in_w, dtype=np.float64) - m[0, 2]) / m[0, 0]
    ys = (np.arange(in_h, dtype=np.float64) - m[1, 2]) / m[1, 1]
    return xs[None, :], ys[:, None]


def claimed_in_frame(g: CropGeometry, point, others: Sequence, height: int, width: int) -> np.ndarray:
    """:func:`claimed_by_others` over a whole (height, width) frame (computed only near our box)."""
    out = np.zeros((height, width), bool)
    if point is None or not others:
        return out
    cx, cy, bw, bh = g.expected_box(point)
    x0, x1 = max(0, int(cx - 1.5 * bw - bh)), min(width, int(cx + 1.5 * bw + bh) + 1)
    y0, y1 = max(0, int(cy - 1.5 * bh)), min(height, int(cy + 1.5 * bh) + 1)
    if x1 <= x0 or y1 <= y0:
        return out
    xs = np.arange(x0, x1, dtype=np.float64)[None, :]
    ys = np.arange(y0, y1, dtype=np.float64)[:, None]
    out[y0:y1, x0:x1] = claimed_by_others(g, point, others, xs, ys)
    return out


def others_from_scene(scene, pid: int) -> OthersFn:
    """``others_px`` for ``pid`` in a Scene: the interpolated points of everybody else on the frame."""
    pid = int(pid)
    return lambda f: [uv for q, uv in scene.persons_at(f).items() if int(q) != pid]
