"""The analyst's decisions on proposals in the project store (a mixin of :class:`Project`): statuses, edited
masks, and their history. Each is its own committed transaction (see :mod:`.store`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import rle
from ..errors import ProjectError
from ..records import ACCEPTED, HAND_SOURCE, SKIPPED_FLAG, STATUSES
from .rows import BadRow, mask_from_blob
from .runs import _now

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path


#: the order in which an accepted or edited proposal becomes its frame's label: the last per frame wins
DECIDED_ORDER = "ORDER BY frame, status = 'edited', updated, id"


class DecisionsMixin:
    """set_status, set_statuses, drop_blank_hand_label, set_mask, history, decided_ids: needs ``_tx``, ``_read``,
    ``_warn``."""

    if TYPE_CHECKING:  # what the Project provides (project/store.py)
        path: Path

        def _tx(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]: ...
        def _warn(self, message: str) -> None: ...

    def set_status(self, proposal_id: int, status: str) -> bool:
        """Record a decision (committed before returning). Returns False when it was already so."""
        return self.set_statuses([proposal_id], status) == 1

    def set_statuses(self, proposal_ids: Iterable[int], status: str, expected: Mapping[int, str] | None = None,
                     left: list[int] | None = None) -> int:
        """The same decision for many proposals, in one transaction. Returns how many changed. With ``expected``
        ({id: status as the caller saw it}), one decided elsewhere since is left as it is (its id added to ``left``)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected one of {STATUSES})")
        changed = 0
        now = _now()
        with self._tx("saving a decision") as conn:
            for proposal_id in proposal_ids:
                row = conn.execute("SELECT status FROM proposals WHERE id = ?", (int(proposal_id),)).fetchone()
                if row is None:
                    raise ProjectError(f"{self.path}: no proposal with id {proposal_id}")
                if expected is not None and row[0] != expected.get(int(proposal_id), row[0]):
                    if left is not None:  # decided elsewhere since (to this status, too): not this call's
                        left.append(int(proposal_id))
                    continue
                if row[0] == status:
                    continue
                conn.execute("UPDATE proposals SET status = ?, updated = ? WHERE id = ?",
                             (status, now, int(proposal_id)))
                conn.execute("INSERT INTO history (proposal_id, at, action, old_status, new_status) "
                             "VALUES (?, ?, 'status', ?, ?)", (int(proposal_id), now, row[0], status))
                changed += 1
        return changed

    def drop_blank_hand_label(self, proposal_id: int) -> bool:
        """Remove a mask put up to draw by hand (source ``hand``) that is still empty, pending and never
        changed: left without a stroke it is nothing the analyst made. True when it was removed."""
        with self._tx("removing an empty hand label") as conn:
            row = conn.execute("SELECT source, status, mask, frame, pid, flags FROM proposals WHERE id = ?",
                               (int(proposal_id),)).fetchone()
            changed = conn.execute("SELECT 1 FROM history WHERE proposal_id = ?", (int(proposal_id),)).fetchone()
            if row is None or row[0] != HAND_SOURCE or row[1] != "pending" or changed or rle.from_blob(row[2]).any():
                return False
            conn.execute("DELETE FROM proposals WHERE id = ?", (int(proposal_id),))
            for flag in json.loads(row[5] or "[]"):  # the frame's skip, which the label had replaced, is back
                if isinstance(flag, str) and flag.startswith(SKIPPED_FLAG):
                    conn.execute("INSERT OR REPLACE INTO skips (frame, pid, reason) VALUES (?, ?, ?)",
                                 (row[3], row[4], flag[len(SKIPPED_FLAG):]))
        return True

    def drop_stale_pending(self, pid: int, keep: Iterable[int], sources: Iterable[str]) -> int:
        """Remove person ``pid``'s pending proposals of ``sources`` (a proposal method's) other than ``keep`` that no
        one ever decided (no history): a person placed anew, proposed again, had its old placement's proposals left
        pending where the new one proposed nothing, and a run trained on them (a re-walk). Returns how many."""
        kept, sources = {int(i) for i in keep}, list(sources)
        if not sources:
            return 0
        with self._tx("removing proposals placed by the old reading") as conn:
            rows = conn.execute(f"SELECT id FROM proposals WHERE pid = ? AND status = 'pending' AND source IN "
                                f"({', '.join('?' * len(sources))}) AND id NOT IN (SELECT proposal_id FROM history)",
                                (int(pid), *sources)).fetchall()
            stale = [int(r[0]) for r in rows if int(r[0]) not in kept]
            conn.executemany("DELETE FROM proposals WHERE id = ?", [(i,) for i in stale])
        return len(stale)

    def set_mask(self, proposal_id: int, mask: np.ndarray, status: str = "edited") -> None:
        """Replace a proposal's mask (an edit); the old mask and status go to the history. Its box becomes the
        new mask's extent (an empty mask keeps the box), so the review frames what is stored."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected one of {STATUSES})")
        blob = rle.to_blob(mask)
        ys, xs = np.nonzero(np.asarray(mask))
        box = None if len(xs) == 0 else (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        now = _now()
        with self._tx("saving an edited mask") as conn:
            row = conn.execute("SELECT status, mask FROM proposals WHERE id = ?", (int(proposal_id),)).fetchone()
            if row is None:
                raise ProjectError(f"{self.path}: no proposal with id {proposal_id}")
            try:
                stored_size = rle.blob_size(row[1])
            except rle.MaskDataError:  # an unreadable stored mask: the edit replaces it
                stored_size = rle.blob_size(blob)
            if stored_size != rle.blob_size(blob):
                raise ValueError(f"mask size {rle.blob_size(blob)} differs from the proposal's {stored_size}")
            conn.execute("UPDATE proposals SET mask = ?, status = ?, updated = ? WHERE id = ?",
                         (blob, status, now, int(proposal_id)))
            if box is not None:
                conn.execute("UPDATE proposals SET x0 = ?, y0 = ?, x1 = ?, y1 = ? WHERE id = ?",
                             (*box, int(proposal_id)))
            conn.execute("INSERT INTO history (proposal_id, at, action, old_status, new_status, old_mask) "
                         "VALUES (?, ?, 'edit', ?, ?, ?)", (int(proposal_id), now, row[0], status, row[1]))

    def decided_ids(self, pid: int) -> dict[int, int]:
        """{frame: id of the proposal that is the person's label there}: of the accepted and edited proposals on
        a frame, an edited one, then the latest decided (as ``accepted_masks`` and the exports pick them; a
        whole-scene run's labels follow it, not the proposals' scores)."""
        marks = ", ".join("?" * len(ACCEPTED))
        rows = self._read(f"SELECT frame, id FROM proposals WHERE pid = ? AND status IN ({marks}) {DECIDED_ORDER}",
                          (int(pid), *ACCEPTED))
        return {int(frame): int(pick) for frame, pick in rows}  # the last per frame wins

    def history(self, proposal_id: int) -> list[dict]:
        """Every decision and edit of a proposal, oldest first: at, action, old_status, new_status, old_mask."""
        rows = self._read("SELECT at, action, old_status, new_status, old_mask FROM history "
                          "WHERE proposal_id = ? ORDER BY id", (int(proposal_id),))
        return [dict(at=at, action=action, old_status=old, new_status=new,
                     old_mask=self._history_mask(proposal_id, blob))
                for at, action, old, new, blob in rows]

    def _history_mask(self, proposal_id: int, blob: bytes | None) -> np.ndarray | None:
        if blob is None:
            return None
        try:
            return mask_from_blob(self.path, "history of proposal", proposal_id, blob)
        except BadRow as exc:
            self._warn(str(exc))
            return None
