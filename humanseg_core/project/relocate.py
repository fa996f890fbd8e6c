"""A project whose inputs moved: which inputs are gone, the message that says so, and whether a new video is
the project's own (its frames have the size of the project's masks). The studio's Locate… and
``humanseg relocate`` both use these; :meth:`.settings.SettingsMixin.relocate_inputs` stores the new places."""

from __future__ import annotations

from pathlib import Path

from ..errors import HumansegError
from .paths import INPUT_KEYS

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
            f"Point the project at the new place with `humanseg relocate --project {folder} {options}` (or the "
            "studio's Locate…); its decisions, edits and results are kept")


def not_the_projects_video(project, video: str) -> str | None:
    """Why ``video`` is not this project's video (it does not open, or its frame size differs from the masks'),
    or None."""
    from ..inputs.frames import open_frames

    try:
        frames = open_frames(video)
    except HumansegError as exc:
        return str(exc)
    try:
        size = (frames.height, frames.width)
    finally:
        frames.close()
    first = next(iter(project.proposals(with_masks=False)), None)
    if first is None:
        return None
    shape = project.get_proposal(first.id).mask.shape
    if tuple(shape) != size:
        return (f"{video}: its frames are {size[1]}x{size[0]} but the project's masks are {shape[1]}x{shape[0]}: "
                "not this project's video")
    return None
