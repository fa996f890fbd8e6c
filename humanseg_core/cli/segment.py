"""``humanseg segment``: segment one person through the video with a trained run.

Writes ``%05d.png`` masks (0/255, full frame) into ``--out`` and stores them as the run's results in the
project. The last stdout line is JSON: ``{"pid", "run_id", "frames", "seconds", "ms_per_frame", "skipped", "refine",
"kept_set", "kept_masks", "hand_check"}`` (``refine``: how the masks were made; ``kept_set``: the set keeping the
masks these replaced, ADR 0052, or null, ``kept_masks`` how many; ``hand_check``: the analyst's masks against the
evidence step and the network alone, ADR 0032, or null).
"""

from __future__ import annotations

import sys
import time

from ..errors import HumansegError
from ..jobs import run_job
from .common import pid_arg, print_json, say_new_warnings, stderr_progress


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "segment", help="segment a person through the video with a trained run",
        description="Segment every frame of the person's track (or --frames A:B) with a trained network.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=pid_arg, help="person id")
    p.add_argument("--out", required=True, help="folder for the %%05d.png masks (0/255): new or empty, written "
                                                "whole (a failure leaves it as it was)")
    p.add_argument("--force", action="store_true", help="replace --out when it holds an earlier export")
    p.add_argument("--frames", default=None, help="frame range A:B (B exclusive) or A-B (B included); default: the "
                                                  "track's span")
    p.add_argument("--run", type=int, default=None, help="training run id (default: the person's latest)")
    p.add_argument("--refine", choices=["none", "evidence"], default=None,
                   help="evidence: every frame through the proposals' joint step with the network blended in, "
                        "as `humanseg run` does (better in crowds, slower); none: the network alone. Default: as "
                        "a Whole scene run made its own results, else evidence for an osvos-parent network")
    p.set_defaults(func=run)


def parse_range(text: str) -> tuple[int | None, int | None]:
    """A:B (B exclusive), or A-B (B included, as `decide --frames` reads it: a walk's range was refused)."""
    dashed = ":" not in text and "-" in text.strip()[1:]
    if dashed:
        a_text, b_text = text.strip().split("-", 1) if not text.strip().startswith("-") else ("", "")
        try:
            first, end = int(a_text), int(b_text)
        except ValueError:
            raise HumansegError(f"--frames: expected A:B (B exclusive) or A-B (B included), got {text!r}") from None
        if end < first:
            raise HumansegError(f"--frames {text}: the end comes before the start")
        return first, end + 1
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        a, b = (int(x) if x.strip() else None for x in parts)
    except ValueError:
        raise HumansegError(f"--frames: expected A:B (e.g. 100:200), got {text!r}") from None
    if a is not None and b is not None and b <= a:
        raise HumansegError(f"--frames {text}: the end comes before the start (A:B with A < B; B is exclusive)")
    return a, b


def _progress(p, said: set[str] | None = None) -> None:
    """stderr: the job's warnings (each once: ``said``), every 50th frame."""
    if said is not None and say_new_warnings(p.warnings, said) and not p.total:
        return  # a report made to carry a warning (the parent network's): said
    if p.done % 50 == 0 or p.done == p.total:
        stderr_progress(p)


