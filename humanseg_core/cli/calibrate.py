"""``humanseg calibrate``: estimate a homography from the video when none was given (:mod:`..inputs.calibrate`)
and write it as a pixel -> world ``H.txt`` to pass as ``--homography``."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from ..errors import HumansegError
from ..jobs import run_job
from .common import add_skip_bad_lines, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate", help="estimate a homography from the video (when the scene has none)",
        description="Match the trajectories' world positions to the people moving in the video and write the "
                    "fitted pixel -> world homography to --out (pass it as --homography). Approximate; it needs "
                    "people who walk apart on some frames, and refuses (exit 2) when too few positions match. "
                    "The track point may come out on the head, the feet or the centre of the body: propose "
                    "estimates that with its --anchor auto.")
    p.add_argument("--video", required=True, help="video file or folder of frames")
    p.add_argument("--trajectories", required=True, help="trajectory file (4-column or ETH obsmat)")
    p.add_argument("--format", "--traj-format", dest="traj_format", choices=["auto", "trajnet", "obsmat"],
                   default="auto")
    p.add_argument("--frame-offset", type=int, default=0, help="video frame = offset + step * annotation frame")
    p.add_argument("--frame-step", type=int, default=1)
    add_skip_bad_lines(p)
    p.add_argument("--out", required=True, help="homography file to write (pixel u,v -> world metres)")
    p.add_argument("--force", action="store_true", help="replace --out when it exists")
    p.add_argument("--min-share", type=float, default=None, metavar="SHARE",
                   help="accept a fit that matches at least this share of the positions in view (default 0.30: the "
                        "held-out scenes that calibrated well matched 36-47 %%, wrong fits 8-26 %%); lower only "
                        "to look at the result, and check the points on the video before using it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..inputs.calibrate import CalibrateConfig, WeakCalibration, calibrate_job, save_homography, unmatched_text
    from ..inputs.scene import load_scene

    out = Path(args.out)
    if out.is_dir():
        raise HumansegError(f"{out}: is a folder; --out names the homography file to write")
    if out.exists():
        _replaceable(out, args)
    from ..export.atomic import ExportError, probe

    try:  # before the fit, not after it (a walk: --out /proc/x/H.txt fitted, then failed)
        probe(out.absolute().parent)
    except ExportError as exc:
        raise HumansegError(str(exc).replace("export folder", "place for --out")) from None
    config = CalibrateConfig()
    if args.min_share is not None:
        if not 0 < args.min_share <= 1:
            raise HumansegError(f"--min-share must be in (0, 1], got {args.min_share}")
        config = dataclasses.replace(config, min_share=args.min_share)
    t0 = time.monotonic()
    scene = load_scene(video=args.video, trajectories=args.trajectories, homography=None, fmt=args.traj_format,
                       frame_offset=args.frame_offset, frame_step=args.frame_step,
                       skip_bad_lines=bool(getattr(args, "skip_bad_lines", False)))
    from .run import StageProgress

    try:
        found = run_job(calibrate_job(scene, config), StageProgress(every_s=2.0))  # not a line per sample
    except WeakCalibration as exc:
        if args.min_share is not None:
            raise
        raise WeakCalibration(exc.path, f"{exc.problem}; --min-share accepts a weaker match, to look at "
                                        "(check the points on the video before using it)") from None
    finally:
        scene.close()
    save_homography(out, found, args.video)
    print(f"humanseg: wrote {out}: pass it as --homography (approximate; track points on the {found.anchor})",
          file=sys.stderr)
    if found.unmatched:
        print(f"humanseg: note: {unmatched_text(found)}", file=sys.stderr)
    print_json({"homography": str(out.absolute()), "anchor": found.anchor, "pairs": found.pairs,
                "positions": found.positions, "residual_px": round(found.residual_px, 2), "frames": found.frames,
                "unmatched": list(found.unmatched), "seconds": round(time.monotonic() - t0, 2)})
    return 0



def _replaceable(out: Path, args: argparse.Namespace) -> None:
    """HumansegError unless the existing ``out`` may be replaced: with --force, a homography file that is neither
    input (a data-safety review's --force wrote over the trajectory file, a frame of the video, a project's
    database)."""
    for name in ("video", "trajectories"):
        if out.resolve() == Path(getattr(args, name)).resolve():
            raise HumansegError(f"{out}: is the --{name} input; --out names a new homography file (nothing was "
                                "written)")
    if not args.force:
        raise HumansegError(f"{out}: exists; give --force to replace it (nothing was written)")
    from ..errors import HomographyError
    from ..inputs.homography import load_homography

    try:
        load_homography(out)
    except (HomographyError, OSError, ValueError):
        raise HumansegError(f"{out}: is not a homography file; --force replaces only a homography (nothing was "
                            "written)") from None
