"""Where the networks run: ``auto`` picks CUDA, then Apple MPS, then the CPU.

CPU runs are exactly as before (float32, no autocast).  On CUDA, inference may use bfloat16 autocast
(:func:`autocast`); it is off unless asked for, and only ever on CUDA.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager

import torch

from ..errors import HumansegError

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(name: str | torch.device | None = "auto") -> torch.device:
    """The torch device for ``name`` (``auto``/None: CUDA, then MPS, then CPU).

    Asking for a device this machine does not have is an error that says so (never a silent CPU run)."""
    if isinstance(name, torch.device):
        return name
    key = (name or "auto").strip().lower()
    if key not in DEVICES and not key.startswith("cuda:"):
        raise HumansegError(f"--device: unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if key == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if key.startswith("cuda") and not torch.cuda.is_available():
        raise HumansegError(f"--device {key}: no CUDA device on this machine (torch {torch.__version__}); "
                            "use --device auto or cpu")
    if key == "mps" and not _mps_available():
        raise HumansegError("--device mps: Apple MPS is not available on this machine; use --device auto or cpu")
    return torch.device(key)


def describe(device: torch.device) -> str:
    """A short human name, e.g. ``cpu (2 threads)`` or ``cuda:0 (NVIDIA H200)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def autocast(device: torch.device, mixed_precision: bool) -> AbstractContextManager:
    """bfloat16 autocast on CUDA when ``mixed_precision``; a no-op everywhere else (CPU stays float32)."""
    if mixed_precision and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
