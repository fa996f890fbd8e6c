"""Where exports go by default and what they are called: ``<project>/exports/``, names that carry the persons.

    exports_folder(project_folder)          -> <project>/exports   (made on demand)
    video_name(7, "results")                -> pid7_results_overlay.mp4
    masks_name([7], "davis", "accepted")    -> pid7_accepted_davis
    masks_name([3, 7, 9], "coco", "any")    -> pid3-7-9_any_coco

An export inside the project folder is allowed (see :mod:`.guard`: only the project folder itself and its
``checkpoints`` are protected), so the project keeps its exports next to its data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EXPORTS = "exports"
#: more persons than this are named by their count ("5-persons") instead of every pid
MAX_PIDS_IN_NAME = 4


def exports_folder(project_folder, create: bool = True) -> Path:
    """``<project_folder>/exports``, created when ``create`` (the default) and missing."""
    folder = Path(project_folder) / EXPORTS
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def resolve_out(text: str | Path, project_folder) -> Path:
    """The folder an export folder typed as ``text`` names: ``~`` expanded, and a relative path taken inside
    the project's exports folder (not the working directory of the process, which the analyst never sees)."""
    out = Path(text).expanduser()
    return out if out.is_absolute() else exports_folder(project_folder, create=False) / out


def pids_tag(pids: Iterable[int]) -> str:
    """``pid7``, ``pid3-7-9`` or, past :data:`MAX_PIDS_IN_NAME` persons, ``12-persons``."""
    ids = sorted({int(p) for p in pids})
    if not ids:
        return "no-person"
    if len(ids) > MAX_PIDS_IN_NAME:
        return f"{len(ids)}-persons"
    return "pid" + "-".join(str(p) for p in ids)


def video_name(pid: int | None, source: str, side_by_side: bool = False) -> str:
    """The default overlay video name: ``pid7_results_overlay.mp4`` (``..._side_by_side.mp4``); ``pid`` None:
    every person (``every-person_results_overlay.mp4``)."""
    tag = "every-person" if pid is None else pids_tag([pid])
    return f"{tag}_{source}_{'side_by_side' if side_by_side else 'overlay'}.mp4"


SOURCE_TAGS = {"any": "accepted-else-results"}  # "any" read cryptic in a folder name (a walk)


def masks_name(pids: Iterable[int], fmt: str, source: str) -> str:
    """The default mask export folder name: ``pid7_accepted_davis``, ``pid7_accepted-else-results_mots``."""
    return f"{pids_tag(pids)}_{SOURCE_TAGS.get(source, source)}_{fmt}"
