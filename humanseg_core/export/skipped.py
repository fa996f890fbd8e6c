"""Frames an export leaves out because their source image cannot be read, said in the summary, never silently.

Two kinds, one list (``summary["skipped_frames"]``), each entry ``{"frame", "persons", "file", "reason", "at"}``:

* ``at == "export"``: a frame with a mask whose image cannot be read now (a truncated or missing JPEG). A
  DAVIS export leaves out that frame's image and mask (a DAVIS pair needs both); every other frame is written.
* ``at == "proposals"``: an annotated frame of an exported person that has no mask because its image could not
  be read when the proposals were made (the project's skips): the export has a gap there.
"""

from __future__ import annotations

from ..errors import FrameError
from ..records import UNREADABLE_FRAME


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


def proposal_gaps(project, masks_by_pid: dict) -> list[dict]:
    """Frames of the exported persons the proposal step skipped as unreadable and that have no mask here."""
    by_frame: dict[int, dict] = {}
    for pid, masks in masks_by_pid.items():
        for skip in project.skips(pid):
            if not str(skip.reason).startswith(UNREADABLE_FRAME) or int(skip.frame) in masks:
                continue
            detail = str(skip.reason)[len(UNREADABLE_FRAME):]
            file = detail.split(f": frame {int(skip.frame)}:", 1)[0] if f": frame {int(skip.frame)}:" in detail \
                else str(project.inputs.video)
            entry = by_frame.setdefault(int(skip.frame), {"frame": int(skip.frame), "persons": [], "file": file,
                                                          "reason": detail, "at": "proposals"})
            entry["persons"].append(int(pid))
    return [by_frame[f] for f in sorted(by_frame)]


def skipped_lines(skipped: list[dict], limit: int = 5) -> list[str]:
    """One line per skipped frame (at most ``limit``, then a count), for a dialog or stderr."""
    lines = []
    for entry in skipped[:limit]:
        pids = [str(p) for p in entry.get("persons") or []]
        persons = ("person " if len(pids) == 1 else "persons ") + ", ".join(pids)
        if entry.get("at") == "export":
            lines.append(f"frame {entry['frame']} ({persons}) left out: {entry['reason']}")
        else:
            lines.append(f"frame {entry['frame']} ({persons}) has no mask, its image could not be read when the "
                         f"proposals were made: {entry['reason']}")
    if len(skipped) > limit:
        lines.append(f"and {len(skipped) - limit} more frame(s)")
    return lines
