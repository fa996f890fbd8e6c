"""Class-balanced binary cross-entropy, the OSVOS weighting.

Each pixel's BCE is weighted by the share of the *other* class in the label: positives by
``n_neg / n_total`` and negatives by ``n_pos / n_total``, so that a small person against a large
background still pulls the network towards the foreground.  ``reduction="sum"`` sums over the pixels and
averages over the batch (the OSVOS reference, used with lr 1e-8); ``reduction="mean"`` divides the sum by
the number of pixels (scale-free, used by osvos-lite).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def class_balanced_bce(logits: torch.Tensor, labels: torch.Tensor, reduction: str = "sum",
                       ignore: torch.Tensor | None = None) -> torch.Tensor:
    """Class-balanced BCE of ``logits`` (N,1,H,W) against ``labels`` in [0, 1] (binarised at 0.5).

    The weights are computed over the whole batch, as in the OSVOS reference.  ``ignore`` (same shape,
    >= 0.5 = ignored): pixels whose label is not trusted; they neither count in the class balance nor in
    the loss.
    """
    if logits.shape != labels.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and labels {tuple(labels.shape)} differ in shape")
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    y = (labels >= 0.5).to(logits.dtype)
    n_total = float(y.numel())
    per_pixel = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    if ignore is not None:
        keep = (ignore < 0.5).to(logits.dtype)
        y, per_pixel = y * keep, per_pixel * keep
        n_used = keep.sum().clamp(min=1.0)
        n_pos = y.sum()
        loss = ((n_used - n_pos) / n_used) * (per_pixel * y).sum() \
            + (n_pos / n_used) * (per_pixel * (keep - y)).sum()
        return loss / logits.shape[0] if reduction == "sum" else loss / n_total
    n_pos = y.sum()
    n_neg = n_total - n_pos
    loss_pos = (per_pixel * y).sum()
    loss_neg = (per_pixel * (1.0 - y)).sum()
    loss = (n_neg / n_total) * loss_pos + (n_pos / n_total) * loss_neg
    if reduction == "sum":
        return loss / logits.shape[0]
    return loss / n_total


def bce_dice(logits: torch.Tensor, labels: torch.Tensor, ignore: torch.Tensor | None = None) -> torch.Tensor:
    """The parent network's own loss (``prior.train_parent.parent_loss``): BCE averaged over pixels plus soft
    Dice per sample, so fine-tuning keeps the parent's calibration (class-balanced BCE pushed its
    probabilities up: the calibrated threshold went to 0.95). ``ignore`` (>= 0.5) pixels do not count."""
    y = (labels >= 0.5).to(logits.dtype)
    keep = torch.ones_like(y) if ignore is None else (ignore < 0.5).to(logits.dtype)
    per_pixel = F.binary_cross_entropy_with_logits(logits, y, reduction="none") * keep
    bce = per_pixel.sum() / keep.sum().clamp(min=1.0)
    p = torch.sigmoid(logits) * keep
    y = y * keep
    inter = (p * y).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + y.sum((1, 2, 3)) + 1)
    return bce + dice.mean()
