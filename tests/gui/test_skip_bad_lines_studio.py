"""The studio asks before leaving a trajectory file's bad rows out: yes opens the scene with a banner naming
them (and a project made now keeps reading the file that way), no leaves the message and what was open."""

import pytest
from fakes import frames_and_trajectories

from humanseg_core.records import ProjectInputs

pytestmark = pytest.mark.gui


@pytest.fixture
def bad_inputs(tmp_path):
    frames, traj = frames_and_trajectories(tmp_path, 21, "0 1 1.0 2.0\n10 1 1.5 2\n10 1 oops 2\n20 1 2.0 2\n")
    return ProjectInputs(video=str(frames), trajectories=str(traj))


@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    return w


def test_skipping_opens_the_scene_and_the_banner_names_the_line(window, bad_inputs):
    asked, said = [], []
    window.ask_skip_bad_lines = lambda message: asked.append(message) or True
    window.show_error = lambda title, message: said.append(message)
    assert window.open_inputs(bad_inputs)
    assert len(asked) == 1 and "line 3" in asked[0] and "oops" in asked[0] and not said
    assert window.scene.trajectories.tracks[1].frames.tolist() == [0, 10, 20]
    assert window.inputs.skip_bad_lines  # what a new project records, and Recent reopens
    assert "1 bad line skipped (line 3: x 'oops' is not a number)" in window.banner.text()
    assert window.recent.items()[0].skip_bad_lines


def test_declining_opens_nothing_and_asks_no_more(window, bad_inputs):
    """The question names the file and the line; a decline is not answered with the same words as an error (a
    walk), and File > Open comes back with the paths (failed_inputs)."""
    said, asked = [], []
    window.ask_skip_bad_lines = lambda message: asked.append(message) and False
    window.show_error = lambda title, message: said.append(message)
    assert not window.open_inputs(bad_inputs)
    assert window.scene is None and said == [] and len(asked) == 1 and "line 3" in asked[0]
    assert window.failed_inputs is not None and not window.failed_inputs.skip_bad_lines


def test_a_whole_file_problem_is_not_offered_a_skip(window, bad_inputs, tmp_path):
    from pathlib import Path

    Path(bad_inputs.trajectories).write_bytes(b"0 1 1 2\n\x00")
    asked, said = [], []
    window.ask_skip_bad_lines = lambda message: asked.append(message) or True
    window.show_error = lambda title, message: said.append(message)
    assert not window.open_inputs(bad_inputs)
    assert not asked and "binary" in said[0]


def test_the_question_box_skips_on_its_button(window, qtbot, _bad_lines_not_skipped):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen = []

    def answer(button_text):
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(50, lambda: answer("Skip Bad Lines and Open"))
    assert _bad_lines_not_skipped(window, "t.txt, line 3: x 'oops' is not a number") is True
    QTimer.singleShot(50, lambda: answer("Cancel"))
    assert _bad_lines_not_skipped(window, "t.txt, line 3: x 'oops' is not a number") is False
    assert "line 3" in seen[0] and "the file is not changed" in seen[0]


@pytest.mark.parametrize("answer", [True, False])
def test_the_trajectories_and_homography_given_swapped_are_offered_swapped(window, tmp_path, answer):
    """A walk gave the homography as the trajectories and the other way round: told "is this the homography?",
    the Open window had closed and everything was to be chosen again."""
    frames, traj = frames_and_trajectories(tmp_path, 21, "0 1 1.0 2.0\n10 1 1.5 2\n20 1 2.0 2\n")
    h = tmp_path / "H.txt"
    h.write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    asked, said = [], []
    window.ask_swap = lambda message: asked.append(message) or answer
    window.show_error = lambda title, message: said.append(message)
    opened = window.open_inputs(ProjectInputs(video=str(frames), trajectories=str(h), homography=str(traj)))
    assert len(asked) == 1 and "is this the homography?" in asked[0] and opened is answer
    if answer:
        assert not said and window.inputs.trajectories == str(traj) and window.inputs.homography == str(h)
        assert window.scene.trajectories.tracks[1].frames.tolist() == [0, 10, 20]
    else:
        assert window.scene is None and len(said) == 1 and "is this the homography?" in said[0]
