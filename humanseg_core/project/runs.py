"""Training runs and their segmentation results in the project store (a mixin of :class:`Project`).

Checkpoint paths inside the project are stored relative to it and returned absolute (see :mod:`.paths`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .. import rle
from ..errors import ProjectError
from ..run_state import stopped_early
from .paths import from_stored, to_stored
from .rows import BadRow, decode_rows, mask_from_blob, run_from_row

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Container, Iterable, Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path


def _loaded(text: object) -> dict:
    """A stored JSON object, or {} (unreadable text: the run counts as an ordinary one)."""
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def utc_now() -> str:
    """Now, as the store writes its times (UTC ISO, microseconds): they compare as text."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


_now = utc_now


class RunsMixin:
    """add_run, update_run, runs, save_results, results: needs ``_tx``, ``_read``, ``_masks``, ``_warn``."""

    if TYPE_CHECKING:  # what the Project provides (project/store.py)
        folder: Path
        path: Path

        def _tx(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]: ...
        def _using(self) -> AbstractContextManager[sqlite3.Connection]: ...
        _local: Any
        def _warn(self, message: str) -> None: ...
        def _masks(self, table: str, rows: Iterable[Sequence[Any]]) -> dict[int, np.ndarray]: ...

    # -- training runs and results ----------------------------------------------------------------
    def add_run(self, pid: int, model: str, params: dict | None = None, checkpoint: str | None = None,
                metrics: dict | None = None) -> int:
        """Record a training run; ``checkpoint`` inside the project is stored relative to it (portable).

        A checkpoint the project adopted on open (its training was killed before recording it) gets this
        run's details instead of a second run."""
        now = _now()
        stored = to_stored(self.folder, checkpoint)
        with self._tx("saving a training run") as conn:
            row = None if stored is None else conn.execute(
                "SELECT id FROM runs WHERE checkpoint = ? AND params LIKE '%\"adopted\": true%'", (stored,)).fetchone()
            if row is not None:
                conn.execute("UPDATE runs SET pid = ?, model = ?, params = ?, metrics = ?, updated = ? "
                             "WHERE id = ?",
                             (int(pid), model, json.dumps(params or {}), json.dumps(metrics or {}), now, row[0]))
                return int(row[0])
            cur = conn.execute("INSERT INTO runs (pid, model, params, checkpoint, metrics, created, updated) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (int(pid), model, json.dumps(params or {}), stored, json.dumps(metrics or {}), now, now))
            return int(cast(int, cur.lastrowid))  # an INSERT's row

    def update_run(self, run_id: int, metrics: dict | None = None, checkpoint: str | None = None) -> None:
        """Merge ``metrics`` into the run's metrics and/or set its checkpoint."""
        with self._tx("updating a training run") as conn:
            row = conn.execute("SELECT metrics FROM runs WHERE id = ?", (int(run_id),)).fetchone()
            if row is None:
                raise ProjectError(f"{self.path}: no training run with id {run_id}")
            try:
                old = json.loads(row[0])
                old = old if isinstance(old, dict) else {}
            except (TypeError, ValueError):
                self._warn(f"{self.path}: runs row {run_id}: its stored metrics were unreadable and are replaced")
                old = {}
            merged = {**old, **(metrics or {})}
            conn.execute("UPDATE runs SET metrics = ?, updated = ? WHERE id = ?",
                         (json.dumps(merged), _now(), int(run_id)))
            if checkpoint is not None:
                conn.execute("UPDATE runs SET checkpoint = ? WHERE id = ?",
                             (to_stored(self.folder, checkpoint), int(run_id)))

    def runs(self, pid: int | None = None, ids: Iterable[int] | None = None) -> list[dict]:
        """Training runs, oldest first: id, pid, model, params, checkpoint, metrics, created, updated; of
        ``pid`` only, and of the run ids ``ids`` only, when given."""
        sql = "SELECT id, pid, model, params, checkpoint, metrics, created, updated FROM runs"
        where, args = [], []
        if pid is not None:
            where.append("pid = ?")
            args.append(int(pid))
        if ids is not None:
            wanted = sorted({int(i) for i in ids})
            where.append(f"id IN ({', '.join('?' * len(wanted))})" if wanted else "0")
            args += wanted
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._read(sql + " ORDER BY id", tuple(args))
        runs = decode_rows(rows, lambda r: run_from_row(self.path, r), self._warn)
        for run in runs:  # stored relative to the project: callers get absolute paths
            ckpt = run["checkpoint"]
            run["checkpoint"] = from_stored(self.folder, ckpt) if isinstance(ckpt, str) else None
        return runs

    def save_results(self, pid: int, run_id: int, masks: dict, why: str = "") -> int | None:
        """Store a run's segmentation masks ({frame: mask}) in place of that run's masks on those frames, which are
        kept (:mod:`.replaced`; ``why``: what replaced them, said with the set); returns the number of the set keeping
        them, or None when none were replaced."""
        return self.save_result_blobs([(int(pid), int(run_id), int(f), rle.to_blob(m)) for f, m in masks.items()],
                                      why)

    def save_result_blobs(self, rows: list[tuple[int, int, int, bytes]], why: str = "") -> int | None:
        """:meth:`save_results` of many persons and runs in one transaction: rows of (pid, run_id, frame,
        ``rle.to_blob(mask)``) (a whole-scene run stores a chunk of frames at once: one commit, not one per
        person and frame). Returns the first set made, or None."""
        if not rows:
            return None
        from .replaced import keep_replaced, stamp_sets

        with self._tx("saving segmentation results") as conn:
            for run_id in sorted({int(r[1]) for r in rows}):
                if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                    raise ProjectError(f"{self.path}: no training run with id {run_id}")
            made, changes = keep_replaced(conn, rows, _now(), why)
            conn.executemany("INSERT OR REPLACE INTO results (run_id, pid, frame, mask) VALUES (?, ?, ?, ?)",
                             [(int(r), int(p), int(f), b) for p, r, f, b in changes])
            stamp_sets(conn, made)
        return made[0] if made else None

    def hidden_frames(self, pid: int) -> set[int]:
        """The frames whose latest label of ``pid`` says "not visible" (Review's V, an empty label): results read
        there are empty, whenever the run was made (the README promises no mask there in runs and exports; a walk's
        Play, Quality and `humanseg masks` showed the network's mask on such a frame). The stored result stays as
        the run made it: a V taken back shows it again."""
        return self.label_frame_sets(hidden=True, pid=pid).get(int(pid), set())  # type: ignore[attr-defined]

    def results_stamp(self, run_ids: Iterable[int]) -> dict[int, int]:
        """{run: a number that changes whenever a result of it is written again}: the largest rowid of its results
        (INSERT OR REPLACE gives a replaced row a new one). An export keeps it: a person segmented again after it
        is no longer "exported" (an upgrade walk's status said done of masks replaced since)."""
        ids = sorted({int(r) for r in run_ids})
        if not ids:
            return {}
        rows = self._read(f"SELECT run_id, max(rowid) FROM results WHERE run_id IN ({', '.join('?' * len(ids))}) "
                          "GROUP BY run_id", ids)
        return {int(r): int(m) for r, m in rows if m is not None}

    def result_runs(self) -> dict[int, int]:
        """{pid: the run Play and Export use} of every person that has segmentation results: the newest run with
        results that segmented to its end (:func:`stopped_early`: a Whole scene run cancelled or failed
        half-way did not), else the newest (ADR 0011, as :meth:`results` picks it)."""
        return {pid: run for pid, (run, _n) in self.result_frames().items()}

    def network_counts(self) -> dict[int, int]:
        """{pid: networks stored (distinct checkpoints of its runs)} of every person with one, in one query: a run that
        reused a cancelled run's network is no second network (a walk read "Trained 2" of one training)."""
        rows = self._read("SELECT pid, count(DISTINCT checkpoint) FROM runs WHERE checkpoint IS NOT NULL GROUP BY pid")
        return {pid: int(n) for pid, n in rows if isinstance(pid, int)}

    def newest_result_runs(self) -> dict[int, int]:
        """{pid: the newest run with stored results, whether or not it finished} of every person with results
        (a run stored since is new: the Whole scene panel tells what a cancel left)."""
        rows = self._read("SELECT pid, max(run_id) FROM results WHERE typeof(run_id) = 'integer' GROUP BY pid")
        return {int(pid): int(run_id) for pid, run_id in rows if run_id is not None}

    def result_frames(self) -> dict[int, tuple[int, int]]:
        """{pid: (the run Play and Export use, its number of result frames)} of every person, in one query, read again
        only after a change to the project: by this thread's connection (its ``total_changes``) or by any other,
        another program's included (``PRAGMA data_version``). A stall audit found the studio's panels asking for it
        several times a selection or decision (11 ms each on a 41-person project; 1 s of opening one)."""
        with self._using() as conn:
            key = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
            local = self._local  # this thread's: a new thread (a reused ident, a connection at a freed address, the
            cached = getattr(local, "result_frames", None)  # same fresh counters) never sees another's (a review)
            if cached is None or cached[0] is not conn or cached[1] != key:
                cached = (conn, key, self._used_runs(None))
                local.result_frames = cached
        return dict(cached[2])

    def used_run(self, pid: int) -> int | None:
        """The run Play and Export use for ``pid`` (:meth:`result_runs` of that person alone), or None."""
        used = self._used_runs(int(pid)).get(int(pid))
        return None if used is None else used[0]

    def _used_runs(self, pid: int | None) -> dict[int, tuple[int, int]]:
        """{pid: (run, frames)} of every person (or of ``pid``): per person, the newest run with results that did
        not stop early, else the newest (a cancelled run is the default only when it is all there is)."""
        one = "r.pid = ? AND " if pid is not None else ""
        rows = self._read("SELECT r.pid, r.run_id, count(*), runs.params, runs.metrics FROM results r "
                          f"LEFT JOIN runs ON runs.id = r.run_id WHERE {one}typeof(r.run_id) = 'integer' "
                          "GROUP BY r.pid, r.run_id", () if pid is None else (int(pid),))
        best: dict[int, tuple[bool, int, int]] = {}
        for pid_, run_id, n, params, metrics in rows:
            done = not stopped_early({"params": _loaded(params), "metrics": _loaded(metrics)})
            key = (done, int(run_id), int(n))
            if int(pid_) not in best or key[:2] > best[int(pid_)][:2]:
                best[int(pid_)] = key
        return {pid: (run, n) for pid, (_done, run, n) in best.items()}

    def result_frame_sets(self, runs: Mapping[int, int]) -> dict[int, set[int]]:
        """{pid: the frames with stored results of run ``runs[pid]``} for every pid of ``runs``, in one query, no
        mask read (the Export dialog counted them person by person, reading every blob: 1134 reads a stall
        audit timed at 0.3 s on 94 persons)."""
        wanted = sorted({int(r) for r in runs.values()})
        out: dict[int, set[int]] = {int(p): set() for p in runs}
        if not wanted:
            return out
        rows = self._read(f"SELECT pid, run_id, frame FROM results WHERE run_id IN ({', '.join('?' * len(wanted))}) "
                          "AND typeof(frame) = 'integer' AND mask IS NOT NULL", tuple(wanted))
        for pid, run_id, frame in rows:
            if isinstance(pid, int) and runs.get(pid) == run_id:
                out[pid].add(int(frame))
        return out

    def result_counts(self, pid: int) -> dict[int, int]:
        """{run id: frames with stored results} of ``pid``'s runs that have results, oldest run first (a
        count: nothing is decoded)."""
        rows = self._read("SELECT run_id, count(*) FROM results WHERE pid = ? AND typeof(run_id) = 'integer' "
                          "GROUP BY run_id ORDER BY run_id", (int(pid),))
        return {int(run_id): int(n) for run_id, n in rows}

    def undecodable_results(self, pid: int, run_id: int, skip: Container[int] = ()) -> list[int]:
        """The frames of run ``run_id``'s stored results of ``pid`` (those not in ``skip``, already decoded) whose
        mask cannot be decoded: a damaged row (an export names them: a walk's left a gap no list named)."""
        frames = self._read("SELECT frame FROM results WHERE pid = ? AND run_id = ? ORDER BY frame",
                            (int(pid), int(run_id)))  # the frames first: the masks already decoded are not read again
        bad = []
        for (frame,) in frames:
            if not isinstance(frame, int) or isinstance(frame, bool) or frame in skip:
                continue
            blob = self._read("SELECT mask FROM results WHERE pid = ? AND run_id = ? AND frame = ?",
                              (int(pid), int(run_id), frame))[0][0]
            try:
                mask_from_blob(self.path, "results", f"of frame {frame}", blob)
            except BadRow:
                bad.append(int(frame))
        return bad

    def results(self, pid: int, run_id: int | None = None, as_stored: bool = False) -> dict[int, np.ndarray]:
        """{frame: mask} of one run's results (default: the run :meth:`result_runs` names for ``pid``), empty where
        the analyst marked the person not visible; ``as_stored``: as the run made them, for a copy into another run
        (a retrain's kept frames had stored the V frames' blanks, and taking the V back then showed no mask)."""
        if run_id is None:
            run_id = self.used_run(pid)
            if run_id is None:
                return {}
        rows = self._read("SELECT frame, mask FROM results WHERE pid = ? AND run_id = ? ORDER BY frame",
                          (int(pid), int(run_id)))
        masks = self._masks(f"results of run {run_id}", rows)
        for frame in (self.hidden_frames(pid) if masks and not as_stored else set()) & set(masks):  # V: no mask
            masks[frame] = np.zeros_like(masks[frame], dtype=bool)
        return masks

