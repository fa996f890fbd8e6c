"""New Project suggests a folder in the user's projects folder, never inside the input data (issue 9)."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.open_dialog import scene_folder_inputs
from app.review import project_dialogs
from app.review.project_dialogs import LAST_PARENT_KEY, PROJECTS_DIR, suggest_project_folder
from humanseg_core.records import ProjectInputs


def test_the_suggestion_is_in_the_documents_under_the_scene_name(scene_dir, tmp_path):
    inputs = scene_folder_inputs(scene_dir)
    docs = tmp_path / "docs"
    got = suggest_project_folder(inputs, documents=docs)
    assert got == docs / PROJECTS_DIR / scene_dir.name
    assert scene_dir.resolve() not in got.resolve().parents
    video = ProjectInputs(video=str(tmp_path / "clips" / "street cam.mp4"), trajectories=str(tmp_path / "t.txt"))
    assert suggest_project_folder(video, documents=docs).name == "street cam"


def test_a_last_folder_that_is_a_project_is_not_suggested_again(scene_dir, tmp_path):
    """A review: a last folder inside a project (the walk's nested project had set it) made New Project suggest a
    folder there every time, and Create then refused it."""
    from humanseg_core.project import Project

    Project.create(tmp_path / "old", ProjectInputs(video="v.mp4", trajectories="t.txt")).close()
    docs = tmp_path / "docs"
    got = suggest_project_folder(scene_folder_inputs(scene_dir), last_parent=tmp_path / "old", documents=docs)
    assert got.parent == docs / PROJECTS_DIR


def test_the_last_projects_folder_wins_unless_it_is_inside_the_inputs(scene_dir, tmp_path):
    inputs = scene_folder_inputs(scene_dir)
    docs = tmp_path / "docs"
    mine = tmp_path / "my projects"
    assert suggest_project_folder(inputs, last_parent=mine, documents=docs) == mine / scene_dir.name
    for inside in (scene_dir, scene_dir / "frames", scene_dir / "frames" / "deeper"):
        assert suggest_project_folder(inputs, last_parent=inside, documents=docs).parent == docs / PROJECTS_DIR


def test_a_used_name_gets_a_number(scene_dir, tmp_path):
    inputs = scene_folder_inputs(scene_dir)
    first = tmp_path / PROJECTS_DIR / scene_dir.name
    first.mkdir(parents=True)
    assert suggest_project_folder(inputs, documents=tmp_path) == first  # empty: usable
    (first / "project.sqlite").write_bytes(b"")
    assert suggest_project_folder(inputs, documents=tmp_path) == first.with_name(f"{scene_dir.name}-2")


def test_new_project_pressing_enter_writes_outside_the_data_and_remembers_the_folder(
        qtbot, scene_dir, tmp_path, settings, monkeypatch):
    from app.main_window import MainWindow
    from app.review.install import install_review

    docs = tmp_path / "docs"
    docs.mkdir()
    monkeypatch.setattr(project_dialogs, "documents_folder", lambda: docs)
    offered = []

    def enter(parent, suggested: Path) -> str:  # the user accepts the suggestion as it is
        offered.append(suggested)
        assert suggested.parent.is_dir()  # the dialog can start there
        return str(suggested)

    monkeypatch.setattr(project_dialogs, "ask_new_folder", enter)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    ctrl = install_review(window)
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    before = sorted(p.name for p in scene_dir.iterdir())
    try:
        assert ctrl.new_project()
        assert Path(ctrl.project.folder) == docs / PROJECTS_DIR / scene_dir.name
        assert sorted(p.name for p in scene_dir.iterdir()) == before  # nothing written into the inputs
        assert settings.value(LAST_PARENT_KEY) == str(docs / PROJECTS_DIR)
        assert ctrl.new_project()  # the next one: same projects folder, a free name
        assert offered[-1] == docs / PROJECTS_DIR / f"{scene_dir.name}-2"
    finally:
        ctrl.close_project()
        window.close()


def test_a_projects_folder_made_for_the_dialog_is_removed_when_another_is_chosen(tmp_path, monkeypatch):
    """A walk typed its own folder and found an empty "HumanSeg projects" left in its home."""
    from humanseg_core.records import ProjectInputs

    docs = tmp_path / "docs"
    docs.mkdir()
    monkeypatch.setattr(project_dialogs, "documents_folder", lambda: docs)
    frames = tmp_path / "frames"
    frames.mkdir()
    (tmp_path / "t.txt").write_text("0 1 1.0 2.0\n")
    inputs = ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"))
    monkeypatch.setattr(project_dialogs, "ask_new_folder", lambda parent, suggested: "")  # cancelled
    assert project_dialogs.new_project(None, inputs) is None
    assert not (docs / PROJECTS_DIR).exists()
    monkeypatch.setattr(project_dialogs, "ask_new_folder", lambda parent, suggested: str(tmp_path / "mine" / "p"))
    project = project_dialogs.new_project(None, inputs)
    try:
        assert project is not None and not (docs / PROJECTS_DIR).exists()
    finally:
        project.close()
    kept = docs / PROJECTS_DIR / "old"
    kept.mkdir(parents=True)  # a projects folder that was there already stays
    monkeypatch.setattr(project_dialogs, "ask_new_folder", lambda parent, suggested: "")
    project_dialogs.new_project(None, inputs)
    assert kept.is_dir()


def test_a_new_project_leaves_no_mask_of_the_last_one_on_the_video(panels_studio, scene_dir, tmp_path, qtbot):
    """A walk's New Project… showed the old project's mask of a person on the video until the frame changed."""
    import numpy as np

    from humanseg_core.project import Project
    from humanseg_core.records import Proposal

    window = panels_studio
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    with Project.create(tmp_path / "proj", scene_folder_inputs(scene_dir)) as p:
        mask = np.zeros((window.frames.height, window.frames.width), bool)
        mask[10:40, 10:30] = True
        p.add_proposals([Proposal(frame=10, pid=1, box=(10, 10, 30, 40), mask=mask, source="bgs")])
    assert window.review.open_project(str(tmp_path / "proj"))
    window.select_person(1)
    window.set_frame(10)
    qtbot.waitUntil(lambda: "review" in window.frame_view._masks, timeout=5000)  # its proposal on the video
    assert window.review.new_project(folder=tmp_path / "new")
    assert "review" not in window.frame_view._masks
