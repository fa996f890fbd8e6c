"""The banner's "Use frame offset N" with a project open on these files: the project takes the offset.

A walk's project made with a wrong frame offset (none of its annotated frames in the video) showed the banner's
button; it reopened the files with the right offset and so closed the project ("the same video and trajectories
read another way"), with no way to give the project the offset. A project with nothing placed yet (no proposal,
no result) now takes it and stays open; one with work placed by the old offset keeps it (its masks belong to
those frames) and the scene opens without it, as before.
"""

from __future__ import annotations

import dataclasses

from humanseg_core.errors import HumansegError

from .same_inputs import same_files


def _taker(review, inputs, use) -> tuple[object | None, HumansegError | None]:
    """(the open project of ``review`` (the review controller) once it took a way of reading its files
    (``use(project)``), else None; the store's error, if that stopped it). None also when there is no project to
    take it: read-only, other files, work placed already."""
    project = getattr(review, "project", None)
    if project is None or getattr(review, "read_only", False) or not same_files(inputs, project.inputs):
        return None, None
    try:
        if sum(project.counts().values()) or project.runs():
            return None, None
        use(project)
    except HumansegError as exc:
        return None, exc
    return project, None


def _take(review, inputs, use, what: str, now: str) -> bool:
    """Give the open project a way of reading its files (:func:`_taker`) and reopen its scene; False when it
    cannot: the caller opens the files read that way alone. ``what``: the setting's name, ``now``: how it reads
    now."""
    project, problem = _taker(review, inputs, use)
    if problem is not None:  # the project's store: said, and the scene opens read that way alone
        review._message(f"The project keeps {what}: {problem}", 15000)
    if project is None:
        return False
    review.window.open_inputs(dataclasses.replace(project.inputs))
    review._message(f"Project {project.folder.name} {now} from now on", 15000)
    return True


def take_frame_offset(review, inputs, offset: int) -> bool:
    """The banner's frame offset given to the open project (:func:`_take`)."""
    return _take(review, inputs, lambda p: p.use_frame_offset(offset), "its frame offset",
                 f"reads the trajectories with frame offset {offset}")


def take_h_order(review, inputs, order: str) -> bool:
    """As :func:`take_frame_offset`, for the homography's pixel order the banner offers (a walk opened ETH's
    original H.txt as (u, v), read the banner's advice and had to find the combo in the Open dialog)."""
    return _take(review, inputs, lambda p: p.use_h_order(order), "its homography's pixel order",
                 f"reads its homography as {'(row, col)' if order == 'rowcol' else '(u, v)'}")


def take_reading(review, inputs) -> bool:
    """The open project, with nothing placed yet, takes how ``inputs`` read its own files (File ▸ Open again with
    another pixel order or offset: a walk's empty project closed, "read another way", and the offset its banner
    would have offered never came); False when it cannot (read-only, other files, work placed, a store error)."""
    before = getattr(getattr(review, "project", None), "inputs", None)
    project, problem = _taker(review, inputs, lambda p: p.use_reading(inputs))
    if problem is not None:  # the store: said (a review), and the project closes as files read another way do
        review._message(f"The project keeps its reading of its files: {problem}", 15000)
    if project is None:
        return False
    said = reading_changes(before, inputs) if before is not None else ""
    review._message(f"Project {project.folder.name} reads its files as opened now{': ' + said if said else ''} "
                    "(nothing was placed with the earlier reading)", 15000)
    return True


def reading_changes(before, after) -> str:
    """What another reading of the same files changes, said ("pixel order (row, col), frame offset 5"): a walk's
    message was the same whatever it changed."""
    from pathlib import Path

    out = []
    if (before.homography or "") != (after.homography or ""):
        out.append(f"homography {Path(after.homography).name}" if after.homography else "no homography")
    if before.h_order != after.h_order:
        out.append("pixel order (row, col)" if after.h_order == "rowcol" else "pixel order (u, v)")
    if before.h_direction != after.h_direction:
        out.append(f"homography direction {after.h_direction}")
    if before.traj_format != after.traj_format:
        out.append(f"trajectory format {after.traj_format}")
    if before.frame_offset != after.frame_offset:
        out.append(f"frame offset {after.frame_offset}")
    if before.frame_step != after.frame_step:
        out.append(f"frame step {after.frame_step}")
    return ", ".join(out)
