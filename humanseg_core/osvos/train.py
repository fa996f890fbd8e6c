"""Online fine-tuning of an OSVOS network on a person's accepted masks (a generator job).

With guidance (default) the training samples are person-sized crops cut around the track position of each
accepted frame (the same windows inference uses), augmented by flip/scale/rotation/shift/colour, with a
Gaussian prior channel at the person's expected centre.  Without guidance the whole (downscaled) frame is
used.  osvos-lite: batch 8, AdamW (lr 3e-3, weight decay 2e-4; measured on zara01: J 0.79 vs 0.70 for SGD
momentum 0.9 at lr 0.05 after 300 steps from scratch; SGD stays available), cosine-decayed lr, class-balanced
BCE averaged over pixels plus decaying deep supervision of the side outputs, and a probability threshold
calibrated on the accepted masks at the end.  osvos-vgg16: the OSVOS
reference (batch 1, gradients averaged over 5 iterations, lr 1e-8, loss summed over pixels, fused output).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import cv2
import numpy as np
import torch

from ..errors import HumansegError
from ..jobs import CancelToken, Job, Progress
from . import MODELS, build_net
from .augment import colour_jitter, compose, random_affine
from .guidance import crop, fit_geometry, full_frame_matrix, net_input, prior_map
from .loss import class_balanced_bce
from .segment import Segmenter
from .weights import backbone_state, load_checkpoint, save_checkpoint

SETTINGS = {
    "osvos-lite": {"batch": 8, "lr": 3e-3, "reduction": "mean", "steps": 1200, "ave_grad": 1, "optimizer": "adam"},
    "osvos-vgg16": {"batch": 1, "lr": 1e-8, "reduction": "sum", "steps": 2000, "ave_grad": 5, "optimizer": "sgd"},
}
MAX_TRAIN_FRAMES = 150
OTHERS_IGNORE = True  # ignore label pixels in other persons' expected body cores (when others_px is given)
BOUNDARY_BAND = 0  # px either side of each label's edge ignored by the loss
REFINE_LABELS = True  # GrabCut around each accepted mask before training (label_refine.py)


@dataclass
class TrainResult:
    state_dict: dict
    meta: dict
    steps: int
    seconds: float
    final_loss: float
    warnings: list[str] = field(default_factory=list)
    checkpoint: str | None = None
    holdout_J: float | None = None


@dataclass
class _Sample:
    frame: int
    img: np.ndarray  # full frame, BGR uint8
    mask: np.ndarray  # full frame, uint8 0/1
    point: tuple | None
    ignore: np.ndarray | None = None  # full frame, uint8 1 = label not trusted (ignored by the loss)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def _load_samples(frames_reader, track_px, masks, guidance, notes) -> list[_Sample]:
    samples = []
    for f in sorted(masks):
        point = track_px(f) if track_px is not None else None
        if guidance and point is None:
            notes.append(f"frame {f}: accepted mask outside the track's time span, skipped")
            continue
        try:
            img = frames_reader(f)
        except (HumansegError, OSError, KeyError, IndexError) as exc:
            notes.append(f"frame {f}: cannot be read ({exc}), skipped")
            continue
        m = np.asarray(masks[f], bool)
        if m.shape != img.shape[:2]:
            notes.append(f"frame {f}: mask {m.shape} does not match the frame {img.shape[:2]}, skipped")
            continue
        samples.append(_Sample(f, img, m.astype(np.uint8), point))
    return samples


def _mark_untrusted(samples: list[_Sample], geometry, others_px, boundary_band: int,
                    others_ignore: bool) -> int:
    """Fill each sample's ``ignore`` map: a band of ``boundary_band`` px either side of the label's edge
    (BGS halos and shadows make the edge the least reliable part) and, with ``others_px``, the label's
    foreground pixels that lie in another person's expected body core (split errors).  Returns the
    number of foreground label pixels ignored because of other persons."""
    from .others import claimed_in_frame

    n_claimed = 0
    for s in samples:
        ign = np.zeros(s.mask.shape, bool)
        if boundary_band > 0:
            k = np.ones((2 * boundary_band + 1, 2 * boundary_band + 1), np.uint8)
            ign |= cv2.dilate(s.mask, k) != cv2.erode(s.mask, k)
        if others_ignore and others_px is not None and s.point is not None:
            claimed = claimed_in_frame(geometry, s.point, list(others_px(s.frame) or []), *s.mask.shape)
            claimed &= s.mask.astype(bool)
            n_claimed += int(claimed.sum())
            ign |= claimed
        s.ignore = ign.astype(np.uint8) if ign.any() else None
    return n_claimed


def _split_holdout(samples: list[_Sample], holdout, rng) -> tuple[list, list]:
    n = len(samples)
    k = int(round(holdout * n)) if isinstance(holdout, float) and holdout < 1 else int(holdout or 0)
    k = min(k, n - 1)
    if k <= 0:
        return samples, []
    idx = np.sort(rng.choice(n, size=k, replace=False))
    held = [samples[i] for i in idx]
    return [s for i, s in enumerate(samples) if i not in set(idx.tolist())], held


class _Batcher:
    """Cuts augmented training crops (or downscaled full frames) and their labels."""

    def __init__(self, samples, meta, rng):
        self.samples, self.meta, self.rng = samples, meta, rng
        self.guidance = meta["guidance"]
        if self.guidance:
            from .guidance import CropGeometry

            self.g = CropGeometry.from_dict(meta["geometry"])
            self.size = (self.g.in_w, self.g.in_h)
        else:
            h, w = samples[0].img.shape[:2]
            self.full_m, in_w, in_h = full_frame_matrix(w, h, meta["max_side"])
            self.size = (in_w, in_h)

    def one(self, s: _Sample, augment: bool = True):
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

    def batch(self, n: int):
        picks = self.rng.integers(0, len(self.samples), size=n)
        xs, ys, igns = zip(*(self.one(self.samples[i]) for i in picks))
        ign = torch.from_numpy(np.stack(igns)[:, None]) if any(i.any() for i in igns) else None
        return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys)[:, None]), ign


def _calibrate_threshold(net, batcher: "_Batcher", samples: list[_Sample]) -> float:
    """The probability threshold that maximises the mean IoU on (unaugmented) training crops.

    Class-balanced BCE pulls probabilities of background pixels near a small person upwards, so 0.5
    over-segments early in training; the threshold is tuned on the accepted masks themselves."""
    picks = samples[:: max(1, len(samples) // 32)]
    xs, ys, igns = zip(*(batcher.one(s, augment=False) for s in picks))
    with torch.inference_mode():
        prob = torch.sigmoid(net(torch.from_numpy(np.stack(xs)))[-1])[:, 0].numpy()
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


def _holdout_j(state_meta, held: list[_Sample]) -> float | None:
    if not held:
        return None
    seg = Segmenter(*state_meta)
    return float(np.mean([_iou(seg.predict(s.img, s.point), s.mask.astype(bool)) for s in held]))


def train_job(frames_reader: Callable[[int], np.ndarray],
              track_px: Callable[[int], "tuple[float, float] | None"] | None,
              masks: Mapping[int, np.ndarray], model: str = "osvos-lite", steps: int | None = None,
              seconds: float | None = None, guidance: bool = True, holdout=0, resume=None,
              cancel: CancelToken | None = None, seed: int = 0, pid=None,
              checkpoint_path: str | Path | None = None, batch_size: int | None = None,
              lr: float | None = None, allow_download: bool = True, backbone_file=None,
              parent=None, prior: bool = True, max_side: int = 480, eval_every: int | None = None,
              optimizer: str | None = None, others_px=None, others_ignore: bool | None = None,
              boundary_band: int | None = None, refine_labels: bool | None = None) -> Job[TrainResult]:
    """Fine-tune ``model`` on the accepted ``masks`` {frame: bool mask}; yields Progress per step.

    Stops after ``steps`` steps or ``seconds`` seconds (whichever comes first; the model's default step
    count when neither is given).  ``holdout``: a count or a fraction of the accepted masks kept out of
    training to report ``holdout_J``.  ``resume``: a checkpoint (path or TrainResult) to continue from.
    ``parent``: OSVOS parent weights (a file) instead of the ImageNet backbone.  ``others_px``: frame ->
    the other persons' (u, v) on that frame; with ``others_ignore`` the label pixels in their expected
    body cores are ignored by the loss.  ``boundary_band``: px either side of each label's edge ignored.
    ``refine_labels``: clean each accepted mask with GrabCut first (``label_refine``; default on); or the
    frames whose masks may be cleaned, so that masks corrected by hand are trained on as drawn."""
    who = f"person {pid}" if pid is not None else "this person"
    if model not in MODELS:
        raise HumansegError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if not masks:
        raise HumansegError(f"no accepted masks for {who}: accept some proposals first")
    if guidance and track_px is None:
        raise HumansegError("trajectory guidance needs the person's track")
    cfg = SETTINGS[model]
    if steps is None and seconds is None:
        steps = cfg["steps"]
    if (steps is not None and steps <= 0) or (seconds is not None and seconds <= 0):
        raise HumansegError("the training budget (--steps / --seconds) must be positive")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    notes: list[str] = []
    samples = _load_samples(frames_reader, track_px, masks, guidance, notes)
    if not samples:
        raise HumansegError(f"none of the {len(masks)} accepted masks of {who} is usable: " + "; ".join(notes[:3]))
    if len(samples) > MAX_TRAIN_FRAMES:
        keep = np.linspace(0, len(samples) - 1, MAX_TRAIN_FRAMES).round().astype(int)
        samples = [samples[i] for i in keep]
    train, held = _split_holdout(samples, holdout, rng)
    # refine_labels: True/False, or the frames whose masks may be cleaned (hand-edited ones are left as drawn)
    refine_only = None if refine_labels is None or isinstance(refine_labels, bool) else set(refine_labels)
    refine_labels = REFINE_LABELS if refine_labels is None else (bool(refine_labels) or refine_only is not None)
    t_refine = time.monotonic()
    if refine_labels:  # only the training masks: hold-out J stays measured against the accepted masks
        from .label_refine import refine_label

        geo0 = None
        if guidance and others_px is not None:  # other persons' cores are sure background for GrabCut
            geo0 = fit_geometry({s.frame: s.mask.astype(bool) for s in samples}, track_px, pid=pid)
        for s in train:
            if refine_only is not None and s.frame not in refine_only:
                continue
            claimed = None
            if geo0 is not None and s.point is not None:
                from .others import claimed_in_frame

                claimed = claimed_in_frame(geo0, s.point, list(others_px(s.frame) or []), *s.mask.shape)
            s.mask = refine_label(s.img, s.mask, claimed).astype(np.uint8)
    t_refine = time.monotonic() - t_refine
    warnings = list(notes)
    if len(train) == 1:
        warnings.append(f"only one usable accepted mask for {who}: the network sees a single pose "
                        "(augmented); accept more proposals for better results")

    in_channels = 4 if (guidance and prior) else 3
    resume_state = None
    if resume is not None:
        resume_state, rmeta = (load_checkpoint(resume) if isinstance(resume, (str, Path))
                               else (resume.state_dict, resume.meta))
        if rmeta["model"] != model or bool(rmeta.get("guidance")) != bool(guidance):
            raise HumansegError(f"cannot resume: the checkpoint is {rmeta['model']} "
                                f"(guidance {rmeta.get('guidance')}), asked for {model} (guidance {guidance})")
        norm, in_channels, backbone = rmeta.get("norm", "group"), int(rmeta["in_channels"]), rmeta.get("backbone")
    else:
        norm, backbone = "group", "scratch"
        if parent is not None:
            from .weights import parent_state

            resume_state, backbone = parent_state(parent), f"parent:{Path(parent).name}"
        else:
            state, warn = backbone_state(model, allow_download=allow_download, local_file=backbone_file)
            warnings += warn
            if state is not None:
                norm, backbone = ("frozen_bn" if model == "osvos-lite" else "group"), "imagenet"
    net = build_net(model, in_channels, norm)
    if resume_state is not None:
        try:
            net.load_state_dict(resume_state)
        except RuntimeError as exc:
            raise HumansegError(f"the weights to resume from do not fit {model}: {str(exc)[:200]}") from None
    elif backbone == "imagenet":
        net.load_backbone(state)

    meta = {"model": model, "guidance": bool(guidance), "in_channels": in_channels, "norm": norm,
            "backbone": backbone, "max_side": int(max_side), "threshold": 0.5,
            "pid": None if pid is None else int(pid), "train_frames": [int(s.frame) for s in train],
            "refine_labels": refine_labels, "refine_seconds": round(t_refine, 3)}
    if guidance:
        geo = fit_geometry({s.frame: s.mask.astype(bool) for s in samples}, track_px, pid=pid)
        meta["geometry"] = geo.to_dict()
        others_ignore = OTHERS_IGNORE if others_ignore is None else others_ignore
        band = BOUNDARY_BAND if boundary_band is None else int(boundary_band)
        n_claimed = _mark_untrusted(samples, geo, others_px, band, others_ignore)
        meta.update(boundary_band=band, others_ignore=bool(others_ignore and others_px is not None),
                    claimed_label_px=n_claimed)
    batcher = _Batcher(train, meta, rng)

    base_lr = cfg["lr"] if lr is None else lr
    if model == "osvos-lite":
        from .nets_lite import param_groups
    else:
        from .nets_vgg import param_groups
    groups = param_groups(net, lr=base_lr)
    for g in groups:
        g["base_lr"] = g["lr"]
    optimizer = optimizer or cfg["optimizer"]
    if optimizer == "adam":
        opt = torch.optim.AdamW(groups, lr=base_lr)
    else:
        opt = torch.optim.SGD(groups, lr=base_lr, momentum=0.9)
    batch = batch_size or cfg["batch"]
    ave_grad = cfg["ave_grad"]
    eval_every = eval_every or (max(50, (steps or 500) // 10))

    # say at once (not only at the end) what the user must know, e.g. training from scratch
    yield Progress(done=0, total=int(steps or 0), message="; ".join(warnings) or "training starts",
                   data={"step": 0, "warnings": list(warnings)})
    net.train()
    t0 = time.monotonic()
    step, loss_val, hj = 0, float("nan"), None
    opt.zero_grad()
    while True:
        elapsed = time.monotonic() - t0
        frac = max(step / steps if steps else 0.0, elapsed / seconds if seconds else 0.0)
        if frac >= 1.0:
            break
        if cancel is not None:
            cancel.raise_if_cancelled()
        if model == "osvos-lite":  # warm-up then cosine decay over the budget
            scale = min(1.0, (step + 1) / 20) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
            for g in groups:
                g["lr"] = g["base_lr"] * scale
        x, y, ign = batcher.batch(batch)
        outs = net(x)
        fused = class_balanced_bce(outs[-1], y, cfg["reduction"], ign)
        if model == "osvos-lite":
            side_w = 0.5 * (1.0 - frac)
            total = fused + side_w * sum(class_balanced_bce(o, y, cfg["reduction"], ign)
                                            for o in outs[:-1])
        else:
            total = fused
        (total / ave_grad).backward()
        step += 1
        if step % ave_grad == 0:
            opt.step()
            opt.zero_grad()
        loss_val = float(total.detach())
        if not math.isfinite(loss_val):
            raise HumansegError(f"training diverged at step {step} (loss {loss_val}); try a lower learning rate")
        data = {"loss": loss_val, "fused_loss": float(fused.detach()), "step": step}
        if held and (step % eval_every == 0):
            net.eval()
            hj = _holdout_j((net.state_dict(), meta), held)
            net.train()
            data["holdout_J"] = hj
        elapsed = time.monotonic() - t0
        frac = max(step / steps if steps else 0.0, elapsed / seconds if seconds else 0.0)
        total_est = steps if steps and (not seconds or step / steps >= elapsed / seconds) else \
            max(step, int(round(step / max(frac, 1e-9))))
        eta = max(0.0, elapsed / max(frac, 1e-9) - elapsed)
        yield Progress(done=step, total=total_est, message=f"step {step} loss {loss_val:.4f}",
                       data=data, eta_s=eta)
    seconds_used = time.monotonic() - t0
    net.eval()
    meta["steps"] = step
    meta["threshold"] = _calibrate_threshold(net, batcher, train)
    state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    if held:
        hj = _holdout_j((state, meta), held)
    result = TrainResult(state_dict=state, meta=meta, steps=step, seconds=seconds_used,
                         final_loss=loss_val, warnings=warnings, holdout_J=hj)
    if checkpoint_path is not None:
        result.checkpoint = str(save_checkpoint(checkpoint_path, state, meta))
    return result
