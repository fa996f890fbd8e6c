"""osvos-lite with mixed precision on a CPU with native bfloat16: float32 against the bfloat16 inference copy.

Per shared scene (and the synthetic demo scene): the ``--persons`` persons with the most GT frames get an
osvos-lite network trained from scratch ``--steps`` steps on the GT masks of every 5th GT frame; the same
network then segments up to ``--frames`` GT frames per person through ``osvos.batch.PersonNet``, once in
float32 and once with the bfloat16 copy.  Printed per person and per scene: mean IoU between the two
versions' masks, J against the GT for both, and the forward pass in ms per crop (best of 3).

    nice -n 10 .venv/bin/python bench/lite_bf16.py [--steps 60] [--persons 3] [--frames 40] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
SCENES = ROOT.parent / "shared" / "data" / "scenes"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # fakes.demo_point: the demo's track points

from humanseg_core.inputs.scene import load_scene
from humanseg_core.jobs import run_job
from humanseg_core.osvos import device as dev
from humanseg_core.osvos.batch import PersonNet
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.train import train_job


def iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.logical_or(a, b).sum()
    return 1.0 if u == 0 else float(np.logical_and(a, b).sum() / u)


def forward_ms(net: PersonNet, xs: list, reps: int = 3) -> float:
    best = 1e9
    for _ in range(reps):
        t = time.perf_counter()
        net.forward(xs)
        best = min(best, time.perf_counter() - t)
    return best / len(xs) * 1000


def scene_persons(name: str, n: int):
    """(pid, GT frames, gt(f), reader, track(f), others(f)) of the ``n`` persons with the most GT frames."""
    src = SCENES / name
    sc = load_scene(video=str(src / "frames"), trajectories=str(src / "trajectories.txt"),
                    homography=str(src / "H.txt"))
    gts = {int(d.name): sorted(int(p.stem) for p in d.glob("*.png")) for d in (src / "gt").iterdir()}
    for pid in sorted(gts, key=lambda p: (-len(gts[p]), p))[:n]:
        def gt(f, pid=pid):
            return cv2.imread(str(src / "gt" / str(pid) / f"{f:05d}.png"), cv2.IMREAD_GRAYSCALE) > 127

        def others(f, pid=pid):
            return [uv for q, uv in sc.persons_at(f).items() if int(q) != pid]

        frames = [f for f in gts[pid] if sc.position_px(pid, f) is not None]
        yield pid, frames, gt, sc.frames.read, (lambda f, pid=pid: sc.position_px(pid, f)), others


def demo_persons(n: int):
    from fakes import demo_point

    from humanseg_core.demo import make_demo

    d = make_demo(seed=0, n_frames=60, n_walkers=3)
    for pid in list(d.pids)[:n]:
        frames = sorted(f for f in d.gt[pid] if d.gt[pid][f].sum() > 40 and d.world(pid, f) is not None)
        yield (pid, frames, (lambda f, pid=pid: d.gt[pid][f]), d.frames, (lambda f, pid=pid: demo_point(d, pid, f)),
               (lambda f, pid=pid: [demo_point(d, q, f) for q in d.pids if q != pid and d.world(q, f) is not None]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--persons", type=int, default=3)
    p.add_argument("--frames", type=int, default=40)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--scenes", default="demo,zara01,zara01_feet,eth_dense")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if not dev.cpu_bf16_native():
        sys.exit("this CPU has no native bfloat16 (AVX512-BF16/AMX): mixed precision stays float32 here")
    cpu = torch.device("cpu")
    rows = []
    for name in args.scenes.split(","):
        persons = demo_persons(args.persons) if name == "demo" else scene_persons(name, args.persons)
        for pid, frames, gt, reader, track, others in persons:
            config = TrainConfig(model="osvos-lite", steps=args.steps, seconds=None, holdout=0, refine_labels=False,
                                 allow_download=False, seed=0)
            res = run_job(train_job(reader, track, {f: gt(f) for f in frames[::5]}, config, pid=pid,
                                    others_px=others))
            test = frames[:: max(1, len(frames) // args.frames)][: args.frames]
            imgs, pts, oth = [reader(f) for f in test], [track(f) for f in test], [others(f) for f in test]
            n32 = PersonNet(pid, res, cpu, mixed_precision=False)
            n16 = PersonNet(pid, res, cpu, mixed_precision=True)
            assert n32.dtype == torch.float32 and n16.dtype == torch.bfloat16
            m32, m16 = n32.masks(imgs, pts, oth), n16.masks(imgs, pts, oth)
            agree = float(np.mean([iou(a, b) for a, b in zip(m32, m16)]))
            j32 = float(np.mean([iou(a, gt(f)) for a, f in zip(m32, test)]))
            j16 = float(np.mean([iou(a, gt(f)) for a, f in zip(m16, test)]))
            xs = [n32.prepare(i, pt)[0] for i, pt in zip(imgs, pts)]
            t32, t16 = forward_ms(n32, xs), forward_ms(n16, xs)
            rows.append((name, len(test), agree, j32, j16, t32, t16))
            print(f"{name:12s} pid {pid:3d} frames {len(test):2d}  IoU(f32, bf16) {agree:.4f}  J f32 {j32:.4f} "
                  f"bf16 {j16:.4f} ({j16 - j32:+.4f})  forward ms/crop {t32:.2f} -> {t16:.2f}", flush=True)
    print("\n| scene | person-frames | masks mean IoU f32 vs bf16 | J f32 | J bf16 | forward ms/crop f32 → bf16 |")
    print("|---|---|---|---|---|---|")
    for name in dict.fromkeys(r[0] for r in rows):
        rs = [r for r in rows if r[0] == name]
        w = [r[1] for r in rs]

        def mean(k: int, rs=rs, w=w) -> float:
            return float(np.average([r[k] for r in rs], weights=w))

        print(f"| {name} | {sum(w)} | {mean(2):.4f} | {mean(3):.4f} | {mean(4):.4f} | {mean(5):.2f} → {mean(6):.2f} |")


if __name__ == "__main__":
    main()
