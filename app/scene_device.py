"""The Whole scene panel's device label: what a device setting resolves to, looked up off the GUI thread (torch is
imported there, never at start-up)."""

from __future__ import annotations

from collections.abc import Generator

from humanseg_core.jobs import Progress


def device_text(name: str) -> str:
    """'cpu (2 threads)' for the device a setting resolves to, or why it cannot be used.  Imports torch:
    call it off the GUI thread (:func:`device_job`); the label starts from :func:`device_hint`."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.osvos.device import describe, resolve_device

    try:
        return describe(resolve_device(name))
    except HumansegError as exc:
        return f"not available: {exc}"


def device_hint(name: str) -> str:
    """What the label says before torch has looked (start-up never imports torch: 2 s on 2 cores)."""
    return "auto: CUDA, else MPS, else CPU (checked when a run starts)" if name == "auto" else "checking…"


def device_job(name: str, cancel) -> Generator[Progress, None, str]:
    """A background job for the device label: :func:`device_text` of ``name``."""
    cancel.raise_if_cancelled()
    return device_text(name)
    yield  # a generator, as every job run by JobWorker
