"""The whole-scene run's fast paths give what the plain code gives: the inference copy of an osvos-parent
network (BatchNorm folded, channels-last), batched parent masks against one frame at a time, the pasted
mask computed in the box only, overlaps resolved inside bounding boxes, results stored in one
transaction per chunk of frames."""

import numpy as np
import pytest
import torch
from fakes import crop_geometry, demo_with_points, guided_segmenter

from humanseg_core.errors import ProjectError
from humanseg_core.osvos import build_net
from humanseg_core.osvos.batch import PersonNet
from humanseg_core.osvos.parent_crops import forward_probs, paste_mask, person_input
from humanseg_core.overlap import depth_order, resolve_overlaps
from humanseg_core.prior import crops as pcrops
from humanseg_core.prior.inference import inference_net

PARENT_CONFIG = {"n_blocks": 6, "width": 8, "size": 48, "factor": 2.0, "anchor_input": False}


def _random_parent(seed: int = 0):
    """A small osvos-parent net with non-trivial BatchNorm statistics (so folding them changes weights)."""
    torch.manual_seed(seed)
    net = build_net("osvos-parent", 5, "frozen_bn", PARENT_CONFIG).eval()
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.2)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
    return net


def test_inference_copy_folds_batchnorm_and_keeps_the_logits():
    net = _random_parent()
    n_bn = sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    fast = inference_net(net)
    assert n_bn > 0 and not any(isinstance(m, torch.nn.BatchNorm2d) for m in fast.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules()) == n_bn  # the original is untouched
    x = torch.randn(3, 5, 48, 48)
    with torch.inference_mode():
        ref = net(x)[-1]
        got = fast(x.contiguous(memory_format=torch.channels_last))[-1]
    assert got.shape == ref.shape
    assert torch.allclose(got, ref, atol=1e-4 * float(ref.abs().max()) + 1e-5)
    assert not torch.equal(fast.net.encoder._conv_stem.weight, net.net.encoder._conv_stem.weight)


def test_bfloat16_inference_copy_keeps_the_logits_and_the_original():
    net = _random_parent(3)
    fast = inference_net(net, dtype=torch.bfloat16)
    assert fast.net.encoder._conv_stem.weight.dtype == torch.bfloat16
    assert net.net.encoder._conv_stem.weight.dtype == torch.float32  # training keeps its float32 module
    x = torch.randn(2, 5, 48, 48)
    with torch.inference_mode():
        ref = net(x)[-1]
        got = fast(x.to(torch.bfloat16).contiguous(memory_format=torch.channels_last))[-1].float()
    # bfloat16 keeps 8 bits of mantissa: close to the float32 logits, not bit-equal
    err = float((got - ref).abs().max()) / float(ref.abs().max())
    assert 0 < err < 0.05


def test_mixed_precision_on_cpu_only_with_native_bfloat16(monkeypatch):
    from humanseg_core.osvos import device as dev

    cpu = torch.device("cpu")
    assert dev.inference_dtype(cpu, False) == torch.float32
    assert dev.precision_note(cpu, False) is None
    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: True)
    assert dev.inference_dtype(cpu, True) == torch.bfloat16 and dev.precision_note(cpu, True) is None
    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: False)
    assert dev.inference_dtype(cpu, True) == torch.float32
    assert "float32" in (dev.precision_note(cpu, True) or "")
    assert dev.precision_used(cpu, True) == "float32" == dev.precision_used(torch.device("cuda"), False)
    assert dev.precision_used(torch.device("cuda"), True) == "bfloat16"  # autocast
    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: True)
    assert dev.precision_used(cpu, True) == "bfloat16" and dev.precision_used(cpu, False) == "float32"


@pytest.fixture(scope="module")
def scene():
    return demo_with_points(seed=2, n_frames=8, n_walkers=4)


