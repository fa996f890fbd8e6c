"""Typed configuration of OSVOS training and the meta data stored with each checkpoint.

:class:`TrainConfig` is frozen and complete: every field holds the value used (the model's settings fill
``steps``, ``batch_size``, ``lr``, ``optimizer`` and ``eval_every`` when they are not given), so a run's
parameters can be stored and compared as they are.  :class:`CheckpointMeta` names the keys a checkpoint's
``meta`` dict carries (it stays a plain dict on disk so ``torch.load(weights_only=True)`` reads it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from ..checks import positive, whole
from ..errors import HumansegError
from . import DEFAULT_MODEL, MODELS

# a seconds budget that bought fewer training steps says so: the network has barely moved from where it
# started (a walk ran 3 s per person: 'trained (1 step)', and the run ended 'done' without a word); 15 s buys
# 100-140 steps on 2 CPU cores
FEW_STEPS = 20

if TYPE_CHECKING:
    from .train import TrainResult

SETTINGS: dict[str, dict[str, Any]] = {
    "osvos-parent": {"batch": 8, "lr": 3e-3, "reduction": "mean", "steps": 300, "ave_grad": 1,
                     "optimizer": "adam"},
    "osvos-lite": {"batch": 8, "lr": 3e-3, "reduction": "mean", "steps": 1200, "ave_grad": 1, "optimizer": "adam"},
    "osvos-vgg16": {"batch": 1, "lr": 1e-8, "reduction": "sum", "steps": 2000, "ave_grad": 5, "optimizer": "sgd"},
}
OPTIMIZERS = ("adam", "sgd")
MAX_TRAIN_FRAMES = 150
OTHERS_IGNORE = True  # ignore label pixels in other persons' expected body cores (when others_px is given)
BOUNDARY_BAND = 0  # px either side of each label's edge ignored by the loss
DISAGREE_CONF = 0.0  # ignore label pixels the parent's zero-shot mask contradicts this surely (0: off; label_trust.py)
DISAGREE_SIDE = "both"  # which label class the parent may overrule: both, person or background
FROZEN_BLOCKS = 0  # osvos-parent: the encoder's stem and first N blocks keep the parent's weights (0: all train)
FRAME_WEIGHTING = False  # sample label frames by their agreement with the parent's mask, drop the worst
REFINE_LABELS = True  # GrabCut around each accepted mask before training (label_refine.py)
REFINE_BUDGET_SHARE = 1 / 3  # of a seconds budget label cleaning may take; the other masks train as accepted
MAX_SIDE = 480  # longest side of the network input without guidance

FROM_SCRATCH = "from-scratch"  # JobWarning.kind: no pretrained weights, the network starts from random
NO_PARENT = "no-parent"  # JobWarning.kind: osvos-parent without the parent file (ImageNet base only)


@dataclass(frozen=True)
class TrainConfig:
    """How to train one person's network.  The budget is ``steps`` and/or ``seconds`` (whichever ends
    first); with neither, the model's step count.  ``seconds`` is the whole job (reading the frames,
    label cleaning, loading weights, the steps and the closing measures) and holds within one step;
    label cleaning takes at most ``REFINE_BUDGET_SHARE`` of it.  ``holdout``: a count (int) or a fraction (< 1) of the
    accepted masks kept out of training to measure hold-out J.  ``resume``: a checkpoint (path or
    TrainResult) to continue from; ``parent``: OSVOS parent weights (a file) instead of the ImageNet
    backbone.  ``refine_labels``: clean each accepted mask with GrabCut first; ``refine_frames`` limits the
    cleaning to those frames (hand-edited masks are trained on as drawn).  ``others_ignore``: ignore label
    pixels in other persons' body cores (when their points are given); ``boundary_band``: px either side
    of each label's edge ignored.  osvos-parent from the parent: ``disagree_conf`` (> 0.5; 0 = off) ignore
    label pixels the parent's zero-shot probability contradicts (above it on background, below ``1 - it``
    on person; ``disagree_side`` "person" or "background": only label pixels of that class);
    ``frame_weighting``: draw label frames by their agreement with the parent's mask and drop the worst
    (``osvos.label_trust``); ``frozen_blocks``: the encoder's stem and first N blocks keep the parent's
    weights (no gradients through them: cheaper steps, more of them in a seconds budget); ``crop_size``: the
    crop side in pixels of osvos-parent (None: the parent's own, 96; the network is fully convolutional, so
    a per-person network may work at a finer scale than its parent).  ``device``: where
    the network trains (cpu, the default, exactly as before; cuda, mps, or auto: CUDA, then MPS, then CPU;
    ``osvos.device``)."""

    model: str = DEFAULT_MODEL
    steps: int | None = None
    seconds: float | None = None
    guidance: bool = True
    prior: bool = True
    holdout: int | float = 0
    seed: int = 0
    resume: str | Path | TrainResult | None = None
    parent: str | Path | None = None
    allow_download: bool = True
    backbone_file: str | Path | None = None
    batch_size: int = 0
    lr: float = 0.0
    optimizer: str = ""
    max_side: int = MAX_SIDE
    eval_every: int = 0
    others_ignore: bool = OTHERS_IGNORE
    boundary_band: int = BOUNDARY_BAND
    disagree_conf: float = DISAGREE_CONF
    disagree_side: str = DISAGREE_SIDE
    frame_weighting: bool = FRAME_WEIGHTING
    frozen_blocks: int = FROZEN_BLOCKS
    crop_size: int | None = None
    refine_labels: bool = REFINE_LABELS
    refine_frames: frozenset[int] | None = field(default=None)
    from_scratch: bool = False  # no parent, no ImageNet weights (for comparison)
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise HumansegError(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")
        s = SETTINGS[self.model]
        fill: dict[str, Any] = {}
        if self.steps is None and self.seconds is None:
            fill["steps"] = int(s["steps"])
        steps = fill.get("steps", self.steps)
        if steps is not None:
            whole(steps, "the training budget (--steps)", 1)
        if self.seconds is not None:
            positive(self.seconds, "the training budget (--seconds)")
        if isinstance(self.holdout, bool) or not isinstance(self.holdout, (int, float)) or not (
                self.holdout >= 0 and (isinstance(self.holdout, int) or self.holdout < 1 or self.holdout.is_integer())):
            raise HumansegError(f"--holdout must be a count (0 or more) or a fraction below 1, got {self.holdout!r}")
        if self.disagree_conf and not 0.5 < self.disagree_conf < 1.0:
            raise HumansegError(f"disagree_conf must be 0 (off) or between 0.5 and 1, got {self.disagree_conf}")
        if self.disagree_side not in ("both", "person", "background"):
            raise HumansegError(f"disagree_side must be both, person or background, got {self.disagree_side!r}")
        if self.crop_size is not None and (self.crop_size < 32 or self.crop_size % 16):
            raise HumansegError(f"crop_size must be a multiple of 16 from 32 up, got {self.crop_size}")
        if not 0 <= self.frozen_blocks <= 11:
            raise HumansegError(f"frozen_blocks must be 0..11 (encoder blocks), got {self.frozen_blocks}")
        if not self.batch_size:
            fill["batch_size"] = int(s["batch"])
        if not self.lr:
            fill["lr"] = float(s["lr"])
        if not self.optimizer:
            fill["optimizer"] = str(s["optimizer"])
        elif self.optimizer not in OPTIMIZERS:
            raise HumansegError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if not self.eval_every:
            fill["eval_every"] = max(50, (steps or 500) // 10)
        if self.refine_frames is not None and not isinstance(self.refine_frames, frozenset):
            fill["refine_frames"] = frozenset(int(f) for f in self.refine_frames)
        for k, v in fill.items():
            object.__setattr__(self, k, v)

    def with_(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` (settings derived from the model are derived again)."""
        derived = {"batch_size": 0, "lr": 0.0, "optimizer": "", "eval_every": 0} if "model" in changes else {}
        return replace(self, **{**derived, **changes})

    def to_params(self) -> dict[str, Any]:
        """The JSON-able parameters stored with a run."""
        d = asdict(self)
        d["resume"] = None if self.resume is None else str(getattr(self.resume, "checkpoint", self.resume))
        for k in ("parent", "backbone_file"):
            d[k] = None if d[k] is None else str(d[k])
        d["refine_frames"] = None if self.refine_frames is None else sorted(self.refine_frames)
        return d


