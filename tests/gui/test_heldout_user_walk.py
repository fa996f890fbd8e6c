"""Defects a new analyst met on a held-out scene (zara02_center, then students03): the Open dialog kept the
previous scene's files, the Whole scene panel's texts and table during a run."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _scene_folder(folder):
    (folder / "frames").mkdir(parents=True)
    (folder / "trajectories.txt").write_text("0 1 1.0 1.0\n")
    (folder / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    return folder


def test_another_scene_folder_replaces_the_open_scenes_files(qtbot, tmp_path):
    """File ▸ Open with zara02_center open, students03 typed as the video: the dialog kept zara02_center's
    trajectories and H.txt (filled in from the open inputs, not chosen in the dialog), and the studio
    opened students03's frames with zara02's tracks ('all annotated frames (5010..5200) are not in the
    video')."""
    from app.open_dialog import OpenDialog, scene_folder_inputs

    first, second = _scene_folder(tmp_path / "zara02_center"), _scene_folder(tmp_path / "students03")
    dialog = OpenDialog(scene_folder_inputs(first))  # what the window passes: the open inputs
    qtbot.addWidget(dialog)
    dialog.video.edit.selectAll()
    qtbot.keyClicks(dialog.video.edit, str(second))  # typed over, letter by letter
    got = dialog.inputs()
    assert got.video == str(second / "frames")
    assert got.trajectories == str(second / "trajectories.txt")
    assert got.homography == str(second / "H.txt")


def test_the_open_scenes_files_stay_for_a_plain_video(qtbot, tmp_path):
    """Another video of the same scene (not a scene folder) keeps the open trajectories and homography."""
    from app.open_dialog import OpenDialog, scene_folder_inputs

    first = _scene_folder(tmp_path / "zara02_center")
    other = tmp_path / "other_frames"
    other.mkdir()
    dialog = OpenDialog(scene_folder_inputs(first))
    qtbot.addWidget(dialog)
    dialog.video.edit.setText(str(other))
    assert dialog.trajectories.text() == str(first / "trajectories.txt")
    assert dialog.homography.text() == str(first / "H.txt")
    mine = tmp_path / "mine.txt"  # chosen in the dialog: a scene folder typed afterwards leaves it
    dialog.trajectories.edit.setText(str(mine))
    dialog.video.edit.setText(str(_scene_folder(tmp_path / "students03")))
    assert dialog.trajectories.text() == str(mine)
    assert dialog.homography.text() == str(tmp_path / "students03" / "H.txt")
