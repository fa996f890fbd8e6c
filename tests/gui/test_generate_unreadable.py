"""The Generate dialog names the annotated frames it could not read instead of a vague "unreadable frame…".

Walk: a new project on the demo with frames/00010.jpg truncated: "Done: 38 proposals stored, 2 frames
skipped (no detection near the track point, unreadable frame…)." without saying which frame, or why.
"""

import numpy as np
import pytest
from fakes import OneFrameScene

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.review.generate_dialog import GenerateDialog
from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.records import UNREADABLE_FRAME, ProjectInputs, Proposal, Skip

PROBLEM = "/data/frames/00010.jpg: frame 10: damaged JPEG (Premature end of JPEG file); the frame is skipped"


def _run(qtbot, tmp_path, skips):
    def generate(scene, pids, method, cancel=None, **kw):
        yield Progress(1, 1, "frame 20", data={"frame": 20})
        m = np.zeros((8, 8), bool)
        m[2:6, 2:6] = True
        return [Proposal(0, 1, (2, 2, 6, 6), m, "bgs:fake")], skips

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(0, 10, 20)), project, generate=generate)
    qtbot.addWidget(dlg)
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    text = dlg.progress_label.text()
    project.close()
    return text


def test_an_unreadable_frame_is_named(qtbot, tmp_path):
    text = _run(qtbot, tmp_path, [Skip(10, 1, UNREADABLE_FRAME + PROBLEM), Skip(10, 2, UNREADABLE_FRAME + PROBLEM),
                                  Skip(20, 2, "no detection within 40 px of the track point")])
    assert text == ("Done: 1 proposal stored, 3 person-frames skipped. 1 frame could not be read, no proposal there: "
                    f"{PROBLEM}.")


def test_skips_without_unreadable_frames_say_so(qtbot, tmp_path):
    text = _run(qtbot, tmp_path, [Skip(20, 2, "no detection within 40 px of the track point")])
    assert text == "Done: 1 proposal stored, 1 person-frame skipped (1 no detection within 40 px of the track point)."


def test_skips_are_counted_by_their_reasons(qtbot, tmp_path):
    """A walk on a crowd read "9 frames skipped (no detection near the track point)" (a fixed text) where every
    skip was the mostly-behind rule."""
    text = _run(qtbot, tmp_path, [Skip(20, 2, "hidden behind person 196"), Skip(30, 2, "hidden behind person 198"),
                                  Skip(40, 2, "too little of the person is visible")])
    assert text == ("Done: 1 proposal stored, 3 person-frames skipped (2 hidden behind a nearer person, 1 with too "
                    "little of the person visible).")


def test_the_bar_counts_frames_while_the_message_names_one():
    """A walk read 'frame 10 of 20' on the bar under 'frame 8990: 15 proposals': two meanings of frame."""
    from app.review.generate_dialog import progress_text

    assert progress_text(Progress(10, 20, "frame 8990: 15 proposals")) == "10 of 20 frames"
    assert progress_text(Progress(3, 8, "preparing", data={"stage": "prepare"})) == "preparing 3 of 8"


def test_the_estimated_track_point_is_said(qtbot, tmp_path):
    """A walk: 'Track point on: the project's (auto: estimated)' never said what was estimated, while a wrong
    guess (centre for feet) hid most frames as 'behind a nearer person'."""
    def generate(scene, pids, method, cancel=None, **kw):
        yield Progress(1, 1, "frame 20", data={"frame": 20, "anchor": "centre"})
        m = np.zeros((8, 8), bool)
        m[2:6, 2:6] = True
        return [Proposal(0, 1, (2, 2, 6, 6), m, "bgs:fake")], []

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(0, 10, 20)), project, generate=generate)
    qtbot.addWidget(dlg)
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert "Track points taken on the centre of the body (estimated" in dlg.progress_label.text()
    dlg.anchor_box.setCurrentIndex(dlg.anchor_box.findData("feet"))  # chosen, not estimated: nothing to say
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert "Track points taken" not in dlg.progress_label.text()
    project.close()


def test_once_done_enter_closes_the_dialog_rather_than_generating_again(qtbot, tmp_path):
    """A walk pressed Enter to dismiss "Done" and started a new run over the proposals just stored."""
    def generate(scene, pids, method, cancel=None, **kw):
        yield Progress(1, 1, "frame 20", data={"frame": 20})
        return [], []

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        dlg = GenerateDialog(OneFrameScene([1, 2], frames=(0, 10, 20)), project, generate=generate)
        qtbot.addWidget(dlg)
        assert dlg.run_button.isDefault()
        dlg.start()
        qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
        assert dlg.cancel_button.isDefault() and not dlg.run_button.isDefault()
        assert dlg.cancel_button.text() == "Close"
    finally:
        project.close()
