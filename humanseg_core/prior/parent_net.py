"""The parent network: a point-prompted, instance-aware person segmenter on a crop around a track point.

Input (N, 5, S, S): ImageNet-normalised RGB, a positive point channel (Gaussian at the person's track point)
and a negative channel (Gaussians at the other persons' points). Output (N, 1, S, S): logits of that
person's *visible* mask.

Encoder: the first ``n_blocks`` blocks of EfficientNet-Lite0 (:mod:`.effnet`), ImageNet-initialised; the two
point channels enter the stem with zero-initialised filters. Its BatchNorm layers always use the ImageNet
running statistics (frozen, as in OSVOS), so the net trains and fine-tunes at any batch size, including 1.
Decoder: a light FPN/U-Net: 1x1 laterals to ``width`` channels at strides 16, 8, 4, 2, nearest upsampling +
add, one 3x3 conv per level; the point maps are concatenated again at strides 8 and 2 (so the prompt is not
washed out by the encoder); the stride-2 logit is upsampled bilinearly to S.

Optional anchor hint: ``forward(x, anchor)`` with ``anchor`` (N, 3) one-hot over (head, feet, centre), or
zeros / None for "unknown". Two bias-free linear embeddings add it to the decoder at strides 16 and 8, so
"unknown" contributes exactly nothing. Trained with the hint given 60 % of the time: in crowds the point
alone cannot say whether the body lies above it (feet) or below it (head).
"""

from __future__ import annotations

from typing import Any, cast

import torch
import torch.nn as nn
import torch.nn.functional as F

from .effnet import EfficientNetLite0, imagenet_encoder

ARCH = "parent-lite0"

# Default configuration; stored in the checkpoint's ``meta`` so a file rebuilds its own net.
DEFAULT_CONFIG: dict[str, Any] = {
    "arch": ARCH,
    "n_blocks": 8,       # stem + stages 1-4 (strides 2..16); measured in bench/parent.py
    "width": 32,         # decoder channels
    "size": 96,          # crop side fed to the net (1.8x cheaper to train than 128; resolution ceiling
                         # of a GT mask through the crop and back: IoU 0.972 at 96, 0.990 at 128)
    "factor": 2.6,       # crop side / expected person height
    "sigma_frac": 0.04,  # point Gaussian sigma as a fraction of the crop side
    "anchor_input": True,  # accepts the optional anchor hint (head / feet / centre)
}
ANCHORS = ("head", "feet", "centre")


def anchor_onehot(anchors: list[str | None]) -> torch.Tensor:
    """(N, 3) float: one-hot rows for known anchors, zero rows for None (unknown)."""
    out = torch.zeros(len(anchors), 3)
    for i, a in enumerate(anchors):
        if a is not None:
            out[i, ANCHORS.index(a)] = 1.0
    return out

_TAP_STRIDES = {0: 2, 2: 4, 4: 8}  # block index -> stride for the skip connections


def _channels(block: nn.Module) -> int:
    return int(cast(Any, block)._bn2.num_features)  # an EfficientNet block


class ParentNet(nn.Module):
    """``forward(x)`` with x (N, 5, S, S), S divisible by 16, returns (N, 1, S, S) logits."""

    def __init__(self, n_blocks: int = 8, width: int = 32, imagenet: bool = True, anchor_input: bool = True):
        super().__init__()
        if not 6 <= n_blocks <= 11:
            raise ValueError(f"n_blocks must be 6..11 (a stride-16 encoder), got {n_blocks}")
        self.n_blocks = n_blocks
        self.encoder = (imagenet_encoder(n_blocks, in_channels=5) if imagenet
                        else EfficientNetLite0(n_blocks=n_blocks, in_channels=5))
        self.taps = [0, 2, 4, n_blocks - 1]
        chans = [_channels(self.encoder._blocks[i]) for i in self.taps]
        self.lateral = nn.ModuleList(nn.Conv2d(c, width, 1) for c in chans)
        # smoothing convs at strides 8 (+2 point maps), 4, 2 (+2 point maps)
        self.smooth8 = nn.Sequential(nn.Conv2d(width + 2, width, 3, padding=1), nn.ReLU(inplace=True))
        self.smooth4 = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True))
        self.smooth2 = nn.Sequential(nn.Conv2d(width + 2, width, 3, padding=1), nn.ReLU(inplace=True))
        self.head = nn.Conv2d(width, 1, 1)
        self.anchor_input = anchor_input
        if anchor_input:
            self.anchor16 = nn.Linear(3, width, bias=False)
            self.anchor8 = nn.Linear(3, width, bias=False)
        self.train(True)

    def train(self, mode: bool = True) -> ParentNet:
        super().train(mode)
        for m in self.encoder.modules():  # frozen statistics: ImageNet running mean/var always
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self

    def forward(self, x: torch.Tensor, anchor: torch.Tensor | None = None) -> torch.Tensor:
        size = x.shape[-2:]
        pts = x[:, 3:5]
        f2, f4, f8, f16 = self.encoder.features(x, set(self.taps))
        y = self.lateral[3](f16)
        a = anchor.to(y.dtype) if self.anchor_input and anchor is not None else None  # the hint
        if a is not None:
            y = y + self.anchor16(a)[:, :, None, None]
        y = F.interpolate(y, size=f8.shape[-2:], mode="nearest") + self.lateral[2](f8)
        if a is not None:
            y = y + self.anchor8(a)[:, :, None, None]
        y = self.smooth8(torch.cat([y, F.adaptive_avg_pool2d(pts, cast(tuple[int, int], f8.shape[-2:]))], 1))
        y = F.interpolate(y, size=f4.shape[-2:], mode="nearest") + self.lateral[1](f4)
        y = self.smooth4(y)
        y = F.interpolate(y, size=f2.shape[-2:], mode="nearest") + self.lateral[0](f2)
        y = self.smooth2(torch.cat([y, F.adaptive_avg_pool2d(pts, cast(tuple[int, int], f2.shape[-2:]))], 1))
        return F.interpolate(self.head(y), size=size, mode="bilinear", align_corners=False)


def build_parent_net(config: dict[str, Any] | None = None, imagenet: bool = True) -> ParentNet:
    """A parent network from a config (default :data:`DEFAULT_CONFIG`); ImageNet-initialised encoder."""
    cfg = {**DEFAULT_CONFIG, **(config or {})}
    return ParentNet(n_blocks=int(cfg["n_blocks"]), width=int(cfg["width"]), imagenet=imagenet,
                     anchor_input=bool(cfg.get("anchor_input", False)))
