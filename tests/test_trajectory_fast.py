"""The fast path for clean trajectory files gives exactly what the line-by-line parser gives (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.errors import TrajectoryError
from humanseg_core.inputs import trajectories as tr
from humanseg_core.inputs.trajectory_fast import fast_rows


def _both(path, **kw):
    fast = tr.load_trajectories(path, **kw)
    saved = tr.fast_rows
    tr.fast_rows = lambda *a: None
    try:
        slow = tr.load_trajectories(path, **kw)
    finally:
        tr.fast_rows = saved
    return fast, slow


@pytest.mark.parametrize("seed", range(6))
def test_fast_and_careful_parsers_agree(tmp_path, seed):
    rng = np.random.default_rng(seed)
    cols = 8 if seed % 3 == 0 else 4
    rows = []
    for f in rng.permutation(60)[:40] * 10:
        for pid in rng.permutation(9)[:5] + 1:
            values = [f, pid, *rng.normal(0, 5, cols - 2).round(3)]
            rows.append("\t".join(str(v) for v in values))
    path = tmp_path / "t.txt"
    path.write_text("\n".join(rows) + "\n\n")
    kw = dict(frame_offset=int(seed), frame_step=1 + seed % 2)
    assert fast_rows(path.read_text(), "auto", kw["frame_offset"], kw["frame_step"], tr.COLUMNS, tr.MAX_FRAME)
    fast, slow = _both(path, **kw)
    assert fast.format == slow.format and fast.pids == slow.pids
    for pid in fast.pids:
        assert np.array_equal(fast.tracks[pid].frames, slow.tracks[pid].frames)
        assert np.array_equal(fast.tracks[pid].world, slow.tracks[pid].world)


@pytest.mark.parametrize("text, problem", [
    ("0 1 1 2\n0 1 3 3\n", "twice"), ("0 1 nan 2\n", "finite"), ("0.5 1 1 2\n", "whole"),
    ("frame pid x y\n0 1 1 2\n", None), ("0 1 1 2 # c\n10 1 2 2\n", None), ("0,1,1,2\n", None),
    ("0 1 1 2\n10 1 2\n", "columns"), ("", "no trajectory rows"),
])
def test_anything_unusual_goes_the_careful_way(tmp_path, text, problem):
    assert fast_rows(text, "auto", 0, 1, tr.COLUMNS, tr.MAX_FRAME) is None
    path = tmp_path / "t.txt"
    path.write_text(text)
    if problem is None:
        assert tr.load_trajectories(path).pids == [1]
    else:
        with pytest.raises(TrajectoryError, match=problem):
            tr.load_trajectories(path)
