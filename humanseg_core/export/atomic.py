"""Atomic export folders, safe file names, and the few file writers every export goes through.

An export is written into a hidden temporary folder beside the target and renamed into place only when
complete: a crash, a cancel or a full disk leaves the previous export (and the project) as they were.
An existing, non-empty target is replaced only with ``force``; a target that is or contains a project or a
checkpoints folder is never replaced (see :mod:`.guard`), and a swap a kill interrupted is finished or undone
by the next export of the same target.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import HumansegError
from .guard import STAMP, not_an_export, protected_problem, recover, safe_resolve, stamp_text, tmp_prefix

_UNSAFE = re.compile(r"[^\w.-]+")
MAX_NAME = 100


class ExportError(HumansegError):
    """An export cannot be written (target exists, disk full, nothing to export...)."""


def sanitise_name(name, default: str) -> str:
    """A single safe path component from a person or sequence name: letters (Unicode too), digits, ``. _ -`` only.

    Separators and other characters become ``_``; leading/trailing dots, dashes and underscores go, so
    ``"../evil"`` becomes ``"evil"``; an empty result gives ``default``.
    """
    text = "" if name is None else unicodedata.normalize("NFC", str(name))  # (é typed as e + accent: one letter)
    text = _UNSAFE.sub("_", text).strip("._-")[:MAX_NAME].strip("._-")
    return text or default


def unique_names(names: dict, default: str = "person_{pid}") -> dict:
    """{pid: raw name or None} -> {pid: sanitised name}, unique ignoring case (folders on macOS and Windows) by
    appending ``_<pid>``, then a count, until free (an audit: ``{1: "a", 2: "a_3", 3: "a"}`` gave persons 2 and 3
    one folder, one's masks written over the other's)."""
    out, used = {}, set()

    def key(text: str) -> str:  # one folder on macOS and Windows: case, and é written as one or two characters
        return unicodedata.normalize("NFC", text).casefold()

    for pid in sorted(names):
        base = sanitise_name(names[pid], default.format(pid=pid))
        name, n = base, 1
        while key(name) in used:
            name = f"{base}_{pid}" if n == 1 else f"{base}_{pid}_{n}"
            n += 1
        used.add(key(name))
        out[pid] = name
    return out


def inside(root: Path, *parts: str) -> Path:
    """``root / parts`` after checking that it cannot leave ``root`` (belt and braces after sanitising)."""
    path = Path(root).joinpath(*parts)
    if safe_resolve(root) not in safe_resolve(path).parents:
        raise ExportError(f"{path}: refusing to write outside the export folder {root}")
    return path


def follow_link(target) -> Path:
    """``target`` as an absolute path, a link to a folder followed: the export goes there and the link stays (a
    walk's link was replaced by a folder, the folder it named left empty); a link to nothing is an ExportError."""
    target = Path(target).expanduser().absolute()
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if not real.exists():
            raise ExportError(f"{target}: a link to {os.readlink(target)}, which does not exist; make that folder or "
                              "choose another export folder (nothing was changed)")
        target = real
    return target


def recover_target(target) -> list[str]:
    """:func:`~.guard.recover` of the folder an export of ``target`` writes: through a link, where it points (even
    a link to nothing: an interrupted swap through it left the folder moved aside), beside which the export's
    temporary folders lie (a review: recovered on the link's side, they were never found)."""
    path = Path(target).expanduser().absolute()
    return recover(Path(os.path.realpath(path)) if path.is_symlink() else path)


def check_target(target, force: bool, protect=()) -> Path:
    """Raise ExportError when writing ``target`` would overwrite something it must not."""
    target = follow_link(target)
    for folder in protect:
        folder = safe_resolve(folder)
        t = safe_resolve(target)
        if t == folder or (t / "project.sqlite").exists():
            raise ExportError(f"{target}: refusing to write an export over a project folder; "
                              "choose another export folder")
        if t in folder.parents:  # (a walk's folder of projects was called "a project folder")
            raise ExportError(f"{target}: refusing to write an export here: the folder holds the project {folder}, "
                              "and an export replaces its target whole; choose another export folder")
    problem = protected_problem(target)
    if problem is not None:
        raise ExportError(f"{target}: refusing to write an export here: the folder {problem}, and an export "
                          f"replaces its target whole; choose another export folder")
    if target.exists():
        if not target.is_dir():
            raise ExportError(f"{target}: exists and is not a folder; choose another export folder")
        used = any(target.iterdir())
        other = not_an_export(target) if used else None
        if other is not None:  # replacing it would delete what is not ours: nothing saved is ever lost (said
            raise ExportError(f"{target}: refusing to replace this folder: it {other} (nothing was changed)")
            # (a walk read one 80-word sentence; each reason says its own way out) before --force:
        if used and not force:  # a walk was told to use --force, then refused for it)
            raise ExportError(f"{target}: already exists and holds an earlier export; choose an empty or new folder "
                              "(the command line's --force replaces it)")
    probe(target.parent)
    return target


def probe(parent: Path) -> None:
    """Fail now, not after the work, when nothing can be written beside the target (``/proc/x``, a
    read-only disk): the export's temporary folder is made there. The parent folders made to try are taken away
    again (a walk's refused `run` said "nothing was changed" and left its --out's new parent folder behind); the
    export makes them when it writes."""
    made = [p for p in (parent, *parent.parents) if not os.path.lexists(p)]  # deepest first
    try:
        parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=".humanseg-probe-", dir=parent))
    except OSError as exc:
        file = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
        if file is not None:  # (a walk's --out afile.txt/sub read "cannot write there (File exists)")
            raise ExportError(f"{file}: is a file, not a folder, so no export folder can be made under it; choose "
                              "another export folder (nothing was changed)") from None
        raise ExportError(f"{parent}: cannot write there ({exc.strerror or exc}); choose another export "
                          "folder (nothing was changed)") from None
    finally:
        for folder in made:
            try:
                folder.rmdir()  # only if still empty: another process may have used it meanwhile
            except FileNotFoundError:
                continue  # (not made: the making failed above it)
            except OSError:
                break


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # the process's: a temporary folder is created 0700, an export folder must not be


