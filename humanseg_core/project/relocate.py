"""A project whose inputs moved: which inputs are gone, the message that says so, and whether a new video is
the project's own (its frames have the size of the project's masks). The studio's Locate… and
``humanseg relocate`` both use these; :meth:`.settings.SettingsMixin.relocate_inputs` stores the new places."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import HumansegError
from ..inputs.moved import NAMES, OPTIONS, moved_inputs, moved_message  # noqa: F401  (re-exported)


class VideoCheck(NamedTuple):
    """What :func:`check_new_video` says of a new video."""

    why: str | None  # why it is not the project's video (it is refused), or None
    shorter: str  # a warning: the project holds proposals or results on frames it lacks; else ""
    unlike: str  # a warning: its frames look unlike those the project keeps a small copy of; else ""


def not_the_projects_video(project, video: str) -> str | None:
    """Why ``video`` is not this project's video (it does not open, or its frame size differs from the masks'),
    or None."""
    return check_new_video(project, video).why


def check_new_video(project, video: str) -> VideoCheck:
    """Whether ``video`` may be this project's video. ``shorter``: a shorter copy, which a walk's relocate took
    without a word and the next export left 150 of 250 frames out. ``unlike``: another video of the same size and
    numbering (``inputs.fingerprint``), which a walk's Locate… took without a word. The video is opened and the
    proposals listed once."""
    from ..inputs.fingerprint import SETTING, differing_frames, unlike_message
    from ..inputs.frames import open_frames

    try:
        frames = open_frames(video)
    except HumansegError as exc:
        return VideoCheck(str(exc), "", "")
    try:
        size = (frames.height, frames.width)
        indices = list(frames.indices)
        kept = project.setting(SETTING)
        unlike = unlike_message(video, *differing_frames(kept, frames),
                                kept=len(kept.get("frames") or []) if isinstance(kept, dict) else 0)
    finally:
        frames.close()
    why, shorter = _against_the_masks(project, video, size, indices)
    return VideoCheck(why, shorter, unlike if why is None else "")


def _against_the_masks(project, video: str, size: tuple[int, int], indices: list[int]) -> tuple[str | None, str]:
    """(why a video of frame ``size`` and frame numbers ``indices`` is not the project's, or None; what it lacks
    of the frames the project holds work on, or "")."""
    from ..wording import frame_runs, ranges_text

    listed = project.proposals(with_masks=False)
    have = set(indices)
    if listed:
        shape = project.get_proposal(listed[0].id).mask.shape
        if tuple(shape) != size:
            return (f"{video}: its frames are {size[1]}x{size[0]} but the project's masks are {shape[1]}x{shape[0]}: "
                    "not this project's video"), ""
        placed = sorted({int(p.frame) for p in listed})
        if not any(f in have for f in placed):  # a re-encoded copy numbered from 0 (a walk's later runs failed)
            return (f"{video}: its frames are numbered {indices[0]}..{indices[-1]} but the project's masks lie on "
                    f"frames {placed[0]}..{placed[-1]}: the project's frames keep their numbers, so it cannot take "
                    "this copy (give the video as numbered then, e.g. its frames folder, or make a new project on "
                    "this one)"), ""
    worked = {int(p.frame) for p in listed}
    for got in project.result_frame_sets(project.result_runs()).values():
        worked |= got
    missing = sorted(worked - have)
    if not missing:
        return None, ""
    runs = frame_runs(missing)
    shown = ranges_text(runs[:6]) + (", …" if len(runs) > 6 else "")
    n = len(missing)
    return None, (f"{video}: the project has proposals or results on {n} frame{'s' if n > 1 else ''} this video does "
                  f"not have ({shown}; the video: {min(have)}..{max(have)} and {len(have)} frames): they stay stored, "
                  "but cannot be shown, reviewed or exported with it")
