"""Where a proposal method's wrong pixels lie: missing (FN) or extra (FP), at the edge or far, feet or body.

For every visible annotated (frame, person) pair of the shared scenes (and ``--demo``), against the exact
GT visible mask: FN and FP pixels per GT pixel; the share of each within 1.5 and 2.5 px of the GT edge
(FP: distance outside the GT mask; FN: depth inside it); the share of FP pixels on another person's GT;
the share in the feet band (the lowest 0.16 of the GT box, and below it; foot shadows). Then the median
IoU if one kind of error were removed (an oracle: what fixing it could gain at most), and a one-pixel
erosion / dilation of every mask (a uniform offset of the edge).

    PYTHONPATH=. .venv/bin/python bench/proposal_errors.py [--method bgs+parent] [--scenes ...] [--demo] [--before]

``--before``: without the edge and mirror levers of ADR 0006 "Boundary" (the diagnosis that led to them).

Data credits as in bench/proposals.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proposals import SCENES, load_gt, run_method  # noqa: E402
from scenes import resolve as resolve_scene  # noqa: E402

from humanseg_core.inputs.scene import load_scene  # noqa: E402
from humanseg_core.proposals.boundary import BoundaryConfig  # noqa: E402
from humanseg_core.proposals.joint import JointConfig  # noqa: E402
from humanseg_core.proposals.methods import DEFAULT_METHOD  # noqa: E402
from humanseg_core.proposals.parent_masks import ParentConfig, load_parent_or_none  # noqa: E402

CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def _iou(m: np.ndarray, g: np.ndarray) -> float:
    return float((m & g).sum()) / max(1.0, float((m | g).sum()))


def breakdown(proposals, gt: dict) -> dict:
    """Pixel sums and oracle IoU lists over the proposals that have a GT mask."""
    by_frame: dict = {}
    for (f, q), m in gt.items():
        by_frame.setdefault(f, []).append((q, m))
    keys = ("gt", "fn", "fp", "fn1", "fn2", "fp1", "fp2", "fp_other", "fp_feet", "fn_feet")
    s = dict.fromkeys(keys, 0.0)
    oracle: dict = {k: [] for k in ("as is", "edge (2.5 px) right", "no far FP", "no far FN", "no FP", "no FN",
                                    "feet band right", "no FP on others", "eroded 1 px", "dilated 1 px")}
    for p in proposals:
        g = gt.get((p.frame, p.pid))
        if g is None or not g.any():
            continue
        m = p.mask
        fn, fp = g & ~m, m & ~g
        dout = cv2.distanceTransform((~g).astype(np.uint8), cv2.DIST_L2, 3)
        din = cv2.distanceTransform(g.astype(np.uint8), cv2.DIST_L2, 3)
        ys = np.nonzero(g.any(axis=1))[0]
        top, bottom = int(ys.min()), int(ys.max())
        rows = np.arange(g.shape[0])[:, None]
        feet = rows >= bottom - 0.16 * (bottom - top + 1)
        other = np.zeros_like(g)
        for q, mm in by_frame.get(p.frame, []):
            if q != p.pid:
                other |= mm
        fp2, fn2 = fp & (dout <= 2.5), fn & (din <= 2.5)
        for k, v in (("gt", g), ("fn", fn), ("fp", fp), ("fn1", fn & (din <= 1.5)), ("fn2", fn2),
                     ("fp1", fp & (dout <= 1.5)), ("fp2", fp2), ("fp_other", fp & other), ("fp_feet", fp & feet),
                     ("fn_feet", fn & feet)):
            s[k] += float(v.sum())
        u8 = m.astype(np.uint8)
        for k, mm in (("as is", m), ("edge (2.5 px) right", (m & ~fp2) | fn2), ("no far FP", m & ~(fp & ~fp2)),
                      ("no far FN", m | (fn & ~fn2)), ("no FP", m & g), ("no FN", m | g),
                      ("feet band right", (m & ~(fp & feet)) | (fn & feet)), ("no FP on others", m & ~(fp & other)),
                      ("eroded 1 px", cv2.erode(u8, CROSS) > 0), ("dilated 1 px", cv2.dilate(u8, CROSS) > 0)):
            oracle[k].append(_iou(mm, g))
    return {"sums": s, "oracle": oracle}


def report(name: str, b: dict) -> list[str]:
    s, o = b["sums"], b["oracle"]
    n, fn, fp = max(1.0, s["gt"]), max(1.0, s["fn"]), max(1.0, s["fp"])
    return [f"| {name} | {len(o['as is'])} | {s['fn'] / n:.3f} | {s['fp'] / n:.3f} | {s['fn1'] / fn:.0%} / "
            f"{s['fn2'] / fn:.0%} | {s['fp1'] / fp:.0%} / {s['fp2'] / fp:.0%} | {s['fp_other'] / fp:.0%} | "
            f"{s['fp_feet'] / fp:.0%} / {s['fn_feet'] / fn:.0%} | "
            + " | ".join(f"{np.median(v):.3f}" for v in o.values()) + " |"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", default=DEFAULT_METHOD)
    ap.add_argument("--scenes", default=",".join(SCENES))
    ap.add_argument("--demo", action="store_true", help="also the synthetic demo scene")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--before", action="store_true",
                    help="edges by threshold and no mirror mean (before ADR 0006 'Boundary')")
    args = ap.parse_args(argv)
    cv2.setNumThreads(args.threads)
    parent, problem = load_parent_or_none(None)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(args.threads)
    if parent is None and args.method != "bgs-owned":
        print(f"note: {problem}; the job falls back to bgs-owned")
    dirs = [resolve_scene(s) for s in args.scenes.split(",") if s]
    config = JointConfig(boundary=BoundaryConfig(enabled=False), parent=ParentConfig(flip=False)) \
        if args.before else None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.demo:
            from humanseg_core.demo import write_demo
            dirs.append(write_demo(Path(tmp) / "demo"))
        for d in dirs:
            if not (d / "frames").is_dir():
                rows.append(f"| {d.name} | skipped: {d} is absent |")
                continue
            scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
            pids = list(scene.pids)
            proposals, _skips, _fps = run_method(scene, pids, args.method, None, parent, config)
            scene.close()
            rows += report(d.name, breakdown(proposals, load_gt(d, pids)))
            print(rows[-1], file=sys.stderr, flush=True)
    before = " (--before)" if args.before else ""
    print(f"\nmethod {args.method}{before}; FN, FP per GT pixel; edge shares within 1.5 / 2.5 px; median IoU "
          "as is and with "
          "one kind of error removed (oracles), and with every mask eroded / dilated by one pixel\n")
    print("| scene | pairs | FN | FP | FN at edge | FP at edge | FP on another person | FP / FN in feet band | "
          "as is | edge right | no far FP | no far FN | no FP | no FN | feet band right | no FP on others | "
          "eroded 1 px | dilated 1 px |")
    print("|" + "---|" * 18)
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
