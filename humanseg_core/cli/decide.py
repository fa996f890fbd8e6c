"""``humanseg decide``: accept or reject the pending proposals of one person (one committed step), all of
them or those of chosen frames, or those scored below a value."""

from __future__ import annotations

import argparse

from ..errors import HumansegError
from .common import print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "decide", help="accept or reject the pending proposals of a person (all, or chosen frames)",
        description="Set the *pending* proposals of one person to accepted or rejected: all of them, or only "
                    "those on --frames, or only those scored below --score-below; decisions already made "
                    "(accepted, rejected, edited) are kept. E.g. reject two bad frames, then accept the rest: "
                    "--reject-all --frames 3330,3340, then --accept-all.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=int, help="person id")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--accept-all", action="store_true", help="accept the pending proposals (all, or as chosen)")
    what.add_argument("--reject-all", action="store_true", help="reject the pending proposals (all, or as chosen)")
    p.add_argument("--frames", default=None,
                   help="only these frames: a comma list with ranges, e.g. 3200,3250-3300 (default: every frame)")
    p.add_argument("--score-below", type=float, default=None,
                   help="only proposals scored below this (0-1; the score `humanseg masks` and the studio show)")
    p.set_defaults(func=run)


def parse_frames(text: str) -> set[int]:
    """{frame} from "3200,3250-3300" (ranges inclusive); a clear error naming the bad part."""
    frames: set[int] = set()
    for part in (t.strip() for t in text.split(",")):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise HumansegError(f"--frames: {part!r} is not a frame number or a range like 3250-3300") from None
        if b < a:
            raise HumansegError(f"--frames: the range {part!r} ends before it starts")
        frames.update(range(a, b + 1))
    if not frames:
        raise HumansegError("--frames: no frame given")
    return frames


def run(args: argparse.Namespace) -> int:
    from ..project import Project

    status = "accepted" if args.accept_all else "rejected"
    frames = parse_frames(args.frames) if args.frames is not None else None
    from .common import note_studio_holder

    note_studio_holder(args.project)
    with Project.open(args.project) as project:
        if args.pid not in project.pids():
            from ..wording import id_list

            raise HumansegError(f"{args.project}: no proposals for person {args.pid} "
                                f"(persons with proposals: {id_list(project.pids()) or 'none'})")
        pending = project.proposals(args.pid, status="pending", with_masks=False)
        chosen = [int(p.id) for p in pending if p.id is not None and (frames is None or p.frame in frames)
                  and (args.score_below is None or p.score < args.score_below)]
        changed = project.set_statuses(chosen, status)
        counts = project.counts(args.pid)
    print_json({"changed": changed, "pid": args.pid, "status": status, "counts": counts})
    return 0
