"""The Ray backend of a whole-scene run: (video, person) units on Ray workers, one writer.

Each unit (:class:`.scene_units.PersonUnit`) trains and segments one person on a worker and returns the
masks (RLE) and the trained weights; the driver, the only writer of the project store (SQLite has one
writer), saves the checkpoints and runs, then resolves overlaps frame by frame and stores/exports exactly
as the local backend does.  ``config.address`` None starts (or joins) a local Ray with
``config.workers`` CPUs; an address such as ``ray://head:10001`` or ``auto`` joins an existing cluster,
whose workers must have this package installed and read the project's video and trajectory paths.
Ray is an optional extra: ``pip install .[cluster]``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from .. import rle
from ..errors import HumansegError
from ..jobs import CancelToken, Job, Progress
from .scene_config import SceneRunConfig
from .scene_sink import ResultWriter, analyst_labels
from .scene_units import PersonUnit, UnitResult, expected_frames, run_unit

if TYPE_CHECKING:
    from ..osvos.config import CheckpointMeta


def import_ray():
    try:
        import ray
    except ImportError:
        raise HumansegError("--backend ray needs Ray, the project's cluster extra: in the project's folder, "
                            "`.venv/bin/pip install '.[cluster]'` (as the README says)") from None
    return ray


def _probe(address: str, timeout: float = 5.0) -> None:
    """A clear error, at once, when nothing answers at ``host:port`` (Ray itself waits for minutes)."""
    import socket

    target = address.split("://", 1)[-1]
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" or a form Ray knows better
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise HumansegError(f"--address {address}: nothing answers there ({exc.strerror or exc}); start the "
                            "cluster's head there (ray start --head) or leave --address out for a local "
                            "Ray") from None


def ensure_ray(address: str | None, workers: int | None):
    """Connect to Ray once per process: a cluster at ``address``, else a local Ray (``workers`` CPUs)."""
    ray = import_ray()
    if not ray.is_initialized():
        if address:
            _probe(address)
            try:
                ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
            except (ConnectionError, ValueError, RuntimeError, TimeoutError) as exc:
                why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                hint = ("ray:// addresses (Ray Client) need pip install 'ray[client]==2.60.0'"
                        if "ray[client]" in why else "start one with `ray start --head`, or leave --address "
                        "out for a local Ray")
                raise HumansegError(f"--address {address}: cannot join a Ray cluster there ({why}); {hint}") from None
        else:
            ray.init(num_cpus=workers, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    return ray


def map_units_job(units: list[PersonUnit], address: str | None, workers: int | None,
                  cancel: CancelToken | None = None) -> Job[list[UnitResult]]:
    """Run ``units`` on Ray; yields as each finishes; returns their results (in ``units`` order)."""
    ray = ensure_ray(address, workers)
    remote = ray.remote(num_cpus=1)(run_unit)
    pending = {remote.remote(u): u.pid for u in units}
    done: dict[int, UnitResult] = {}
    while pending:
        if cancel is not None and cancel.cancelled:
            for ref in pending:
                ray.cancel(ref, force=True)
            cancel.raise_if_cancelled()
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
        for ref in ready:
            pid = pending.pop(ref)
            try:
                done[pid] = ray.get(ref)
            except Exception as exc:  # a worker crash is that person's failure only
                done[pid] = UnitResult(pid=pid, failure=f"worker failed: {type(exc).__name__}: {exc}")
            yield Progress(len(done), len(units), f"person {pid} done on a Ray worker",
                           data={"stage": "train", "pid": pid})
    return [done[u.pid] for u in units]


def ray_train_segment(project, scene, plan: dict, config: SceneRunConfig, result, cancel) -> Job[ResultWriter]:
    """Train and segment the persons of ``plan`` on Ray; store and export on the driver."""
    from ..osvos.guidance import CropGeometry
    from ..osvos.weights import save_checkpoint
    from ..proposals.body_prior import spread_boxes
    from .person import checkpoint_path, record_unreadable
    from .scene_records import note_few_steps, record_run

    boxes = spread_boxes({p: labels for p, (labels, _) in plan.items()})
    units = [PersonUnit(inputs=project.inputs, pid=int(pid), labels={f: rle.to_blob(m) for f, m in labels.items()},
                        refine_frames=frozenset(refinable), frames=expected_frames(scene, pid), config=config,
                        height_boxes=boxes, edge_velocities=scene.edge_velocities())
             for pid, (labels, refinable) in plan.items()]
    outs = yield from map_units_job(units, config.address, config.workers, cancel)
    geometry, masks_by_pid = {}, {}
    for u, out in zip(units, outs):
        result.train_seconds += out.train_seconds
        result.segment_seconds += out.segment_seconds
        if out.state_dict is None or out.meta is None:
            result.failed[u.pid] = out.failure or "no network came back"
            continue
        if out.failure:
            result.failed[u.pid] = out.failure
        ckpt = checkpoint_path(project.folder, u.pid, config.model)
        save_checkpoint(ckpt, out.state_dict, cast("CheckpointMeta", out.meta))
        result.run_ids[u.pid] = record_run(project, u.pid, config, len(u.labels), str(ckpt), out,
                                           result.unreviewed.get(u.pid), result.labels_at)
        note_few_steps(result, config, u.pid, out.steps)
        if out.unreadable:
            record_unreadable(project, u.pid, result.run_ids[u.pid], u.frames, out.unreadable)
            result.unreadable.update(out.unreadable)
        geometry[u.pid] = CropGeometry.from_dict(out.meta["geometry"])
        masks_by_pid[u.pid] = out.masks

    from .export_depth import feet_key
    from .propose import run_anchor

    anchor = run_anchor(project, config.anchor, result.anchor)

    def depth(pid: int, frame: int):
        point = scene.position_px(pid, frame)
        return None if point is None else feet_key(geometry[pid], point, anchor)

    labels = analyst_labels(project, masks_by_pid) if config.labels_in_output and config.out else None
    writer = ResultWriter(project, {p: result.run_ids[p] for p in masks_by_pid}, depth, config.out, config.fmt,
                          labels=labels)
    frames = sorted({f for m in masks_by_pid.values() for f in m})
    t0 = time.monotonic()
    try:
        for k, f in enumerate(frames):
            if cancel is not None:
                cancel.raise_if_cancelled()
            writer(f, {pid: rle.from_blob(m[f]) for pid, m in masks_by_pid.items() if f in m})
            if (k + 1) % 50 == 0 or k + 1 == len(frames):
                yield Progress(k + 1, len(frames), f"storing frame {f}", data={"stage": "segment", "frame": f})
    finally:
        writer.flush()
        result.store_seconds += time.monotonic() - t0
    return writer
