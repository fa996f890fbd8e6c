"""How far to trust each unreviewed label while fine-tuning osvos-parent: the parent's zero-shot mask as a
second opinion (issue 8, label noise).

Fine-tuning copies its labels' errors. Unreviewed proposals are wrong in ways the parent network, run
zero-shot on the same frame before any fine-tuning, often is not (dark clothing removed as shadow, a
shadow or a neighbour merged in): where the two *confidently* disagree, neither is sure to be right, so the
loss ignores the pixel instead of trusting the label (``disagree_conf``: the parent's probability must be
above it where the label says background, or below ``1 - disagree_conf`` where the label says person).
Whole frames whose label hardly agrees with the parent's mask are the worst proposals (a wrong person, a
merged blob): with ``frame_weighting`` they are sampled less often, in proportion to their agreement (IoU
with the parent's cleaned mask) relative to the person's median, and frames below ``DROP_SHARE`` of the
median are dropped (never more than half of them). Both levers are relative to the person's own labels
and the parent's opinion, not to a scene.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..jobs import CancelToken
from ..prior import crops as pcrops
from .guidance import CropGeometry
from .others import OthersFn
from .parent_crops import ParentCropConfig, clean_and_paste, person_input

DROP_SHARE = 0.5  # frames whose agreement is under this share of the median agreement teach nothing
CHUNK = 32  # crops per forward
DISAGREE_SIDES = ("both", "person", "background")  # which label class the parent may overrule


@dataclass
class Trust:
    """What the parent's second opinion did: the samples kept, their sampling weights (None: uniform),
    the label pixels ignored for disagreement, each frame's agreement, the frames dropped."""

    samples: list[Any]
    weights: list[float] | None
    ignored_px: int
    agreement: dict[int, float]
    dropped: list[int]

    def meta(self) -> dict[str, Any]:
        return {"disagree_ignored_px": self.ignored_px, "dropped_frames": list(self.dropped),
                "label_agreement": {int(f): round(a, 3) for f, a in self.agreement.items()}}


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.logical_or(a, b).sum()
    return 1.0 if u == 0 else float(np.logical_and(a, b).sum() / u)