def test_batched_parent_masks_equal_one_frame_at_a_time(scene, monkeypatch):
    d, points = scene
    net = _random_parent(1)
    g = crop_geometry()
    seg = guided_segmenter(net, "osvos-parent", 5, "frozen_bn", parent_config=net.config)
    pid = list(d.pids)[0]
    frames = list(range(8))
    others = [[points[q][f] for q in d.pids if q != pid] for f in frames]
    person = PersonNet(pid, seg, torch.device("cpu"))
    # a threshold at the median probability makes the random net's masks non-trivial
    x, _box = person_input(d.frames(0), points[pid][0], others[0], g, seg.parent_crop)
    seg.threshold = float(np.median(forward_probs(seg.net, [x])))
    got = person.masks([d.frames(f) for f in frames], [points[pid][f] for f in frames], others)
    n_diff = n_fg = 0
    for f, m in zip(frames, got):
        one = seg.predict(d.frames(f), points[pid][f], others[f])
        assert m is not None and m.shape == one.shape and m.dtype == bool
        n_diff += int((m != one).sum())
        n_fg += int(one.sum())
    assert n_fg > 0 and n_diff <= 0.002 * n_fg + 5
    assert person.masks([d.frames(0)], [None], [[]]) == [None]
    # mixed precision: a bfloat16 copy where the CPU runs it natively, the same probabilities to ~1e-2
    from humanseg_core.osvos import device as dev

    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: True)
    half = PersonNet(pid, seg, torch.device("cpu"), mixed_precision=True)
    assert half.dtype == torch.bfloat16 and person.dtype == torch.float32
    xs = np.stack([person_input(d.frames(f), points[pid][f], others[f], g, seg.parent_crop)[0] for f in frames])
    p32, p16 = person.forward(xs), half.forward(xs)
    assert p16.dtype == np.float32 and p16.shape == p32.shape
    assert 0 < float(np.abs(p16 - p32).max()) < 0.05


@pytest.mark.parametrize("norm", ["group", "frozen_bn"])
def test_mixed_precision_gives_osvos_lite_a_bfloat16_copy_with_the_same_masks(scene, monkeypatch, norm):
    from humanseg_core.osvos import device as dev

    d, points = scene
    torch.manual_seed(4)
    seg = guided_segmenter(build_net("osvos-lite", 4, norm).eval(), "osvos-lite", 4, norm)
    pid = list(d.pids)[0]
    frames = [f for f in range(8) if points[pid].get(f) is not None]
    imgs, pts = [d.frames(f) for f in frames], [points[pid][f] for f in frames]
    others = [[points[q][f] for q in d.pids if q != pid] for f in frames]
    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: False)  # as on a CPU without native bfloat16
    person = PersonNet(pid, seg, torch.device("cpu"), mixed_precision=True)
    assert person.dtype == torch.float32 and person.net is seg.net  # float32: its own module, as before
    xs = [person.prepare(i, p)[0] for i, p in zip(imgs, pts)]
    p32 = person.forward(xs)
    seg.threshold = float(np.median(p32))  # non-trivial masks from a random net
    monkeypatch.setattr(dev, "cpu_bf16_native", lambda: True)
    half = PersonNet(pid, seg, torch.device("cpu"), mixed_precision=True)
    assert half.dtype == torch.bfloat16 and half.net is not seg.net
    assert next(half.net.parameters()).dtype == torch.bfloat16 and next(seg.net.parameters()).dtype == torch.float32
    p16 = half.forward(xs)
    assert p16.dtype == np.float32 and 0 < float(np.abs(p16 - p32).max()) < 0.05
    m32, m16 = person.masks(imgs, pts, others), half.masks(imgs, pts, others)
    n_diff, n_fg = sum(int((a != b).sum()) for a, b in zip(m32, m16)), sum(int(a.sum()) for a in m32)
    assert n_fg > 0 and n_diff <= 0.05 * n_fg


