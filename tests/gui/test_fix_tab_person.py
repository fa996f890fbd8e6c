"""The Fix tab follows the person chosen in the studio, whichever way it is chosen (a review of the change that
made the tab act on the person its header names found these ways round it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_fix_tab import _ranked, _run_with_a_stray_frame  # noqa: E402
from test_review_loop import make_studio  # noqa: E402


def test_the_person_in_review_picked_again_is_the_tabs_again(qtbot, tmp_path, monkeypatch):
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, bare=True)
    corr = ctrl.correction
    window.select_person(3)  # no proposals: Review says so (no key decides person 1's), the Fix tab names 3
    assert ctrl.panel.pid == 3 and ctrl.panel.current_id is None and corr.pid == 3
    window.set_frame(40)
    window.select_person(1)  # Review's own person again: its proposal near frame 40 may be the one shown
    assert corr.pid == 1 and corr.header.text().startswith("Person 1:")


def test_a_fix_of_one_person_is_not_drawn_as_the_nexts_result(qtbot, tmp_path, monkeypatch):
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    _run_with_a_stray_frame(ctrl.project)
    corr = _ranked(qtbot, ctrl)
    corr.fix_frame(30)
    ctrl.panel.editor.mask[:] = 0
    ctrl.panel.editor.mask[30:60, 20:30] = 1
    ctrl.panel.editor.save()
    qtbot.waitUntil(lambda: window.current_frame == 30 and 30 in corr._fixes, timeout=5000)
    window.select_person(2, jump=False)
    assert corr.pid == 2 and not corr._fixes
    qtbot.waitUntil(lambda: not corr.busy(), timeout=5000)


def test_another_person_chosen_with_a_ranked_row_current(qtbot, tmp_path, monkeypatch):
    """The list was emptied while a row was current: the studio crashed (segmentation fault)."""
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    _run_with_a_stray_frame(ctrl.project)
    corr = _ranked(qtbot, ctrl)
    row = next(i for i in range(corr.list.count()) if corr.list.item(i).data(Qt.ItemDataRole.UserRole) == 30)
    corr.list.setCurrentRow(row)
    window.select_person(2, jump=False)
    qtbot.waitUntil(lambda: not corr.busy(), timeout=5000)
    assert corr.pid == 2 and not corr.fix_btn.isEnabled()


def test_a_person_chosen_while_a_ranking_runs_is_taken_up_after_it(qtbot, tmp_path, monkeypatch):
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, bare=True)
    _run_with_a_stray_frame(ctrl.project)
    corr = _ranked(qtbot, ctrl)
    corr.refresh()
    assert corr.busy()
    window.select_person(3)
    qtbot.waitUntil(lambda: not corr.busy() and corr.pid == 3, timeout=10_000)
    assert corr.header.text().startswith("Person 3:")


def test_the_last_persons_status_line_goes_with_it(qtbot, tmp_path, monkeypatch):
    """A walk switched to person 84 and still read "Person 70 has no fixed or edited mask…"."""
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, bare=True)
    corr = ctrl.correction
    corr.person_changed(1)
    corr.retrain()  # nothing fixed: said in the status line
    assert corr.status.text().startswith("Person 1 has no fixed or edited mask")
    corr.person_changed(2)
    assert corr.status.text() == ""


def test_fix_frame_on_a_frame_review_said_it_stays_off_says_what_it_opened(qtbot, tmp_path, monkeypatch):
    """A crowd walk's Fix frame opened the frame in the editor while the status bar still read "Person 259 has no
    proposal on frame 10360: hidden behind person 258; Review stays on frame 10330"."""
    from humanseg_core.records import Skip

    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, proposed=(10, 20, 40))
    _run_with_a_stray_frame(ctrl.project)
    ctrl.project.add_skips([Skip(frame=30, pid=1, reason="hidden behind person 2 (0.81 of its mask)")])
    corr = _ranked(qtbot, ctrl)
    ctrl.panel.set_person(1)
    ctrl.panel.follow_frame(30)
    assert "has no proposal on frame 30" in window.statusBar().currentMessage()
    corr.fix_frame(30)
    assert ctrl.panel.editing and ctrl.panel.current_record().frame == 30
    assert window.statusBar().currentMessage() == ("Person 1's result on frame 30 opened to fix: save (Ctrl+S) makes "
                                                   "it a label")
    ctrl.panel.editor.mask[30:60, 20:30] = 1
    ctrl.panel.editor.save()
    ctrl.panel.follow_frame(10)
    corr.fix_frame(30)  # the fix saved before, opened again: it is a label already (a review)
    assert window.statusBar().currentMessage() == ("Your fix of person 1's frame 30 opened again: save (Ctrl+S) keeps "
                                                   "what you change")


def test_a_retrain_says_the_labels_changed_while_it_ran(tmp_path):
    """A review: a fix saved in Review while Retrain from here ran was left out of it, without a word."""
    import numpy as np

    from app.review.correction_text import changed_during
    from humanseg_core.project import Project
    from humanseg_core.project.runs import utc_now
    from humanseg_core.records import ProjectInputs, Proposal

    p = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    try:
        mask = np.zeros((40, 60), bool)
        mask[5:20, 10:20] = True
        p.add_proposals([Proposal(frame=f, pid=4, box=(10, 5, 20, 20), mask=mask, source="bgs", status="accepted")
                         for f in (10, 20)])
        run = p.add_run(4, "osvos-lite", {"labels_at": utc_now()}, None, {})
        assert changed_during(p, run) == ""
        p.add_proposals([Proposal(frame=f, pid=4, box=(10, 5, 20, 20), mask=mask, source="hand", status="edited")
                         for f in (30, 31)])  # saved while it ran
        assert changed_during(p, run) == ("\n2 labels changed while it retrained (frames 30-31) are not in it: "
                                             "Retrain from here again to take them")
        p.add_proposals([Proposal(frame=40, pid=4, box=(10, 5, 20, 20), mask=mask, source="bgs", score=0.9)])
        took = p.add_run(4, "osvos-lite", {"accept": "all", "labels_at": utc_now()}, None, {})  # (a Whole scene
        p.set_status(next(q.id for q in p.proposals(4, with_masks=False) if q.frame == 40), "accepted")  # person's)
        assert changed_during(p, took) == ""  # it trained on that proposal, pending: accepting it is no change
    finally:
        p.close()


def test_a_marker_of_a_person_without_proposals_clicked_during_an_edit(qtbot, tmp_path, monkeypatch):
    """A walk edited person 250's mask, clicked person 251's marker (no proposals): the video went to 251, Review
    stayed on 250 without a word, and after the edit was left A accepted 250's proposal."""
    from PySide6.QtWidgets import QMessageBox

    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, bare=True)
    panel, project = ctrl.panel, ctrl.project
    shown = panel.current_id
    panel.toggle_edit()
    new = panel.editor.mask.astype(bool)
    new[5:15, 5:15] = ~new[5:15, 5:15]
    panel.editor.apply(new, "Brush")  # an unsaved stroke
    assert panel.editor.dirty
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel
    window.select_person(3)  # the edit kept: the window back on the edited person
    qtbot.waitUntil(lambda: window.selected_pid == 1, timeout=3000)
    assert panel.editing and panel.pid == 1
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    window.select_person(3)
    assert not panel.editing and panel.pid == 3 and panel.current_id is None
    assert panel.person_box.currentText() == "3 (no proposals)"  # the box names the person, not the last one
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert project.get_proposal(shown).status == "pending"  # nothing decided for a person not shown
