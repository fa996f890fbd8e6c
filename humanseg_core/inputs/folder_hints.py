"""Hints for a folder given as a video that holds no frames: its subfolders that do (a scene folder)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from .frames import IMAGE_SUFFIXES


def image_subfolders(path: Path, limit: int = 3) -> str:
    """'; its folder frames/ does: give …/frames' when subfolders of ``path`` hold images (a scene folder), or ""."""
    try:  # each subfolder looked into, not listed (thousands of frames)
        found = sorted((d for d in path.iterdir() if d.is_dir() and not d.name.startswith(".")
                        and any(f.suffix.lower() in IMAGE_SUFFIXES for f in islice(d.iterdir(), 50))),
                       key=lambda d: (d.name.lower() not in ("frames", "images", "img1", "jpegimages"), d.name))
    except OSError:
        return ""
    if not found:
        return ""
    named = ", ".join(f"{d.name}/" for d in found[:limit]) + (", …" if len(found) > limit else "")
    return (f"; its folder{'s' if len(found) > 1 else ''} {named} {'do' if len(found) > 1 else 'does'}: give "
            f"{found[0]} (a scene folder goes to run and propose as it is)")

