"""One person of a whole-scene run as a self-contained unit: train on its labels, segment its span.

A :class:`PersonUnit` is plain picklable data (the project's inputs, the labels as RLE blobs, the
options), so a Ray worker on another machine can run it with :func:`run_unit` and return a
:class:`UnitResult` (masks as RLE blobs, the trained weights, timings).  Only the driver writes to the
project store.  The local backend trains with the same :func:`train_person_job`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .. import rle
from ..errors import HumansegError
from ..inputs.blank_frames import content_reader
from ..jobs import CancelToken, Job, run_job
from ..records import ProjectInputs
from .scene_config import SceneRunConfig

if TYPE_CHECKING:
    from ..osvos.config import TrainConfig


@dataclass
class PersonUnit:
    inputs: ProjectInputs
    pid: int
    labels: dict  # {frame: RLE blob}
    refine_frames: frozenset
    frames: list  # frames to segment (the person's span)
    config: SceneRunConfig
    # (pid, frame, (x0, y0, x1, y1)) of the run's labels, every person's: the scene's heights (train_person_job)
    height_boxes: list = field(default_factory=list)
    # {pid: (vx, vy)}: persons annotated once, their motion past it measured in the video (Scene.set_edge_velocity)
    edge_velocities: dict = field(default_factory=dict)


@dataclass
class UnitResult:
    pid: int
    masks: dict = field(default_factory=dict)  # {frame: RLE blob}
    state_dict: dict | None = None
    meta: dict | None = None
    steps: int = 0
    final_loss: float = float("nan")
    train_seconds: float = 0.0
    segment_seconds: float = 0.0
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unreadable: dict = field(default_factory=dict)  # {frame: problem}: frames of the span that could not be read
    failure: str | None = None


def train_config(config: SceneRunConfig, refine_frames: Iterable[int]) -> TrainConfig:
    """The osvos TrainConfig for one person of the run."""
    from ..osvos.config import TrainConfig

    return TrainConfig(model=config.model, steps=config.steps_per_person, seconds=config.seconds_per_person,
                       seed=config.seed, allow_download=False, refine_labels=config.refine_labels, device=config.device,
                       refine_frames=frozenset(refine_frames), frozen_blocks=config.frozen_blocks,
                       parent=config.parent if config.model == "osvos-parent" else None)


def train_person_job(scene, pid: int, labels: Mapping[int, np.ndarray], refine_frames, config: SceneRunConfig,
                     checkpoint_path=None, cancel: CancelToken | None = None, heights=None) -> Job:
    """Fine-tune person ``pid`` on ``labels`` within the run's budget (a job returning a TrainResult).
    ``heights``: the scene's ``proposals.body_prior.HeightModel`` taught by every person's labels (a person
    seen only in part then gets crops of the scene's height: ``osvos.guidance.height_floor``)."""
    from ..osvos.others import others_from_scene
    from ..osvos.train import train_job
    from ..proposals.body_prior import person_height_fn

    return train_job(content_reader(scene.frames), lambda f: scene.position_px(pid, f), dict(labels),
                     train_config(config, refine_frames), pid=int(pid), others_px=others_from_scene(scene, pid),
                     checkpoint_path=checkpoint_path, cancel=cancel,
                     expected_height=None if heights is None else person_height_fn(scene, heights, int(pid)))


def scene_heights(scene, boxes):
    """The scene's HeightModel taught by label boxes ((pid, frame, (x0, y0, x1, y1)); None when there are none)."""
    from ..proposals.body_prior import labelled_height_model

    return labelled_height_model(scene, boxes) if boxes else None


def span_frames(scene, pid: int) -> list[int]:
    """Every video frame on which the person has a track position (interpolated, or extrapolated where the
    trajectory file stops while the person is in view: ``Scene.span``)."""
    first, last = scene.span(pid)
    return [f for f in scene.frames.indices if first <= f <= last and scene.position_px(pid, f) is not None]


def left_view(scene, pid: int) -> set[int]:
    """The frames past the annotations (extrapolated) where the person's track point lies outside the image: it left
    the view there, and no mask is what is expected (a walk read "no mask on part of its span: 54 (9 frames)" on every
    run of zara01, whose person 54 walks out at its last annotation). None for a person annotated once: where it goes
    past that annotation is measured in the video by some callers only (a review)."""
    if len(scene.trajectories.tracks[int(pid)]) < 2:
        return set()
    beyond = {f for a, b in scene.beyond_annotations(pid) for f in range(int(a), int(b) + 1)}
    return beyond & {f for a, b in scene.outside_image(pid) for f in range(int(a), int(b) + 1)} if beyond else set()


def expected_frames(scene, pid: int) -> list[int]:
    """:func:`span_frames` less :func:`left_view`: the frames on which the person's mask is expected."""
    gone = left_view(scene, pid)
    return [f for f in span_frames(scene, pid) if f not in gone]


def missing_frames(scene, frames, gaps: list[int] | None = None) -> dict[int, str]:
    """{frame: why} of the numbers a folder of frames has no image for between the first and last of ``frames``
    (a person's span): never segmented, and named where the person's results are (a data-safety walk moved one
    JPEG away; the run's export had a gap there that neither its JSON nor skipped_frames.json named). ``gaps``: the
    folder's (:func:`~humanseg_core.inputs.file_notes.folder_gaps`) when the caller read them once for every person."""
    from pathlib import Path

    from ..inputs.file_notes import folder_gaps

    frames = list(frames)
    if not frames:
        return {}
    first, last = min(frames), max(frames)
    folder = Path(str(getattr(scene.frames, "path", "") or "frames")).name
    every = folder_gaps(scene.frames) if gaps is None else gaps
    return {int(g): f"{folder}/ has no image for frame {g}" for g in every if first < g < last}


def segment_one_job(scene, model, pid: int, frames, config: SceneRunConfig, sink: Callable[[int, dict], None],
                    cancel: CancelToken | None = None) -> Job:
    """Batched segmentation of one person (a job returning osvos.batch.BatchStats)."""
    from ..osvos.batch import BatchConfig, segment_persons_job

    bc = BatchConfig(batch_size=config.batch_size, chunk_frames=config.chunk_frames, device=config.device,
                     mixed_precision=config.mixed_precision)
    read = content_reader(scene.frames)  # a black frame: no mask (a camera dropout)
    return segment_persons_job({int(pid): model}, read, scene.persons_at, {int(pid): frames}, sink, bc, cancel)


def run_unit(unit: PersonUnit) -> UnitResult:
    """Train and segment one person (what a Ray worker runs).  Never raises for the person's own
    problems: they come back in ``failure``."""
    from ..inputs.scene import load_scene_of

    out = UnitResult(pid=int(unit.pid))
    i = unit.inputs
    try:
        scene = load_scene_of(i)
    except HumansegError as exc:
        out.failure = f"cannot load the scene: {exc}"
        return out
    for p, velocity in unit.edge_velocities.items():
        scene.set_edge_velocity(int(p), velocity)
    try:
        labels = {int(f): rle.from_blob(b) for f, b in unit.labels.items()}
        t0 = time.monotonic()
        result = run_job(train_person_job(scene, unit.pid, labels, unit.refine_frames, unit.config,
                                          heights=scene_heights(scene, unit.height_boxes)))
        out.train_seconds = time.monotonic() - t0
        out.state_dict, out.meta = result.state_dict, dict(result.meta)
        out.steps, out.final_loss, out.warnings = result.steps, result.final_loss, list(result.warnings)

        def sink(frame: int, masks: dict) -> None:
            for m in masks.values():
                out.masks[int(frame)] = rle.to_blob(m)

        stats = run_job(segment_one_job(scene, result, unit.pid, unit.frames, unit.config, sink))
        out.segment_seconds = stats.seconds
        out.notes = list(stats.notes)
        out.unreadable = dict(stats.unreadable)
        if stats.failures:
            out.failure = "; ".join(stats.failures.values())
    except HumansegError as exc:
        out.failure = str(exc)
    finally:
        scene.close()
    return out
