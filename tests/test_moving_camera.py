"""A camera that moves (real video: DAVIS pans and follows its person): the background model's foreground is noise
there, and the joint proposals run on the parent network alone, saying so. Measured on DAVIS through the whole
pipeline: lucia no proposal at all before (J 0.852 now), stroller 0.336 -> 0.453, dance-twirl 0.682; the
surveillance scenes' sample frames change by 0.2-7 %, far under the 40 % that switches."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fakes import run_collecting

from humanseg_core.inputs.scene import load_scene
from humanseg_core.proposals.joint import MOVING_CAMERA, JointConfig, _FrameState, generate_joint
from humanseg_core.proposals.moving_camera import MOVING_FLAG, MOVING_SHARE, changed_share


def _panned(demo60, out):
    """demo60's frames as a camera panning 6 px a frame would see them (a textured world behind the people)."""
    out.mkdir()
    rng = np.random.default_rng(3)
    texture = cv2.resize(rng.integers(0, 255, (60, 80, 3), np.uint8), (1100, 576), interpolation=cv2.INTER_NEAREST)
    for k, path in enumerate(sorted((demo60 / "frames").iterdir())):
        img = cv2.imread(str(path))
        world = texture[:, 6 * k:6 * k + img.shape[1]]
        blend = cv2.addWeighted(img, 0.7, world, 0.3, 0)  # (at 0.5 the texture hid the walkers from the parent)
        cv2.imwrite(str(out / path.name), blend)
    return out


def test_a_panning_camera_is_seen_and_a_still_one_is_not(demo60, tmp_path):
    for frames, moving in ((demo60 / "frames", False), (_panned(demo60, tmp_path / "pan"), True)):
        with load_scene(frames, demo60 / "trajectories.txt", demo60 / "H.txt") as scene:
            state = _FrameState(scene, "bgs+parent", None, JointConfig(), None)
            share = changed_share(state.background, scene.frames.read, [10, 30, 50])
            assert (share >= MOVING_SHARE) == moving, share


@pytest.mark.parametrize("panned", [False, True])
def test_the_proposals_say_when_they_come_from_the_parent_alone(demo60, tmp_path, panned, monkeypatch):
    from humanseg_core.proposals.parent_masks import load_parent_or_none

    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    from humanseg_core.proposals.clean_background import TrackMaskedBackground

    frames = _panned(demo60, tmp_path / "pan") if panned else demo60 / "frames"
    looked = []
    real = TrackMaskedBackground.foreground
    monkeypatch.setattr(TrackMaskedBackground, "foreground", lambda self, *a: looked.append(1) or real(self, *a))
    with load_scene(frames, demo60 / "trajectories.txt", demo60 / "H.txt") as scene:
        pid = scene.pids[0]
        warned: set = set()
        proposals, _skips = run_collecting(generate_joint(scene, [pid], method="bgs+parent", parent=parent,
                                                          frame_range=(0, 12)), warned)
    assert (MOVING_CAMERA in warned) == panned
    assert proposals  # (an audit: with none, the flag's check below checked nothing)
    assert all((MOVING_FLAG in p.flags) == panned for p in proposals)  # Review's info line names how it was made
    assert (len(looked) <= 3) == panned  # panned: the background asked about its sample frames only, then not again


def test_the_proposals_time_left_counts_the_frames_held_for_their_neighbours_as_undone(demo60):
    """A walk read "about 2 s left" at 2 of 20 frames and waited 30 s: the first frames are held until their
    neighbours vote, and had counted as done."""
    from humanseg_core.proposals.parent_masks import load_parent_or_none

    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    with load_scene(demo60 / "frames", demo60 / "trajectories.txt", demo60 / "H.txt") as scene:
        job = generate_joint(scene, [scene.pids[0]], method="bgs+parent", parent=parent, frame_range=(0, 59))
        reports = []
        try:
            while True:
                reports.append(next(job))
        except StopIteration:
            pass
    framed = [p for p in reports if p.data and "waiting" in p.data]
    assert len(framed) >= 4 and any(p.data["waiting"] for p in framed)
    assert all(p.eta_s is None for p in framed if p.done - p.data["waiting"] < 2)
    assert any(p.eta_s is not None for p in framed)
