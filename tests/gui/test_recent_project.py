"""File ▸ Open Recent opens the project last open on those inputs (a walk quit, reopened its inputs from Open
Recent, read 'No project open' and took its decisions for lost; Project ▸ New Project then offered an empty
'eth_dense-2')."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def _inputs(scene_dir) -> ProjectInputs:
    return ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                         homography=str(scene_dir / "H.txt"))


def _project_with_a_decision(folder, scene_dir):
    proj = Project.create(folder, _inputs(scene_dir))
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    proj.add_proposals([Proposal(frame=10, pid=1, box=(30, 40, 50, 100), mask=mask, source="bgs:test",
                                 status="accepted")])
    proj.close()


def test_open_recent_brings_the_project_back(panels_studio, scene_dir, tmp_path):
    from app.recent import RecentMenu

    studio = panels_studio
    _project_with_a_decision(tmp_path / "proj", scene_dir)
    assert studio.review.open_project(str(tmp_path / "proj"))
    studio.review.close_project()
    assert studio.review.project is None
    inputs = studio.recent.items()[0]
    menu = RecentMenu(studio.recent)
    assert "(project proj)" in menu.actions()[0].text()  # the menu says what it opens
    assert studio.open_recent(inputs)
    assert studio.review.project is not None and studio.review.project.folder.name == "proj"
    assert studio.review.project.counts(1)["accepted"] == 1
    assert studio.open_recent(inputs)  # open already: nothing asked, nothing changed
    assert studio.review.project.folder.name == "proj"
    assert studio.status.currentMessage() == "Project proj is open already"  # said (a walk saw nothing happen)


def test_inputs_alone_when_the_project_is_gone_or_was_never_made(panels_studio, scene_dir, tmp_path):
    studio = panels_studio
    _project_with_a_decision(tmp_path / "proj", scene_dir)
    assert studio.review.open_project(str(tmp_path / "proj"))
    studio.review.close_project()
    inputs = studio.recent.items()[0]
    shutil.rmtree(tmp_path / "proj")
    assert studio.recent.project_for(inputs) is None
    assert studio.open_recent(inputs)
    assert studio.review.project is None and studio.scene is not None
    other = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"))
    assert studio.recent.project_for(other) is None  # without the homography: not the project's inputs


def test_the_project_line_names_the_folder_not_its_path(panels_studio, scene_dir, tmp_path):
    """The status bar elided a long path, and the rest of the message with it (a walk)."""
    _project_with_a_decision(tmp_path / "proj", scene_dir)
    assert panels_studio.review.open_project(str(tmp_path / "proj"))
    assert panels_studio.status.currentMessage() == "Project proj: 1 proposal"


def test_recent_entries_are_absolute_and_say_how_the_files_are_read(settings, tmp_path, monkeypatch):
    """A walk: launched from another folder, a recent entry typed as a relative path was not found, and three
    entries of the same files read another way all read "scene/frames — obsmat.txt"."""
    from app.recent import RecentInputs, menu_text

    monkeypatch.chdir(tmp_path)
    recent = RecentInputs(settings)
    recent.add(ProjectInputs(video="scene/frames", trajectories="obsmat.txt", homography="H_rowcol.txt",
                             h_order="rowcol", frame_offset=-6830))
    recent.add(ProjectInputs(video="scene/frames", trajectories="obsmat.txt", homography="H_rowcol.txt"))
    second, first = recent.items()[1], recent.items()[0]
    assert second.video == str(tmp_path / "scene" / "frames") and second.homography == str(tmp_path / "H_rowcol.txt")
    assert menu_text(second) == "scene/frames  —  obsmat.txt  ·  H_rowcol.txt (row, col)  ·  frame offset -6830"
    assert menu_text(first) == "scene/frames  —  obsmat.txt  ·  H_rowcol.txt"
    project_inputs = ProjectInputs(video=str(tmp_path / "scene" / "frames"), trajectories=str(tmp_path / "t.txt"))
    recent.remember_project(project_inputs, "proj")  # a project opened as `--project proj` (a first-time walk)
    assert json.loads(settings.value("recent/projects"))[0]["project"] == str(tmp_path / "proj")


def test_clearing_the_recent_list_asks_first(panels_studio, scene_dir, tmp_path, monkeypatch):
    """A walk's misclick on "Clear the list", right under the entries, wiped the list with no undo."""
    from app.recent import RecentMenu

    studio = panels_studio
    _project_with_a_decision(tmp_path / "proj", scene_dir)
    assert studio.review.open_project(str(tmp_path / "proj"))
    menu = RecentMenu(studio.recent)
    asked = []
    monkeypatch.setattr(menu, "confirm_clear", lambda n: asked.append(n) or False)
    menu._clear()
    assert asked == [1] and len(studio.recent.items()) == 1  # cancelled: kept
    monkeypatch.setattr(menu, "confirm_clear", lambda n: True)
    menu._clear()
    assert studio.recent.items() == [] and (tmp_path / "proj").is_dir()


def test_enter_on_the_clear_question_keeps_the_list(qtbot, window):
    """A review: Enter on "Clear the recent list?" cleared it (its button was the default); Cancel is."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    from app.recent import RecentMenu

    menu = next(m for m in window.findChildren(QMenu) if isinstance(m, RecentMenu))
    menu.recent.add(ProjectInputs(video="/tmp/v", trajectories="/tmp/t"))
    seen = []

    def press_enter():
        box = QApplication.activeModalWidget()
        seen.append(box.defaultButton().text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(200, press_enter)
    menu._clear()
    assert seen == ["Cancel"] and len(menu.recent.items()) == 1
