"""Light that changes across the frame: a cloud's shadow sweeping over the ground, a lit patch (ADR 0058).

Background subtraction scales the background by one brightness gain per frame (:func:`.detectors.bgs.frame_gain`):
right for a camera's drift or a flicker, which change every pixel alike. A cloud's shadow darkens a part of the
frame only. There one gain leaves a quarter to a third of the frame "foreground" (a hunt's scene: 25-37 %, 2 %
without the cloud), and the track-masked median, taken from samples each lit differently and each with the
people's places left out, becomes a patchwork of rectangles around the people. The masks then grew a halo of
ground (zara01 with a 45 % cloud: median IoU 0.833 -> 0.769, below the parent network alone at 0.811).

:func:`light_map` measures the gain block by block, from the pixels where no person can be, as a smooth map.
When the light is even (the blocks' gains within :data:`UNEVEN` of their median for 90 % of the blocks) it says
so (None) and nothing changes: the scenes without such light keep their masks to the pixel.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..inputs.stack_median import stack_median
from .detectors.bgs import channel_sum

BLOCK = 32  # px: the side of the blocks whose gains are measured
# the light is uneven when the 90th percentile of |block gain - median block gain| reaches this; without the
# guard, even light read block by block moved a reference scene's masks (0.833 -> 0.76-0.79)
UNEVEN = 0.05
# a block needs this share of its pixels free of every person to be measured (else it takes the median gain)
MIN_FREE_SHARE = 1 / 8
GAIN_RANGE = (0.5, 2.0)  # a map's gains are clipped to this range
# a first look on every STEP-th pixel (blocks of BLOCK / STEP), with a lower bar (QUICK x UNEVEN), rules out even
# light 16x faster; only light it cannot rule out is measured on every pixel (which decides)
STEP = 4
QUICK = 0.8
# a camera's white balance: the three channels' gains over the background (normalised to their mean) within this
# of 1 are balanced and nothing changes; the scenes without such a change keep their masks to the pixel
BALANCE_TOL = 0.04
BALANCE_RANGE = (0.6, 1.6)


def block_gains(frame: np.ndarray, background: np.ndarray, free: np.ndarray,
                block: int = BLOCK) -> tuple[np.ndarray, float]:
    """(per-block median brightness ratio frame / background over the ``free`` pixels, (rows, cols) float32;
    the median over every free pixel). Blocks with too few free pixels take that median."""
    ratio = np.clip((channel_sum(frame) + 1.0) / (channel_sum(background) + 1.0), 0.3, 3.0).astype(np.float32)
    h, w = ratio.shape
    whole = float(np.median(ratio[free])) if free.any() else 1.0
    rows, cols = -(-h // block), -(-w // block)
    padded = np.full((rows * block, cols * block), np.nan, np.float32)
    padded[:h, :w] = np.where(free, ratio, np.float32(np.nan))
    tiles = padded.reshape(rows, block, cols, block).transpose(0, 2, 1, 3).reshape(rows, cols, -1)
    enough = np.isfinite(tiles).sum(-1) >= max(1, int(block * block * MIN_FREE_SHARE))
    gains = np.full((rows, cols), whole, np.float32)
    if enough.any():
        gains[enough] = finite_medians(tiles[enough])
    return cv2.medianBlur(gains, 3), whole


def finite_medians(rows: np.ndarray) -> np.ndarray:
    """``np.nanmedian(rows, axis=-1)`` for float32 rows of which each holds a finite value: sorted once (NaN last),
    the middle of each row's finite values picked; the same numbers, 10x faster than numpy's per-row NaN handling
    (exposure steps had every sample's light measured: the proposals at half speed, a hunt)."""
    ordered = np.sort(rows, axis=-1)
    n = np.isfinite(rows).sum(axis=-1)
    lo = np.take_along_axis(ordered, ((n - 1) // 2)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(ordered, (n // 2)[..., None], axis=-1)[..., 0]
    return np.where(n % 2 == 1, lo, (lo.astype(np.float64) + hi) / 2).astype(rows.dtype)


def is_uneven(gains: np.ndarray, level: float = UNEVEN) -> bool:
    """Whether block gains spread enough to be light that changes across the frame."""
    return bool(np.percentile(np.abs(gains - np.median(gains)), 90) >= level)


def _quick_uneven(frame_few: np.ndarray, background_few: np.ndarray, free_few: np.ndarray, block: int,
                  level: float) -> bool:
    """:func:`maybe_uneven` on images already taken at every :data:`STEP`-th pixel."""
    return is_uneven(block_gains(frame_few, background_few, free_few, max(1, block // STEP))[0], QUICK * level)


def maybe_uneven(frame: np.ndarray, background: np.ndarray, free: np.ndarray, block: int = BLOCK,
                 level: float = UNEVEN) -> bool:
    """False when a look at every :data:`STEP`-th pixel already shows even light."""
    s = STEP
    return _quick_uneven(frame[::s, ::s], background[::s, ::s], free[::s, ::s], block, level)


def light_map(frame: np.ndarray, background: np.ndarray, free: np.ndarray, block: int = BLOCK,
              level: float = UNEVEN) -> np.ndarray | None:
    """The gain of ``frame`` over ``background``, pixel by pixel (HxW float32, smooth), when the light is
    uneven; None when it is even (one gain per frame is then right)."""
    if not maybe_uneven(frame, background, free, block, level):
        return None
    gains, _ = block_gains(frame, background, free, block)
    if not is_uneven(gains, level):
        return None
    h, w = free.shape
    rows, cols = gains.shape
    full = cv2.resize(gains, (cols * block, rows * block), interpolation=cv2.INTER_LINEAR)[:h, :w]
    return np.clip(cv2.GaussianBlur(full, (0, 0), block / 4), *GAIN_RANGE).astype(np.float32)


def relit(image: np.ndarray, gain: np.ndarray | float) -> np.ndarray:
    """``image`` (uint8 HxWx3) times ``gain`` (a map, one number, or one a channel), rounded and clipped to uint8."""
    g = np.asarray(gain, np.float32)
    scaled = image.astype(np.float32) * (g[..., None] if g.ndim == 2 else g)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def even_samples(data: np.ndarray, frees: list[np.ndarray], block: int = BLOCK,
                 level: float = UNEVEN) -> tuple[np.ndarray, int]:
    """The background samples (S, H, W, 3 uint8) brought to one light before their median, when the light of
    one of them is uneven against the plain median: each sample divided by its gain map (one gain where its
    own light is even). (samples, how many were uneven); the samples untouched when none was."""
    s = STEP
    plain_few = stack_median(data[:, ::s, ::s])
    if not any(_quick_uneven(d[::s, ::s], plain_few, free[::s, ::s], block, level) for d, free in zip(data, frees)):
        return data, 0
    plain = stack_median(data)
    maps = [light_map(d, plain, free, block, level) for d, free in zip(data, frees)]
    uneven = sum(m is not None for m in maps)
    if not uneven:
        return data, 0
    out = np.empty_like(data)
    for k, (d, m, free) in enumerate(zip(data, maps, frees)):
        gain = m if m is not None else float(np.clip(block_gains(d, plain, free, block)[1], *GAIN_RANGE))
        out[k] = relit(d, 1.0 / np.asarray(gain, np.float32))
    return out, uneven


def channel_balance(frame: np.ndarray, background: np.ndarray, free: np.ndarray,
                    step: int = 4) -> np.ndarray | None:
    """The gains (B, G, R, their mean 1) that bring ``background``'s colour balance to ``frame``'s, measured over
    the ``free`` pixels neither dark nor saturated in either, every ``step``-th (a 720x576 frame's gains equal to
    the third decimal at 4 as at 2, 4x faster); None when the balance is the same (within
    :data:`BALANCE_TOL`). A camera's automatic white balance changes the channels apart, which one brightness
    gain cannot follow: a hunt's drift from neutral to orange to blue left 25-73 % of the empty ground
    foreground, and the proposals' median IoU fell from 0.808 to 0.505."""
    if frame.ndim != 3 or frame.shape[2] < 3:
        return None
    step = max(1, min(step, int(np.sqrt(frame.shape[0] * frame.shape[1] / 4000))))  # small frames: every pixel
    f = frame[::step, ::step, :3].astype(np.float32)
    b = background[::step, ::step, :3].astype(np.float32)
    ok = free[::step, ::step] & (f.max(-1) < 250) & (b.max(-1) < 250) & (f.min(-1) > 12) & (b.min(-1) > 12)
    if int(ok.sum()) < 500:
        return None
    gains = np.array([float(np.median(f[..., c][ok] / b[..., c][ok])) for c in range(3)])
    norm = gains / gains.mean()
    if float(np.abs(norm - 1.0).max()) < BALANCE_TOL:
        return None
    return np.clip(norm, *BALANCE_RANGE).astype(np.float32)


def balanced_samples(data: np.ndarray, frees: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """The background samples (S, H, W, 3 uint8) brought to one colour balance before their median, when a
    sample's differs from the plain median's (:func:`channel_balance`, on every :data:`STEP`-th pixel): each such
    sample's channels divided by its gains. The track-masked median takes each pixel from the samples that leave
    it free, a different set around every person: samples of different white balance made it a patchwork of
    rectangles, each of another colour (a hunt's drifting cast). (samples, how many were rebalanced)."""
    s = STEP
    few = data[:, ::s, ::s]
    plain_few = stack_median(few)
    gains = [channel_balance(d, plain_few, free[::s, ::s], step=2) for d, free in zip(few, frees)]
    if all(g is None for g in gains):
        return data, 0
    out = data.copy()
    for k, g in enumerate(gains):
        if g is not None:
            out[k] = relit(data[k], 1.0 / g)
    return out, sum(g is not None for g in gains)