def run(args) -> int:
    from ..export.atomic import RESULTS_KEPT, atomic_folder, check_target
    from ..export.davis import write_mask_pngs
    from ..project import Project
    from ..workflows import SegmentConfig, segment_person
    from ..workflows.correction import segment_refine
    from ..workflows.person import pick_run

    first, last = parse_range(args.frames) if args.frames else (None, None)
    t0 = time.monotonic()
    from .common import note_studio_holder

    note_studio_holder(args.project)
    with Project.open(args.project) as project:
        # the folder is checked before the work (it was made after it: a file or /proc/x gave a traceback then)
        # and written whole, as `masks --out` writes (it mixed into a folder of older masks, or the project's)
        check_target(args.out, force=args.force, protect=[project.folder])
        from ..workflows.person import _not_at_work

        try:
            run_row: dict | None = pick_run(project, args.pid, args.run)
        except HumansegError:
            run_row = None  # segment_person says why
        if run_row is not None:
            _not_at_work(run_row)  # refused before any note or warning of what it would do (a walk, a review)
        # the way the run made its own results (a walk re-segmented a Whole scene person with the network alone,
        # the default then, and its stored results fell from J 0.840 to 0.775 without a word), as the studio does
        if args.refine is None and segment_refine(run_row) == "evidence":  # said: 8x the time (a review)
            params = (run_row or {}).get("params") or {}  # a Whole scene run's (or its retrain's), as retrain_policy
            recorded = bool(params.get("scene_run")) or "accept" in params  # reads it (a review)
            print("humanseg: note: segmenting through the per-frame evidence, as "  # (a walk's `train` run had none)
                  + ("the run's own results were" if recorded else "the Segment tab does")
                  + " (about 0.1 s a frame; --refine none: the network alone, 10 ms)", file=sys.stderr)
        args.refine = args.refine or segment_refine(run_row)
        had = set() if run_row is None else project.result_frame_sets({args.pid: int(run_row["id"])})[args.pid]
        from ..workflows.at_work import at_work_text

        if busy := at_work_text(project, [args.pid]):  # (a re-walk's segment worked beside a run without a word)
            print(f"humanseg: warning: {busy}", file=sys.stderr)
        config = SegmentConfig(first=first, last=None if last is None else last - 1, refine=args.refine)
        said: set[str] = set()
        done = run_job(segment_person(project, args.pid, args.run if run_row is None else int(run_row["id"]), config),
                       lambda p: _progress(p, said))
        seconds = time.monotonic() - t0
        result = done.masks
        if (replaced := len(had & set(result))) and run_row is not None:  # said once done (a walk read it before a
            # refusal of its --frames), and how many (a re-walk read "had results on 90 frames" of 5 replaced)
            how = "the per-frame evidence" if args.refine == "evidence" else "the network alone"
            kept = len(had) - replaced  # (a re-walk read "replaced theirs" of 10 among 200 as all 200 replaced)
            others = f"; the other {kept} stay as they were" if kept else ""
            head = (f"humanseg: note: run {run_row['id']} had results on {len(had)} frames; this segmentation of "
                    f"{len(result)} ({how})")  # (a walk read "those of the 147 segmented now" of 150 segmented)
            if result.kept_set:
                n = result.kept_count
                print(f"{head} replaced {replaced} of them{others}; the {n} mask{'' if n == 1 else 's'} that changed "
                      f"{'is' if n == 1 else 'are'} kept as set {result.kept_set} (`humanseg replaced --project "
                      f"{args.project} --restore {result.kept_set}` puts them back)", file=sys.stderr)
            else:  # (a walk read "replaced" of masks that came out the same, and no set)
                print(f"{head} gave the same masks on those {replaced}: nothing was replaced{others}", file=sys.stderr)
        with atomic_folder(args.out, force=args.force, protect=[project.folder], after=RESULTS_KEPT) as tmp:
            run_job(write_mask_pngs(tmp, dict(result.items())))
    for note in result.notes:
        print(f"humanseg: note: {note}", file=sys.stderr)
    checked = done.hand_checked
    if done.refine != args.refine and checked is not None:
        print(f"humanseg: note: segmented with the network alone, not the per-frame evidence: on the {checked[0]} "
              f"masks you drew, fixed or imported its masks agree with yours at IoU {checked[2]:.2f}, the evidence "
              f"step's at {checked[1]:.2f}", file=sys.stderr)
    n = len(result)
    print_json({"pid": int(args.pid), "run_id": done.run_id, "frames": n, "seconds": round(seconds, 3),
                "ms_per_frame": round(1000 * result.seconds / max(n, 1), 2), "skipped": len(result.notes),
                "refine": done.refine, "kept_set": result.kept_set, "kept_masks": result.kept_count,
                "hand_check": None if checked is None else
                {"frames": checked[0], "evidence": round(checked[1], 4), "network": round(checked[2], 4)},
                "parent": done.parent or None, "parent_warning": done.parent_warning or None})
    return 0
