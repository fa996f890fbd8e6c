"""The project lock file: a second window is told who holds the project; stale locks of dead pids are ignored."""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pytest

from humanseg_core.project.lock import LOCK_NAME, acquire, holder, release


def test_lock_held_by_a_live_process_then_stale(tmp_path):
    assert acquire(tmp_path) is None  # taken by this process
    assert holder(tmp_path) is None  # our own lock is no obstacle
    other = subprocess.Popen(["sleep", "60"])  # stands for another studio window's process
    try:
        (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname()}))
        assert acquire(tmp_path).pid == other.pid  # not taken: the caller opens read-only
        release(tmp_path)  # never drops another process's lock
        assert holder(tmp_path).pid == other.pid
    finally:
        other.kill()
        other.wait()
    assert holder(tmp_path) is None  # dead pid: stale
    assert acquire(tmp_path) is None and json.loads((tmp_path / LOCK_NAME).read_text())["pid"] > 0
    release(tmp_path)
    assert not (tmp_path / LOCK_NAME).exists()
    (tmp_path / LOCK_NAME).write_text("garbage")
    assert holder(tmp_path) is None


def test_locks_taken_at_once_by_many_processes_go_to_one(tmp_path):
    """A review: two windows opening a project at once each checked for a holder, found none and wrote the lock;
    both edited. Here three processes take it at the same moment, 15 times (a stale lock there the first time)."""
    import multiprocessing

    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 999_999_999, "host": socket.gethostname()}))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(3, timeout=20)
        with ctx.Pool(3) as pool:
            rounds = pool.starmap(_race, [(str(tmp_path), barrier)] * 3)
    takers = [sum(took) for took in zip(*rounds)]
    assert takers == [1] * 15
    assert [p.name for p in tmp_path.iterdir()] == []  # each round's taker released it; nothing else left


def _race(folder, barrier):
    import time

    from humanseg_core.project import lock

    real = lock.holder

    def slow(folder):  # a busy machine: each process looks, then the others look before it writes
        found = real(folder)
        time.sleep(0.05)
        return found

    lock.holder = slow
    acquire, release = lock.acquire, lock.release
    took = []
    for _ in range(15):
        barrier.wait()
        took.append(acquire(folder) is None)
        barrier.wait()  # every process has tried while the taker holds it
        if took[-1]:
            release(folder)
        barrier.wait()
    return took


def test_a_file_system_without_hard_links_takes_the_lock_as_before(tmp_path, monkeypatch):
    from humanseg_core.project import lock

    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(lock.os, "link", no_links)
    assert acquire(tmp_path) is None and json.loads((tmp_path / LOCK_NAME).read_text())["pid"] > 0
    other = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname()}))
        assert acquire(tmp_path).pid == other.pid  # a live holder's lock is kept
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == other.pid
    finally:
        other.kill()
        other.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]


def test_a_stale_lock_another_process_is_taking_over_is_not_said_taken(tmp_path, monkeypatch):
    """A review: with a takeover under way (its guard file fresh), the retries ran out and the stale holder read as
    none: the lock said taken, the file still the dead process's; each window then edited."""
    from humanseg_core.project import lock

    monkeypatch.setattr(lock, "STALE_TAKEOVER_S", 0.3)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 999_999_999, "host": socket.gethostname()}))
    guard = tmp_path / f"{LOCK_NAME}.takeover"
    guard.write_text("")

    def fresh(*a, **k):  # the other process's takeover stays under way
        os.utime(guard)
        return real_sleep(*a, **k)

    import os
    import time

    real_sleep = time.sleep
    monkeypatch.setattr(lock.time, "sleep", fresh)
    got = acquire(tmp_path)
    assert got is not None and got.pid == 999_999_999  # not taken: the window opens read-only
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == 999_999_999


def test_a_lock_whose_pid_another_process_now_has_is_stale(tmp_path):
    """A review: a crashed window's pid reused by another process kept the project read-only for ever."""
    from humanseg_core.project import lock

    other = subprocess.Popen(["sleep", "60"])
    try:
        started = lock._started(other.pid)
        if started is None:
            pytest.skip("no /proc here: a process's start time cannot be read")
        (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname(),
                                                      "started": started}))
        assert holder(tmp_path).pid == other.pid  # the same process: held
        (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname(),
                                                      "started": started - 1}))
        assert holder(tmp_path) is None  # another process under that pid: stale
        assert acquire(tmp_path) is None
        assert json.loads((tmp_path / LOCK_NAME).read_text())["started"] == lock._started(os.getpid())
    finally:
        other.kill()
        other.wait()


def test_the_start_time_read_is_the_processes_own():
    """A mutation audit: the wrong field of /proc/<pid>/stat read 0 for every process, and the pid-reuse check
    said nothing."""
    import time

    from humanseg_core.project import lock

    me = lock._started(os.getpid())
    if me is None:
        pytest.skip("no /proc here")
    time.sleep(0.05)
    other = subprocess.Popen(["sleep", "5"])
    try:
        assert me > 0 and lock._started(other.pid) > me
    finally:
        other.kill()
        other.wait()


def test_a_takeover_file_left_by_a_killed_process_is_waited_out(tmp_path, monkeypatch):
    from humanseg_core.project import lock

    monkeypatch.setattr(lock, "STALE_TAKEOVER_S", 0.3)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 999_999_999, "host": socket.gethostname()}))
    (tmp_path / f"{LOCK_NAME}.takeover").write_text("")  # its process killed in mid-takeover
    assert acquire(tmp_path) is None
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    release(tmp_path)


def test_a_lock_of_another_machine_is_held(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 999_999_999, "host": "elsewhere.invalid"}))
    assert holder(tmp_path).host == "elsewhere.invalid" and acquire(tmp_path).host == "elsewhere.invalid"


def test_a_copy_of_a_held_project_is_not_held(tmp_path):
    """A walk copied a project a studio window had open (`cp -a P Q`, the README's backup): the copy opened
    read-only, "open in another HumanSeg Studio window", and every command on it said so."""
    import shutil

    original, copy, moved = tmp_path / "p", tmp_path / "q", tmp_path / "m"
    original.mkdir()
    other = subprocess.Popen(["sleep", "60"])  # the window that holds the original
    try:
        (original / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname(),
                                                      "folder": str(original.resolve())}))
        shutil.copytree(original, copy)
        assert holder(original).pid == other.pid and holder(copy) is None
        assert acquire(copy) is None  # the copy's own lock, this process's
        assert json.loads((copy / LOCK_NAME).read_text())["folder"] == str(copy.resolve())
        # the same folder reached by another path (a bind mount: a review's second window took the lock too)
        (original / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname(),
                                                      "folder": f"{original.resolve().parent}//{original.name}"}))
        assert holder(original).pid == other.pid and acquire(original).pid == other.pid
        original.rename(moved)  # a project moved while held: still held (the folder it names is gone)
        assert holder(moved).pid == other.pid
    finally:
        other.kill()
        other.wait()