def test_paste_mask_is_the_full_frame_paste_thresholded():
    rng = np.random.default_rng(0)
    shape = (60, 80, 3)
    for box in [(10, 5, 40, 35), (-12, -7, 20, 25), (60, 40, 100, 80), (90, 70, 120, 100), (0, 0, 80, 80)]:
        kept = rng.random((24, 24)) > 0.6
        ref = pcrops.paste(kept.astype(np.float32), box, shape) >= 0.5
        assert np.array_equal(paste_mask(kept, box, shape), ref)
    assert not paste_mask(np.zeros((24, 24), bool), (10, 5, 40, 35), shape).any()


def _resolve_reference(masks, depth):
    taken, out, removed = None, {}, 0
    for p in depth_order(list(masks), depth):
        m = np.asarray(masks[p], bool)
        taken = np.zeros(m.shape, bool) if taken is None else taken
        removed += int((m & taken).sum())
        out[p] = m & ~taken
        taken |= out[p]
    return out, removed


def test_overlaps_in_bounding_boxes_equal_the_full_frame_rule():
    rng = np.random.default_rng(1)
    for _trial in range(20):
        masks = {}
        for pid in range(1, 6):
            m = np.zeros((40, 50), bool)
            y, x = rng.integers(0, 30), rng.integers(0, 40)
            m[y:y + rng.integers(1, 15), x:x + rng.integers(1, 15)] = rng.random() > 0.1
            masks[pid] = m
        masks[6] = np.zeros((40, 50), bool)  # an empty mask
        depth = {p: float(rng.integers(0, 5)) for p in masks if rng.random() > 0.2}
        before = {p: m.copy() for p, m in masks.items()}
        got, removed = resolve_overlaps(masks, depth)
        want, want_removed = _resolve_reference(masks, depth)
        assert removed == want_removed and list(got) == list(masks)
        assert all(np.array_equal(got[p], want[p]) for p in masks)
        assert all(np.array_equal(masks[p], before[p]) for p in masks)  # inputs untouched


def test_result_blobs_are_stored_in_one_transaction(tmp_path):
    from humanseg_core import rle
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    p = Project.create(tmp_path / "p", ProjectInputs(video="v.mp4", trajectories="t.txt"))
    try:
        r1, r2 = p.add_run(1, "osvos-parent", {}, None, {}), p.add_run(2, "osvos-parent", {}, None, {})
        a, b = np.zeros((6, 7), bool), np.zeros((6, 7), bool)
        a[1:3, 2:5] = True
        b[4:, :2] = True
        p.save_result_blobs([(1, r1, 0, rle.to_blob(a)), (2, r2, 0, rle.to_blob(b)), (1, r1, 1, rle.to_blob(b))])
        assert np.array_equal(p.results(1)[0], a) and np.array_equal(p.results(1)[1], b)
        assert np.array_equal(p.results(2)[0], b)
        with pytest.raises(ProjectError, match="no training run"):
            p.save_result_blobs([(1, r1, 5, rle.to_blob(a)), (3, 999, 5, rle.to_blob(a))])
        assert 5 not in p.results(1)  # nothing of the failed batch was stored
    finally:
        p.close()


def test_batch_inputs_equal_the_plain_inputs(scene):
    d, points = scene
    g = crop_geometry()
    from humanseg_core.osvos.parent_crops import ParentCropConfig

    cfg = ParentCropConfig(size=48, factor=2.0)
    pid, *rest = list(d.pids)
    for f in range(3):
        others = [points[q][f] for q in rest]
        ref, box = person_input(d.frames(f), points[pid][f], others, g, cfg)
        buf = np.full((2, 5, 48, 48), np.nan, np.float32)
        got, box2 = person_input(d.frames(f), points[pid][f], others, g, cfg, out=buf[1])
        assert box2 == box and got is not None and np.shares_memory(got, buf)
        assert np.array_equal(buf[1, :3], ref[:3])  # the image channels bit for bit
        assert np.allclose(buf[1, 3:], ref[3:], atol=1e-6) and ref[4].any()  # the point maps
