"""Unsaved mask strokes are never dropped without a word: quitting the studio or closing the project asks
Save / Discard / Cancel as leaving the editor does (students03 walk: strokes on a Fix frame vanished when the
window closed)."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import rect_mask
from PySide6.QtWidgets import QMessageBox

from humanseg_core.project import Project
from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui


@pytest.fixture
def editing(window, scene_dir, tmp_path, qtbot):
    """The studio on the generated scene with a project, person 1's first proposal in the editor and one
    brush stroke drawn (not saved); returns (window, review controller, proposal id, stroked mask)."""
    from app.open_dialog import scene_folder_inputs
    from app.review.install import install_review

    ctrl = install_review(window)
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    assert ctrl.new_project(folder=tmp_path / "proj")
    h, w = 240, 320  # conftest's generated scene
    box = (30, 60, 50, 110)
    ctrl.project.add_proposals([Proposal(frame=f, pid=1, box=box, mask=rect_mask((h, w), *box),
                                         source="bgs:test") for f in (0, 10)])
    ctrl.panel.refresh()
    ctrl.panel.set_person(1)
    panel = ctrl.panel
    pid = panel.current_id
    assert pid is not None
    panel.toggle_edit()  # E
    assert panel.editing
    stroked = panel.editor.current_mask().copy()
    stroked[5:9, 5:9] = True  # a stroke far from the person
    panel.editor.apply(stroked, "test stroke")
    assert panel.editor.dirty
    return window, ctrl, pid, stroked


def _second_person_then_stroke(ctrl, frame: int, proposal_id=None):
    """Person 2 given a proposal on ``frame`` and the panel re-read, then person 1's proposal (``proposal_id``,
    else its first) opened in the editor with a stroke drawn; returns the panel."""
    box = (90, 60, 110, 110)
    ctrl.project.add_proposals([Proposal(frame=frame, pid=2, box=box, mask=rect_mask((240, 320), *box),
                                         source="bgs:test")])
    panel = ctrl.panel
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    panel.refresh()  # person 2 in the Person box
    panel.set_person(1)
    if proposal_id is not None:
        panel.go_to(proposal_id)
    panel.toggle_edit()
    stroked = panel.editor.current_mask().copy()
    stroked[5:9, 5:9] = True
    panel.editor.apply(stroked, "test stroke")
    return panel


def _stored(folder, pid):
    with Project.open(folder) as p:
        return p.get_proposal(pid)


def test_quitting_with_unsaved_strokes_asks_and_cancel_keeps_the_window(editing):
    window, ctrl, pid, _stroked = editing
    asked = []
    ctrl.panel.ask_unsaved = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    assert not window.close()  # cancelled: the window stays, still editing
    assert asked and window.isVisible() and ctrl.panel.editing
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close


def test_quitting_with_unsaved_strokes_can_save_them(editing):
    window, ctrl, pid, stroked = editing
    folder = ctrl.project.folder
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Save
    assert window.close()
    saved = _stored(folder, pid)
    assert saved.status == "edited" and np.array_equal(saved.mask, stroked)


def test_closing_the_project_with_unsaved_strokes_asks(editing):
    window, ctrl, pid, stroked = editing
    folder = ctrl.project.folder
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    ctrl.close_project()
    assert ctrl.project is not None and ctrl.panel.editing  # kept open
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Save
    ctrl.close_project()
    assert ctrl.project is None
    assert np.array_equal(_stored(folder, pid).mask, stroked)


def test_another_person_chosen_with_unsaved_strokes_and_cancel_leaves_everything_on_the_edit(editing, qtbot):
    """A walk: picking person 2 in the Person box (or on the video) and answering Cancel left the box, the ring,
    the timeline and the Fix tab on person 2 while the editor held person 1's edit."""
    window, ctrl, pid, _stroked = editing
    panel = _second_person_then_stroke(ctrl, 0)
    pid = panel.current_id
    assert panel.editing and panel.editor.dirty and panel.pid == 1
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    panel.person_box.setCurrentIndex(panel.person_box.findData(2))  # the Person box
    assert panel.pid == 1 and panel.person_box.currentData() == 1 and panel.editing
    window.select_person(2)  # a click on person 2 on the video
    qtbot.waitUntil(lambda: window.selected_pid == 1, timeout=3000)
    assert panel.pid == 1 and panel.editing and panel.current_id == pid
    assert ctrl.correction.pid != 2
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close


