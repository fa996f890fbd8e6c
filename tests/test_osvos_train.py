"""Fine-tuning osvos-lite on the demo scene: quality on held-out frames, cancel, edge cases."""

import numpy as np
import pytest
from fakes import demo_point, most_seen_person

from humanseg_core.demo import make_demo
from humanseg_core.errors import Cancelled, FrameError, HumansegError
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.osvos.config import FROM_SCRATCH, TrainConfig
from humanseg_core.osvos.segment import segment_job
from humanseg_core.osvos.train import train_job

N_FRAMES = 60
STEPS = 150  # the slow fixture's training budget


def _iou(a, b):
    return (a & b).sum() / max(1, (a | b).sum())


@pytest.fixture(scope="module")
def demo():
    d = make_demo(seed=0, n_frames=N_FRAMES, n_walkers=4)
    pid = most_seen_person(d)
    track = lambda f: demo_point(d, pid, f)  # noqa: E731
    masks = {f: d.gt[pid][f] for f in range(0, N_FRAMES, 10) if f in d.gt[pid]}
    return d, pid, track, masks


@pytest.fixture(scope="module")
def trained(demo):
    d, pid, track, masks = demo
    pytest.importorskip("torch")
    losses, first = [], []
    # 150 steps on the exact GT labels without GrabCut cleaning (nothing to clean): J 0.832 on the held-out
    # frames in 14.7 s of training with two threads on an idle 2-core machine (200 steps with cleaning: J 0.844
    # in 20.7 s). The threads are torch's default: one under `make test` (OMP_NUM_THREADS=1, two processes);
    # two threads here beside the other process took 73 s and stayed set for that process's later tests.
    config = TrainConfig(steps=STEPS, allow_download=False, refine_labels=False)
    res = run_job(train_job(d.frames, track, masks, config, pid=pid),
                  lambda p: losses.append(p.data["loss"]) if "loss" in p.data else first.append(p))
    return res, losses, first


@pytest.mark.slow
def test_lite_reaches_j_08_on_held_out_frames(demo, trained):
    d, pid, track, masks = demo
    res, losses, first = trained
    assert res.steps == STEPS and len(losses) == STEPS
    # the scratch warning is reported before the first step, not only with the result
    assert len(first) == 1 and first[0].data["step"] == 0
    assert [w.kind for w in first[0].warnings] == [FROM_SCRATCH]  # typed: nobody matches its text
    assert "from scratch" in first[0].warnings[0].text and res.from_scratch
    assert res.final_loss == losses[-1]
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])  # it learns
    assert any("from scratch" in w for w in res.warnings)
    held = [f for f in d.gt[pid] if f not in masks][::4]
    out = run_job(segment_job(res, d.frames, track, held))
    j = np.mean([_iou(out[f], d.gt[pid][f]) for f in held])
    assert j >= 0.8, j
    # The masks are full-frame and do not spill onto another walker's centre.
    assert all(m.shape == (d.height, d.width) for m in out.values())


def test_cancel_stops_within_one_step(demo):
    d, pid, track, masks = demo
    token = CancelToken()
    seen = []

    def on_progress(p):
        if p.data.get("stage") == "labels":  # label cleaning reports before the steps
            return
        seen.append(p.data["step"])
        if p.data["step"] == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        run_job(train_job(d.frames, track, masks, TrainConfig(steps=50, allow_download=False), cancel=token),
                on_progress)
    assert seen == [0, 1, 2, 3]  # 0: the start report, before any step


def test_no_accepted_masks_is_a_clear_error(demo):
    d, pid, track, _ = demo
    with pytest.raises(HumansegError, match="no accepted masks for person 5: accept some proposals first"):
        run_job(train_job(d.frames, track, {}, TrainConfig(steps=5), pid=5))


def test_one_annotation_works_with_a_note(demo):
    d, pid, track, masks = demo
    f0 = sorted(masks)[0]
    res = run_job(train_job(d.frames, track, {f0: masks[f0]}, TrainConfig(steps=3, allow_download=False), pid=pid))
    assert res.steps == 3
    assert any("only one usable label" in w for w in res.warnings)
    out = run_job(segment_job(res, d.frames, track, [f0]))
    assert out[f0].shape == (d.height, d.width)


def test_missing_frames_are_skipped_with_a_note(demo):
    d, pid, track, masks = demo
    bad = sorted(masks)[1]

    def reader(f):
        if f == bad:
            raise FrameError("video.mp4", "cannot decode", f)
        return d.frames(f)

    res = run_job(train_job(reader, track, masks, TrainConfig(steps=2, allow_download=False)))
    assert any(f"frame {bad}" in w and "skipped" in w for w in res.warnings)
    assert bad not in res.meta["train_frames"]
    out = run_job(segment_job(res, reader, track, [bad, bad + 1]))
    assert bad not in out and bad + 1 in out
    assert any(f"frame {bad}" in n for n in out.notes)
    # Outside the track: skipped with a note as well.
    out = run_job(segment_job(res, reader, lambda f: None, [bad + 1]))
    assert not out and "no track position" in out.notes[0]


def test_holdout_reports_j_and_budget_in_seconds(demo):
    d, pid, track, masks = demo
    steps = []
    config = TrainConfig(seconds=1.0, holdout=2, eval_every=1, allow_download=False)
    res = run_job(train_job(d.frames, track, masks, config),
                  lambda p: steps.append(p.data) if "loss" in p.data else None)
    # the budget itself is tested on a fake clock (test_osvos_budget.py): wall seconds here depend on the load
    assert res.seconds > 0 and res.steps == len(steps) >= 1
    assert res.holdout_J is not None and 0.0 <= res.holdout_J <= 1.0
    assert "holdout_J" in steps[0]
    assert len(res.meta["train_frames"]) == len(masks) - 2
    assert len(res.holdout_frames) == 2 and sorted(res.train_frames + res.holdout_frames) == sorted(masks)
