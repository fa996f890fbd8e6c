"""Batched segmentation per person-frame, this package against a baseline revision in one run (issue 11).

A shared scene (default zara01_feet) gets a project with the default proposals, accepted unreviewed, and
``--persons`` networks fine-tuned for a few steps (speed does not depend on how well they were trained).
Then the same networks segment the same ``--frames`` frames of each person (``osvos.batch``: crops of one
person's frames in one forward pass), once with this package and once with the package as it was at
``--baseline`` (``git archive``), alternating for ``--rounds`` rounds in child processes with
``--threads`` torch threads, so that load on a shared machine hits both alike.  Printed: ms per
person-frame (segmentation proper: crop and inputs, forward, post-processing and paste; decoding
excluded), split by stage, with the process CPU time of the whole loop per person-frame (what the run
really got from a loaded CPU: with one thread, close to an idle machine's wall time), the ratio, and how
much the masks differ (mean IoU and changed pixels between the two versions' masks).

    nice -n 15 .venv/bin/python bench/scene_segment.py --baseline 39cca20 [--scene zara01_feet]
        [--persons 8] [--frames 60] [--batch-size 32] [--rounds 3] [--threads 1] [--mixed-precision]
        [--train-steps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENES = ROOT.parent / "shared" / "data" / "scenes"
STAGES = ("inputs", "forward", "post")


def setup(scene_name: str, folder: Path, persons: int, steps: int = 3) -> None:
    """A project with proposals and ``persons`` networks trained ``steps`` steps (the longest spans)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job
    from humanseg_core.workflows.scene_units import span_frames

    src = SCENES / scene_name
    inputs = ProjectInputs(video=str(src / "frames"), trajectories=str(src / "trajectories.txt"),
                           homography=str(src / "H.txt"))
    project = Project.create(folder, inputs)
    try:
        scene = project.load_scene()
        pids = sorted(scene.pids, key=lambda p: -len(span_frames(scene, p)))[:persons]
        scene.close()
        run_job(scene_run_job(project, SceneRunConfig(pids=tuple(pids), steps_per_person=steps,
                                                      seconds_per_person=None, device="cpu")))
    finally:
        project.close()


def _timed(owner, name: str, spent: dict, stage: str) -> None:
    fn = getattr(owner, name)

    def wrapper(*a, **kw):
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            spent[stage] += time.perf_counter() - t

    setattr(owner, name, wrapper)


def child(args) -> dict:
    """Segment with whatever ``humanseg_core`` is on the path; time it by stage; save the masks."""
    import numpy as np
    import torch

    from humanseg_core.jobs import run_job
    from humanseg_core.osvos import batch, parent_crops
    from humanseg_core.project import Project
    from humanseg_core.workflows.scene_units import span_frames

    torch.set_num_threads(args.threads)
    spent = dict.fromkeys(STAGES, 0.0)
    _timed(parent_crops, "person_input", spent, "inputs")
    _timed(parent_crops, "clean_and_paste", spent, "post")
    _timed(parent_crops, "forward_probs", spent, "forward")  # the baseline's forward
    if hasattr(batch.PersonNet, "parent_masks"):
        _timed(batch.PersonNet, "forward", spent, "forward")
    project = Project.open(Path(args.project))
    scene = project.load_scene()
    try:
        models = {r["pid"]: r["checkpoint"] for r in project.runs() if r.get("checkpoint")}
        frames = {p: span_frames(scene, p)[:args.frames] for p in models}
        extra: dict = {"mixed_precision": True} if args.mixed_precision else {}
        if args.workers > 1:
            extra["workers"] = args.workers
        config = batch.BatchConfig(batch_size=args.batch_size, chunk_frames=max(32, args.batch_size), device="cpu",
                                   **extra)
        nets = batch.load_nets(models, config, batch.BatchStats())
        warm = {p: f[:4] for p, f in frames.items()}
        run_job(batch.segment_persons_job(models, scene.frames.read, scene.persons_at, warm, lambda f, m: None,
                                          config, None, nets))
        for k in spent:
            spent[k] = 0.0
        masks: dict[str, np.ndarray] = {}

        def sink(frame, got):
            for pid, m in got.items():
                masks[f"{pid}_{frame}"] = np.packbits(m)

        cpu0 = time.process_time()
        stats = run_job(batch.segment_persons_job(models, scene.frames.read, scene.persons_at, frames, sink, config,
                                                  None, nets))
        cpu = time.process_time() - cpu0
    finally:
        scene.close()
        project.close()
    np.savez_compressed(args.masks_out, **masks)
    n = max(1, stats.total_person_frames)
    return {"ms": 1000 * stats.seconds / n, "cpu_ms": 1000 * cpu / n, "person_frames": stats.total_person_frames,
            **{f"{k}_ms": 1000 * v / n for k, v in spent.items()}}


def compare(a_file: str, b_file: str) -> dict:
    import numpy as np

    a, b = np.load(a_file), np.load(b_file)
    ious, changed, total = [], 0, 0
    for key in sorted(set(a.files) & set(b.files)):
        x, y = np.unpackbits(a[key]).astype(bool), np.unpackbits(b[key]).astype(bool)
        union = int((x | y).sum())
        changed += int((x ^ y).sum())
        total += int(x.sum())
        if union:
            ious.append(int((x & y).sum()) / union)
    return {"masks": len(ious), "missing": len(set(a.files) ^ set(b.files)),
            "mean_iou": float(np.mean(ious)) if ious else 1.0, "min_iou": float(min(ious)) if ious else 1.0,
            "changed_px_share": changed / max(1, total)}


