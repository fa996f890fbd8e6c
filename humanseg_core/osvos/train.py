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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from ..errors import HumansegError
from ..jobs import CancelToken, Job, JobWarning, Progress
from . import build_net
from .batcher import _Batcher, _calibrate_threshold
from .best_holdout import BestHoldout, keep_best
from .config import (
    FEW_STEPS,
    FROM_SCRATCH,
    MAX_TRAIN_FRAMES,
    REFINE_BUDGET_SHARE,
    SETTINGS,
    CheckpointMeta,
    TrainConfig,
)
from .device import resolve_device
from .guidance import HeightFn, TrackFn, fit_geometry, height_floor
from .loss import bce_dice, class_balanced_bce
from .others import OthersFn
from .samples import _check, _iou, _load_samples, _mark_untrusted, _Sample, _split_holdout, holdout_asked
from .segment import Segmenter
from .weights import backbone_state_job, load_checkpoint, save_checkpoint

CURVE_POINTS = 300  # loss points kept with a result (and stored with the run)
CLOSING_STEPS = 2  # the threshold calibration and the checkpoint cost about this many training steps
# a seconds budget also measures the hold-out J at each fifth of it (a walk saw a 20 s run's J curve of two
# points: step 1 and the end), while those measures cost at most this share of the budget
CURVE_MARKS, CURVE_MARKS_SHARE = 5, 0.05


@dataclass
class TrainResult:
    """A trained network (``state_dict`` + ``meta``) and how the run went.  ``warnings``: the texts of all
    warnings; ``notices``: the same, typed (``from_scratch`` is True when one is ``FROM_SCRATCH``)."""

    state_dict: dict
    meta: CheckpointMeta
    steps: int
    seconds: float
    final_loss: float
    warnings: list[str] = field(default_factory=list)
    checkpoint: str | None = None
    holdout_J: float | None = None
    kept_step: int | None = None  # the step of the network given back (its hold-out J best), when one was
    train_frames: list[int] = field(default_factory=list)
    holdout_frames: list[int] = field(default_factory=list)
    notices: list[JobWarning] = field(default_factory=list)
    #: the learning curve, short enough to store with the run: {"loss": [[step, loss], ...] (at most
    #: CURVE_POINTS), "holdout": [[step, J], ...]}; the last hold-out point is ``holdout_J``
    curve: dict = field(default_factory=dict)

    @property
    def from_scratch(self) -> bool:
        return any(n.kind == FROM_SCRATCH for n in self.notices)


def _holdout_j(state_meta: tuple[dict[str, Any], Mapping[str, Any]], held: list[_Sample]) -> float | None:
    if not held:
        return None
    seg = Segmenter(*state_meta)
    # a guided model's samples all have a track point (_load_samples), so predict gives a mask
    return float(np.mean([_iou(cast(np.ndarray, seg.predict(s.img, s.point)), s.mask.astype(bool))
                          for s in held]))


def _refine(train: list[_Sample], samples: list[_Sample], config: TrainConfig, track_px: TrackFn | None,
            others_px: OthersFn | None, pid: int | None, until: float | None, notes: list[str],
            cancel: CancelToken | None) -> Job[int]:
    """Job: GrabCut-clean the training masks (``config.refine_labels``; only ``config.refine_frames`` when
    given), one Progress per mask (stage "labels"); hold-out J stays measured against the accepted masks.
    Stops at ``until`` (a ``time.monotonic`` instant: its share of a seconds budget), the other masks
    train as accepted (a note says so).  Returns how many masks were cleaned."""
    if not config.refine_labels:
        return 0
    from .label_refine import refine_label
    from .others import claimed_in_frame

    todo = [s for s in train if config.refine_frames is None or s.frame in config.refine_frames]
    geo0 = None
    _check(cancel)  # reading the frames took a while
    # other persons' cores are sure background (guidance comes with a track: train_job checks)
    if todo and config.guidance and others_px is not None and track_px is not None:
        geo0 = fit_geometry({s.frame: s.mask.astype(bool) for s in samples}, track_px, pid=pid)
    for i, s in enumerate(todo):
        _check(cancel)
        if until is not None and time.monotonic() >= until:
            done = f"stopped after {i} of {len(todo)} masks" if i else f"skipped for all {len(todo)} masks"
            if len(todo) < len(train):  # (a walk read "all 11" of 12 training masks: a hand-made one is not cleaned)
                done += (f" it cleans (of the {len(train)} it trains on: masks you edited or imported are left as"
                         " they are)")
            notes.append(f"label cleaning {done} to keep within the {config.seconds:g} s budget (it snaps a "  # ("after
                         "label's edges to the image, GrabCut); " + ("the others train" if i else "they train")
                         + " as accepted")  # ("after 0 of 22": a walk; "the others" of none: a re-walk)
            return i
        claimed = None
        if geo0 is not None and others_px is not None and s.point is not None:
            claimed = claimed_in_frame(geo0, s.point, list(others_px(s.frame) or []), *s.mask.shape)
        s.mask = refine_label(s.img, s.mask, claimed).astype(np.uint8)
        yield Progress(i + 1, len(todo), f"cleaning labels {i + 1}/{len(todo)}",
                       data={"stage": "labels", "step": 0})
    return len(todo)


