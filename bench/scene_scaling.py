"""How a whole-scene run's segmentation scales: persons, frames, memory (issue 11), for both paths.

Reuses the trained networks of a project made by ``bench/scene.py`` (its ``proj`` folder stays under the
temp directory, e.g. ``/tmp/bench-scene-eth_dense-*/proj``), so no training is timed here. For each
segmentation path, ``none`` (the networks alone, batched) and ``evidence`` (the per-frame joint step with
the networks blended in, the default of local runs, ADR 0010):

- **persons**: 5 / 10 / 20 / 40 persons (the longest spans first; all there are when fewer),
  ``--frames-cap`` frames each: seconds and ms per person-frame;
- **frames**: 5 persons over the first 50 / 100 / 200 frames: seconds and the growth of RSS while the
  masks stream to a sink that drops them (the run's writer stores and drops them the same way), i.e.
  whether memory stays flat in video length.

The evidence path's joint step makes the frames asked for and the temporal consensus's window around
them (since 3 Dec; before, every frame of the chosen persons' tracks), and its cost is per frame whatever the
number of persons: compare it on whole spans (``--frames-cap 0 --frame-steps ""``).

    PYTHONPATH=. .venv/bin/python bench/scene_scaling.py --project /tmp/bench-scene-eth_dense-XXXX/proj \
        [--paths none,evidence] [--frames-cap 50] [--frame-steps 50,100,200] [--threads 1]

The last stdout line is JSON; a Markdown table goes before it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _job(path: str, scene, nets, frames: dict, sink, config):
    from humanseg_core.osvos.batch import segment_persons_job
    from humanseg_core.workflows.scene_evidence import segment_evidence_job

    if path == "evidence":
        return segment_evidence_job(scene, nets, frames, sink, config)
    return segment_persons_job(nets, scene.frames.read, scene.persons_at, frames, sink, config, None, nets)


def measure(path: str, scene, nets: dict, frames: dict, config) -> dict:
    """Seconds (wall), person-frames and RSS growth (MB, peak over the run's sink calls) of one run."""
    import psutil

    from humanseg_core.jobs import run_job

    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    count = [0]

    def sink(frame: int, masks: dict) -> None:
        count[0] += len(masks)
        peak.append(proc.memory_info().rss)

    t0 = time.monotonic()
    run_job(_job(path, scene, {p: nets[p] for p in frames}, frames, sink, config))
    seconds = time.monotonic() - t0
    return {"seconds": round(seconds, 2), "person_frames": count[0],
            "ms": round(1000.0 * seconds / max(1, count[0]), 2),
            "rss_growth_mb": round((max(peak) - base) / 2**20, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", required=True, type=Path)
    ap.add_argument("--paths", default="none,evidence")
    ap.add_argument("--frames-cap", type=int, default=50,
                    help="frames per person in the persons rows (0: the whole span)")
    ap.add_argument("--frame-steps", default="50,100,200", help="video lengths of the frames rows")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    import cv2
    import torch

    from humanseg_core.osvos.batch import BatchConfig, BatchStats, load_nets
    from humanseg_core.project import Project
    from humanseg_core.workflows.scene_units import span_frames

    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    project = Project.open(args.project)
    scene = project.load_scene()
    latest = {int(r["pid"]): r["checkpoint"] for r in project.runs() if r.get("checkpoint")}
    config = BatchConfig(device="cpu", workers=args.threads)
    nets = load_nets(latest, config, BatchStats())
    spans = {p: span_frames(scene, p) for p in nets}
    order = sorted(nets, key=lambda p: -len(spans[p]))
    first = min(scene.frames.indices)
    rows: dict = {"project": str(args.project), "threads": args.threads, "frames_cap": args.frames_cap,
                  "load_1min": os.getloadavg()[0], "paths": {}}
    for path in [p for p in args.paths.split(",") if p]:
        out: dict = {"persons": [], "frames": []}
        for n in (5, 10, 20, 40):
            chosen = order[:n]
            out["persons"].append({"persons": len(chosen), **measure(
                path, scene, nets, {p: spans[p][:args.frames_cap or None] for p in chosen}, config)})
            print(path, out["persons"][-1], file=sys.stderr, flush=True)
            if n >= len(order):
                break
        for n in [int(x) for x in args.frame_steps.split(",") if x]:
            # the persons seen in those first frames (a walk's 2-person project had none there: "0 person-frames")
            frames = {p: kept for p in order if (kept := [f for f in spans[p] if f < first + n])}
            frames = dict(list(frames.items())[:5])
            out["frames"].append({"frames": n, **measure(path, scene, nets, frames, config)})
            print(path, out["frames"][-1], file=sys.stderr, flush=True)
        rows["paths"][path] = out
    rows["load_1min_end"] = os.getloadavg()[0]
    print("| path | what | persons / frames | person-frames | seconds | ms/person-frame | RSS growth MB |")
    print("|---|---|---|---|---|---|---|")
    for path, out in rows["paths"].items():
        for r in out["persons"]:
            print(f"| {path} | persons | {r['persons']} | {r['person_frames']} | {r['seconds']} | {r['ms']} | "
                  f"{r['rss_growth_mb']} |")
        for r in out["frames"]:
            ms = r["ms"] if r["person_frames"] else "n/a"  # (no person-frame: no rate)
            print(f"| {path} | frames (up to 5 persons) | {r['frames']} | {r['person_frames']} | {r['seconds']} | "
                  f"{ms} | {r['rss_growth_mb']} |")
    print(json.dumps(rows))
    scene.close()
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
