"""``humanseg export``: export chosen persons' masks as DAVIS, palette PNGs, COCO JSON or MOTS txt."""

from __future__ import annotations

import argparse
import sys

from ..errors import HumansegError
from ..jobs import run_job
from .common import parse_pids, print_json, stderr_progress


def register(subparsers) -> None:
    from ..export import FORMATS, SOURCES

    p = subparsers.add_parser(
        "export", help="export masks (DAVIS, palette PNG, COCO, MOTS)",
        description="Export the masks of chosen persons. davis: JPEGImages/<H>p/<seq>/ + Annotations/<H>p/<seq>/ "
                    "per person; palette: one indexed PNG per frame + pids.json; coco: annotations.json with "
                    "RLE masks; mots: instances.txt. The output folder appears complete or not at all.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pids", default="all", help="'all' or a comma list of person ids, e.g. 3,7")
    p.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--force", action="store_true", help="replace the output folder when it is not empty")
    p.add_argument("--source", choices=SOURCES, default="accepted",
                   help="accepted: accepted and edited proposals; results: segmentation results; "
                        "any: accepted where there is one, else results")
    p.add_argument("--name", default=None, help="DAVIS sequence name (one person only; default person_<pid>)")
    p.add_argument("--images", action="store_true", help="coco: also write the frames to images/")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import export_job
    from ..export.skipped import skipped_lines
    from ..project import Project

    with Project.open(args.project) as project:
        known = set(project.pids()) | {r["pid"] for r in project.runs()}
        pids = parse_pids(args.pids, known)
        if not pids:
            raise HumansegError(f"{args.project}: the project has no persons with masks yet")
        names = None
        if args.name is not None:
            if len(pids) != 1:
                raise HumansegError("--name: give it with exactly one person in --pids")
            names = {pids[0]: args.name}
        summary = run_job(export_job(project, pids, args.fmt, args.out, force=args.force, source=args.source,
                                     names=names, with_images=args.images), stderr_progress)
    for line in skipped_lines(summary.get("skipped_frames") or [], limit=20):
        print(f"humanseg: note: {line}", file=sys.stderr)
    print_json(summary)
    return 0
