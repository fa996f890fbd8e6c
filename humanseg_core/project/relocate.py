"""A project whose inputs moved: which inputs are gone, the message that says so, and whether a new video is
the project's own (its frames have the size of the project's masks). The studio's Locate… and
``humanseg relocate`` both use these; :meth:`.settings.SettingsMixin.relocate_inputs` stores the new places."""

from __future__ import annotations

from ..errors import HumansegError
from ..inputs.moved import NAMES, OPTIONS, moved_inputs, moved_message  # noqa: F401  (re-exported)


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
        indices = list(frames.indices)
    finally:
        frames.close()
    listed = project.proposals(with_masks=False)
    if not listed:
        return None
    shape = project.get_proposal(listed[0].id).mask.shape
    if tuple(shape) != size:
        return (f"{video}: its frames are {size[1]}x{size[0]} but the project's masks are {shape[1]}x{shape[0]}: "
                "not this project's video")
    placed = sorted({int(p.frame) for p in listed})
    have = set(indices)
    if not any(f in have for f in placed):  # a re-encoded copy numbered from 0 (a walk's later runs all failed)
        return (f"{video}: its frames are numbered {indices[0]}..{indices[-1]} but the project's masks lie on frames "
                f"{placed[0]}..{placed[-1]}: the project's frames keep their numbers, so it cannot take this copy "
                "(give the video as numbered then, e.g. its frames folder, or make a new project on this one)")
    return None
