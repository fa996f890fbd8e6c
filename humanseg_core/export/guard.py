"""What an export may replace, and the clean-up of exports interrupted between their renames.

* :func:`protected_problem`: an export target must never be or contain a project (a folder holding
  ``project.sqlite``), nor be, be inside or contain a ``checkpoints`` folder; ``--force`` replaces a folder
  whole, so everything under it is checked (links are not followed, as ``rmtree`` does not follow them).
* :func:`not_an_export`: a non-empty folder is replaced only when it is an earlier export and nothing else:
  it holds the stamp :data:`STAMP` that every export writes (listing what it wrote, every file within
  its sub-folders too, :func:`stamp_text`),
  and only what that export wrote, of the kinds exports write (images, text, JSON). A folder of PNGs
  without the stamp (ground truth, a video's frames: a walk's ``run --out`` replaced both), or anything added
  beside the masks (a video, another export inside it, someone's notes or scores) would be deleted by the
  replacement: refused.
* :func:`recover` finishes or undoes a swap that a kill interrupted. The swap is: the finished export
  ``.<name>.tmp-*`` is renamed ``.<name>.new-*`` (complete), the old target goes to ``.<name>.old-*``,
  the new one takes its place, the old one is deleted. On the next export of the same target a complete
  ``new`` is put in place, else a stranded ``old`` is put back; partial ``tmp`` folders are deleted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from ..open_files import BROWSER_FILES

PROJECT_FILE = "project.sqlite"
CHECKPOINTS = "checkpoints"
#: a project's own folders beside its file (job marks, parent copies, labels an import replaced): a later command
#: tidies some, and an export replaces its target whole (a data-safety review's export into P/jobs was deleted)
PROJECT_FOLDERS = ("jobs", "parent", "replaced_labels")
#: a folder with more entries than this is not walked: it is refused as "too large to check"
MAX_WALK = 200_000
STAMP = ".humanseg-export"  # written into every export folder: replacing such a folder loses nothing else
_EXPORT_FILES = (".png", ".jpg", ".txt", ".json")  # what exports write (jpg: COCO and DAVIS-layout images)
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
        if folder.name in PROJECT_FOLDERS and (folder.parent / PROJECT_FILE).exists():
            return f"is {'' if folder == t else 'inside '}the project's own folder {folder} (its commands tidy it)"
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


# the names an export gives its own hidden folders beside ``name`` (tempfile.mkdtemp's 8 characters after the
# prefix): tmp- and new- name the writing process (tmp_prefix; not before 6 Dec), old- is the previous export
_RANDOM = r"(?=[a-z0-9_]*[a-z_])[a-z0-9_]{8}"  # (not digits alone: a review's dated backup, .ex.old-20261207)
_KINDS = {"tmp": rf"tmp-(\d+-)?{_RANDOM}", "new": rf"new-(\d+-)?{_RANDOM}", "old": rf"old-{_RANDOM}"}


def _ours(parent: Path, name: str, kind: str) -> list[Path]:
    """The hidden folders beside ``name`` that an export of it left (``kind``: tmp, new or old): named as an export
    names them, and a complete one (new, old) stamped (old: or empty, a folder an export replaced). A data-safety
    review's own .ex.old-backup and .ex.tmp-keep were deleted, and its .ex.new-draft put in place of ex."""
    pattern = re.compile(re.escape(f".{name}.") + _KINDS[kind])
    try:
        found = [p for p in parent.iterdir() if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]
        if kind != "tmp":
            found = [p for p in found if (p / STAMP).is_file() or (kind == "old" and not any(p.iterdir()))]
        else:  # a staging folder without its writer's number (before 6 Dec) holding a stamp: a copy of an export
            found = [p for p in found if "-" in p.name.split(".tmp-", 1)[1] or not (p / STAMP).is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime)


def tmp_prefix(name: str) -> str:
    """The prefix of an export's temporary folder beside target ``name``: it names the writing process, so that
    a second export of the same target leaves a live one alone (a walk: two `run`s on one --out)."""
    return f".{name}.tmp-{os.getpid()}-"


