"""A project in a folder nobody may write to (a share, a disc, a read-only mount) opens read-only for what only
reads it: listing its decisions, writing its masks or an export elsewhere. A walk found every command refused."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from humanseg_core.errors import ProjectError
from humanseg_core.project import Project
from humanseg_core.project import store as store_mod
from humanseg_core.records import ProjectInputs, Proposal


def _project(tmp_path):
    folder = tmp_path / "proj"
    mask = np.zeros((40, 60), bool)
    mask[10:30, 20:30] = True
    with Project.create(folder, ProjectInputs(video="v.mp4", trajectories="t.txt")) as project:
        project.add_proposals([Proposal(frame=f, pid=3, box=(20, 10, 30, 30), mask=mask, source="bgs",
                                        status="accepted" if f == 10 else "pending") for f in (10, 20)])
    return folder


def _unwritable(monkeypatch, folder):
    """The folder as a read-only mount shows it (tests run as root, whom chmod does not stop)."""
    real = os.access
    monkeypatch.setattr(store_mod.os, "access", lambda p, mode: False if mode == os.W_OK and str(p).startswith(
        str(folder)) else real(p, mode))


def test_a_read_only_folder_opens_for_reading_and_refuses_every_write(tmp_path, monkeypatch):
    folder = _project(tmp_path)
    _unwritable(monkeypatch, folder)
    with pytest.raises(ProjectError, match="the project is read-only"):
        Project.open(folder)  # a command that writes is refused before it works
    before = sorted(p.name for p in folder.iterdir())
    with Project.open(folder, reading=True) as project:
        assert project.read_only and project.counts() == {"pending": 1, "accepted": 1, "rejected": 0, "edited": 0}
        assert sorted(project.accepted_masks(3)) == [10]
        with pytest.raises(ProjectError, match="read-only .* while saving a decision"):
            project.set_status(project.proposals(3, with_masks=False)[1].id, "accepted")
    assert sorted(p.name for p in folder.iterdir()) == before  # no lock, journal or debris written


def test_the_commands_that_only_read_work_on_a_read_only_project(tmp_path, monkeypatch, capsys):
    from humanseg_core.cli import main

    folder = _project(tmp_path)
    _unwritable(monkeypatch, folder)
    assert main(["decide", "--project", str(folder), "--pid", "3", "--list"]) == 0
    assert main(["masks", "--project", str(folder), "--pid", "3", "--out", str(tmp_path / "m")]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["masks"] == 1
    assert main(["export", "--project", str(folder), "--pids", "3", "--format", "coco", "--out",
                 str(tmp_path / "e")]) == 0
    capsys.readouterr()
    assert main(["decide", "--project", str(folder), "--pid", "3", "--accept-all"]) == 2
    err = capsys.readouterr().err  # what still reads it is named (a walk read "HumanSeg Studio needs write access")
    assert "the project is read-only; changing it needs write access" in err and "`masks` and `export`" in err


def test_inputs_moved_beside_a_read_only_project_hold_while_it_is_open(tmp_path, monkeypatch):
    """A read-only copy on another machine finds its video elsewhere: pointing at it works for the session."""
    folder = _project(tmp_path)
    _unwritable(monkeypatch, folder)
    with Project.open(folder, reading=True) as project:
        project.relocate_inputs(video=str(tmp_path / "elsewhere.mp4"))
        assert project.inputs.video == str(tmp_path / "elsewhere.mp4")
        assert any("not stored" in w for w in project.warnings)
    with Project.open(folder, reading=True) as project:
        assert project.inputs.video != str(tmp_path / "elsewhere.mp4")


def test_a_project_another_program_writes_is_read_live(tmp_path, monkeypatch):
    """A review: read as immutable while its owner's studio had it open, a read-only reader saw none of the owner's
    new proposals, then called the rewritten file corrupt. With the owner's -shm file there it reads live."""
    folder = _project(tmp_path)
    mask = np.zeros((40, 60), bool)
    mask[5:15, 5:15] = True
    with Project.open(folder) as owner:
        owner.counts()  # its connection open: the -shm file exists, as under an open studio
        _unwritable(monkeypatch, folder)
        with Project.open(folder, reading=True) as reader:
            assert reader.read_only and reader._uri.endswith("mode=ro")
            assert sum(reader.counts().values()) == 2
            owner.add_proposals([Proposal(frame=f, pid=4, box=(5, 5, 15, 15), mask=mask, source="bgs")
                                 for f in range(30, 60)])
            assert sum(reader.counts().values()) == 32  # the owner's changes, seen


