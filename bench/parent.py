"""Person-prior parent network: speed of the crop network, and zero-shot IoU on the shared scenes.

    python bench/parent.py speed            # ms per person crop, batch 1 and batched, 2 threads
    python bench/parent.py scenes [--file F] [--every 10]

``speed`` prints one row per (encoder depth, crop size) with the ratio against the shipped configuration in
the same run (the machine is shared: absolute numbers move, ratios less).
``scenes`` runs the parent alone (no background subtraction, no fine-tuning) on every ``--every``-th frame of
each shared scene (../shared/data/scenes), prompting each person with its trajectory point (trajectories +
H.txt through ``inputs.scene``) and the other persons' points, and reports the IoU of ``prob > 0.5`` against
the visible GT mask, per person-frame (GT absent when < 30 px are visible: skipped). Two height inputs:
``median`` = one number per scene (the median GT height, what a scene-level height model gives) and
``oracle`` = each person's own GT height (visibility.csv); and two anchor inputs: unknown (the net guesses
whether the point is the head, the feet or the centre) and the scene's anchor given as the hint (what
``proposals.anchor_fit`` estimates; here taken from the scene's meta.json).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCENES = ROOT.parent / "shared" / "data" / "scenes"

from humanseg_core.prior.parent import load_parent
from humanseg_core.prior.parent_net import ParentNet


def bench_speed(seconds: float = 1.0, threads: int = 2) -> list[dict]:
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)
    rows = []
    for nb in (6, 8, 11):
        for size in (96, 128):
            net = ParentNet(n_blocks=nb, width=32, imagenet=False).eval()
            row = {"n_blocks": nb, "size": size, "params_M": sum(p.numel() for p in net.parameters()) / 1e6}
            for bs in (1, 16):
                x = torch.randn(bs, 5, size, size)
                with torch.inference_mode():
                    for _ in range(3):
                        net(x)
                    t, n = time.perf_counter(), 0
                    while time.perf_counter() - t < seconds:
                        net(x)
                        n += 1
                row[f"ms_b{bs}"] = (time.perf_counter() - t) / n / bs * 1000
            rows.append(row)
    ref = next(r for r in rows if r["n_blocks"] == 8 and r["size"] == 96)
    print(f"{'encoder':>22} {'size':>5} {'params':>7} {'ms/crop b1':>11} {'ms/crop b16':>12} {'ratio b1':>9}")
    for r in rows:
        print(f"{'Lite0 blocks 0-' + str(r['n_blocks'] - 1):>22} {r['size']:>5} {r['params_M']:>6.2f}M "
              f"{r['ms_b1']:>11.2f} {r['ms_b16']:>12.2f} {r['ms_b1'] / ref['ms_b1']:>9.2f}")
    return rows


def _gt_heights(scene: Path) -> dict[tuple[int, int], float]:
    with open(scene / "visibility.csv") as f:
        return {(int(r["frame"]), int(r["pid"])): float(r["height_px"]) for r in csv.DictReader(f)}


def bench_scene(seg, scene: Path, every: int) -> dict:
    from humanseg_core.inputs.scene import load_scene

    sc = load_scene(scene / "frames", scene / "trajectories.txt", scene / "H.txt")
    heights = _gt_heights(scene)
    median_h = float(np.median(list(heights.values())))
    anchor = json.loads((scene / "meta.json").read_text())["args"]["anchor"]
    modes = [("median", None), ("oracle", None), ("median", anchor), ("oracle", anchor)]
    ious: dict[str, list[float]] = {f"{h}{'+anchor' if a else ''}": [] for h, a in modes}
    t_net, n_net = 0.0, 0
    for frame in sc.frames.indices[::every]:
        pts = sc.persons_at(frame)
        if not pts:
            continue
        img = sc.frames.read(frame)
        pids = sorted(pts)
        gts = {p: cv2.imread(str(scene / "gt" / str(p) / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) for p in pids}
        for mode, hint in modes:
            key = f"{mode}{'+anchor' if hint else ''}"
            items = [(pts[p], [pts[q] for q in pids if q != p], heights.get((frame, p), median_h)
                      if mode == "oracle" else median_h) for p in pids]
            t = time.perf_counter()
            probs = seg.segment_batch(img, items, anchor=hint)
            t_net += time.perf_counter() - t
            n_net += len(items)
            for p, prob in zip(pids, probs):
                gt = gts[p]
                if gt is None:
                    continue
                g, m = gt > 127, prob > 0.5
                ious[key].append(float((g & m).sum()) / max(1, int((g | m).sum())))
    return {"scene": scene.name, "anchor": anchor, "median_height": median_h,
            **{f"{k}_mean": float(np.mean(v)) for k, v in ious.items()},
            **{f"{k}_median": float(np.median(v)) for k, v in ious.items()},
            "n": len(ious["median"]), "ms_per_person": 1000 * t_net / max(1, n_net)}


COLS = ["median", "oracle", "median+anchor", "oracle+anchor"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["speed", "scenes"])
    ap.add_argument("--file", default=None, help="parent file (default: the shipped one)")
    ap.add_argument("--every", type=int, default=10, help="every n-th frame of each scene")
    ap.add_argument("--scenes", nargs="+", default=["zara01", "zara01_feet", "eth_dense"])
    ap.add_argument("--threads", type=int, default=2, help="torch threads (1 is faster on a loaded machine)")
    args = ap.parse_args(argv)
    if args.what == "speed":
        bench_speed(threads=args.threads)
        return 0
    if not SCENES.is_dir():
        print(f"skipped: {SCENES} not found")
        return 0
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    seg = load_parent(Path(args.file) if args.file else None)
    print("IoU of the parent alone (zero-shot), mean / median over person-frames; height: scene median or "
          "each person's GT; +anchor: the scene's anchor given as the hint")
    print(f"{'scene':>12} {'anchor':>6} {'n':>5} " + " ".join(f"{c:>20}" for c in COLS) + f" {'ms/person':>10}")
    out = []
    for name in args.scenes:
        r = bench_scene(seg, SCENES / name, args.every)
        out.append(r)
        cells = " ".join(f"{r[c + '_mean']:>11.3f} / {r[c + '_median']:.3f}" for c in COLS)
        print(f"{r['scene']:>12} {r['anchor']:>6} {r['n']:>5} {cells} {r['ms_per_person']:>10.1f}", flush=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
