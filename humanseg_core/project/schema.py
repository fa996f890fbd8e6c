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

# version 2 (2026-12-07, ADR 0052): a segmentation that writes a run's frames again keeps the masks it replaces,
# one batch per save, so that ``humanseg replaced --restore`` can bring them back (they were lost)
_V2 = """
CREATE TABLE results_replaced (
    id       INTEGER PRIMARY KEY,
    batch    INTEGER NOT NULL,
    run_id   INTEGER NOT NULL,
    pid      INTEGER NOT NULL,
    frame    INTEGER NOT NULL,
    mask     BLOB NOT NULL,
    replaced TEXT NOT NULL
);
CREATE INDEX results_replaced_batch ON results_replaced (batch);
CREATE INDEX results_replaced_pid ON results_replaced (pid, run_id);
"""

#: MIGRATIONS[i] takes a database from version i to i + 1.
MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)
#: the oldest version this code reads as it is, unmigrated (a read-only project): version 2 only adds a table that
#: reading does without (``results_replaced``: empty where it is missing)
READS_FROM = 1


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` up to ``SCHEMA_VERSION``, one transaction per step. Returns the old version.

    The caller checks first that the version is not newer than ``SCHEMA_VERSION``.
    """
    old = version = user_version(conn)
    while version < SCHEMA_VERSION:
        script = MIGRATIONS[version]
        # executescript() commits first; wrap the step so a crash leaves the previous version intact.
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        version = user_version(conn)
    return old
