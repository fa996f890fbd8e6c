"""A project's lock file: one studio window edits a project at a time.

``studio.lock`` in the project folder holds the pid (and host) of the process that edits the project. A
second window finds it, says who holds it, and opens the project read-only. A lock whose process is gone
(a crash, kill -9) is stale and taken over. The lock is advisory: the store stays consistent either way
(SQLite WAL); it saves the analyst from two windows deciding over each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "studio.lock"
STALE_TAKEOVER_S = 2.0  # a takeover file older than this was left by a process killed while taking a lock over


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) sends CTRL_C_EVENT there: ask for the process instead (a review)
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    except OSError:
        return True  # cannot tell: taken as alive (the project then opens read-only, never edited twice)
    return True


def _alive_on_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def holder(folder: str | Path) -> LockHolder | None:
    """The live process (other than this one) that holds ``folder``'s lock, or None (none, stale, ours)."""
    recorded = _recorded(Path(folder) / LOCK_NAME)
    if recorded is None:
        return None
    who, started = recorded
    if _is_ours(who):
        return None
    if who.host and who.host != socket.gethostname():
        return who  # another machine: cannot check, assume alive
    held = _held_folder(Path(folder) / LOCK_NAME)
    if held and held != str(Path(folder).resolve()) and Path(held).is_dir() and not _same_folder(held, folder):
        return None  # a copy (cp -a) of a project a window holds: the lock is the original's (a walk's copy opened
        # read-only, "open in another window"); a project moved while held still says so; the same folder reached
        # by another path (a bind mount, a link, another case of its letters) is no copy (a review)
    if isinstance(started, int) and _started(who.pid) not in (None, started):
        return None  # the pid now another process's (a crashed window's, reused: a review)
    return who if _alive(who.pid) else None


def _same_folder(one: str | Path, other: str | Path) -> bool:
    """Whether two paths name the same folder (its device and inode); True where that cannot be told: the lock
    then stands, and the project opens read-only rather than edited twice."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return True


def _started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, Linux's /proc), None where that cannot be read."""
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
        return int(stat[stat.rindex(")") + 2:].split()[19])  # field 22, after the command's parentheses
    except (OSError, ValueError, IndexError):
        return None


def acquire(folder: str | Path) -> LockHolder | None:
    """Take ``folder``'s lock for this process; returns the other holder instead (lock not taken).

    The lock is written whole under a name of this process's own, then linked into place, which fails where a
    lock is there already: of two windows opening the project at once one takes it (a review: both had checked,
    found none, and written it). A stale lock is taken over by one process at a time. Where it cannot be taken
    within a few seconds (another process's takeover under way), the holder the file names is returned: the
    window then opens the project read-only rather than two windows editing it (a review: it said taken)."""
    path = Path(folder) / LOCK_NAME
    tmp = path.with_name(f"{LOCK_NAME}.{socket.gethostname()}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": _started(os.getpid()),
                               "folder": str(Path(folder).resolve())}), encoding="utf-8")
    deadline = time.monotonic() + STALE_TAKEOVER_S + 1.0
    try:
        while True:
            try:
                os.link(tmp, path)
                return _ours_or_written(path)
            except FileExistsError:
                other = holder(folder)
                if other is not None:
                    return other
                if _take_over(path, tmp):  # stale, unreadable or ours
                    return _ours_or_written(path)
            except OSError:  # a file system without hard links: as before links were used
                other = holder(folder)
                if other is not None:
                    return other
                try:
                    os.replace(tmp, path)
                except OSError:  # (Windows: another window reads it now)
                    return _written(path) or LockHolder(0, "")
                return _ours_or_written(path)
            if time.monotonic() > deadline:
                return _written(path) or LockHolder(0, "")
            time.sleep(0.05)  # another process is taking a stale lock over
    finally:
        tmp.unlink(missing_ok=True)


def _recorded(path: Path) -> tuple[LockHolder, object] | None:
    """(the holder the lock file ``path`` names, the start time it records) or None when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(int(data["pid"]), str(data.get("host", ""))), data.get("started")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _held_folder(path: Path) -> str:
    """The project folder the lock file ``path`` was written for ("" where it does not say: before 7 Dec)."""
    try:
        folder = json.loads(path.read_text(encoding="utf-8")).get("folder")
    except (OSError, ValueError, AttributeError):
        return ""
    return folder if isinstance(folder, str) else ""


def _is_ours(who: LockHolder) -> bool:
    return who.pid == os.getpid() and who.host == socket.gethostname()


def _written(path: Path) -> LockHolder | None:
    """The holder ``path`` names, alive or not; None when it cannot be read."""
    recorded = _recorded(path)
    return None if recorded is None else recorded[0]


def _ours_or_written(path: Path) -> LockHolder | None:
    """None when the lock at ``path`` is this process's (read back), else the holder it names."""
    who = _written(path)
    if who is not None and _is_ours(who):
        return None
    return who or LockHolder(0, "")


def _take_over(path: Path, tmp: Path) -> bool:
    """Replace a lock no live process holds, one process at a time (a takeover file guards it; one left by a
    process killed in these few lines is ignored after a few seconds)."""
    guard = path.with_name(f"{LOCK_NAME}.takeover")
    try:
        os.close(os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        with contextlib.suppress(OSError):
            if time.time() - guard.stat().st_mtime > STALE_TAKEOVER_S:
                guard.unlink()
        return False
    except OSError:
        return False
    try:
        if holder(path.parent) is not None:  # taken by another process in the meantime
            return False
        os.replace(tmp, path)
        return True
    except OSError:  # (Windows: another window reads it now)
        return False
    finally:
        guard.unlink(missing_ok=True)


def release(folder: str | Path) -> None:
    """Drop the lock when this process holds it."""
    path = Path(folder) / LOCK_NAME
    who = _written(path)
    if who is not None and _is_ours(who):
        with contextlib.suppress(OSError):
            path.unlink()


def this_process() -> dict:
    """This process as a run records it (``metrics.process``): pid, host and start time."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _started(os.getpid())}


def process_gone(record: object) -> bool:
    """Whether the process a run recorded (:func:`this_process`) has ended: a run that was neither finished nor
    marked stopped is then one that was killed, else one still running (a review: the studio called a run still at
    work in a terminal "closed or killed"). No record (runs before 6 Dec) counts as gone; another machine's as at
    work, as :func:`holder` takes it."""
    if not isinstance(record, dict):
        return True
    pid, started = record.get("pid"), record.get("started")
    if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid < 2 ** 31:  # a damaged record (a review)
        return True
    if record.get("host") != socket.gethostname():
        return False  # another machine's: cannot check, taken as at work (as the lock takes it: never two writers)
    if isinstance(started, int) and _started(pid) not in (None, started):
        return True  # the pid is another process's now
    return not _alive(pid)
