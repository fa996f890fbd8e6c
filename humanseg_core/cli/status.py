"""``humanseg status``: where a project stands, person by person (proposals by status, labels, trained networks,
result frames), what it was made from, which parent network it uses, and the next step with its command. Reads
only: the studio may hold the project open meanwhile."""

from __future__ import annotations

import argparse
import sys

from .common import parse_pids, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "status", help="where a project stands: each person's proposals, labels, networks and results",
        description="Say where a project stands and change nothing: its inputs (and those no longer where it left "
                    "them), the parent network its steps load, the proposals by status, and for each person the "
                    "proposals, labels (frames with an accepted or edited mask), trained networks, segmented "
                    "frames and the next step, with the command that takes it. The table goes to stderr, the "
                    "last stdout line is JSON.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pids", default="all", help="persons to list: all (default) or a comma list, e.g. 3,7")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..workflows.project_status import project_status, summary_lines

    with Project.open(args.project, reading=True, tidy=False, update=False) as project:
        pids = None
        if args.pids.strip().lower() != "all":
            known = sorted(set(project.pids()) | {int(s.pid) for s in project.skips()}
                           | set(project.result_frames()) | set(project.network_counts()))
            pids = parse_pids(args.pids, known, where="the project")
        summary = project_status(project, pids)
    for line in summary_lines(summary):
        print(line, file=sys.stderr)
    print_json(summary.as_json())
    return 0
