"""Segmentation results written again: the masks they replace are kept (ADR 0052).

``humanseg segment`` (and the studio's Segment tab) on a run that already has results stores the new masks under the
same run. The old ones were overwritten: masks an older network, another refine mode or the per-frame evidence of
other persons made could not be made again. A save that replaces masks now keeps, first, one numbered set per run:
the masks it replaces, NULL for the frames where the run had none (the save adds them), and the run's metrics about
its masks then (``MASK_METRICS``). :meth:`ReplacedMixin.restore_replaced` puts a set back whole, masks, absences and
metrics, keeping what it replaces as a new set in turn. Nothing is ever deleted from the two tables.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import HumansegError
from .runs import _loaded  # a stored JSON object, or {}

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

#: a run's metrics that describe its masks (a set keeps them, a restore puts them back): how they were made
#: (person.py), their agreement with the labels (workflows.agreement), and what a whole-scene run said of them
MASK_METRICS = ("refined_with", "hand_check", "agreement", "agreement_frames", "no_mask_frames", "given_to_nearer_px",
                "unreadable_frames", "segmented_frames", "stopped", "completed_by", "retraining")
#: a run's metrics about how its masks were made and how they agree with the labels: unknown after a restore of an
#: older set (``workflows.segment_range.recount_job`` measures the agreement again)
MADE_METRICS = ("refined_with", "hand_check", "agreement", "agreement_frames")


@dataclass(frozen=True)
class ReplacedSet:
    """Masks one save replaced: of person ``pid``'s run ``run_id``, ``masks`` masks and ``absent`` frames where the
    run had none, among ``frames`` (sorted); ``why``: what replaced them."""

    set_id: int
    pid: int
    run_id: int
    masks: int
    absent: int
    frames: tuple[int, ...]
    replaced: str  # when (UTC ISO)
    why: str = ""
    made: str = ""  # how its masks were made, as their run recorded it then ("evidence", "none"; "": unknown)

    def text(self) -> str:
        how = {"evidence": " of the per-frame evidence", "none": " of the network alone"}.get(self.made, "")
        kept = f"{self.masks} mask{'' if self.masks == 1 else 's'}{how}" + (
            f" and {self.absent} frame{'' if self.absent == 1 else 's'} without one" if self.absent else "")
        return (f"set {self.set_id}: person {self.pid}, run {self.run_id}, {kept} ({frames_text(self.frames)}), "
                f"replaced {self.replaced[:19].replace('T', ' ')} UTC" + (f" by {self.why}" if self.why else ""))


class Restored(NamedTuple):
    """What :meth:`ReplacedMixin.restore_replaced` did: the set put back, the new set keeping what it replaced (None
    when the set matched what was stored), and whether the run's mask metrics came back with it (False: the run was
    written to since that save, and its metrics stay as they were)."""

    restored: ReplacedSet
    kept: int | None
    metrics_back: bool


def frames_text(frames: Sequence[int]) -> str:
    """"frame 7", "frames 3, 9, 12" (up to four), else "frames 3800-3949" with the count when it has gaps."""
    if len(frames) == 1:
        return f"frame {frames[0]}"
    if len(frames) <= 4:
        return "frames " + ", ".join(map(str, frames))
    whole = frames[-1] - frames[0] + 1 == len(frames)
    return f"frames {frames[0]}-{frames[-1]}" + ("" if whole else f", {len(frames)} of them")


MADE_WAYS = ("evidence", "none")  # the ``refined_with`` values: how a run's masks were made


def _made(metrics: object) -> str:
    """A set's ``refined_with`` (how the run had made its masks then), or ""."""
    value = _loaded(metrics).get("refined_with")
    return value if value in MADE_WAYS else ""


