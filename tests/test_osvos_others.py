"""Other persons' expected bodies: claimed pixels, suppression at inference, ignored labels in training."""

import numpy as np
import torch

from humanseg_core.jobs import run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.guidance import CropGeometry
from humanseg_core.osvos.loss import class_balanced_bce
from humanseg_core.osvos.others import claimed_by_others, claimed_in_frame, others_from_scene
from humanseg_core.osvos.segment import Segmenter, segment_job
from humanseg_core.osvos.train import _mark_untrusted, _Sample, train_job

# a person is a 20 x 50 px box whose top-centre is the track point (the head)
GEO = CropGeometry(dx=0.0, dy=25.0, box_w=20.0, box_h=50.0, v_ref=40.0)


def _grid(h=120, w=160):
    return np.arange(w, dtype=float)[None, :], np.arange(h, dtype=float)[:, None]


def test_nearer_persons_core_is_claimed_ours_is_not():
    xs, ys = _grid()
    ours, nearer = (60.0, 40.0), (75.0, 46.0)  # the other's feet are lower: nearer, partly hiding us
    c = claimed_by_others(GEO, ours, [nearer], xs, ys)
    assert c[70, 75] and c[90, 78]  # the other's body axis
    assert not c[70, 60] and not c[90, 62]  # our own axis stays ours
    assert not c[20, 75]  # above the other's head
    assert not claimed_by_others(GEO, ours, [(150.0, 40.0)], xs, ys).any()  # too far to matter
    assert not claimed_by_others(GEO, ours, [], xs, ys).any()
    assert not claimed_by_others(GEO, ours, [ours], xs, ys).any()  # our own point is not another person


def test_when_we_are_nearer_our_whole_box_is_ours():
    xs, ys = _grid()
    ours, behind = (60.0, 46.0), (72.0, 40.0)
    c = claimed_by_others(GEO, ours, [behind], xs, ys)
    assert not c[60:96, 50:71].any()  # our expected box (x 50..70, y 46..96)
    assert c[60, 72]  # the part of their core that sticks out of our box
    full = claimed_in_frame(GEO, ours, [behind], 120, 160)
    assert np.array_equal(full, c)


def _two_persons(n=4, noisy=True):
    """Two same-coloured persons side by side; with ``noisy`` the accepted labels wrongly cover both."""
    rng = np.random.default_rng(1)
    frames, masks = {}, {}
    for f in range(n):
        img = rng.integers(0, 60, (120, 160, 3), np.uint8)
        img[40:90, 50 + f:70 + f] = (30, 200, 40)  # ours (head at (60 + f, 40))
        img[46:96, 76 + f:96 + f] = (30, 200, 40)  # the other, nearer (head at (86 + f, 46))
        m = np.zeros((120, 160), bool)
        m[40:90, 50 + f:70 + f] = True
        m[46:96, 76 + f:96 + f] = noisy
        frames[f], masks[f] = img, m
    track = lambda f: (60.0 + f, 40.0)  # noqa: E731
    others = lambda f: [(86.0 + f, 46.0)]  # noqa: E731
    return frames.__getitem__, track, others, masks


def test_segmentation_removes_the_other_persons_body():
    reader, track, others, masks = _two_persons(noisy=False)  # exact labels: the geometry is right
    res = run_job(train_job(reader, track, masks, TrainConfig(steps=2, allow_download=False)))
    seg = Segmenter.load(res)
    seg._forward = lambda x: np.ones(x.shape[1:], np.float32)  # a network that says "person" everywhere
    plain = seg.predict(reader(0), track(0))
    cleaned = seg.predict(reader(0), track(0), others(0))
    assert plain[70, 86] and plain[70, 60]
    assert not cleaned[70, 86] and not cleaned[60:90, 84:89].any()  # the other's axis is gone
    assert cleaned[70, 60] and cleaned[45:85, 56:65].all()  # ours is kept
    # segment_job passes others_px through; without it nothing changes
    out = run_job(segment_job(seg, reader, track, [0], others_px=others))
    assert np.array_equal(out[0], cleaned)
    assert np.array_equal(run_job(segment_job(seg, reader, track, [0]))[0], plain)


def test_training_ignores_labels_on_other_persons_bodies():
    reader, track, others, masks = _two_persons()
    samples = [_Sample(f, reader(f), masks[f].astype(np.uint8), track(f)) for f in masks]
    n = _mark_untrusted(samples, GEO, others, boundary_band=0, others_ignore=True)
    assert n > 0
    s = samples[0]
    assert s.ignore[70, 86] == 1 and s.ignore[70, 60] == 0 and s.ignore[10, 10] == 0
    band = [_Sample(0, reader(0), masks[0].astype(np.uint8), track(0))]
    assert _mark_untrusted(band, GEO, None, boundary_band=1, others_ignore=True) == 0
    assert band[0].ignore[40, 60] == 1 and band[0].ignore[39, 60] == 1 and band[0].ignore[65, 60] == 0
    res = run_job(train_job(reader, track, masks, TrainConfig(steps=2, allow_download=False), others_px=others))
    assert res.meta["others_ignore"] is True and res.meta["claimed_label_px"] > 0


def test_ignored_pixels_do_not_change_the_loss():
    torch.manual_seed(0)
    logits = torch.randn(2, 1, 8, 8)
    y = (torch.rand(2, 1, 8, 8) > 0.6).float()
    ign = torch.zeros_like(y)
    ign[:, :, :3] = 1
    flipped = y.clone()
    flipped[:, :, :3] = 1 - flipped[:, :, :3]
    a = class_balanced_bce(logits, y, "mean", ign)
    assert torch.allclose(a, class_balanced_bce(logits, flipped, "mean", ign))
    assert not torch.allclose(class_balanced_bce(logits, y, "mean"), class_balanced_bce(logits, flipped, "mean"))
    assert torch.allclose(class_balanced_bce(logits, y, "sum", torch.zeros_like(y)),
                          class_balanced_bce(logits, y, "sum"))


def test_others_from_scene_drops_the_person_itself():
    class FakeScene:
        def persons_at(self, frame):
            return {1: (10.0, 20.0), 2: (30.0, 40.0), 3: (50.0, 60.0 + frame)}

    assert others_from_scene(FakeScene(), 2)(5) == [(10.0, 20.0), (50.0, 65.0)]


def test_grabcut_refinement_removes_a_halo_and_keeps_a_bad_result_out():
    from humanseg_core.metrics import jaccard
    from humanseg_core.osvos.label_refine import refine_label

    rng = np.random.default_rng(2)
    img = rng.integers(90, 130, (100, 100, 3), np.uint8)
    truth = np.zeros((100, 100), bool)
    truth[25:75, 40:60] = True
    img[truth] = (20, 40, 200)
    halo = np.zeros_like(truth)
    halo[24:76, 39:61] = True  # a 1 px halo, like a BGS blob
    refined = refine_label(img, halo)
    assert jaccard(refined, truth) > 0.95 > jaccard(halo, truth)
    tiny = np.zeros_like(truth)
    tiny[50, 50] = True
    assert np.array_equal(refine_label(img, tiny), tiny)  # too small to refine: unchanged
