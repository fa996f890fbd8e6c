"""Measuring the parent network on generated composites (IoU of the thresholded crop mask per sample)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .composites import CompositeGenerator
from .crops import MEAN_RGB, STD_RGB, to_input
from .parent_net import ParentNet, anchor_onehot


def crop_iou(prob: np.ndarray, target: np.ndarray, thr: float = 0.5) -> float | None:
    """IoU of ``prob > thr`` against ``target > 0.5``; None when both are empty."""
    p, t = prob > thr, target > 0.5
    union = int((p | t).sum())
    return None if union == 0 else float((p & t).sum()) / union


@torch.inference_mode()
def predict(net: ParentNet, x: np.ndarray, device: str = "cpu", batch: int = 32,
            hints: np.ndarray | None = None) -> np.ndarray:
    """Sigmoid probabilities (N, S, S) for network inputs x (N, 5, S, S) and optional anchor hints (N, 3)."""
    net.eval()
    out = []
    for i in range(0, len(x), batch):
        xb = torch.from_numpy(np.ascontiguousarray(x[i:i + batch])).to(device)
        hb = None if hints is None else torch.from_numpy(hints[i:i + batch]).to(device)
        out.append(torch.sigmoid(net(xb, hb))[:, 0].float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0,) + x.shape[-2:], np.float32)


def composite_miou(net: ParentNet, gen: CompositeGenerator, n: int, start: int = 0,
                   device: str = "cpu", hint: bool = False) -> dict[str, Any]:
    """Mean IoU over ``n`` generated samples (targets with >= 20 visible crop pixels), overall and per anchor.

    ``hint``: give the net each sample's anchor (head / feet / centre); otherwise the anchor is unknown."""
    was_training = net.training
    per: dict[str, list[float]] = {}
    for i0 in range(start, start + n, 32):
        k = min(32, start + n - i0)
        samples = [gen.sample(i) for i in range(i0, i0 + k)]
        x = np.stack([to_input(s.image, s.maps, MEAN_RGB, STD_RGB) for s in samples])
        hints = anchor_onehot([s.anchor for s in samples]).numpy() if hint and net.anchor_input else None
        probs = predict(net, x, device, hints=hints)
        for s, p in zip(samples, probs):
            if (s.target > 0.5).sum() < 20:
                continue
            iou = crop_iou(p, s.target)
            if iou is not None:
                per.setdefault(s.anchor, []).append(iou)
                per.setdefault("all", []).append(iou)
    net.train(was_training)
    return {k: {"miou": float(np.mean(v)), "median": float(np.median(v)), "n": len(v)} for k, v in per.items()}
