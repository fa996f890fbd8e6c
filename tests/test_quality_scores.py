"""The Quality panel's scores as a core job: held-out vs training frames, missing and damaged masks."""

import numpy as np

from humanseg_core import rle
from humanseg_core.jobs import CancelToken
from humanseg_core.workflows.quality import score_job


def _mask(x0: int) -> np.ndarray:
    m = np.zeros((20, 30), bool)
    m[5:15, x0:x0 + 10] = True
    return m


def _run(gen):
    n = 0
    while True:
        try:
            next(gen)
            n += 1
        except StopIteration as stop:
            return n, stop.value


def test_score_job_scores_held_out_and_training_frames_from_blobs():
    accepted = {f: rle.to_blob(_mask(5)) for f in (1, 2, 3, 4)}
    results = {1: rle.to_blob(_mask(5)), 2: rle.to_blob(_mask(10))}  # frame 3: no result
    reports, scores = _run(score_job(results, accepted, heldout_frames=[2, 3], train_frames=[1, 2], cancel=None))
    assert reports == 3 and [s.frame for s in scores] == [1, 2, 3]
    by = {s.frame: s for s in scores}
    assert by[1].j == 1.0 and not by[1].heldout
    assert abs(by[2].j - 50 / 150) < 1e-6 and by[2].heldout
    assert by[3].missing and by[3].j == 0.0


def test_damaged_blobs_do_not_fail_the_job():
    accepted = {1: rle.to_blob(_mask(5)), 2: b"RLE1\x01"}  # frame 2's accepted mask is damaged: left out
    results = {1: b"\x00\x01\x02\x03"}  # frame 1's result is damaged: scored as missing
    _n, scores = _run(score_job(results, accepted, heldout_frames=[1, 2], cancel=CancelToken()))
    assert [(s.frame, s.missing, s.j) for s in scores] == [(1, True, 0.0)]
