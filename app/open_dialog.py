"""Choosing inputs: the Open dialog, and how dropped or command-line paths are recognised.

Inputs travel as :class:`humanseg_core.records.ProjectInputs` (empty strings for what is not chosen yet).
A dropped folder holding ``frames/`` and ``trajectories.txt`` is a scene folder (``H.txt`` too when
present); another folder or a non-text file is the video; a ``.txt`` file is a homography when the core's
matrix parser reads a 3x3 matrix from it, else a trajectory file when the trajectory parser reads it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from humanseg_core.errors import HomographyError, InputError, TrajectoryError
from humanseg_core.inputs.homography import DIRECTIONS, ORDERS, parse_matrix
from humanseg_core.inputs.trajectories import FORMATS, load_trajectories
from humanseg_core.records import ProjectInputs

from .mnemonics import add_mnemonics

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.mpg *.mpeg *.m4v *.webm);;All files (*)"
TEXT_FILTER = "Text files (*.txt *.csv *.ndjson *.json);;All files (*)"


def empty_inputs() -> ProjectInputs:
    return ProjectInputs(video="", trajectories="")


def scene_folder_inputs(folder: Path) -> ProjectInputs | None:
    """The inputs of a scene folder (frames/, trajectories.txt, optional H.txt), else None."""
    folder = Path(folder)
    if not ((folder / "frames").is_dir() and (folder / "trajectories.txt").is_file()):
        return None
    h = folder / "H.txt"
    return ProjectInputs(
        video=str(folder / "frames"), trajectories=str(folder / "trajectories.txt"),
        homography=str(h) if h.is_file() else None,
    )  # fmt: skip


TRAJECTORY_NAMES = ("trajectories.txt", "obsmat.txt")  # a scene folder's, the ETH BIWI release's
HOMOGRAPHY_NAMES = ("H.txt",)


def sibling_inputs(video: Path) -> ProjectInputs | None:
    """The inputs around a video file or frames folder whose folder also holds a trajectory file of a known name
    (``frames/`` of a scene folder, ETH's ``seq_eth.avi`` beside ``obsmat.txt`` and ``H.txt``), else None (a
    walk chose ``zara01_feet/frames`` and filled in the trajectory and homography beside it by hand)."""
    video = Path(video)
    if not video.exists():
        return None
    scene = scene_folder_inputs(video.parent)
    if scene is not None and Path(scene.video) == video:
        return scene
    folder = video.parent
    trajectories = next((folder / n for n in TRAJECTORY_NAMES if (folder / n).is_file()), None)
    if trajectories is None:
        return None
    h = next((folder / n for n in HOMOGRAPHY_NAMES if (folder / n).is_file()), None)
    return ProjectInputs(video=str(video), trajectories=str(trajectories), homography=str(h) if h else None)


def classify_path(path: Path) -> str:
    """``"scene"``, ``"video"``, ``"trajectories"`` or ``"homography"``; raises InputError otherwise."""
    path = Path(path)
    if path.is_dir():
        return "scene" if scene_folder_inputs(path) is not None else "video"
    if not path.is_file():
        raise InputError(path, "no such file or folder")
    if path.suffix.lower() not in (".txt", ".csv", ".dat", ".ndjson", ".json"):  # TrajNet++; numpy/JSON matrices
        return "video"
    tries = ["homography", "trajectories"] if path.name.lower().startswith("h") else ["trajectories", "homography"]
    problems = []
    for kind in tries:
        try:
            if kind == "homography":
                parse_matrix(path)
            else:
                load_trajectories(path, skip_bad=True)  # a bad row is said when the scene opens
            return kind
        except (HomographyError, TrajectoryError) as exc:
            problems.append(f"as {kind}: {exc.problem}" + (f" (line {exc.line})" if exc.line else ""))
    raise InputError(path, "neither a trajectory file nor a 3x3 homography (" + "; ".join(problems) + ")")


def merge_paths(inputs: ProjectInputs, paths) -> ProjectInputs:
    """``inputs`` with the dropped ``paths`` put where they belong (raises InputError for an unknown one)."""
    out = dataclasses.replace(inputs)
    for p in paths:
        kind = classify_path(Path(p))
        if kind == "scene":
            scene = scene_folder_inputs(Path(p))
            out = dataclasses.replace(out, video=scene.video, trajectories=scene.trajectories,
                                      homography=scene.homography)
        elif kind == "video":
            out.video = str(p)
        elif kind == "trajectories":
            out.trajectories = str(p)
        else:
            out.homography = str(p)
    return out


class _PathEdit(QLineEdit):
    """A path field whose first click selects the whole path, as an address bar's does: typing then replaces it (a
    walk clicked into a filled field, typed a new path, and got the two run together)."""

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().focusInEvent(event)
        if event.reason() == Qt.FocusReason.MouseFocusReason:
            QTimer.singleShot(0, self.selectAll)  # after the click has placed the cursor


class _PathField(QWidget):
    def __init__(self, file_filter: str | None, folder_button: bool = False, parent=None):
        super().__init__(parent)
        self.start_beside: Callable[[], str] | None = None  # the pickers' folder while the field is empty
        self.edit = _PathEdit()
        self.edit.setMinimumWidth(420)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)  # its label's Alt+letter goes to the path (app/mnemonics.py), which the
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # label gives only to a widget taking the focus
        if file_filter is not None:
            b = QPushButton("File…")
            b.clicked.connect(lambda: self._browse_file(file_filter))
            row.addWidget(b)
        if folder_button:
            b = QPushButton("Folder…")
            b.clicked.connect(self._browse_folder)
            row.addWidget(b)

    def _start(self) -> str:
        """Where the pickers open: beside this field's file, else beside the video chosen (a walk's pickers all
        opened in the shell's working folder), else there."""
        if self.edit.text():
            return str(Path(self.edit.text()).parent)
        return self.start_beside() if self.start_beside is not None else ""

    def _browse_file(self, file_filter: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", self._start(), file_filter)
        if path:
            self.edit.setText(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder of frames (or a scene folder)", self._start())
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        return self.edit.text().strip()


class OpenDialog(QDialog):
    """Video (file or folder of frames), trajectory file, homography and the conventions to read them."""

    def __init__(self, inputs: ProjectInputs | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Open video and trajectories")
        self.video = _PathField(VIDEO_FILTER, folder_button=True)
        self.trajectories = _PathField(TEXT_FILTER)
        self.homography = _PathField(TEXT_FILTER)
        self.homography.edit.setPlaceholderText("optional: without it positions are approximate")
        self.trajectories.start_beside = self.homography.start_beside = self._video_folder
        self.h_order = QComboBox()
        self.h_order.addItems(list(ORDERS))
        self.h_order.setToolTip("uv: the matrix takes the pixel as (column, row); "
                                "rowcol: as (row, column), like ETH's H.txt")
        self.h_direction = QComboBox()
        self.h_direction.addItems(list(DIRECTIONS))
        self.fmt = QComboBox()
        self.fmt.addItems(["auto", *FORMATS])
        self.offset = QSpinBox()
        self.offset.setRange(-10_000_000, 10_000_000)
        self.step = QSpinBox()
        self.step.setRange(1, 10_000)
        self.step.setToolTip("video frame = offset + step × annotation frame")
        form = QFormLayout(self)
        form.addRow("Video or frames folder", self.video)
        form.addRow("Trajectories", self.trajectories)
        form.addRow("Homography", self.homography)
        form.addRow("Homography pixel order", self.h_order)
        form.addRow("Homography direction", self.h_direction)
        form.addRow("Trajectory format", self.fmt)
        form.addRow("Frame offset", self.offset)
        form.addRow("Frame step", self.step)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.video.edit.textChanged.connect(self._update_ok)
        self._filled: dict[int, str] = {}  # field -> the path a scene folder filled in
        self._given: dict[int, str] = {}  # field -> the path of the open inputs it started with
        self.video.edit.textChanged.connect(self._fill_from_scene_folder)
        if inputs is not None:
            self.set_inputs(inputs)
        self._update_ok()
        add_mnemonics(self)

    def set_inputs(self, inputs: ProjectInputs) -> None:
        self.video.edit.setText(inputs.video or "")
        self.trajectories.edit.setText(inputs.trajectories or "")
        self.homography.edit.setText(inputs.homography or "")
        self.h_order.setCurrentText(inputs.h_order)
        self.h_direction.setCurrentText(inputs.h_direction)
        self.fmt.setCurrentText(inputs.traj_format)
        self.offset.setValue(int(inputs.frame_offset))
        self.step.setValue(int(inputs.frame_step))
        self._given = {id(self.trajectories): self.trajectories.text(), id(self.homography): self.homography.text()}

    def _video_folder(self) -> str:
        """The folder the video or frames folder chosen lies in ("" when none is)."""
        text = self.video.text()
        return str(Path(text).parent) if text else ""

    def _scene(self) -> ProjectInputs | None:
        """The inputs of the scene folder in the video field (frames/, trajectories.txt, H.txt), or those beside the
        video or frames folder in it (:func:`sibling_inputs`), else None."""
        text = self.video.text()
        if not text:
            return None
        scene = scene_folder_inputs(Path(text)) if Path(text).is_dir() else None
        return scene or sibling_inputs(Path(text))

    def _fill_from_scene_folder(self) -> None:
        """A scene folder typed or chosen as the video fills the trajectory and homography fields (it opened
        as a folder of frames and failed with 'the folder holds no images').  Only empty fields, or fields
        still holding what an earlier folder filled in, change: typing ``.../zara01_feet`` passes through
        the scene ``.../zara01``, whose files must not stay.  The open inputs' files (the dialog starts with
        them) give way to another scene folder's, never to a plain video."""
        scene = self._scene()
        for field, value in ((self.trajectories, scene.trajectories if scene else ""),
                             (self.homography, (scene.homography or "") if scene else "")):
            text, given = field.text(), self._given.get(id(field))
            if text and text not in (self._filled.get(id(field)), given):
                continue  # the analyst's choice
            if text and text == given and scene is None:
                continue  # the open scene's file stays for a plain video; another scene folder replaces it
            field.edit.setText(value)
            self._filled[id(field)] = value

    def inputs(self) -> ProjectInputs:
        scene = self._scene()
        return ProjectInputs(
            video=scene.video if scene else self.video.text(), trajectories=self.trajectories.text(),
            homography=self.homography.text() or None,
            h_order=self.h_order.currentText(), h_direction=self.h_direction.currentText(),
            traj_format=self.fmt.currentText(), frame_offset=self.offset.value(), frame_step=self.step.value(),
        )  # fmt: skip

    def _update_ok(self) -> None:
        self._open_button.setEnabled(bool(self.video.text()))
