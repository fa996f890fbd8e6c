"""Inference copies of trained networks: BatchNorm folded into its convolution, channels-last layout.

Used by the parent segmenter (:class:`.parent.ParentSegmenter`: proposals and the whole-scene evidence step)
and by the fine-tuned per-person networks (:mod:`humanseg_core.osvos.batch`).

A fine-tuned osvos-parent network keeps its encoder's BatchNorm statistics frozen (ImageNet running
mean/var), so at inference every ``conv -> BatchNorm`` pair is one affine map and can be a single
convolution (``torch.nn.utils.fusion.fuse_conv_bn_eval``).  Together with the channels-last memory format
(the CPU's oneDNN kernels for depthwise and 1x1 convolutions prefer it) a batch of 96x96 crops runs about
2x faster on one CPU thread (``bench/scene_segment.py``); the logits differ from the original network's by
float rounding only (about 1e-5).  The original network is never modified: training and checkpoints keep
their own module.  With mixed precision on a CPU with native bfloat16 (AVX512-BF16/AMX) the copy is held in
bfloat16: about 1.4x faster again, with masks that differ in a few pixels per million
(``bench/scene_segment.py --mixed-precision``).
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

# (conv attribute, BatchNorm attribute) pairs applied as bn(conv(x)) in the EfficientNet-Lite0 modules
FOLD_PAIRS = {
    "MBConv": (("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2")),
    "EfficientNetLite0": (("_conv_stem", "_bn0"), ("_conv_head", "_bn1")),
}


def fold_batchnorm(net: nn.Module) -> int:
    """Fold every known ``conv -> BatchNorm`` pair of ``net`` (in eval mode) in place; returns how many."""
    n = 0
    for module in list(net.modules()):
        for conv_name, bn_name in FOLD_PAIRS.get(type(module).__name__, ()):
            conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and bn.track_running_stats:
                setattr(module, conv_name, fuse_conv_bn_eval(conv.eval(), bn.eval()))
                setattr(module, bn_name, nn.Identity())
                n += 1
    return n


def inference_net(net: nn.Module, device: torch.device | str = "cpu",
                  dtype: torch.dtype = torch.float32) -> nn.Module:
    """An eval-mode copy of ``net`` for inference on ``device``: BatchNorm folded, channels-last, its
    weights in ``dtype`` (bfloat16 on a CPU with native bfloat16: :func:`.device.inference_dtype`)."""
    fast = copy.deepcopy(net).eval()
    for p in fast.parameters():
        p.requires_grad_(False)
    fold_batchnorm(fast)
    return fast.to(device=torch.device(device), dtype=dtype).to(memory_format=torch.channels_last)


def as_input(batch, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A (N, C, H, W) float32 numpy batch as a channels-last ``dtype`` tensor on ``device``."""
    x = torch.from_numpy(batch)
    return x.to(device=torch.device(device), dtype=dtype).contiguous(memory_format=torch.channels_last)
