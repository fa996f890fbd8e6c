"""Segmentation results written again: the masks they replace are kept (ADR 0052).

``humanseg segment`` (and the studio's Segment tab) on a run that already has results stores the new masks under the
same run. The old ones were overwritten: masks an older network, another refine mode or the per-frame evidence of
other persons made could not be made again. Each save that replaces masks now copies them first into
``results_replaced`` as one numbered batch; :meth:`ReplacedMixin.restore_replaced` puts a batch back, keeping the
masks it replaces in turn as a new batch. Nothing is ever deleted from that table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import HumansegError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path


@dataclass(frozen=True)
class ReplacedBatch:
    """Masks one save replaced: of person ``pid``'s run ``run_id``, on ``frames`` frames ``first``..``last``."""

    batch: int
    pid: int
    run_id: int
    frames: int
    first: int
    last: int
    replaced: str  # when (UTC ISO)

    def text(self) -> str:
        span = f"frame {self.first}" if self.first == self.last else f"frames {self.first}-{self.last}"
        return (f"set {self.batch}: person {self.pid}, run {self.run_id}, {self.frames} mask"
                f"{'' if self.frames == 1 else 's'} ({span}), replaced {self.replaced[:19].replace('T', ' ')} UTC")


def keep_replaced(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, int, bytes]], now: str) -> int | None:
    """Inside the save's transaction, before ``rows`` (pid, run_id, frame, blob) are written: copy the stored masks
    they replace (those that differ) into ``results_replaced`` as a new batch. Returns its number, or None when
    nothing was replaced."""
    old: list[tuple[int, int, int, bytes]] = []
    for _pid, run_id, frame, blob in rows:
        found = conn.execute("SELECT pid, mask FROM results WHERE run_id = ? AND frame = ?",
                             (int(run_id), int(frame))).fetchone()
        if found is not None and found[1] is not None and bytes(found[1]) != bytes(blob):
            old.append((int(found[0]), int(run_id), int(frame), bytes(found[1])))
    if not old:
        return None
    batch = int(conn.execute("SELECT coalesce(max(batch), 0) + 1 FROM results_replaced").fetchone()[0])
    conn.executemany("INSERT INTO results_replaced (batch, run_id, pid, frame, mask, replaced) "
                     "VALUES (?, ?, ?, ?, ?, ?)", [(batch, r, p, f, m, now) for p, r, f, m in old])
    return batch


class ReplacedMixin:
    """replaced_batches, restore_replaced: needs ``_tx``, ``_read`` and ``path``."""

    if TYPE_CHECKING:  # what the Project provides (project/store.py)
        path: Path

        def _tx(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]: ...

    def replaced_batches(self, pid: int | None = None) -> list[ReplacedBatch]:
        """The kept batches of replaced masks (of ``pid``, or every person's), oldest first."""
        where, args = ("WHERE pid = ? ", (int(pid),)) if pid is not None else ("", ())
        if not self._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'results_replaced'"):
            return []  # a read-only project of schema 1 (READS_FROM): it has none
        rows = self._read("SELECT batch, pid, run_id, count(*), min(frame), max(frame), min(replaced) "
                          f"FROM results_replaced {where}GROUP BY batch, pid, run_id ORDER BY batch", args)
        return [ReplacedBatch(int(b), int(p), int(r), int(n), int(a), int(z), str(t)) for b, p, r, n, a, z, t in rows]

    def restore_replaced(self, batch: int) -> tuple[ReplacedBatch, int | None]:
        """Put batch ``batch``'s masks back as their run's results. The masks now stored on those frames are kept in
        turn as a new batch (returned second, None when there were none or they were the same)."""
        from .runs import utc_now

        found = [b for b in self.replaced_batches() if b.batch == int(batch)]
        if not found:
            known = [b.batch for b in self.replaced_batches()]
            raise HumansegError(f"{self.path}: no set {batch} of replaced masks"
                                + (f" (its sets: {', '.join(map(str, known))})" if known else
                                   " (no segmentation has replaced masks in this project)"))
        with self._tx("restoring replaced masks") as conn:
            rows = [(int(p), int(r), int(f), bytes(m)) for p, r, f, m in conn.execute(
                "SELECT pid, run_id, frame, mask FROM results_replaced WHERE batch = ? ORDER BY frame",
                (int(batch),)).fetchall()]
            missing = sorted({r for _p, r, _f, _m in rows
                              if conn.execute("SELECT 1 FROM runs WHERE id = ?", (r,)).fetchone() is None})
            if missing:
                raise HumansegError(f"{self.path}: set {batch}'s run {missing[0]} is no longer in the project")
            kept = keep_replaced(conn, rows, utc_now())
            conn.executemany("INSERT OR REPLACE INTO results (run_id, pid, frame, mask) VALUES (?, ?, ?, ?)",
                             [(r, p, f, m) for p, r, f, m in rows])
        return found[0], kept


