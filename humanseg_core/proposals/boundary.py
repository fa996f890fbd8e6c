"""Where a mask's edge lies, to the pixel: the foreground's boundary band decided by its matting alpha.

People in surveillance video are small (55–75 px tall, limbs a few pixels wide), so a one-pixel error
all round costs about 0.2 IoU. Measured on the shared scenes (``bgs+parent``, ADR 0006 "Boundary"), 70–90 %
of the wrong pixels lie within 2.5 px of the true edge, on both sides. Background subtraction calls a
pixel foreground when its largest channel difference from the background exceeds a fixed threshold, but
an edge pixel is a mix ``I = alpha F + (1 - alpha) B`` of the person's colour ``F`` and the background
``B`` (blur, feathering, the sensor's footprint): against a contrasting background a pixel that is only
a fifth person passes the threshold (a fat mask), against a similar one a pixel that is four fifths
person does not (a thin one).

The camera is fixed and the background is known, so :func:`refine_edges` estimates ``alpha`` of every
pixel within ``band`` px of the mask's edge: ``F`` is the mean colour of the mask's interior pixels
nearby (a Gaussian window), and ``alpha`` the projection of ``I - B`` on ``F - B``. The pixel is
foreground when ``alpha`` reaches ``level`` (one half: the edge where the person covers half the
pixel). Where ``F`` and ``B`` are too alike (``min_contrast``) or no interior pixel is near, the pixel
keeps its decision, and a pixel the background subtraction called shadow is not added.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .detectors.bgs import channel_sum, frame_gain


@dataclass(frozen=True)
class BoundaryConfig:
    enabled: bool = True
    # the joint methods that refine their edges: in ``bgs-owned`` it cost zara01_feet and eth_dense 0.008
    # (ADR 0006 "Boundary"), so it is off there
    methods: tuple[str, ...] = ("bgs+parent",)
    band: int = 2  # pixels either side of the mask's edge that are decided again
    # a band pixel is foreground from this alpha up: 0.45 rather than 0.5 after the deep foot shadows (one run
    # of the eleven scenes: zara01_feet 0.796 -> 0.805, students03 0.804 -> 0.810, every real-sprite scene
    # up or equal; the demo 0.890 -> 0.887; 0.4 cost zara01_harsh 0.004 and the demo 0.012)
    level: float = 0.45
    min_contrast: float = 20.0  # |F - B| (grey levels, Euclidean over BGR) needed to decide
    sigma: float = 2.5  # Gaussian window (px) of the interior colours that estimate F
    inner: int = 1  # interior: pixels at least this many erosions (3x3) inside the mask
    # a pixel the background subtraction called shadow is never added (the alpha model assumes an unlit
    # background: a shadow, darker than B, projects onto a dark F - B as if it were part person)
    shadows_stay_out: bool = True


def edge_alpha(frame: np.ndarray, background: np.ndarray, mask: np.ndarray,
               config: BoundaryConfig = BoundaryConfig(), gain: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(alpha float32 H x W, where it can be trusted bool H x W) near ``mask``'s edge; see the module."""
    m8 = mask.astype(np.uint8)
    k = np.ones((3, 3), np.uint8)
    size = 2 * config.band + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    band = (cv2.dilate(m8, disc) > 0) & ~(cv2.erode(m8, disc) > 0)
    valid = np.zeros(mask.shape, bool)
    alpha = np.zeros(mask.shape, np.float32)
    ys, xs = np.nonzero(band)
    if len(ys) == 0:
        return alpha, valid
    pad = int(np.ceil(3 * config.sigma)) + config.band + 2
    y0, y1 = max(0, ys.min() - pad), min(mask.shape[0], ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(mask.shape[1], xs.max() + pad + 1)
    win = (slice(y0, y1), slice(x0, x1))
    f = frame[win].astype(np.float32)
    b = background[win].astype(np.float32) * (frame_gain(frame, background) if gain is None else gain)
    inner = cv2.erode(m8[win], k, iterations=config.inner).astype(np.float32) if config.inner > 0 \
        else m8[win].astype(np.float32)
    weight = cv2.GaussianBlur(inner, (0, 0), config.sigma)
    colour = cv2.GaussianBlur(f * inner[..., None], (0, 0), config.sigma)
    fg = colour / np.maximum(weight, 1e-6)[..., None]
    d = fg - b
    den = channel_sum(d * d)
    a = channel_sum((f - b) * d) / np.maximum(den, 1e-6)
    alpha[win] = a
    valid[win] = band[win] & (weight > 0.02) & (den >= config.min_contrast ** 2)
    return alpha, valid


def refine_edges(frame: np.ndarray, background: np.ndarray, mask: np.ndarray,
                 config: BoundaryConfig = BoundaryConfig(), shadow: np.ndarray | None = None,
                 gain: float | None = None) -> np.ndarray:
    """``mask`` (bool) with the pixels of its edge band that can be decided set by ``alpha >= level``;
    ``shadow`` (bool): where the background subtraction saw a shadow (not added, ``shadows_stay_out``);
    ``gain``: the frame's brightness gain against ``background`` when the caller has it (else measured)."""
    if not config.enabled or not mask.any():
        return mask
    alpha, valid = edge_alpha(frame, background, mask, config, gain)
    if shadow is not None and config.shadows_stay_out:
        valid &= mask | ~shadow
    out: np.ndarray = mask.copy()
    out[valid] = alpha[valid] >= config.level
    return out


__all__ = ["BoundaryConfig", "edge_alpha", "refine_edges"]
