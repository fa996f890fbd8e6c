"""Training batches for osvos-lite and osvos-vgg16 fine-tuning, and the probability threshold calibrated on them.

:class:`_Batcher` cuts augmented person-sized crops around each accepted frame's track point (guided) or
downscaled whole frames; the parent network's batches are :class:`.parent_crops.ParentBatcher`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import torch

from .augment import colour_jitter, compose, random_affine
from .guidance import CropGeometry, crop, full_frame_matrix, net_input, prior_map
from .samples import _Sample

if TYPE_CHECKING:
    from .parent_crops import ParentBatcher


class _Batcher:
    """Cuts augmented training crops (or downscaled full frames) and their labels."""

    def __init__(self, samples: list[_Sample], meta: dict[str, Any], rng: np.random.Generator) -> None:
        self.samples, self.meta, self.rng = samples, meta, rng
        self.guidance = meta["guidance"]
        if self.guidance:
            self.g = CropGeometry.from_dict(meta["geometry"])
            self.size = (self.g.in_w, self.g.in_h)
        else:
            h, w = samples[0].img.shape[:2]
            self.full_m, in_w, in_h = full_frame_matrix(w, h, meta["max_side"])
            self.size = (in_w, in_h)

    def one(self, s: _Sample, augment: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        in_w, in_h = self.size
        if self.guidance:
            m = self.g.matrix(s.point)
            if augment:
                m = compose(random_affine(self.rng, in_w, in_h), m)
        else:
            m = self.full_m
            if augment:
                m = compose(random_affine(self.rng, in_w, in_h, scale=(0.9, 1.1), max_rot_deg=3,
                                          max_shift=0.03), m)
        img = crop(s.img, m, in_w, in_h)
        if augment:
            img = colour_jitter(self.rng, img)
        y = crop(s.mask.astype(np.float32), m, in_w, in_h)
        ign = (crop(s.ignore, m, in_w, in_h, cv2.INTER_NEAREST) if s.ignore is not None
               else np.zeros((in_h, in_w), np.uint8)).astype(np.float32)
        prior = None
        if self.guidance and self.meta["in_channels"] == 4:
            cx, cy, bw, bh = self.g.expected_box(s.point)
            prior = prior_map(m, (cx, cy), (bw, bh), in_w, in_h)
        return net_input(img, prior), (y >= 0.5).astype(np.float32), ign

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        picks = self.rng.integers(0, len(self.samples), size=n)
        xs, ys, igns = zip(*(self.one(self.samples[i]) for i in picks))
        ign = torch.from_numpy(np.stack(igns)[:, None]) if any(i.any() for i in igns) else None
        return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys)[:, None]), ign


def _calibrate_threshold(net: torch.nn.Module, batcher: _Batcher | ParentBatcher, samples: list[_Sample]) -> float:
    """The probability threshold that maximises the mean IoU on (unaugmented) training crops.

    Class-balanced BCE pulls probabilities of background pixels near a small person upwards, so 0.5
    over-segments early in training; the threshold is tuned on the accepted masks themselves."""
    picks = samples[:: max(1, len(samples) // 32)]
    xs, ys, igns = zip(*(batcher.one(s, augment=False) for s in picks))
    with torch.inference_mode():
        x = torch.from_numpy(np.stack(xs)).to(next(net.parameters()).device)
        prob = torch.sigmoid(net(x)[-1])[:, 0].cpu().numpy()
    trusted = np.stack(igns) < 0.5  # untrusted label pixels do not vote
    y = (np.stack(ys) >= 0.5) & trusted
    best_t, best_j = 0.5, -1.0
    for t in np.arange(0.3, 0.96, 0.05):
        p = (prob >= t) & trusted
        inter = (p & y).sum(axis=(1, 2))
        union = (p | y).sum(axis=(1, 2))
        j = float(np.mean(np.where(union > 0, inter / np.maximum(union, 1), 1.0)))
        if j > best_j + 1e-6:
            best_t, best_j = float(t), j
    return round(best_t, 2)
