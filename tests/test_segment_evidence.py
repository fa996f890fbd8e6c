"""`humanseg segment --refine evidence` / the Segment tab's per-frame evidence: one person segmented through the
proposals' joint step with its network blended in, as whole-scene runs do (a walk found the network alone
cutting the heads of 110 px people where `humanseg run` kept them)."""

from __future__ import annotations

import shutil

import pytest

from humanseg_core.errors import HumansegError
from humanseg_core.jobs import run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows import ProposeConfig, SegmentConfig, propose_into, segment_person, train_person


@pytest.mark.usefixtures("one_thread")
def test_one_person_segmented_with_per_frame_evidence(small_demo, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    project = Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))
    try:
        run_job(propose_into(project, [1, 2], ProposeConfig()))
        project.set_statuses([p.id for p in project.proposals(pid=1, with_masks=False)], "accepted")
        lite = run_job(train_person(project, 1, TrainConfig(model="osvos-lite", steps=1, allow_download=False)))
        with pytest.raises(HumansegError, match="needs a network fine-tuned from the parent"):
            run_job(segment_person(project, 1, lite.run_id, SegmentConfig(first=3, last=4, refine="evidence")))
        done = run_job(train_person(project, 1, TrainConfig(model="osvos-parent", steps=1, allow_download=False)))
        reports: list = []
        seg = run_job(segment_person(project, 1, done.run_id, SegmentConfig(first=3, last=6, refine="evidence")),
                      reports.append)
        assert sorted(seg.masks) == [3, 4, 5, 6] and any(m.any() for m in seg.masks.values())
        assert sorted(project.results(1, done.run_id)) == [3, 4, 5, 6]
        assert any((r.data or {}).get("stage") == "prepare" for r in reports)  # the joint step ran
        alone: list = []
        run_job(segment_person(project, 1, done.run_id, SegmentConfig(first=3, last=6)), alone.append)
        assert not any((r.data or {}).get("stage") == "prepare" for r in alone)
    finally:
        project.close()


@pytest.mark.usefixtures("one_thread")
def test_the_network_alone_when_it_agrees_far_better_with_the_hand_made_masks(small_demo, tmp_path, monkeypatch):
    """A walk retrained a standing person next to a nearer one: the evidence step gave 13 empty frames (IoU 0.17
    with its six fixed masks) where its network alone gave 0.80. The analyst's own masks decide between them."""
    import numpy as np

    from humanseg_core.osvos.segment import SegmentResult
    from humanseg_core.workflows import person

    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    project = Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))
    try:
        run_job(propose_into(project, [1], ProposeConfig()))
        props = project.proposals(pid=1)
        for p in props:  # hand-made: the proposals as the analyst's own masks
            project.set_mask(p.id, p.mask)
        done = run_job(train_person(project, 1, TrainConfig(model="osvos-parent", steps=3, allow_download=False)))
        hand = {p.frame: p.mask for p in props}

        def evidence(kind):
            def fake(scene, pid, checkpoint, frames, cancel, anchor="auto", edited=0.0, parent_file=None,
                     neighbours=None):
                out = SegmentResult()
                for f in frames:
                    out[int(f)] = hand.get(int(f), np.zeros_like(next(iter(hand.values())))) if kind == "right" \
                        else np.zeros_like(next(iter(hand.values())))
                return out
                yield  # a job
            return fake

        span = SegmentConfig(first=min(hand), last=max(hand), refine="evidence")
        monkeypatch.setattr(person, "_evidence_masks", evidence("erased"))
        seg = run_job(segment_person(project, 1, done.run_id, span))
        assert seg.refine == "none" and seg.hand_checked[1] == 0.0 and seg.hand_checked[2] > 0.1
        assert any(m.any() for m in seg.masks.values())  # the network's masks, not the empty ones
        metrics = project.runs(1)[-1]["metrics"]
        assert metrics["refined_with"] == "none" and "refine" not in metrics  # a retrain's asked mode stays (review)
        monkeypatch.setattr(person, "_evidence_masks", evidence("right"))
        seg = run_job(segment_person(project, 1, done.run_id, span))
        assert seg.refine == "evidence" and seg.hand_checked[1] == 1.0  # the evidence kept
    finally:
        project.close()
