"""OSVOS segmentation: networks (osvos-lite default, osvos-vgg16 baseline), trajectory-guided fine-tuning
(:mod:`.train`) and per-frame segmentation (:mod:`.segment`)."""

from __future__ import annotations

MODELS = ("osvos-lite", "osvos-vgg16")
DEFAULT_MODEL = "osvos-lite"


def build_net(model: str, in_channels: int, norm: str = "group"):
    """A fresh network by name."""
    if model == "osvos-lite":
        from .nets_lite import OsvosLite

        return OsvosLite(in_channels=in_channels, norm=norm)
    if model == "osvos-vgg16":
        from .nets_vgg import OsvosVGG

        return OsvosVGG(in_channels=in_channels)
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
