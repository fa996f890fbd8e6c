"""Exports that give a pixel two persons share to the nearer one as a whole-scene run does: by the feet row each
person's network expects at its track point, not by the mask reaching lower.

A walk exported a whole-scene run's results again (``humanseg export``, the Export dialog) after segmenting one
person on its own: 30 of 1370 masks differed from the run's own export, by up to 874 pixels moved between two
persons, the run's export having resolved the overlaps from the track points and the later one from the masks'
lowest rows. :func:`export_job` is what the command line and the studio run: the same rule as the run wherever
every exported person has a network and a track point; else (labels alone, a person without a network, inputs
that cannot be read) the masks' lowest rows, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..errors import HumansegError
from ..jobs import Job, Progress

FeetFn = Callable[[int, int], "float | None"]  # (pid, frame) -> feet row in the image, None: not known there


def network_geometry(project, runs: Mapping[int, int]) -> dict:
    """{pid: the CropGeometry its network of run ``runs[pid]`` was trained with} of the persons whose network can
    be read (others left out): as the run recorded it (runs since 6 Dec), else from the network's file (which
    needs torch: 5-7 s of an export from the command line)."""
    from ..osvos.guidance import CropGeometry

    geometry = {}
    for pid, run_id in runs.items():
        run = next((r for r in project.runs(pid) if r["id"] == run_id), None)
        checkpoint = run.get("checkpoint") if run else None
        if not checkpoint:
            continue
        metrics = run.get("metrics") if run else None
        recorded = metrics.get("geometry") if isinstance(metrics, dict) else None
        if isinstance(recorded, dict):
            try:
                geometry[pid] = CropGeometry.from_dict(recorded)
                continue
            except (TypeError, ValueError):  # not as written: the network's file says it
                pass
        try:
            geometry[pid] = CropGeometry.from_dict(_file_geometry(str(checkpoint)))
        except (HumansegError, OSError, RuntimeError, KeyError, TypeError, ValueError, AttributeError):
            continue
    return geometry


def _file_geometry(checkpoint: str) -> dict:
    from ..osvos.weights import load_checkpoint

    return load_checkpoint(checkpoint)[1]["geometry"]


def feet_key(geometry, point, anchor: str) -> float:
    """The depth key of a person at its track ``point`` (larger = nearer): the point's own row where the points mark
    the feet, else the bottom of the box its network expects there (``geometry``: a CropGeometry or a network with
    ``feet_row``). The box comes from the person's labels: a crowd walk's fixes of an occluded person left its feet
    out, and the export gave its pixels to the neighbour it stood in front of."""
    return float(point[1]) if anchor == "feet" else float(geometry.feet_row(point))


def network_feet(scene, geometry: Mapping, anchor: str = "auto") -> FeetFn:
    """(pid, frame) -> :func:`feet_key` of person ``pid`` (its network's geometry) at its track point on ``frame``."""

    known = set(scene.pids)  # a person the trajectory file no longer has keeps its results ("gone"): no track point,
    # no depth key (a data-safety review: every export holding one stopped on a KeyError)

    def feet(pid: int, frame: int) -> float | None:
        point = scene.position_px(pid, frame) if pid in known else None
        return None if pid not in geometry or point is None else feet_key(geometry[pid], point, anchor)

    return feet


def export_job(project, pids, fmt: str, out, **kw) -> Job[dict]:
    """:func:`humanseg_core.export.export_job` (same arguments), its overlaps resolved from the track points and
    the persons' networks when each exported person has one (``depth`` given: that one)."""
    from ..export import export_job as write

    depth = kw.pop("depth", None)
    scene = None
    try:
        if depth is None and kw.get("source", "accepted") != "accepted":
            from ..export.atomic import check_target

            check_target(out, bool(kw.get("force", False)), protect=[project.folder])  # refused before any load
            yield Progress(0, 0, "reading the persons' networks (who stands nearer)")
            depth, scene = _tracks_depth(project, pids, kw.get("runs"))
        summary = yield from write(project, pids, fmt, out, depth=depth if depth is not None else "feet", **kw)
    finally:
        if scene is not None:
            scene.close()
    from .placed_reading import placed_otherwise

    missing = {int(p) for p in summary.get("persons_without_masks") or []}
    before = placed_otherwise(project, [p for p in pids if int(p) not in missing])
    if before:  # (a walk's relocated homography: the export still held the old placement's masks, unsaid)
        summary["placed_before"] = sorted(before)
    return summary


def _tracks_depth(project, pids, runs: Mapping[int, int] | None):
    """(frame -> {pid: feet row} for ``pids`` from the track points and their networks, the scene read; to close),
    or (None, None) where a person has no network or the scene cannot be read."""
    used = project.result_runs()
    chosen = {int(p): int((runs or {}).get(int(p)) or used.get(int(p), -1)) for p in pids}
    if len(chosen) < 2 or any(r < 0 for r in chosen.values()):
        return None, None
    geometry = network_geometry(project, chosen)
    if set(geometry) != set(chosen):
        return None, None
    try:
        scene = project.load_scene()
    except (HumansegError, OSError):
        return None, None
    from .propose import project_anchor

    feet = network_feet(scene, geometry, project_anchor(project))

    def keys(frame: int) -> dict:
        return {pid: d for pid in chosen if (d := feet(pid, frame)) is not None}

    return keys, scene
