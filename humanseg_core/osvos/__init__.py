"""OSVOS segmentation: networks (osvos-parent default when the parent file loads, osvos-lite, osvos-vgg16
baseline), trajectory-guided fine-tuning (:mod:`.train`) and per-frame segmentation (:mod:`.segment`)."""

from __future__ import annotations

from typing import Any

MODELS = ("osvos-parent", "osvos-lite", "osvos-vgg16")
DEFAULT_MODEL = "osvos-lite"  # without the parent file; nets_parent.default_model() says which to use


def build_net(model: str, in_channels: int, norm: str = "group", config: dict[str, Any] | None = None):
    """A fresh network by name (``config``: the parent architecture's, for osvos-parent)."""
    if model == "osvos-parent":
        from .nets_parent import OsvosParent

        return OsvosParent(config, imagenet=False)
    if model == "osvos-lite":
        from .nets_lite import OsvosLite

        return OsvosLite(in_channels=in_channels, norm=norm)
    if model == "osvos-vgg16":
        from .nets_vgg import OsvosVGG

        return OsvosVGG(in_channels=in_channels)
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
