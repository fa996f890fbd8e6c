"""A background model that does not hold: the camera moves (real video such as DAVIS pans and follows its person).

Background subtraction assumes a still camera. On DAVIS lucia (the camera following her) 73-78 % of every sample
frame differs from the median background, against 2-7 % on the surveillance scenes, 27 % on breakdance (a dancer
filling a third of a still-ish frame). There the foreground is noise: `bgs+parent` proposals of lucia had a median
IoU of 0.49 (0.55 with the right anchor), the parent alone 0.846. The joint proposals then run on the parent network
alone (``method="parent"``) and say so (BENCHMARKS "A moving camera").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..errors import FrameError

MOVING_SHARE = 0.4  # the median share of a sample frame that differs from the background, from which it moves
SAMPLE = 3  # sample frames looked at
MOVING_FLAG = "moving camera"  # a proposal's flag: made by the parent alone (Review's info line says so)


def changed_share(background, read: Callable, frames: Iterable[int]) -> float | None:
    """The median share of the pixels of ``frames`` (``read(index)``: BGR) that ``background`` (a
    ``TrackMaskedBackground``) calls foreground; None when no frame could be read."""
    shares = []
    for f in list(frames)[:SAMPLE]:
        try:
            img = read(f)
        except (FrameError, OSError):  # an unreadable frame only thins the sample (a bug is no such frame)
            continue
        shares.append(float(np.mean(background.foreground(img, f) == 255)))
    return float(np.median(shares)) if shares else None


def moving_text(share: float) -> str:
    return (f"the video's background does not hold still ({share:.0%} of each sample frame changes: a moving "
            "camera?): the proposals come from the parent network alone, without background subtraction; their "
            "scores say how sure the parent was of each mask and whether another person claims its pixels, with no "
            "second opinion: look at the lowest first (W)")
