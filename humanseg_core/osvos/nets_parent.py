"""osvos-parent: per-person fine-tuning that starts from the shipped parent network (issue 8).

The network is the point-prompted, instance-aware parent of :mod:`humanseg_core.prior.parent_net`
(EfficientNet-Lite0 encoder, light FPN decoder; input = RGB crop + a positive point channel at the person's
track point + a negative channel at the other persons' points). The OSVOS chain: ImageNet *base* ->
*parent* (composites of many persons) -> per-person *test* network (this module, fine-tuned online).

Initialisation, in order: the parent file (``resources/parent/parent-lite0-v9.pt`` or a file the user
picks); when it is missing or unreadable, the ImageNet base alone (with a visible warning); with
``from_scratch`` random weights. :func:`default_model` says which family a new training should use:
``osvos-parent`` when the parent file loads, else ``osvos-lite`` with a message saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import HumansegError, WeightsError
from ..prior.parent import DEFAULT_PARENT as PARENT_FILE
from .model_choice import NAME, quick_default_model  # noqa: F401  (re-exported; torch-free)

ENCODER_LR_SCALE = 0.3  # the pretrained encoder moves slower than the decoder while fine-tuning


def parent_defaults() -> dict[str, Any]:
    """The parent architecture's default configuration (arch, n_blocks, width, size, factor, sigma_frac)."""
    from ..prior.parent_net import DEFAULT_CONFIG

    return dict(DEFAULT_CONFIG)


class OsvosParent(nn.Module):
    """``forward(x)`` with x (N, 5, S, S) returns ``[fused]``: one logit map, the parent's output."""

    name = NAME

    def __init__(self, config: dict[str, Any] | None = None, imagenet: bool = False):
        super().__init__()
        from ..prior.parent_net import build_parent_net

        self.config = {**parent_defaults(), **(config or {})}
        self.net = build_parent_net(self.config, imagenet=imagenet)
        # the anchor hint (head / feet / centre) when the parent takes one: fixed per person (parent_crops)
        self.anchor: str | None = self.config.get("anchor") if self.config.get("anchor_input") else None

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.anchor is None:
            return [self.net(x)]
        from ..prior.parent_net import anchor_onehot

        return [self.net(x, anchor_onehot([self.anchor] * x.shape[0]).to(x.device))]


def param_groups(net: OsvosParent, lr: float = 1e-3, wd: float = 2e-4) -> list[dict]:
    """AdamW groups: encoder at ``ENCODER_LR_SCALE * lr``, decoder at ``lr``; no weight decay on biases/norms."""
    groups: dict[tuple[bool, bool], list] = {}
    for name, p in net.named_parameters():
        if p.requires_grad:
            groups.setdefault((".encoder." in f".{name}", p.ndim == 4), []).append(p)
    out = []
    for (enc, decay), params in sorted(groups.items()):
        out.append({"params": params, "lr": lr * (ENCODER_LR_SCALE if enc else 1.0),
                    "weight_decay": wd if decay else 0.0})
    return out


def freeze_encoder(net: OsvosParent, n_blocks: int) -> int:
    """Keep the encoder's stem and first ``n_blocks`` blocks as they are (no gradients: the backward pass
    stops above them); returns the parameters frozen."""
    if n_blocks <= 0:
        return 0
    enc = net.net.encoder
    frozen = 0
    for m in [enc._conv_stem, enc._bn0, *list(enc._blocks)[:n_blocks]]:
        for p in m.parameters():
            p.requires_grad_(False)
            frozen += p.numel()
    return frozen


