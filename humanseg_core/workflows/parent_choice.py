"""The parent network a project uses (ADR 0039): the shipped one, or a file the analyst chose for it.

A chosen file (``humanseg parent use``, the studio's Project ▸ Parent Network…) is checked, copied into the
project's ``parent/`` folder under its name and checksum, and recorded in the project setting
:data:`SETTING` (``{"file", "sha256", "source", "chosen"}``). Every step that takes the parent when not
given one per call follows it: proposals, fine-tuning, the per-frame evidence, whole-scene runs and the
editor's first click. The copy travels with the project; the file it came from may be trained further or
deleted. A copy that is missing is said, naming it, and the shipped parent is used; one whose checksum
changed is said and used as it is now.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HumansegError, WeightsError
from ..prior.paths import DEFAULT_PARENT, is_shipped
from ..project.paths import PARENT_COPIES as FOLDER
from ..project.paths import from_stored, to_stored
from ..weights import sha256_of
from ..wording import shell_arg

SETTING = "parent_network"
QUALITY_MARGIN = 0.05  # a chosen parent whose own held-out mean IoU lies this far below the shipped one's: said
PARENT_CHOICE = "parent-choice"  # JobWarning.kind: the project's chosen parent is missing or changed


@dataclass(frozen=True)
class ProjectParent:
    """Which parent file a project's steps load: ``path`` None is the shipped one; ``warning`` says why a
    chosen one is not followed as chosen (missing, changed), else empty."""

    path: Path | None = None
    warning: str = ""
    sha256: str = ""
    source: str = ""
    note: str = ""  # said when it is chosen: a parent measured well below the shipped one

    @property
    def file(self) -> Path:
        return DEFAULT_PARENT if self.path is None else self.path

    def describe(self) -> str:
        """One line for a user: which parent and where it came from."""
        if self.path is None:
            return f"the shipped parent network ({DEFAULT_PARENT.name})"
        came = f", copied from {self.source}" if self.source else ""
        return f"the project's own parent network {self.path.name} (sha256 {self.sha256[:12]}…{came})"

    def name(self) -> str:
        """A few words: the file's name, or the shipped one."""
        return f"the shipped parent network ({DEFAULT_PARENT.name})" if self.path is None else self.path.name


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex), remembered while its size and modification time stay."""
    st = os.stat(path)
    return _sha(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _sha(path: str, _size: int, _mtime: int) -> str:
    return sha256_of(path)


def shipped_sha256() -> str:
    """The shipped parent file's SHA-256, or "" when it cannot be read."""
    try:
        return file_sha256(DEFAULT_PARENT)
    except OSError:
        return ""


def project_parent(project: Any) -> ProjectParent:
    """The parent file ``project``'s steps load (see the module docstring)."""
    stored = project.setting(SETTING)
    if not isinstance(stored, dict) or not stored.get("file"):
        return ProjectParent()
    path = Path(from_stored(project.folder, str(stored["file"])) or "")
    source = str(stored.get("source") or "")
    again = (f"Project ▸ Parent Network… or `humanseg parent use --project {shell_arg(project.folder)} FILE` "
             "chooses another")
    try:
        sha = file_sha256(path)
    except OSError as exc:
        why = "is missing" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc.strerror or exc})"
        there = f"; the file it was copied from, {source}, is still there to choose again" if (
            source and os.path.isfile(source)) else ""
        return ProjectParent(warning=f"{path}: the project's parent network {why}; the shipped parent "
                                     f"({DEFAULT_PARENT.name}) is used instead. {again}{there}")
    want = str(stored.get("sha256") or "")
    warning = ""
    if want and sha != want:
        when = str(stored.get("chosen", "?"))[:16].replace("T", " ")
        changed = f"{path}: the project's parent network changed since it was chosen on {when}"
        problem = _unusable(str(path), sha)  # checked once a content (a re-walk's junk copy was "used as it is")
        if problem:
            return ProjectParent(warning=f"{changed} and cannot be used now ({problem}); the shipped parent "
                                         f"({DEFAULT_PARENT.name}) is used instead. {again}")
        warning = f"{changed} (sha256 {want[:12]}… then, {sha[:12]}… now); it is used as it is now. {again}"
    return ProjectParent(path, warning, sha, source)


@functools.lru_cache(maxsize=8)
def _unusable(path: str, _sha: str) -> str:
    """Why the parent file ``path`` (of content ``_sha``) cannot be loaded, or ""."""
    try:
        check_parent_file(path)
    except WeightsError as exc:
        return str(exc).replace(f"{path}: ", "")
    return ""


def parent_file_of(project: Any, given: str | Path | None = None) -> tuple[str | None, str]:
    """(the parent file a step loads, a warning or ""): ``given`` (a per-call ``--weights``) when given, else the
    project's own (None: the shipped one)."""
    if given is not None:
        return str(given), ""
    chosen = project_parent(project)
    return (None if chosen.path is None else str(chosen.path)), chosen.warning


def run_parent(project: Any, run: dict) -> tuple[str | None, str]:
    """(the parent file run ``run`` (a ``Project.runs()`` row) was fine-tuned from, a warning or ""): the file its
    params record when it is there (a run given ``--parent-weights`` keeps it), else the project's
    (:func:`parent_file_of`), said when the recorded one is gone."""
    recorded = (run.get("params") or {}).get("parent")
    if not recorded:  # a run older than the record, or from the shipped one then: the project's
        return parent_file_of(project)
    path = Path(from_stored(project.folder, str(recorded)) or "")
    if path.is_file():
        return (None if is_shipped(path) else str(path)), ""
    chosen, said = parent_file_of(project)
    instead = "the shipped one" if chosen is None else Path(chosen).name
    gone = f"{path}: the parent network run #{run.get('id')} was fine-tuned from is gone; {instead} is used instead"
    return chosen, f"{gone}. {said}" if said else gone


