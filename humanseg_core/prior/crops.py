"""Crop geometry shared by the composite generator (training) and the parent segmenter (inference).

A crop is an integer square box of side ``round(factor * height_px)`` centred on the track point; the box may
reach outside the frame (the outside is filled with the ImageNet mean grey). It is resized to ``size`` x ``size``
with ``INTER_AREA``. The network's probabilities are resized back with bilinear interpolation and pasted into
a full-frame map that is zero outside the box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

MEAN_RGB = (0.485, 0.456, 0.406)  # ImageNet normalisation, RGB order
STD_RGB = (0.229, 0.224, 0.225)
FILL_BGR = (104, 116, 124)  # ImageNet mean, so the outside of the frame normalises to ~0


def box_for(point_uv: tuple[float, float], height_px: float, factor: float) -> tuple[int, int, int, int]:
    """Unclipped integer box (x0, y0, x1, y1), x1/y1 exclusive, of side ``round(factor * height_px)`` >= 8."""
    side = max(8, int(round(factor * float(height_px))))
    x0 = int(round(float(point_uv[0]) - side / 2.0))
    y0 = int(round(float(point_uv[1]) - side / 2.0))
    return x0, y0, x0 + side, y0 + side


def clip_box(box: tuple[int, int, int, int], frame_shape: Sequence[int]) -> tuple[int, int, int, int]:
    """The part of ``box`` inside a frame of shape (H, W, ...); may be empty (x0 >= x1)."""
    h, w = int(frame_shape[0]), int(frame_shape[1])
    x0, y0, x1, y1 = box
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


def cut(image: np.ndarray, box: tuple[int, int, int, int], size: int,
        fill: float | tuple[int, ...] = FILL_BGR, interp: int = cv2.INTER_AREA) -> np.ndarray:
    """``image[box]`` (padded with ``fill`` outside) resized to ``size`` x ``size``."""
    x0, y0, x1, y1 = box
    h, w = image.shape[:2]
    cx0, cy0, cx1, cy1 = clip_box(box, image.shape)
    if cx0 >= cx1 or cy0 >= cy1:
        shape = (size, size) + image.shape[2:]
        out = np.empty(shape, image.dtype)
        out[...] = fill
        return out
    region = image[cy0:cy1, cx0:cx1]
    if (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1):
        region = cv2.copyMakeBorder(region, cy0 - y0, y1 - cy1, cx0 - x0, x1 - cx1, cv2.BORDER_CONSTANT,
                                    value=fill if isinstance(fill, tuple) else (fill,) * 4)
    return cv2.resize(region, (size, size), interpolation=interp)


def paste(prob: np.ndarray, box: tuple[int, int, int, int], frame_shape: Sequence[int]) -> np.ndarray:
    """A full-frame float32 map: ``prob`` (size x size) resized to the box, zero outside it."""
    x0, y0, x1, y1 = box
    out = np.zeros((int(frame_shape[0]), int(frame_shape[1])), np.float32)
    cx0, cy0, cx1, cy1 = clip_box(box, frame_shape)
    if cx0 >= cx1 or cy0 >= cy1:
        return out
    big = cv2.resize(prob.astype(np.float32), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    out[cy0:cy1, cx0:cx1] = big[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    return out


def point_maps(point_uv: tuple[float, float], others_uv: Sequence[tuple[float, float]],
               box: tuple[int, int, int, int], size: int, sigma: float) -> np.ndarray:
    """(2, size, size) float32: a Gaussian at the point and the max of Gaussians at the others (crop pixels).

    ``sigma`` is in crop pixels. Points far outside the crop contribute nothing."""
    x0, y0, x1, y1 = box
    scale = size / float(x1 - x0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    maps = np.zeros((2, size, size), np.float32)

    def gauss(p: tuple[float, float]) -> np.ndarray:
        cu, cv = (p[0] - x0) * scale, (p[1] - y0) * scale
        return np.exp(-((xx - cu) ** 2 + (yy - cv) ** 2) / (2.0 * sigma * sigma))

    maps[0] = gauss(point_uv)
    reach = 4.0 * sigma
    for p in others_uv:
        cu, cv = (p[0] - x0) * scale, (p[1] - y0) * scale
        if -reach < cu < size + reach and -reach < cv < size + reach:
            np.maximum(maps[1], gauss(p), out=maps[1])
    maps[maps < 1e-6] = 0.0  # no float32 denormals (they make CPU convolutions ~10x slower)
    return maps


def to_input(crop_bgr: np.ndarray, maps: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """(5, size, size) float32 network input: normalised RGB then the two point channels."""
    rgb: np.ndarray = crop_bgr[..., ::-1].astype(np.float32) / 255.0
    rgb = (rgb - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.concatenate([rgb.transpose(2, 0, 1), maps], 0)


def mirror_mean(forward: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """The mean of ``forward``'s probabilities (N, S, S) on crops ``x`` (N, C, S, S) and on their mirror
    images (mirrored back), in one forward pass of 2N crops (test-time augmentation)."""
    both = forward(np.concatenate([x, x[..., ::-1]]))
    n = len(x)
    return np.asarray(0.5 * (both[:n] + both[n:, :, ::-1]), np.float32)
