"""The project store: one folder holding ``project.sqlite`` (SQLite in WAL mode, see docs/adr/0001).

Every write is its own committed transaction (``synchronous=FULL``): a decision the call returned from is
on disk, and killing the process at any moment leaves a database that opens as it was at the last commit.
Each thread gets its own connection (the GUI reads while a worker writes); writes are serialised by a lock.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

import numpy as np

from .. import rle
from ..errors import ProjectError
from ..records import ACCEPTED, STATUSES, ProjectInputs, Proposal
from . import held_here
from .connect import (
    FOLDER_WHY,
    FullDiskProjectError,
    check_version,
    migrate_checked,
    quick_check,
    read_as_it_is,
    read_only_uri,
)
from .connect import closed_on_error as _closed_on_error
from .connect import connect as _connect
from .connect import db_error as _error
from .decisions import DECIDED_ORDER, DecisionsMixin
from .detections import DetectionsMixin
from .paths import absolute_inputs, adopt_checkpoints, clean_debris, migrate_paths, outside_projects, stored_inputs
from .replaced import ReplacedMixin
from .rows import PROPOSAL_COLUMNS as _PROPOSAL_COLUMNS
from .rows import (
    BadRow,
    check_blob,
    decode_rows,
    mask_from_blob,
    proposal_from_row,
)
from .runs import RunsMixin
from .schema import READS_FROM, SCHEMA_VERSION, migrate, user_version  # noqa: F401  (SCHEMA_VERSION: re-exported)
from .settings import SettingsMixin

FILENAME = "project.sqlite"
_SQLITE_HEADER = b"SQLite format 3\x00"
log = logging.getLogger("humanseg_core.project")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Project(DecisionsMixin, RunsMixin, ReplacedMixin, SettingsMixin, DetectionsMixin):
    """A HumanSeg project folder. Use :meth:`create` or :meth:`open`; close with :meth:`close`."""

    def __init__(self, folder: Path, inputs: ProjectInputs):
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self.inputs = inputs
        self._local = threading.local()
        self._conns: weakref.WeakSet = weakref.WeakSet()  # every thread's connection, to close them all
        self._conns_lock = threading.Lock()
        # uses under way per connection: close() leaves a busy connection to its own thread, which closes it
        # when that use ends (closing a sqlite3 connection another thread is reading from crashes the process)
        self._busy: dict[sqlite3.Connection, int] = {}
        self._write_lock = threading.RLock()
        self._closed = False
        self.read_only = False  # opened read-only (:meth:`open` with ``reading``): every write is refused
        self.read_only_why = ""  # why, said after "read-only": "its folder cannot be written to", ... (ADR 0052)
        self.notes: list[str] = []  # what opening it did that is no problem (an update of its schema: said once)
        self._uri: str | None = None  # the read-only connections' URI
        held_here.add(self)
        #: what was skipped or repaired (damaged rows, debris removed, checkpoints adopted), for the user
        self.warnings: list[str] = []
        self._warned: set[str] = set()

    def warn(self, message: str) -> None:
        """Record (once) and log a warning about the project's data (``warnings``, the studio's problems strip)."""
        self._warn(message)

    def _warn(self, message: str) -> None:
        """Record (once) and log a warning about the project's data."""
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)
            log.warning("humanseg: warning: %s", message)

    # -- opening ----------------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: str | Path, inputs: ProjectInputs) -> Project:
        """Make a new project in ``folder`` (which must not exist or be empty) and open it."""
        folder = outside_projects(Path(folder), FILENAME)
        if folder.exists():
            if not folder.is_dir():
                raise ProjectError(f"{folder}: exists and is not a folder; choose another project folder")
            if (folder / FILENAME).exists():
                raise ProjectError(f"{folder}: already holds a project; open it instead of creating one")
            if any(f.name != FILENAME + ".part" for f in folder.iterdir()):  # .part: a killed create
                raise ProjectError(f"{folder}: the folder is not empty; choose an empty or new project folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError as exc:  # no project yet to copy (a walk was told to copy it somewhere writable)
            raise ProjectError(f"{folder}: cannot create the project folder there ({exc.strerror or exc}): no write "
                               "access to the folder above it; choose a project folder you may write to") from exc
        except OSError as exc:
            raise _error(folder / FILENAME, exc, "creating the project folder") from exc
        db = folder / FILENAME
        part = folder / (FILENAME + ".part")
        inputs = absolute_inputs(inputs)
        try:
            part.unlink(missing_ok=True)
            conn = sqlite3.connect(str(part), isolation_level=None)
            try:  # no journal file: the rename below is what makes the creation atomic
                conn.execute("PRAGMA journal_mode = MEMORY")
                migrate(conn)
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
                    ("inputs", json.dumps(dataclasses.asdict(inputs))),
                    ("created", _now()),
                ])
                conn.execute("COMMIT")
            finally:
                conn.close()
            os.replace(part, db)  # the project appears whole or not at all
        except (sqlite3.Error, OSError) as exc:
            part.unlink(missing_ok=True)
            raise _error(db, exc, "creating the project") from exc
        return cls.open(folder)

    @classmethod
    def open(cls, folder: str | Path, reading: bool = False, tidy: bool = True, update: bool = True) -> Project:
        """Open an existing project; ProjectError when missing, corrupt, newer or read-only. ``reading``: the
        caller only reads (a listing, an export to another folder), so a project in a read-only folder opens
        read-only (:attr:`read_only`; a write then raises ProjectError) instead of being refused (a walk's
        project on a read-only share could not even be listed). ``tidy`` False: an interrupted write's debris
        is left and a checkpoint without its run is not adopted (`humanseg status` while a run writes: a review
        found it adopting the run's newest checkpoint before the run recorded it). ``update`` False (with ``reading``):
        an older schema is read as it is, read-only, not updated (a command that only reads, ADR 0052)."""
        folder = Path(folder)
        db = folder / FILENAME
        if folder.is_file() and folder.name == FILENAME:
            folder, db = folder.parent, folder
        if not folder.is_dir():
            raise ProjectError(f"{folder}: " + ("exists and is not a folder (a project is a folder)"
                                                if folder.exists() else "no such project folder"))
        if not db.is_file():
            raise ProjectError(f"{folder}: not a HumanSeg project (no {FILENAME} in it)")
        try:  # not with a file handle of its own where this process holds the file through SQLite: closing it
            # would drop the process's locks on it, and a command then deleted the WAL the studio wrote to, every
            # later decision lost (a walk: after Import Masks, whose job opens the project again)
            header = _SQLITE_HEADER if held_here.holds(db) else held_here.read_header(db, len(_SQLITE_HEADER))
        except OSError as exc:
            raise _error(db, exc, "reading the project") from exc
        if header != _SQLITE_HEADER:
            raise ProjectError(f"{db}: the project database is corrupt or not a HumanSeg project (not an "
                               f"SQLite file); restore it from a backup or create a new project.")
        if not os.access(folder, os.W_OK) or not os.access(db, os.W_OK):
            if reading:
                return cls._open_read_only(folder, db)
            where = f"folder {folder}" if not os.access(folder, os.W_OK) else f"file {db.name} (the folder is)"
            raise ProjectError(f"{db}: the project is read-only; changing it needs write access to the "
                               f"{where}. Copy the project somewhere writable (listing it, `masks` and "
                               "`export` to another folder, and the studio, read it as it is).")

        if reading and (why := read_as_it_is(db, folder, update)):
            return cls._open_read_only(folder, db, why=why)
        try:
            return cls._open_writable(folder, db, tidy)
        except FullDiskProjectError:
            if reading:  # what is saved can still be read, listed and exported elsewhere
                return cls._open_read_only(folder, db, full_disk=True)
            raise

    @classmethod
    def _open_writable(cls, folder: Path, db: Path, tidy: bool) -> Project:
        def checks(c: sqlite3.Connection) -> None:
            check_version(db, c)
            quick_check(db, c)

        conn = _connect(db, check=checks)
        notes: list[str] = []
        with _closed_on_error(conn, db):
            version = user_version(conn)
            if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise ProjectError(f"{db}: an SQLite file that is not a HumanSeg project")
            said = migrate_checked(conn, db, folder, version)  # an older schema updated: said once, no problem
            migrate_paths(conn, folder)
            inputs = stored_inputs(conn, db, folder)
            if tidy:
                clean_debris(folder, notes.append)
                adopt_checkpoints(conn, folder, notes.append)
        project = cls(folder, inputs)
        project._adopt(conn)
        for note in notes:
            project._warn(note)
        if said:
            project.notes.append(said)
            log.warning("humanseg: note: %s", said)
        return project

    @classmethod
    def _open_read_only(cls, folder: Path, db: Path, full_disk: bool = False, why: str = FOLDER_WHY) -> Project:
        """:meth:`open` of a project SQLite cannot write to: nothing migrated, cleaned or adopted."""
        def checks(c: sqlite3.Connection) -> None:
            check_version(db, c)
            if user_version(c) < READS_FROM:
                raise ProjectError(f"{db}: the project is read-only and was made by an older HumanSeg Studio: it "
                                   f"must be updated before use. Copy the project somewhere writable.")
            quick_check(db, c)

        uri = read_only_uri(db, full_disk)  # every thread's connection reads the same way (a review)
        conn = _connect(db, check=checks, read_only=True, uri=uri)
        with _closed_on_error(conn, db):
            inputs = stored_inputs(conn, db, folder)
        project = cls(folder, inputs)
        project.read_only, project._uri, project.read_only_why = True, uri, why
        project._adopt(conn)
        return project

    # -- connections ------------------------------------------------------------------------------
    def _adopt(self, conn: sqlite3.Connection) -> None:
        self._local.conn = conn
        with self._conns_lock:
            self._conns.add(conn)

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise ProjectError(f"{self.path}: the project is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path, read_only=self.read_only, uri=self._uri)
            self._adopt(conn)
        return conn

    @contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, marked busy while it is used (see :meth:`close`)."""
        conn = self._conn()
        with self._conns_lock:
            if self._closed:
                raise ProjectError(f"{self.path}: the project is closed")
            self._busy[conn] = self._busy.get(conn, 0) + 1
        try:
            yield conn
        finally:
            with self._conns_lock:
                self._busy[conn] -= 1
                last = self._busy[conn] == 0
                if last:
                    del self._busy[conn]
                close_now = last and self._closed
            if close_now:  # the project was closed during this use
                self._local.conn = None
                try:
                    conn.close()
                except sqlite3.Error:
                    pass

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this thread's connection: it changes when another connection (another
        thread, or another program such as `humanseg run`) commits a change to the project."""
        return int(self._read("PRAGMA data_version")[0][0])

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list:
        try:
            with self._using() as conn:
                return conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            if self.read_only and self._uri and self._uri.endswith("immutable=1"):  # read as unchanging, and
                raise ProjectError(f"{self.path}: the project changed while it was read here (another program "  # it
                                   f"writes it: {exc}); open it again") from exc  # changed: not a corrupt file
            raise _error(self.path, exc, "reading the project") from exc

    @contextmanager
    def _tx(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One committed write transaction; rolled back whole on any error."""
        if self.read_only:
            copy = " Copy the project somewhere writable." if self.read_only_why == FOLDER_WHY else ""
            raise ProjectError(f"{self.path}: the project is read-only ({self.read_only_why}) while {doing}.{copy}")
        with self._using() as conn, self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _error(self.path, exc, doing) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, sqlite3.Error):
                    raise _error(self.path, exc, doing) from exc
                raise

    def close(self) -> None:
        with self._conns_lock:
            conns = [c for c in self._conns if c not in self._busy]  # a busy one closes when its use ends
            self._conns = weakref.WeakSet()
            self._closed = True
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- proposals --------------------------------------------------------------------------------
    def add_proposals(self, proposals: Iterable[Proposal]) -> None:
        """Store proposals in one transaction, upserting by (frame, pid, source); sets each ``.id``.

        A stored proposal that is still pending is replaced by the new one. One the analyst has already
        decided (accepted, rejected, edited) is kept as it is: the object then takes the stored id, status
        and mask, so a re-run of the proposal step never loses a decision.
        """
        proposals = list(proposals)
        for p in proposals:
            if p.status not in STATUSES:
                raise ValueError(f"unknown status {p.status!r} (expected one of {STATUSES})")
        now = _now()
        with self._tx("saving proposals") as conn:
            for p in proposals:
                key = (int(p.frame), int(p.pid), p.source)
                row = conn.execute("SELECT id, status, mask, x0, y0, x1, y1, score, distance, flags FROM proposals "
                                   "WHERE frame = ? AND pid = ? AND source = ?", key).fetchone()
                box = [int(round(float(v))) for v in p.box]
                values = (*box, float(p.score), float(p.distance), json.dumps(list(p.flags)), p.status,
                          rle.to_blob(p.mask))
                if row is None:
                    cur = conn.execute(
                        "INSERT INTO proposals (frame, pid, source, x0, y0, x1, y1, score, distance, flags, "
                        "status, mask, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*key, *values, now, now))
                    p.id = int(cast(int, cur.lastrowid))  # an INSERT's row
                elif row[1] == "pending" and (*row[3:], "pending", row[2]) == values:
                    p.id = int(row[0])  # proposed again as it was: unchanged, `updated` too (status reads it, ADR 0044)
                elif row[1] == "pending":
                    conn.execute("UPDATE proposals SET x0 = ?, y0 = ?, x1 = ?, y1 = ?, score = ?, distance = ?, "
                                 "flags = ?, status = ?, mask = ?, updated = ? WHERE id = ?",
                                 (*values, now, row[0]))
                    p.id = int(row[0])
                else:
                    p.id, p.status = int(row[0]), row[1]
                    try:
                        p.mask = mask_from_blob(self.path, "proposals", row[0], row[2])
                    except BadRow as exc:  # the decision stays; its unreadable mask is replaced by the new one
                        self._warn(f"{exc}: its mask is replaced by the new proposal's")
                        conn.execute("UPDATE proposals SET mask = ?, updated = ? WHERE id = ?",
                                     (rle.to_blob(p.mask), now, row[0]))
                conn.execute("DELETE FROM skips WHERE frame = ? AND pid = ?", key[:2])

    def proposals(self, pid: int | None = None, status: str | Iterable[str] | None = None,
                  with_masks: bool = True) -> list[Proposal]:
        """Proposals ordered by (pid, frame, source); ``status`` is one status or a sequence of them.

        ``with_masks=False`` leaves ``.mask`` as None (fast listing).
        """
        where: list[str] = []
        args: list[Any] = []
        if pid is not None:
            where.append("pid = ?")
            args.append(int(pid))
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            args.extend(statuses)
        columns = _PROPOSAL_COLUMNS if with_masks else _PROPOSAL_COLUMNS.replace(", mask", ", NULL")
        sql = f"SELECT {columns} FROM proposals"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._read(sql + " ORDER BY pid, frame, source, id", args)
        return decode_rows(rows, lambda r: proposal_from_row(self.path, r), self._warn)

    def get_proposal(self, proposal_id: int) -> Proposal:
        rows = self._read(f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE id = ?", (int(proposal_id),))
        if not rows:
            raise ProjectError(f"{self.path}: no proposal with id {proposal_id}")
        try:
            return proposal_from_row(self.path, rows[0])
        except BadRow as exc:  # recorded for the user too (the studio's Problems list), then raised
            self._warn(str(exc))
            raise

    def pids(self) -> list[int]:
        """Persons that have proposals (a hand-edited pid that is not an integer is left out)."""
        return [int(r[0]) for r in self._read("SELECT DISTINCT pid FROM proposals WHERE typeof(pid) = 'integer' "
                                              "ORDER BY pid")]

    def counts(self, pid: int | None = None) -> dict[str, int]:
        """Number of proposals per status (every status present, 0 when none)."""
        sql, args = "SELECT status, count(*) FROM proposals", cast(tuple[Any, ...], ())
        if pid is not None:
            sql, args = sql + " WHERE pid = ?", (int(pid),)
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({s: int(n) for s, n in self._read(sql + " GROUP BY status", args)})
        return counts

    def counts_by_pid(self) -> dict[int, dict[str, int]]:
        """{pid: {status: number of proposals}} of every person with proposals, in one query."""
        out: dict[int, dict[str, int]] = {}
        for pid, status, n in self._read("SELECT pid, status, count(*) FROM proposals GROUP BY pid, status"):
            if isinstance(pid, int):  # a damaged row's pid ('abc') is reported where the row is read, not here
                out.setdefault(pid, dict.fromkeys(STATUSES, 0))[str(status)] = int(n)
        return out

    def accepted_frame_sets(self) -> dict[int, set[int]]:
        """{pid: frames with an accepted or edited proposal} of every person, in one query, no mask read."""
        out: dict[int, set[int]] = {}
        for pid, frame in self._read(f"SELECT pid, frame FROM proposals WHERE status IN "
                                     f"({', '.join('?' * len(ACCEPTED))})", tuple(ACCEPTED)):
            if isinstance(pid, int) and isinstance(frame, int):
                out.setdefault(pid, set()).add(frame)
        return out

    def accepted_masks(self, pid: int) -> dict[int, np.ndarray]:
        """{frame: bool mask} of the accepted and edited proposals of ``pid``.

        When several sources were accepted on one frame, an edited one wins, then the latest decided.
        """
        rows = self._read(
            f"SELECT frame, mask FROM proposals WHERE pid = ? AND status IN ({', '.join('?' * len(ACCEPTED))}) "
            f"{DECIDED_ORDER}", (int(pid), *ACCEPTED))
        return self._masks("proposals (accepted masks)", rows)  # the last per frame wins

    def mask_blobs(self, pid: int, kind: str, run_id: int | None = None,
                   frame: int | None = None, checked: bool = False) -> dict[int, bytes]:
        """{frame: RLE blob} (``rle.from_blob`` decodes one) without decoding anything: ``kind`` is
        ``"accepted"`` (as :meth:`accepted_masks` picks them), ``"proposals"`` (one per frame: the last
        source) or ``"results"`` (of run ``run_id``).  For viewers that decode only what they show; ``frame``:
        that frame's alone (one row read, not the person's every frame). ``checked``: each checked as decoding
        checks it (not decoded) and a damaged one left out with a warning, as :meth:`accepted_masks` and
        :meth:`results` leave it out."""
        one, at = ("AND frame = ? ", (int(frame),)) if frame is not None else ("", ())
        if kind == "accepted":
            sql = (f"SELECT frame, mask FROM proposals WHERE pid = ? AND status IN ({', '.join('?' * len(ACCEPTED))}) "
                   f"{one}{DECIDED_ORDER}")
            args: tuple = (int(pid), *ACCEPTED, *at)
        elif kind == "proposals":
            sql = f"SELECT frame, mask FROM proposals WHERE pid = ? {one}ORDER BY frame, source, id"
            args = (int(pid), *at)
        elif kind == "results":
            sql = f"SELECT frame, mask FROM results WHERE pid = ? AND run_id = ? {one}ORDER BY frame"
            args = (int(pid), int(run_id if run_id is not None else -1), *at)
        else:
            raise ValueError(f"unknown mask kind {kind!r} (accepted, proposals or results)")
        rows = self._read(sql, args)
        if kind == "results" and rows and (hidden := self.hidden_frames(pid)):  # marked not visible (V): no mask
            rows = [(f, _empty_like(b) if f in hidden and b is not None else b) for f, b in rows]
        if checked:  # each row checked in order, the last that decodes kept, as the decoding listings pick them
            table = {"accepted": "proposals (accepted masks)", "results": f"results of run {run_id}"}.get(kind, kind)
            good: dict[int, bytes] = {}
            for frame, blob in rows:
                if self._masks(table, [(frame, blob)], keep=False):
                    good[int(frame)] = bytes(blob)
            return good
        return {int(f): bytes(b) for f, b in rows if b is not None and isinstance(f, int)}

    def _masks(self, table: str, rows: Iterable[Sequence[Any]], keep: bool = True) -> dict[int, Any]:
        """{frame: mask} from (frame, blob) rows, skipping (with a warning) the rows that cannot be decoded;
        ``keep`` False: {frame: True}, each checked without decoding it."""
        out: dict[int, Any] = {}
        for frame, blob in rows:
            try:
                if isinstance(frame, bool) or not isinstance(frame, int):
                    raise BadRow(self.path, table, f"of frame {frame!r}", "the frame is not an integer")
                if keep:
                    out[frame] = mask_from_blob(self.path, table, f"of frame {frame}", blob)
                else:  # the same checks, the mask not decoded
                    check_blob(self.path, table, f"of frame {frame}", blob)
                    out[frame] = True
            except BadRow as exc:
                self._warn(str(exc))
        return out


def _empty_like(blob: bytes) -> bytes:
    """An empty mask's blob of the size of ``blob`` (``blob`` itself when it is not one: decoding says why)."""
    try:
        return rle.to_blob(np.zeros(rle.blob_size(blob), bool))
    except rle.MaskDataError:
        return blob
