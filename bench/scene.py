"""Whole-scene runs on every shared scene, all persons (issue 11).

Per scene (``../shared/data/scenes/<name>``, each in its own process so peak RSS is that scene's): a new
project, ``humanseg run`` with every proposal accepted unreviewed, a training budget per person, batched
segmentation of every frame of every person's span, DAVIS export; wall time split into proposals,
training and segmentation; ms per person-frame at batch 1 against batched (the same trained networks on
the same frames, segmentation proper: crop + net + post-processing + paste, decoding excluded; and batched
in bfloat16 where the CPU has it natively); peak RSS;
scene metrics from ``eval-scene`` (mean J, J&F, leakage, identity switches, HOTA, sMOTSA, IDF1).
Scaling (``--scaling``): segmentation cost for 5/10/20/40 persons of the largest scene, and RSS growth
while segmenting 50/100/200 frames (it must stay flat in video length).

    PYTHONPATH=. .venv/bin/python bench/scene.py [--scenes zara01,zara01_feet,eth_dense]
        [--seconds-per-person S | --steps-per-person N (default: humanseg run's)] [--scaling] [--mixed-precision]
        [--refine evidence]
        [--device cpu|cuda|auto] [--pids all|3,7] [--results FILE.jsonl]

On a GPU (``--device cuda``) the speed rows are batch 1, 32 and 256, each in float32 and bfloat16.

Each finished scene is appended to ``--results`` as a JSON line and the tables are printed from it.
Data credits: UCY Crowds-by-Example (Lerner, Chrysanthou, Lischinski), ETH BIWI (Pellegrini, Ess et al.),
DAVIS 2016 sprites (Perazzi et al., CC BY-NC 4.0).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCENES = ROOT.parent / "shared" / "data" / "scenes"

from scenes import resolve as resolve_scene  # noqa: E402  (bench/scenes.py: shared, held-out or a path)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _seg_speed(project, scene, run_ids, batch_size: int, frames_cap: int, mixed: bool = False,
               device: str = "cpu") -> dict:
    """Batched segmentation as the scene run does it (on a CPU: persons in parallel, one thread each)."""
    import torch

    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.batch import BatchConfig, segment_persons_job
    from humanseg_core.workflows.scene_units import span_frames

    runs = {r["id"]: r for r in project.runs()}
    models = {pid: runs[rid]["checkpoint"] for pid, rid in run_ids.items()}
    frames = {pid: span_frames(scene, pid)[:frames_cap] for pid in models}
    stats = run_job(segment_persons_job(models, scene.frames.read, scene.persons_at, frames, lambda f, m: None,
                                        BatchConfig(batch_size=batch_size, device=device, mixed_precision=mixed,
                                                    workers=max(1, torch.get_num_threads()) if device == "cpu"
                                                    else 1)))
    n = max(1, stats.total_person_frames)
    return {"ms": round(1000 * stats.seconds / n, 3), "read_ms": round(1000 * stats.read_seconds / n, 3),
            "person_frames": stats.total_person_frames}


def one_scene(name: str, args) -> dict:
    import torch

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.scene_metrics import davis_sets, evaluate_scene
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    torch.set_num_threads(args.threads)
    loads = LoadSampler()
    src = resolve_scene(name)
    work = Path(tempfile.mkdtemp(prefix=f"bench-scene-{Path(name).name}-"))
    project = Project.create(work / "proj", ProjectInputs(video=str(src / "frames"),
                                                          trajectories=str(src / "trajectories.txt"),
                                                          homography=str(src / "H.txt")))
    pids = None if args.pids == "all" else tuple(int(p) for p in args.pids.split(","))
    config = SceneRunConfig(steps_per_person=args.steps_per_person, seconds_per_person=args.seconds_per_person,
                            out=work / "out", device=args.device, accept="all", mixed_precision=args.mixed_precision,
                            refine=args.refine, pids=pids, min_labels=args.min_labels)
    t0 = time.monotonic()
    result = run_job(scene_run_job(project, config))
    wall = time.monotonic() - t0
    row = {"scene": Path(name).name, **result.to_json(), "wall_s": round(wall, 1), "method": config.method,
           "mixed_precision": args.mixed_precision, "refine": args.refine, "device_arg": args.device}
    row.pop("run_ids")
    if result.model == "osvos-parent":
        from humanseg_core.prior.parent import DEFAULT_PARENT

        row["parent"] = DEFAULT_PARENT.name
    scene = project.load_scene()
    try:
        from humanseg_core.osvos.device import cpu_bf16_native, resolve_device

        device = resolve_device(args.device).type
        row["batch1"] = _seg_speed(project, scene, result.run_ids, 1, args.speed_frames, device=device)
        row["batched"] = _seg_speed(project, scene, result.run_ids, 32, args.speed_frames, device=device)
        if device != "cpu" or cpu_bf16_native():  # the same networks and frames, bfloat16 inference copies
            row["batched_bf16"] = _seg_speed(project, scene, result.run_ids, 32, args.speed_frames, True, device)
        if device != "cpu":  # a GPU wants big batches
            for mixed in (False, True):
                row["batched256" + ("_bf16" if mixed else "")] = _seg_speed(
                    project, scene, result.run_ids, 256, args.speed_frames, mixed, device)
        if args.scaling:
            row["scaling"] = scaling(project, scene, result.run_ids, args.scaling_frames)
    finally:
        scene.close()
        project.close()
    # the persons run alone when --pids chose them (a walk's two persons scored beside nine never run: J 0.151 for
    # 0.811), as eval-scene scores an export's chosen persons
    ev = evaluate_scene(davis_sets(work / "out", "prediction"), davis_sets(src / "gt", "ground truth"),
                        only=None if pids is None else set(pids))
    row["metrics"] = ev["scene"]
    leak = [v["leakage"] for v in ev["per_person"].values() if v["predicted"]]
    row["metrics"]["leakage_mean"] = round(sum(leak) / max(1, len(leak)), 4)
    row["peak_rss_mb"] = round(_rss_mb(), 1)
    row["threads"] = torch.get_num_threads()
    row["load_avg"] = os.getloadavg()
    row["load_1min"] = loads.summary()
    return row


class LoadSampler:
    """The 1-minute load average every ``every`` seconds while the scene runs (min, mean, max)."""

    def __init__(self, every: float = 10.0):
        import threading

        self.samples: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict:
        self._stop.set()
        s = self.samples
        return {"min": round(min(s), 2), "mean": round(sum(s) / len(s), 2), "max": round(max(s), 2), "n": len(s)}


def scaling(project, scene, run_ids, frames_cap: int) -> dict:
    """Segmentation seconds and ms per person-frame for 5/10/20/40 persons (``frames_cap`` frames each); RSS
    growth while 5 persons are segmented over 50/100/200 frames."""
    import psutil

    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.batch import BatchConfig, segment_persons_job
    from humanseg_core.workflows.scene_units import span_frames

    runs = {r["id"]: r for r in project.runs()}
    pids = sorted(run_ids, key=lambda p: -len(span_frames(scene, p)))
    out = {"persons": [], "frames": []}
    for n in (5, 10, 20, 40):
        if n > len(pids):
            break
        models = {p: runs[run_ids[p]]["checkpoint"] for p in pids[:n]}
        frames = {p: span_frames(scene, p)[:frames_cap] for p in models}
        stats = run_job(segment_persons_job(models, scene.frames.read, scene.persons_at, frames,
                                            lambda f, m: None, BatchConfig(device="cpu")))
        out["persons"].append({"persons": n, "person_frames": stats.total_person_frames,
                               "seconds": round(stats.seconds + stats.read_seconds, 2),
                               "ms": round(1000 * stats.seconds / max(1, stats.total_person_frames), 3)})
    proc = psutil.Process()
    models = {p: runs[run_ids[p]]["checkpoint"] for p in pids[:5]}
    first = min(scene.frames.indices)
    for n in (50, 100, 200):
        base = proc.memory_info().rss
        peak = [base]

        def sink(f, m, peak=peak):
            peak.append(proc.memory_info().rss)

        frames = {p: [f for f in span_frames(scene, p) if f < first + n] for p in models}
        run_job(segment_persons_job(models, scene.frames.read, scene.persons_at, frames, sink,
                                    BatchConfig(device="cpu")))
        out["frames"].append({"frames": n, "rss_growth_mb": round((max(peak) - base) / 2**20, 1)})
    return out


def table(rows: list[dict]) -> str:
    head = ("| scene | persons (skipped) | person-frames | proposals s | training s | segmentation s | store s | "
            "total s | ms/person-frame batch 1 | batched | batched bf16 | peak RSS MB | mean J | J&F | leakage | "
            "id switches | HOTA | sMOTSA | IDF1 | load (1 min) |")
    lines = [head, "|" + "---|" * 20]
    for r in rows:
        m = r["metrics"]
        load = r.get("load_1min")
        load_txt = f"{load['min']:.1f}-{load['max']:.1f} (mean {load['mean']:.1f})" if load else ""
        lines.append(
            f"| {r['scene']}{' (bf16)' if r.get('mixed_precision') else ''}"
            f"{' (refine ' + r['refine'] + ')' if r.get('refine', 'none') != 'none' else ''} | "
            f"{len(r['persons'])} ({len(r['skipped'])}) | {r['person_frames']} | "
            f"{r['propose_seconds']:.0f} | {r['train_seconds']:.0f} | {r['segment_seconds']:.1f} | "
            f"{r.get('store_seconds', 0.0):.1f} | {r['seconds']:.0f} | "
            f"{r['batch1']['ms']:.2f} | {r['batched']['ms']:.2f} | "
            f"{r['batched_bf16']['ms'] if 'batched_bf16' in r else float('nan'):.2f} | "
            f"{r['peak_rss_mb']:.0f} | {m['J_mean']:.3f} | "
            f"{m['JF_mean']:.3f} | {m['leakage_mean']:.3f} | {m['identity_switches']} | {m.get('HOTA', 0):.3f} | "
            f"{m.get('sMOTSA', 0):.3f} | {m.get('IDF1', 0):.3f} | {load_txt} |")
    gpu = [r for r in rows if "batched256" in r]
    if gpu:
        lines += ["", "| scene | device | ms/person-frame batch 1 | 32 | 32 bf16 | 256 | 256 bf16 | mean J |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {r['scene']}{' (bf16)' if r.get('mixed_precision') else ''} | {r['device']} | "
                  f"{r['batch1']['ms']:.3f} | {r['batched']['ms']:.3f} | {r['batched_bf16']['ms']:.3f} | "
                  f"{r['batched256']['ms']:.3f} | {r['batched256_bf16']['ms']:.3f} | {r['metrics']['J_mean']:.3f} |"
                  for r in gpu]
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenes", default="zara01,zara01_feet,eth_dense")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--seconds-per-person", type=float, default=None)
    budget.add_argument("--steps-per-person", type=int, default=None)
    p.add_argument("--speed-frames", type=int, default=60, help="frames per person for the batch-1/batched timing")
    p.add_argument("--scaling", action="store_true", help="scaling rows (on the last scene)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (1 is faster on a shared, loaded CPU)")
    p.add_argument("--scaling-frames", type=int, default=50, help="frames per person in the persons scaling rows")
    p.add_argument("--mixed-precision", action="store_true",
                   help="the scene run segments with mixed precision (bfloat16 where the CPU has it natively)")
    p.add_argument("--refine", choices=["none", "evidence"], default="none",
                   help="the scene run's --refine (evidence: every frame through the proposals' joint step)")
    p.add_argument("--device", default="cpu", help="the scene run's --device (cpu, cuda, auto)")
    p.add_argument("--pids", default="all", help="persons of the scene run (all, or e.g. 3,7)")
    p.add_argument("--min-labels", type=int, default=1, help="the scene run's --min-labels")
    p.add_argument("--results", default=str(ROOT / "bench" / "scene_results.jsonl"))
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(one_scene(args.one, args)))
        return 0
    names = [s for s in args.scenes.split(",") if s]
    missing = [n for n in names if not (resolve_scene(n) / "frames").is_dir()]
    if missing:
        print(f"bench/scene.py: scene(s) not found: {', '.join(missing)} (shared scenes live in {SCENES})",
              file=sys.stderr)
        return 1
    for k, name in enumerate(names):
        cmd = [sys.executable, __file__, "--one", name, "--speed-frames", str(args.speed_frames),
               "--threads", str(args.threads), "--scaling-frames", str(args.scaling_frames), "--refine", args.refine,
               "--device", args.device, "--pids", args.pids, "--min-labels", str(args.min_labels)]
        cmd += (["--steps-per-person", str(args.steps_per_person)] if args.steps_per_person
                else ["--seconds-per-person", str(args.seconds_per_person)] if args.seconds_per_person
                else [])  # neither: the run's default budget (ADR 0026)
        if args.mixed_precision:
            cmd.append("--mixed-precision")
        if args.scaling and k == len(names) - 1:
            cmd.append("--scaling")
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              check=False)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
        row = json.loads(done.stdout.strip().splitlines()[-1])
        from humanseg_core.workflows.scene_config import SceneRunConfig  # the budget the run took (none: the default)

        budget = SceneRunConfig(steps_per_person=args.steps_per_person, seconds_per_person=args.seconds_per_person)
        row["budget"] = {"seconds_per_person": budget.seconds_per_person, "steps_per_person": budget.steps_per_person}
        with open(args.results, "a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)
    with open(args.results) as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