class CheckpointMeta(TypedDict, total=False):
    """The ``meta`` dict saved with every checkpoint (and carried by a TrainResult)."""

    model: str
    guidance: bool
    in_channels: int
    norm: str  # "group" or "frozen_bn"
    backbone: str  # "scratch", "imagenet" or "parent:<file name>"
    max_side: int
    threshold: float  # probability threshold calibrated on the training crops
    pid: int | None  # the person
    train_frames: list[int]
    holdout_frames: list[int]
    refine_labels: bool
    refine_seconds: float
    refined_frames: int  # masks GrabCut cleaned (fewer than asked when a seconds budget cut the cleaning)
    setup_seconds: float  # reading, cleaning, weights: spent from the budget before the first step
    closing_seconds: float  # the final hold-out measure, threshold calibration and saving
    kept_step: int  # the step of the network given back for its best hold-out J (osvos.best_holdout)
    geometry: dict[str, float]  # guidance.CropGeometry.to_dict()
    height_ratio: float | None  # the labels' box height / the scene's expected height (guidance.height_floor)
    boundary_band: int
    others_ignore: bool
    claimed_label_px: int
    disagree_conf: float
    disagree_side: str
    frame_weighting: bool
    frozen_blocks: int
    disagree_ignored_px: int  # label pixels ignored because the parent contradicted them
    dropped_frames: list[int]  # label frames dropped for their low agreement with the parent
    label_agreement: dict[int, float]  # frame -> IoU of the label with the parent's zero-shot mask
    suppress_others: bool
    parent_config: dict[str, Any]  # osvos-parent: the parent architecture (prior.parent_net config)
    steps: int
    version: int
