"""osvos-lite, the default network: a trimmed MobileNetV3-small encoder with OSVOS-style side outputs.

The encoder is torchvision's ``mobilenet_v3_small().features[:9]`` (strides 2, 4, 8, 16).  Like OSVOS, four
taps get a 3x3 "side prep" conv to 16 channels, a 1x1 score each (deep supervision) and a fixed (untrained)
bilinear upsampling; the 64 upsampled channels are fused into the foreground logit.  Two departures from
OSVOS, both for speed on 2 CPU cores: the upsampling is ``F.interpolate`` (the same bilinear kernel as the
frozen transposed convolution, 2.5x cheaper to train through) and the fuse (a 3x3 conv + ReLU + 1x1,
slightly richer than OSVOS's single 1x1 because the net trains from scratch) runs on the stride-2 grid, its
logit upsampled bilinearly to the input.  Normalisation is GroupNorm (from scratch) or frozen BatchNorm (ImageNet
weights), so batch size 1 works.  An optional 4th input channel carries the guidance prior (a Gaussian at
the person's expected position).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.ops.misc import FrozenBatchNorm2d

TAPS = [(0, 16, 2), (1, 16, 4), (3, 24, 8), (8, 48, 16)]  # (features index, channels, stride)


def group_norm(channels: int) -> nn.GroupNorm:
    groups = 8 if channels % 8 == 0 else (4 if channels % 4 == 0 else 1)
    return nn.GroupNorm(groups, channels)


class OsvosLite(nn.Module):
    """``forward(x)`` with x (N, in_channels, H, W) returns ``[side1..side4, fused]`` logits at (H, W)."""

    name = "osvos-lite"

    def __init__(self, in_channels: int = 4, norm: str = "group"):
        super().__init__()
        if norm not in ("group", "frozen_bn"):
            raise ValueError(f"norm must be 'group' or 'frozen_bn', got {norm!r}")
        self.norm = norm
        self.in_channels = in_channels
        norm_layer = group_norm if norm == "group" else FrozenBatchNorm2d
        features = torchvision.models.mobilenet_v3_small(weights=None, norm_layer=norm_layer).features[:9]
        if in_channels != 3:
            old = features[0][0]
            features[0][0] = nn.Conv2d(in_channels, old.out_channels, 3, stride=2, padding=1, bias=False)
        self.encoder = features
        self.side_prep = nn.ModuleList(nn.Conv2d(c, 16, 3, padding=1) for _, c, _ in TAPS)
        self.score_dsn = nn.ModuleList(nn.Conv2d(16, 1, 1) for _ in TAPS)
        self.fuse = nn.Sequential(
            nn.Conv2d(16 * len(TAPS), 16, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(16, 1, 1)
        )

    def load_backbone(self, mnv3_state: dict) -> None:
        """Load ImageNet weights from a torchvision mobilenet_v3_small state dict (needs norm='frozen_bn').

        The RGB filters of the first conv are copied; the prior channel's filters start at zero."""
        if self.norm != "frozen_bn":
            raise ValueError("ImageNet weights need norm='frozen_bn' (they carry BatchNorm statistics)")
        own = self.encoder.state_dict()
        for key, value in mnv3_state.items():
            if not key.startswith("features."):
                continue
            k = key[len("features."):]
            if k not in own or k.endswith("num_batches_tracked"):
                continue
            if k == "0.0.weight" and value.shape[1] != own[k].shape[1]:
                w = torch.zeros_like(own[k])
                w[:, :3] = value
                value = w
            own[k] = value
        self.encoder.load_state_dict(own)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        h, w = x.shape[-2:]
        taps = {i for i, _, _ in TAPS}
        feats = []
        for i, layer in enumerate(self.encoder):
            x = layer(x)
            if i in taps:
                feats.append(x)
        grid = feats[0].shape[-2:]
        sides, scores = [], []
        for j, f in enumerate(feats):
            prep = self.side_prep[j](f)
            sides.append(prep if prep.shape[-2:] == grid else _up(prep, grid))
            scores.append(_up(self.score_dsn[j](prep), (h, w)))
        fused = _up(self.fuse(torch.cat(sides, dim=1)), (h, w))
        return scores + [fused]


def _up(x: torch.Tensor, size: tuple[int, ...] | torch.Size) -> torch.Tensor:
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


def param_groups(net: OsvosLite, lr: float = 0.05, wd: float = 2e-4) -> list[dict]:
    """SGD groups: weights with weight decay, biases and norm parameters without; upsampling frozen."""
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for _name, p in net.named_parameters():
        if not p.requires_grad:
            continue
        (decay if p.ndim == 4 else no_decay).append(p)
    return [
        {"params": decay, "lr": lr, "weight_decay": wd},
        {"params": no_decay, "lr": lr, "weight_decay": 0.0},
    ]