def _short_curve(loss: list[list], holdout: list[list], final: tuple[int, float] | None) -> dict:
    """The learning curve to store: at most CURVE_POINTS loss points (evenly spaced, the last kept) and
    the hold-out points, the last replaced by the final measure when it is on the same step."""
    if len(loss) > CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(loss) - 1, CURVE_POINTS).round().astype(int))
        loss = [loss[i] for i in keep]
    held = [p for p in holdout if final is None or p[0] < final[0]]
    if final is not None:
        held.append([int(final[0]), float(final[1])])
    return {"loss": [[int(a), float(b)] for a, b in loss], "holdout": held}


def _start_net(config: TrainConfig, notices: list[JobWarning],
               cancel: CancelToken | None) -> Job[tuple[Any, int, str, str]]:
    """Job: the network to train, from the resume checkpoint, the parent weights, the ImageNet backbone
    (downloaded with progress when allowed) or from scratch (a FROM_SCRATCH notice).  Returns
    (net, in_channels, norm, backbone); the net is one of build_net's (OsvosParent, OsvosLite, OsvosVGG)."""
    model, guidance = config.model, config.guidance
    if model == "osvos-parent":  # the parent file, else the ImageNet base (NO_PARENT notice), or scratch
        from .nets_parent import start_parent_net

        return start_parent_net(config, notices)
    in_channels = 4 if (guidance and config.prior) else 3
    resume_state, state = None, None
    if config.resume is not None:
        resume = config.resume
        resume_state, rmeta = (load_checkpoint(resume) if isinstance(resume, (str, Path))
                               else (resume.state_dict, resume.meta))
        if rmeta["model"] != model or bool(rmeta.get("guidance")) != bool(guidance):
            raise HumansegError(f"cannot resume: the checkpoint is {rmeta['model']} "
                                f"(guidance {rmeta.get('guidance')}), asked for {model} (guidance {guidance})")
        norm, in_channels, backbone = rmeta.get("norm", "group"), int(rmeta["in_channels"]), rmeta.get("backbone")
    else:
        norm, backbone = "group", "scratch"
        if config.parent is not None:
            from .weights import parent_state

            resume_state, backbone = parent_state(config.parent), f"parent:{Path(config.parent).name}"
        elif config.from_scratch:
            notices.append(JobWarning(FROM_SCRATCH, f"{model} from scratch (--from-scratch): no ImageNet weights"))
        else:
            state, warn = yield from backbone_state_job(model, config.allow_download, config.backbone_file, cancel)
            if state is not None:
                norm, backbone = ("frozen_bn" if model == "osvos-lite" else "group"), "imagenet"
            else:
                notices += [JobWarning(FROM_SCRATCH, w) for w in warn]
    net = build_net(model, in_channels, norm)
    if resume_state is not None:
        try:
            net.load_state_dict(resume_state)
        except RuntimeError as exc:  # named by their file (a walk's --parent-weights of another network: not)
            source = config.parent if config.resume is None else (
                config.resume if isinstance(config.resume, (str, Path)) else "the network resumed")
            what = "the parent weights" if config.resume is None else "the weights to resume from"
            raise HumansegError(f"{source}: {what} do not fit {model}: {str(exc)[:200]}") from None
    elif backbone == "imagenet":
        net.load_backbone(state)
    return net, in_channels, norm, str(backbone)


def _optimizer(net: torch.nn.Module, config: TrainConfig) -> tuple[list[dict[str, Any]], torch.optim.Optimizer]:
    param_groups: Callable[..., list[dict[str, Any]]]
    if config.model == "osvos-parent":
        from .nets_parent import param_groups
    elif config.model == "osvos-lite":
        from .nets_lite import param_groups
    else:
        from .nets_vgg import param_groups
    groups = param_groups(net, lr=config.lr)
    for g in groups:
        g["base_lr"] = g["lr"]
    if config.optimizer == "adam":
        return groups, torch.optim.AdamW(groups, lr=config.lr)
    return groups, torch.optim.SGD(groups, lr=config.lr, momentum=0.9)


