"""Where the networks run: ``auto`` picks CUDA, then Apple MPS, then the CPU.

CPU runs are float32 unless mixed precision is asked for.  With ``mixed_precision``, inference uses
bfloat16: autocast on CUDA (:func:`autocast`), and on a CPU with native bfloat16 instructions (AVX512-BF16 or
AMX, :func:`cpu_bf16_native`) an inference copy of the network held in bfloat16 (:func:`inference_dtype`).
A CPU without them stays float32 (emulated bfloat16 would be slower), and says so.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import torch

from ..errors import HumansegError

DEVICES = ("auto", "cpu", "cuda", "mps")
CLI_HINT = " (--device auto or cpu on the command line)"  # the studio says "choose" of its Device box


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
        raise HumansegError(f"device: unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if key == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if key.startswith("cuda") and not torch.cuda.is_available():
        raise HumansegError(f"device {key}: no CUDA device on this machine (torch {torch.__version__}); "
                            f"choose auto or cpu{CLI_HINT}")
    if key == "mps" and not _mps_available():
        raise HumansegError(f"device mps: Apple MPS is not available on this machine; choose auto or cpu{CLI_HINT}")
    return torch.device(key)


def describe(device: torch.device) -> str:
    """A short human name, e.g. ``cpu (2 threads)`` or ``cuda:0 (NVIDIA H200)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        n = torch.get_num_threads()
        return f"cpu ({n} thread{'' if n == 1 else 's'})"
    return str(device)


def autocast(device: torch.device, mixed_precision: bool) -> AbstractContextManager:
    """bfloat16 autocast on CUDA when ``mixed_precision``; a no-op everywhere else (CPU stays float32)."""
    if mixed_precision and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@functools.lru_cache(maxsize=1)
def cpu_bf16_native() -> bool:
    """Whether this CPU runs bfloat16 convolutions natively (Linux: ``avx512_bf16`` or ``amx_bf16`` in
    /proc/cpuinfo, and oneDNN's bfloat16 support); False elsewhere, where it would be emulated."""
    try:
        if not (torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()):
            return False
        if not sys.platform.startswith("linux"):
            return False
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except (OSError, RuntimeError, AttributeError):
        return False
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
            break
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def inference_dtype(device: torch.device, mixed_precision: bool) -> torch.dtype:
    """The dtype an inference copy of a network is held in on ``device``: bfloat16 on a CPU with native
    bfloat16 when ``mixed_precision``, else float32 (CUDA uses :func:`autocast` over float32 weights)."""
    if mixed_precision and device.type == "cpu" and cpu_bf16_native():
        return torch.bfloat16
    return torch.float32


def precision_note(device: torch.device, mixed_precision: bool) -> str | None:
    """What mixed precision does on ``device``, when asked for and not applied; None otherwise."""
    if not mixed_precision or device.type == "cuda" or inference_dtype(device, True) == torch.bfloat16:
        return None
    return (f"mixed precision: this {device.type.upper()} has no native bfloat16 (AVX512-BF16/AMX); "
            "segmentation runs in float32")


def precision_used(device: torch.device, mixed_precision: bool) -> str:
    """What segmentation on ``device`` runs in: "bfloat16" (autocast on CUDA, a bfloat16 copy on a CPU with
    native bfloat16) when ``mixed_precision`` applies there, else "float32"."""
    if mixed_precision and (device.type == "cuda" or inference_dtype(device, True) == torch.bfloat16):
        return "bfloat16"
    return "float32"
