"""`humanseg-studio VIDEO -t T --project FOLDER`: a new or empty folder becomes a project of those inputs (a
walk was told "no such project folder" and had to find Project ▸ New Project); anything else is opened."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from humanseg_core.project import FILENAME, Project

pytestmark = pytest.mark.gui


@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def _studio(qapp, *argv: str) -> int:
    from app.main import main

    try:
        return main([*argv, "--quit-after", "600"])
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("made", [False, True])  # a new folder, an empty one
def test_a_new_folder_becomes_a_project_of_the_inputs_given(scene_dir, tmp_path, qapp, errors, made):
    folder = tmp_path / "new project"
    if made:
        folder.mkdir()
    assert _studio(qapp, str(scene_dir / "frames"), "--trajectories", str(scene_dir / "trajectories.txt"),
                   "--project", str(folder)) == 0
    assert not errors and (folder / FILENAME).is_file()
    with Project.open(folder) as project:
        assert project.inputs.trajectories == str((scene_dir / "trajectories.txt").absolute())


def test_a_folder_of_other_files_is_not_made_a_project(scene_dir, tmp_path, qapp, errors):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert _studio(qapp, str(scene_dir / "frames"), "--trajectories", str(scene_dir / "trajectories.txt"),
                   "--project", str(folder)) == 0
    assert [t for t, _ in errors] == ["Cannot open the project"]
    assert "not a HumanSeg project" in errors[0][1]
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_without_inputs_a_missing_folder_is_still_refused(tmp_path, qapp, errors):
    assert _studio(qapp, "--project", str(tmp_path / "nowhere")) == 0
    assert [t for t, _ in errors] == ["Cannot open the project"] and "no such project folder" in errors[0][1]
    assert not (tmp_path / "nowhere").exists()


def test_a_home_folder_given_unexpanded_is_the_home_folder(scene_dir, tmp_path, qapp, errors, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)
    assert _studio(qapp, str(scene_dir / "frames"), "--trajectories", str(scene_dir / "trajectories.txt"),
                   "--project=~/p") == 0
    assert (tmp_path / "home" / "p" / FILENAME).is_file() and not (tmp_path / "~").exists()


def test_a_scene_folder_given_as_the_project_opens_as_a_scene(scene_dir, qapp, errors, capsys, monkeypatch):
    """A walk: `--project SCENE` (frames/, trajectories.txt, H.txt) said only "not a HumanSeg project" and opened
    nothing, though `humanseg-studio SCENE` reads that layout."""
    from app import main_window

    opened = []
    real = main_window.MainWindow.open_inputs
    monkeypatch.setattr(main_window.MainWindow, "open_inputs",
                        lambda self, inputs, *a, **k: opened.append(inputs) or real(self, inputs, *a, **k))
    assert _studio(qapp, "--project", str(scene_dir)) == 0
    assert not errors and not (scene_dir / FILENAME).exists()
    assert [i.trajectories for i in opened] == [str(scene_dir / "trajectories.txt")]
    assert f"{scene_dir} is a scene folder, not a project: opened as a scene" in capsys.readouterr().err
