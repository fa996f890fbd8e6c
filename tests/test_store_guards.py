"""Guards of saved work that a mutation audit (6 Dec) found untested: each test fails when its guard is removed.
The project's checkpoints, decisions made elsewhere, hand labels, foreign and newer database files, another
user's lock, training runs sharing a file, export names and exports replaced under --force."""

import os
import sqlite3
import time

import numpy as np
import pytest
from fakes import jpeg_project

from humanseg_core.errors import ProjectError
from humanseg_core.export import ExportError, export_job
from humanseg_core.export.atomic import unique_names
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.project.store import FILENAME, SCHEMA_VERSION
from humanseg_core.records import Proposal

H, W = 24, 32


def _mask(x0=4):
    m = np.zeros((H, W), bool)
    m[4:20, x0:x0 + 6] = True
    return m


@pytest.fixture
def project(tmp_path):
    p = jpeg_project(tmp_path, range(10, 14), (H, W), lambda f: 80)
    yield p
    p.close()


def test_an_old_checkpoint_is_kept_on_open_and_only_an_empty_claim_removed(project):
    """Opening a project removes names claimed by trainings that never saved (empty, a day old): a network file
    of any age stays (without the size check every checkpoint over a day old went at each open)."""
    folder = project.folder
    project.close()
    ckpts = folder / "checkpoints"
    ckpts.mkdir(exist_ok=True)
    kept, claim = ckpts / "pid3_fast_20261201T000000.pt", ckpts / "pid4_fast_20261201T000000.pt"
    kept.write_bytes(b"a network")
    claim.write_bytes(b"")
    old = time.time() - 2 * 86400
    for f in (kept, claim):
        os.utime(f, (old, old))
    Project.open(folder).close()
    assert kept.read_bytes() == b"a network" and not claim.exists()


def test_a_batch_decision_leaves_what_another_window_decided_since(project):
    project.add_proposals([Proposal(frame=f, pid=3, box=(4, 4, 10, 20), mask=_mask(), source="bgs")
                           for f in (10, 11)])
    a, b = (p.id for p in project.proposals(3, with_masks=False))
    project.set_status(a, "accepted")  # another window, after this one saw both pending
    left: list = []
    changed = project.set_statuses([a, b], "rejected", expected={a: "pending", b: "pending"}, left=left)
    assert changed == 1 and left == [a]
    assert {p.id: p.status for p in project.proposals(3, with_masks=False)} == {a: "accepted", b: "rejected"}


def test_a_pending_hand_label_with_pixels_is_never_dropped_as_blank(project):
    project.add_proposals([Proposal(frame=10, pid=3, box=(4, 4, 10, 20), mask=_mask(), source="hand"),
                           Proposal(frame=11, pid=3, box=(0, 0, 1, 1), mask=np.zeros((H, W), bool),
                                    source="hand")])
    drawn, blank = sorted(project.proposals(3, with_masks=False), key=lambda p: p.frame)
    assert not project.drop_blank_hand_label(drawn.id)
    assert project.drop_blank_hand_label(blank.id)
    assert [p.frame for p in project.proposals(3, with_masks=False)] == [10]


