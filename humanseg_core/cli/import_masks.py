"""``humanseg import``: a DAVIS-style folder of masks (``%05d.png``) added as accepted labels of a person."""

from __future__ import annotations

import argparse
import sys

from ..jobs import run_job
from ..wording import plural
from .common import ThrottledProgress, pid_arg, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import", help="add a folder of %%05d.png masks as accepted labels of a person",
        description="Add a DAVIS-style folder of masks named by frame (00000.png, 00001.png, ...) as accepted "
                    "(edited) labels of one person, ready for `humanseg train`. Binary masks: every non-zero "
                    "pixel; palette or label masks: --value picks the person's index. A file whose frame the "
                    "video lacks or whose size differs from the video is an error naming it (nothing stored).")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=pid_arg, help="person id")
    p.add_argument("--masks", required=True, help="folder of %%05d.png masks")
    p.add_argument("--value", type=int, default=None,
                   help="the person's palette index / grey level (default: every non-zero pixel)")
    p.add_argument("--force", action="store_true",
                   help="import even when most masks lie far from the person's track point (refused without)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import HumansegError
    from ..project import Project
    from ..wording import id_list, shell_arg
    from ..workflows.labels import import_masks
    from .common import note_studio_holder

    if not Path(args.project).exists():  # (a walk had to find out that `propose` makes a project)
        raise HumansegError(f"{args.project}: no such project folder; make the project first: humanseg propose "
                            f"--project {shell_arg(args.project)} --video V --trajectories T --pids {args.pid} (or "
                            "the studio's Project ▸ New Project), then import into it")
    note_studio_holder(args.project)
    with Project.open(args.project) as project:
        summary = run_job(import_masks(project, args.pid, args.masks, args.value, force=args.force),
                          ThrottledProgress())
        if summary.refused:
            raise HumansegError(summary.refused_text(args.pid, args.masks) + " (--force imports them)")
        counts = project.counts(args.pid)
    if summary.set_aside:
        print(f"humanseg: note: {plural(len(summary.set_aside), 'pending proposal')} of person {args.pid} on the "
              "imported frames rejected: the imported masks are the labels there (the proposals are kept in "
              "the project)", file=sys.stderr)
    if summary.superseded:  # (a data-safety walk: a frame kept its edit beside the import, two labels)
        print(f"humanseg: note: {plural(len(summary.superseded), 'earlier label')} of person {args.pid} on the "
              "imported frames set aside (rejected, kept in the project): the imported masks replace them",
              file=sys.stderr)
    # each said, not in the JSON alone (a walk: an empty mask and a .jpg left out without a word)
    if summary.empty:
        print(f"humanseg: note: {plural(len(summary.empty), 'empty mask')} not imported (frames "
              f"{id_list(summary.empty, 12)}): an empty mask is no label; Review ▸ Not Visible Here (V) marks a "
              "frame where the person is hidden", file=sys.stderr)
    if summary.value_from:
        print(f"humanseg: note: {summary.value_from}", file=sys.stderr)
    if summary.renumbered:
        print(f"humanseg: note: {summary.renumbered}", file=sys.stderr)
    if summary.ignored:
        print(f"humanseg: note: {plural(len(summary.ignored), 'file')} not read, not a .png mask: "
              f"{', '.join(summary.ignored[:8])}{', …' if len(summary.ignored) > 8 else ''}", file=sys.stderr)
    if summary.replaced:
        print(f"humanseg: warning: {plural(len(summary.replaced), 'label')} of person {args.pid} replaced by the "
              f"imported masks (frames {id_list(summary.replaced, 12)}); the earlier masks are kept in "
              f"{summary.kept_in} (PNGs: import them to take them back)", file=sys.stderr)
    if summary.outside_span:
        print(f"humanseg: warning: frames {id_list(summary.outside_span, 12)} lie outside person {args.pid}'s track "
              "(its first to last annotation): training leaves them out. Another person's masks?", file=sys.stderr)
    if summary.far:  # (a walk imported another person's masks into a frame of the track without a word)
        print(f"humanseg: warning: on {plural(len(summary.far), 'frame')} ({id_list(summary.far, 12)}) the mask lies "
              f"more than {summary.far_px:.0f} px from person {args.pid}'s track point (the distance the proposals "
              "match a person within): another person's mask, or another frame numbering? Imported; check them in "
              "the studio's Review tab", file=sys.stderr)
    print_json({"pid": args.pid, "imported": len(summary.imported), "frames": summary.imported,
                "empty": summary.empty, "set_aside": len(summary.set_aside), "replaced": summary.replaced,
                "replaced_kept_in": summary.kept_in or None, "superseded": len(summary.superseded),
                "outside_span": summary.outside_span,
                "far_from_track": summary.far, "ignored": summary.ignored, "renumbered": summary.renumbered or None,
                "counts": counts})
    return 0
