"""The per-pixel median of a stack of uint8 frames, found bit by bit instead of by sorting.

A background is the median of 12-25 frames at every pixel. ``np.median(stack, axis=0)`` partitions each pixel's
samples along the stack's strided first axis: 0.55 s for 25 PAL frames on one core. Eight passes of a binary
search over the value's bits, each counting how many samples lie at or below a candidate, give the same numbers
in about a fifth of the time (BENCHMARKS "The backgrounds' medians by bits"), with no float copy of the stack.

Results equal ``np.median(stack, axis=0).astype(np.uint8)`` exactly: for an even number of samples that is the
mean of the two middle samples, rounded down.
"""

from __future__ import annotations

import numpy as np


def _kth(stack: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Per pixel, the ``k``-th smallest (1-based) of the samples along axis 0. ``stack`` uint8, at most 255
    samples. A candidate is never 255 (its bit under test is 0), so a sample set to 255 is never counted."""
    out = np.zeros(stack.shape[1:], np.uint8)
    count = np.empty(stack.shape[1:], np.uint8)
    below = np.empty(stack.shape[1:], bool)
    for bit in range(7, -1, -1):
        candidate = out | np.uint8((1 << bit) - 1)  # the highest value with the bits found so far and this one 0
        count.fill(0)
        for i in range(stack.shape[0]):
            np.less_equal(stack[i], candidate, out=below)
            np.add(count, below, out=count, casting="unsafe")
        np.less(count, k, out=below)  # fewer than k at or below: the k-th has this bit set
        out += below.view(np.uint8) << np.uint8(bit)
    return out


def stack_median(stack: np.ndarray) -> np.ndarray:
    """``np.median(stack, axis=0).astype(np.uint8)`` for a uint8 ``stack`` (S, ...), S from 1 to 255."""
    stack = np.asarray(stack)
    if stack.dtype != np.uint8 or not 1 <= stack.shape[0] <= 255:
        return np.median(stack, axis=0).astype(np.uint8)
    n = stack.shape[0]
    lower = _kth(stack, (n + 1) // 2)
    if n % 2:
        return lower
    upper = _kth(stack, n // 2 + 1)
    return ((lower.astype(np.uint16) + upper) // 2).astype(np.uint8)


def lower_median_where(stack: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per pixel, the lower median of the samples ``keep`` leaves in (the ``(n - 1) // 2``-th of the n kept, from
    0); 0 where none is kept. ``stack`` (S, H, W, C) uint8, ``keep`` (S, H, W) bool, S at most 255."""
    n = keep.sum(axis=0, dtype=np.int64)
    k = ((np.maximum(n, 1) - 1) // 2 + 1).astype(np.uint8)[..., None]
    out = _kth(np.where(keep[..., None], stack, np.uint8(255)), k)  # left out: 255, never counted
    out[n == 0] = 0
    return out
