"""A project's lock file: one studio window edits a project at a time.

``studio.lock`` in the project folder holds the pid (and host) of the process that edits the project. A
second window finds it, says who holds it, and opens the project read-only. A lock whose process is gone
(a crash, kill -9) is stale and taken over. The lock is advisory: the store stays consistent either way
(SQLite WAL); it saves the analyst from two windows deciding over each other.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "studio.lock"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def holder(folder: str | Path) -> LockHolder | None:
    """The live process (other than this one) that holds ``folder``'s lock, or None (none, stale, ours)."""
    path = Path(folder) / LOCK_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        who = LockHolder(int(data["pid"]), str(data.get("host", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if who.pid == os.getpid() and who.host == socket.gethostname():
        return None
    if who.host and who.host != socket.gethostname():
        return who  # another machine: cannot check, assume alive
    return who if _alive(who.pid) else None


def acquire(folder: str | Path) -> LockHolder | None:
    """Take ``folder``'s lock for this process; returns the other live holder instead (lock not taken)."""
    other = holder(folder)
    if other is not None:
        return other
    path = Path(folder) / LOCK_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}), encoding="utf-8")
    os.replace(tmp, path)
    return None


def release(folder: str | Path) -> None:
    """Drop the lock when this process holds it."""
    path = Path(folder) / LOCK_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data["pid"]) == os.getpid() and data.get("host") == socket.gethostname():
            path.unlink()
    except (OSError, ValueError, KeyError, TypeError):
        pass
