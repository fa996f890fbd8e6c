"""The project lock file: a second window is told who holds the project; stale locks of dead pids are ignored."""

from __future__ import annotations

import json
import socket
import subprocess

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