def _writer_alive(folder: Path) -> bool:
    """True when the process named in a temporary folder's name (:func:`tmp_prefix`) is another one still
    running on this machine."""
    head = folder.name.split(".tmp-", 1)[-1].split("-", 1)[0]
    if not head.isdigit() or int(head) == os.getpid():
        return False
    try:
        os.kill(int(head), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def recover(target) -> list[str]:
    """Finish or undo an interrupted swap of ``target``; delete partial exports. Returns notes for the user.
    A complete interrupted export replaces ``target`` only while ``target`` holds an export and nothing else
    (:func:`not_an_export`); else both are kept and the note says so (an audit: a refused export had deleted the
    notes and scores an analyst had put into the folder after the kill)."""
    target = Path(target).expanduser().absolute()
    parent, name = target.parent, target.name
    if not parent.is_dir():
        return []
    notes: list[str] = []
    new, old = _ours(parent, name, "new"), _ours(parent, name, "old")
    try:
        held = (protected_problem(target) or not_an_export(target)) if new and target.exists() else None
        if held is not None:
            notes.append(f"{target}: an interrupted export, {new[-1]}, was not put in place: the folder {held}; "
                         "nothing was deleted (move what you added, or that hidden folder, as you need)")
            new = old = []
        elif new:
            done = new.pop()  # the newest complete export wins
            if target.exists():
                aside = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent))
                os.rmdir(aside)
                os.replace(target, aside)
                old.append(aside)
            os.replace(done, target)
            notes.append(f"{target}: an export interrupted while being put in place was completed")
        elif old and not target.exists():
            os.replace(old.pop(), target)
            notes.append(f"{target}: an interrupted export was undone; the previous export is back in place")
    except OSError as exc:
        notes.append(f"{target}: an interrupted export could not be put right ({exc}); look at the hidden "
                     f"folders .{name}.new-* / .{name}.old-* in {parent}")
        new = old = []
    stale = [p for p in _ours(parent, name, "tmp") if not _writer_alive(p)]  # a live one: another export's
    for debris in [*new, *old, *stale]:
        shutil.rmtree(debris, ignore_errors=True)
        if debris.exists():
            notes.append(f"{debris}: the remains of an interrupted export could not be removed; remove it by hand")
        else:
            notes.append(f"{debris}: removed the remains of an interrupted export")
    for note in notes:
        log.warning("humanseg: warning: %s", note)
    return notes


def stamp_text(folder: Path) -> str:
    """What :data:`STAMP` says in the export folder ``folder`` just written: what it is, the entries the export
    wrote and every file with its size and modification time (a later export replaces the folder only while it
    holds nothing else, and nothing changed: a mask fixed in place by hand keeps its name, maybe its size)."""
    folder = Path(folder)
    written = sorted(p.name for p in folder.iterdir() if p.name != STAMP)
    files: dict[str, list[int]] = {}
    for root, _dirs, names in os.walk(folder, followlinks=False):
        rel = os.path.relpath(root, folder)
        for name in names:
            if name != STAMP or rel != ".":
                st = os.lstat(os.path.join(root, name))
                files[name if rel == "." else f"{Path(rel).as_posix()}/{name}"] = [st.st_size, st.st_mtime_ns]
    return ("HumanSeg Studio export: replacing this folder with a new export deletes it whole\n"
            f"written: {json.dumps(written)}\n"
            f"files: {json.dumps(dict(sorted(files.items())))}\n")


def _stamp_line(stamp: Path, key: str):
    try:
        for line in stamp.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(f"{key}: "):
                return json.loads(line[len(key) + 2:])
    except (OSError, ValueError):
        return None
    return None


def _written(stamp: Path) -> set[str] | None:
    """The folder's own entries a stamp says its export wrote; None for a stamp without the list (older exports)."""
    names = _stamp_line(stamp, "written")
    return {str(n) for n in names} if isinstance(names, list) else None


Written = tuple[int, int]  # (size, mtime in ns) as the export wrote a file; -1 where not recorded


def _files(stamp: Path) -> dict[str, Written] | None:
    """{path within the folder: (size, mtime_ns)} of every file a stamp says its export wrote; None for a stamp
    without them (older exports)."""
    files = _stamp_line(stamp, "files")
    if isinstance(files, list):
        return {str(n): (-1, -1) for n in files}
    if not isinstance(files, dict):
        return None
    out: dict[str, Written] = {}
    for name, v in files.items():
        got = [x if isinstance(x, int) else -1 for x in (v if isinstance(v, list) else [v])] + [-1, -1]
        out[str(name)] = (got[0], got[1])
    return out


