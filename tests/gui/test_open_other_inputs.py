"""File ▸ Open of other inputs closes the open project: one scene's masks are never shown over another's
(issue 9: person 59's accepted masks stayed overlaid on trajectories without person 59)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


@pytest.fixture
def studio(window):
    from app.panels import install_panels

    install_panels(window)
    return window


def _inputs(scene_dir, trajectories=None) -> ProjectInputs:
    return ProjectInputs(video=str(scene_dir / "frames"),
                         trajectories=str(trajectories or scene_dir / "trajectories.txt"),
                         homography=str(scene_dir / "H.txt"))


@pytest.fixture
def opened(studio, scene_dir, tmp_path, qtbot):
    """A project on the scene, person 1's mask at frame 10 accepted and drawn over the video."""
    proj = Project.create(tmp_path / "proj", _inputs(scene_dir))
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    proj.add_proposals([Proposal(frame=10, pid=1, box=(30, 40, 50, 100), mask=mask, source="bgs:test",
                                 status="accepted")])
    proj.close()
    assert studio.review.open_project(str(tmp_path / "proj"))
    studio.select_person(1, jump=False)
    studio.set_frame(10)
    studio.review.panel.set_person(1)
    qtbot.waitUntil(lambda: "review" in studio.frame_view.mask_overlay_names(), timeout=3000)
    return studio


def test_other_trajectories_close_the_project_and_its_masks(opened, scene_dir, tmp_path):
    studio = opened
    other = tmp_path / "other.txt"  # the same video, persons 7 and 8 only
    other.write_text("0\t7\t2.0\t3.0\n10\t7\t2.5\t3.0\n10\t8\t8.0\t6.0\n20\t8\t8.5\t6.0\n")
    assert studio.open_inputs(_inputs(scene_dir, other))
    assert studio.scene.pids == [7, 8]
    assert studio.review.project is None and studio.review.panel.project is None
    assert studio.segmentation.project is None and studio.scene_run.project is None
    assert studio.frame_view.mask_overlay_names() == []  # nothing of the old scene drawn
    assert "closed" in studio.statusBar().currentMessage()
    assert not studio.review.act_close.isEnabled()


def test_the_same_inputs_keep_the_project_open(opened, scene_dir):
    project = opened.review.project
    assert opened.open_inputs(_inputs(scene_dir))  # e.g. File ▸ Open Recent of the project's own inputs
    assert opened.review.project is project and opened.segmentation.project is project


def test_a_failed_open_keeps_the_project(opened, scene_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(opened, "show_error", lambda *a: None)
    project = opened.review.project
    assert not opened.open_inputs(_inputs(scene_dir, tmp_path / "missing.txt"))
    assert opened.review.project is project


@pytest.mark.parametrize("change", ["homography", "h_order", "frame_offset"])
def test_the_same_files_read_another_way_close_the_project(opened, scene_dir, tmp_path, change):
    """A new-user walk opened the project's frames and trajectories with an inverted homography: the project
    stayed open, its old masks drawn under markers at (0, 14), and Generate Proposals wrote 31 'skipped'
    frames into it, made with a homography the project does not record."""
    import dataclasses

    studio = opened
    other = tmp_path / "H_other.txt"
    other.write_text("0.02 0 0\n0 0.02 0\n0 0 1\n")
    value = {"homography": str(other), "h_order": "rowcol", "frame_offset": 3}[change]
    assert studio.open_inputs(dataclasses.replace(_inputs(scene_dir), **{change: value}))
    assert studio.review.project is None and studio.segmentation.project is None
    assert studio.frame_view.mask_overlay_names() == []
    message = studio.statusBar().currentMessage()
    assert "closed" in message and "read another way" in message


def test_the_review_mask_shows_on_the_video_only_with_the_review_tab_in_front(opened, qtbot):
    """A walk saw an amber mask on the video with Play or Scene in front: the proposal under review, read as a
    result, in the colour of persons near amber."""
    from PySide6.QtWidgets import QDockWidget

    studio = opened
    assert "review" in studio.frame_view.mask_overlay_names()
    persons = studio.findChild(QDockWidget, "dock_Persons")
    studio.tabifyDockWidget(studio.review.dock, persons)
    persons.raise_()
    qtbot.waitUntil(lambda: "review" not in studio.frame_view.mask_overlay_names(), timeout=3000)
    studio.review.dock.raise_()
    qtbot.waitUntil(lambda: "review" in studio.frame_view.mask_overlay_names(), timeout=3000)
