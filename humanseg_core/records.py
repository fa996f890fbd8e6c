"""Plain records shared by the proposal, store, training and GUI code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

STATUSES = ("pending", "accepted", "rejected", "edited")
#: statuses whose mask counts as a training label
ACCEPTED = ("accepted", "edited")


@dataclass
class ProjectInputs:
    """What a project was made from, and the conventions to read it with."""

    video: str
    trajectories: str
    homography: str | None = None
    h_order: str = "uv"  # "uv" or "rowcol"
    h_direction: str = "pixel-to-world"  # or "world-to-pixel"
    traj_format: str = "auto"  # "auto", "trajnet" or "obsmat"
    frame_offset: int = 0
    frame_step: int = 1
    anchor: str = "auto"  # where the track point sits on the person: "head", "feet", "centre" or "auto"
    skip_bad_lines: bool = False  # bad rows of the trajectory file are left out (a warning names them)
    # the trajectory file leaves some of the video's walkers out: the proposals look for them in the foreground,
    # and they keep their own pixels (ADR 0059; off by default, it costs dense crowds)
    unnamed_walkers: bool = False


@dataclass
class Detection:
    """Person detections on one frame (computed once per frame, shared by every person)."""

    frame: int
    method: str  # "maskrcnn" or "bgs:<algorithm>"
    boxes: np.ndarray  # (N, 4) float, x0 y0 x1 y1 in pixels
    scores: np.ndarray  # (N,)
    masks: list | None = None  # N full-frame bool masks, or None when the method gives none


@dataclass
class Proposal:
    """A proposed mask of one person on one frame, and the analyst's decision about it."""

    frame: int
    pid: int
    box: tuple  # (x0, y0, x1, y1) ints, pixels
    mask: np.ndarray  # full-frame bool (H, W)
    source: str  # "maskrcnn", "bgs:<algorithm>", ...
    score: float = 0.0
    distance: float = 0.0  # pixels from the track point to the box (0 inside)
    flags: list = field(default_factory=list)  # e.g. ["ambiguous", "interpolated"]
    status: str = "pending"
    id: int | None = None  # set by the project store


#: the source of a mask the analyst draws where the person had no proposal (Review ▸ Label This Frame by Hand),
#: and its flag keeping why the proposals had skipped that frame (the skip comes back if the label is dropped)
HAND_SOURCE = "hand"
SKIPPED_FLAG = "skipped: "
#: how a Skip's reason starts when the proposals held a person mostly behind a nearer one (then that one's id)
HIDDEN_BEHIND = "hidden behind person "

#: how a Skip's reason starts when the frame's image could not be read (exports name these gaps)
UNREADABLE_FRAME = "frame unreadable: "
NOT_IN_VIDEO = "the frame is not in the video"


def frame_problem(frames: Any, frame: int, exc: Exception) -> str:
    """A skip's reason for a frame ``frames.read`` refused: not in the video at all (the annotations' frame
    clock: a walk read '6 frame unreadable' for a frame offset off by 1000), or unreadable and why."""
    indices = getattr(frames, "indices", None)
    if indices is not None and len(indices) and int(frame) not in indices:
        return f"{NOT_IN_VIDEO} (its frames are {indices[0]}..{indices[-1]})"
    said = str(exc)
    path, problem = getattr(exc, "path", None), str(getattr(exc, "problem", ""))
    if getattr(exc, "index", None) == frame and path:  # the skip names its frame already (a walk read it twice)
        said = f"{path}: {problem.removeprefix(f'frame {frame}: ')}"
    return f"{UNREADABLE_FRAME}{said}"


@dataclass
class Skip:
    """An annotated (frame, pid) for which no proposal was made, and why."""

    frame: int
    pid: int
    reason: str
