"""Frames an export leaves out because their source image cannot be read, said in the summary, never silently.

One list (``summary["skipped_frames"]``, and ``skipped_frames.json`` inside every export that has any), each
entry ``{"frame", "persons", "file", "reason", "at"}``:

* ``at == "export"``: a frame with a mask whose image cannot be read now (a truncated or missing JPEG). A
  DAVIS export leaves out that frame's image and mask (a DAVIS pair needs both); every other frame is written.
* ``at == "proposals"``: an annotated frame of an exported person that has no mask because its image could not
  be read when the proposals were made (the project's skips): the export has a gap there.
* ``at == "segmentation"``: a frame of an exported person's segmentation run that has no result because its
  image could not be read when the person was segmented (the run's ``unreadable_frames``).
* ``at == "stored"``: a frame whose stored result cannot be decoded (a damaged row of the project).
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from pathlib import Path

from ..errors import FrameError
from ..records import UNREADABLE_FRAME
from .atomic import write_text

SKIPPED_FILE = "skipped_frames.json"  # inside an export: its skipped_frames, when there are any
DAMAGED = "its stored result could not be decoded (a damaged row of the project; segment the person again)"


def read_problem(exc: BaseException, frames, frame: int) -> dict:
    """A skipped-frame entry (no persons yet) for ``exc`` raised while reading ``frame`` of ``frames``."""
    file = getattr(exc, "path", None) or str(getattr(frames, "path", "") or "")
    if hasattr(frames, "file_of"):
        try:
            file = str(frames.file_of(frame))
        except FrameError:  # not in the folder (missing file): the folder is named
            pass
    reason = str(exc) if isinstance(exc, FrameError) else f"{file}: frame {frame}: {type(exc).__name__}: {exc}"
    return {"frame": int(frame), "persons": [], "file": str(file), "reason": reason, "at": "export"}


def stage_gaps(project, frames_by_pid: Mapping[int, Container[int]], runs: Mapping[int, int] | None = None,
               results: bool = True) -> list[dict]:
    """The gaps earlier stages left in these persons' masks (``frames_by_pid``: the frames each has, or its
    {frame: mask}): the proposal step's unreadable frames and, with ``results``, the unreadable frames of the
    segmentation runs drawn on (``runs`` where chosen, else each person's newest with results)."""
    gaps = proposal_gaps(project, frames_by_pid)
    if results:
        gaps += segmentation_gaps(project, frames_by_pid, runs)
    return gaps


def write_skipped(folder: Path, entries: list[dict]) -> list[dict]:
    """``entries`` sorted by frame and stage, written to ``folder``/skipped_frames.json when there are any."""
    entries = sorted(entries, key=lambda e: (e["frame"], e["at"]))
    if entries:
        write_text(Path(folder) / SKIPPED_FILE, json.dumps(entries, indent=1) + "\n")
    return entries


def proposal_gaps(project, masks_by_pid: Mapping[int, Container[int]]) -> list[dict]:
    """Frames of the exported persons the proposal step skipped as unreadable and that have no mask here
    (``masks_by_pid``: each person's {frame: mask}, or its frames)."""
    by_frame: dict[int, dict] = {}
    for pid, masks in masks_by_pid.items():
        for skip in project.skips(pid):
            if not str(skip.reason).startswith(UNREADABLE_FRAME) or int(skip.frame) in masks:
                continue
            detail = str(skip.reason)[len(UNREADABLE_FRAME):]
            entry = by_frame.setdefault(int(skip.frame), {"frame": int(skip.frame), "persons": [],
                                                          "file": _file_of(project, detail, int(skip.frame)),
                                                          "reason": detail, "at": "proposals"})
            entry["persons"].append(int(pid))
    return [by_frame[f] for f in sorted(by_frame)]


def segmentation_gaps(project, masks_by_pid: Mapping[int, Container[int]],
                      runs: Mapping[int, int] | None = None) -> list[dict]:
    """Frames of the exported persons' segmentation runs (the runs an export of results draws on: ``runs``
    {pid: run id} where chosen, else the newest with results) that could not be read when the person was
    segmented and that have no mask here."""
    newest = {**project.result_runs(), **{int(p): int(r) for p, r in (runs or {}).items()}}
    known = {int(r["id"]): r for r in project.runs()}
    by_frame: dict[int, dict] = {}
    for pid, masks in masks_by_pid.items():
        run = known.get(newest.get(int(pid), -1))
        gaps = (run or {}).get("metrics", {}).get("unreadable_frames") or {}
        for key, detail in sorted(gaps.items() if isinstance(gaps, dict) else ()):
            if not str(key).lstrip("-").isdigit() or int(key) in masks:
                continue
            frame = int(key)
            entry = by_frame.setdefault(frame, {"frame": frame, "persons": [], "file": _file_of(project, str(detail),
                                                                                                 frame),
                                                "reason": str(detail), "at": "segmentation"})
            entry["persons"].append(int(pid))
        if run is None:
            continue
        for frame in project.undecodable_results(int(pid), int(run["id"]), skip=masks):  # stored, not decoded
            if str(frame) not in gaps:
                entry = by_frame.setdefault(frame, {"frame": frame, "persons": [], "file": str(project.path),
                                                    "reason": DAMAGED, "at": "stored"})
                entry["persons"].append(int(pid))
    return [by_frame[f] for f in sorted(by_frame)]


def _file_of(project, detail: str, frame: int) -> str:
    """The file a frame reader's problem names (``FrameError`` texts start ``<file>: frame <n>:``), else the
    project's video."""
    import re

    marker = f": frame {frame}:"
    if marker in detail:
        return detail.split(marker, 1)[0]
    # "<file>.jpg: cannot read the image header …" (no frame number: the folder's file named it, a walk)
    named = re.match(r"^(.+?\.(?:jpe?g|png|bmp|tiff?|webp)): ", detail, re.IGNORECASE)
    return named.group(1) if named else str(project.inputs.video)


def skipped_lines(skipped: list[dict], limit: int = 5) -> list[str]:
    """One line per run of skipped frames with one problem, the same persons and stage (at most ``limit``, then a
    count), for a dialog or stderr (a re-walk's 30 black frames read as 20 lines and "and 13 more")."""
    from ..inputs.blank_frames import holds_nobody  # a black frame was read, not unreadable
    from ..wording import frame_problems, ranges_text

    by_kind: dict[tuple, dict[int, str]] = {}
    for entry in skipped:
        key = (str(entry.get("at") or ""), tuple(str(p) for p in entry.get("persons") or []))
        by_kind.setdefault(key, {})[int(entry["frame"])] = str(entry.get("reason", ""))
    groups = sorted(((ranges, n, text, at, pids) for (at, pids), problems in by_kind.items()
                     for ranges, n, text in frame_problems(problems)), key=lambda g: g[0][0][0])
    lines = []
    for ranges, n, text, at, pids in groups[:limit]:
        persons = ("person " if len(pids) == 1 else "persons ") + ", ".join(pids)
        frames = (f"frame {ranges[0][0]}" if n == 1 else
                  f"frames {ranges_text(ranges[:6])}{', …' if len(ranges) > 6 else ''} ({n})")
        has = "has" if n == 1 else "have"
        what = ("left out" if at == "export" else f"{has} no mask" if at == "stored" or holds_nobody(text) else
                f"{has} no mask, {'its image' if n == 1 else 'their images'} could not be read when "
                + ("the person was segmented" if at == "segmentation" else "the proposals were made"))
        lines.append(f"{frames} ({persons}) {what}: {text}")
    if len(groups) > limit:
        rest = len({f for g in groups[limit:] for a, b in g[0] for f in range(a, b + 1)} - {
            f for g in groups[:limit] for a, b in g[0] for f in range(a, b + 1)})  # each frame once
        lines.append(f"and {rest} more frame{'s' if rest > 1 else ''}")
    return lines
