"""Is a file open in some process? The clean-up of temporary files asks before deleting one.

A killed writer leaves ``*.tmp`` files that nobody holds open; a live writer (a training in another
process saving its checkpoint) holds its file open until it renames it. On Linux the open files of every
process are listed under ``/proc/<pid>/fd``; elsewhere a file touched in the last minute counts as in use.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_RECENT_S = 60.0


def in_use(path) -> bool:
    """True when a process (this one included) holds ``path`` open, or cannot be ruled out."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return False
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():  # pragma: no cover - not Linux
        return time.time() - st.st_mtime < _RECENT_S
    hidden = False  # a process whose open files are not ours to look at (another user's training may hold it)
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fds = list((pid_dir / "fd").iterdir())
        except PermissionError:
            hidden = True
            continue
        except OSError:  # the process ended
            continue
        for fd in fds:
            try:
                other = os.stat(fd)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return True
    # not ruled out where some processes could not be looked into: then, as elsewhere, a file touched in the last
    # minute counts as in use (a review's project opened by another user deleted a training's checkpoint mid-save)
    return hidden and time.time() - st.st_mtime < _RECENT_S


# what a file browser leaves in a folder it shows (macOS Finder, Windows Explorer): replacing a folder of ours that
# holds them loses nothing (an export, a demo scene)
BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
