"""``humanseg decide``: accept or reject all pending proposals of one person (one committed step)."""

from __future__ import annotations

import argparse

from ..errors import HumansegError
from .common import print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "decide", help="accept or reject all pending proposals of a person",
        description="Set every *pending* proposal of one person to accepted or rejected; decisions already "
                    "made (accepted, rejected, edited) are kept.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=int, help="person id")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--accept-all", action="store_true", help="accept every pending proposal")
    what.add_argument("--reject-all", action="store_true", help="reject every pending proposal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..project import Project

    status = "accepted" if args.accept_all else "rejected"
    from .common import note_studio_holder

    note_studio_holder(args.project)
    with Project.open(args.project) as project:
        if args.pid not in project.pids():
            from ..wording import id_list

            raise HumansegError(f"{args.project}: no proposals for person {args.pid} "
                                f"(persons with proposals: {id_list(project.pids()) or 'none'})")
        pending = [p.id for p in project.proposals(args.pid, status="pending", with_masks=False) if p.id is not None]
        changed = project.set_statuses(pending, status)
        counts = project.counts(args.pid)
    print_json({"changed": changed, "pid": args.pid, "status": status, "counts": counts})
    return 0
