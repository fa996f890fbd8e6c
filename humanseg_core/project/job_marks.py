"""Marks of the long jobs at work on a project's persons, from their start: ``jobs/<host>-<pid>-<n>.json``.

A run is seen at work by its stored run rows (:func:`..workflows.scene_reuse.at_work`), but a run stores its first
row only once it has trained a network: while it proposes and trains, a second `run`, `segment` or `status` found
nothing (a session's note). A job writes its mark when it starts (the persons it works on, its process) and removes
it when it ends, however it ends; a mark whose process is gone (killed) is ignored and removed by the next job that
starts. Marks are advisory, as the studio's lock is: a folder that cannot be written to only goes without them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .lock import process_gone, this_process

__all__ = ["JOBS_DIR", "JobMark", "cut_off_jobs", "job_mark", "jobs_at_work"]

JOBS_DIR = "jobs"
_COUNT = itertools.count(1)


@dataclass(frozen=True)
class JobMark:
    """Another process's job at work on ``pids``."""

    what: str  # "run", "training", "proposals"
    pids: frozenset[int]
    process: dict
    path: Path | None = None  # the mark's file

    def text(self) -> str:
        job = {"proposals": "a proposal job", "training": "a training job"}.get(self.what, f"a {self.what}")
        where = f"process {self.process.get('pid', '?')}"
        if self.process.get("host") != socket.gethostname():  # cannot be checked from here: how to end it said
            where += (f" on {self.process.get('host', '?')}; if that job is gone, delete {self.path}"
                      if self.path is not None else f" on {self.process.get('host', '?')}")
        return f"{job} of another window or command ({where})"


def _read(path: Path) -> JobMark | None:
    try:
        return _parse(path.read_text(encoding="utf-8"), path)
    except OSError:
        return None


def _parse(text: str, path: Path) -> JobMark | None:
    try:
        data = json.loads(text)
        pids = frozenset(int(p) for p in data["pids"])
        process = data["process"]
        if not isinstance(process, dict):
            return None
        return JobMark(str(data.get("what", "run")), pids, process, path)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _mine(process: dict) -> bool:
    me = this_process()
    return (process.get("pid"), process.get("host")) == (me["pid"], me["host"])


def jobs_at_work(folder: str | Path) -> list[JobMark]:
    """The jobs of other processes still at work on ``folder``'s persons (this process's own left out)."""
    marks = []
    for path in sorted((Path(folder) / JOBS_DIR).glob("*.json")):
        mark = _read(path)
        if mark is not None and not _mine(mark.process) and not process_gone(mark.process):
            marks.append(mark)
    return marks


_JOBS = {"training": "a training", "proposals": "a proposal job", "segmentation": "a segmentation",
         "run": "a whole-scene run"}


def cut_off_jobs(folder: str | Path) -> list[tuple[JobMark, float]]:
    """(mark, when it started) of this machine's jobs on ``folder`` whose process ended without removing the mark:
    jobs killed, or whose window or command was closed hard, before they finished (a walk killed the studio in
    the middle of a training and was told nothing on reopening)."""
    cut = []
    for path in sorted((Path(folder) / JOBS_DIR).glob("*.json")):
        mark = _read(path)
        if mark is None or mark.process.get("host") != socket.gethostname() or not process_gone(mark.process):
            continue
        try:
            cut.append((mark, path.stat().st_mtime))
        except OSError:
            continue
    return cut


def cut_off_text(mark: JobMark, started: float) -> str:
    """What a cut-off job's mark tells the analyst, and what became of its work."""
    import time

    pids = sorted(mark.pids)
    who = (f"person {pids[0]}" if len(pids) == 1 else
           f"persons {', '.join(map(str, pids[:8]))}{f' and {len(pids) - 8} more' if len(pids) > 8 else ''}")
    job = _JOBS.get(mark.what, f"a {mark.what}")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
    kept = ("nothing of it was stored: train again" if mark.what == "training"
            else "what it had stored before stays")
    return (f"{job} of {who} (process {mark.process.get('pid', '?')}, started {when}) did not finish: its window "
            f"or command was closed or killed; {kept}")


STALE_S = 60.0  # a mark that cannot be read, or a temporary one, this old is debris of a job killed as it wrote


def _tidy(where: Path) -> None:
    """Remove the marks of processes that are gone (a killed job's), and debris a minute old: marks that cannot be
    read (written whole by a rename: never half of one at work) and temporary files (a walk found one kept)."""
    import time

    for path in [*where.glob("*.json"), *where.glob("*.tmp")]:
        try:
            old = time.time() - path.stat().st_mtime > STALE_S
            text = path.read_text(encoding="utf-8", errors="replace") if path.suffix == ".json" else ""
        except OSError:  # not read this time (a scanner holding it): a live job's, maybe; left alone (a review)
            continue
        mark = _parse(text, path) if path.suffix == ".json" else None
        if (mark is not None and process_gone(mark.process)) or (mark is None and old):
            with contextlib.suppress(OSError):
                path.unlink()


@contextlib.contextmanager
def job_mark(folder: str | Path, pids: Iterable[int], what: str = "run") -> Iterator[Path | None]:
    """Mark ``pids`` as worked on by this process while the block runs; yields the mark's path (None where the
    project folder cannot be written to)."""
    where = Path(folder) / JOBS_DIR
    me = this_process()
    host = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(me["host"]))
    named = where / f"{host}-{me['pid']}-{next(_COUNT)}.json"
    path: Path | None = named
    try:
        where.mkdir(exist_ok=True)
        _tidy(where)
        tmp = named.with_suffix(".tmp")
        tmp.write_text(json.dumps({"what": what, "pids": sorted({int(p) for p in pids}), "process": me}),
                       encoding="utf-8")
        os.replace(tmp, named)
    except OSError:
        path = None
    try:
        yield path
    finally:
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()
