"""The correction loop with a simulated analyst (issue 9): does fixing the worst frames, found WITHOUT ground
truth, and retraining from there raise J?

On a shared composite scene (default ``scenes/zara01_feet``, exact per-person GT), per person: the default
proposals of the annotated frames are accepted unreviewed, the default model is trained for ``--seconds``
and every frame of the person with GT is segmented (round k = 0). Then each round the analyst takes the
``--step`` result frames ranked worst by ``workflows.correction.rank_suspects`` (area jumps, distance from
the track point, pieces; no GT) that are not fixed yet, replaces them by the GT mask (the perfect fix) and
runs "Retrain from here" (resume the latest checkpoint for ``--seconds`` / 2, re-segment the affected span).
J (IoU, mean over the person's GT frames) is reported after each round: k = 0, 3, 6 fixed frames.

    PYTHONPATH=. .venv/bin/python bench/correction_loop.py [--scene zara01_feet] [--persons 2]
        [--seconds 20] [--rounds 2] [--step 3]

The budgets are small because the machine's 2 CPU cores are shared: the numbers show the direction, not
the ceiling. Data: UCY Crowds-by-Example (Lerner, Chrysanthou, Lischinski); DAVIS 2016 sprites (Perazzi et
al., CC BY-NC 4.0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from humanseg_core.jobs import run_job  # noqa: E402
from humanseg_core.metrics import jaccard  # noqa: E402
from humanseg_core.osvos.config import TrainConfig  # noqa: E402
from humanseg_core.project import Project  # noqa: E402
from humanseg_core.records import ProjectInputs  # noqa: E402
from humanseg_core.workflows import ProposeConfig, SegmentConfig, propose_into, segment_person, train_person  # noqa: E402
from humanseg_core.workflows.correction import fix_result, rank_suspects, retrain_from_here  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "scenes"


def gt_masks(scene_dir: Path, pid: int) -> dict[int, np.ndarray]:
    return {int(p.stem): cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 0
            for p in sorted((scene_dir / "gt" / str(pid)).glob("*.png"))}


def mean_j(results: dict, gt: dict) -> float:
    frames = [f for f in gt if f in results]
    return float(np.mean([jaccard(results[f], gt[f]) for f in frames])) if frames else float("nan")


def pick_persons(scene_dir: Path, n: int) -> list[int]:
    """The persons with the most GT frames (the longest visible walks)."""
    counts = {int(d.name): len(list(d.glob("*.png"))) for d in (scene_dir / "gt").iterdir() if d.name.isdigit()}
    return [pid for pid, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:n]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scene", default="zara01_feet")
    ap.add_argument("--persons", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--step", type=int, default=3)
    ap.add_argument("--model", default=None, help="default: the CLI's (osvos-parent when its file loads)")
    args = ap.parse_args()
    scene_dir = DATA / args.scene
    if not scene_dir.is_dir():
        print(f"skipped: {scene_dir} is absent")
        return 0
    from humanseg_core.osvos.nets_parent import default_model

    model = args.model or default_model(None)[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                               homography=str(scene_dir / "H.txt"))
        with Project.create(Path(tmp) / "proj", inputs) as project:
            scene = project.load_scene()
            pids = pick_persons(scene_dir, args.persons)
            run_job(propose_into(project, pids, ProposeConfig(), scene=scene))
            for pid in pids:
                t0 = time.time()
                gt = gt_masks(scene_dir, pid)
                pending = [p.id for p in project.proposals(pid, status="pending", with_masks=False)]
                project.set_statuses(pending, "accepted")
                config = TrainConfig(model=model, seconds=args.seconds)
                run = run_job(train_person(project, pid, config, scene=scene))
                first, last = min(gt), max(gt)
                run_job(segment_person(project, pid, run.run_id, SegmentConfig(first, last), scene=scene))
                results = project.results(pid, run.run_id)
                row = {"pid": pid, "labels": len(pending), "gt_frames": len(gt), "J": [mean_j(results, gt)],
                       "fixed": [0]}
                fixed: list[int] = []
                for _ in range(args.rounds):
                    ranked = [s.frame for s in rank_suspects(results, lambda f, p=pid: scene.position_px(p, f))]
                    todo = [f for f in ranked if f not in fixed and f in gt][:args.step]
                    for f in todo:
                        fix_result(project, pid, f, gt[f])
                    fixed += todo
                    again = run_job(retrain_from_here(project, pid, todo,
                                                      TrainConfig(model=model, seconds=args.seconds / 2),
                                                      scene=scene))
                    results = project.results(pid, again.run.run_id)
                    row["J"].append(mean_j(results, gt))
                    row["fixed"].append(len(fixed))
                row["seconds"] = time.time() - t0
                rows.append(row)
                print(f"pid {pid}: " + ", ".join(f"k={k} J {j:.3f}" for k, j in zip(row["fixed"], row["J"]))
                      + f" ({row['seconds']:.0f} s)", file=sys.stderr, flush=True)
            scene.close()
    print(f"\n### Correction loop (`bench/correction_loop.py`, scenes/{args.scene}, model {model}, "
          f"{args.seconds:g} s + {args.seconds / 2:g} s per round, 2 shared CPU cores)\n")
    ks = rows[0]["fixed"] if rows else []
    print("| person | accepted proposals | GT frames | " + " | ".join(f"J, k = {k}" for k in ks) + " |")
    print("|---|---|---|" + "---|" * len(ks))
    for r in rows:
        print(f"| {r['pid']} | {r['labels']} | {r['gt_frames']} | " + " | ".join(f"{j:.3f}" for j in r["J"]) + " |")
    if rows:
        mean = [float(np.mean([r["J"][i] for r in rows])) for i in range(len(ks))]
        print("| mean | | | " + " | ".join(f"{j:.3f}" for j in mean) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
