"""Which network a new training uses, decided without torch (the studio calls this while it builds its
panels, and start-up must not import torch: 2 s on 2 cores).  The full check that loads the parent file
is :func:`humanseg_core.osvos.nets_parent.default_model`."""

from __future__ import annotations

from ..prior.paths import DEFAULT_PARENT as PARENT_FILE

NAME = "osvos-parent"


def quick_default_model() -> tuple[str, str | None]:
    """(model, message) from a file check only (for GUI threads, which never load a model): a corrupt
    file is caught when training starts (the ImageNet fallback and its NO_PARENT warning)."""
    if PARENT_FILE.is_file():
        return NAME, None
    return "osvos-lite", f"{PARENT_FILE}: parent network file not found; osvos-lite is the default"
