"""New project / Open project: folder choice, the store call, errors in a message box.

``new_project`` and ``open_project`` return an open :class:`~humanseg_core.project.Project` or None
(cancelled or failed; the failure was shown). The folder dialogs can be bypassed with ``folder=`` (tests,
scripts, drag and drop).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from humanseg_core.errors import HumansegError
from humanseg_core.project import FILENAME, Project
from humanseg_core.records import ProjectInputs


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.critical(parent, title, message)


def missing_inputs(inputs: ProjectInputs | None) -> str | None:
    """Why these inputs cannot make a project, or None when they can."""
    if inputs is None or not inputs.video:
        return "Open a video first (File ▸ Open…): a project is made from the current video and trajectories."
    if not inputs.trajectories:
        return "Open the trajectory file of this video first: proposals follow the trajectories."
    return None


def new_project(parent: QWidget | None, inputs: ProjectInputs | None, folder: str | Path | None = None):
    """Create a project in a new or empty folder from the current scene's inputs."""
    problem = missing_inputs(inputs)
    if problem is not None:
        show_error(parent, "Cannot create a project", problem)
        return None
    if folder is None:
        folder = ask_new_folder(parent, Path(inputs.video).parent / f"{Path(inputs.video).stem}-project")
        if not folder:
            return None
    try:
        return Project.create(folder, inputs)
    except HumansegError as exc:
        show_error(parent, "Cannot create the project", str(exc))
        return None


def ask_new_folder(parent: QWidget | None, suggested: Path) -> str:
    """A folder name for a new project: it may not exist yet (Project.create makes it) or be empty."""
    dialog = QFileDialog(parent, "New project: type a new folder name (or choose an empty folder)", str(suggested))
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)  # a name that does not exist yet is fine
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Create")
    dialog.selectFile(suggested.name)
    return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""


def open_project(parent: QWidget | None, folder: str | Path | None = None, start: str = ""):
    """Open an existing project folder (or its project file)."""
    if folder is None:
        folder = QFileDialog.getExistingDirectory(parent, "Open project folder", start,
                                                  QFileDialog.Option.ShowDirsOnly)
        if not folder:
            return None
    folder = Path(folder)
    if folder.name == FILENAME:
        folder = folder.parent
    try:
        return Project.open(folder)
    except HumansegError as exc:
        show_error(parent, "Cannot open the project", str(exc))
        return None


def load_project_scene(parent: QWidget | None, project):
    """The project's scene, or None after showing why it cannot be loaded (moved video, etc.)."""
    try:
        return project.load_scene()
    except HumansegError as exc:
        show_error(parent, "Cannot load the project's video and trajectories",
                   f"{exc}\n\nThe project's decisions are safe; move the inputs back or open them again.")
        return None
