"""One person's clean mask from a raw foreground or instance mask, guided by the track point.

The raw mask is restricted to the person's box, closed, hole-filled, split from the other persons whose
track points lie in the same blob (each pixel goes to the nearest person *axis*: the vertical segment a
person of the expected height occupies given where the track point sits on the body), and reduced to the
connected component(s) that belong to the person: the one nearest to its axis plus any sizeable piece
inside the axis corridor (a leg cut off by a thin gap).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, cast

import cv2
import numpy as np

from ..overlap import bounding_slices
from .holes import fill_holes

ANCHORS = ("head", "feet", "centre")
# body width as a share of the height (used for the corridor and the split metric)
WIDTH_RATIO = 0.4
PointLike = Sequence[float] | np.ndarray  # (u, v) pixels, or a box (x0, y0, x1, y1)
# a head point is the head's centre, this share of the height below the top of the silhouette: where an
# annotator clicks a head, and where the project's composites (prior/composites.py) and the shared scenes'
# generator put it
HEAD_DROP = 0.06


def person_axis(point: PointLike, anchor: str, height: float) -> tuple[float, float, float]:
    """(u, v_top, v_bottom) of the vertical segment a person of ``height`` px occupies."""
    u, v = float(point[0]), float(point[1])
    if anchor == "head":
        return u, v - HEAD_DROP * height, v + (1.0 - HEAD_DROP) * height
    if anchor == "feet":
        return u, v - height, v
    return u, v - height / 2.0, v + height / 2.0


def axis_distance(us: np.ndarray, vs: np.ndarray, axis: tuple[float, float, float],
                  width_weight: float = 1.0) -> np.ndarray:
    """Distance from pixels to an axis; horizontal offsets count ``width_weight`` times (bodies are thin)."""
    u, top, bottom = axis
    dv = np.maximum(0.0, np.maximum(top - vs, vs - bottom))
    du = (us - u) * width_weight
    return np.hypot(du, dv)


def colour_codes(pixels: np.ndarray) -> np.ndarray:
    """A 512-bin colour code (8 levels per channel) of BGR pixels (N, 3)."""
    bins = (pixels // 32).astype(np.int32)
    return bins[:, 0] * 64 + bins[:, 1] * 8 + bins[:, 2]


def colour_histogram(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """512-bin colour counts of the pixels of ``mask``."""
    return np.bincount(colour_codes(image[mask]), minlength=512).astype(np.float64)


def split_labels(mask: np.ndarray, points: Mapping, anchor: str, height: float,
                 image: np.ndarray | None = None, colour_weight: float = 3.0, rounds: int = 2,
                 appearance: Mapping | None = None) -> dict:
    """Share the pixels of ``mask`` among the persons of ``points``: {pid: bool mask}.

    Each pixel first goes to the nearest person axis. With the ``image`` (BGR, same size), each person's
    colour histogram is then learnt from its confidently placed pixels (much nearer to its own axis than
    to any other) and every pixel goes to the person minimising ``spatial cost + colour cost``; this is
    repeated ``rounds`` times. People in one blob usually differ in colour more than in position.
    ``appearance``: {pid: 512-bin colour counts} learnt on frames where the person stood alone (with
    everything they carry); used instead of the seeds when present."""
    pids = list(points)
    ys, xs = np.nonzero(mask)
    out = {p: np.zeros_like(mask, dtype=bool) for p in pids}
    if len(xs) == 0 or not pids:
        return out
    dist = np.stack([axis_distance(xs.astype(np.float32), ys.astype(np.float32),
                                   person_axis(points[p], anchor, height)) for p in pids])
    label = dist.argmin(axis=0)
    if image is not None and len(pids) > 1 and colour_weight > 0:
        spatial = dist / max(1.0, height * WIDTH_RATIO / 2.0)  # ~1 at the edge of a body
        srt = np.sort(dist, axis=0)
        confident = srt[0] < 0.6 * srt[1]
        code = colour_codes(image[ys, xs])
        appearance = appearance or {}
        for _ in range(rounds):
            cost = spatial.copy()
            for k in range(len(pids)):
                known = appearance.get(pids[k])
                if known is not None and known.sum() >= 200:
                    hist = np.asarray(known, np.float64).reshape(8, 8, 8)
                else:
                    seeds = code[(label == k) & confident]
                    if len(seeds) < 20:
                        continue
                    hist = np.bincount(seeds, minlength=512).astype(np.float64).reshape(8, 8, 8)
                from scipy import ndimage  # (here: scipy.ndimage is 0.2 s of the studio's start)

                hist = ndimage.gaussian_filter(hist, 0.7, mode="constant")
                prob = hist.reshape(-1) / max(hist.sum(), 1e-9)
                cost[k] += colour_weight * -np.log(prob[code] + 1e-4) / np.log(512)
            new = cost.argmin(axis=0)
            if (new == label).all():
                break
            label = new
    for k, p in enumerate(pids):
        sel = label == k
        out[p][ys[sel], xs[sel]] = True
    return out


def split_share(mask: np.ndarray, pid: Hashable, points: Mapping, anchor: str, height: float,
                image: np.ndarray | None = None) -> np.ndarray:
    """The pixels of ``mask`` that :func:`split_labels` gives to person ``pid``."""
    if len(points) < 2:
        return mask
    return split_labels(mask, points, anchor, height, image)[pid]


def _odd(n: float) -> int:
    n = max(1, int(round(n)))
    return n if n % 2 else n + 1


def fill_blob(raw: np.ndarray, box: PointLike, height: float) -> np.ndarray:
    """Full-frame bool mask: ``raw`` (bool, or uint8 where 255 is foreground and 127 shadow) inside
    ``box``, closed with a disc scaled to the person ``height`` and with its holes filled."""
    h_img, w_img = raw.shape[:2]
    fg = raw == 255 if raw.dtype == np.uint8 else raw.astype(bool)
    x0, y0, x1, y1 = (int(round(c)) for c in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(w_img, max(x1, x0 + 1)), min(h_img, max(y1, y0 + 1))
    out = np.zeros((h_img, w_img), bool)
    pad = _odd(height / 25.0)
    crop: np.ndarray = np.pad(fg[y0:y1, x0:x1], pad).astype(np.uint8)
    if pad > 1:
        crop = cv2.morphologyEx(crop, cv2.MORPH_CLOSE,
                                cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (pad, pad)))
    crop = fill_holes(crop)[pad:-pad, pad:-pad]
    out[y0:y1, x0:x1] = crop
    return out


def clean_person_mask(raw: np.ndarray, box: PointLike, point: PointLike, anchor: str = "centre",
                      height: float | None = None, others: Mapping | None = None, pid: Any = None,
                      image: np.ndarray | None = None) -> np.ndarray:
    """Full-frame bool mask of one person.

    ``raw``: full-frame mask (bool, or uint8 where only 255 counts as foreground: 127 marks shadow);
    ``box``: (x0, y0, x1, y1) pixels; ``point``: the track point (u, v); ``anchor``: where the point sits
    on the body; ``height``: expected person height in px (default: the box height); ``others``:
    {pid: (u, v)} of every person sharing this blob (this one included, under ``pid``) to split it
    (by position, and by colour when ``image`` is given).
    """
    x0, y0, x1, y1 = (int(round(c)) for c in box)
    if height is None or height <= 0:
        height = float(max(1, y1 - y0))
    anchor = anchor if anchor in ANCHORS else "centre"
    mask = fill_blob(raw, box, height)
    if others and pid is not None and len(others) > 1:
        mask = split_share(mask, pid, {**others, pid: point}, anchor, height, image)
    return keep_person_components(mask, point, anchor, height)


def keep_person_components(mask: np.ndarray, point: PointLike, anchor: str, height: float) -> np.ndarray:
    """The connected component nearest to the person's axis, plus sizeable pieces inside its corridor."""
    out = np.zeros_like(mask, dtype=bool)
    box = box_of(mask)
    if box is None:
        return out
    # the components within the mask's box only, its corner on even coordinates: OpenCV labels 2x2 blocks
    # from the image's corner, so the labels come in the same order as over the whole frame
    bx0, by0, bx1, by1 = box[0] & ~1, box[1] & ~1, box[2], box[3]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask[by0:by1, bx0:bx1].astype(np.uint8), connectivity=8)
    if n <= 1:
        return out
    axis = person_axis(point, anchor, height)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    d = axis_distance((xs + bx0).astype(np.float32), (ys + by0).astype(np.float32), axis, width_weight=1.0)
    nearest = np.full(n, np.inf)
    np.minimum.at(nearest, cast(np.ndarray, lab), d)
    main = int(np.argmin(nearest[1:]) + 1)
    corridor = height * WIDTH_RATIO / 2.0
    min_area = max(4.0, 0.02 * stats[main, cv2.CC_STAT_AREA])
    keep = np.zeros(n, bool)
    keep[main] = True
    for c in range(1, n):
        if c != main and nearest[c] <= corridor and stats[c, cv2.CC_STAT_AREA] >= min_area:
            keep[c] = True
    out[by0:by1, bx0:bx1] = keep[labels]
    return out


def box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) ints of a 2-D bool mask (x1, y1 exclusive), or None when empty: the box of
    :func:`humanseg_core.overlap.bounding_slices` as a tuple."""
    found = bounding_slices(mask)
    if found is None:
        return None
    ys, xs = found
    return int(xs.start), int(ys.start), int(xs.stop), int(ys.stop)


# no proposal holds fewer pixels, whatever the person's expected size (a walk's another-scene homography expected
# 5 px persons, and a 2-pixel mask was proposed with a score of 0.67)
MIN_PIXELS = 16


def too_small(pixels: int, height: float, share: float) -> bool:
    """Whether a mask of ``pixels`` is too small to propose for a person expected ``height`` px tall: under
    ``share`` of the expected body area (0.4 h x h), or under :data:`MIN_PIXELS`."""
    return pixels < max(MIN_PIXELS, share * 0.4 * height * height)
