"""Counts in words for the studio's messages: "1 frame", "2 frames"."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun in the form that goes with it: plural(1, "frame") == "1 frame"."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def persons_text(pids) -> str:
    """The persons in words for a message: "person 3", "persons 3, 7", "no person"."""
    pids = sorted(int(p) for p in pids)
    if not pids:
        return "no person"
    return ("person " if len(pids) == 1 else "persons ") + ", ".join(str(p) for p in pids)