def test_fix_frame_asks_before_an_open_edit_is_left(editing):
    """Fix frame re-read the Review panel and dropped its unsaved strokes without a word."""
    window, ctrl, pid, stroked = editing
    run = ctrl.project.add_run(1, "osvos-lite")
    ctrl.project.save_results(1, run, {10: stroked})
    asked = []
    ctrl.panel.ask_unsaved = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    assert ctrl.correction.fix_frame(10) is None
    assert asked and ctrl.panel.editing and ctrl.panel.editor.dirty and ctrl.panel.current_id == pid
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close


def test_a_skipped_frame_gone_to_is_said(editing, qtbot):
    """A walk went to a frame where its person was skipped (hidden): Review stayed on another frame, silent."""
    from humanseg_core.records import Skip

    window, ctrl, _pid, _stroked = editing
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    ctrl.panel.finish_edit()
    ctrl.project.add_skips([Skip(5, 1, "hidden behind person 2")])
    said = []
    ctrl.panel.message.connect(said.append)
    ctrl.panel.follow_frame(5)
    assert said and said[-1].startswith("Person 1 has no proposal on frame 5: hidden behind person 2; Review stays")


def test_label_here_with_an_open_edit_asks_once_and_cancel_writes_nothing(editing):
    """A review: Label This Frame by Hand wrote a blank hand label first, then asked two or three times; Cancel
    left the blank label in the project."""
    from app.review.label_here import label_this_frame

    window, ctrl, pid, _stroked = editing
    asked = []
    ctrl.panel.ask_unsaved = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    window.set_frame(5)
    before = len(ctrl.project.proposals(1, with_masks=False))
    assert label_this_frame(ctrl) is None
    assert asked == [1] and len(ctrl.project.proposals(1, with_masks=False)) == before
    assert ctrl.panel.editing and ctrl.panel.current_id == pid
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close


def test_a_re_read_asked_during_an_edit_follows_when_it_is_left(editing, qtbot):
    """A review: Generate's re-read, answered Cancel, left the panel without the new person for good."""
    window, ctrl, _pid, _stroked = editing
    box = (90, 60, 110, 110)
    ctrl.project.add_proposals([Proposal(frame=0, pid=3, box=box, mask=rect_mask((240, 320), *box),
                                         source="bgs:test")])
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    assert not ctrl.panel.refresh(masks_changed=True)
    assert ctrl.panel.person_box.findData(3) < 0 and ctrl.panel.editing
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    assert ctrl.panel.finish_edit()
    qtbot.waitUntil(lambda: ctrl.panel.person_box.findData(3) >= 0, timeout=3000)


def test_cancel_takes_the_window_back_to_the_edits_frame(editing, qtbot):
    """A review: a person chosen in the Persons tab moved the video to its first frame; after Cancel the selection
    went back but the video stayed on the other person's frame."""
    window, ctrl, pid, _stroked = editing
    panel = _second_person_then_stroke(ctrl, 10, pid)
    edit_frame = panel.current_record().frame
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    window.select_person(2)  # jumps to person 2's first frame, then Review refuses
    qtbot.waitUntil(lambda: window.selected_pid == 1 and window.current_frame == edit_frame, timeout=3000)
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close


def test_the_edit_bar_keeps_its_layout_as_the_radius_grows(editing, qtbot):
    """A walk dragged the radius from 2 to 19 px: the label widened, the bar wrapped to two rows and the canvas
    moved 10-20 px under the brush."""
    _window, ctrl, _pid, _stroked = editing
    editor = ctrl.panel.editor
    editor.size_slider.setValue(2)
    narrow = editor.size_label.sizeHint().width()
    editor.size_slider.setValue(19)
    wide = editor.size_label.fontMetrics().horizontalAdvance(editor.size_label.text())
    assert editor.size_label.minimumWidth() >= wide and editor.size_label.minimumWidth() >= narrow
    ctrl.panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the fixture's close
