"""The studio's Quality panel, computed as a job: J (IoU) and F (boundary) of a run's results per frame
against the accepted masks, on the held-out frames (honest) and, greyed in the panel, the training frames.

:func:`score_job` takes the masks as RLE blobs (``Project.mask_blobs``) and decodes one frame at a time,
so a worker thread does the bulk decoding and the memory held stays one frame's masks. A damaged result
blob scores as a missing result (J 0, flagged); a damaged accepted mask leaves its frame out.

F's boundary tolerance follows the person's size (:func:`person_tolerance`: 2 % of the accepted mask's
height, at least 1 px), not DAVIS's share of the image diagonal: on a 720 x 576 frame that is 8 px, more
than a third of a 75-px person's width, so any plausible mask scored F 1.000.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .. import metrics, rle
from ..jobs import CancelToken, Progress

log = logging.getLogger(__name__)

MaskScore = Callable[[np.ndarray, np.ndarray], float]

PERSON_BOUND_SHARE = metrics.PERSON_BOUND_SHARE  # F's boundary tolerance as a share of the person's height


def person_tolerance(gt: np.ndarray) -> int:
    """F's boundary tolerance in pixels for a person whose accepted mask is ``gt``: 2 % of its height."""
    return metrics.person_bound(gt)


def person_f_boundary(pred: np.ndarray, gt: np.ndarray) -> float:
    """The boundary F-measure with the tolerance scaled to the person (:func:`person_tolerance`)."""
    return metrics.f_boundary(pred, gt, bound_th=float(person_tolerance(gt)))


@dataclass
class FrameScore:
    frame: int
    j: float
    f: float | None
    heldout: bool
    missing: bool = False  # no result on this frame: scored against an empty mask
    tolerance: int | None = None  # F's boundary tolerance in pixels (None: a custom F)


def score_frames(results: Mapping[int, np.ndarray], accepted: Mapping[int, np.ndarray], heldout_frames: Iterable[int],
                 train_frames: Iterable[int] = (), jaccard: MaskScore | None = None,
                 f_boundary: MaskScore | None = None) -> list[FrameScore]:
    """J (and F) of ``results`` on each held-out (and training) frame that has an accepted mask; F's
    tolerance is scaled to the person (:func:`person_f_boundary`) unless ``f_boundary`` is given."""
    jac: MaskScore = jaccard or metrics.jaccard
    fbound: MaskScore = f_boundary or person_f_boundary
    held_list = [int(f) for f in heldout_frames]
    held, train = set(held_list), {int(f) for f in train_frames} - set(held_list)
    scores = []
    for f in sorted((held | train) & {int(k) for k in accepted}):
        gt = np.asarray(accepted[f], bool)
        pred = results.get(f)
        missing = pred is None
        pred = np.zeros_like(gt) if pred is None else np.asarray(pred, bool)
        tol = person_tolerance(gt) if f_boundary is None else None
        scores.append(FrameScore(f, float(jac(pred, gt)), float(fbound(pred, gt)), f in held, missing, tol))
    return scores


def _decode(blob: bytes | None, frame: int, what: str) -> np.ndarray | None:
    if blob is None:
        return None
    try:
        return rle.from_blob(blob)
    except ValueError as exc:  # rle.MaskDataError: a damaged row reads as "no mask here"
        log.warning("frame %s: cannot decode its %s (%s)", frame, what, exc)
        return None


def score_job(result_blobs: Mapping[int, bytes], accepted_blobs: Mapping[int, bytes],
              heldout_frames: Iterable[int], train_frames: Iterable[int] = (),
              cancel: CancelToken | None = None) -> Generator[Progress, None, list[FrameScore]]:
    """Job: :func:`score_frames` from RLE blobs, decoding one frame at a time (for a worker thread)."""
    held, train = {int(f) for f in heldout_frames}, {int(f) for f in train_frames}
    frames = sorted((held | train) & {int(f) for f in accepted_blobs})
    scores: list[FrameScore] = []
    for i, f in enumerate(frames):
        if cancel is not None:
            cancel.raise_if_cancelled()
        gt = _decode(accepted_blobs.get(f), f, "accepted mask")
        if gt is not None:
            pred = _decode(result_blobs.get(f), f, "result")
            scores += score_frames({} if pred is None else {f: pred}, {f: gt}, held & {f}, train & {f})
        yield Progress(i + 1, len(frames), f"frame {f}")
    return scores
