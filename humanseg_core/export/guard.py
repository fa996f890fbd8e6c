"""What an export may replace, and the clean-up of exports interrupted between their renames.

* :func:`protected_problem`: an export target must never be or contain a project (a folder holding
  ``project.sqlite``), nor be, be inside or contain a ``checkpoints`` folder; ``--force`` replaces a folder
  whole, so everything under it is checked (links are not followed, as ``rmtree`` does not follow them).
* :func:`not_an_export`: a non-empty folder is replaced only when it is an earlier export: it holds the
  stamp :data:`STAMP` that every export writes, or (exports written before the stamp) only what an export
  writes: mask PNGs, their text and JSON files, and folders of PNGs. Anything else in it (a video, an
  export of another kind inside it, someone's notes) would be deleted by the replacement: refused.
* :func:`recover` finishes or undoes a swap that a kill interrupted. The swap is: the finished export
  ``.<name>.tmp-*`` is renamed ``.<name>.new-*`` (complete), the old target goes to ``.<name>.old-*``,
  the new one takes its place, the old one is deleted. On the next export of the same target a complete
  ``new`` is put in place, else a stranded ``old`` is put back; partial ``tmp`` folders are deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

PROJECT_FILE = "project.sqlite"
CHECKPOINTS = "checkpoints"
#: a folder with more entries than this is not walked: it is refused as "too large to check"
MAX_WALK = 200_000
STAMP = ".humanseg-export"  # written into every export folder: replacing such a folder loses nothing else
_EXPORT_FILES = (".png", ".txt", ".json")
log = logging.getLogger("humanseg_core.export")


def safe_resolve(path) -> Path:
    """``Path.resolve()``, or the absolute path as given when links loop (resolve raises then)."""
    p = Path(path).expanduser().absolute()
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.normpath(p))


def protected_problem(target: Path) -> str | None:
    """Why ``target`` must not be replaced by an export, or None when it may be."""
    t = safe_resolve(target)
    if (t / PROJECT_FILE).exists():
        return f"is the project folder {t}"
    for folder in (t, *t.parents):  # inside a project is fine (P/exports), inside its checkpoints is not
        if folder.name == CHECKPOINTS:
            return f"is {'' if folder == t else 'inside '}a checkpoints folder ({folder})"
    if not t.is_dir():
        return None
    seen = 0
    for root, dirs, files in os.walk(t, followlinks=False):
        seen += len(dirs) + len(files)
        if seen > MAX_WALK:
            return f"holds more than {MAX_WALK} files and folders, too many to check that no project is inside"
        if PROJECT_FILE in files:
            return f"contains the project {root}"
        if CHECKPOINTS in dirs:
            return f"contains a checkpoints folder {Path(root) / CHECKPOINTS}"
    return None


def _ours(parent: Path, name: str, kind: str) -> list[Path]:
    prefix = f".{name}.{kind}-"
    try:
        found = [p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime)


def recover(target) -> list[str]:
    """Finish or undo an interrupted swap of ``target``; delete partial exports. Returns notes for the user."""
    target = Path(target).expanduser().absolute()
    parent, name = target.parent, target.name
    if not parent.is_dir():
        return []
    notes: list[str] = []
    new, old = _ours(parent, name, "new"), _ours(parent, name, "old")
    try:
        if new:
            done = new.pop()  # the newest complete export wins
            if target.exists() and protected_problem(target) is None:
                aside = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent))
                os.rmdir(aside)
                os.replace(target, aside)
                old.append(aside)
            if not target.exists():
                os.replace(done, target)
                notes.append(f"{target}: an export interrupted while being put in place was completed")
        elif old and not target.exists():
            os.replace(old.pop(), target)
            notes.append(f"{target}: an interrupted export was undone; the previous export is back in place")
    except OSError as exc:
        notes.append(f"{target}: an interrupted export could not be put right ({exc}); look at the hidden "
                     f"folders .{name}.new-* / .{name}.old-* in {parent}")
        new = old = []
    for debris in [*new, *old, *_ours(parent, name, "tmp")]:
        shutil.rmtree(debris, ignore_errors=True)
        if debris.exists():
            notes.append(f"{debris}: the remains of an interrupted export could not be removed; remove it by hand")
        else:
            notes.append(f"{debris}: removed the remains of an interrupted export")
    for note in notes:
        log.warning("humanseg: warning: %s", note)
    return notes


def not_an_export(target: Path) -> str | None:
    """Why the non-empty folder ``target`` is not an earlier export (so replacing it would delete something
    else), or None when it is one (or is empty or absent)."""
    t = Path(target)
    if not t.is_dir() or (t / STAMP).is_file():
        return None
    others = []
    for entry in sorted(t.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            inner = list(entry.iterdir())
            if (entry / STAMP).is_file() or any(not (q.is_file() and q.suffix.lower() == ".png") for q in inner):
                others.append(entry.name + "/")
        elif not (entry.is_file() and entry.suffix.lower() in _EXPORT_FILES):
            others.append(entry.name)
    if not others:
        return None
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f"holds {shown}, which no export writes: it is not an earlier export"