def resumed_parent(project: Any, resume: object) -> str | None:
    """The parent file (as recorded) of the run whose stored network ``resume`` is: a network resumed keeps the
    parent it was fine-tuned from (a walk's `train --resume` of a v5 network went on as v9's, and its evidence step
    blended in v9). None when no run of the project stored that file, or its run recorded none."""
    if not isinstance(resume, (str, Path)):
        return None
    wanted = Path(resume).resolve()
    for run in reversed(project.runs()):
        checkpoint = run.get("checkpoint")
        if checkpoint and Path(checkpoint).resolve() == wanted:
            recorded = (run.get("params") or {}).get("parent")
            return str(recorded) if recorded else None
    return None


def used_parent(path: str | Path | None) -> str:
    """The parent file a step loaded, for its JSON: ``path``, else the shipped one's, absolute."""
    return str(Path(path).resolve() if path is not None else DEFAULT_PARENT)


def recorded_parent(project: Any, path: str | Path | None) -> str:
    """How a run records the parent file it started from: relative to the project folder when it is the project's
    copy (it moves with the project), else as given (None: the shipped one's path)."""
    return str(to_stored(project.folder, Path(path) if path is not None else DEFAULT_PARENT))


def check_parent_file(path: str | Path) -> None:
    """WeightsError naming ``path`` unless it loads into the parent network (strict)."""
    from ..osvos.nets_parent import parent_status

    ok, why = parent_status(path)  # WeightsError's text names the file; a foreign shape too
    if not ok:
        raise WeightsError(why if str(path) in why else f"{path}: {why}")


def choose_parent(project: Any, file: str | Path | None) -> ProjectParent:
    """Make ``file`` the project's parent network (None: the shipped one again). The file is checked (it must
    load into the parent network, strict) and copied into the project's ``parent/`` folder; WeightsError naming
    it when it cannot be used, and the project's choice stays as it was."""
    if getattr(project, "read_only", False):
        raise HumansegError(f"{project.folder}: the project is read-only: its parent network cannot be changed")
    if file is None:
        project.set_setting(SETTING, None)
        return ProjectParent()
    src = Path(file).expanduser()
    if is_shipped(src):
        project.set_setting(SETTING, None)
        return ProjectParent()
    check_parent_file(src)
    sha = file_sha256(src)
    if sha == shipped_sha256():  # the shipped network under another name: the shipped one
        project.set_setting(SETTING, None)
        return ProjectParent()
    folder = Path(project.folder).resolve() / FOLDER
    same = sorted(p for p in folder.glob(f"*-{sha[:8]}.pt") if p.is_file() and file_sha256(p) == sha)
    if src.resolve().parent == folder:  # already the project's copy (chosen again after another)
        dest = src.resolve()
    elif same:  # the same network chosen before under another name (a link, a copy): that copy
        dest = same[0]
    else:
        dest = folder / f"{src.stem}-{sha[:8]}{src.suffix or '.pt'}"
        _copy(src, dest)
    source = str(src.resolve())
    chosen = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    project.set_setting(SETTING, {"file": to_stored(project.folder, dest), "sha256": sha,
                                  "source": "" if src.resolve() == dest.resolve() else source, "chosen": chosen})
    return dataclasses.replace(project_parent(project), note=quality_note(dest))


def quality_note(path: Path) -> str:
    """Said when a chosen parent file's own held-out measurement lies well below the shipped one's (a walk chose a
    5-step parent: its persons were all "hidden behind a nearer person"), else ""."""
    from ..prior.parent_file import read_parent_file

    def miou(p: Path) -> float | None:
        try:
            value = ((read_parent_file(p)[1].get("val_composites") or {}).get("all") or {}).get("miou")
        except (WeightsError, OSError):
            return None
        return float(value) if isinstance(value, (int, float)) else None

    own, shipped = miou(path), miou(DEFAULT_PARENT)
    if own is None or shipped is None or own >= shipped - QUALITY_MARGIN:
        return ""
    return (f"{path.name} measured a held-out mean IoU of {own:.2f} when it was trained, the shipped parent "
            f"{shipped:.2f} (each on its own composites): expect poorer proposals and masks; `humanseg parent eval "
            f"--data DAVIS_ROOT --file {shell_arg(path)}` measures it, and the same without --file the shipped one, "
            "on the same composites")  # (an ML walk ran the command as written: --data is required)


def _copy(src: Path, dest: Path) -> None:
    """``src`` copied to ``dest`` through a temporary file beside it (removed on failure; one a killed process
    left is removed when the project opens: ``project.paths.clean_debris``); HumansegError naming ``dest``."""
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise HumansegError(f"{dest}: the parent network could not be copied into the project "
                            f"({exc.strerror or exc}); the project's choice is unchanged") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def project_parent_file(project: Any) -> str | None:
    """The parent file ``project``'s steps load (None: the shipped one, also without a project or when its
    store cannot be read): for the studio's quick reads, which must not fail over it."""
    if project is None:
        return None
    try:
        return parent_file_of(project)[0]
    except (HumansegError, OSError, sqlite3.Error):
        return None
