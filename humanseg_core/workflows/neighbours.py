"""The persons near one person, whose own networks the per-frame evidence uses when that person alone is segmented.

A whole-scene run makes every chosen person's mask in one joint step, each with its own network. One person
segmented alone (`humanseg segment`, the Segment tab, a Fix-tab retrain) had the others read by the parent alone:
in a crowd their pixels went to it, and its span's J fell (BENCHMARKS, "One person segmented or retrained among
neighbours with networks").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["NEIGHBOURS", "NEIGHBOUR_REACH", "neighbour_networks", "with_kept_networks"]


NEIGHBOUR_REACH = 1.5  # persons this many of its heights from a person's point (median proposal box) share pixels
NEIGHBOURS = 8  # the nearest ones at the most


def neighbour_networks(project, scene, pid: int, frames: list[int]) -> dict[int, tuple[str, list]]:
    """{pid: (checkpoint, the frames it is near on)} of the persons near ``pid`` on ``frames`` (within
    NEIGHBOUR_REACH of its heights, the NEIGHBOURS nearest; none when it has no proposal box to measure by) whose
    results Play and Export use, with a stored osvos-parent network: the per-frame evidence makes their masks beside
    its own, as the whole-scene run did. Without them a retrain in a crowd walk re-segmented its span at J 0.395 where
    the whole-scene run had 0.482 (0.503 with them)."""
    heights = [float(p.box[3] - p.box[1]) for p in project.proposals(pid, with_masks=False) if p.box is not None]
    if not heights:
        return {}
    reach = NEIGHBOUR_REACH * float(np.median(heights))
    near: dict[int, list[int]] = {}
    closest: dict[int, float] = {}
    for f in frames:
        at = scene.persons_at(f)
        me = at.get(pid) or scene.position_px(pid, f)
        if me is None:
            continue
        for q, uv in at.items():
            d = float(np.hypot(uv[0] - me[0], uv[1] - me[1]))
            if int(q) != pid and d <= reach:
                near.setdefault(int(q), []).append(int(f))
                closest[int(q)] = min(d, closest.get(int(q), d))
    if not near:
        return {}
    used = project.result_runs()
    runs = {int(r["id"]): r for r in project.runs() if r.get("pid") is not None and int(r["pid"]) in near}
    usable = [q for q in near if q in used and used[q] in runs and runs[used[q]].get("model") == "osvos-parent"
              and runs[used[q]].get("checkpoint") and Path(runs[used[q]]["checkpoint"]).is_file()]
    return {q: (runs[used[q]]["checkpoint"], near[q]) for q in sorted(usable, key=lambda q: closest[q])[:NEIGHBOURS]}


def with_kept_networks(project, frames_of, kept, nets: dict, frames_by_pid: dict, sink, config) -> tuple:
    """(networks, {pid: frames}, sink) for a whole-scene run's per-frame evidence step with the ``kept`` persons'
    networks ({pid: run kept}; ``frames_of(pid)``: a person's span) beside the segmented ones, on the frames these
    are segmented on: their masks are made, to share the pixels out, and left (``sink`` gets the others'). A resumed
    run had left them out: a re-walk's neighbour of two kept persons fell from J 0.418 to 0.309."""
    from ..osvos.batch import BatchStats, load_nets

    wanted = {int(f) for fs in frames_by_pid.values() for f in fs}
    runs = {int(r["id"]): r for r in project.runs(ids={int(r) for r in kept.values()})} if kept else {}
    found: dict[int, tuple[str, list[int]]] = {}
    for q, run_id in kept.items():
        run = runs.get(int(run_id)) or {}
        fs = [int(f) for f in frames_of(int(q)) if int(f) in wanted]
        if fs and run.get("model") == "osvos-parent" and run.get("checkpoint") and Path(run["checkpoint"]).is_file():
            found[int(q)] = (str(run["checkpoint"]), fs)
    if not found:
        return nets, frames_by_pid, sink
    extra = load_nets({q: c for q, (c, _f) in found.items() if q not in nets}, config, BatchStats())
    own = set(nets)
    return ({**extra, **nets}, {**{q: found[q][1] for q in extra}, **frames_by_pid},
            lambda frame, got: sink(frame, {p: m for p, m in got.items() if p in own}))