def gt_j(masks_file: str, scene_dir: Path) -> float:
    """Mean J of the saved masks against the scene's GT masks (person-frames with a GT file)."""
    import cv2
    import numpy as np

    got = np.load(masks_file)
    js = []
    for key in got.files:
        pid, frame = key.split("_")
        gt_file = scene_dir / "gt" / pid / f"{int(frame):05d}.png"  # frame indices name the frames
        gt = cv2.imread(str(gt_file), cv2.IMREAD_GRAYSCALE) if gt_file.is_file() else None
        if gt is None:
            continue
        gt = gt > 127
        m = np.unpackbits(got[key])[: gt.size].reshape(gt.shape).astype(bool)
        union = int((m | gt).sum())
        js.append(int((m & gt).sum()) / union if union else 1.0)
    return float(np.mean(js)) if js else float("nan")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline", required=False, help="git revision to compare with, e.g. 39cca20")
    p.add_argument("--scene", default="zara01_feet")
    p.add_argument("--persons", type=int, default=8)
    p.add_argument("--frames", type=int, default=60, help="frames per person")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--current-threads", type=int, default=None,
                   help="torch threads of the current version (default: --threads), e.g. 1 with --workers 2")
    p.add_argument("--workers", type=int, default=1,
                   help="the current version segments this many persons in parallel threads (BatchConfig.workers)")
    p.add_argument("--train-steps", type=int, default=3,
                   help="fine-tuning steps per person before timing (speed does not depend on it; J does)")
    p.add_argument("--keep-project", default=None,
                   help="folder for the trained project: reused when it exists (the same networks again)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="the current version runs with mixed precision (bfloat16 on a CPU with native bfloat16)")
    p.add_argument("--repo", default=str(ROOT), help="git repository holding --baseline (default: this one)")
    p.add_argument("--project", default=None, help=argparse.SUPPRESS)
    p.add_argument("--masks-out", default=None, help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    if not SCENES.is_dir():
        print(f"bench/scene_segment.py: {SCENES} not found", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-scene-seg-") as tmp:
        work = Path(tmp)
        sys.path.insert(0, str(ROOT))
        project_dir = Path(args.keep_project) if args.keep_project else work / "proj"
        if not (project_dir / "project.sqlite").exists():
            setup(args.scene, project_dir, args.persons, args.train_steps)
        versions = {"current": ROOT}
        if args.baseline:
            old = work / "baseline"
            old.mkdir()
            archive = subprocess.run(["git", "-C", args.repo, "archive", args.baseline, "humanseg_core", "resources"],
                                     capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
            versions = {f"baseline {args.baseline}": old, "current": ROOT}
        rows: dict[str, list[dict]] = {v: [] for v in versions}

        def threads_of(name: str) -> int:
            return args.current_threads or args.threads if name == "current" else args.threads

        for r in range(args.rounds):
            for name, path in versions.items():
                out = work / f"masks-{len(rows[name])}-{name.split()[0]}.npz"
                cmd = [sys.executable, __file__, "--child", "--project", str(project_dir), "--masks-out", str(out),
                       "--frames", str(args.frames), "--batch-size", str(args.batch_size),
                       "--threads", str(threads_of(name))]
                if args.mixed_precision and name == "current":
                    cmd.append("--mixed-precision")
                if name == "current":
                    cmd += ["--workers", str(args.workers)]
                env = {**os.environ, "PYTHONPATH": str(path), "OMP_NUM_THREADS": str(threads_of(name))}
                done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=str(path), env=env)
                if done.returncode != 0:
                    print(done.stderr[-3000:], file=sys.stderr)
                    return done.returncode
                row = json.loads(done.stdout.strip().splitlines()[-1])
                row["load"] = os.getloadavg()[0]
                rows[name].append(row)
                print(f"round {r + 1} {name}: {row['ms']:.2f} ms/person-frame (CPU {row['cpu_ms']:.2f}) "
                      + " ".join(f"{k} {row[k + '_ms']:.2f}" for k in STAGES) + f" (load {row['load']:.1f})",
                      flush=True)
        if args.current_threads or args.workers > 1:
            print(f"\ncurrent: {threads_of('current')} torch thread(s), {args.workers} worker(s)")
        print(f"\n{args.scene}, {args.persons} persons x {args.frames} frames, batch {args.batch_size}, "
              f"{args.threads} thread(s); best of {args.rounds} rounds, ms per person-frame")
        print("| version | total | inputs | forward | post-processing + paste | CPU ms (whole loop, decoding and "
              "masks kept included) |\n|---|---|---|---|---|---|")
        best = {}
        for name, rs in rows.items():
            b = min(rs, key=lambda x: x["ms"])
            best[name] = b
            print(f"| {name} | {b['ms']:.2f} | {b['inputs_ms']:.2f} | {b['forward_ms']:.2f} | {b['post_ms']:.2f} | "
                  f"{min(x['cpu_ms'] for x in rs):.2f} |")
        if args.baseline:
            base = best[f"baseline {args.baseline}"]
            print(f"ratio baseline / current: {base['ms'] / best['current']['ms']:.2f}x")
            diff = compare(str(work / "masks-0-baseline.npz"), str(work / "masks-0-current.npz"))
            print("masks, baseline vs current: " + json.dumps({k: round(v, 5) if isinstance(v, float) else v
                                                              for k, v in diff.items()}))
            j_base = gt_j(str(work / "masks-0-baseline.npz"), SCENES / args.scene)
            j_cur = gt_j(str(work / "masks-0-current.npz"), SCENES / args.scene)
            print(f"mean J against the GT (networks fine-tuned {args.train_steps} steps from unreviewed proposals): "
                  f"baseline {j_base:.4f}, current {j_cur:.4f}, difference {j_cur - j_base:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
