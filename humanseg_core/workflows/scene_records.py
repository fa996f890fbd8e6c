"""What a whole-scene run records of each person: its run's params, a new run for a network it trained or reuses,
and the budget notes (few steps, cut short) — split from :mod:`.scene_run` (the Ray driver records the same)."""

from __future__ import annotations

from ..errors import HumansegError
from .parent_choice import recorded_parent
from .scene_config import SceneRunConfig
from .scene_result import SceneRunResult

__all__ = ["mark_stopped", "note_few_steps", "record_run", "reuse_run", "scene_run_params"]


def note_few_steps(result: SceneRunResult, config: SceneRunConfig, pid: int, steps: int) -> None:
    """``result.few_steps`` gets ``pid`` when its seconds budget bought fewer than ``FEW_STEPS`` steps."""
    from ..osvos.config import FEW_STEPS

    short = not config.steps_per_person or int(steps) < config.steps_per_person  # not all the steps asked for
    if config.seconds_per_person is not None and short and int(steps) < FEW_STEPS:
        result.few_steps[int(pid)] = int(steps)
    elif config.seconds_per_person is not None and config.steps_per_person and short:
        result.cut_short[int(pid)] = int(steps)  # the time bound ended it first (a walk: 27 and 40 of 100, unsaid)


def scene_run_params(config: SceneRunConfig, n_labels: int, unreviewed: int | None = None, project=None,
                     labels_at: str = "") -> dict:
    """A whole-scene run's params; ``unreviewed``: how many of its ``n_labels`` were proposals nobody reviewed
    (a walk's fully reviewed person read "unreviewed proposals included"); with ``project``, the parent file the
    networks started from (osvos-parent); ``labels_at``: when the labels were read (ADR 0044)."""
    parent = config.model == "osvos-parent" and project is not None
    return {**({"parent": recorded_parent(project, config.parent)} if parent else {}),
            "scene_run": True, "accept": str(config.accept), "labels": n_labels, "refine": config.refine,
            **({"labels_at": labels_at} if labels_at else {}),
            **({"unreviewed_labels": int(unreviewed)} if unreviewed is not None else {}),
            "steps_per_person": config.steps_per_person, "seconds_per_person": config.seconds_per_person,
            "seed": config.seed, "device": config.device, "backend": config.backend, "format": config.fmt,
            "mixed_precision": config.mixed_precision,
            **({"frozen_blocks": config.frozen_blocks} if config.model == "osvos-parent" else {})}


def reuse_run(project, pid: int, config: SceneRunConfig, n_labels: int, old: dict,
              unreviewed: int | None = None) -> int:
    """A new run for ``pid`` with the network of the cancelled run ``old`` (a ``Project.runs()`` row): its
    checkpoint and training metrics; the cancelled run stays as it was."""
    from ..project.lock import this_process

    metrics = {k: v for k, v in (old.get("metrics") or {}).items() if k != "stopped"}
    metrics["process"] = this_process()  # this run's, not the stopped one's (a review: it read as killed at once)
    # its network knows the labels the cancelled run read
    labels_at = str((old.get("params") or {}).get("labels_at") or old.get("created") or "")
    return project.add_run(pid, config.model, {**scene_run_params(config, n_labels, unreviewed, project, labels_at),
                                               "reused_run": int(old["id"])},
                           old["checkpoint"], metrics)


def record_run(project, pid: int, config: SceneRunConfig, n_labels: int, checkpoint, trained,
               unreviewed: int | None = None, labels_at: str = "") -> int:
    params = scene_run_params(config, n_labels, unreviewed, project, labels_at)
    from ..project.lock import this_process

    metrics = {"steps": trained.steps, "final_loss": trained.final_loss, "warnings": list(trained.warnings),
               "process": this_process(),  # a run neither finished nor marked stopped: killed once it is gone
               "threshold": trained.meta.get("threshold"), "backbone": trained.meta.get("backbone"),
               **({"geometry": trained.meta["geometry"]} if trained.meta.get("geometry") else {})}
    return project.add_run(pid, config.model, params, checkpoint, metrics)


def mark_stopped(project, result: SceneRunResult, why: str) -> None:
    """After a cancel or failure: the persons segmented to the end of their span are marked whole, the others
    stopped (``why``); a failure to mark (a full disk) never hides the error that stopped the run."""
    try:
        for pid, run_id in result.run_ids.items():
            if pid in result.finished:  # segmented to the end of its span before the stop: complete
                project.update_run(run_id, metrics={"segmented_frames": project.result_counts(pid).get(run_id, 0)})
            else:
                project.update_run(run_id, metrics={"stopped": why})
    except HumansegError:
        pass
