"""New project / Open project: folder choice, the store call, errors in a message box.

``new_project`` and ``open_project`` return an open :class:`~humanseg_core.project.Project` or None
(cancelled or failed; the failure was shown). The folder dialogs can be bypassed with ``folder=`` (tests,
scripts, drag and drop).

New Project suggests ``<projects folder>/<scene name>``: the projects folder is the one last used (kept in the
settings) or ``HumanSeg projects`` in the user's documents, and never a folder of the inputs, so pressing
Enter never writes into the user's data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from humanseg_core.errors import HumansegError
from humanseg_core.project import FILENAME, Project
from humanseg_core.project.paths import project_holding
from humanseg_core.records import ProjectInputs

PROJECTS_DIR = "HumanSeg projects"  # in the user's documents
LAST_PARENT_KEY = "projects/last_parent"  # the folder that holds the last project made with the dialog


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.critical(parent, title, message)


def missing_inputs(inputs: ProjectInputs | None) -> str | None:
    """Why these inputs cannot make a project, or None when they can."""
    if inputs is None or not inputs.video:
        return "Open a video first (File ▸ Open…): a project is made from the current video and trajectories."
    if not inputs.trajectories:
        return "Open the trajectory file of this video first: proposals follow the trajectories."
    return None


def scene_name(inputs: ProjectInputs) -> str:
    """A folder name for the scene: the video's stem, or the scene folder's name for ``<scene>/frames``."""
    video = Path(inputs.video)
    name = video.parent.name if video.name == "frames" and video.parent.name else video.stem
    name = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name).strip(" .")
    return name or "project"


def documents_folder() -> Path:
    """The user's documents folder when there is one, else the home folder."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def open_start() -> str:
    """Where Open Project starts with no projects folder remembered: the folder New Project proposes projects in
    when it exists, else the documents folder (a walk's dialog started in the folder the studio was started from)."""
    base = documents_folder()
    return str(base / PROJECTS_DIR if (base / PROJECTS_DIR).is_dir() else base)


def _input_folders(inputs: ProjectInputs) -> list[Path]:
    """The folders the inputs live in (a frames folder counts itself and its parent)."""
    out = []
    for p in (inputs.video, inputs.trajectories, inputs.homography):
        if p:
            path = Path(p).expanduser().resolve()
            out += [path, path.parent] if path.is_dir() else [path.parent]
    return out


def _inside(path: Path, folder: Path) -> bool:
    path = path.expanduser().resolve()
    return path == folder or folder in path.parents


def _unused(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``… when it holds something already (a project or other files)."""
    candidate, n = path, 1
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def suggest_project_folder(inputs: ProjectInputs, last_parent: str | Path | None = None,
                           documents: Path | None = None) -> Path:
    """Where New Project proposes the project: ``<last used projects folder or documents/HumanSeg
    projects>/<scene name>`` (a free name), never inside a folder of the inputs."""
    avoid = _input_folders(inputs)
    bases = [Path(last_parent).expanduser()] if last_parent else []
    bases += [(documents or documents_folder()) / PROJECTS_DIR, Path.home() / PROJECTS_DIR]
    base = next((b for b in bases if not any(_inside(b, a) for a in avoid)  # nor inside a project (a review: a
                 and project_holding(b) is None), bases[-1])  # last folder that was one refused every new one)
    return _unused(base / scene_name(inputs))


def new_project(parent: QWidget | None, inputs: ProjectInputs | None, folder: str | Path | None = None,
                settings: QSettings | None = None):
    """Create a project in a new or empty folder from the current scene's inputs.  Without ``folder`` a
    dialog asks, starting at :func:`suggest_project_folder`; the folder chosen there is remembered in
    ``settings`` as the next suggestion's parent."""
    problem = missing_inputs(inputs)
    if problem is not None or inputs is None:
        show_error(parent, "Cannot create a project", problem or "")
        return None
    asked = folder is None
    if folder is None:
        last = settings.value(LAST_PARENT_KEY) if settings is not None else None
        suggested = suggest_project_folder(inputs, last if isinstance(last, str) else None)
        made = not suggested.parent.exists()
        try:  # the dialog starts in the projects folder (an absent start folder sends it elsewhere)
            suggested.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            made = False
        folder = ask_new_folder(parent, suggested)
        if made and (not folder or not _inside(Path(folder), suggested.parent.resolve())):
            _remove_if_empty(suggested.parent)  # made for the dialog only (a walk found an empty one left)
        if not folder:
            return None
    try:
        project = Project.create(folder, inputs)
    except HumansegError as exc:
        show_error(parent, "Cannot create the project", str(exc))
        return None
    if asked and settings is not None:
        settings.setValue(LAST_PARENT_KEY, str(Path(project.folder).parent))
    return project


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only ever removes an empty folder
    except OSError:
        pass


def ask_new_folder(parent: QWidget | None, suggested: Path) -> str:
    """A folder name for a new project: it may not exist yet (Project.create makes it) or be empty."""
    dialog = QFileDialog(parent, "New project: type a new folder name (or choose an empty folder)", str(suggested))
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)  # a name that does not exist yet is fine
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Create")
    dialog.setDirectory(str(suggested.parent))
    dialog.selectFile(suggested.name)
    dialog.resize(max(dialog.width(), 900), max(dialog.height(), 520))  # its columns in full ("Date Modifie…")
    return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""


def open_project(parent: QWidget | None, folder: str | Path | None = None, start: str = ""):
    """Open an existing project folder (or its project file)."""
    if folder is None:
        folder = QFileDialog.getExistingDirectory(parent, "Open project folder", start or open_start(),
                                                  QFileDialog.Option.ShowDirsOnly)
        if not folder:
            return None
    folder = Path(folder)
    if folder.name == FILENAME:
        folder = folder.parent
    try:  # a read-only folder (a share, a disc) opens read-only: looked at, exported, not changed
        return Project.open(folder, reading=True)
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
