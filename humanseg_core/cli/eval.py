"""``humanseg eval``: score a folder of predicted masks against ground truth (J, F, leakage)."""

from __future__ import annotations

import argparse
import sys

from ..metrics import DEFAULT_BOUND_TH
from .common import bound_arg, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval", help="score predicted masks against ground truth (J, F, leakage)",
        description="Score a folder of predicted masks (%05d.png, nonzero = person) against a ground-truth "
                    "folder. Frames are those of --gt; a frame missing from --pred counts as empty. "
                    "Per-frame scores go to stderr; the last stdout line is a JSON summary (lined_up false, and "
                    "exit status 1, when no predicted frame number is a ground-truth frame).")
    p.add_argument("--pred", required=True, help="folder of predicted masks")
    p.add_argument("--gt", required=True, help="folder of ground-truth masks of the same person")
    p.add_argument("--others", nargs="+", default=[], metavar="DIR",
                   help="ground-truth folders of the other persons (for leakage)")
    p.add_argument("--bound-th", type=bound_arg, default=DEFAULT_BOUND_TH,
                   help="boundary tolerance: fraction of the image diagonal, or pixels when >= 1 "
                        f"(default {DEFAULT_BOUND_TH}, as DAVIS), or 'person': 2 %% of each person's ground-truth "
                        "height (as the studio's Quality tab; DAVIS's is a third of a 75-px person's width, "
                        "so F nears 1 for any plausible mask)")
    p.add_argument("--frame-offset", type=int, default=0,
                   help="the prediction of ground-truth frame F is the mask of frame F + offset (a video file "
                        "numbers its frames from 0, a scene's ground truth keeps the trajectories' numbers: as "
                        "the project's --frame-offset)")
    p.add_argument("--only-predicted", action="store_true",
                   help="score only the frames that have a predicted mask (e.g. labels exported on the annotated "
                        "frames) instead of counting the others as empty")
    p.add_argument("--quiet", action="store_true", help="no per-frame table on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..checks import positive
    from ..metrics import evaluate_dirs

    if args.bound_th is not None:  # None: 'person'
        positive(args.bound_th, "--bound-th")
    res = evaluate_dirs(args.pred, args.gt, others=args.others, bound_th=args.bound_th,
                        frame_offset=args.frame_offset, only_predicted=args.only_predicted)
    lined_up = not (res["frames"] and res["missing_pred"] == res["frames"])
    if not args.quiet and lined_up:  # (not lined up: a table of zeros would bury the error, an own-data walk's 241
        # rows of "no prediction" under it; said last, after any table, where the eye lands)
        err = sys.stderr
        leak_col = bool(args.others)
        print(f"{'frame':>7} {'J':>6} {'F':>6}" + (f" {'leak':>6}" if leak_col else "") + "  note", file=err)
        for r in res["rows"]:
            line = f"{r['frame']:>7d} {r['J']:6.3f} {r['F']:6.3f}"
            if leak_col:
                line += f" {r['leakage']:6.3f}"
            if r["missing_pred"]:
                line += "  no prediction (counted empty)"
            print(line, file=err)
        leak = f" leakage {res['leakage']:.3f}" if res["leakage"] is not None else ""
        missing = f" ({res['missing_pred']} without a prediction, counted empty)" if res["missing_pred"] else ""
        print(f"{res['frames']} frames: J {res['J_mean']:.3f} F {res['F_mean']:.3f} "
              f"J-recall {res['J_recall']:.3f}{leak}{missing}", file=err, flush=True)
    if lined_up and res["frames"] and res["missing_pred"] * 2 > res["frames"]:  # most, not all (a walk: 199 of 200)
        print(f"humanseg: warning: {args.pred}: {res['missing_pred']} of the {res['frames']} frames of {args.gt} "
              "have no predicted mask and count as empty; check --frame-offset (a prediction of frame f is read "
              "from the file of frame f + offset), or score only the frames with one: --only-predicted (labels of "
              "the annotated frames)", file=sys.stderr)
    print_json({**{k: round(res[k], 4) if isinstance(res[k], float) else res[k]  # as eval-scene rounds them
                   for k in ("J_mean", "F_mean", "J_recall", "F_recall", "leakage", "frames", "missing_pred")},
                "lined_up": lined_up})
    if not lined_up:  # an error's exit status: a script must not record this J 0 (a walk's frame numbering); said
        hint = res["frames_apart"]  # after the JSON's zeros, where the eye lands (a re-walk)
        print(f"humanseg: error: {args.pred}: none of its masks' frame numbers is a frame of {args.gt}; "
              f"every frame was counted empty" + (f": {hint}" if hint else ""), file=sys.stderr, flush=True)
    return 0 if lined_up else 1
