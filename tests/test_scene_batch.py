"""Whole-scene building blocks: the device abstraction, depth-ordered overlap resolution, and batched
segmentation giving the masks of one-frame-at-a-time segmentation."""

import numpy as np
import pytest
import torch
from fakes import demo_point, demo_with_points, guided_segmenter

from humanseg_core.demo import make_demo
from humanseg_core.errors import HumansegError
from humanseg_core.jobs import run_job
from humanseg_core.osvos import build_net
from humanseg_core.osvos.batch import BatchConfig, segment_persons_job
from humanseg_core.osvos.device import autocast, describe, resolve_device
from humanseg_core.osvos.segment import Segmenter
from humanseg_core.overlap import depth_order, resolve_overlaps


def test_device_cpu_and_auto():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")).type == "cpu"
    auto = resolve_device("auto")
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert auto.type == expected
    assert describe(torch.device("cpu")).startswith("cpu (")
    with pytest.raises(HumansegError, match="unknown device"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_device_cuda_missing_says_so():
    with pytest.raises(HumansegError, match="no CUDA device"):
        resolve_device("cuda")


def test_autocast_is_a_no_op_on_cpu():
    x = torch.ones(2, 2)
    with autocast(torch.device("cpu"), True):
        assert (x @ x).dtype == torch.float32


def test_overlap_nearer_feet_win():
    a = np.zeros((10, 10), bool)
    b = np.zeros((10, 10), bool)
    a[2:8, 2:6] = True
    b[4:9, 4:9] = True
    out, removed = resolve_overlaps({1: a, 2: b}, {1: 5.0, 2: 9.0})  # 2 is nearer (feet lower)
    assert removed == int((a & b).sum()) > 0
    assert not (out[1] & out[2]).any()
    assert (out[2] == b).all() and (out[1] == (a & ~b)).all()
    out, _ = resolve_overlaps({1: a, 2: b}, {1: 9.5, 2: 9.0})  # now 1 is nearer
    assert (out[1] == a).all() and (out[2] == (b & ~a)).all()
    assert depth_order([1, 2, 3], {1: 3.0, 3: 4.0}) == [3, 1, 2]  # no key: farthest
    assert (a == resolve_overlaps({1: a}, None)[0][1]).all()
    assert depth_order([1, 2], {1: 5.0, 2: 5.0}) == [2, 1] == depth_order([2, 1], {1: 5.0, 2: 5.0})  # ties: larger pid


def test_the_mots_export_takes_the_lowest_row_as_the_feet():
    """A person standing in front reaches lower in the image, and higher too when taller: its feet row, not its head
    row, makes it the nearer one."""
    from humanseg_core.export.mots import feet_rows

    far, near = np.zeros((30, 10), bool), np.zeros((30, 10), bool)
    far[10:20, 2:6] = True
    near[2:28, 4:8] = True
    assert feet_rows({1: far, 2: near, 3: np.zeros((30, 10), bool)}) == {1: 19.0, 2: 27.0}
    out, _ = resolve_overlaps({1: far, 2: near}, feet_rows({1: far, 2: near}))
    assert (out[2] == near).all() and not (out[1] & near).any()


def _segmenter(in_channels=4) -> Segmenter:
    torch.manual_seed(0)
    return guided_segmenter(build_net("osvos-lite", in_channels), "osvos-lite", in_channels, "group")


@pytest.fixture(scope="module")
def demo():
    return demo_with_points(seed=1, n_frames=12, n_walkers=3)


@pytest.mark.parametrize("workers", [1, 2])
def test_batched_equals_one_by_one(demo, workers):
    d, points = demo
    pids = list(d.pids)[:2]
    models = {pid: _segmenter() for pid in pids}
    # a threshold at the median probability makes the random nets' masks non-trivial
    for pid, seg in models.items():
        from humanseg_core.osvos.batch import PersonNet

        net = PersonNet(pid, seg, torch.device("cpu"))
        x, _m = net.prepare(d.frames(0), points[pid][0])
        seg.threshold = float(np.median(net.forward([x])))
    got = {}
    threads = torch.get_num_threads()
    stats = run_job(segment_persons_job(models, d.frames, lambda f: {p: points[p][f] for p in d.pids},
                                        {pid: range(6) for pid in pids},
                                        lambda f, masks: got.update({(f, p): m for p, m in masks.items()}),
                                        BatchConfig(batch_size=4, chunk_frames=6, device="cpu", workers=workers)))
    assert stats.total_person_frames == 12 and not stats.failures
    assert torch.get_num_threads() == threads  # parallel persons use one thread each, then give it back
    n_diff = 0
    for (f, pid), m in got.items():
        others = [points[q][f] for q in d.pids if q != pid]
        one = models[pid].predict(d.frames(f), points[pid][f], others)
        assert m.shape == one.shape and one.any()
        n_diff += int((m != one).sum())
        assert (m & one).sum() / max(1, (m | one).sum()) > 0.99
    assert n_diff <= 0.001 * sum(int(m.sum()) for m in got.values()) + 5


@pytest.mark.parametrize("workers", [1, 2])
def test_one_failing_person_does_not_sink_the_others(demo, workers):
    d, points = demo
    pids = list(d.pids)[:2]
    models = {pids[0]: _segmenter(), pids[1]: _segmenter(in_channels=3)}
    broken = models[pids[1]]
    broken.meta["in_channels"] = 4  # inputs get a prior channel the net does not take: its forward fails
    got = {}
    stats = run_job(segment_persons_job(models, d.frames, lambda f: {p: points[p][f] for p in d.pids},
                                        {pid: range(6) for pid in pids},
                                        lambda f, masks: got.update({(f, p): m for p, m in masks.items()}),
                                        BatchConfig(batch_size=4, chunk_frames=3, workers=workers)))
    assert set(stats.failures) == {pids[1]}
    assert stats.person_frames[pids[0]] == 6
    assert {p for _f, p in got} == {pids[0]}


def test_a_person_that_failed_is_not_segmented_again_in_later_chunks(demo, monkeypatch):
    """A person failed on one chunk: its run is marked failed, and a later chunk working for it would leave a
    mask sequence with a hole where the failure was."""
    from humanseg_core.osvos import batch

    d, points = demo
    pids = list(d.pids)[:2]
    models = {pids[0]: _segmenter(), pids[1]: _segmenter()}
    real, calls = batch._person_chunk, []

    def flaky(net, jobs, *args, **kwargs):
        calls.append(net.pid)
        if net.pid == pids[1] and calls.count(net.pid) == 1:
            raise RuntimeError("out of memory, once")
        return real(net, jobs, *args, **kwargs)

    monkeypatch.setattr(batch, "_person_chunk", flaky)
    got = {}
    stats = run_job(segment_persons_job(models, d.frames, lambda f: {p: points[p][f] for p in d.pids},
                                        {pid: range(6) for pid in pids},
                                        lambda f, masks: got.update({(f, p): m for p, m in masks.items()}),
                                        BatchConfig(batch_size=4, chunk_frames=3, workers=1)))
    assert set(stats.failures) == {pids[1]} and stats.person_frames[pids[1]] == 0
    assert {p for _f, p in got} == {pids[0]} and calls.count(pids[1]) == 1


def test_mots_export_gives_overlaps_to_the_nearer_person(tmp_path):
    from humanseg_core.export.mots import write_mots
    from humanseg_core.scene_metrics import mots_sets

    far = np.zeros((30, 20), bool)
    near = np.zeros((30, 20), bool)
    far[2:20, 2:10] = True  # feet at row 19
    near[8:28, 6:14] = True  # feet at row 27: nearer, although its pid is smaller
    run_job(write_mots(tmp_path, {9: {0: far}, 4: {0: near}}))
    got = mots_sets(tmp_path)
    assert (got[4][0] == near).all() and (got[9][0] == (far & ~near)).all()
    run_job(write_mots(tmp_path, {9: {0: far}, 4: {0: near}}, depth={0: {9: 50.0, 4: 1.0}}.get))
    got = mots_sets(tmp_path)
    assert (got[9][0] == far).all() and (got[4][0] == (near & ~far)).all()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_training_on_a_missing_device_says_so_before_training():
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.train import train_job

    d = make_demo(seed=1, n_frames=11, n_walkers=2)
    pid = d.pids[0]
    masks = {f: d.gt[pid][f] for f in (0, 10) if f in d.gt[pid]}
    track = lambda f: demo_point(d, pid, f)  # noqa: E731
    config = TrainConfig(steps=1, allow_download=False, refine_labels=False, device="cuda")
    assert config.device == "cuda" and TrainConfig().device == "cpu"  # CPU unless asked
    with pytest.raises(HumansegError, match="no CUDA device"):
        run_job(train_job(d.frames, track, masks, config, pid=pid))


def test_run_on_a_missing_device_is_refused_before_any_work(small_demo, tmp_path, capsys):
    """A walk's `run --device cuda` printed the evidence step's note, made the project, then was refused."""
    import torch

    from humanseg_core.cli import main

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code = main(["run", "--project", str(tmp_path / "p"), "--video", str(small_demo / "frames"), "--trajectories",
                 str(small_demo / "trajectories.txt"), "--pids", "1", "--device", "cuda", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "no CUDA device" in err and "note" not in err and not (tmp_path / "p").exists()