def _run_json(conn: sqlite3.Connection, run_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics, params) of run ``run_id``, each {} where missing or unreadable."""
    row = conn.execute("SELECT metrics, params FROM runs WHERE id = ?", (int(run_id),)).fetchone()
    return (_loaded(row[0]), _loaded(row[1])) if row is not None else ({}, {})


def _mask_metrics(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    """The run's :data:`MASK_METRICS`; ``refined_with`` from a Whole scene run's ``refine`` where it records none
    (a re-walk: the set keeping a Whole scene run's evidence masks said nothing of how they were made)."""
    metrics, params = _run_json(conn, run_id)
    out = {k: metrics[k] for k in MASK_METRICS if k in metrics}
    if "refined_with" not in out and params.get("refine") in MADE_WAYS:
        out["refined_with"] = params["refine"]
    return out


def _rewrite_metrics(conn: sqlite3.Connection, run_id: int, drop: Sequence[str], put: dict[str, Any],
                     now: str) -> None:
    """The run's metrics without ``drop``'s keys, then with ``put``'s; its other metrics as they are."""
    metrics = {k: v for k, v in _run_json(conn, run_id)[0].items() if k not in drop}
    metrics.update(put)
    conn.execute("UPDATE runs SET metrics = ?, updated = ? WHERE id = ?", (json.dumps(metrics), now, int(run_id)))


def keep_replaced(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, int, bytes | None]], now: str,
                  why: str = "") -> tuple[list[int], list[tuple[int, int, int, bytes | None]]]:
    """Inside a save's transaction, before ``rows`` (pid, run_id, frame, blob; None: no result) are written: for
    each run of which the save replaces a stored mask with another (or with none), a new set keeping what the run
    has on every frame the save writes, and the run's mask metrics. Returns the new sets' numbers and the rows
    that change what is stored, the only ones to write: a mask written again as it was would change the run's
    results stamp, and ``status`` would ask for an export of the same masks (a walk's restore of identical
    masks)."""
    by_run: dict[int, list[tuple[int, int, bytes | None]]] = {}
    changes = []
    for pid, run_id, frame, blob in rows:
        found = conn.execute("SELECT mask FROM results WHERE run_id = ? AND frame = ?",
                             (int(run_id), int(frame))).fetchone()
        old = None if found is None or found[0] is None else bytes(found[0])
        if old != (None if blob is None else bytes(blob)):
            by_run.setdefault(int(run_id), []).append((int(pid), int(frame), old))
            changes.append((pid, run_id, frame, blob))
    made = []
    for run_id, changed in sorted(by_run.items()):
        if all(old is None for _p, _f, old in changed):
            continue  # frames added, nothing replaced: nothing lost
        cur = conn.execute("INSERT INTO replaced_sets (run_id, pid, replaced, why, metrics) VALUES (?, ?, ?, ?, ?)",
                           (run_id, changed[0][0], now, why, json.dumps(_mask_metrics(conn, run_id))))
        set_id = int(cur.lastrowid or 0)
        conn.executemany("INSERT INTO replaced_masks (set_id, frame, mask) VALUES (?, ?, ?)",
                         [(set_id, f, old) for _p, f, old in changed])
        made.append(set_id)
    return made, changes


def stamp_sets(conn: sqlite3.Connection, set_ids: Sequence[int]) -> None:
    """Once a save is written: each new set's ``stamp``, its run's results stamp then (the largest rowid, as
    ``Project.results_stamp``). A restore finding the run so still knows the set's metrics describe it whole."""
    conn.executemany("UPDATE replaced_sets SET stamp = (SELECT max(rowid) FROM results WHERE run_id = "
                     "replaced_sets.run_id) WHERE id = ?", [(int(i),) for i in set_ids])