def test_changes_left_in_a_wal_file_without_its_shm_are_said(tmp_path, monkeypatch):
    """A project not closed cleanly, copied to read-only media without its -shm file: SQLite could only say
    "unable to open database file"."""
    import shutil

    folder = _project(tmp_path)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(folder / "project.sqlite", copy / "project.sqlite")
    (copy / "project.sqlite-wal").write_bytes(b"\0" * 4096)  # changes waiting (as a killed program leaves them)
    _unwritable(monkeypatch, copy)
    with pytest.raises(ProjectError, match="last changes are in project.sqlite-wal"):
        Project.open(copy, reading=True)
    (copy / "project.sqlite-wal").unlink()
    with Project.open(copy, reading=True) as project:  # closed cleanly: read as it is, no file made beside it
        assert project._uri.endswith("immutable=1") and sum(project.counts().values()) == 2
    assert sorted(p.name for p in copy.iterdir()) == ["project.sqlite"]


def test_read_only_opening_reads_as_the_writable_one_does_and_never_writes(tmp_path, monkeypatch):
    """A mutation audit: the read-only path's own checks and settings, each dropped, went unnoticed."""
    import shutil
    import sqlite3
    import threading

    from humanseg_core.project.schema import READS_FROM

    folder = _project(tmp_path)
    (folder / "clip.mp4").write_bytes(b"")  # an input inside the project: stored relative to it
    with Project.open(folder) as project:
        project.relocate_inputs(video=str(folder / "clip.mp4"))
    monkeypatch.chdir(tmp_path.parent)  # opened from another working folder
    _unwritable(monkeypatch, folder)
    with Project.open(folder, reading=True) as project:
        assert project.inputs.video == str((folder / "clip.mp4").resolve())  # relative inputs made absolute
        assert project._read("PRAGMA query_only")[0][0] == 1
        seen = []
        worker = threading.Thread(target=lambda: seen.append(project._read("PRAGMA query_only")[0][0]))
        worker.start()
        worker.join()
        assert seen == [1]  # another thread's connection reads only too
    for name, change, said in (
            ("old", f"PRAGMA user_version = {READS_FROM - 1}", "made by an older HumanSeg Studio"),
            ("bare", "DELETE FROM meta WHERE key = 'inputs'", "has no stored inputs")):
        copy = tmp_path / name
        copy.mkdir()
        shutil.copy(folder / "project.sqlite", copy / "project.sqlite")
        with sqlite3.connect(copy / "project.sqlite") as conn:
            conn.execute(change)
        conn.close()
        for leftover in copy.glob("project.sqlite-*"):
            leftover.unlink()
        _unwritable(monkeypatch, copy)
        with pytest.raises(ProjectError, match=said):
            Project.open(copy, reading=True)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    data = bytearray((folder / "project.sqlite").read_bytes())
    data[len(data) // 2:len(data) // 2 + 4096] = b"\xff" * 4096  # a page overwritten
    (damaged / "project.sqlite").write_bytes(bytes(data))
    _unwritable(monkeypatch, damaged)
    with pytest.raises(ProjectError, match="damaged|corrupt"):
        Project.open(damaged, reading=True)


def test_a_project_on_a_full_disk_opens_for_reading(tmp_path, monkeypatch, capsys):
    """A data-safety walk filled a project's disk: `status`, `decide --list`, `masks` and `export` elsewhere all
    failed with "the disk is full while opening the project", so nothing could be copied off."""
    from humanseg_core.cli import main
    from humanseg_core.project.connect import FullDiskProjectError

    folder = _project(tmp_path)
    real = store_mod._connect

    def connect(db, *a, read_only=False, **k):
        if not read_only:  # SQLite cannot grow its journal files
            raise FullDiskProjectError(f"{db}: the disk is full while opening the project")
        return real(db, *a, read_only=read_only, **k)

    monkeypatch.setattr(store_mod, "_connect", connect)
    with pytest.raises(ProjectError, match="the disk is full"):
        Project.open(folder)  # a command that writes: refused, as before
    (folder / "project.sqlite-shm").write_bytes(b"abc")  # what the failed writable opening left (a re-walk): the
    (folder / "project.sqlite-wal").write_bytes(b"")  # -shm file cannot grow on a full disk, so `mode=ro` fails
    with Project.open(folder, reading=True) as project:
        assert project.read_only and sorted(project.accepted_masks(3)) == [10]
        assert project._uri.endswith("?immutable=1")  # the database file alone: no change waits in the -wal
    assert main(["decide", "--project", str(folder), "--pid", "3", "--list"]) == 0
    assert main(["status", "--project", str(folder)]) == 0
    assert main(["masks", "--project", str(folder), "--pid", "3", "--out", str(tmp_path / "m")]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["masks"] == 1



def test_a_read_only_database_file_in_a_writable_folder_is_named_as_such(tmp_path, monkeypatch):
    """A walk's project.sqlite alone was read-only; the message asked for write access to the (writable) folder."""
    folder = _project(tmp_path)
    real = os.access
    monkeypatch.setattr(store_mod.os, "access", lambda p, mode: False if mode == os.W_OK and str(p).endswith(
        "project.sqlite") else real(p, mode))
    with pytest.raises(ProjectError, match="needs write access to the file project.sqlite .the folder is."):
        Project.open(folder)
    _unwritable(monkeypatch, folder)
    with pytest.raises(ProjectError, match=f"needs write access to the folder {folder}"):
        Project.open(folder)
