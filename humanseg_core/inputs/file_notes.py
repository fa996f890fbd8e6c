"""What a scene says of its input files as read: images left out of a folder of frames or taken in sorted
order, the numbering's gaps, and trajectory rows read otherwise than written (ids with letters, repeated rows,
a header's column order). :func:`humanseg_core.inputs.scene.load_scene` adds them to its warnings."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .frames import FolderFrames

GAPS_LISTED = 5  # missing frame numbers of a folder named in its warning; more are counted
CUT_SHORT = 4  # frames a video's header declares beyond those that decode before it is said to be cut short


def folder_gaps(frames) -> list[int]:
    """The frame numbers a folder of frames skips on its own grid (its most common step between numbers: a
    folder of every 10th frame has no gaps), [] for a video or a folder without any."""
    idx = list(frames.indices) if isinstance(frames, FolderFrames) else []
    if len(idx) < 3:
        return []
    steps = np.diff(idx)
    values, counts = np.unique(steps, return_counts=True)
    step = int(values[np.argmax(counts)])
    if step < 1:
        return []
    have = set(idx)
    return [f for f in range(idx[0], idx[-1] + 1, step) if f not in have]


def file_notes(frames, trajectories, name: str) -> list[str]:
    """The notes on a scene's frames (``frames``, a FrameSource) and its trajectory file (``name``)."""
    out: list[str] = []
    left_out = getattr(frames, "left_out", [])
    if left_out:
        listed = ", ".join(left_out[:GAPS_LISTED]) + (", …" if len(left_out) > GAPS_LISTED else "")
        out.append(f"{Path(frames.path).name}/ holds {len(left_out)} image{'s' if len(left_out) != 1 else ''} "
                   f"without a frame number in {'their names' if len(left_out) != 1 else 'its name'} ({listed}): "
                   "left out; the numbered images are the frames")
    written = getattr(trajectories, "pid_written", "")
    if written:  # the persons are named by the numbers from here on: said once, with the file's way
        number = int(re.sub(r"\D", "", written))
        out.append(f"{name}: its person ids are written with letters before the number ({written!r}): read as the "
                   f"numbers ({written!r} is person {number})")
    repeated = getattr(trajectories, "repeated_rows", [])
    if repeated:  # harmless, said: a pasted block twice would show here
        n, (line, first) = len(repeated), repeated[0]
        out.append(f"{name}: {n} row{'s' if n != 1 else ''} repeat{'' if n != 1 else 's'} an earlier row exactly "
                   f"(line {line} repeats line {first}{', …' if n > 1 else ''}): read once")
    named = getattr(trajectories, "header_columns", "")
    if named:  # said: a header with a wrong name would swap the columns silently (a review)
        out.append(f"{name}: its header names the columns {named}: its rows were read in that order")
    unlike = getattr(frames, "named_unlike", [])
    if unlike:
        listed = ", ".join(unlike[:GAPS_LISTED]) + (", …" if len(unlike) > GAPS_LISTED else "")
        out.append(f"{Path(frames.path).name}/ holds {len(unlike)} image{'s' if len(unlike) != 1 else ''} "
                   f"named unlike the frames ({listed}): left out (a copy?); the images named alike are the frames")
    because = getattr(frames, "sorted_because", None)
    if because:
        count = len(frames.indices)
        out.append(f"{Path(frames.path).name}/: {because}, so the numbers in the names are not the frame "
                   f"numbers: its images are the frames 0..{count - 1} in sorted order. Two videos' frames, or "
                   "copies? One video's frames to a folder keeps their numbers")
    declared = getattr(frames, "declared", None)
    decoded = len(frames.indices) if isinstance(declared, int) else 0
    if isinstance(declared, int) and declared - decoded >= CUT_SHORT:  # (a walk's cut AVI: 122 "cannot decode" lines;
        # a count a frame or two over, as containers estimate it, is no news)
        out.append(f"{Path(frames.path).name}: its header declares {declared} frames, but the frames after "
                   f"{decoded - 1} do not decode: a file cut short? The video is taken to end at frame {decoded - 1}")
    gaps = folder_gaps(frames)
    if gaps:
        listed = ", ".join(str(f) for f in gaps[:GAPS_LISTED]) + (", …" if len(gaps) > GAPS_LISTED else "")
        idx = frames.indices
        out.append(f"{Path(frames.path).name}/ has no image for {len(gaps)} frame number"
                   f"{'s' if len(gaps) != 1 else ''} between {idx[0]} and {idx[-1]} ({listed}): "
                   f"{'that frame is' if len(gaps) == 1 else 'those frames are'} not segmented nor exported")
    return out
