"""``humanseg demo``: write the built-in synthetic demo scene (frames, trajectories, homography, GT masks)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import HumansegError
from ..jobs import run_job
from .common import ThrottledProgress, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help="write the synthetic demo scene",
        description="Write the built-in synthetic demo scene (deterministic by seed, no downloads): "
                    "frames/%05d.jpg, trajectories.txt, H.txt, gt/<pid>/%05d.png, background.png.")
    p.add_argument("--out", required=True, help="output folder (created atomically)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--frames", type=int, default=200, help="number of frames (default 200, 25 fps)")
    p.add_argument("--force", action="store_true", help="replace the output folder when it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import write_demo_job

    if args.frames < 1:
        raise HumansegError(f"--frames: need at least 1 frame, got {args.frames}")
    out = run_job(write_demo_job(args.out, seed=args.seed, n_frames=args.frames, overwrite=args.force),
                  ThrottledProgress())
    meta = json.loads((out / "meta.json").read_text())
    print_json({"out": str(Path(out).absolute()),  # absolute, as the other commands give it (a walk)
                "frames": meta["counts"]["frames"], "persons": meta["counts"]["persons"],
                "gt_masks": meta["counts"]["gt_masks"], "seed": args.seed})
    return 0
