"""Edge-aware upsampling of a person's probability map with the frame as the guide (He et al.'s guided filter).

The parent network sees a person at about 37 px tall (a 96 px crop of side 2.6 heights) whatever their size
in the frame, so its probabilities are a blurred, bilinearly enlarged map: a 70 px person's limbs and
outline are smoothed over twice their width. The frame itself is sharp. The guided filter (K. He, J. Sun,
X. Tang, "Guided Image Filtering", ECCV 2010 / TPAMI 2013) fits, in every window of side ``2r + 1``, the
probability as a linear function of the frame's colour (``q = a . I + b``, ridge ``eps``) and averages the
fits: where the colour changes (the person's outline) the probability follows it, where the colour is flat
it stays smooth. Colour guidance, a 3 x 3 solve per pixel, done in closed form.

Only the part of the map where the probability is above ``support`` (grown by the window) is filtered;
elsewhere it stays as it was (zero outside the network's crop).
"""

from __future__ import annotations

import cv2
import numpy as np

EPS = 1e-3  # the ridge both users measured best (colours in [0, 1])


def guided_filter(guide: np.ndarray, prob: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """``prob`` (H, W) filtered with ``guide`` (H, W, 3) float32 in [0, 1] as the guide, clipped to [0, 1]."""
    k = (2 * int(radius) + 1,) * 2

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)

    p = prob.astype(np.float32, copy=False)
    chans = [np.ascontiguousarray(guide[..., c], dtype=np.float32) for c in range(3)]
    mean = [box(c) for c in chans]
    mp = box(p)
    # covariance of the guide in each window (+ eps on the diagonal) and of the guide with the probability
    var = {}
    for i in range(3):
        for j in range(i, 3):
            var[i, j] = box(chans[i] * chans[j]) - mean[i] * mean[j] + (eps if i == j else 0.0)
    cov = [box(chans[c] * p) - mean[c] * mp for c in range(3)]
    a00, a01, a02, a11, a12, a22 = var[0, 0], var[0, 1], var[0, 2], var[1, 1], var[1, 2], var[2, 2]
    # inverse of the symmetric 3 x 3 matrix by cofactors
    c00 = a11 * a22 - a12 * a12
    c01 = a02 * a12 - a01 * a22
    c02 = a01 * a12 - a02 * a11
    c11 = a00 * a22 - a02 * a02
    c12 = a01 * a02 - a00 * a12
    c22 = a00 * a11 - a01 * a01
    det = a00 * c00 + a01 * c01 + a02 * c02
    det = np.where(np.abs(det) < 1e-12, 1e-12, det)
    a0 = (c00 * cov[0] + c01 * cov[1] + c02 * cov[2]) / det
    a1 = (c01 * cov[0] + c11 * cov[1] + c12 * cov[2]) / det
    a2 = (c02 * cov[0] + c12 * cov[1] + c22 * cov[2]) / det
    b = mp - a0 * mean[0] - a1 * mean[1] - a2 * mean[2]
    q = box(a0) * chans[0] + box(a1) * chans[1] + box(a2) * chans[2] + box(b)
    return np.clip(q, 0.0, 1.0)


def support_box(prob: np.ndarray, level: float = 0.0) -> tuple[int, int, int, int] | None:
    """(y0, y1, x0, x1), inclusive, of the pixels of ``prob`` above ``level``; None when there are none."""
    above = prob > level
    rows, cols = np.flatnonzero(above.any(axis=1)), np.flatnonzero(above.any(axis=0))
    if not len(rows):
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def refine_probability(frame_bgr: np.ndarray, prob: np.ndarray, radius: int, eps: float = EPS,
                       support: float = 0.02) -> np.ndarray:
    """A full-frame probability map refined by :func:`guided_filter` with the frame as the guide, inside the
    bounding box of its pixels above ``support`` grown by ``2 * radius``; a copy, ``prob`` is not changed."""
    if radius < 1:
        return prob
    found = support_box(prob, support)
    if found is None:
        return prob
    h, w = prob.shape
    m = 2 * int(radius)
    y0, y1 = max(0, found[0] - m), min(h, found[1] + m + 1)
    x0, x1 = max(0, found[2] - m), min(w, found[3] + m + 1)
    out = prob.copy()
    guide = frame_bgr[y0:y1, x0:x1].astype(np.float32) * (1.0 / 255.0)
    out[y0:y1, x0:x1] = guided_filter(guide, prob[y0:y1, x0:x1], radius, eps)
    return out
