"""``humanseg segment``: segment one person through the video with a trained run.

Writes ``%05d.png`` masks (0/255, full frame) into ``--out`` and stores them as the run's results in the
project. The last stdout line is JSON: ``{"run_id", "frames", "seconds", "ms_per_frame", "skipped"}``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

from ..errors import HumansegError
from ..jobs import run_job
from .common import print_json, stderr_progress


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "segment", help="segment a person through the video with a trained run",
        description="Segment every frame of the person's track (or --frames A:B) with a trained network.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=int, help="person id")
    p.add_argument("--out", required=True, help="folder for the %%05d.png masks (0/255)")
    p.add_argument("--frames", default=None, help="frame range A:B (B exclusive; default: the track's span)")
    p.add_argument("--run", type=int, default=None, help="training run id (default: the person's latest)")
    p.set_defaults(func=run)


def parse_range(text: str) -> tuple[int | None, int | None]:
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        return tuple(int(x) if x.strip() else None for x in parts)  # type: ignore[return-value]
    except ValueError:
        raise HumansegError(f"--frames: expected A:B (e.g. 100:200), got {text!r}") from None


def _progress(p) -> None:
    if p.done % 50 == 0 or p.done == p.total:
        stderr_progress(p)


def _pick_run(project, pid: int, run_id: int | None) -> dict:
    runs = [r for r in project.runs(pid) if r.get("checkpoint")]
    if run_id is not None:
        runs = [r for r in runs if r["id"] == run_id]
        if not runs:
            raise HumansegError(f"{project.path}: no training run {run_id} with a checkpoint for person {pid}")
    if not runs:
        raise HumansegError(f"{project.path}: person {pid} has no trained run: run `humanseg train` first")
    return runs[-1]


def run(args) -> int:
    from ..osvos.others import others_from_scene
    from ..osvos.segment import segment_job
    from ..project import Project

    project = Project.open(args.project)
    try:
        scene = project.load_scene()
        run_rec = _pick_run(project, args.pid, args.run)
        indices = list(scene.frames.indices)
        track = lambda f: scene.position_px(args.pid, f)  # noqa: E731
        if args.frames:
            a, b = parse_range(args.frames)
            frames = [f for f in indices if (a is None or f >= a) and (b is None or f < b)]
        else:
            frames = [f for f in indices if track(f) is not None] or indices
        if not frames:
            raise HumansegError(f"--frames {args.frames}: no frame of the video in that range")
        t0 = time.monotonic()
        result = run_job(segment_job(run_rec["checkpoint"], scene.frames.read, track, frames,
                                         others_px=others_from_scene(scene, args.pid)), _progress)
        seconds = time.monotonic() - t0
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for f, m in result.items():
            if not cv2.imwrite(str(out / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8)):
                raise HumansegError(f"{out}: cannot write {f:05d}.png")
        project.save_results(args.pid, run_rec["id"], dict(result))
    finally:
        project.close()
    for n in result.notes:
        print(f"humanseg: note: {n}", file=sys.stderr)
    n = len(result)
    print_json({"run_id": run_rec["id"], "frames": n, "seconds": round(seconds, 3),
                "ms_per_frame": round(1000 * result.seconds / max(n, 1), 2), "skipped": len(result.notes)})
    return 0
