"""osvos-vgg16: the OSVOS baseline, built faithfully after the OSVOS PyTorch reference.

VGG16 stages 1-5 (torchvision ``vgg16().features`` without the last pooling); stages 2-5 each get a side
branch: a 3x3 conv to 16 channels ("side prep"), upsampled to the input with a *frozen* bilinear transposed
convolution and centre-cropped; the four 16-channel maps are concatenated and fused by a 1x1 conv into the
foreground logit.  Each side also has a 1x1 score (deep supervision, used when training a parent).
``param_groups`` reproduces the reference's per-layer learning rates (lr 1e-8, loss summed over pixels).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import torch
import torch.nn as nn
import torchvision

# torchvision vgg16().features indices of the five stages (the final max-pool, index 30, is dropped).
VGG_STAGES = [(0, 4), (4, 9), (9, 16), (16, 23), (23, 30)]
STAGE_CHANNELS = [64, 128, 256, 512, 512]


def bilinear_kernel(size: int) -> np.ndarray:
    """The (size, size) bilinear interpolation kernel used to initialise upsampling deconvolutions."""
    factor = (size + 1) // 2
    centre = factor - 1 if size % 2 == 1 else factor - 0.5
    og = np.ogrid[:size, :size]
    return ((1 - abs(og[0] - centre) / factor) * (1 - abs(og[1] - centre) / factor)).astype(np.float32)


def frozen_bilinear_upsampler(channels: int, stride: int) -> nn.ConvTranspose2d:
    """A per-channel (grouped) transposed conv with a fixed bilinear kernel; its weight never trains."""
    k = 2 * stride
    up = nn.ConvTranspose2d(channels, channels, kernel_size=k, stride=stride, groups=channels, bias=False)
    with torch.no_grad():
        up.weight.copy_(torch.from_numpy(bilinear_kernel(k)).expand(channels, 1, k, k))
    up.weight.requires_grad_(False)
    return up


def center_crop(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    top = (x.shape[-2] - h) // 2
    left = (x.shape[-1] - w) // 2
    return x[..., top: top + h, left: left + w]


def vgg16_features() -> nn.Sequential:
    """torchvision's ``vgg16(weights=None).features`` (the same layers, keys and initialisation: Kaiming-normal
    convolutions, zero biases) without building its 124 M-parameter classifier, which OSVOS drops: 2.5 s less
    per network on 2 CPU cores."""
    features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["D"], batch_norm=False)
    for m in features.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(cast(torch.Tensor, m.bias))
    return features


class OsvosVGG(nn.Module):
    """OSVOS with a VGG16 backbone. ``forward`` returns ``[side2, side3, side4, side5, fused]`` logits."""

    name = "osvos-vgg16"

    def __init__(self, in_channels: int = 3):
        super().__init__()
        features = vgg16_features()
        if in_channels != 3:
            old = cast(nn.Conv2d, features[0])
            features[0] = nn.Conv2d(in_channels, old.out_channels, 3, padding=1)
        self.stages = nn.ModuleList([features[a:b] for a, b in VGG_STAGES])
        self.side_prep = nn.ModuleList()
        self.score_dsn = nn.ModuleList()
        self.upscale = nn.ModuleList()
        self.upscale_ = nn.ModuleList()
        for i in range(1, 5):
            self.side_prep.append(nn.Conv2d(STAGE_CHANNELS[i], 16, kernel_size=3, padding=1))
            self.score_dsn.append(nn.Conv2d(16, 1, kernel_size=1))
            self.upscale.append(frozen_bilinear_upsampler(16, 2 ** i))
            self.upscale_.append(frozen_bilinear_upsampler(1, 2 ** i))
        self.fuse = nn.Conv2d(64, 1, kernel_size=1)
        # The reference initialises the heads with small Gaussian weights and zero biases.
        for module in list(self.side_prep) + list(self.score_dsn) + [self.fuse]:
            m = cast(nn.Conv2d, module)
            nn.init.normal_(m.weight, 0.0, 0.001)
            nn.init.zeros_(cast(torch.Tensor, m.bias))  # the heads have biases

    def load_backbone(self, vgg_state: dict) -> None:
        """Load ImageNet weights given as a torchvision vgg16 state dict (``features.*`` keys used)."""
        features = vgg16_features()
        feats = {k[len("features."):]: v for k, v in vgg_state.items() if k.startswith("features.")}
        features.load_state_dict(feats)
        for (a, b), stage in zip(VGG_STAGES, self.stages):
            stage.load_state_dict(features[a:b].state_dict())

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        h, w = x.shape[-2:]
        x = self.stages[0](x)
        sides, scores = [], []
        for i in range(1, 5):
            x = self.stages[i](x)
            prep = self.side_prep[i - 1](x)
            sides.append(center_crop(self.upscale[i - 1](prep), h, w))
            scores.append(center_crop(self.upscale_[i - 1](self.score_dsn[i - 1](prep)), h, w))
        fused = self.fuse(torch.cat(sides, dim=1))
        return scores + [fused]


def param_groups(net: OsvosVGG, lr: float = 1e-8, wd: float = 2e-4) -> list[dict]:
    """The reference's online fine-tuning groups: weights at lr with weight decay, biases at 2*lr,
    the fuse layer at lr/100 (bias 2*lr/100), the upsampling frozen (left out)."""

    def pick(module: nn.Module, kind: str) -> list[nn.Parameter]:
        return [p for n, p in module.named_parameters() if n.endswith(kind) and p.requires_grad]

    return [
        {"params": pick(net.stages, "weight"), "lr": lr, "weight_decay": wd},
        {"params": pick(net.stages, "bias"), "lr": 2 * lr, "weight_decay": 0.0},
        {"params": pick(net.side_prep, "weight"), "lr": lr, "weight_decay": wd},
        {"params": pick(net.side_prep, "bias"), "lr": 2 * lr, "weight_decay": 0.0},
        {"params": [net.fuse.weight], "lr": lr / 100, "weight_decay": wd},
        {"params": [net.fuse.bias], "lr": 2 * lr / 100, "weight_decay": 0.0},
    ]
