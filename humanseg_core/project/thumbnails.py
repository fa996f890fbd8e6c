"""Thumbnails of proposals for the review filmstrip, built in a background job (issue 7).

Each thumbnail is the person's crop (its box plus a margin, at the thumbnail's aspect ratio) with the mask
tinted and outlined, ``THUMB_W`` x ``THUMB_H`` BGR pixels. :func:`thumbnails_job` decodes the masks and
reads the frames one proposal at a time and hands the finished thumbnails over in batches through
``Progress.data["thumbnails"]``, so the studio's GUI thread only wraps 60x80 pictures it is given and never
decodes masks in bulk. A proposal whose mask or frame cannot be read gets a grey thumbnail and its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import Cancelled, HumansegError
from ..jobs import CancelToken, Progress
from ..metrics import mask_outline

THUMB_W, THUMB_H = 60, 80
#: Thumbnails handed over per progress report (the GUI paints a batch at a time).
BATCH = 6
BACKGROUND = 50  # the crop's canvas outside the frame
NO_FRAME = 70  # the crop's pixels when the frame cannot be read

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ThumbnailRequest:
    """One thumbnail to build. ``mask``: the mask when the caller has it already (an edit just saved),
    else it is loaded with the job's ``load_mask(proposal_id)``."""

    proposal_id: int
    frame: int
    box: Box
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class Thumbnail:
    """A built thumbnail (``image``: BGR uint8, THUMB_H x THUMB_W), or None with the reason in ``error``."""

    proposal_id: int
    frame: int
    image: np.ndarray | None
    error: str = ""


def render_thumbnail(frame: np.ndarray | None, mask: np.ndarray, box: Box,
                     tint_bgr: tuple[int, int, int] = (0, 190, 255)) -> np.ndarray:
    """The person's crop (box + margin, aspect kept) with the mask tinted, BGR ``THUMB_H`` x ``THUMB_W``."""
    h, w = mask.shape
    x0, y0, x1, y1 = (int(v) for v in box)
    bw, bh = max(1, x1 - x0), max(1, y1 - y0)
    # grow the crop to the thumbnail's aspect ratio, with a margin
    ch = int(bh * 1.3) + 4
    cw = max(int(bw * 1.3) + 4, int(ch * THUMB_W / THUMB_H))
    ch = max(ch, int(cw * THUMB_H / THUMB_W))
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    cx0, cy0 = cx - cw // 2, cy - ch // 2
    canvas = np.full((ch, cw, 3), BACKGROUND, np.uint8)
    sx0, sy0 = max(0, cx0), max(0, cy0)
    sx1, sy1 = min(w, cx0 + cw), min(h, cy0 + ch)
    if sx1 > sx0 and sy1 > sy0:
        usable = frame is not None and frame.shape[:2] == (h, w)
        src = frame[sy0:sy1, sx0:sx1] if usable and frame is not None else NO_FRAME
        crop = canvas[sy0 - cy0:sy1 - cy0, sx0 - cx0:sx1 - cx0]
        crop[:] = src
        m = mask[sy0:sy1, sx0:sx1].astype(bool)
        tint = np.array(tint_bgr, np.float32)
        crop[m] = (0.55 * crop[m] + 0.45 * tint).astype(np.uint8)
        crop[mask_outline(m, 1)] = tint.astype(np.uint8)
    return cv2.resize(canvas, (THUMB_W, THUMB_H), interpolation=cv2.INTER_AREA)


def thumbnails_job(requests: Sequence[ThumbnailRequest], load_mask: Callable[[int], np.ndarray],
                   read_frame: Callable[[int], np.ndarray | None], cancel: CancelToken | None = None,
                   tint_bgr: tuple[int, int, int] = (0, 190, 255),
                   batch: int = BATCH) -> Generator[Progress, None, int]:
    """Job: build the thumbnails of ``requests`` in order; each report carries the finished ones in
    ``data["thumbnails"]`` (a list of :class:`Thumbnail`). Returns how many were built with a picture."""
    total, built = len(requests), 0
    ready: list[Thumbnail] = []
    for i, req in enumerate(requests):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            mask = req.mask if req.mask is not None else load_mask(req.proposal_id)
        except Cancelled:
            raise
        except (HumansegError, KeyError, ValueError) as exc:  # a damaged or deleted row: a grey thumbnail
            ready.append(Thumbnail(req.proposal_id, req.frame, None, str(exc)))
        else:
            try:
                frame = read_frame(req.frame)
            except HumansegError:  # an unreadable frame: the mask over grey
                frame = None
            ready.append(Thumbnail(req.proposal_id, req.frame, render_thumbnail(frame, mask, req.box, tint_bgr)))
            built += 1
        if len(ready) >= batch or i == total - 1:
            yield Progress(i + 1, total, f"thumbnail of frame {req.frame}", data={"thumbnails": ready})
            ready = []
    return built
