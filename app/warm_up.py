"""Modules the first dialogs need, imported in the background once the studio is idle after opening: the Generate
dialog's first opening paused the window 0.7 s loading pybgs and scipy.optimize (a walk's heartbeat)."""

from __future__ import annotations

import importlib
import threading

from PySide6.QtCore import QTimer

# the workflows a button starts (Whole scene, Retrain from here) import in 0.3 s on first use, torch-free
MODULES = ("pybgs", "humanseg_core.proposals.association", "humanseg_core.proposals.detectors.bgs",
           "humanseg_core.workflows.scene_run", "humanseg_core.workflows.correction")
DELAY_MS = 3000  # after the window is up and its first frame drawn


def warm_up(modules=MODULES) -> list[str]:
    """Import ``modules`` (any that is missing or fails is left for the code that needs it to report); returns
    those imported."""
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (only a head start: the dialog says what is missing)
            continue
        done.append(name)
    return done


def warm_up_later(delay_ms: int = DELAY_MS) -> None:
    """:func:`warm_up` in a daemon thread ``delay_ms`` after the event loop runs."""
    QTimer.singleShot(delay_ms, lambda: threading.Thread(target=lambda: warm_up(), name="warm-up", daemon=True).start())