def load_parent_file(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(float32 state_dict of the parent net, its config) from a parent file (``prior.parent_file``);
    WeightsError naming the file when it is missing, corrupt or foreign."""
    from ..prior.parent_file import read_parent_file

    state, meta = read_parent_file(Path(path))
    known = parent_defaults()
    cfg = {k: v for k, v in meta.items() if k in known}
    cfg.setdefault("anchor_input", False)  # files older than the anchor hint have no anchor layers
    return state, cfg


@dataclass
class ParentInit:
    """An initialised osvos-parent network and how it was initialised."""

    net: OsvosParent
    backbone: str  # "parent:<file>", "imagenet" or "scratch"
    warnings: list[str] = field(default_factory=list)


def init_osvos_parent(parent_file: str | Path | None = None, from_scratch: bool = False) -> ParentInit:
    """The network a new fine-tuning starts from (see the module docstring for the order)."""
    if from_scratch:
        return ParentInit(OsvosParent(imagenet=False), "scratch",
                          ["osvos-parent from scratch (--from-scratch): no parent, no ImageNet base"])
    path = Path(parent_file) if parent_file is not None else PARENT_FILE
    try:
        state, cfg = load_parent_file(path)
        net = OsvosParent(cfg, imagenet=False)
        net.net.load_state_dict(state, strict=True)
        return ParentInit(net, f"parent:{path.name}")
    except (WeightsError, RuntimeError) as exc:
        problem = str(exc) if isinstance(exc, WeightsError) else f"{path}: does not fit the parent net ({exc})"
        if parent_file is not None:  # the user picked this file: say so instead of silently falling back
            raise WeightsError(problem[:400]) from None
        reason = problem[:300]
    try:
        net = OsvosParent(imagenet=True)
        text = f"{reason}; osvos-parent starts from the ImageNet base only (EfficientNet-Lite0), expect lower quality"
        return ParentInit(net, "imagenet", [text])
    except WeightsError as exc:
        return ParentInit(OsvosParent(imagenet=False), "scratch",
                          [f"{reason}; {exc}; osvos-parent trains from scratch, expect much lower quality"])


def parent_status(parent_file: str | Path | None = None) -> tuple[bool, str]:
    """(True, "") when the parent file loads, else (False, why)."""
    path = Path(parent_file) if parent_file is not None else PARENT_FILE
    try:
        state, cfg = load_parent_file(path)
        OsvosParent(cfg, imagenet=False).net.load_state_dict(state, strict=True)
    except (WeightsError, RuntimeError, HumansegError) as exc:
        return False, str(exc)[:300]
    return True, ""


def default_model(parent_file: str | Path | None = None) -> tuple[str, str | None]:
    """(model, message): ``osvos-parent`` when the parent file loads, else ``osvos-lite`` and why."""
    ok, why = parent_status(parent_file)
    if ok:
        return NAME, None
    return "osvos-lite", f"{why}; using osvos-lite (trained per person without the parent) instead"


def start_parent_net(config, notices: list) -> tuple[OsvosParent, int, str, str]:
    """The osvos-parent network a training starts from, for ``train_job``: resumed from
    ``config.resume``, else :func:`init_osvos_parent` (``config.parent``, ``config.from_scratch``); the
    fallback warnings are appended to ``notices`` as typed JobWarnings. Returns
    (net, in_channels, norm, backbone)."""
    from ..jobs import JobWarning
    from .config import FROM_SCRATCH, NO_PARENT
    from .weights import load_checkpoint

    if config.resume is not None:
        resume = config.resume
        state, rmeta = (load_checkpoint(resume) if isinstance(resume, (str, Path))
                        else (resume.state_dict, resume.meta))
        if rmeta["model"] != NAME:
            raise HumansegError(f"cannot resume: the checkpoint is {rmeta['model']}, asked for {NAME}")
        net = OsvosParent(rmeta.get("parent_config"), imagenet=False)
        try:
            net.load_state_dict(state)
        except RuntimeError as exc:
            where = f"{resume}: " if isinstance(resume, (str, Path)) else ""
            raise HumansegError(f"{where}the weights to resume from do not fit {NAME}: {str(exc)[:200]}") from None
        return net, 5, "frozen_bn", str(rmeta.get("backbone", "parent"))
    init = init_osvos_parent(config.parent, bool(getattr(config, "from_scratch", False)))
    kind = FROM_SCRATCH if init.backbone == "scratch" else NO_PARENT
    notices += [JobWarning(kind, w) for w in init.warnings]
    return init.net, 5, "frozen_bn", init.backbone
