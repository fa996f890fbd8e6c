"""The clean-up asks whether a leftover temporary file is held open before deleting it (open_files.in_use)."""

import os
import time
from pathlib import Path

import pytest

from humanseg_core import open_files


def test_a_file_held_open_is_in_use_and_a_closed_one_is_not(tmp_path):
    f = tmp_path / "a.tmp"
    f.write_bytes(b"x")
    assert not open_files.in_use(f)
    with open(f, "rb"):
        assert open_files.in_use(f)
    assert not open_files.in_use(tmp_path / "missing.tmp")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the open-file listing is Linux's /proc")
def test_a_fresh_file_is_not_ruled_out_when_some_processes_cannot_be_looked_into(tmp_path, monkeypatch):
    """A review: a project opened by another user deleted a training's checkpoint while it was being saved, since
    processes whose open files could not be read were skipped as if they held nothing."""
    mine = str(os.getpid())
    real = Path.iterdir

    def iterdir(self):
        if self.name == "fd" and self.parent.name.isdigit() and self.parent.name != mine:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    fresh, old = tmp_path / "fresh.tmp", tmp_path / "old.tmp"
    fresh.write_bytes(b"x")
    old.write_bytes(b"x")
    past = time.time() - 10 * open_files._RECENT_S
    os.utime(old, (past, past))
    assert open_files.in_use(fresh)  # another user's writer may hold it
    assert not open_files.in_use(old)  # nobody wrote it for ten minutes: a killed writer's
