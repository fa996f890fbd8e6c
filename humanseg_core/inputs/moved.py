"""Inputs no longer where a project left them: which, and the message that says so with the way back
(``humanseg relocate`` or the studio's Locate…). Below the project and the exports, which both say it."""

from __future__ import annotations

from pathlib import Path

from ..wording import shell_arg

INPUT_KEYS = ("video", "trajectories", "homography")  # a project's inputs that are files
NAMES = {"video": "video", "trajectories": "trajectory file", "homography": "homography"}
OPTIONS = {"video": "--video", "trajectories": "--trajectories", "homography": "--homography"}


def moved_inputs(inputs) -> list[tuple[str, str]]:
    """``[(input, stored path)]`` of the inputs that are set but no longer exist."""
    out = []
    for key in INPUT_KEYS:
        path = getattr(inputs, key)
        if path and not Path(path).exists():
            out.append((key, str(path)))
    return out


def moved_message(folder: Path, moved: list[tuple[str, str]]) -> str:
    """What a command says of a project whose inputs moved (a walk's CLI said only "no such video file or
    folder", not that it was the project's, nor how to point the project at the new place)."""
    said = "; ".join(f"its {NAMES[k]} {p}" for k, p in moved)
    options = " ".join(f"{OPTIONS[k]} NEW" for k, _p in moved)
    return (f"project {folder}: not found where the project left {'them' if len(moved) > 1 else 'it'}: {said}. "
            f"Point the project at the new place with `humanseg relocate --project {shell_arg(folder)} {options}` "
            "(or the studio's Locate…); its decisions, edits and results are kept")
