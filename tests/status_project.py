"""The small project the `humanseg status` tests read (tests/test_cli_status.py, tests/test_retrain_status.py)."""

import numpy as np
from fakes import jpeg_project

from humanseg_core.records import Proposal, Skip

H, W = 36, 48


def _mask(seed):
    m = np.zeros((H, W), bool)
    m[2 + seed % 20:12 + seed % 20, 3:11] = True
    return m


def status_project(tmp_path):
    """Person 3: every proposal accepted but one rejected, a network, results on 4 frames; person 7: pending;
    person 9: every proposal accepted, no network; person 12: only skipped pairs (hidden behind person 3)."""
    (tmp_path / "t.txt").write_text("10 3 1.0 2.0\n")
    with jpeg_project(tmp_path, range(10, 16), (H, W), lambda f: 40 + f) as p:
        p.add_proposals([Proposal(frame=f, pid=pid, box=(0, 0, 4, 4), mask=_mask(f + pid), source="bgs", score=0.5)
                         for pid in (3, 7, 9) for f in range(10, 16)])
        ids = [q.id for q in p.proposals(3)]
        p.set_status(ids[0], "rejected")
        p.set_statuses(ids[1:], "accepted")
        p.set_statuses([q.id for q in p.proposals(9)], "accepted")
        ckpt = tmp_path / "proj" / "net.pt"
        ckpt.write_bytes(b"x")
        run = p.add_run(3, "osvos-parent", checkpoint=str(ckpt), metrics={})
        p.save_results(3, run, {f: _mask(100 + f) for f in range(10, 14)})
        p.add_skips([Skip(frame=f, pid=12, reason="hidden behind person 3 (0.81 of its mask)") for f in (10, 11)])
    return tmp_path / "proj"
