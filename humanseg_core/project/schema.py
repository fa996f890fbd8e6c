"""The project database schema and its migrations. The version lives in ``PRAGMA user_version``.

To change the schema: append a migration to ``MIGRATIONS`` (never edit a released one). Migration ``i``
takes a database at version ``i`` to ``i + 1``; ``SCHEMA_VERSION`` is ``len(MIGRATIONS)``.
"""

from __future__ import annotations

import sqlite3

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE detections (
    frame  INTEGER NOT NULL,
    method TEXT NOT NULL,
    boxes  TEXT NOT NULL,          -- JSON [[x0, y0, x1, y1], ...]
    scores TEXT NOT NULL,          -- JSON [s, ...]
    masks  TEXT,                   -- JSON [COCO RLE, ...] or NULL when the method gives none
    height INTEGER,
    width  INTEGER,
    PRIMARY KEY (frame, method)
);
CREATE TABLE proposals (
    id       INTEGER PRIMARY KEY,
    frame    INTEGER NOT NULL,
    pid      INTEGER NOT NULL,
    source   TEXT NOT NULL,
    x0 INTEGER NOT NULL, y0 INTEGER NOT NULL, x1 INTEGER NOT NULL, y1 INTEGER NOT NULL,
    score    REAL NOT NULL DEFAULT 0,
    distance REAL NOT NULL DEFAULT 0,
    flags    TEXT NOT NULL DEFAULT '[]',
    status   TEXT NOT NULL DEFAULT 'pending'
             CHECK (status IN ('pending', 'accepted', 'rejected', 'edited')),
    mask     BLOB NOT NULL,        -- rle.to_blob; an edit replaces it (the old one goes to history)
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL,
    UNIQUE (frame, pid, source)
);
CREATE INDEX proposals_pid ON proposals (pid, status);
CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,     -- 'status', 'edit' or 'regenerate'
    old_status  TEXT,
    new_status  TEXT,
    old_mask    BLOB               -- the mask before an edit or a regeneration
);
CREATE INDEX history_proposal ON history (proposal_id);
CREATE TABLE skips (
    frame  INTEGER NOT NULL,
    pid    INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (frame, pid)
);
CREATE TABLE runs (
    id         INTEGER PRIMARY KEY,
    pid        INTEGER NOT NULL,
    model      TEXT NOT NULL,
    params     TEXT NOT NULL DEFAULT '{}',
    checkpoint TEXT,
    metrics    TEXT NOT NULL DEFAULT '{}',
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL
);
CREATE TABLE results (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    pid    INTEGER NOT NULL,
    frame  INTEGER NOT NULL,
    mask   BLOB NOT NULL,
    PRIMARY KEY (run_id, frame)
);
CREATE INDEX results_pid ON results (pid, frame);
"""

# version 2 (2026-12-07, ADR 0052): a save of results that replaces a run's masks keeps them first, as one set
# (the masks, NULL where the run had none, the run's metrics about its masks then, and the run's results stamp once
# the save was done), so that ``humanseg replaced --restore`` can bring the run back as it was (they were lost)
_V2 = """
CREATE TABLE replaced_sets (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL,
    pid      INTEGER NOT NULL,
    replaced TEXT NOT NULL,
    why      TEXT NOT NULL DEFAULT '',
    metrics  TEXT NOT NULL DEFAULT '{}',
    stamp    INTEGER
);
CREATE INDEX replaced_sets_pid ON replaced_sets (pid, run_id);
CREATE TABLE replaced_masks (
    set_id INTEGER NOT NULL REFERENCES replaced_sets (id),
    frame  INTEGER NOT NULL,
    mask   BLOB,
    PRIMARY KEY (set_id, frame)
);
"""

#: MIGRATIONS[i] takes a database from version i to i + 1.
MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)
#: the oldest version this code reads as it is, unmigrated (a read-only project): version 2 only adds a table that
#: reading does without (no replaced sets where they are missing)
READS_FROM = 1


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def statements(script: str) -> list[str]:
    """``script``'s SQL statements, whole (a ``;`` inside a comment or a string ends none)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return [s for s in out if s]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` (autocommit) up to ``SCHEMA_VERSION``, one transaction per step, each reading the version again
    once it holds the write lock: two programs opening an older project at once update it once (a review's four
    processes failed on "table replaced_sets already exists"). Returns the version found first.

    The caller checks first that the version is not newer than ``SCHEMA_VERSION``.
    """
    old = user_version(conn)
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return old
            for statement in statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")  # a crash or an error leaves the previous version intact
            raise
