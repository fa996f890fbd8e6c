"""``humanseg masks``: one person's masks as ``%05d.png`` (0/255, full frame, named by frame index)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import HumansegError
from ..jobs import run_job
from .common import pid_arg, print_json

# with --status any, the proposal kept on a frame that has several (one per source)
_RANK = {"edited": 0, "accepted": 1, "pending": 2, "rejected": 3}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "masks", help="write one person's masks as PNG files",
        description="Write one person's masks to a folder as %05d.png (single channel, 0/255, full frame, "
                    "named by frame index). The folder appears complete or not at all.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=pid_arg, help="person id")
    p.add_argument("--status", choices=["any", "accepted"], default="accepted",
                   help="accepted (the default): accepted and edited proposals; any: every proposal, whatever "
                        "its status")
    p.add_argument("--source", choices=["proposals", "results"], default="proposals",
                   help="proposals (the default) or segmentation results (the newest run with results that "
                        "finished, or --run)")
    p.add_argument("--run", type=int, default=None, metavar="RUN_ID",
                   help="with --source results: the training run whose results to write (default: the newest "
                        "run of the person with results that finished)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--force", action="store_true", help="replace the output folder when it is not empty")
    p.set_defaults(func=run)


def select_masks(project, pid: int, status: str, source: str, run_id: int | None = None) -> dict:
    """{frame: mask} of one person by status and source (results: run ``run_id``'s, default the newest)."""
    if source == "results":
        return project.results(pid, run_id)
    if status == "accepted":
        return project.accepted_masks(pid)
    best: dict = {}
    for p in project.proposals(pid):
        key = (_RANK[p.status], -p.score, p.id)
        if p.frame not in best or key < best[p.frame][0]:
            best[p.frame] = (key, p.mask)
    return {frame: mask for frame, (_, mask) in best.items()}


def run(args: argparse.Namespace) -> int:
    from ..export.atomic import atomic_folder
    from ..export.davis import write_mask_pngs
    from ..export.runs import (
        check_runs,
        finish_hint,
        newer_network_text,
        newer_networks,
        stopped_exported,
        stopped_text,
    )
    from ..export.skipped import proposal_gaps, segmentation_gaps, skipped_lines
    from ..project import Project

    if args.run is not None and args.source != "results":
        raise HumansegError(f"--run {args.run}: a run's masks are its segmentation results: add --source results")
    with Project.open(args.project, reading=True, update=False) as project:
        runs = check_runs(project, [args.pid], None if args.run is None else {args.pid: args.run})
        masks = select_masks(project, args.pid, args.status, args.source, runs.get(args.pid))
        known = set(project.pids()) | {int(r["pid"]) for r in project.runs() if r.get("pid") is not None}
        if not masks and args.pid not in known:
            from ..wording import id_list

            raise HumansegError(f"{args.project}: person {args.pid} has no proposals, results or training runs in "
                                f"this project (persons that have: {id_list(known) or 'none'})")
        if not masks:
            what = "segmentation results" if args.source == "results" else \
                ("accepted or edited proposals" if args.status == "accepted" else "proposals")
            hint = ""
            if args.source != "results" and project.used_run(args.pid) is not None:  # (a walk after `run`: no word)
                hint = "; it has segmentation results: write those with --source results"
            elif args.status == "accepted" and any(project.proposals(args.pid, status="pending", with_masks=False)):
                hint = "; its proposals wait for review (--status any writes them as proposed)"
            raise HumansegError(f"{args.project}: no {what} for person {args.pid}; nothing written to {args.out}{hint}")
        with atomic_folder(args.out, force=args.force, protect=[project.folder]) as tmp:
            from .run import StageProgress

            n = run_job(write_mask_pngs(tmp, masks), StageProgress(every_s=2.0))  # not a line a mask (a walk: 250)
        run = runs.get(args.pid, project.used_run(args.pid)) if args.source == "results" else None
        skipped = proposal_gaps(project, {args.pid: masks}) if args.source == "proposals" else \
            segmentation_gaps(project, {args.pid: masks}, runs)
        stopped = stopped_exported(project, {args.pid: run}) if run else {}
        newer = newer_networks(project, {args.pid: run}, runs) if run else {}  # (an audit: older results, unsaid)
    for pid, newer_run in newer.items():
        how = finish_hint(args.project, pid, newer_run).replace("segments the rest", "segments it")
        print(f"humanseg: warning: {newer_network_text(pid, newer_run, run, how)}", file=sys.stderr)
    for pid, note in stopped.items():
        how = finish_hint(args.project, pid, note["run"])
        print(f"humanseg: warning: {stopped_text(pid, note, how)}", file=sys.stderr)
    for line in skipped_lines(skipped, limit=20):
        print(f"humanseg: note: {line}", file=sys.stderr)
    frames = sorted(masks)
    print_json({"masks": n, "pid": args.pid, "first": frames[0], "last": frames[-1],
                "out": str(Path(args.out).absolute()), "skipped_frames": skipped, **({"run": run} if run else {}),
                **({"stopped_run": stopped[args.pid]} if stopped else {}),
                **({"newer_networks": newer} if newer else {})})
    return 0
