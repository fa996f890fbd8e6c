"""Counts in words for the studio's messages: "1 frame", "2 frames"."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun in the form that goes with it: plural(1, "frame") == "1 frame"."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"
