"""A project whose inputs moved: say which, let the analyst point at their new places, keep the new places.

Opening a project whose video (or trajectory file, or homography) is no longer where the project left it
showed the same 'no such video file or folder' twice, without the project's name, and then nothing: the
project could not be opened and no menu could point it at the moved video. :func:`locate_moved_inputs` asks
once, lets the analyst choose each moved input, checks that a new video has the size of the project's masks,
and stores the new places (``Project.relocate_inputs``); every decision stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from humanseg_core.inputs.moved import found_beside
from humanseg_core.project.relocate import NAMES, check_new_video, moved_inputs

from ..ask import ask_one_way
from ..open_dialog import TEXT_FILTER, VIDEO_FILTER
from .project_dialogs import show_error

__all__ = ["locate_moved_inputs", "moved_inputs"]


def ask_locate(parent: QWidget | None, name: str, moved: list[tuple[str, str]]) -> bool:
    """Ask once whether to locate the moved inputs (tests replace this)."""
    lines = "\n".join(f"  {NAMES[k]}: {p}" for k, p in moved)
    return ask_one_way(parent, "Project inputs moved",
                       f"Project {name}: not found where the project left {'them' if len(moved) > 1 else 'it'}:\n"
                       f"{lines}\n\nThe project's decisions, edits and results are safe. Point the project at the "
                       "new place now? (It keeps the new place.)", "Locate…")


def ask_unlike(parent: QWidget | None, unlike: str) -> bool:
    """Whether to take a video whose frames look unlike the project's video's (tests replace this); Cancel is the
    default (a data-safety walk's Locate… took another video of the same size and numbering without a word)."""
    return ask_one_way(parent, "Another video?", f"{unlike}.\n\nTake it as the project's video anyway?",
                       "Use This Video", cancel_first=True)


def choose_new_place(parent: QWidget | None, key: str, old: str) -> str:
    """The new place of input ``key`` (a frames folder when the old video had no file suffix); "" cancels
    (tests replace this)."""
    title = f"Where is the {NAMES[key]} now? (was {old})"
    start = str(Path(old).parent if Path(old).parent.exists() else Path.home())
    if key == "video" and not Path(old).suffix:
        return QFileDialog.getExistingDirectory(parent, title, start)
    name, _f = QFileDialog.getOpenFileName(parent, title, start, VIDEO_FILTER if key == "video" else TEXT_FILTER)
    return name


def locate_moved_inputs(parent: QWidget | None, project) -> bool:
    """True when every input of ``project`` is where it says (after the analyst pointed at the moved ones);
    False when they cancelled or chose a video that is not the project's (said in a message)."""
    moved = moved_inputs(project.inputs)
    if not moved:
        return True
    if not ask_locate(parent, Path(project.folder).name, moved):
        return False
    new: dict[str, str] = {}
    beside: list[str] = []
    shorter = unlike = ""  # (a review: only the trajectory file moved, and the project did not open)
    for key, old in moved:  # an input found beside one already pointed at, as it stood before, is not asked for
        found = found_beside(moved, new).get(key)
        if found:
            beside.append(f"the {NAMES[key]} {found}")
        chosen = found or choose_new_place(parent, key, old)
        if not chosen:
            return False
        if key == "video":
            why, shorter, unlike = check_new_video(project, chosen)  # the video opened once
            if why is not None:
                show_error(parent, "Not the project's video", why)
                return False
            if unlike and not ask_unlike(parent, unlike):
                return False
        new[key] = chosen
    project.relocate_inputs(**new)
    if unlike:  # taken as the project's video: the next proposals keep its small copies
        project.forget_video_fingerprint()
    if shorter:  # taken, and said (a walk's shorter copy lost 150 frames of its export without a word)
        QMessageBox.warning(parent, "A shorter video", shorter)
    bar = parent.statusBar() if hasattr(parent, "statusBar") else None
    if beside and bar is not None:  # taken without asking: said (an audit; the command line prints it), once the
        text = "Found where they stood before, beside the files given: " + "; ".join(beside)  # the project's line is up
        QTimer.singleShot(0, lambda: bar.showMessage(text, 15000))
    return True
