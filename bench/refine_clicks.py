"""One Refine click at each default proposal's largest error, and what it does to the mask's IoU.

For every proposal of a scene (the default method) with its exact GT mask: the largest 8-connected piece of
missing pixels and of extra pixels; a positive click at the missing piece's pixel nearest its centroid when
that piece is the larger, else a negative click on the extra piece; then ``refine_mask`` with the body prior the
studio gives it (the person's track point and height, the other persons' points and their proposals as likely
background). Mean IoU before and after, by the kind of click, over every proposal with an error, and over those
whose error piece is at least ``--large`` x the person's height squared (what an analyst would click).

    PYTHONPATH=. .venv/bin/python bench/refine_clicks.py [--scenes davis_park,davis_audience] [--demo]

Data credits as in bench/proposals.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proposals import load_gt, run_method  # noqa: E402
from scenes import resolve as resolve_scene  # noqa: E402

from humanseg_core.inputs.scene import load_scene  # noqa: E402
from humanseg_core.proposals.methods import DEFAULT_METHOD  # noqa: E402
from humanseg_core.proposals.parent_masks import load_parent_or_none  # noqa: E402
from humanseg_core.proposals.refine import refine_mask, refine_prior  # noqa: E402


def _iou(m: np.ndarray, g: np.ndarray) -> float:
    return float((m & g).sum()) / max(1.0, float((m | g).sum()))


def _largest(err: np.ndarray) -> tuple[tuple[float, float] | None, int]:
    """The pixel of ``err``'s largest piece nearest its centroid, and the piece's area."""
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(err.astype(np.uint8), connectivity=8)
    if n <= 1:
        return None, 0
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    ys, xs = np.nonzero(labels == k)
    j = int(np.argmin((xs - centroids[k][0]) ** 2 + (ys - centroids[k][1]) ** 2))
    return (float(xs[j]), float(ys[j])), int(stats[k, cv2.CC_STAT_AREA])


def bench_scene(scene_dir: Path, parent, large: float) -> list[str]:
    scene = load_scene(scene_dir / "frames", scene_dir / "trajectories.txt", scene_dir / "H.txt")
    anchor = json.loads((scene_dir / "meta.json").read_text()).get("anchor", "feet")  # the composite's own
    anchor = "centre" if anchor == "center" else anchor
    pids = list(scene.pids)
    gt = load_gt(scene_dir, pids)
    proposals, _skips, _fps = run_method(scene, pids, DEFAULT_METHOD, None, parent, None)
    with (scene_dir / "visibility.csv").open(newline="") as fh:
        where = {(int(r["frame"]), int(r["pid"])): r for r in csv.DictReader(fh)}
    by_frame: dict[int, list] = {}
    for p in proposals:
        by_frame.setdefault(p.frame, []).append(p)
    rows: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for p in proposals:
        g = gt.get((p.frame, p.pid))
        r = where.get((p.frame, p.pid))
        if g is None or r is None:
            continue
        height = float(r["height_px"])
        point = (float(r["u"]), float(r["v"]))
        others = [(float(where[(p.frame, q.pid)]["u"]), float(where[(p.frame, q.pid)]["v"]))
                  for q in by_frame[p.frame] if q.pid != p.pid and (p.frame, q.pid) in where]
        likely = np.zeros_like(g)
        for q in by_frame[p.frame]:
            if q.pid != p.pid:
                likely |= q.mask
        prior = refine_prior(point, others, anchor, lambda _p, h=height: h, None, likely)
        missing, missing_area = _largest(g & ~p.mask)
        extra, extra_area = _largest(p.mask & ~g)
        if missing is None and extra is None:
            continue
        image = scene.frames.read(p.frame)
        positive = missing_area >= extra_area
        clicks = dict(positives=[missing]) if positive else dict(negatives=[extra])
        refined = refine_mask(image, p.mask, others=others, prior=prior, **clicks)
        key = ("positive" if positive else "negative", max(missing_area, extra_area) >= large * height * height)
        rows.setdefault(key, []).append((_iou(p.mask, g), _iou(refined, g)))
    scene.close()
    out = []
    for kind in ("positive", "negative"):
        every = rows.get((kind, False), []) + rows.get((kind, True), [])
        big = rows.get((kind, True), [])
        for name, chosen in (("every error", every), (f"error piece >= {large:g} h^2", big)):
            if not chosen:
                continue
            a = np.array(chosen)
            worse = int((a[:, 1] < a[:, 0] - 0.05).sum())
            out.append(f"| {scene_dir.name} | {kind} | {name} | {len(a)} | {a[:, 0].mean():.3f} | "
                       f"**{a[:, 1].mean():.3f}** | {worse} |")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", default="davis_park,davis_audience",
                    help="scene names (bench/scenes.py) or paths")
    ap.add_argument("--demo", action="store_true", help="also the synthetic demo scene")
    ap.add_argument("--large", type=float, default=0.03, help="an error piece an analyst would click: its area "
                    "at least this x the person's height squared")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    parent, problem = load_parent_or_none()
    if parent is None:
        print(f"no parent network: {problem}", file=sys.stderr)
        return 2
    rows = []
    for name in [s for s in args.scenes.split(",") if s]:
        rows += bench_scene(resolve_scene(name), parent, args.large)
        print("\n".join(rows[-4:]), file=sys.stderr, flush=True)
    if args.demo:
        from humanseg_core.demo import write_demo

        with tempfile.TemporaryDirectory() as tmp:
            rows += bench_scene(write_demo(Path(tmp) / "demo"), parent, args.large)
    print("| scene | click | proposals | n | mean IoU before | after one click | worse by > 0.05 |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
