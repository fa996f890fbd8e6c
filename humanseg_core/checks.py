"""Checks of option values (command line, manifests, configs): a number that is not what the option takes is
an error naming the option, before any work starts. NaN and infinity are refused where a size or a budget is
meant (a budget of ``nan`` seconds trained forever); text and booleans where a number is meant."""

from __future__ import annotations

import math
from typing import Any

from .errors import HumansegError


def positive(value: Any, name: str) -> float:
    """``value`` as a finite number above 0, else HumansegError naming ``name`` (e.g. ``--seconds``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise HumansegError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def whole(value: Any, name: str, minimum: int | None = None) -> int:
    """``value`` as a whole number (at least ``minimum``), else HumansegError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
            raise HumansegError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise HumansegError(f"{name} must be {minimum} or more, got {value!r}")
    return int(value)


def flag(value: Any, name: str) -> bool:
    """``value`` as true or false (a manifest's ``"no"`` read as true before), else HumansegError."""
    if not isinstance(value, bool):
        raise HumansegError(f"{name} must be true or false, got {value!r}")
    return value