def train_job(frames_reader: Callable[[int], np.ndarray],
              track_px: Callable[[int], tuple[float, float] | None] | None,
              masks: Mapping[int, np.ndarray], config: TrainConfig, *, pid: int | None = None,
              others_px: OthersFn | None = None, checkpoint_path: str | Path | None = None,
              cancel: CancelToken | None = None, started: float | None = None,
              expected_height: HeightFn | None = None) -> Job[TrainResult]:
    """Fine-tune ``config.model`` on the accepted ``masks`` {frame: bool mask} of person ``pid``; yields
    Progress per step (the first report carries the typed warnings, e.g. FROM_SCRATCH, at once).

    ``others_px``: frame -> the other persons' (u, v) on that frame (their body cores are sure background
    for label cleaning and, with ``config.others_ignore``, ignored by the loss).  ``checkpoint_path``: where
    to save the trained network (``TrainResult.checkpoint``).  ``started``: the ``time.monotonic()`` instant
    the caller's job began (a seconds budget counts from it; default: now).  ``expected_height``: frame ->
    the scene's expected height of this person in px (e.g. ``proposals.body_prior.person_height_fn``): a
    person whose labels are much shorter (seen only in part) gets crops of that height
    (``guidance.height_floor``)."""
    who = f"person {pid}" if pid is not None else "this person"
    if not masks:
        raise HumansegError(f"no accepted masks for {who}: accept some proposals first (the studio's Review tab, "
                            "or humanseg decide --project P --pid K --accept-all)")
    guidance, model = config.guidance, config.model
    if model == "osvos-parent" and not guidance:
        raise HumansegError("osvos-parent segments crops around the track point: it needs trajectory guidance")
    if guidance and track_px is None:
        raise HumansegError("trajectory guidance needs the person's track")
    cfg = SETTINGS[model]
    steps, seconds = config.steps, config.seconds
    # a seconds budget is the whole job: reading, label cleaning, weights, steps and the closing measures
    t_start = time.monotonic() if started is None else float(started)
    deadline = None if seconds is None else t_start + seconds
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    notes: list[str] = []
    # at most MAX_TRAIN_FRAMES frames, chosen before any is decoded
    samples = _load_samples(frames_reader, track_px, masks, guidance, notes, cancel, cap=MAX_TRAIN_FRAMES)
    if not samples:
        raise HumansegError(f"none of the {len(masks)} labels of {who} is usable: " + "; ".join(notes[:3]))
    train, held = _split_holdout(samples, config.holdout, rng, config.refine_frames)
    asked = holdout_asked(config.holdout, len(samples))
    if len(held) < asked:  # capped: the training keeps at least half the labels (none held out from one)
        notes.append(f"hold-out {config.holdout:g}: {len(held)} of the {len(samples)} usable labels held out, not "
                     f"{asked}: the training keeps at least half of them")
    t_refine = time.monotonic()
    until = None if seconds is None else t_start + REFINE_BUDGET_SHARE * seconds
    n_refined = yield from _refine(train, samples, config, track_px, others_px, pid, until, notes, cancel)
    t_refine = time.monotonic() - t_refine
    notices = [JobWarning("note", n) for n in notes]
    if len(train) == 1:
        # "label": an Accept-all run trains on proposals nobody accepted (a walk read "accepted" and was puzzled)
        notices.append(JobWarning("note", f"only one usable label for {who}: the network sees a single pose "
                                          "(augmented); more labels (accepted proposals, fixes) give better results"))
    _check(cancel)  # each part of the preparation may take seconds: a cancel stops between them
    net, in_channels, norm, backbone = yield from _start_net(config, notices, cancel)
    _check(cancel)
    warnings = [n.text for n in notices]

    meta: CheckpointMeta = {
        "model": model, "guidance": bool(guidance), "in_channels": in_channels, "norm": norm,
        "backbone": backbone, "max_side": int(config.max_side), "threshold": 0.5,
        "pid": None if pid is None else int(pid), "train_frames": [int(s.frame) for s in train],
        "holdout_frames": [int(s.frame) for s in held],
        "refine_labels": config.refine_labels, "refine_seconds": round(t_refine, 3), "refined_frames": n_refined}
    if guidance:
        geo = fit_geometry({s.frame: s.mask.astype(bool) for s in samples}, cast(TrackFn, track_px), pid=pid)
        fitted = geo  # where the point sits on the body (the anchor) is the labels' to say
        if expected_height is not None:
            geo, ratio = height_floor(geo, [s.frame for s in samples], cast(TrackFn, track_px), expected_height)
            meta["height_ratio"] = None if ratio is None else round(ratio, 3)
            if geo is not fitted:
                notices.append(JobWarning("note", f"the labels of {who} are {ratio:.0%} of the scene's expected "
                                                  "height (seen in part): its crops are sized by the scene's heights"))
                warnings.append(notices[-1].text)
        meta["geometry"] = geo.to_dict()
        n_claimed = _mark_untrusted(samples, geo, others_px, config.boundary_band, config.others_ignore, cancel)
        meta["boundary_band"] = config.boundary_band
        meta["claimed_label_px"] = n_claimed
        meta["others_ignore"] = bool(config.others_ignore and others_px is not None)
    batcher: Any
    if model == "osvos-parent":  # square crops centred on the point, point channels (parent_crops.py)
        from .nets_parent import freeze_encoder
        from .parent_crops import ParentBatcher, finetune_config

        freeze_encoder(net, config.frozen_blocks)
        meta["frozen_blocks"] = int(config.frozen_blocks)

        meta["parent_config"] = finetune_config(net.config, fitted, config.crop_size)  # guidance is on: fitted
        net.anchor = meta["parent_config"]["anchor"] if net.config.get("anchor_input") else None
        from .label_trust import trust_for_training

        trust = trust_for_training(net, train, geo, others_px, config, backbone, meta, cancel)
        train = trust.samples
        batcher = ParentBatcher(train, cast(dict, meta), rng, others_px, trust.weights, cancel)
    else:
        batcher = _Batcher(train, cast(dict, meta), rng)
    device = resolve_device(config.device)  # before the optimizer: it holds the parameters
    net.to(device)
    groups, opt = _optimizer(net, config)
    batch, ave_grad, eval_every = config.batch_size, cfg["ave_grad"], config.eval_every

    # say at once (not only at the end) what the user must know, e.g. training from scratch
    yield Progress(done=0, total=int(steps or 0), message="; ".join(warnings) or "training starts",
                   data={"step": 0, "stage": "train", "warnings": list(warnings)}, warnings=tuple(notices))
    net.train()
    t0 = time.monotonic()
    meta["setup_seconds"] = round(t0 - t_start, 3)
    step, loss_val, hj, marks = 0, float("nan"), None, 0
    step_s = eval_s = first_s = 0.0  # measured: the mean step (after the first), the last hold-out measure

    def reserve() -> float:
        """Seconds the closing work takes: the final hold-out measure, calibration and saving (~2 steps)."""
        return eval_s + CLOSING_STEPS * step_s
    loss_curve: list[list] = []
    holdout_curve: list[list] = []
    best = BestHoldout()

    def fraction(now: float) -> float:
        """How far through the budget: steps, or the seconds left for steps (the closing work reserved)."""
        f = step / steps if steps else 0.0
        if deadline is not None:
            f = max(f, (now - t0) / max(1e-9, deadline - reserve() - t0))
        return f

    opt.zero_grad()
    while True:
        now = time.monotonic()
        if steps and step >= steps:
            break
        # the budget holds within one step: no step starts once it, plus the closing work, would overrun. The
        # first step carries one-off work (the first crops, the kernels' warm-up: 3-4 s on a busy machine
        # against 0.15 s after), so the second runs whenever a step like the first and the closing measure
        # still fit (a walk: 15 s, label cleaning, then 1 step and a stop at 7.5 s)
        if deadline is not None and step >= 1 and now + (first_s + eval_s if step == 1 else reserve()) >= deadline:
            break
        frac = fraction(now)
        if cancel is not None:
            cancel.raise_if_cancelled()
        if model in ("osvos-lite", "osvos-parent"):  # warm-up then cosine decay over the budget
            scale = min(1.0, (step + 1) / 20) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
            for g in groups:
                g["lr"] = g["base_lr"] * scale
        t_step = time.monotonic()
        x, y, ign = batcher.batch(batch)
        x, y, ign = x.to(device), y.to(device), (None if ign is None else ign.to(device))
        outs = net(x)
        fused = bce_dice(outs[-1], y, ign) if model == "osvos-parent" else \
            class_balanced_bce(outs[-1], y, cfg["reduction"], ign)
        if model == "osvos-lite":
            side_w = 0.5 * (1.0 - min(1.0, frac))
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
        took = time.monotonic() - t_step
        if step == 1:
            first_s = step_s = took
        else:  # the running mean of the steps after the first
            step_s = took if step == 2 else step_s + (took - step_s) / (step - 1)
        loss_curve.append([step, loss_val])
        data = {"loss": loss_val, "fused_loss": float(fused.detach()), "step": step, "stage": "train",
                "budget_steps": int(steps or 0)}  # the steps asked for; the Progress total: those expected to fit
        spent = fraction(time.monotonic()) if deadline is not None else 0.0
        mark = deadline is not None and step >= 2 and spent >= (marks + 1) / CURVE_MARKS
        if mark:  # a fifth of the seconds passed: measured when it is cheap against the budget
            marks = int(spent * CURVE_MARKS)
            mark = marks < CURVE_MARKS and eval_s * (CURVE_MARKS - 1) <= CURVE_MARKS_SHARE * float(seconds or 0)
        # the first step measures too, with a seconds budget: the closing measure's cost is then known
        if held and (step % eval_every == 0 or (step == 1 and deadline is not None) or mark):
            t_eval = time.monotonic()
            net.eval()
            hj = _holdout_j((net.state_dict(), meta), held)
            best.seen(hj, step, net.state_dict())
            net.train()
            eval_s = time.monotonic() - t_eval
            data["holdout_J"] = hj
            holdout_curve.append([step, hj])
        elapsed = time.monotonic() - t0
        frac = fraction(time.monotonic())
        total_est = steps if steps and frac <= step / steps + 1e-9 else max(step, int(round(step / max(frac, 1e-9))))
        eta = max(0.0, elapsed / max(frac, 1e-9) - elapsed)
        of = f"/{steps}" if steps else ""  # a steps budget: 'step 23/30' (a walk could not tell if all 30 ran)
        yield Progress(done=step, total=total_est, message=f"step {step}{of} loss {loss_val:.4f}", data=data,
                       eta_s=eta)
    t_close = time.monotonic()
    net.eval()
    meta["steps"] = step
    seen_threshold = float(meta["threshold"])  # the hold-out measures' while training
    meta["threshold"] = _calibrate_threshold(net, batcher, train)
    state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    final_j = hj  # the last measure, as the plot shows it (a best network given back says so in a note)
    if held:
        hj = final_j = _holdout_j((state, meta), held)
        state, hj, kept = keep_best(best, net, state, hj, lambda n: _calibrate_threshold(n, batcher, train),
                                    lambda st: _holdout_j((st, meta), held), meta, seen_threshold)
        if kept:  # the final network fell well below the best hold-out J seen: that one is given back
            notices.append(JobWarning("note", best.note(float(hj or 0.0), float(final_j or 0.0), step)))
            meta["kept_step"] = best.step
    result = TrainResult(state_dict=state, meta=meta, steps=step, seconds=0.0, final_loss=loss_val,
                         warnings=warnings, holdout_J=hj, train_frames=list(meta["train_frames"]),
                         holdout_frames=list(meta["holdout_frames"]), notices=notices, kept_step=meta.get("kept_step"),
                         curve=_short_curve(loss_curve, holdout_curve, None if final_j is None else (step, final_j)))
    if checkpoint_path is not None:
        result.checkpoint = str(save_checkpoint(checkpoint_path, state, meta))
    result.seconds = time.monotonic() - t_start  # the whole job, as the budget counts it
    meta["closing_seconds"] = round(time.monotonic() - t_close, 3)
    n_warned = len(warnings)
    if seconds is not None and step <= 1 and result.seconds > seconds + 1.0:  # a budget under the fixed work
        warnings.append(f"the {seconds:g} s budget is shorter than the work every run does (loading "
                        f"{meta['setup_seconds']:.0f} s, one step, the closing measure "
                        f"{meta['closing_seconds']:.0f} s): the run took {result.seconds:.0f} s for one step")
    elif seconds is not None and step < FEW_STEPS:
        warnings.append(f"only {step} training step{'' if step == 1 else 's'} fitted in the {seconds:g} s budget "
                        f"(setup {meta['setup_seconds']:.0f} s, about {step_s:.1f} s a step on this machine now): "
                        "the network has barely learnt this person; a larger budget gives better masks")
    if len(warnings) > n_warned:  # the budget's notes, typed too: the studio's Train tab shows notices only
        notices += [JobWarning("note", w) for w in warnings[n_warned:]]
    return result
