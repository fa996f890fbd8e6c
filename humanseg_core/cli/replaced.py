"""``humanseg replaced``: the segmentation masks a later segmentation replaced, kept in the project (ADR 0052), and
their restore.

Without ``--restore`` it lists the kept sets (of ``--pid``, or every person's); ``--restore K`` puts set K back as its
run's results (its masks, no result where it had none, and the run's metrics about them), keeping what it replaces as
a new set. The last stdout line is JSON: ``{"sets": [...]}``, or ``{"restored": {...}, "kept_set": K or null}``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from ..errors import HumansegError
from .common import note_studio_holder, pid_arg, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "replaced", help="list or restore segmentation masks a later segmentation replaced",
        description="Segmenting a person again with a run that has results replaces them on the frames segmented; "
                    "the project keeps the replaced masks, one set per segmentation. This lists the sets, or "
                    "puts one back (--restore): what it replaces is kept in turn.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", type=pid_arg, default=None, help="only this person's sets")
    p.add_argument("--restore", type=int, default=None, metavar="SET", help="put this set's masks back")
    p.set_defaults(func=run)


def _unknown_person(project, pid: int | None) -> None:
    if pid is not None and pid not in project.pids() and not project.runs(pid):
        from ..wording import id_list

        raise HumansegError(f"{project.path}: no person with id {pid} in this project (its persons: "
                            f"{id_list(project.pids())})")


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..workflows.at_work import at_work_text

    if args.restore is None:
        with Project.open(args.project, reading=True, update=False) as project:
            _unknown_person(project, args.pid)
            sets = project.replaced_sets(args.pid)
        for one in sets:
            print(one.text(), file=sys.stderr)
        if not sets:
            print("humanseg: no replaced masks are kept" + (f" for person {args.pid}" if args.pid is not None else "")
                  + " (a segmentation that replaces a run's results keeps them here)", file=sys.stderr)
        print_json({"sets": [asdict(s) for s in sets]})
        return 0
    with Project.open(args.project) as project:
        _unknown_person(project, args.pid)
        wanted = project.replaced_set(args.restore)  # (refused before the studio note: a re-walk read both)
        note_studio_holder(args.project)
        if args.pid is not None and wanted.pid != args.pid:
            raise HumansegError(f"{project.path}: set {args.restore} is person {wanted.pid}'s, not person "
                                f"{args.pid}'s (nothing was changed)")
        if busy := at_work_text(project, [wanted.pid], then=""):
            raise HumansegError(f"{busy}: restore once it has ended (nothing was changed)")
        restored, kept, metrics_back = project.restore_replaced(args.restore)
        used = project.used_run(restored.pid)
        if not metrics_back and kept:  # its counts and agreement measured again from the masks now stored (a re-walk)
            from ..jobs import run_job
            from ..workflows.segment_range import recount_job

            try:  # the restore is done whatever this finds (its inputs moved, the person gone from the file)
                run_job(recount_job(project, restored.pid, restored.run_id))
            except HumansegError as exc:
                print(f"humanseg: warning: restored, but its counts and agreement were not measured again: {exc}",
                      file=sys.stderr)
    print(f"humanseg: restored {restored.text()}" + (f"; what it replaced is kept as set {kept}" if kept else
                                                      ": it matched what was stored, nothing changed"), file=sys.stderr)
    if not metrics_back and kept:  # (a review: an older set's metrics had put a run completed since back to
        print(f"humanseg: note: run {restored.run_id} was written to since set {restored.set_id} was made: its "  # ...
              "masks are back, and its frame counts and agreement were measured again from them", file=sys.stderr)
        # ("cancelled"; a re-walk: the note's remedy, `segment`, replaced the masks just restored)
    if used is not None and used != restored.run_id:  # (a walk restored run 1 while Play and Export used run 3)
        print(f"humanseg: note: run {restored.run_id} is not the run Play and Export use for person {restored.pid} "
              f"(run {used}, the newest whole one); `export --run {restored.run_id}` and Play's Run box take it",
              file=sys.stderr)
    print_json({"restored": asdict(restored), "kept_set": kept, "metrics_back": metrics_back, "used_run": used})
    return 0