UNTOUCHED = "The previous export, if any, and the project are untouched."
# a segmentation stores its results in the project before it writes them out (a walk's full disk read "the project
# [is] untouched" after the results had been replaced)
RESULTS_KEPT = ("The previous export, if any, is untouched; the project keeps the results just stored: write them "
                "again with `humanseg export --source results` (or `masks --source results`).")


@contextmanager
def atomic_folder(target, force: bool = False, protect=(), after: str = UNTOUCHED) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` in one rename.

    On any error the temporary folder is removed and ``target`` is left untouched. An ``OSError`` (disk
    full, permissions) becomes an :class:`ExportError` that says so, and then ``after`` (what became of the
    previous export and the project).
    """
    recover_target(target)
    target = check_target(target, force, protect)
    before = _identity(target)  # another command's export put there meanwhile is never replaced (below)
    try:
        for tries_left in (2, 1, 0):  # another command's probe may take away the empty parent it made meanwhile
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix(target.name), dir=target.parent))
                break
            except FileNotFoundError:
                if not tries_left:
                    raise
        os.chmod(tmp, 0o777 & ~_UMASK)  # readable by whoever may read a folder made here (colleagues)
    except OSError as exc:
        raise _write_error(target, exc, after) from exc
    try:
        yield tmp
        (tmp / STAMP).write_text(stamp_text(tmp), encoding="utf-8")
        _swap_in(tmp, target, force, before)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc, after) from exc
        raise


# the export folders this process put in place (the CLI's interrupt message: an interrupt after a swap had said the
# export "was not created" over one in place)
SWAPPED: list[Path] = []


@contextmanager
def _interrupts_after() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends, on the main thread (elsewhere nothing can be deferred): a walk's
    interrupt between the swap's renames and its flush left the new export in place, the previous one moved aside,
    and a message that the previous one was as it was."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {int(sig): signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:  # as it would have been handled
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])


def _identity(target: Path) -> tuple[int, int] | None:
    """The folder at ``target`` as the disk knows it (device, inode; None where there is none): an export put in
    place is another folder."""
    try:
        st = os.stat(target)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _swap_in(tmp: Path, target: Path, force: bool, before: tuple[int, int] | None = None) -> None:
    with _interrupts_after():  # whole or not at all, as the interrupt's message says
        _swap(tmp, target, force, before)
        SWAPPED.append(target)


def _swap(tmp: Path, target: Path, force: bool, before: tuple[int, int] | None) -> None:
    check_target(target, force)  # it may have appeared while we were writing
    if _identity(target) != before:  # (a walk's two runs on one --out: the second replaced the first's export)
        raise ExportError(f"{target}: another command put an export there while this one wrote its own; that one "
                          "is left as it is and this one was not put in place. What this command stored in the "
                          "project is kept: export it again to another folder (`humanseg export`)")
    new = tmp.with_name(tmp.name.replace(".tmp-", ".new-", 1))
    os.rename(tmp, new)  # complete: a kill from here on is finished by the next export (guard.recover)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old, target)  # put the previous export back
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        _flush(target)  # the new export on disk before the previous one goes: a power cut then loses neither
        shutil.rmtree(old, ignore_errors=True)


def _flush(folder: Path) -> None:
    """Write ``folder``'s files and its place in its parent to disk: Linux's ``syncfs`` of that file system alone
    (not every disk of the machine, as ``os.sync``), elsewhere each file's ``fsync``. Best effort: an error
    leaves the export as the file system holds it."""
    try:
        if sys.platform.startswith("linux"):
            import ctypes

            fd = os.open(folder, os.O_RDONLY)
            try:
                if ctypes.CDLL(None, use_errno=True).syncfs(fd) == 0:
                    return
            finally:
                os.close(fd)
        for path in [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]:
            try:  # (opened for writing: Windows flushes no read-only handle)
                with open(path, "rb+") as f:
                    os.fsync(f.fileno())
            except OSError:  # a file that cannot be opened so: the others still flushed (an audit)
                continue
        if os.name != "nt":  # (a folder cannot be opened to sync there)
            for place in (folder, folder.parent):
                fd = os.open(place, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
    except (OSError, AttributeError):
        return


def _write_error(target: Path, exc: OSError, after: str = UNTOUCHED) -> ExportError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportError(f"{target}: the disk is full ({exc.strerror or exc}); nothing was exported. {after} "
                           "Free some space and retry.")
    return ExportError(f"{target}: cannot write the export ({exc}). {after}")


# -- the writers (tests replace these to simulate a full disk) --------------------------------------
def write_png(path: Path, image: np.ndarray) -> None:
    """A plain PNG through OpenCV (grey masks, BGR images). Raises OSError when it cannot be written."""
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise OSError(errno.EIO, f"cannot encode {path}")
    write_bytes(path, buf.tobytes())


def write_jpg(path: Path, image: np.ndarray, quality: int = 95) -> None:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise OSError(errno.EIO, f"cannot encode {path}")
    write_bytes(path, buf.tobytes())


def write_palette_png(path: Path, index: np.ndarray, palette: list[int]) -> None:
    """An indexed (mode P) PNG: ``index`` uint8 (H, W), ``palette`` 768 ints (RGB triples)."""
    from PIL import Image

    index = np.ascontiguousarray(index, dtype=np.uint8)
    image = Image.frombytes("P", (index.shape[1], index.shape[0]), index.tobytes())
    image.putpalette(palette)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    write_bytes(path, buf.getvalue())


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
