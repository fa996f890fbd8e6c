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


def test_f_tolerance_follows_the_person_so_a_shifted_mask_scores_below_1():
    """A 75-px person on a 720 x 576 frame: DAVIS's tolerance (0.008 x diagonal = 8 px) forgives a 4-px
    shift entirely; the person-scaled one (2 % of 75 px = 2 px) does not."""
    from humanseg_core import metrics
    from humanseg_core.workflows.quality import person_tolerance, score_frames

    gt = np.zeros((576, 720), bool)
    gt[300:375, 400:420] = True
    shifted = np.roll(gt, 4, axis=1)
    assert metrics.f_boundary(shifted, gt) == 1.0  # the lenient default
    assert person_tolerance(gt) == 2
    (score,) = score_frames({7: shifted}, {7: gt}, heldout_frames=[7])
    assert score.tolerance == 2 and score.f < 0.9
    (exact,) = score_frames({7: gt}, {7: gt}, heldout_frames=[7])
    assert exact.f == 1.0
    assert person_tolerance(np.zeros((10, 10), bool)) == 1
