"""The demo's own project: ``humanseg-studio --demo`` (``make run``) opens it, so that a first look at the
studio starts with proposals to review instead of an empty Review tab.

On first use the project is made in ``<documents>/HumanSeg projects/demo`` (a free name beside it when that
folder holds something else) and every person's masks are proposed with the default method, in the
background with progress, as Project ▸ Generate Proposals… would; later the same project opens again with
the analyst's decisions.  Nothing found in a folder is ever changed: a project there made for other inputs
is left as it is and another folder is used.
"""

from __future__ import annotations

from pathlib import Path

from humanseg_core.errors import HumansegError
from humanseg_core.project import FILENAME, Project

from .project_dialogs import PROJECTS_DIR, documents_folder

DEMO_PROJECT = "demo"


def demo_project_folder(inputs, base: Path | None = None) -> tuple[Path, bool]:
    """(folder, exists) of the demo's project under ``base`` (default: the documents' projects folder):
    a project of these inputs, or the first free folder name ``demo``, ``demo-2``…"""
    base = base if base is not None else documents_folder() / PROJECTS_DIR
    video = Path(inputs.video).expanduser().resolve()
    n = 1
    while True:
        folder = base / (DEMO_PROJECT if n == 1 else f"{DEMO_PROJECT}-{n}")
        if (folder / FILENAME).is_file():
            try:
                project = Project.open(folder)
            except HumansegError:
                project = None  # unreadable or locked: not ours to touch
            if project is not None:
                try:
                    same = Path(project.inputs.video).expanduser().resolve() == video
                finally:
                    project.close()
                if same:
                    return folder, True
        elif not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
            return folder, False
        n += 1


def open_demo_project(review, base: Path | None = None) -> bool:
    """Open the demo's project on the Review side ``review`` (the window shows the demo scene); a new one
    starts proposing every person's masks.  False when no project could be opened or made."""
    inputs = review.window.inputs
    if inputs is None or review.project is not None:
        return False
    try:
        folder, exists = demo_project_folder(inputs, base)
    except OSError:
        return False
    if exists:
        return bool(review.open_project(folder))
    if not review.new_project(folder):
        return False
    dialog = review.generate()
    if dialog is not None:  # every person, the default method: what a first look needs
        dialog.all_radio.setChecked(True)
        dialog.start()
        # the status bar had said "0 proposals — generate them with …" while they were being generated (a walk)
        review.window.statusBar().showMessage(f"Project {folder.name}: every person's proposals are being "
                                              "generated (the Generate Proposals window)", 15000)
    return True
