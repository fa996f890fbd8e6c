"""The tiny whole-scene run the scene-run tests share (``tests/conftest.py``'s ``local_run``): the demo scene of
360x288, 21 frames, 2 persons chosen, one training step, one torch thread."""

from __future__ import annotations

from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import SceneRunConfig

PIDS = (1, 2)
STEPS = 1  # training steps per person: the plumbing is under test, not the network's quality


def inputs(demo) -> ProjectInputs:
    return ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                         homography=str(demo / "H.txt"))


def config(**kw) -> SceneRunConfig:
    base = dict(pids=PIDS, steps_per_person=STEPS, seconds_per_person=None, device="cpu", chunk_frames=8,
                batch_size=8, refine_labels=False, refine="none")  # the network's own masks: Ray gives the same
    return SceneRunConfig(**{**base, **kw})
