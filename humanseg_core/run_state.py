"""Whether a training run's segmentation finished: read by the project store (which run Play and Export use
by default, ADR 0011), the run labels of the exports and the workflows that complete a run."""

from __future__ import annotations

from collections.abc import Mapping


def stopped_early(run: Mapping) -> bool:
    """True when the run's metrics say its segmentation did not finish: a whole-scene run records
    ``segmented_frames`` once it has segmented every frame, so one without it was cancelled (or failed)
    half-way and holds the frames stored until then; a retrain records ``retraining`` until its run is whole."""
    params, metrics = run.get("params") or {}, run.get("metrics") or {}
    if metrics.get("retraining") is True:  # a retrain (Retrain from here) killed or cancelled before its run was
        return True  # whole: the span re-segmented and the earlier run's other frames copied (an audit)
    return bool(params.get("scene_run")) and "segmented_frames" not in metrics
