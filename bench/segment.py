"""Segmentation quality and speed: osvos-lite with / without trajectory guidance vs the osvos-vgg16 baseline.

zara01 (composite scene, exact per-person GT): three persons with little, some and much occlusion
(visibility.csv); their accepted masks are the BGS proposals of the annotated frames
(``generate_proposals(method="bgs")``, no human review), so label noise is part of the test; one more
run trains on the exact GT masks of the same frames (the upper bound a careful review would reach). Each
configuration trains for the same time budget, then segments the same held-out frames (every 5th frame that
is not an accepted one). J (IoU), F (DAVIS boundary), leakage (share of predicted pixels on other persons'
GT), training seconds, ms per frame (frame read + crop + net + paste). DAVIS lucia / stroller: 5 GT frames
accepted, J and F on all the others; DAVIS has no trajectory, so the track is the GT box centre every 10th
frame, interpolated (like an ETH/UCY annotation).

    PYTHONPATH=. .venv/bin/python bench/segment.py [--seconds 60] [--davis-seconds 30] [--no-gt-run] [--quick]
                                                   [--write]

``--write`` replaces the segment section of BENCHMARKS.md. Data credits: UCY Crowds-by-Example (Lerner,
Chrysanthou, Lischinski), DAVIS 2016 (Perazzi et al., CC BY-NC 4.0).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from humanseg_core.jobs import run_job  # noqa: E402
from humanseg_core.metrics import f_boundary, jaccard, leakage  # noqa: E402
from humanseg_core.osvos.segment import segment_job  # noqa: E402
from humanseg_core.osvos.config import TrainConfig  # noqa: E402
from humanseg_core.osvos.train import train_job  # noqa: E402
from humanseg_core.inputs.scene import load_scene  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SCENE = DATA / "scenes" / "zara01"
DAVIS = DATA / "davis"
TARGETS = {"ms": 20.0, "J": 0.85, "leak": 0.03, "train_s": 60.0}
# (name, model, guidance, uses the other persons' track points, GrabCut label refinement)
CONFIGS = [("osvos-lite + guidance (default: GrabCut labels, others)", "osvos-lite", True, True, True),
           ("osvos-lite + guidance, raw labels, no others", "osvos-lite", True, False, False),
           ("osvos-lite, full frame, raw labels", "osvos-lite", False, False, False),
           ("osvos-vgg16, full frame, raw labels (baseline)", "osvos-vgg16", False, False, False)]
# exact labels need no cleaning (GrabCut on exact GT masks lowers them to J 0.81-0.93), so no refinement
UPPER = ("osvos-lite + guidance + others, exact GT labels, no GrabCut (upper bound)", "osvos-lite", True, True,
         False)
QUICK = {CONFIGS[0][0], CONFIGS[1][0], CONFIGS[3][0]}
NOTES = [
    "What the levers did (same data, about 900 training steps each, J on the held-out frames; see the table for the "
    "60 s runs):",
    "- GrabCut label cleaning before training (`osvos/label_refine.py`, default; other persons' body cores "
    "as sure background): label J 0.666 -> 0.736 (pid 62), 0.725 -> 0.832 (58), 0.566 -> 0.604 (61); "
    "network J 0.644 -> 0.680 (62), 0.709 -> 0.785 (58). On exact GT masks it lowers them (J 0.81-0.93 "
    "against themselves), so hand-corrected masks should be trained with `--no-label-refine`.",
    "- Other persons' track points (`others_px`, `osvos/others.py`): removing predicted pixels in a nearer "
    "person's body core, and ignoring label pixels there in training: J within +-0.015, leakage -0.1 to "
    "-3 points (61: 24.4 % -> 21.6 %). The BGS proposals already split blobs with the same body prior, so "
    "what is left of their errors lies where the geometry cannot tell two overlapping persons apart.",
    "- Ignoring a 1 px band along each label's edge: no gain (62: 0.646 -> 0.641, 58: 0.709 -> 0.700); off.",
]
MARK_A, MARK_B = "<!-- bench/segment.py:start -->", "<!-- bench/segment.py:end -->"


def pick_persons(n: int = 3) -> list[tuple[int, float]]:
    """(pid, mean occluded share) of n persons with >= 150 GT frames: least, median, most occluded."""
    occ: dict[int, list[float]] = {}
    with open(SCENE / "visibility.csv") as fh:
        for row in csv.DictReader(fh):
            full = float(row["full_area"])
            if full > 0:
                occ.setdefault(int(row["pid"]), []).append(1 - float(row["visible_area"]) / full)
    cands = sorted((float(np.mean(v)), pid) for pid, v in occ.items() if len(v) >= 150)
    idx = np.linspace(0, len(cands) - 1, n).round().astype(int)
    return [(cands[i][1], cands[i][0]) for i in idx]


def load_gt_index():
    import json

    names = json.loads((SCENE / "gt_index" / "pids.json").read_text())
    label_of = {int(v): int(k) for k, v in names.items() if v != "background"}

    def others(frame: int, pid: int) -> np.ndarray:
        from PIL import Image  # palette PNG: OpenCV would expand it to colours

        lab = np.array(Image.open(SCENE / "gt_index" / f"{frame:05d}.png"))
        return (lab > 0) & (lab != label_of[pid])
    return others


def accepted_from_bgs(scene, pids):
    from humanseg_core.proposals.generate import generate_proposals

    t0 = time.perf_counter()
    proposals, _ = run_job(generate_proposals(scene, pids, method="bgs"))
    masks = {pid: {} for pid in pids}
    for p in proposals:
        masks[p.pid][p.frame] = p.mask
    return masks, "BGS proposals (median background, no review)", time.perf_counter() - t0


def score(out, gt, frames, others=None) -> dict:
    js, fs, ls = [], [], []
    for f in frames:
        pred = out.get(f, np.zeros_like(gt[f]))
        js.append(jaccard(pred, gt[f]))
        fs.append(f_boundary(pred, gt[f]))
        if others is not None:
            ls.append(leakage(pred, [others(f)]))
    r = {"J": float(np.mean(js)), "F": float(np.mean(fs)), "n": len(frames)}
    if others is not None:
        r["leak"] = float(np.mean(ls))
    return r


def run_config(reader, track, masks, model, guidance, seconds, eval_frames, gt, others=None, others_px=None,
               refine: bool = True):
    config = TrainConfig(model=model, seconds=seconds, guidance=guidance, allow_download=False,
                         refine_labels=refine)
    res = run_job(train_job(reader, track, masks, config, others_px=others_px))
    out = run_job(segment_job(res, reader, track, eval_frames, others_px=others_px))
    r = score(out, gt, eval_frames, others)
    r.update(train_s=res.seconds, steps=res.steps, ms=1000 * out.seconds / max(1, len(eval_frames)))
    return r


def zara(seconds: float, with_gt: bool = True, quick: bool = False) -> tuple[list[str], str, str]:
    scene = load_scene(SCENE / "frames", SCENE / "trajectories.txt", SCENE / "H.txt")
    persons = pick_persons()
    pids = [p for p, _ in persons]
    accepted, label_source, bgs_s = accepted_from_bgs(scene, pids)
    others = load_gt_index()
    rows = []
    baseline_of_first = None
    for i, (pid, occ) in enumerate(persons):
        gt = {int(p.stem): cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 127
              for p in sorted((SCENE / "gt" / str(pid)).glob("*.png"))}
        masks = accepted[pid]
        label_j = np.mean([jaccard(m, gt[f]) if f in gt else 0.0 for f, m in masks.items()]) if masks else 0
        eval_frames = [f for f in sorted(gt) if f not in masks][::5]
        track = lambda f, pid=pid: scene.position_px(pid, f)  # noqa: E731
        base = None
        results = []
        configs = CONFIGS + ([UPPER] if with_gt else [])
        if quick:  # the guided rows for everybody, the baseline for the first person only
            configs = [c for c in configs if c[0] in QUICK and (i == 0 or "baseline" not in c[0])]
        for name, model, guid, use_others, refine in configs:
            labels = {f: gt[f] for f in masks if f in gt} if "exact GT" in name else masks
            others_px = (lambda f, pid=pid: [uv for q, uv in scene.persons_at(f).items() if q != pid]) \
                if use_others else None
            r = run_config(scene.frames.read, track, labels, model, guid, seconds, eval_frames, gt,
                           lambda f, pid=pid: others(f, pid), others_px, refine)
            results.append((name, r))
            print(f"  pid {pid} {name}: {r}", flush=True)
            if model == "osvos-vgg16":
                base = r
        base = base or baseline_of_first
        baseline_of_first = base
        for name, r in results:
            ratio = (f"J x{r['J'] / base['J']:.1f}" if base["J"] > 0.01 else "J base ~0") + \
                f", {base['ms'] / r['ms']:.0f}x faster"
            rows.append(f"| {pid} | {occ:.0%} | {len(masks)} (J {label_j:.2f}) | {name} | {r['J']:.3f} | "
                        f"{r['F']:.3f} | {r['leak']:.1%} | {r['train_s']:.0f} ({r['steps']} steps) | "
                        f"{r['ms']:.1f} | {ratio} |")
    return rows, label_source, f"{bgs_s:.0f}"


def davis(seconds: float) -> list[str]:
    rows = []
    for seq in ("lucia", "stroller"):
        jpgs = sorted((DAVIS / "JPEGImages" / "480p" / seq).glob("*.jpg"))
        frames = {int(p.stem): p for p in jpgs}
        gt = {int(p.stem): cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 127
              for p in sorted((DAVIS / "Annotations" / "480p" / seq).glob("*.png"))}
        idx = sorted(gt)
        keys, pts = [], []
        for f in idx[::10] + ([idx[-1]] if idx[-1] % 10 else []):
            ys, xs = np.nonzero(gt[f])
            keys.append(f)
            pts.append(((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2))
        pts = np.array(pts)

        def track(f, keys=keys, pts=pts):
            if f < keys[0] or f > keys[-1]:
                return None
            return float(np.interp(f, keys, pts[:, 0])), float(np.interp(f, keys, pts[:, 1]))

        acc = [idx[i] for i in np.linspace(0, len(idx) - 1, 5).round().astype(int)]
        masks = {f: gt[f] for f in acc}
        rest = [f for f in idx if f not in masks]
        reader = lambda f, frames=frames: cv2.imread(str(frames[f]))  # noqa: E731
        r = run_config(reader, track, masks, "osvos-lite", True, seconds, rest, gt)
        print(f"  davis {seq}: {r}", flush=True)
        rows.append(f"| {seq} | 5 | {r['n']} | {r['J']:.3f} | {r['F']:.3f} | {r['train_s']:.0f} ({r['steps']} steps) "
                    f"| {r['ms']:.1f} |")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="training budget per run on zara01")
    ap.add_argument("--davis-seconds", type=float, default=30.0)
    ap.add_argument("--no-gt-run", action="store_true",
                    help="skip the upper-bound run trained on exact GT masks of the same frames")
    ap.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    ap.add_argument("--quick", action="store_true",
                    help="iteration mode: only the guided rows, the baseline for the first person, no DAVIS "
                         "(never with --write)")
    args = ap.parse_args(argv)
    if not SCENE.is_dir():
        print(f"skipped: {SCENE} is absent")
        return 0
    torch.set_num_threads(2)
    cv2.setNumThreads(2)
    t0 = time.perf_counter()
    if args.quick and args.write:
        ap.error("--quick runs are for iteration; --write needs the full run")
    zrows, label_source, bgs_s = zara(args.seconds, not args.no_gt_run and not args.quick, args.quick)
    drows = ["| (skipped: --quick) | | | | | | |"] if args.quick else \
        davis(args.davis_seconds) if DAVIS.is_dir() else ["| (DAVIS absent) | | | | | | |"]
    total = time.perf_counter() - t0
    load = os.getloadavg()[0]
    text = "\n".join([
        "## Segmentation (bench/segment.py)", "",
        f"Machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"torch.set_num_threads(2), load average at the end {load:.1f} (other jobs shared the 2 cores, "
        f"so times are upper bounds). All networks from scratch (no ImageNet weights offline). "
        f"Whole run {total / 60:.1f} min.", "",
        f"### zara01 (composite, exact GT): accepted masks = {label_source}, made in {bgs_s} s",
        f"Each configuration: {args.seconds:.0f} s of training, then every 5th held-out frame. "
        "Occluded = mean hidden share of the person (visibility.csv). Label J = mean IoU of the accepted "
        "masks vs GT. Ratios against the vgg16 baseline of the same person.", "",
        *NOTES, "",
        "| pid | occluded | accepted (label J) | configuration | J | F | leakage | training s | ms/frame | vs baseline |",
        "|---|---|---|---|---|---|---|---|---|---|", *zrows,
        f"| target | | | osvos-lite + guidance | >= {TARGETS['J']} | | <= {TARGETS['leak']:.0%} | "
        f"<= {TARGETS['train_s']:.0f} | <= {TARGETS['ms']:.0f} | |", "",
        f"### DAVIS 2016 (real video): 5 GT frames accepted, osvos-lite + guidance, {args.davis_seconds:.0f} s",
        "", "| sequence | accepted | evaluated | J | F | training s | ms/frame |", "|---|---|---|---|---|---|---|",
        *drows, "",
    ])
    print("\n" + text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        old = path.read_text() if path.exists() else "# Benchmarks\n"
        block = f"{MARK_A}\n{text}{MARK_B}\n"
        if MARK_A in old and MARK_B in old:
            new = old[: old.index(MARK_A)] + block + old[old.index(MARK_B) + len(MARK_B) + 1:]
        else:
            new = old.rstrip("\n") + "\n\n" + block
        path.write_text(new)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
