"""``humanseg status``: where a project stands, person by person (proposals by status, labels, trained networks,
result frames), what it was made from, which parent network it uses, and the next step with its command. Reads
only: the studio may hold the project open meanwhile."""

from __future__ import annotations

import argparse
import sys

from ..wording import plural
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
    from ..workflows.project_status import project_status

    with Project.open(args.project, reading=True, tidy=False) as project:
        pids = None
        if args.pids.strip().lower() != "all":
            known = sorted(set(project.pids()) | {int(s.pid) for s in project.skips()}
                           | set(project.result_frames()) | set(project.network_counts()))
            pids = parse_pids(args.pids, known, where="the project")
        summary = project_status(project, pids)
    for line in table(summary):
        print(line, file=sys.stderr)
    print_json(summary.as_json())
    return 0


def table(s) -> list[str]:
    """The summary for a reader: a head, one row a person, the next steps."""
    lines = [f"project {s.folder}" + (" (read-only)" if s.read_only else "")]
    missing = dict(s.missing)
    for key in ("video", "trajectories", "homography"):
        value = s.inputs.get(key)
        if key == "homography" and not value:
            value = "none"
        note = " (NOT FOUND there)" if key in missing else ""
        note += " (estimated from the video)" if key == "homography" and s.homography_estimated else ""
        lines.append(f"  {key:<13}{value}{note}")
    lines.append(f"  {'parent':<13}{s.parent}")
    if s.parent_warning:
        lines.append(f"  warning: {s.parent_warning}")
    for warning in s.warnings:
        lines.append(f"  warning: {warning}")
    counted = ", ".join(f"{n} {status}" for status, n in s.totals.items())
    lines.append(f"{plural(len(s.persons), 'person')}; proposals: {counted}"
                 + (f"; skipped: {s.skip_reasons}" if s.skip_reasons else ""))
    if s.persons:
        lines.append(f"  {'pid':>6} {'pending':>7} {'accepted':>8} {'rejected':>8} {'edited':>6} {'labels':>8} "
                     f"{'networks':>8} {'results':>7} {'agree':>5}  next")
        for p in s.persons:
            agree = f"{p.agreement:.2f}" if p.agreement is not None else "—"
            labels = f"{p.labels}" + (f" ({p.trained_on})" if p.trained_on else "")
            c = p.proposals
            lines.append(f"  {p.pid:>6} {c['pending']:>7} {c['accepted']:>8} {c['rejected']:>8} {c['edited']:>6} "
                         f"{labels:>8} {p.networks:>8} {p.result_frames:>7} {agree:>5}  {p.next_step()}")
        if any(p.trained_on for p in s.persons):
            lines.append("  (n): the labels a whole-scene run took unreviewed (Accept all or score>=x)")
    if s.last_export:
        e = s.last_export
        kind = f"{e['format']} format" if e.get("format") else "a run's <pid>/%05d.png folders"
        lines.append(f"last export: {e.get('out')} ({kind}, {e.get('source') or 'results'})")
    lines += [f"next: {line}" for line in s.next_steps()]
    return lines
