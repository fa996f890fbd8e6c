"""Which project files this process holds open through SQLite.

SQLite's locks on a file are POSIX advisory locks, which a process holds per file, not per handle: closing any
handle of the process on that file drops every lock its SQLite connections hold there. A command run beside the
studio then took itself for the project's only user, and deleted the WAL file the studio went on writing to: every
decision after it was lost (a walk, after Import Masks, whose job opens the project again; SQLite's "How To Corrupt
An SQLite Database File", 2.2). :func:`holds` tells ``Project.open`` not to open a file of its own there.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

_OPEN: weakref.WeakSet = weakref.WeakSet()  # every Project of this process (a closed one says so)


def add(project) -> None:
    """Count ``project`` (a ``Project``, with ``path`` and ``_closed``) among this process's."""
    _OPEN.add(project)


def holds(db: Path) -> bool:
    """Whether an open Project of this process has ``db`` (the same file) open through SQLite."""
    try:
        st = os.stat(db)
    except OSError:
        return False
    for project in list(_OPEN):
        if getattr(project, "_closed", True):
            continue
        try:
            other = os.stat(project.path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def read_header(db: Path, size: int) -> bytes:
    """The first ``size`` bytes of ``db`` (only where :func:`holds` is False: the handle is closed after)."""
    with open(db, "rb") as fh:
        return fh.read(size)
