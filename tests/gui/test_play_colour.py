"""The Play tab draws the selected person's mask in the person's marker colour (as the Whole scene overlay)."""

import numpy as np
import pytest
from fakes import main_window_api

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from app.colors import person_rgb
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 240, 320


def _pixel(view, y, x):
    img = view.render_image(W, H)
    c = QColor(img.pixel(x, y))
    return c.red(), c.green(), c.blue()


def test_the_play_overlay_uses_the_persons_marker_colour(qtbot, tmp_path, scene_dir, monkeypatch):
    from app.open_dialog import scene_folder_inputs
    from app.segmentation.install import install_segmentation
    from humanseg_core.inputs.scene import load_scene

    project = Project.create(tmp_path / "proj", ProjectInputs(str(tmp_path / "v"), str(tmp_path / "t.txt")))
    m = np.zeros((H, W), bool)
    m[40:120, 60:140] = True
    project.add_proposals([Proposal(0, pid, (60, 40, 140, 120), m, "test", status="accepted") for pid in (1, 2)])
    i = scene_folder_inputs(scene_dir)
    scene = load_scene(video=i.video, trajectories=i.trajectories, homography=i.homography)
    try:
        win = main_window_api(scene)
        qtbot.addWidget(win)
        win.frame_view.set_frame(np.zeros((H, W, 3), np.uint8))
        c = install_segmentation(win, project)
        play = c.playback
        play.set_source("accepted")
        play.opacity.setValue(100)
        play.outline.setChecked(False)
        for pid in (1, 2):
            win.selected_pid = pid
            win.person_selected.emit(pid)
            play.show_frame(0)
            got = _pixel(win.frame_view, 80, 100)
            want = person_rgb(pid)
            assert max(abs(a - b) for a, b in zip(got, want)) <= 3, (pid, got, want)
            assert _pixel(win.frame_view, 200, 250) == (0, 0, 0)  # outside the mask: the frame
        assert person_rgb(1) != person_rgb(2)
        monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *a, **k: QColor(0, 0, 255)))
        play._pick_color()  # what the analyst picks wins, for any person
        win.person_selected.emit(2)
        play.show_frame(0)
        assert _pixel(win.frame_view, 80, 100)[2] >= 250
    finally:
        project.close()
        scene.close()
