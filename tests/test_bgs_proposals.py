"""BGS proposals on the real composite scene zara01 reach a useful IoU against the exact GT masks."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from humanseg_core.jobs import run_job
from humanseg_core.proposals.generate import generate_proposals

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT.parent / "shared" / "data" / "scenes" / "zara01"
PIDS = [56, 57, 59, 61]


@pytest.fixture(scope="module")
def scene():
    if not (SCENE / "frames").is_dir():
        pytest.skip(f"{SCENE} is absent")
    from humanseg_core.inputs.scene import load_scene
    return load_scene(SCENE / "frames", SCENE / "trajectories.txt", SCENE / "H.txt")


def gt_mask(frame, pid):
    png = SCENE / "gt" / str(pid) / f"{frame:05d}.png"
    return cv2.imread(str(png), cv2.IMREAD_GRAYSCALE) > 127 if png.exists() else None


@pytest.mark.slow
def test_median_bgs_proposals_match_the_ground_truth(scene):
    job = generate_proposals(scene, PIDS, method="bgs", bgs_algorithm="median")
    proposals, skips = run_job(job)
    annotated = {(int(f), p) for p in PIDS for f in scene.pixel_track(p)[0]}
    assert {(p.frame, p.pid) for p in proposals} | {(s.frame, s.pid) for s in skips} == annotated
    last = max(f for f, _ in annotated)
    assert any(p.frame == last for p in proposals)  # the last annotated frame is not dropped
    ious = []
    for p in proposals:
        g = gt_mask(p.frame, p.pid)
        if g is not None:
            ious.append((p.mask & g).sum() / max(1, (p.mask | g).sum()))
    visible = [a for a in annotated if gt_mask(*a) is not None]
    assert len(ious) >= 0.85 * len(visible)
    assert np.median(ious) >= 0.6
    assert all(s.reason for s in skips)
