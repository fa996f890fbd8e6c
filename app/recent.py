"""Recently opened inputs, kept in QSettings, and the File > Open Recent menu."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QMenu

from humanseg_core.records import ProjectInputs

KEY = "recent/inputs"
PROJECTS_KEY = "recent/projects"  # [{"project": folder, "inputs": {...}}]: the project last open on those inputs
MAX_RECENT = 10


def _settings() -> QSettings:
    return QSettings("HumanSeg", "HumanSeg Studio")


def describe(inputs: ProjectInputs, sep: str = "  —  ") -> str:
    """A short menu text: the video's name (its parent for a frames folder) and the trajectory file, ``sep``
    between them."""
    video = Path(inputs.video)
    name = f"{video.parent.name}/{video.name}" if video.name == "frames" else video.name
    return f"{name}{sep}{Path(inputs.trajectories).name}" if inputs.trajectories else name


def menu_text(inputs: ProjectInputs) -> str:
    """An Open Recent entry: :func:`describe`, and how the files are read where that is not the default, so that
    entries of the same files read another way differ (a walk's three read "scene/frames — obsmat.txt")."""
    parts = [describe(inputs)]
    if inputs.homography:
        parts.append(Path(inputs.homography).name + (" (row, col)" if inputs.h_order == "rowcol" else ""))
    if inputs.frame_offset:
        parts.append(f"frame offset {inputs.frame_offset}")
    if inputs.frame_step not in (0, 1):
        parts.append(f"every {inputs.frame_step} frames")
    return "  ·  ".join(parts)


def absolute_inputs(inputs: ProjectInputs) -> ProjectInputs:
    """``inputs`` with absolute file paths: a recent entry opened from another working folder found nothing (a
    walk's studio launched from / read "frames_corrupt: no such video file or folder")."""
    def absolute(path: str | None) -> str | None:
        return str(Path(path).expanduser().absolute()) if path else path

    return dataclasses.replace(inputs, video=absolute(inputs.video) or inputs.video,
                               trajectories=absolute(inputs.trajectories) or inputs.trajectories,
                               homography=absolute(inputs.homography))


class RecentInputs:
    """The list of recent inputs, newest first, without duplicates."""

    def __init__(self, settings: QSettings | None = None):
        self._settings = settings or _settings()

    @property
    def settings(self) -> QSettings:
        """The studio's settings (shared with the dock layout)."""
        return self._settings

    def _read(self, key: str) -> list:
        """The JSON list kept under ``key`` ([] when missing or unreadable)."""
        raw = self._settings.value(key, "[]")
        try:
            entries = json.loads(raw if isinstance(raw, str) else "[]")
        except ValueError:
            return []
        return entries if isinstance(entries, list) else []

    def items(self) -> list[ProjectInputs]:
        entries = self._read(KEY)
        fields = {f.name for f in dataclasses.fields(ProjectInputs)}
        out = []
        for e in entries:
            if isinstance(e, dict) and e.get("video"):
                try:
                    out.append(ProjectInputs(**{k: v for k, v in e.items() if k in fields}))
                except TypeError:
                    continue
        return out

    def add(self, inputs: ProjectInputs) -> None:
        inputs = absolute_inputs(inputs)
        items = [i for i in self.items() if i != inputs]
        items.insert(0, inputs)
        self._settings.setValue(KEY, json.dumps([dataclasses.asdict(i) for i in items[:MAX_RECENT]]))

    def clear(self) -> None:
        self._settings.setValue(KEY, "[]")

    def _projects(self) -> list[dict]:
        return [e for e in self._read(PROJECTS_KEY) if isinstance(e, dict) and isinstance(e.get("project"), str)
                and isinstance(e.get("inputs"), dict)]

    def remember_project(self, inputs: ProjectInputs, folder) -> None:
        """``folder`` is the project kept on ``inputs``: Open Recent opens it, not the bare files (a walk
        reopened its inputs there, read 'No project open', and took its decisions for lost)."""
        folder = str(Path(folder).absolute())  # (a project opened as `--project proj` was kept as "proj": opened
        entries = [e for e in self._projects() if e["project"] != folder]  # from another folder, it was not found)
        entries.insert(0, {"project": folder, "inputs": dataclasses.asdict(inputs)})
        self._settings.setValue(PROJECTS_KEY, json.dumps(entries[:2 * MAX_RECENT]))

    def project_for(self, inputs: ProjectInputs) -> str | None:
        """The project folder last open on ``inputs`` (the same files read the same way) that still holds its
        store, or None."""
        from .review.same_inputs import same_inputs

        fields = {f.name for f in dataclasses.fields(ProjectInputs)}
        for e in self._projects():
            try:
                kept = ProjectInputs(**{k: v for k, v in e["inputs"].items() if k in fields})
            except TypeError:
                continue
            if same_inputs(kept, inputs) and (Path(e["project"]) / "project.sqlite").is_file():
                return e["project"]
        return None


class RecentMenu(QMenu):
    open_requested = Signal(object)  # ProjectInputs

    def __init__(self, recent: RecentInputs, parent=None):
        super().__init__("Open &Recent", parent)
        self.recent = recent
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        items = self.recent.items()
        for n, inputs in enumerate(items, start=1):
            project = self.recent.project_for(inputs)
            act = self.addAction(f"&{n % 10}  {menu_text(inputs)}" + (f"  (project {Path(project).name})"
                                                                      if project else ""))
            act.setToolTip(inputs.video + (f"\nOpens the project {project}" if project else ""))
            act.triggered.connect(lambda _=False, i=inputs: self.open_requested.emit(i))
        if not items:
            self.addAction("(none)").setEnabled(False)
        self.addSeparator()
        clear = self.addAction("Clear the list")
        clear.setEnabled(bool(items))
        clear.triggered.connect(self._clear)

    def _clear(self) -> None:
        """Clear the list once asked (it sits under the entries: a walk's misclick wiped it, with no undo); the
        projects and files stay where they are."""
        n = len(self.recent.items())
        if self.confirm_clear(n):
            self.recent.clear()
            self.rebuild()

    def confirm_clear(self, n: int) -> bool:
        """Ask before clearing (tests replace this)."""
        from .ask import ask_one_way

        return ask_one_way(self.parentWidget(), "Clear the recent list?",
                           f"Forget the {n} recent {'entries' if n != 1 else 'entry'} of File ▸ Open Recent? The "
                           "projects and files themselves are not touched.", "Clear the List", cancel_first=True)
