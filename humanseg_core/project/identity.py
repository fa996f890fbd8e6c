"""Which project a folder holds, as exports record it: when it was made (:meth:`Project.identity`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import ProjectError
from .connect import read_only_uri
from .settings import IDENTITY_SQL
from .store import FILENAME


def identity_of(folder: str | Path) -> str:
    """:meth:`Project.identity` of the project in ``folder``, read without opening it for writing; "" where there
    is none or it cannot be read."""
    db = Path(folder) / FILENAME
    if not db.is_file():
        return ""
    try:
        conn = sqlite3.connect(read_only_uri(db), uri=True)
        try:
            rows = conn.execute(IDENTITY_SQL).fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, ProjectError, OSError):
        return ""
    return str(rows[0][0]) if rows and rows[0][0] else ""
