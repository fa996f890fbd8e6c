"""Whether a project's inputs are the open ones: the same files, read the same way."""

from __future__ import annotations

from pathlib import Path


def _norm(path) -> str | None:
    return str(Path(path).resolve()) if path else None


def same_inputs(a, b) -> bool:
    """The same files read the same way: video, trajectories, homography and the conventions that place the
    persons (the homography's order and direction, the trajectory format, the frame offset and step). The
    project's masks were made with its own; other inputs, or the same files read otherwise (a homography
    given the other way round, another offset), must not write into it."""
    def key(i):
        return (_norm(i.video), _norm(i.trajectories), _norm(i.homography), i.h_order, i.h_direction,
                i.traj_format, int(i.frame_offset), int(i.frame_step))

    return key(a) == key(b)


def same_files(a, b) -> bool:
    """The same video and trajectories (however they are read)."""
    return (_norm(a.video), _norm(a.trajectories)) == (_norm(b.video), _norm(b.trajectories))
