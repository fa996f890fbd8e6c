"""The Open dialog and dropped paths: files recognised by what they hold, the dialog's fields round-tripped, and
the files beside a chosen frames folder or video filled in."""

from __future__ import annotations

import pytest

from app.open_dialog import empty_inputs, merge_paths, scene_folder_inputs
from humanseg_core.errors import InputError
from humanseg_core.records import ProjectInputs

pytestmark = pytest.mark.gui


def test_dropped_paths_are_recognised(scene_dir, tmp_path):
    inputs = merge_paths(empty_inputs(), [scene_dir])
    assert inputs.video.endswith("frames") and inputs.trajectories.endswith("trajectories.txt")
    assert inputs.homography.endswith("H.txt")
    h2 = tmp_path / "H_other.txt"
    h2.write_text((scene_dir / "H.txt").read_text())
    traj2 = tmp_path / "walks.txt"
    traj2.write_text((scene_dir / "trajectories.txt").read_text())
    inputs = merge_paths(empty_inputs(), [scene_dir / "frames", traj2, h2])
    assert (inputs.video, inputs.trajectories, inputs.homography) == (str(scene_dir / "frames"), str(traj2), str(h2))
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    with pytest.raises(InputError, match="junk.txt"):
        merge_paths(empty_inputs(), [junk])
    # TrajNet++ and a matrix written as JSON: text files too, not videos
    ndjson = tmp_path / "walks.ndjson"
    ndjson.write_text('{"track": {"f": 0, "p": 1, "x": 1.5, "y": 2.0}}\n')
    matrix = tmp_path / "calib.json"
    matrix.write_text("[[0.05, 0, 0], [0, 0.05, 0], [0, 0, 1]]\n")
    inputs = merge_paths(empty_inputs(), [ndjson, matrix])
    assert (inputs.trajectories, inputs.homography, inputs.video) == (str(ndjson), str(matrix), "")


def test_open_dialog_round_trips_inputs(qtbot, scene_dir):
    from app.open_dialog import OpenDialog

    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"), h_order="rowcol", h_direction="world-to-pixel",
                           traj_format="trajnet", frame_offset=5, frame_step=2)  # fmt: skip
    dialog = OpenDialog(inputs)
    qtbot.addWidget(dialog)
    assert dialog.inputs() == inputs
    dialog.video.edit.setText("")
    assert not dialog._open_button.isEnabled()


def test_a_click_into_a_filled_path_selects_it_and_typing_replaces_it(qtbot, scene_dir, tmp_path):
    """A walk clicked into the filled trajectory field, typed another path, and got the two run together."""
    from PySide6.QtCore import Qt

    from app.open_dialog import OpenDialog

    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"))
    dialog = OpenDialog(inputs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.trajectories.edit
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: edit.selectedText() == str(scene_dir / "trajectories.txt"), timeout=2000)
    qtbot.keyClicks(edit, "/elsewhere/t.txt")
    assert edit.text() == "/elsewhere/t.txt"


def test_the_open_dialog_fills_the_files_beside_a_frames_folder_or_video(qtbot, scene_dir, tmp_path):
    """A studio walk chose ``zara01_feet/frames`` and typed the trajectory file and homography beside it by hand;
    its pickers opened in the shell's working folder."""
    from app.open_dialog import OpenDialog

    dialog = OpenDialog()
    qtbot.addWidget(dialog)
    dialog.video.edit.setText(str(scene_dir / "frames"))
    assert dialog.inputs() == scene_folder_inputs(scene_dir)
    assert dialog.trajectories._start() == str(scene_dir)
    eth = tmp_path / "seq_eth"  # the ETH BIWI release: seq_eth.avi beside obsmat.txt and H.txt
    eth.mkdir()
    for name in ("seq_eth.avi", "obsmat.txt", "H.txt"):
        (eth / name).write_text("x")
    dialog.video.edit.setText(str(eth / "seq_eth.avi"))
    got = dialog.inputs()
    assert (got.video, got.trajectories, got.homography) == (str(eth / "seq_eth.avi"), str(eth / "obsmat.txt"),
                                                             str(eth / "H.txt"))
    dialog.trajectories.edit.setText(str(tmp_path / "mine.txt"))  # the analyst's own choice stays
    dialog.video.edit.setText(str(scene_dir / "frames"))
    assert dialog.inputs().trajectories == str(tmp_path / "mine.txt")
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "clip.mp4").write_text("x")
    dialog = OpenDialog()
    qtbot.addWidget(dialog)
    dialog.video.edit.setText(str(alone / "clip.mp4"))  # nothing beside it: nothing filled
    assert dialog.inputs().trajectories == "" and dialog.inputs().homography is None
