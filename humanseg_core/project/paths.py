"""Paths inside a project are stored relative to it, so a copied project (``cp -a``) uses its own files.

* :func:`to_stored` / :func:`from_stored`: what the database keeps (relative when inside the project folder,
  else absolute) and what callers get back (always absolute).
* :func:`migrate_paths`: old projects kept absolute paths; on open, those inside the project folder, inside
  the folder the project was last opened from (``meta.folder``: a moved or copied project), or naming a file
  of this project's ``checkpoints/`` folder are rewritten relative.
* :func:`clean_debris` and :func:`adopt_checkpoints`: what a killed training left behind (``*.tmp``, and
  checkpoints no run records) is removed or recorded with a note; a real checkpoint is never deleted.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from ..errors import ProjectError
from ..inputs.moved import INPUT_KEYS  # the inputs that are files (re-exported)
from ..open_files import in_use
from ..records import ProjectInputs
from .rows import inputs_from_json

CHECKPOINTS = "checkpoints"
PARENT_COPIES = "parent"  # the project's copies of parent networks chosen for it (workflows.parent_choice)
_CHECKPOINT_NAME = re.compile(r"^pid(-?\d+)_(.+)_(\d{8}-\d{6})\.pt$")


def outside_projects(folder: Path, filename: str = "project.sqlite") -> Path:
    """``folder``, where no folder above it holds a project; else a ProjectError naming that project (a walk typed
    an open project's name in New Project…: the dialog went into its folder and made the new project there, and the
    studio then read "0 proposals" under the same name, as if the work had gone)."""
    above = project_holding(folder.expanduser().resolve().parent, filename)
    if above is not None:
        raise ProjectError(f"{folder}: lies inside the project {above}; a new project needs a folder of its own "
                           f"(choose one outside it, or open {above})")
    return folder


def project_holding(folder: Path, filename: str = "project.sqlite") -> Path | None:
    """The project folder that is ``folder`` or holds it, or None."""
    folder = folder.expanduser().resolve()
    for above in (folder, *folder.parents):
        if (above / filename).is_file() and _is_project(above / filename):
            return above
    return None


def _is_project(db: Path) -> bool:
    """Whether ``db`` is a HumanSeg project's database (another program's file of the same name is not: a review's
    ~/Documents/project.sqlite refused every new project under Documents)."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT 1 FROM meta WHERE key = 'inputs'").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def to_stored(folder: Path, path: str | Path | None) -> str | None:
    """``path`` as the database keeps it: relative (POSIX) when inside ``folder``, else absolute.

    A relative ``path`` is taken relative to the project folder."""
    if path is None or path == "":
        return None
    p = Path(path).expanduser()
    base = Path(folder).resolve()
    p = Path(_normal(p if p.is_absolute() else base / p))
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return str(p)


