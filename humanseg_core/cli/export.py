"""``humanseg export``: export chosen persons' masks as DAVIS, palette PNGs, COCO JSON or MOTS txt."""

from __future__ import annotations

import argparse
import sys

from ..errors import HumansegError
from ..jobs import run_job
from ..wording import shell_arg
from .common import add_mots_first_frame, parse_pids, print_json
from .run import StageProgress


def register(subparsers) -> None:
    from ..export import FORMATS, SOURCES

    p = subparsers.add_parser(
        "export", help="export masks (DAVIS, palette PNG, COCO, MOTS)",
        description="Export the masks of chosen persons. davis: JPEGImages/<H>p/<seq>/ + Annotations/<H>p/<seq>/ "
                    "per person; palette: one indexed PNG per frame + pids.json; coco: annotations.json with "
                    "RLE masks; mots: instances.txt. The output folder appears complete or not at all.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pids", default=None, help="'all' (the default) or a comma list of person ids, e.g. 3,7; "
                   "with --run and no --pids: the run's person")
    p.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--force", action="store_true", help="replace the output folder when it is not empty")
    p.add_argument("--source", choices=SOURCES, default=None,
                   help="accepted: accepted and edited proposals, the labels; results: segmentation results; "
                        "any: accepted where there is one, else results. Default, as the studio's Export Masks: "
                        "results when every chosen person has results, any when only some have or one has a "
                        "mask edited by hand, accepted when none has")
    runs = p.add_mutually_exclusive_group()
    runs.add_argument("--run", type=int, default=None, metavar="RUN_ID",
                      help="with --source results/any, one person: export the results of this training run "
                           "(default: the person's newest run with results that finished)")
    runs.add_argument("--runs", default=None, metavar="PID:RUN,...",
                      help="with --source results/any: the run whose results to export per person, e.g. 3:12,7:15 "
                           "(persons not listed: their newest run with results that finished)")
    p.add_argument("--name", default=None, help="DAVIS sequence name (one person only; default person_<pid>)")
    p.add_argument("--images", action="store_true", help="coco: also write the frames to images/")
    add_mots_first_frame(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export.skipped import skipped_lines
    from ..export.source_choice import default_source, default_source_text
    from ..project import Project
    from ..workflows.export_depth import export_job

    asked, args.source = args.source, args.source or "accepted"
    with Project.open(args.project, reading=True, update=False) as project:
        unrecorded = project.read_only_why if project.read_only else ""  # the export is not kept in it: said
        known = set(project.pids()) | {r["pid"] for r in project.runs()}
        if args.pids is None and args.run is not None:  # the run's person
            owner = next((r["pid"] for r in project.runs() if int(r["id"]) == args.run), None)
            if owner is None:
                raise HumansegError(f"{args.project}: --run {args.run}: no training run {args.run} in this project")
            pids = [int(owner)]
        else:
            pids = parse_pids(args.pids or "all", known, "this project's proposals and runs")
        if not pids:
            raise HumansegError(f"{args.project}: the project has no persons with masks yet")
        names = None
        if args.name is not None:
            if len(pids) != 1:
                raise HumansegError("--name: give it with exactly one person in --pids")
            names = {pids[0]: args.name}
        if asked is None:  # the studio's rule (a walk's export after a whole-scene run wrote one reviewed
            # person's 14 labels and listed the 14 others, all segmented, as persons without masks)
            args.source = default_source(project, pids)
            if args.run is not None or args.runs is not None:  # a run named: its results, no label laid over
                args.source = "results"  # them (a review: two runs' exports held the same labels, compared)
            if args.source != "accepted":
                print(f"humanseg: note: exporting {default_source_text(args.source, project, pids)}: --source "
                      f"{args.source}", file=sys.stderr)
        runs = chosen_runs(args, pids)
        if args.images and args.fmt != "coco":  # a walk: --images with davis or mots, no word
            print(f"humanseg: note: --images is for --format coco; {args.fmt} "
                  + ("writes the frames anyway (JPEGImages)" if args.fmt == "davis" else "writes no frames"),
                  file=sys.stderr)
        from ..workflows.at_work import at_work_text, runs_at_work

        busy = at_work_text(project, pids, "the export holds what was stored before it")  # (a walk: told to
        if busy:  # segment with a run another process was segmenting at that moment)
            print(f"humanseg: warning: {busy}", file=sys.stderr)
        working = runs_at_work(project, pids)
        summary = run_job(export_job(project, pids, args.fmt, args.out, force=args.force, source=args.source,
                                     names=names, with_images=args.images, runs=runs,
                                     first_frame=args.mots_first_frame),
                         StageProgress(every_s=2.0))  # not a line per frame (a walk: 311 lines for two persons)
    from ..export.runs import finish_hint, newer_network_text, partial_run_text, stopped_text

    for pid, partial in (summary.get("partial_runs") or {}).items():
        how = f"choose it with --runs {pid}:{partial['fuller_run']}"
        print(f"humanseg: warning: {partial_run_text(pid, partial, how)}", file=sys.stderr)
    for pid, run_id in (summary.get("trained_not_segmented") or {}).items():
        if int(run_id) in working:  # at work: said above, not to be segmented meanwhile (a review)
            continue
        print(f"humanseg: note: person {pid} has a trained network (run {run_id}) and no results: "
              f"{finish_hint(args.project, pid, run_id).replace('segments the rest', 'segments it')}", file=sys.stderr)
    for pid, run_id in (summary.get("newer_networks") or {}).items():
        if int(run_id) in working:  # that run is at work: said above, not to be segmented meanwhile
            continue
        how = finish_hint(args.project, pid, run_id).replace("segments the rest", "segments it")
        print(f"humanseg: warning: {newer_network_text(pid, run_id, summary['runs'][pid], how)}", file=sys.stderr)
    for pid, stopped in (summary.get("stopped_runs") or {}).items():
        how = finish_hint(args.project, pid, stopped["run"])
        print(f"humanseg: warning: {stopped_text(pid, stopped, how)}", file=sys.stderr)
    if summary.get("placed_before"):
        from ..workflows.placed_reading import placed_before_text

        print(f"humanseg: warning: {placed_before_text(summary['placed_before'], shell_arg(args.project))}",
              file=sys.stderr)
    for line in skipped_lines(summary.get("skipped_frames") or [], limit=20):
        print(f"humanseg: note: {line}", file=sys.stderr)
    blank = summary.get("blank_masks_left_out") or {}
    if blank:
        said = "; ".join(f"person {pid}: frames {', '.join(map(str, frames[:6]))}{', …' if len(frames) > 6 else ''}"
                         for pid, frames in blank.items())
        print(f"humanseg: note: {sum(len(f) for f in blank.values())} empty masks left out of the export (the person "
              f"hidden or gone there; no format holds an empty mask): {said}", file=sys.stderr)
    marked = summary.get("marked_not_visible") or {}
    if marked:  # (a walk's V frames read "empty masks")
        said = "; ".join(f"person {pid}: frames {', '.join(map(str, frames[:6]))}{', …' if len(frames) > 6 else ''}"
                         for pid, frames in marked.items())
        print(f"humanseg: note: {sum(len(f) for f in marked.values())} frames marked not visible (Review's V) have "
              f"no mask in the export: {said}", file=sys.stderr)
    taken = summary.get("masks_taken_by_others") or {}
    if taken:  # (a walk's masks given to a nearer person read "empty", as if the labels were lost)
        said = "; ".join(f"person {pid}: frames {', '.join(map(str, frames[:6]))}{', …' if len(frames) > 6 else ''}"
                         for pid, frames in taken.items())
        print(f"humanseg: note: {sum(len(f) for f in taken.values())} masks left out of the export, every pixel of "
              "them given to another person whose mask covers it (a nearer one, or the analyst's; a pixel belongs "
              f"to one person in every format; the project keeps them): {said}", file=sys.stderr)
    if unrecorded:  # (a walk's export of a schema 1 project went unrecorded, and `status` named an older one)
        print(f"humanseg: note: the project is read-only here ({unrecorded}): this export is not recorded in it "
              "(`status` and the studio's Export dialog do not know of it)", file=sys.stderr)
    print_json(summary)
    return 0


def chosen_runs(args: argparse.Namespace, pids: list[int]) -> dict[int, int] | None:
    """{pid: run id} from ``--run`` (one person) or ``--runs 3:12,7:15``; None when neither is given."""
    if args.run is None and args.runs is None:
        return None
    flag = "--run" if args.run is not None else "--runs"
    if args.source == "accepted":
        raise HumansegError(f"{flag}: a run's results are exported with --source results (or any), not accepted")
    if args.run is not None:
        if len(pids) != 1:
            raise HumansegError(f"--run: give it with exactly one person in --pids (got {len(pids)}); for several "
                                "persons use --runs PID:RUN,...")
        return {pids[0]: int(args.run)}
    return parse_runs(args.runs)


def parse_runs(text: str) -> dict[int, int]:
    """``3:12,7:15`` -> {3: 12, 7: 15} (``p3:12`` too, as the trajectory file writes the person)."""
    from ..inputs.trajectory_rows import typed_pid

    runs: dict[int, int] = {}
    for part in (t.strip() for t in text.split(",")):
        if not part:
            continue
        pid, sep, run = part.partition(":")
        try:
            if not sep:
                raise ValueError
            runs[typed_pid(pid)] = int(run)
        except ValueError:
            raise HumansegError(f"--runs: expected PID:RUN pairs like 3:12,7:15, got {part!r}") from None
    if not runs:
        raise HumansegError(f"--runs: expected PID:RUN pairs like 3:12,7:15, got {text!r}")
    return runs