def parent_opinion(net: torch.nn.Module, samples: Sequence[Any], g: CropGeometry, cfg: ParentCropConfig,
                   others_px: OthersFn | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per sample: the network's full-frame probability map (zero outside its crop) and its cleaned mask
    (other persons' cores removed, only regions reaching the expected box; threshold 0.5)."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    was_training = net.training
    net.eval()
    try:
        for i in range(0, len(samples), CHUNK):
            chunk = samples[i:i + CHUNK]
            others = [list(others_px(s.frame) or []) if others_px is not None else [] for s in chunk]
            xs, boxes = zip(*(person_input(s.img, s.point, o, g, cfg) for s, o in zip(chunk, others)))
            with torch.inference_mode():
                dev = next(net.parameters()).device
                probs = torch.sigmoid(net(torch.from_numpy(np.stack(xs)).to(dev))[-1])[:, 0].cpu().numpy()
            for s, o, prob, box in zip(chunk, others, probs, boxes):
                shape = s.mask.shape
                out.append((pcrops.paste(prob, box, shape),
                            clean_and_paste(prob, box, s.point, o, g, 0.5, shape)))
    finally:
        net.train(was_training)
    return out


def disagreement(label: np.ndarray, prob: np.ndarray, conf: float, side: str = "both") -> np.ndarray:
    """Label pixels the parent confidently contradicts: label person where ``prob < 1 - conf``, label
    background where ``prob > conf``; ``side`` "person" or "background": only label pixels of that class."""
    if side not in DISAGREE_SIDES:
        raise ValueError(f"side must be one of {DISAGREE_SIDES}, got {side!r}")
    lab = np.asarray(label, bool)
    out = np.zeros(lab.shape, bool)
    if side in ("both", "person"):
        out |= lab & (prob < 1.0 - conf)
    if side in ("both", "background"):
        out |= ~lab & (prob > conf)
    return out


def frame_weights(agreement: Sequence[float], drop_share: float = DROP_SHARE) -> tuple[list[float], list[int]]:
    """Sampling weights from the agreements (``a / median``, at most 1) and the indices dropped (weight 0:
    under ``drop_share`` x the median; at most half of the frames, the worst first)."""
    a = np.asarray(agreement, np.float64)
    med = float(np.median(a)) if len(a) else 0.0
    if med <= 0:
        return [1.0] * len(a), []
    w = np.clip(a / med, 0.0, 1.0)
    low = [int(i) for i in np.argsort(a, kind="stable") if a[i] < drop_share * med][: len(a) // 2]
    w[low] = 0.0
    w = np.maximum(w, 0.0)
    keep = w > 0
    w[keep] = np.maximum(w[keep], 0.05)  # a kept frame is still seen now and then
    return [float(x) for x in w], low


def trust_labels(net: torch.nn.Module, samples: list[Any], g: CropGeometry, parent_config: dict[str, Any],
                 others_px: OthersFn | None, disagree_conf: float, weighting: bool, side: str = "both",
                 cancel: CancelToken | None = None) -> Trust:
    """Run the parent zero-shot on every training sample, add its confident disagreements to the samples'
    ``ignore`` maps (``disagree_conf`` > 0.5; 0 = off; ``side``: :func:`disagreement`) and, with
    ``weighting``, weight and drop frames by agreement.  ``parent_config``: the network's own crop
    configuration (its training factor)."""
    use_conf = disagree_conf > 0.5
    if not samples or not (use_conf or weighting):
        return Trust(list(samples), None, 0, {}, [])
    cfg, opinion = ParentCropConfig.from_config(parent_config), []
    for i in range(0, len(samples), CHUNK):  # chunk by chunk: a cancel stops between them
        if cancel is not None:
            cancel.raise_if_cancelled()
        opinion += parent_opinion(net, samples[i:i + CHUNK], g, cfg, others_px)
    agreement, n_ignored = {}, 0
    for s, (prob, mask) in zip(samples, opinion):
        agreement[int(s.frame)] = _iou(s.mask.astype(bool), mask)
        if use_conf:
            dis = disagreement(s.mask, prob, disagree_conf, side)
            n_ignored += int(dis.sum())
            if dis.any():
                s.ignore = (dis if s.ignore is None else dis | (s.ignore > 0)).astype(np.uint8)
    if not weighting:
        return Trust(list(samples), None, n_ignored, agreement, [])
    weights, low = frame_weights([agreement[int(s.frame)] for s in samples])
    kept = [k for k in range(len(samples)) if k not in set(low)]
    return Trust([samples[k] for k in kept], [weights[k] for k in kept], n_ignored, agreement,
                 sorted(int(samples[k].frame) for k in low))


def trust_for_training(net: Any, train: list[Any], g: CropGeometry, others_px: OthersFn | None, config: Any,
                       backbone: str, meta: Any, cancel: CancelToken | None = None) -> Trust:
    """``train_job``'s hook for osvos-parent: :func:`trust_labels` with ``config``'s ``disagree_conf`` and
    ``frame_weighting`` when the net starts from trained weights (the parent or a resumed checkpoint; not
    the ImageNet base nor scratch, which have no opinion); what it did goes into ``meta``."""
    meta["disagree_conf"], meta["frame_weighting"] = float(config.disagree_conf), bool(config.frame_weighting)
    meta["disagree_side"] = str(config.disagree_side)
    if backbone in ("scratch", "imagenet"):
        return Trust(list(train), None, 0, {}, [])
    trust = trust_labels(net, train, g, net.config, others_px, config.disagree_conf, config.frame_weighting,
                         config.disagree_side, cancel)
    meta.update(trust.meta())
    return trust
