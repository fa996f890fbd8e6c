"""Detections and skipped frames of the project store (a mixin of :class:`Project`): the detector's boxes,
scores and masks per (frame, method), computed once and read back; and the frames a proposal method skipped
for a person, with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .. import rle
from ..records import HAND_SOURCE, Detection, Skip
from .rows import BadRow, decode_rows, detection_from_row, skip_from_row

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path


class DetectionsMixin:
    """save_detections, load_detections, add_skips, skips: needs ``_tx``, ``_read``, ``_warn``, ``path``."""

    if TYPE_CHECKING:  # what the Project provides (project/store.py)
        path: Path

        def _tx(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]: ...
        def _warn(self, message: str) -> None: ...

    # -- detections -------------------------------------------------------------------------------
    def save_detections(self, det: Detection) -> None:
        boxes = np.asarray(det.boxes, dtype=float).reshape(-1, 4)
        masks = None
        height = width = None
        if det.masks is not None:
            masks = [rle.to_coco(m) for m in det.masks]
            if masks:
                height, width = masks[0]["size"]
        with self._tx("saving detections") as conn:
            conn.execute("INSERT OR REPLACE INTO detections (frame, method, boxes, scores, masks, height, width) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (int(det.frame), det.method, json.dumps(boxes.tolist()),
                          json.dumps(np.asarray(det.scores, dtype=float).reshape(-1).tolist()),
                          None if masks is None else json.dumps(masks), height, width))

    def load_detections(self, frame: int, method: str) -> Detection | None:
        rows = self._read("SELECT boxes, scores, masks FROM detections WHERE frame = ? AND method = ?",
                          (int(frame), method))
        if not rows:
            return None
        try:
            return detection_from_row(self.path, int(frame), method, rows[0])
        except BadRow as exc:  # computed again by the caller, as if it had never been stored
            self._warn(str(exc))
            return None

    # -- skips ------------------------------------------------------------------------------------
    def add_skips(self, skips: Iterable[Skip]) -> None:
        with self._tx("saving skipped frames") as conn:
            conn.executemany("INSERT OR REPLACE INTO skips (frame, pid, reason) VALUES (?, ?, ?)",
                             [(int(s.frame), int(s.pid), str(s.reason)) for s in skips])

    def skips(self, pid: int | None = None) -> list[Skip]:
        sql, args = "SELECT frame, pid, reason FROM skips", cast(tuple[Any, ...], ())
        if pid is not None:
            sql, args = sql + " WHERE pid = ?", (int(pid),)
        return decode_rows(self._read(sql + " ORDER BY pid, frame", args), lambda r: skip_from_row(self.path, r),
                           self._warn)

    # -- labels -------------------------------------------------------------------------------------
    def label_frame_counts(self) -> dict[int, int]:
        """{pid: frames holding a label with pixels}: one a frame, as training and export take it (a walk read 12
        labels in the Persons tab, 11 in Train); see :meth:`label_frame_sets`."""
        return {pid: len(frames) for pid, frames in self.label_frame_sets().items()}

    def label_frame_sets(self, hidden: bool = False, pid: int | None = None) -> dict[int, set[int]]:
        """{pid: frames whose label, the analyst's latest decision there (ADR 0051: an edited mask first, then the
        latest decided, as training and export take it), holds pixels}; ``hidden``: the frames whose label is empty
        instead (Review's V, not visible there). Export Masks offered a person of V marks alone, and a frame with an
        accepted mask under a later V, and the export then failed: a walk and a review. ``pid``: that person's alone."""
        from .decisions import DECIDED_ORDER

        labelled = "status IN ('accepted', 'edited')" + ("" if pid is None else " AND pid = ?")
        last: dict[tuple[int, int], bool] = {}  # (pid, frame): the winning label holds pixels
        for who, frame, blob in self._read(f"SELECT pid, frame, CASE WHEN length(mask) < ? THEN mask END FROM "
                                           f"proposals WHERE {labelled} {DECIDED_ORDER}",
                                           (rle.LONG_BLOB, *(() if pid is None else (int(pid),)))):
            if isinstance(who, int) and isinstance(frame, int):  # a long mask holds pixels; a short one may not
                last[(who, frame)] = blob is None or rle.blob_holds_pixels(blob)
        out: dict[int, set[int]] = {}
        for (who, frame), pixels in last.items():
            if pixels != hidden:
                out.setdefault(who, set()).add(frame)
        return out

    def blank_edits(self) -> dict[int, int]:
        """{pid: its edited proposals that hold no pixel} (Review's V marks, one a proposal: two proposals of one
        frame marked read as one frame not visible and, subtracted frame for frame, as one mask edited: a review)."""
        out: dict[int, int] = {}
        for who, blob in self._read("SELECT pid, mask FROM proposals WHERE status = 'edited' AND length(mask) < ?",
                                    (rle.LONG_BLOB,)):
            if isinstance(who, int) and isinstance(blob, bytes) and not rle.blob_holds_pixels(blob):
                out[who] = out.get(who, 0) + 1
        return out

    def labels_changed_since(self, since: dict[int, tuple[str, float | None]]) -> dict[int, tuple[int, str, bool]]:
        """{pid: (frames whose label changed after a time, the latest change's time, whether a label the run
        counted was taken away: rejected, or undone)}. ``since``: {pid: (UTC ISO
        time, the score from which pending proposals counted as labels then, None: none did)}, as a run's Accept
        policy took them (all: 0, score>=x: x, reviewed: None). A proposal changed a label when it counts now and
        did not then, or the reverse (a mask made or imported, accepted, rejected; an accept undone is no change),
        or when it counted both times and its mask changed (an edit; a pending one that counts proposed again). A
        walk's hand masks imported after an export had left the person "exported", its network never saw them."""
        changed, removed = self._labels_changed(since)
        return {pid: (len(frames), max(frames.values()), pid in removed) for pid, frames in changed.items()}

    def label_frames_changed_since(self, since: dict[int, tuple[str, float | None]]) -> dict[int, set[int]]:
        """{pid: the frames :meth:`labels_changed_since` counts}: labels the run reading them at that time never saw
        (Quality scores its results there as held out: a walk's 200 masks imported after a run read "training")."""
        return {pid: set(frames) for pid, frames in self._labels_changed(since)[0].items()}

    def _labels_changed(self, since: dict[int, tuple[str, float | None]]) -> tuple[dict[int, dict[int, str]], set[int]]:
        if not since:
            return {}, set()
        # a proposal changed after a time was updated after it (a decision, an edit, a new proposal or a pending
        # one proposed again all set `updated`): one plain scan finds the few, where a join of every person's rows
        # took 15-30 ms for 400 persons of 50 proposals (the Persons table reads this after every decision)
        first = min(at for at, _least in since.values())
        made = [r for r in self._read("SELECT id, pid, frame, status, score, source, created, updated FROM proposals "
                                      "WHERE updated > ?", (first,)) if int(r[1]) in since]
        later: dict[int, list] = {}  # {proposal id: its history rows after the first time, oldest first}
        for row in self._read("SELECT proposal_id, at, action, old_status FROM history WHERE at > ? ORDER BY id",
                              (first,)):
            later.setdefault(int(row[0]), []).append(row[1:])
        changed: dict[int, dict[int, str]] = {}  # {pid: {frame: its latest change}}
        removed: set[int] = set()  # persons one of whose labels the run counted counts no more
        for proposal, pid, frame, status, score, source, created, updated in made:
            at, least = since[int(pid)]
            if str(updated) <= at:
                continue
            taken = least is not None and source != HAND_SOURCE and float(score or 0) >= least  # pending, it counts
            rows = [r for r in later.get(int(proposal), []) if str(r[0]) > at]
            then = None if str(created) > at else rows[0][2] if rows else status  # None: not there yet
            before = then in ("accepted", "edited") or (then == "pending" and taken)
            after = status in ("accepted", "edited") or (status == "pending" and taken)
            edited = any(action != "status" for _t, action, _old in rows)
            # a pending proposal updated after its last decision was proposed again (its mask, maybe its score:
            # one that counted then is a change, whatever it scores now)
            # (a hand label left blank stays pending: never a label)
            again = status == "pending" and then == "pending" and least is not None and source != HAND_SOURCE and \
                str(updated) > max((str(t) for t, _a, _o in rows), default="")
            if before and not after:
                removed.add(int(pid))
            if before != after or ((before or after) and edited) or again:
                frames = changed.setdefault(int(pid), {})
                frames[int(frame)] = max(str(updated), frames.get(int(frame), ""))
        return changed, removed
