"""``export.json`` of a whole-scene run's output (DAVIS; MOTS and palette take its ``made``): how its masks were
made (by whom, the refine step, backend, model, Accept policy, budgets, device, precision) and, for kept and
reused persons, how the earlier runs that made theirs were (split from :mod:`.scene_run`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .scene_config import SceneRunConfig
from .scene_result import SceneRunResult


def write_run_manifest(project, folder, config: SceneRunConfig, result: SceneRunResult, written) -> None:
    """``export.json`` in a ``davis`` output, as every export holds, with how its masks were made (a walk
    compared a local and a Ray run's scores and nothing said one had the per-frame evidence step)."""
    from ..export import write_manifest

    made = run_made(project, config, result)
    from ..export import RUN_SOURCE

    write_manifest(folder, project, {"format": "davis", "source": RUN_SOURCE if result.labelled else "results",
                                     "labels_in_output": {str(p): n for p, n in sorted(result.labelled.items())},
                                     "persons": list(written),
                                     "runs": {**{p: result.run_ids[p] for p in result.persons}, **result.kept},
                                     "overlap_pixels": result.export_overlap_px, "made": made,
                                     "files": "<pid>/%05d.png (full frame, 0/255)"})


def run_made(project, config: SceneRunConfig, result: SceneRunResult) -> dict[str, Any]:
    """The run's ``made``: by whom, the refine step, backend, model, Accept policy, budgets, device, precision,
    the persons chosen, and how the earlier runs of kept and reused persons were made."""
    made: dict[str, Any] = {
            "by": config.made_by, "refine": result.refine, "backend": result.backend, "model": result.model,
            "accept": str(config.accept), "steps_per_person": config.steps_per_person,
            "seconds_per_person": config.seconds_per_person, "device": result.device, "precision": result.precision,
            "pids": "all" if config.pids is None else sorted(int(p) for p in config.pids),  # eval-scene's default
            # under score>=x, run_labels says the policy; these persons trained on their best proposal alone
            "best_alone": sorted(int(p) for p in result.best_alone)}
    # the masks of kept persons, and the networks of reused ones, were made by earlier runs: as those say (a walk
    # read this run's budget and refine for masks an earlier Ray run with --refine none had made)
    for key, runs in (("kept", result.kept), ("reused", result.reused)):
        if runs:
            made[key] = _made_by(project, runs)
    return made


def _made_by(project, runs: Mapping[int, int]) -> dict:
    """{pid: {"run": id, how that earlier run was made: refine, backend, accept, budgets, steps trained}}."""
    out = {}
    for pid, run_id in sorted(runs.items()):
        row = next((r for r in project.runs(pid) if r["id"] == run_id), None) or {}
        params, metrics = row.get("params") or {}, row.get("metrics") or {}
        out[str(pid)] = {"run": int(run_id), **{k: params[k] for k in _MADE_KEYS if k in params},
                         "steps": metrics.get("steps")}
    return out


_MADE_KEYS = ("refine", "backend", "accept", "steps_per_person", "seconds_per_person", "reused_run", "frozen_blocks")
