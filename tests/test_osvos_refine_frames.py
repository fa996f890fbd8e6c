"""GrabCut label cleaning touches only masks accepted as proposed, never the ones corrected by hand."""

import numpy as np
from fakes import demo_point, most_seen_person

from humanseg_core.demo import make_demo
from humanseg_core.jobs import run_job
from humanseg_core.osvos import label_refine
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.label_refine import refinable_frames
from humanseg_core.osvos.train import train_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def test_only_the_given_frames_are_refined(monkeypatch):
    d = make_demo(seed=0, n_frames=31, n_walkers=3)
    pid = most_seen_person(d)
    track = lambda f: demo_point(d, pid, f)  # noqa: E731
    masks = {f: d.gt[pid][f] for f in (0, 10, 20, 30) if f in d.gt[pid]}
    assert len(masks) >= 3
    seen = []
    real = label_refine.refine_label
    monkeypatch.setattr(label_refine, "refine_label", lambda img, mask, claimed=None: (
        seen.append(mask.sum()), real(img, mask, claimed))[1])
    keep = sorted(masks)[:1]
    run_job(train_job(d.frames, track, masks, TrainConfig(steps=1, holdout=0, allow_download=False,
                                                        refine_frames=frozenset(keep))))
    assert len(seen) == 1  # one frame allowed, the others left as drawn
    seen.clear()
    run_job(train_job(d.frames, track, masks, TrainConfig(steps=1, holdout=0, allow_download=False,
                                                        refine_labels=False)))
    assert seen == []


def test_refinable_frames_leave_out_edited_and_pending(tmp_path):
    proj = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    m = np.zeros((20, 20), bool)
    m[5:15, 5:10] = True
    proj.add_proposals([Proposal(f, 1, (5, 5, 10, 15), m, "bgs:test", status=s)
                        for f, s in ((0, "accepted"), (10, "edited"), (20, "pending"), (30, "accepted"))])
    assert refinable_frames(proj, 1) == {0, 30}
    proj.close()


def test_the_hold_out_takes_labels_accepted_as_proposed_before_hand_edited_ones():
    """A walk fixed five frames by hand; two of the three frames the Train tab held out were among them, so its
    best labels never trained. The frames that may be cleaned (accepted as proposed) are held out first."""
    from humanseg_core.osvos.samples import _Sample, _split_holdout

    samples = [_Sample(f, np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2), np.uint8), None) for f in range(10)]
    edited = {2, 4, 5, 7, 9}
    for seed in range(20):
        rng = np.random.default_rng(seed)
        train, held = _split_holdout(samples, 3, rng, frozenset(set(range(10)) - edited))
        assert len(held) == 3 and not {s.frame for s in held} & edited
        assert edited <= {s.frame for s in train}
    # too few others: all of them held out, the rest from the edited ones
    train, held = _split_holdout(samples, 3, np.random.default_rng(0), frozenset({0}))
    assert len(held) == 3 and 0 in {s.frame for s in held} and len(train) == 7
    # nothing preferred (no statuses known): any three, as before
    plain = _split_holdout(samples, 3, np.random.default_rng(1))[1]
    assert [s.frame for s in plain] == sorted(np.random.default_rng(1).choice(10, size=3, replace=False).tolist())
