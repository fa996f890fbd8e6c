"""The Review queue as the analyst steers it: a save that changes nothing, the status chips hiding the proposal shown
(while editing too), a second accepted mask of a frame, and W with Pending hidden (split from test_review.py)."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import rect_mask
from PySide6.QtCore import Qt
from test_review import H, W, _drag, _statuses

from humanseg_core.project import Project
from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui


def test_saving_an_unchanged_mask_stores_nothing(qtbot, panel, project):
    """A walk's Ctrl+S without a stroke marked the pending proposal edited (a hand label, never held out), with
    an 'edit' row whose masks were the same pixels."""
    pid = panel.current_id
    said: list = []
    panel.message.connect(said.append)
    qtbot.keyClick(panel, Qt.Key.Key_E)
    qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not panel.editing and panel.current_id == pid  # left the editor, stayed on the frame
    assert said[-1].endswith("mask is unchanged: nothing saved, it stays pending (A accepts it as proposed)")
    panel.editor.size_slider.setValue(4)
    qtbot.keyClick(panel, Qt.Key.Key_E)
    _drag(panel.view, [(10, 10), (20, 12)])  # a stroke outside the person, then erased: the same pixels again
    panel.editor.set_erasing(True)
    _drag(panel.view, [(10, 10), (20, 12)])
    assert panel.editor.dirty and panel.editor.undo_stack.count() == 2
    panel.editor.save_button.click()
    assert not panel.editing and "unchanged" in said[-1]
    with Project.open(project.folder) as reopened:
        assert reopened.get_proposal(pid).status == "pending" and not reopened.history(pid)
    assert panel.counts.counts["edited"] == 0 and not panel.undo_stack.canUndo()


def test_a_proposal_the_filter_hides_is_left_for_one_shown(qtbot, panel, project):
    """A walk showed pending proposals only while an accepted one was on screen: X then rejected that hidden
    accepted frame."""
    qtbot.keyClick(panel, Qt.Key.Key_A)  # frame 10 accepted; the panel moves on to 20
    panel.go_to(next(p.id for p in project.proposals(1, with_masks=False) if p.frame == 10))
    assert _frame_of(panel) == 10
    panel.counts.buttons["accepted"].setChecked(False)  # pending only: frame 10 hidden
    assert _frame_of(panel) == 20
    qtbot.keyClick(panel, Qt.Key.Key_X)
    assert _statuses(project.folder, 1) == {10: "accepted", 20: "rejected", 30: "pending", 40: "pending"}
    panel.counts.buttons["pending"].setChecked(False)  # nothing shown of person 1's (rejected and edited are)
    panel.counts.buttons["rejected"].setChecked(False)
    assert panel.current_id is None and "statuses chosen above" in panel.info.text()
    qtbot.keyClick(panel, Qt.Key.Key_A)  # nothing to decide
    assert _statuses(project.folder, 1) == {10: "accepted", 20: "rejected", 30: "pending", 40: "pending"}


def _frame_of(panel):
    return panel._record(panel.current_id).frame


def test_accepting_a_second_mask_of_a_frame_says_which_is_its_label(qtbot, panel, project):
    """A walk accepted a second method's proposal on a frame whose first was accepted: both were labels, export
    took the later one, and nothing said so."""
    box = (44, 34, 60, 86)
    project.add_proposals([Proposal(frame=10, pid=1, box=box, mask=rect_mask((H, W), *box), source="other"),
                           Proposal(frame=20, pid=1, box=box, mask=rect_mask((H, W), *box), source="other")])
    panel.refresh()
    said: list = []
    panel.message.connect(said.append)
    ids = {(p.frame, p.source): p.id for p in project.proposals(1, with_masks=False)}
    panel.go_to(ids[(10, "bgs:test")])
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert said[-1] == "Person 1, frame 10: accepted"
    panel.go_to(ids[(10, "other")])
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert said[-1] == "Person 1, frame 10: accepted; bgs:test's is accepted too: keep one (X)"
    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undone: pending again
    panel.go_to(ids[(10, "other")])
    qtbot.keyClick(panel, Qt.Key.Key_X)  # a rejection beside the frame's label: no note
    assert said[-1] == "Person 1, frame 10: rejected"
    with project._tx("test edit") as conn:  # frame 20's first proposal edited by hand
        conn.execute("UPDATE proposals SET status = 'edited' WHERE id = ?", (ids[(20, "bgs:test")],))
    panel.refresh()
    panel.go_to(ids[(20, "other")])
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert said[-1] == "Person 1, frame 20: accepted; the frame's edited mask stays its label"
    assert not np.array_equal(project.accepted_masks(1)[20], rect_mask((H, W), *box))


def test_a_proposal_hidden_while_edited_is_left_after_the_editor_and_shown_again_with_its_status(qtbot, panel,
                                                                                                  project):
    """A review: a chip turned off while editing left the hidden proposal current after Esc (X rejected it); with
    every chip off and Pending on again, nothing was shown and A did nothing."""
    qtbot.keyClick(panel, Qt.Key.Key_A)  # frame 10 accepted
    panel.go_to(next(p.id for p in project.proposals(1, with_masks=False) if p.frame == 10))
    qtbot.keyClick(panel, Qt.Key.Key_E)
    panel.counts.buttons["accepted"].setChecked(False)
    assert panel.editing and _frame_of(panel) == 10  # the editor stays
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.editing and _frame_of(panel) == 20
    panel.go_to(next(p.id for p in project.proposals(1, with_masks=False) if p.frame == 30))
    for status in ("pending", "rejected", "edited"):
        panel.counts.buttons[status].setChecked(False)
    assert panel.current_id is None
    panel.counts.buttons["pending"].setChecked(True)
    assert _frame_of(panel) == 30  # the frame left, shown again (not the first pending one)
    qtbot.keyClick(panel, Qt.Key.Key_X)
    assert _statuses(project.folder, 1) == {10: "accepted", 20: "pending", 30: "rejected", 40: "pending"}


def test_w_shows_the_pending_proposals_it_goes_to(qtbot, panel, project):
    """A re-walk: with the Pending chip off, W showed a pending proposal the chips hid."""
    panel.counts.buttons["pending"].setChecked(False)
    assert panel.current_id is None
    qtbot.keyClick(panel, Qt.Key.Key_W)
    assert panel.counts.buttons["pending"].isChecked() and panel._record(panel.current_id).status == "pending"
    panel.counts.buttons["pending"].setChecked(False)
    panel.next_suspect_any()  # Shift+W, every person's
    assert panel.counts.buttons["pending"].isChecked() and panel._record(panel.current_id).status == "pending"
