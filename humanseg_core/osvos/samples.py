"""The training samples of one person: the accepted frames read with their masks and track points, the
labels' untrusted pixels marked, the hold-out split (split out of :mod:`.train`, which re-exports them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import HumansegError
from ..jobs import CancelToken
from .guidance import CropGeometry, TrackFn
from .others import OthersFn


@dataclass
class _Sample:
    frame: int
    img: np.ndarray  # full frame, BGR uint8
    mask: np.ndarray  # full frame, uint8 0/1
    point: tuple[float, float] | None
    ignore: np.ndarray | None = None  # full frame, uint8 1 = label not trusted (ignored by the loss)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def _check(cancel: CancelToken | None) -> None:
    """Stop here when the user cancelled (between the parts of the preparation and in its per-frame loops)."""
    if cancel is not None:
        cancel.raise_if_cancelled()


def spread(n: int, cap: int | None) -> list[int]:
    """The indices of at most ``cap`` of ``n`` items, evenly spread, first and last included (all when
    ``cap`` is None or not below ``n``)."""
    if cap is None or n <= cap:
        return list(range(n))
    return [int(i) for i in np.linspace(0, n - 1, cap).round().astype(int)]


def _load_samples(frames_reader: Callable[[int], np.ndarray], track_px: TrackFn | None, masks: Mapping[int, np.ndarray],
                  guidance: bool, notes: list[str], cancel: CancelToken | None = None,
                  cap: int | None = None) -> list[_Sample]:
    """The usable accepted frames (with a track point when ``guidance``, readable, mask and frame of one
    size), at most ``cap`` of them evenly spread (:func:`spread`), in frame order.

    Which frames are kept is decided before any frame is decoded, so a person with hundreds of accepted
    masks reads about ``cap`` frames, not all: when every frame reads, the kept frames are exactly those of
    reading all and spreading the cap over them.  A kept frame that cannot be used is replaced by the
    nearest candidate not yet tried (after it first), so the cap still fills while usable frames remain;
    reads = kept frames + unusable frames met (none twice)."""
    found: list[tuple[int, str]] = []  # (frame, note): the notes in frame order, as one pass over all gives
    candidates: list[tuple[int, tuple[float, float] | None]] = []
    for f in sorted(masks):
        point = track_px(f) if track_px is not None else None
        if guidance and point is None:
            found.append((f, f"frame {f}: accepted mask outside the track's time span, skipped"))
        else:
            candidates.append((f, point))

    def load(k: int) -> _Sample | None:
        f, point = candidates[k]
        _check(cancel)
        try:
            img = frames_reader(f)
        except (HumansegError, OSError, KeyError, IndexError) as exc:
            found.append((f, f"frame {f}: cannot be read ({exc}), skipped"))
            return None
        m = np.asarray(masks[f], bool)
        if m.shape != img.shape[:2]:
            found.append((f, f"frame {f}: mask {m.shape} does not match the frame {img.shape[:2]}, skipped"))
            return None
        return _Sample(f, img, m.astype(np.uint8), point)

    n = len(candidates)
    chosen = spread(n, cap)
    tried = set(chosen)
    kept: list[_Sample] = []
    for k in chosen:
        s = load(k)
        d = 1
        while s is None and d < n:  # the nearest untried candidate instead: after, then before
            for j in (k + d, k - d):
                if s is None and 0 <= j < n and j not in tried:
                    tried.add(j)
                    s = load(j)
            d += 1
        if s is not None:
            kept.append(s)
    notes.extend(text for _f, text in sorted(found, key=lambda e: e[0]))
    return sorted(kept, key=lambda s: s.frame)


def _mark_untrusted(samples: list[_Sample], geometry: CropGeometry, others_px: OthersFn | None, boundary_band: int,
                    others_ignore: bool, cancel: CancelToken | None = None) -> int:
    """Fill each sample's ``ignore`` map: a band of ``boundary_band`` px either side of the label's edge
    (BGS halos and shadows make the edge the least reliable part) and, with ``others_px``, the label's
    foreground pixels that lie in another person's expected body core (split errors).  Returns the
    number of foreground label pixels ignored because of other persons."""
    from .others import claimed_in_frame

    n_claimed = 0
    for s in samples:
        _check(cancel)
        ign = np.zeros(s.mask.shape, bool)
        if boundary_band > 0:
            k = np.ones((2 * boundary_band + 1, 2 * boundary_band + 1), np.uint8)
            ign |= cv2.dilate(s.mask, k) != cv2.erode(s.mask, k)
        if others_ignore and others_px is not None and s.point is not None:
            claimed = claimed_in_frame(geometry, s.point, list(others_px(s.frame) or []), *s.mask.shape)
            claimed &= s.mask.astype(bool)
            n_claimed += int(claimed.sum())
            ign |= claimed
        s.ignore = ign.astype(np.uint8) if ign.any() else None
    return n_claimed


DEFAULT_HOLDOUT = 3  # accepted masks held out to measure J unless the user chooses: at most a quarter of them


def default_holdout(n: int) -> int:
    """The masks of ``n`` accepted ones held out by default, in the studio's Train tab and `humanseg train`: 3, at
    most a quarter (a walk's 7 labels trained on 4 with 3 held out)."""
    return min(DEFAULT_HOLDOUT, max(0, int(n)) // 4)


def holdout_asked(holdout: float | None, n: int) -> int:
    """How many of ``n`` labels ``holdout`` asks to hold out: a count, or a fraction below 1 of them."""
    return int(round(holdout * n)) if isinstance(holdout, float) and holdout < 1 else int(holdout or 0)


def _split_holdout(samples: list[_Sample], holdout: float | None, rng: np.random.Generator,
                   prefer: frozenset[int] | None = None) -> tuple[list[_Sample], list[_Sample]]:
    """(trained, held out). ``prefer``: the frames held out first (labels accepted as proposed, the
    ``refine_frames``): an analyst's hand-edited labels train unless too few others are left (a walk fixed
    five frames and two of the three held out were among them)."""
    n = len(samples)
    k = min(holdout_asked(holdout, n), n // 2)  # at most half held out: --holdout 50 of 22 trained on one (a walk)
    if k <= 0:
        return samples, []
    first = [i for i, s in enumerate(samples) if prefer is None or s.frame in prefer]
    rest = sorted(set(range(n)) - set(first))
    idx = rng.choice(first, size=min(k, len(first)), replace=False).tolist() if first else []
    if len(idx) < k:
        idx += rng.choice(rest, size=k - len(idx), replace=False).tolist()
    out = set(idx)
    return [s for i, s in enumerate(samples) if i not in out], [samples[i] for i in sorted(out)]
