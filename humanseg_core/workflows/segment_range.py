"""Which frames a person's segmentation covers: a range asked for (those of it in the video and in the person's
span, the rest said), else the person's span in the video."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import HumansegError

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from .person import SegmentConfig


def segment_frames(scene: Scene, pid: int, config: SegmentConfig, left_out: list[str] | None = None) -> list[int]:
    """The frames to segment: ``config``'s range (those of it in the video and the person's span: ``left_out``
    receives what was left out, said), else the person's span in the video."""
    indices = list(scene.frames.indices)
    tracks = getattr(getattr(scene, "trajectories", None), "tracks", None)
    if tracks is not None and int(pid) not in tracks:  # (a KeyError traceback before: a review's probe)
        raise HumansegError(f"{scene.trajectories.path}: person {pid} is not in this trajectory file (the project's "
                            "now): its network has no track to follow")
    if config.first is not None or config.last is not None:
        frames = [f for f in indices if (config.first is None or f >= config.first)
                  and (config.last is None or f <= config.last)]
        if not frames:
            a = "start" if config.first is None else config.first
            b = "end" if config.last is None else config.last
            raise HumansegError(f"frames {a} to {b}: no frame of the video in that range")
        inside = [f for f in frames if scene.position_px(pid, f) is not None]  # (a re-walk's 90 frames before the
        if not inside:  # span were stored as empty results, "replaced" said of them)
            first, last = scene.span(pid)
            raise HumansegError(f"frames {frames[0]} to {frames[-1]}: outside person {pid}'s span ({first}–{last}), "
                                "where it has no position to follow; nothing was segmented")
        if left_out is not None:
            from ..wording import frame_runs, ranges_text

            kept = set(inside)
            if outside := [f for f in frames if f not in kept]:
                left_out.append(f"frames {ranges_text(frame_runs(outside), sep=', ')} lie outside person {pid}'s span: "
                                "left out (it has no position there)")
            if config.first is not None and config.first < indices[0]:
                left_out.append(f"frames {config.first}-{indices[0] - 1} are not in the video (it starts at "
                                f"{indices[0]})")
            if config.last is not None and config.last > indices[-1]:  # (a re-walk's range past the end: unsaid)
                left_out.append(f"frames {indices[-1] + 1}-{config.last} are not in the video (it ends at "
                                f"{indices[-1]})")
        return inside
    return [f for f in indices if scene.position_px(pid, f) is not None] or indices


def span_metrics(project, pid: int, run: dict, span: list[int], unreadable) -> dict:
    """The counts a run records of its frames, as they stand after a segmentation of it (a walk's `segment` over a
    whole-scene person left "no mask on 3 frames" where every frame had one now): ``segmented_frames`` and
    ``no_mask_frames`` (the frames of ``span``, the person's, without a pixel, those unreadable left out), each
    where the run records it."""
    from ..rle import blob_holds_pixels
    from .scene_result import NO_MASK

    metrics, run_id, out = run.get("metrics") or {}, int(run["id"]), {}
    now = next((r.get("metrics") or {} for r in project.runs(pid) if int(r["id"]) == run_id), metrics)
    recorded = now.get("unreadable_frames")
    recorded = recorded if isinstance(recorded, dict) else {}
    unreadable = {*map(int, unreadable), *(int(f) for f in recorded if str(f).lstrip("-").isdigit())}  # (a review)
    if "segmented_frames" in metrics:
        out["segmented_frames"] = project.result_counts(pid).get(run_id, 0)
    if NO_MASK in metrics:
        blobs = project.mask_blobs(pid, "results", run_id)
        out[NO_MASK] = sum(1 for f in span if f not in unreadable and not (f in blobs and blob_holds_pixels(blobs[f])))
    return out


def kept_count(project, set_id: int | None) -> int:
    """How many masks set ``set_id`` of replaced masks keeps (0 for None)."""
    return project.replaced_set(set_id).masks if set_id is not None else 0


def recount_job(project, pid: int, run_id: int, cancel=None):
    """Job: run ``run_id``'s frame counts (:func:`span_metrics`) and agreement with the labels measured again from
    its stored results, after a restore of an older set left them unknown (ADR 0052); returns the agreement or
    None."""
    from ..jobs import Progress
    from .agreement import record_agreement
    from .person import SegmentConfig
    from .scene_units import left_view

    yield Progress(0, 1, f"counting person {pid}'s restored masks")
    run = next((r for r in project.runs(pid) if int(r["id"]) == int(run_id)), None)
    if run is None:
        return None
    scene = project.load_scene()
    try:
        gone = left_view(scene, pid)  # (as a segmentation counts them)
        span = [f for f in segment_frames(scene, pid, SegmentConfig()) if f not in gone]
    finally:
        scene.close()
    if cancel is not None:
        cancel.raise_if_cancelled()
    counts = span_metrics(project, pid, run, span, [])
    if counts:
        project.update_run(int(run_id), metrics=counts)
    found = record_agreement(project, pid, int(run_id))
    yield Progress(1, 1, "counted")
    return None if found is None else found.mean
