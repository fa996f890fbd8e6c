"""The persons' height from the parent network itself, when no box has taught it (a scale sweep).

The heights are learnt from background-subtraction boxes that hold one person's point (:mod:`.generate`,
``learn_heights``). Where every person walks in a group, every blob holds several points and nothing is
learnt: a held-out scene of 170 px people kept the default 62 px, and the crops and the body prior cut every
person at the waist (median IoU 0.351; 0.72-0.76 with the right height).

The parent is given a crop scaled to an expected height ``k x h`` (``h``: the height model's guess at the
point) and answers with the person's mask. When ``k x h`` is more than the person's real height the person
fits in the crop and the mask is about as tall as the person: the ratio mask height / (k x h) falls below 1.
When it is less, the crop cuts the body, and the network, which learnt people of the crop's expected size,
answers with a mask at least that tall: the ratio is about 1 or more. The real height is where the ratio
falls through 1 for the last time, going up in ``k``. Measured on 13 scenes of 24-170 px people (eight
frames each): the estimate is within 0.8-1.0 of the real median height on every one (the biggest people,
110 and 170 px, are under by 15-20 %).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np
from scipy import ndimage as ndi

from ..jobs import CancelToken
from .body_prior import HeightModel
from .parent_masks import ParentConfig, parent_probabilities

# the multiples of the guessed height tried, in order
FACTORS = (0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)
# fewer persons than this say nothing
MIN_PERSONS = 4
# a median mask this share of its expected height at every factor: the network saw nobody, nothing is said
SEEN_RATIO = 0.25
# a person taller than the largest factor is read from its mask there, up to this many times that factor
MAX_BEYOND = 2.0
# the warm-up's first sample frames swept
SWEEP_FRAMES = 8
# at most this many persons (over all frames) are swept: each costs one network pass per factor
MAX_PERSONS = 48


def mask_height(prob: np.ndarray, point: Sequence[float], level: float = 0.5) -> float | None:
    """Height (rows) of the connected region of ``prob >= level`` nearest ``point``; None when empty."""
    mask = prob >= level
    labels, n = ndi.label(mask)
    if n == 0:
        return None
    ys, xs = np.nonzero(labels)
    i = int(np.argmin((xs - float(point[0])) ** 2 + (ys - float(point[1])) ** 2))
    rows = np.nonzero((labels == labels[ys[i], xs[i]]).any(axis=1))[0]
    return float(rows[-1] - rows[0] + 1)


def crossing(factors: Sequence[float], ratios: Sequence[float]) -> float:
    """The factor where ``ratios`` (mask height / expected height, one per factor, ascending factors) falls
    through 1 for the last time, interpolated linearly; below the first factor when none reaches 1 (the
    first factor times its ratio); above the last one when the last ratio is 1 or more (the last factor times
    its ratio: the whole person fits in that crop's context, the mask is its height)."""
    # the crop cuts the body even at the largest factor: the person is taller than tried, and its mask there measures
    # it (DAVIS lucia, 340 px, was read as 5 px). Letting an earlier fall through 1 win instead (a review: the last
    # ratio may be noise) read dance-twirl from the small crops' noise, 137 px, and its whole-pipeline J fell from
    # 0.682 to 0.013, also when the two largest ratios had to agree; the surveillance scenes did not move either way
    if ratios[-1] >= 1.0:
        return float(factors[-1] * ratios[-1])
    last_up = None
    for i in range(len(factors) - 1):
        if ratios[i] >= 1.0 > ratios[i + 1]:
            last_up = i
    if last_up is None:  # never 1 or more: smaller than the first factor
        return float(factors[0] * ratios[0])
    i = last_up
    k0, k1, r0, r1 = factors[i], factors[i + 1], ratios[i], ratios[i + 1]
    return float(k0 + (k1 - k0) * (r0 - 1.0) / (r0 - r1))


def height_factor(segmenter, frames: Iterable[tuple[np.ndarray, Mapping]], anchor: str | None = None,
                  config: ParentConfig = ParentConfig(), factors: Sequence[float] = FACTORS,
                  cancel: CancelToken | None = None) -> float | None:
    """How many times their guessed heights the persons really are; None when too few persons were seen.

    ``frames``: (image, {pid: (u, v, guessed height px)}) pairs; ``anchor``: where the points sit on the
    bodies. One network pass per person and factor, without the mirror image; ``cancel`` is honoured between
    frames."""
    per_factor: dict[float, list[float]] = {k: [] for k in factors}
    quick = replace(config, flip=False)
    seen = 0
    for image, persons in frames:
        if seen >= MAX_PERSONS:
            break
        if cancel is not None:
            cancel.raise_if_cancelled()
        persons = dict(list(persons.items())[:MAX_PERSONS - seen])
        points = {p: (float(uvh[0]), float(uvh[1])) for p, uvh in persons.items()}
        guessed = {p: float(uvh[2]) for p, uvh in persons.items()}
        if not points:
            continue
        seen += len(points)
        for k in factors:
            whole = getattr(segmenter, "whole_context", contextlib.nullcontext)  # the crop scale it was read at
            with whole():
                probs = parent_probabilities(segmenter, image, points, {p: k * h for p, h in guessed.items()},
                                             quick, anchor)
            for p, prob in probs.items():
                height = mask_height(prob, points[p])  # no mask: the network sees nobody at that scale
                per_factor[k].append(0.0 if height is None else height / (k * guessed[p]))
    if seen < MIN_PERSONS:
        return None
    ratios = [float(np.median(per_factor[k])) for k in factors]
    if max(ratios) < SEEN_RATIO:
        return None
    return float(np.clip(crossing(list(factors), ratios), factors[0] * SEEN_RATIO, factors[-1] * MAX_BEYOND))


def sweep_heights(model: HeightModel, segmenter, frames: Iterable[tuple[np.ndarray, Mapping]], anchor: str | None,
                  config: ParentConfig = ParentConfig(), cancel: CancelToken | None = None) -> float | None:
    """Scale ``model``'s default height by :func:`height_factor` on ``frames`` ((image, {pid: (u, v)}) pairs,
    the guesses ``model``'s); returns the factor, or None (the model unchanged) when too few persons were seen."""
    guessed = [(img, {p: (uv[0], uv[1], model.height(p, uv[1], uv[0])) for p, uv in persons.items()})
               for img, persons in frames]
    factor = height_factor(segmenter, guessed, anchor, config, cancel=cancel)
    if factor is not None:
        model.default *= factor
    return factor
