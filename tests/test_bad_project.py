"""Issue 10: a damaged project says so (ProjectError naming it) or skips the one bad row with a warning;
debris of killed writes is cleaned on open; a copied project (``cp -a``) uses its own checkpoints."""

from __future__ import annotations

import random
import shutil
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pytest

from humanseg_core.errors import ProjectError
from humanseg_core.project import FILENAME, Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 12, 16


def _mask(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((H, W)) < 0.4


def _make(tmp_path, n: int = 4) -> tuple[Project, list[Proposal]]:
    project = Project.create(tmp_path / "p", ProjectInputs(video=str(tmp_path / "v.mp4"),
                                                            trajectories=str(tmp_path / "t.txt")))
    props = [Proposal(frame=10 + i, pid=3, box=(0, 0, 5, 5), mask=_mask(i), source="bgs", status="accepted")
             for i in range(n)]
    project.add_proposals(props)
    return project, props


def _poke(project: Project, sql: str, args=()) -> None:
    conn = sqlite3.connect(project.path)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("column, value, problem", [
    ("mask", b"RLE1" + struct.pack("<II", H, W) + b"\xff\xfe\x01", "damaged mask"),  # bad RLE counts
    ("mask", b"\x00\x01\x02\x03", "4 bytes"),  # a 4-byte mask
    ("mask", b"RLE1" + (100000).to_bytes(4, "little") * 2 + b"1", "100000x100000"),  # a 13-byte bomb
    ("flags", "{not json", "JSONDecodeError"),
    ("flags", "42", "not a list"),
    ("pid", "abc", "pid 'abc'"),
    ("frame", 1.5, "frame 1.5"),
])
def test_one_bad_row_is_skipped_with_a_warning(tmp_path, caplog, column, value, problem):
    project, props = _make(tmp_path)
    bad = props[1]
    _poke(project, f"UPDATE proposals SET {column} = ? WHERE id = ?", (value, bad.id))
    listed = project.proposals()
    assert [p.id for p in listed] == [p.id for p in props if p is not bad]
    assert any(problem in w and f"proposals row {bad.id}" in w and str(project.path) in w for w in project.warnings)
    assert problem in caplog.text
    if column in ("mask", "frame"):
        masks = project.accepted_masks(3)
        assert len(masks) == 3 and 11 not in masks
    with pytest.raises(ProjectError, match=f"row {bad.id} is damaged"):
        project.get_proposal(bad.id)
    project.close()


def test_damaged_results_runs_history_and_detections_are_skipped(tmp_path):
    project, props = _make(tmp_path)
    run = project.add_run(3, "fast", {}, None, {})
    project.save_results(3, run, {1: _mask(1), 2: _mask(2)})
    _poke(project, "UPDATE results SET mask = ? WHERE frame = 2", (b"RLE1\x01",))
    assert sorted(project.results(3)) == [1]
    project.add_run(3, "fast", {}, None, {})
    _poke(project, "UPDATE runs SET params = '[' WHERE id = ?", (run,))
    assert [r["id"] for r in project.runs()] == [run + 1]
    project.update_run(run + 1, metrics={"J": 1.0})  # still writable
    project.set_mask(props[0].id, _mask(7))
    _poke(project, "UPDATE history SET old_mask = x'00'")
    assert project.history(props[0].id)[0]["old_mask"] is None
    _poke(project, "INSERT INTO detections (frame, method, boxes, scores) VALUES (5, 'm', '[[1,2', '[]')")
    assert project.load_detections(5, "m") is None
    assert len(project.warnings) == 4
    project.close()


def test_an_edit_replaces_an_unreadable_mask(tmp_path):
    project, props = _make(tmp_path)
    _poke(project, "UPDATE proposals SET mask = x'00010203' WHERE id = ?", (props[0].id,))
    project.set_mask(props[0].id, _mask(9))
    assert np.array_equal(project.get_proposal(props[0].id).mask, _mask(9))
    project.close()


@pytest.mark.parametrize("value, problem", [("[1,2]", "not a dict"), ("{", "Expecting"),
                                            ('{"video": 3, "trajectories": "t"}', "video is 3"),
                                            ('{"video": "v", "trajectories": "t", "frame_step": "x"}', "frame_step")])
def test_damaged_inputs_name_the_project(tmp_path, value, problem):
    project, _ = _make(tmp_path)
    project.close()
    _poke(project, "UPDATE meta SET value = ? WHERE key = 'inputs'", (value,))
    with pytest.raises(ProjectError, match="stored inputs are unreadable") as err:
        Project.open(tmp_path / "p")
    assert str(tmp_path / "p" / FILENAME) in str(err.value) and problem in str(err.value)


def test_an_opening_that_fails_closes_its_connection(tmp_path, monkeypatch):
    """Damaged inputs refuse the project, and the connection the opening made is closed, not left to the
    garbage collector (a mutation audit: nothing checked it; on Windows an open handle keeps the file locked)."""
    from humanseg_core.project import store

    project, _ = _make(tmp_path)
    project.close()
    _poke(project, "UPDATE meta SET value = ? WHERE key = 'inputs'", ("{",))
    made: list[sqlite3.Connection] = []
    connect = store._connect
    monkeypatch.setattr(store, "_connect", lambda *a, **k: made.append(connect(*a, **k)) or made[-1])
    with pytest.raises(ProjectError, match="stored inputs are unreadable"):
        Project.open(tmp_path / "p")
    assert len(made) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        made[0].execute("SELECT 1")


def test_damaged_pages_give_a_project_error(tmp_path):
    """Random bytes over parts of the file: every open either works or raises ProjectError (never another
    exception); 64 bytes near the end of the first page was a UnicodeDecodeError before issue 10."""
    project, _ = _make(tmp_path, n=30)
    project.close()
    clean = (tmp_path / "p" / FILENAME).read_bytes()
    rng = random.Random(0)
    offsets = list(range(3008, 4033, 48)) + [rng.randrange(100, len(clean) - 64) for _ in range(10)]
    outcomes = {"ok": 0, "ProjectError": 0}
    raw_unicode_errors = 0
    for off in offsets:
        damaged = bytearray(clean)
        damaged[off:off + 64] = bytes(rng.randrange(256) for _ in range(64))
        copy = tmp_path / f"c{off}"
        copy.mkdir()
        (copy / FILENAME).write_bytes(bytes(damaged))
        shutil.copy(copy / FILENAME, tmp_path / "raw.db")
        raw = sqlite3.connect(tmp_path / "raw.db")
        try:
            raw.execute("PRAGMA journal_mode = WAL")
        except UnicodeDecodeError:
            raw_unicode_errors += 1  # what every command died of before issue 10
        except sqlite3.Error:
            pass
        finally:
            raw.close()
        try:
            with Project.open(copy) as p:
                p.proposals()
                p.accepted_masks(3)
                p.runs()
            outcomes["ok"] += 1
        except ProjectError as exc:
            assert str(copy) in str(exc)
            outcomes["ProjectError"] += 1
    assert raw_unicode_errors >= 1 and outcomes["ProjectError"] >= 10


def test_quick_check_runs_on_open(tmp_path, monkeypatch):
    from humanseg_core.project import connect

    project, _ = _make(tmp_path)
    project.close()
    calls = []
    monkeypatch.setattr(connect, "quick_check", lambda db, conn: calls.append(db))
    monkeypatch.setattr("humanseg_core.project.store.quick_check", lambda db, conn: calls.append(db))
    Project.open(tmp_path / "p").close()
    assert calls


# -- killed writes and portable projects --------------------------------------------------------------------
def test_debris_is_cleaned_and_unknown_checkpoints_adopted_on_open(tmp_path):
    project, _ = _make(tmp_path)
    ckpts = project.folder / "checkpoints"
    ckpts.mkdir()
    (ckpts / "pid3_fast_20260101-120000.pt.tmp").write_bytes(b"partial")
    (ckpts / "pid3_fast_20260101-120000.pt").write_bytes(b"a finished checkpoint")
    (ckpts / "mine.pt").write_bytes(b"a checkpoint named by hand")
    project.close()
    with Project.open(tmp_path / "p") as again:
        assert sorted(p.name for p in ckpts.iterdir()) == ["mine.pt", "pid3_fast_20260101-120000.pt"]
        (run,) = again.runs()
        assert run["pid"] == 3 and run["model"] == "fast" and run["params"] == {"adopted": True}
        assert run["checkpoint"] == str((ckpts / "pid3_fast_20260101-120000.pt").resolve())
        assert "interrupted" in run["metrics"]["note"]
        assert any("mine.pt" in w and "kept" in w for w in again.warnings)
        # the interrupted training, when it records its run after all, fills the adopted row
        assert again.add_run(3, "fast", {"steps": 5}, run["checkpoint"], {"J": 0.5}) == run["id"]
        assert again.runs()[0]["params"] == {"steps": 5}
    with Project.open(tmp_path / "p") as third:
        assert len(third.runs()) == 1  # adopted once


def test_a_checkpoint_is_adopted_once_where_it_lies_when_the_project_is_named_relative(tmp_path, monkeypatch):
    """A data-safety review: `--project A` (relative) adopted A/checkpoints/x.pt as A/A/checkpoints/x.pt, a run
    whose network could not be read, and again as a new run on every later command."""
    project, _ = _make(tmp_path)
    ckpt = project.folder / "checkpoints" / "pid3_fast_20260101-120000.pt"
    ckpt.parent.mkdir()
    ckpt.write_bytes(b"a finished checkpoint")
    project.close()
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        with Project.open("p") as again:
            (run,) = again.runs()
            assert Path(run["checkpoint"]) == ckpt.resolve() and Path(run["checkpoint"]).is_file()


def test_a_tmp_file_being_written_is_not_deleted(tmp_path):
    project, _ = _make(tmp_path)
    ckpts = project.folder / "checkpoints"
    ckpts.mkdir()
    project.close()
    with open(ckpts / "live.pt.tmp", "wb") as fh:  # held open, as by a training saving right now
        fh.write(b"x")
        Project.open(tmp_path / "p").close()
        assert (ckpts / "live.pt.tmp").exists()
    Project.open(tmp_path / "p").close()
    assert not (ckpts / "live.pt.tmp").exists()


def test_a_copied_project_uses_its_own_checkpoints(tmp_path):
    project, _ = _make(tmp_path)
    ckpt = project.folder / "checkpoints" / "pid3_fast_20260101-120000.pt"
    ckpt.parent.mkdir()
    ckpt.write_bytes(b"original")
    project.add_run(3, "fast", {}, str(ckpt), {})
    (project.folder / "video.mp4").write_bytes(b"v")
    project.close()
    _poke(project, "UPDATE meta SET value = json_set(value, '$.video', ?) WHERE key = 'inputs'",
          (str(project.folder / "video.mp4"),))
    conn = sqlite3.connect(project.path)
    assert conn.execute("SELECT checkpoint FROM runs").fetchone()[0] == "checkpoints/" + ckpt.name  # relative
    conn.close()
    shutil.copytree(tmp_path / "p", tmp_path / "copy", symlinks=True)  # cp -a
    with Project.open(tmp_path / "copy") as copy:
        assert copy.runs()[0]["checkpoint"] == str((tmp_path / "copy" / "checkpoints" / ckpt.name).resolve())
        assert copy.inputs.video == str((tmp_path / "copy" / "video.mp4").resolve())


def test_old_absolute_paths_are_migrated(tmp_path):
    """A project written before issue 10 kept absolute paths: a copy of it finds its own checkpoints."""
    project, _ = _make(tmp_path)
    ckpt = project.folder / "checkpoints" / "pid3_fast_20260101-120000.pt"
    ckpt.parent.mkdir()
    ckpt.write_bytes(b"original")
    project.add_run(3, "fast", {}, None, {})
    project.close()
    _poke(project, "UPDATE runs SET checkpoint = ?", (str(ckpt.resolve()),))  # the old absolute form
    _poke(project, "DELETE FROM meta WHERE key = 'folder'")
    shutil.copytree(tmp_path / "p", tmp_path / "copy", symlinks=True)
    with Project.open(tmp_path / "copy") as copy:
        assert copy.runs()[0]["checkpoint"] == str((tmp_path / "copy" / "checkpoints" / ckpt.name).resolve())
    with Project.open(tmp_path / "p") as original:
        assert original.runs()[0]["checkpoint"] == str(ckpt.resolve())


def test_two_trainings_in_one_second_never_share_a_checkpoint_name_and_empty_claims_are_never_adopted(tmp_path):
    """An audit: two trainings of one person started within a second (the Train tab and `humanseg train`) chose
    one file name; one network was lost. A name is claimed when chosen (an empty file the save replaces)."""
    import os
    import time

    from humanseg_core.osvos.weights import save_checkpoint
    from humanseg_core.project.paths import CLAIM_AGE_S
    from humanseg_core.workflows.person import checkpoint_path

    project, _ = _make(tmp_path)
    one, two = checkpoint_path(project.folder, 3, "fast"), checkpoint_path(project.folder, 3, "fast")
    assert one != two and one.stat().st_size == 0 and two.stat().st_size == 0
    save_checkpoint(two, {}, {"model": "fast"})  # the second training saved; the first never did
    old_claim = checkpoint_path(project.folder, 4, "fast")
    os.utime(old_claim, (time.time() - CLAIM_AGE_S - 60,) * 2)
    project.close()
    with Project.open(tmp_path / "p") as again:
        assert [r["checkpoint"] for r in again.runs()] == [str(two.resolve())]  # adopted: it holds a network
        assert one.is_file() and not old_claim.exists()  # a fresh claim may be a training still running
    assert not list((tmp_path / "p" / "checkpoints").glob("*.tmp"))