def _not_as_written(folder: Path, rel: str, st: os.stat_result, files: dict[str, Written]) -> str | None:
    if rel not in files:
        return rel
    size, mtime = files[rel]
    if (size >= 0 and st.st_size != size) or (mtime >= 0 and st.st_mtime_ns != mtime):  # a mask fixed in place,
        return f"{rel} (changed since)"  # its size kept too (a review)
    return None


def _added_files(folder: Path, entry: Path, files: dict[str, Written]) -> list[str]:
    """The files (paths within ``folder``; links; the sub-folder itself when too large to walk) under the
    sub-folder ``entry`` of the export ``folder`` that the stamp's ``files`` do not list, or that changed since (a
    mask drawn or fixed by hand, notes put beside a sequence): every one, so that a refusal counts them (a walk
    read "and 1 more" for 640). One walk, each name looked up in the stamp's dict."""
    found: list[str] = []
    seen = 0
    for root, dirs, names in os.walk(entry, followlinks=False):
        seen += len(dirs) + len(names)
        if seen > MAX_WALK:
            return [*found, entry.name + "/"]
        prefix = Path(os.path.relpath(root, folder)).as_posix()
        found += [f"{prefix}/{d}" for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for n in names:
            if n in BROWSER_FILES:
                continue
            st = os.lstat(os.path.join(root, n))
            changed = f"{prefix}/{n}" if stat.S_ISLNK(st.st_mode) else _not_as_written(folder, f"{prefix}/{n}", st,
                                                                                      files)
            if changed is not None:
                found.append(changed)
    return found


def _only_export_files(folder: Path) -> bool:
    """True when everything under ``folder`` is what exports write (images, text, JSON; no link, no stamp of
    a nested export), looked at up to :data:`MAX_WALK` entries."""
    seen = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        seen += len(dirs) + len(files)
        if seen > MAX_WALK or STAMP in files:
            return False
        for name in files:
            p = Path(root) / name
            if p.is_symlink() or p.suffix.lower() not in _EXPORT_FILES:
                return False
        if any((Path(root) / d).is_symlink() for d in dirs):
            return False
    return True


def not_an_export(target: Path) -> str | None:
    """Why the non-empty folder ``target`` is not an earlier export holding nothing else (so replacing it would
    delete something else), or None when it is one (or is empty or absent). An export is a folder with the
    stamp :data:`STAMP`; everything in it must be what that export wrote (the stamp lists it) and of the
    kinds exports write: a folder of PNGs without the stamp (ground truth, a video's frames) is refused, and so
    is anything someone added beside the masks (notes, scores)."""
    t = Path(target)
    if not t.is_dir() or not any(t.iterdir()):
        return None
    stamp = t / STAMP
    if not stamp.is_file():  # what it holds named (a walk's folder of one notes.txt read of frames, ground truth
        names = sorted(e.name + ("/" if e.is_dir() else "") for e in t.iterdir())  # and exports before 2 Dec)
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        return (f"holds files without an export's {STAMP} stamp ({shown}): choose a new or empty folder (an export "
                "made before 2 Dec has no stamp either: move or delete it yourself)")
    written, files = _written(stamp), _files(stamp)
    if written is None and files is None:  # a stamp of 2-3 Dec, its header alone: --force deleted whatever images,
        # text or JSON someone had added (a data-safety review)
        return (f"has a {STAMP} stamp that lists none of its files (an export of 2-3 Dec): what was added to it "
                "since cannot be told apart; move or delete it yourself, or choose a new or empty folder")
    others = []
    for entry in sorted(t.iterdir()):
        if entry.name == STAMP or entry.name in BROWSER_FILES:
            continue
        if written is not None and entry.name not in written:
            others.append(entry.name + ("/" if entry.is_dir() else ""))
        elif entry.is_symlink():
            others.append(entry.name)
        elif entry.is_dir():
            added = _added_files(t, entry, files) if files is not None else []
            if added:
                others += added
            elif files is None and not _only_export_files(entry):
                others.append(entry.name + "/")
        elif files is not None and (changed := _not_as_written(t, entry.name, entry.lstat(), files)):
            others.append(changed)
        elif entry.suffix.lower() not in _EXPORT_FILES:
            others.append(entry.name)
    if not others:
        return None
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return (f"holds {shown}, which no export wrote as it is now (added since, or changed: a copy made without "
            "keeping the files' times reads as changed): move them out of it, or choose a new or empty folder")