def _stamp_now(conn: sqlite3.Connection, run_id: int) -> int | None:
    row = conn.execute("SELECT max(rowid) FROM results WHERE run_id = ?", (int(run_id),)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _advance_stamp(conn: sqlite3.Connection, run_id: int, before: int | None) -> None:
    """After results of run ``run_id`` were deleted: its results stamp (``Project.results_stamp``, the largest rowid)
    moved past ``before``, the stamp before the write, as a write moves it. A delete alone leaves it or takes it back
    (a review: a restore that only took frames away left an export of them "exported", and an older set "whole")."""
    now = _stamp_now(conn, run_id)
    if now is None or (before is not None and now > before):
        return  # no result left (no stamp: changed), or moved already by a write
    top = conn.execute("SELECT max(rowid) FROM results").fetchone()[0] or 0
    conn.execute("UPDATE results SET rowid = ? WHERE rowid = ?", (max(int(top), int(before or 0)) + 1, now))


class ReplacedMixin:
    """replaced_sets, restore_replaced: needs ``_tx``, ``_read`` and ``path``."""

    if TYPE_CHECKING:  # what the Project provides (project/store.py)
        path: Path

        def _tx(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]: ...

    def replaced_sets(self, pid: int | None = None) -> list[ReplacedSet]:
        """The kept sets of replaced masks (of ``pid``, or every person's), oldest first."""
        if not self._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'replaced_sets'"):
            return []  # a read-only project of schema 1 (READS_FROM): it has none
        where, args = ("WHERE s.pid = ? ", (int(pid),)) if pid is not None else ("", ())
        rows = self._read("SELECT s.id, s.pid, s.run_id, s.replaced, s.why, s.metrics, m.frame, m.mask IS NULL "
                          f"FROM replaced_sets s JOIN replaced_masks m ON m.set_id = s.id {where}"
                          "ORDER BY s.id, m.frame", args)
        sets: dict[int, dict[str, Any]] = {}
        for set_id, pid_, run_id, when, why, metrics, frame, absent in rows:
            one = sets.setdefault(int(set_id), {"pid": int(pid_), "run": int(run_id), "when": str(when),
                                                "why": str(why or ""), "frames": [], "absent": 0,
                                                "made": _made(metrics)})
            one["frames"].append(int(frame))
            one["absent"] += int(bool(absent))
        return [ReplacedSet(i, s["pid"], s["run"], len(s["frames"]) - s["absent"], s["absent"], tuple(s["frames"]),
                            s["when"], s["why"], s["made"]) for i, s in sets.items()]

    def replaced_set(self, set_id: int) -> ReplacedSet:
        """Set ``set_id``; HumansegError naming the project's sets when there is none of that number."""
        sets = self.replaced_sets()
        found = [s for s in sets if s.set_id == int(set_id)]
        if not found:
            raise HumansegError(f"{self.path}: no set {set_id} of replaced masks"
                                + (f" (its sets: {', '.join(str(s.set_id) for s in sets)})" if sets else
                                   " (no segmentation has replaced masks in this project)"))
        return found[0]

    def restore_replaced(self, set_id: int) -> Restored:
        """Put set ``set_id`` back as its run's results: its masks, no result where it had none, and its mask metrics
        when nothing was written to the run since that set's save. What this replaces is kept in turn as a new set."""
        from .runs import utc_now

        one = self.replaced_set(set_id)
        with self._tx("restoring replaced masks") as conn:
            if conn.execute("SELECT 1 FROM runs WHERE id = ?", (one.run_id,)).fetchone() is None:
                raise HumansegError(f"{self.path}: set {set_id}'s run {one.run_id} is no longer in the project")
            rows: list[tuple[int, int, int, bytes | None]] = [
                (one.pid, one.run_id, int(f), None if m is None else bytes(m)) for f, m in conn.execute(
                    "SELECT frame, mask FROM replaced_masks WHERE set_id = ? ORDER BY frame", (int(set_id),))]
            text, stamp = conn.execute("SELECT metrics, stamp FROM replaced_sets WHERE id = ?",
                                       (int(set_id),)).fetchone()
            metrics = _loaded(text)
            # the run as that save left it (nothing written since): the set's metrics describe it whole after the
            # restore; else its frames changed since and its metrics stay (a review: an older set's put a run
            # completed since back to "cancelled", and Play and Export took another run)
            before = _stamp_now(conn, one.run_id)
            whole = stamp is not None and stamp == before
            kept, rows = keep_replaced(conn, rows, utc_now(), f"the restore of set {set_id}")
            conn.executemany("INSERT OR REPLACE INTO results (run_id, pid, frame, mask) VALUES (?, ?, ?, ?)",
                             [(r, p, f, m) for p, r, f, m in rows if m is not None])
            conn.executemany("DELETE FROM results WHERE run_id = ? AND frame = ?",  # kept in the new set
                             [(r, f) for _p, r, f, m in rows if m is None])
            if any(m is None for *_x, m in rows):
                _advance_stamp(conn, one.run_id, before)
            if whole:  # the set's mask metrics, those it lacks removed
                _rewrite_metrics(conn, one.run_id, MASK_METRICS,
                                 {k: v for k, v in metrics.items() if k in MASK_METRICS}, utc_now())
            elif kept:  # what the metrics say of the masks is unknown now: left out, not kept wrong (a re-walk's
                # next set kept them, and its restore put them back as true); how they were made stays known where
                # the set holds every frame the run has now (a re-walk: a whole span's "evidence" was dropped)
                whole_span = {f for (f,) in conn.execute("SELECT frame FROM results WHERE run_id = ?",
                                                          (one.run_id,))} <= set(one.frames)
                made = metrics.get("refined_with")
                _rewrite_metrics(conn, one.run_id, MADE_METRICS,
                                 {"refined_with": made} if whole_span and made in MADE_WAYS else {}, utc_now())
            stamp_sets(conn, kept)
        return Restored(one, kept[0] if kept else None, whole)