def read_inputs(conn: sqlite3.Connection, db: Path, folder: Path) -> ProjectInputs | None:
    """The project's stored inputs, paths inside ``folder`` made absolute; None when none are stored."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()
    if row is None:
        return None
    inputs = inputs_from_json(db, row[0])
    here: dict[str, Any] = {k: from_stored(folder, getattr(inputs, k)) for k in INPUT_KEYS}
    return dataclasses.replace(inputs, **here)


def from_stored(folder: Path, stored: str | None) -> str | None:
    """A stored path as an absolute path (relative ones are inside ``folder``)."""
    if stored is None or stored == "":
        return None
    p = Path(stored)
    if p.is_absolute():
        return str(p)
    base = _resolved_folder(str(folder)) if Path(folder).is_absolute() else Path(folder).resolve()  # (relative:
    return str(base / p)  # to the working folder of now)


@functools.lru_cache(maxsize=64)
def _resolved_folder(folder: str) -> Path:
    """``folder`` resolved, once a process (a project's runs listed its folder resolved for every checkpoint: 881
    times, 65 ms of opening an 87-person project on the GUI thread)."""
    return Path(folder).resolve()


def _normal(p: Path) -> str:
    return os.path.normpath(str(p))


def _rebased(folder: Path, old_folder: str | None, stored: str | None, checkpoint: bool) -> str | None:
    """The relative form of an old absolute ``stored`` path when it belongs to this project, else None."""
    if stored in (None, "") or not Path(stored).is_absolute():
        return None
    p = Path(stored)
    for base in (Path(folder).resolve(), Path(old_folder) if old_folder else None):
        if base is None:
            continue
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            pass
    if checkpoint and p.parent.name == CHECKPOINTS and (Path(folder) / CHECKPOINTS / p.name).is_file():
        return f"{CHECKPOINTS}/{p.name}"  # a copy made before paths were relative: use its own file
    return None


def migrate_paths(conn: sqlite3.Connection, folder: Path) -> int:
    """Rewrite old absolute paths that belong to this project as relative ones; record ``meta.folder``.

    One transaction; returns how many paths changed."""
    here = str(Path(folder).resolve())
    row = conn.execute("SELECT value FROM meta WHERE key = 'folder'").fetchone()
    old_folder = row[0] if row and isinstance(row[0], str) and os.path.isabs(row[0]) else None
    changed = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for run_id, ckpt in conn.execute("SELECT id, checkpoint FROM runs WHERE checkpoint IS NOT NULL").fetchall():
            new = _rebased(folder, old_folder, ckpt if isinstance(ckpt, str) else None, checkpoint=True)
            if new is not None:
                conn.execute("UPDATE runs SET checkpoint = ? WHERE id = ?", (new, run_id))
                changed += 1
        row = conn.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()
        try:
            inputs = json.loads(row[0]) if row else None
        except (TypeError, ValueError):
            inputs = None  # reported by the inputs decoder
        if isinstance(inputs, dict):
            moved = {k: _rebased(folder, old_folder, inputs.get(k) if isinstance(inputs.get(k), str) else None,
                                 checkpoint=False) for k in INPUT_KEYS}
            moved = {k: v for k, v in moved.items() if v is not None}
            if moved:
                conn.execute("UPDATE meta SET value = ? WHERE key = 'inputs'", (json.dumps({**inputs, **moved}),))
                changed += len(moved)
        if old_folder != here:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('folder', ?)", (here,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return changed


CLAIM_AGE_S = 86400.0  # an empty checkpoint name claimed this long ago (workflows.person.checkpoint_path): removed


def clean_debris(folder: Path, warn: Callable[[str], None]) -> list[Path]:
    """Delete ``checkpoints/*.tmp`` and ``parent/*.tmp`` that no process is writing (a killed training's partial
    files, a parent network's interrupted copy: ``workflows.parent_choice``)."""
    removed: list[Path] = []
    ckpts = Path(folder) / CHECKPOINTS
    debris = [(ckpts, "a partial checkpoint", "an interrupted training"),
              (Path(folder) / PARENT_COPIES, "a partial copy of a parent network", "an interrupted choice")]
    for where, what, why in debris:
        for tmp in sorted(where.glob("*.tmp")) if where.is_dir() else []:
            if tmp.is_symlink() or not tmp.is_file() or in_use(tmp):
                continue
            try:
                tmp.unlink()
            except OSError as exc:
                warn(f"{tmp}: {what} from {why} could not be removed ({exc})")
                continue
            removed.append(tmp)
            warn(f"{tmp}: removed {what} left by {why}")
    _cut_off(Path(folder), warn)
    if not ckpts.is_dir():
        return removed
    for claim in sorted(ckpts.glob("*.pt")):  # a name claimed by a training that never saved: empty, old
        try:
            if not claim.is_symlink() and claim.is_file() and claim.stat().st_size == 0 and \
                    time.time() - claim.stat().st_mtime > CLAIM_AGE_S:
                claim.unlink()
        except OSError:
            continue
    return removed


def _cut_off(folder: Path, warn: Callable[[str], None]) -> None:
    """Say each job of this machine that ended without finishing (its mark left by a process now gone), then
    remove its mark, and a cut-off training's empty checkpoint claim (claimed before the mark was written, so a
    later training's claim is never taken)."""
    from .job_marks import cut_off_jobs, cut_off_text

    for mark, started in cut_off_jobs(folder):
        warn(cut_off_text(mark, started))
        if mark.what == "training" and (folder / CHECKPOINTS).is_dir():
            for pid in mark.pids:
                for claim in (folder / CHECKPOINTS).glob(f"pid{int(pid)}_*.pt"):
                    try:
                        if not claim.is_symlink() and claim.is_file() and claim.stat().st_size == 0 and \
                                claim.stat().st_mtime <= started:
                            claim.unlink()
                    except OSError:
                        continue
        if mark.path is not None:
            try:
                mark.path.unlink()
            except OSError:
                continue


def unknown_checkpoints(folder: Path, known_stored: Iterable[object]) -> list[Path]:
    """``checkpoints/*.pt`` files that no training run of the project records."""
    ckpts = Path(folder) / CHECKPOINTS
    if not ckpts.is_dir():
        return []
    known = {_resolved(cast(str, from_stored(folder, k))) for k in known_stored if isinstance(k, str) and k}
    return [p for p in sorted(ckpts.glob("*.pt")) if p.is_file() and p.stat().st_size > 0 and _resolved(p) not in known]


def _resolved(path: str | Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a link loop
        return Path(os.path.abspath(path))


def adopt_checkpoints(conn: sqlite3.Connection, folder: Path, warn: Callable[[str], None]) -> list[int]:
    """Record unknown checkpoints (a training killed after saving, before recording) as runs with a note.

    The person and model come from the file name (``pid<P>_<model>_<stamp>.pt``); a file named otherwise is
    kept and reported. Returns the new run ids."""
    known = [r[0] for r in conn.execute("SELECT checkpoint FROM runs").fetchall()]
    adopted = []
    for path in unknown_checkpoints(folder, known):
        match = _CHECKPOINT_NAME.match(path.name)
        if match is None:
            warn(f"{path}: a checkpoint the project does not record; kept (name it pid<P>_<model>_<stamp>.pt "
                 f"to adopt it)")
            continue
        now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        note = ("adopted on open: the training that wrote this checkpoint was interrupted before it was "
                "recorded; its parameters and metrics are unknown")
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute("INSERT INTO runs (pid, model, params, checkpoint, metrics, created, updated) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (int(match.group(1)), match.group(2), json.dumps({"adopted": True}),
                                to_stored(folder, _resolved(path)), json.dumps({"note": note}), now, now))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        adopted.append(int(cast(int, cur.lastrowid)))  # an INSERT's row
        warn(f"{path}: {note} (run {cur.lastrowid})")
    return adopted


def absolute_inputs(inputs: ProjectInputs) -> ProjectInputs:
    """``inputs`` with its paths made absolute (as given where they cannot be resolved)."""
    def absolute(p: str | None) -> str | None:
        if p is None or p == "":
            return None
        try:
            return str(Path(p).expanduser().resolve())
        except (OSError, RuntimeError):  # a link loop: keep the path as given, loading it will say why
            return os.path.abspath(Path(p).expanduser())

    return dataclasses.replace(inputs, video=cast(str, absolute(inputs.video)),
                               trajectories=cast(str, absolute(inputs.trajectories)),
                               homography=absolute(inputs.homography))


def stored_inputs(conn: sqlite3.Connection, db: Path, folder: Path) -> ProjectInputs:
    """The project's stored inputs, paths inside its folder made absolute."""
    inputs = read_inputs(conn, db, folder)
    if inputs is None:
        raise ProjectError(f"{db}: the project has no stored inputs; it is incomplete or not a HumanSeg project")
    return inputs


def rewrite_unreadable_inputs(folder: Path, given: dict[str, Any]) -> list[str] | None:
    """Store the inputs ``given`` (a relocate's --video and --trajectories, maybe --homography and reading options)
    in place of the project's stored inputs when those are unreadable (a damaged row locked every command out of
    the project, relocate too: a data-safety review), with every stored field that still reads on its own; the
    damaged text is kept under ``meta.inputs_damaged`` (:func:`put_back_damaged_inputs` undoes it). Returns the
    stored fields that did not read (their defaults now), or None, nothing changed, when the stored inputs read."""
    from .connect import check_version, connect, db_error
    from .rows import inputs_from_json

    db = Path(folder) / "project.sqlite"
    conn = connect(db, check=lambda c: check_version(db, c))  # a newer schema is not written to
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()
        try:
            inputs_from_json(db, row[0] if row else None)
            return None
        except ProjectError:
            pass
        try:
            old = json.loads(row[0]) if row else None
        except (TypeError, ValueError):
            old = None
        fields = [f.name for f in dataclasses.fields(ProjectInputs)]
        merged = {**dataclasses.asdict(ProjectInputs(video="", trajectories="")),  # the defaults, then the given
                  **{k: to_stored(folder, Path(v).expanduser().resolve()) if k in INPUT_KEYS else v
                     for k, v in given.items()}}
        dropped = []
        for key, value in (old.items() if isinstance(old, dict) else []):
            if key not in fields or key in given:
                continue
            try:  # each stored field on its own: one that reads is kept (a review: the homography was dropped)
                inputs_from_json(db, json.dumps({**merged, key: value}))
                merged[key] = value
            except ProjectError:
                dropped.append(key)
        conn.execute("BEGIN IMMEDIATE")
        try:
            if row is not None:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('inputs_damaged', ?)", (str(row[0]),))
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('inputs', ?)", (json.dumps(merged),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return dropped
    except sqlite3.Error as exc:  # no meta table, a read-only file: said as any store error
        raise db_error(db, exc, "storing the project's inputs") from exc
    finally:
        conn.close()


def put_back_damaged_inputs(folder: Path) -> None:
    """Undo :func:`rewrite_unreadable_inputs` (a relocate refused after it: the video's frame size, an unreadable
    file): the damaged text back as the stored inputs."""
    from .connect import connect

    conn = connect(Path(folder) / "project.sqlite")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'inputs_damaged') "
                     "WHERE key = 'inputs' AND EXISTS (SELECT 1 FROM meta WHERE key = 'inputs_damaged')")
        conn.execute("DELETE FROM meta WHERE key = 'inputs_damaged'")
        conn.execute("COMMIT")
    finally:
        conn.close()
