"""``humanseg parent use --project P [FILE | --shipped]``: the parent network a project uses (ADR 0039).

FILE is checked, copied into the project's ``parent/`` folder and used by the project's proposals, fine-tuning,
per-frame evidence, whole-scene runs and the studio from then on; ``--shipped`` goes back to the shipped one;
neither says which one the project uses. The last stdout line is JSON
``{"project", "parent", "shipped", "sha256", "source", "warning"}``.
"""

from __future__ import annotations

import sys

from .common import print_json


def register(sub) -> None:
    u = sub.add_parser("use", help="choose the parent network a project uses (or say which one it uses)",
                       description="Choose the parent network of a project: its proposals, fine-tuning, per-frame "
                                   "evidence, whole-scene runs and the studio use it from then on. The file is "
                                   "checked and copied into the project folder (parent/). Without FILE or "
                                   "--shipped: say which one the project uses.")
    u.add_argument("--project", required=True, help="project folder")
    which = u.add_mutually_exclusive_group()
    which.add_argument("file", nargs="?", default=None, metavar="FILE",
                       help="a parent file (`humanseg parent train --out`)")
    which.add_argument("--shipped", action="store_true", help="use the shipped parent network again")
    u.set_defaults(func=run_use)


def run_use(args) -> int:
    from pathlib import Path

    from ..project import Project
    from ..workflows.parent_choice import choose_parent, project_parent, shipped_sha256
    from .common import note_studio_holder

    change = args.file is not None or args.shipped
    if change:
        note_studio_holder(args.project)
    with Project.open(args.project, reading=not change) as project:  # a question opens a read-only project too
        before = project_parent(project)
        now = choose_parent(project, args.file) if change else before
    if now.warning:
        print(f"humanseg: warning: {now.warning}", file=sys.stderr)
    if now.note:
        print(f"humanseg: note: {now.note}", file=sys.stderr)
    if change and before.path != now.path:
        print(f"humanseg: {args.project} used {before.describe()}; it now uses {now.describe()}: for proposals, "
              "fine-tuning, the per-frame evidence, whole-scene runs and the studio's first click from now on "
              "(results made before stay as they are)",
              file=sys.stderr)
    else:
        print(f"humanseg: {args.project} uses {now.describe()}", file=sys.stderr)
    print_json({"project": str(Path(args.project).absolute()), "parent": str(now.file), "shipped": now.path is None,
                "sha256": now.sha256 if now.path is not None else (shipped_sha256() or None),
                "source": now.source or None, "warning": now.warning or None, "note": now.note or None})
    return 0
