"""Label noise (issue 8): the parent's zero-shot opinion decides which unreviewed label pixels and frames
osvos-parent fine-tuning trusts (osvos.label_trust)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fakes import demo_point, most_seen_person, tiny_parent_file

from humanseg_core.demo import make_demo
from humanseg_core.errors import HumansegError
from humanseg_core.jobs import run_job
from humanseg_core.osvos import label_trust
from humanseg_core.osvos import train as train_mod
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.label_trust import disagreement, frame_weights
from humanseg_core.prior.parent_net import DEFAULT_CONFIG

TINY = {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 64}
N_FRAMES = 30


def test_disagreement_marks_only_what_the_parent_surely_contradicts():
    label = np.zeros((40, 40), bool)
    label[5:30, 15:25] = True  # the person as proposed, legs missing (rows 30-35)...
    label[26:30, 25:38] = True  # ...and a shadow merged in
    prob = np.full((40, 40), 0.02, np.float32)
    prob[5:36, 15:25] = 0.97  # the parent: the whole person, no shadow
    prob[5:8, 15:25] = 0.6  # unsure about the head top
    dis = disagreement(label, prob, 0.8)
    assert dis[26:30, 25:38].all() and dis[30:36, 15:25].all()  # the shadow and the missing legs
    assert dis.sum() == 4 * 13 + 6 * 10  # nothing else: agreement and the parent's unsure pixels stay
    assert not disagreement(label, prob, 0.99)[5:8].any()
    assert (disagreement(label, prob, 0.8, "background") == dis & ~label).all()  # only the missing legs
    assert (disagreement(label, prob, 0.8, "person") == dis & label).all()  # only the shadow
    assert disagreement(label, prob, 0.8, "background")[30:36, 15:25].all()


def test_frame_weights_drop_frames_far_below_the_median():
    w, dropped = frame_weights([0.8, 0.7, 0.75, 0.1, 0.78])
    assert dropped == [3] and w[3] == 0.0 and max(w) == 1.0 and all(x > 0 for i, x in enumerate(w) if i != 3)
    w, dropped = frame_weights([0.9, 0.1, 0.85, 0.05, 0.88, 0.02])  # the worst first, at most half
    assert dropped == [5, 3, 1] and w[0] == w[2] == 1.0
    assert frame_weights([0.0, 0.0]) == ([1.0, 1.0], [])


def test_disagree_conf_is_validated():
    with pytest.raises(HumansegError, match="disagree_conf"):
        TrainConfig(model="osvos-parent", steps=1, disagree_conf=0.3)
    with pytest.raises(HumansegError, match="disagree_side"):
        TrainConfig(model="osvos-parent", steps=1, disagree_conf=0.8, disagree_side="shadow")


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    parent, _ = tiny_parent_file(tmp_path_factory.mktemp("parent"), TINY)
    d = make_demo(seed=0, n_frames=N_FRAMES, n_walkers=3)
    pid = most_seen_person(d)

    def track(f):
        return demo_point(d, pid, f)

    masks = {f: d.gt[pid][f].copy() for f in range(0, N_FRAMES, 5) if f in d.gt[pid]}
    return parent, d, pid, track, masks


def _train(scene, monkeypatch, noisy, **opts):
    """One step on the noisy labels with the parent's opinion = the exact masks (sure); returns the result
    and the ignore maps that reached the loss."""
    parent, d, pid, track, _ = scene

    def opinion(net, samples, g, cfg, others_px):
        return [(np.where(d.gt[pid][s.frame], 0.97, 0.01).astype(np.float32), d.gt[pid][s.frame])
                for s in samples]

    seen = []

    def spy(logits, labels, ignore=None):
        seen.append(None if ignore is None else ignore.detach().clone())
        return real(logits, labels, ignore)

    real = train_mod.bce_dice
    monkeypatch.setattr(label_trust, "parent_opinion", opinion)
    monkeypatch.setattr(train_mod, "bce_dice", spy)
    torch.set_num_threads(1)
    config = TrainConfig(model="osvos-parent", steps=1, batch_size=16, parent=parent, refine_labels=False,
                         others_ignore=False, **opts)
    res = run_job(train_mod.train_job(d.frames, track, noisy, config, pid=pid))
    return res, seen


def test_the_parents_disagreement_reaches_the_loss_and_bad_frames_are_dropped(scene, monkeypatch):
    _, d, pid, _, masks = scene
    noisy = {f: m.copy() for f, m in masks.items()}
    f_shadow, f_wrong = sorted(noisy)[:2]
    ys, xs = np.nonzero(masks[f_shadow])
    shadow = np.zeros_like(masks[f_shadow])
    shadow[ys.max() - 3:ys.max() + 1, xs.max() + 1:xs.max() + 12] = True  # a shadow at the feet
    noisy[f_shadow] |= shadow
    noisy[f_wrong] = np.roll(masks[f_wrong], 40, axis=1)  # a proposal of the wrong place

    res, seen = _train(scene, monkeypatch, noisy)  # off: every label pixel is trusted
    assert seen == [None] and not res.meta.get("disagree_ignored_px") and not res.meta.get("dropped_frames")

    res, seen = _train(scene, monkeypatch, noisy, disagree_conf=0.8, frame_weighting=True)
    assert seen[0] is not None and float(seen[0].sum()) > 0  # the ignore map reaches the loss
    n_wrong = int((noisy[f_wrong] ^ masks[f_wrong]).sum())
    assert res.meta["disagree_ignored_px"] == int(shadow.sum()) + n_wrong
    assert res.meta["dropped_frames"] == [f_wrong] and f_wrong in res.meta["train_frames"]
    assert res.meta["label_agreement"][f_shadow] < 1.0 and res.meta["label_agreement"][sorted(noisy)[2]] == 1.0


def test_frame_weights_drop_at_most_half_and_keep_every_kept_frame_in_sight():
    """With a share that would drop most frames, only the worst half go; a kept frame far under the median is still
    drawn now and then (weight 0.05 at least)."""
    weights, dropped = frame_weights([0.1, 0.2, 0.3, 0.4, 1.0], drop_share=2.0)
    assert dropped == [0, 1] and weights[:2] == [0.0, 0.0] and all(w > 0 for w in weights[2:])
    weights, dropped = frame_weights([0.02, 1.0, 1.0], drop_share=0.01)
    assert dropped == [] and weights == [0.05, 1.0, 1.0]