def test_another_programs_database_is_refused_and_not_written(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    conn = sqlite3.connect(folder / FILENAME)
    conn.execute("CREATE TABLE notes (t TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="not a HumanSeg project"):
        Project.open(folder)
    conn = sqlite3.connect(folder / FILENAME)
    try:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_project_of_the_next_version_is_refused(project):
    folder = project.folder
    project.close()
    conn = sqlite3.connect(folder / FILENAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer"):
        Project.open(folder)


def test_another_users_live_lock_is_kept(tmp_path, monkeypatch):
    """A process of another user answers os.kill(pid, 0) with PermissionError: alive, its lock kept (taken as
    dead, two windows would edit the project)."""
    from humanseg_core.project import lock

    monkeypatch.setattr(lock, "_started", lambda pid: None, raising=False)
    (tmp_path / lock.LOCK_NAME).write_text(f"{os.uname().nodename}\n{os.getpid() + 100000}\n")

    def denied(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", denied)
    assert lock._alive(os.getpid() + 100000)
    monkeypatch.setattr(os, "kill", lambda pid, sig: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert lock._alive(os.getpid() + 100000)  # cannot tell: alive, the project opened read-only


def test_two_runs_with_one_checkpoint_file_stay_two_runs(project):
    ckpt = project.folder / "checkpoints" / "pid3.pt"
    first = project.add_run(3, "osvos-lite", {"steps": 5}, str(ckpt), {"final_loss": 0.5})
    second = project.add_run(3, "osvos-parent", {"steps": 9}, str(ckpt), {"final_loss": 0.1})
    runs = {r["id"]: r for r in project.runs(3)}
    assert first != second and runs[first]["model"] == "osvos-lite" and runs[first]["params"] == {"steps": 5}


def test_export_names_are_unique_ignoring_case_and_after_the_suffix():
    named = unique_names({1: "a", 2: "a_3", 3: "a", 4: "Bob", 5: "bob", 6: None, 7: "person_6"})
    lowered = [n.lower() for n in named.values()]
    assert len(set(lowered)) == len(lowered), named
    assert named[1] == "a" and named[2] == "a_3" and named[3] == "a_3_2" and named[4] == "Bob"
    taken = unique_names({1: "a", 2: "a", 3: "a_2"})  # the name made for 2 is taken by 3's own: 3 moves on
    assert len({n.casefold() for n in taken.values()}) == 3 and taken[1] == "a" and taken[2] == "a_2"
    accents = unique_names({1: "\u00e9tude", 2: "e\u0301tude"})  # é as one character, and as e + its accent
    assert accents == {1: "\u00e9tude", 2: "\u00e9tude_2"}


def test_every_mask_blank_refuses_and_keeps_the_earlier_export(project, tmp_path):
    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {10: _mask()})
    out = tmp_path / "out"
    run_job(export_job(project, [3], "mots", out, source="results"))
    before = (out / "instances.txt").read_bytes()
    blank = project.add_run(3, "osvos-lite")
    project.save_results(3, blank, {10: np.zeros((H, W), bool)})
    with pytest.raises(ExportError, match="every mask of these persons is empty"):
        run_job(export_job(project, [3], "mots", out, source="results", force=True))
    assert (out / "instances.txt").read_bytes() == before


def test_a_file_put_in_the_target_during_an_export_is_not_replaced(project, tmp_path, monkeypatch):
    from humanseg_core.export import atomic

    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {10: _mask(), 11: _mask(6)})
    out = tmp_path / "out"
    run_job(export_job(project, [3], "davis", out, source="results"))
    real = atomic.write_png

    def meanwhile(*a, **k):
        (out / "notes.txt").write_text("the analyst's")
        return real(*a, **k)

    monkeypatch.setattr(atomic, "write_png", meanwhile)
    with pytest.raises(ExportError):
        run_job(export_job(project, [3], "davis", out, source="results", force=True))
    assert (out / "notes.txt").read_text() == "the analyst's"


def test_the_new_export_is_flushed_to_disk_before_the_previous_one_goes(project, tmp_path, monkeypatch):
    """An audit: the previous export was deleted right after the rename; after a power cut the new files could be
    empty with the old ones gone."""
    from humanseg_core.export import atomic

    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {10: _mask()})
    out = tmp_path / "out"
    run_job(export_job(project, [3], "mots", out, source="results"))
    seen: list = []
    real = atomic._flush
    monkeypatch.setattr(atomic, "_flush", lambda folder: seen.append((folder, sorted(p.name for p in
                                                                                       tmp_path.iterdir()))))
    run_job(export_job(project, [3], "mots", out, source="results", force=True))
    assert len(seen) == 1 and seen[0][0] == out and any(n.startswith(".out.old-") for n in seen[0][1])  # old kept
    synced: list = []
    monkeypatch.setattr(atomic.sys, "platform", "darwin")  # no syncfs: each file, then the folders
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: synced.append(fd))
    real(out)
    assert len(synced) == len([p for p in out.rglob("*") if p.is_file()]) + 2


def test_a_create_killed_half_way_leaves_no_project_and_can_be_done_again(tmp_path, monkeypatch):
    from humanseg_core.project import store
    from humanseg_core.records import ProjectInputs

    inputs = ProjectInputs(video=str(tmp_path / "v"), trajectories=str(tmp_path / "t.txt"))

    def killed(conn):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "migrate", killed)
    with pytest.raises(KeyboardInterrupt):
        Project.create(tmp_path / "p", inputs)
    assert not (tmp_path / "p" / FILENAME).exists()
    monkeypatch.undo()
    Project.create(tmp_path / "p", inputs).close()


def test_a_damaged_database_is_refused_on_open_naming_it(project):
    project.add_proposals([Proposal(frame=10 + i % 4, pid=i, box=(4, 4, 10, 20), mask=_mask(i % 20), source="bgs")
                           for i in range(400)])
    folder = project.folder
    project.close()
    db = folder / FILENAME
    conn = sqlite3.connect(db)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'proposals'").fetchone()[0]
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page  # the table's root page: its cells point nowhere now
    data[start + 8:start + page] = bytes([0xA5]) * (page - 8)
    db.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match=str(db)):
        Project.open(folder)


def test_an_export_target_that_is_a_file_is_named(project, tmp_path):
    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {10: _mask()})
    (tmp_path / "out").write_text("a file")
    with pytest.raises(ExportError, match="out: exists and is not a folder"):
        run_job(export_job(project, [3], "mots", tmp_path / "out", source="results", force=True))
    assert (tmp_path / "out").read_text() == "a file"


def test_a_migration_that_fails_half_way_leaves_the_project_as_it_was(project, monkeypatch):
    from humanseg_core.project import schema

    folder = project.folder
    project.close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, "CREATE TABLE extra (a);\nINSERT INTO nowhere "
                                                                   "VALUES (1);"])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(ProjectError, match="nowhere"):
        Project.open(folder)
    conn = sqlite3.connect(folder / FILENAME)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        conn.close()
    monkeypatch.undo()
    Project.open(folder).close()


def _decide(folder, ids, status, rounds, out):
    """A second program deciding proposals over and over (a studio window, a `humanseg decide`)."""
    try:
        with Project.open(folder) as p:
            for r in range(rounds):
                p.set_statuses(ids, status if r % 2 else "pending")
        out.put("ok")
    except Exception as exc:  # noqa: BLE001  (what the user would be shown)
        out.put(f"{type(exc).__name__}: {exc}")


def test_two_programs_deciding_at_once_both_save(project):
    """A read-then-write transaction begun deferred fails at once ("database is locked") when another program
    committed in between, whatever the busy timeout: a decision lost. Writes begin IMMEDIATE and wait instead."""
    import multiprocessing

    project.add_proposals([Proposal(frame=10 + i % 4, pid=i, box=(4, 4, 10, 20), mask=_mask(), source="bgs")
                           for i in range(40)])
    ids = [p.id for p in project.proposals(with_masks=False)]
    folder = project.folder
    project.close()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [ctx.Process(target=_decide, args=(folder, ids[k::2], s, 400, out))
               for k, s in ((0, "accepted"), (1, "rejected"))]
    for w in workers:
        w.start()
    said = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(10)
    assert said == ["ok", "ok"]
