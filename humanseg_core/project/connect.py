"""Opening the project database: connections (WAL, FULL sync), the integrity check, and errors that say
what to do. Any failure while opening becomes a :class:`ProjectError` naming the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ProjectError
from . import schema
from .schema import user_version


class FullDiskProjectError(ProjectError):
    """The project's disk is full: a command that only reads opens it read-only instead (a walk's full disk refused
    even `status`, so nothing could be copied off)."""


def db_error(db: Path, exc: BaseException, doing: str) -> ProjectError:
    """Turn an sqlite3/OS/decoding error into a ProjectError that says what to do."""
    text = str(exc)
    low = text.lower()
    if "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
        return ProjectError(f"{db}: the project is read-only ({text}) while {doing}; changing it needs "
                            f"write access to the folder {db.parent}. Copy the project somewhere writable.")
    if ("not a database" in low or "malformed" in low or "corrupt" in low
            or isinstance(exc, (UnicodeDecodeError, ValueError))):
        return ProjectError(f"{db}: the project database is corrupt or not a HumanSeg project ({text}); "
                            f"restore it from a backup or create a new project.")
    if "disk is full" in low or "no space" in low or ("disk i/o error" in low and disk_nearly_full(db.parent)):
        return FullDiskProjectError(f"{db}: the disk is full while {doing}; nothing was saved by this step and "
                            f"everything saved before is kept. Free some space and try again.")
    return ProjectError(f"{db}: {text} (while {doing})")


@contextmanager
def closed_on_error(conn: sqlite3.Connection, db: Path) -> Iterator[None]:
    """Opening steps on ``conn``: any error closes it, and a database's error is said as opening the project's."""
    try:
        yield
    except (sqlite3.Error, UnicodeDecodeError, OSError) as exc:
        conn.close()
        raise db_error(db, exc, "opening the project") from exc
    except BaseException:
        conn.close()
        raise


def disk_nearly_full(folder: Path, floor: int = 4 << 20) -> bool:
    """True when the disk holding ``folder`` has less than ``floor`` bytes free: SQLite says "disk I/O error", not
    "disk is full", when it cannot grow its journal files while opening (a walk's full disk)."""
    import os
    import shutil

    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:  # read-only media report nothing free (squashfs, a disc)
            return False
        return shutil.disk_usage(folder).free < floor
    except OSError:
        return False


def check_version(db: Path, conn: sqlite3.Connection) -> None:
    version = user_version(conn)
    if version > schema.SCHEMA_VERSION:
        raise ProjectError(f"{db}: this project was made by a newer HumanSeg Studio (schema {version} > "
                           f"{schema.SCHEMA_VERSION}); update HumanSeg Studio to open it.")


def quick_check(db: Path, conn: sqlite3.Connection) -> None:
    """``PRAGMA quick_check``: ProjectError naming the first problems when the database is damaged."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    if rows != ["ok"]:
        raise ProjectError(f"{db}: the project database is damaged ({'; '.join(rows)}); restore it from a "
                           f"backup, or recover what SQLite can read with `sqlite3 {db.name} .recover`.")


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced: it closes when its thread ends and drops it."""


def read_only_uri(db: Path, full_disk: bool = False) -> str:
    """The URI that reads a project SQLite cannot write to (a read-only folder or medium).

    With a ``-shm`` file (another program has the project open, or left it so) ``mode=ro``: it follows that
    program's changes (``immutable`` had read stale rows, then called the rewritten file corrupt: a review).
    Without one, nobody writes it now and no change waits in a ``-wal`` file: ``immutable``, which needs no
    lock file. Changes left in a ``-wal`` file without its ``-shm`` can only be read where that file can be made:
    a ProjectError says so. ``full_disk``: the disk is full, so the ``-shm`` file cannot grow and ``mode=ro`` fails
    ("disk I/O error", a re-walk's tmpfs); with no change waiting in the ``-wal`` file (a writable opening that
    failed left an empty one, and a 3-byte ``-shm``) the database file alone holds everything: ``immutable``."""
    from urllib.parse import quote

    from ..errors import ProjectError

    shm, wal = (db.with_name(db.name + suffix) for suffix in ("-shm", "-wal"))
    uri = f"file:{quote(str(db.absolute()))}"
    try:
        pending = wal.is_file() and wal.stat().st_size > 0
    except OSError:
        pending = True
    if full_disk and not pending:
        return uri + "?immutable=1"
    if shm.exists():
        return uri + "?mode=ro"
    if pending:
        raise ProjectError(f"{db}: the project's last changes are in {wal.name}, which SQLite can only read where "
                           f"the folder {db.parent} can be written to (it was not closed cleanly). Copy the project "
                           "folder, with that file, somewhere writable and open the copy.")
    return uri + "?immutable=1"


def connect(db: Path, check=None, read_only: bool = False, uri: str | None = None) -> sqlite3.Connection:
    """A connection set up for the store: autocommit (explicit transactions), WAL, FULL sync; ``read_only``: a
    connection that only reads (:func:`read_only_uri`), for a project on a read-only folder.

    ``check(conn)`` runs before anything is changed (the version and integrity tests of ``Project.open``)."""
    try:
        target = (uri or read_only_uri(db)) if read_only else str(db)  # ``uri``: the one the project opened with
        conn = sqlite3.connect(target, timeout=30.0, isolation_level=None, check_same_thread=False,
                               factory=_Connection, uri=read_only)
    except (sqlite3.Error, OSError) as exc:
        raise db_error(db, exc, "opening the project") from exc
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if check is not None:
            check(conn)
        if read_only:
            conn.execute("PRAGMA query_only = ON")
            return conn
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch to WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except (sqlite3.Error, UnicodeDecodeError, ValueError) as exc:  # a damaged header page decodes badly
        conn.close()
        raise db_error(db, exc, "opening the project") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def older_schema(db: Path) -> bool:
    """Whether ``db`` holds an older schema this code reads as it is (READS_FROM on)."""
    try:
        from urllib.parse import quote

        conn = sqlite3.connect(f"file:{quote(str(db.absolute()))}?mode=ro", uri=True)  # (a review: "shot#1" read as a
        # fragment: the check failed and a reading command updated the project)
        try:
            return schema.READS_FROM <= user_version(conn) < schema.SCHEMA_VERSION
        finally:
            conn.close()
    except sqlite3.Error:
        return False  # the writable opening says what is wrong


def check_no_older_studio(db: Path, folder: Path, version: int) -> None:
    """ProjectError when a studio window of another process holds ``folder`` while its schema is older: that window
    (older code, perhaps) would go on writing it without what the update brings (a walk's old studio replaced a
    run's masks after a new command had updated the project, and nothing kept them)."""
    import socket

    from .lock import LOCK_NAME, holder

    who = holder(folder)
    if who is not None:
        # another machine's lock cannot be checked from here: a crash there left it for good (a data-safety review)
        remote = bool(who.host) and who.host != socket.gethostname()
        way = (f", or delete {Path(folder) / LOCK_NAME} if no window there has it open (a window that ended without "
               "closing leaves it)" if remote else "")
        raise ProjectError(f"{db}: this project must be updated from schema {version} to {schema.SCHEMA_VERSION} to be "
                           f"changed, and a studio window holds it (process {who.pid}"
                           + (f" on {who.host}" if who.host else "") + f"): close that window first{way}")


def migrate_checked(conn: sqlite3.Connection, db: Path, folder: Path, version: int) -> str:
    """``schema.migrate(conn)`` of a project at ``version`` (refused while a studio window holds it: see
    :func:`check_no_older_studio`); returns what to say of an update ("" when there was none)."""
    if version < schema.SCHEMA_VERSION:
        check_no_older_studio(db, folder, version)
    if schema.migrate(conn) < schema.SCHEMA_VERSION and version:
        return (f"{db}: updated from schema {version} to {schema.SCHEMA_VERSION} (masks a segmentation replaces are "
                "kept, ADR 0052): HumanSeg Studio older than 7 Dec 2026 can no longer open it")
    return ""


FOLDER_WHY = "its folder cannot be written to"  # Project.read_only_why of a read-only folder or full disk
OLDER_WHY = ("its schema is older: read as it is; a command that changes it, or the studio, updates it (HumanSeg "
             "Studio older than 7 Dec 2026 then no longer opens it)")
HELD_WHY = "its schema is older and another studio window holds it: read as it is until that window closes"


def read_as_it_is(db: Path, folder: Path, update: bool) -> str:
    """Why a reading opening of ``db`` reads it read-only, not updated (:data:`OLDER_WHY`, :data:`HELD_WHY`), or "":
    an older schema when the caller only reads (not ``update``), or when a studio window of another process holds
    it (a second window is read-only anyway; updating would refuse, :func:`check_no_older_studio`)."""
    from .lock import holder

    if not older_schema(db):
        return ""
    return HELD_WHY if holder(folder) is not None else "" if update else OLDER_WHY
