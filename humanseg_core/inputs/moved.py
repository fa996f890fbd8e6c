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


def found_beside(moved: list[tuple[str, str]], new: dict[str, str]) -> dict[str, str]:
    """{input: path} of the ``moved`` inputs not in ``new`` (the new places given) found where they stand beside
    a given one as they stood before: the same path below the folder that moved with it (``/a/data/frames`` now
    ``/b/data/frames``: ``/a/data/H.txt`` looked for at ``/b/data/H.txt``), else the same name in the given one's
    new folder. A walk relocated its video and was asked for the trajectory file and homography beside it."""
    old = dict(moved)
    pairs = [(Path(old[k]), Path(new[k]).expanduser().absolute()) for k in new if k in old]  # (links as given)
    found: dict[str, str] = {}
    for key, path in moved:
        if key in new:
            continue
        was = Path(path)
        for before, now in pairs:
            shared = 0
            while (shared < min(len(before.parts), len(now.parts)) - 1
                   and before.parts[-1 - shared] == now.parts[-1 - shared]):
                shared += 1
            root_before, root_now = (before.parents[shared - 1], now.parents[shared - 1]) if shared else \
                (before.parent, now.parent)
            candidates = [root_now / was.relative_to(root_before)] if was.is_relative_to(root_before) else []
            candidates.append(now.parent / was.name)
            hit = next((c for c in candidates if c.is_file()), None)
            if hit is not None:
                found[key] = str(hit)
                break
    return found
