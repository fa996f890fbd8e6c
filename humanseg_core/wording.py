"""Counts and id lists in words for messages (CLI, core errors, the studio): "1 frame", "persons 3, 7"."""

from __future__ import annotations

from collections.abc import Iterable


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun in the form that goes with it: plural(1, "frame") == "1 frame"."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def persons_text(pids: Iterable) -> str:
    """The persons in words for a message: "person 3", "persons 3, 7", "no person"."""
    ids = sorted(int(p) for p in pids)
    if not ids:
        return "no person"
    return ("person " if len(ids) == 1 else "persons ") + ", ".join(str(p) for p in ids)


def id_list(ids: Iterable, limit: int = 20) -> str:
    """Ids for a message, sorted: "3, 7", or the first ``limit`` and how many more ("1, 2, … (40 more)")."""
    ids = sorted(int(p) for p in ids)
    shown = ", ".join(str(p) for p in ids[:limit])
    return shown + (f", … ({len(ids) - limit} more)" if len(ids) > limit else "")
