"""The banner above the video: the frame offset it names is one click."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.open_dialog import scene_folder_inputs  # noqa: E402


def test_the_frame_offset_the_banner_names_is_one_click(window, tmp_path, qtbot, gen):
    """A walk: the banner named the exact fix ('a frame offset of -10280 …') but applying it meant File ▸ Open…
    again; now it is a button."""
    from PySide6.QtCore import Qt

    folder = gen.write_scene(tmp_path / "late")
    for p in sorted((folder / "frames").glob("*.jpg"), reverse=True):  # the video's frames numbered from 5000
        p.rename(p.with_name(f"{int(p.stem) + 5000:05d}.jpg"))
    assert window.open_inputs(scene_folder_inputs(folder))
    assert "none of the annotated frames" in window.banner.text()
    button = window.offset_button
    assert button.isVisible() and button.text() == "Use frame offset 5000"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window._inputs.frame_offset == 5000 and window.scene.annotated_frames()[0] >= 5000
    assert "none of the annotated frames" not in window.banner.text() and not button.isVisible()


def test_an_open_project_with_nothing_placed_takes_the_offset(panels_studio, tmp_path, qtbot, gen):
    """A walk's project made with a wrong frame offset: the button reopened the files with the right one and so
    closed the project ("read another way"); a project with nothing placed yet now takes the offset."""
    from PySide6.QtCore import Qt

    from humanseg_core.project import Project

    window = panels_studio
    folder = gen.write_scene(tmp_path / "late")
    for p in sorted((folder / "frames").glob("*.jpg"), reverse=True):
        p.rename(p.with_name(f"{int(p.stem) + 5000:05d}.jpg"))
    assert window.open_inputs(scene_folder_inputs(folder))
    assert window.review.new_project(folder=tmp_path / "proj")
    qtbot.mouseClick(window.offset_button, Qt.MouseButton.LeftButton)
    assert window.review.project is not None and window.review.project.inputs.frame_offset == 5000
    assert window._inputs.frame_offset == 5000 and "none of the annotated frames" not in window.banner.text()
    window.review.close_project()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.frame_offset == 5000  # kept for the next opening
