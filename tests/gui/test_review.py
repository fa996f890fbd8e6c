"""The review panel: keys, persistence, brush + undo/redo, overlay pixels, filmstrip and filter."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import BoxScene, rect_mask
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

pytestmark = pytest.mark.gui

H, W = 120, 160
GREY = 100


def review_project(tmp_path):
    """The ``project`` fixture's body (two persons' proposals on frames 10-40), for other test modules."""
    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    props = []
    for pid, x in ((1, 40), (2, 100)):
        for frame in (10, 20, 30, 40):
            box = (x, 30, x + 24, 90)
            props.append(Proposal(frame=frame, pid=pid, box=box, mask=rect_mask((H, W), *box), source="bgs:test"))
    proj.add_proposals(props)
    yield proj
    proj.close()


def review_panel(qtbot, project):
    """The ``panel`` fixture's body (the review panel on ``project``, person 1 shown), for other test modules."""
    from app.review.review_panel import ReviewPanel

    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}
    w = ReviewPanel(project, BoxScene(boxes, (H, W), GREY))
    qtbot.addWidget(w)
    w.resize(700, 600)
    w.show()
    qtbot.waitExposed(w)
    w.set_person(1)
    return w


def _statuses(folder, pid):
    with Project.open(folder) as reopened:
        return {p.frame: p.status for p in reopened.proposals(pid, with_masks=False)}


def _frame(panel):
    return panel._record(panel.current_id).frame


def test_accept_reject_keys_persist_and_advance(qtbot, panel, project):
    assert _frame(panel) == 10
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert _frame(panel) == 20  # moved on to the next pending
    qtbot.keyClick(panel, Qt.Key.Key_X)
    assert _frame(panel) == 30
    assert _statuses(project.folder, 1) == {10: "accepted", 20: "rejected", 30: "pending", 40: "pending"}
    assert panel.counts.counts == {"pending": 2, "accepted": 1, "rejected": 1, "edited": 0}
    assert _statuses(project.folder, 2) == dict.fromkeys((10, 20, 30, 40), "pending")


def test_not_visible_here_keeps_an_empty_mask_of_the_analysts_and_undoes(qtbot, panel, project):
    """A walk rejected (X) a proposal of a person hidden on that frame, and the run's export still held a mask
    there. V keeps an empty mask of the analyst's (edited): runs and exports write none there, and it never
    trains; Ctrl+Z puts the proposal back as it was."""
    assert _frame(panel) == 10
    said = []
    panel.message.connect(said.append)
    qtbot.keyClick(panel, Qt.Key.Key_V)
    assert _frame(panel) == 20  # moved on, as a decision does
    assert said[-1] == "Person 1, frame 10: marked not visible here (Ctrl+Z undoes it)"
    assert panel.fontMetrics().horizontalAdvance(said[-1]) <= 480  # a status bar 615 px wide at 1280 cut it (a walk)
    with Project.open(project.folder) as reopened:
        hidden = next(p for p in reopened.proposals(1) if p.frame == 10)
        assert hidden.status == "edited" and not hidden.mask.any() and hidden.mask.shape == (H, W)
        assert 10 in reopened.accepted_masks(1)  # the analyst's mask of the frame: empty
    assert panel.counts.counts["edited"] == 1
    assert panel.counts.hidden_label.text() == "(1 not visible)"  # counted apart (a walk read "edited 2" for one
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # edit and one V)
    assert _frame(panel) == 10 and "not visible" in panel.info.text() and "empty mask" not in panel.info.text()
    qtbot.keyClick(panel, Qt.Key.Key_A)  # a walk's A made it an accepted empty mask, a label of nothing
    assert _statuses(project.folder, 1)[10] == "edited" and _frame(panel) == 10
    assert said[-1] == "Person 1, frame 10: marked not visible here; Ctrl+Z undoes it, E draws the person"
    panel.undo()
    with Project.open(project.folder) as reopened:
        back = next(p for p in reopened.proposals(1) if p.frame == 10)
        assert back.status == "pending" and back.mask.sum() == rect_mask((H, W), 40, 30, 64, 90).sum()
    assert panel.counts.hidden_label.text() == ""


def test_j_k_move_between_pending_only(qtbot, panel, project):
    by_frame = {p.frame: p.id for p in project.proposals(1, with_masks=False)}
    project.set_status(by_frame[20], "rejected")
    panel.refresh()
    assert _frame(panel) == 10
    qtbot.keyClick(panel, Qt.Key.Key_J)
    assert _frame(panel) == 30  # 20 is decided: skipped
    qtbot.keyClick(panel, Qt.Key.Key_J)
    assert _frame(panel) == 40
    qtbot.keyClick(panel, Qt.Key.Key_J)
    assert _frame(panel) == 40  # no pending further on: stays
    qtbot.keyClick(panel, Qt.Key.Key_K)
    qtbot.keyClick(panel, Qt.Key.Key_K)
    assert _frame(panel) == 10
    qtbot.keyClick(panel, Qt.Key.Key_Right)  # arrows walk every proposal, decided ones included
    assert _frame(panel) == 20


def test_shift_a_accepts_all_remaining_of_this_person_only(qtbot, panel, project):
    asked = []
    panel.confirm_bulk = lambda n: asked.append(n) or True
    qtbot.keyClick(panel, Qt.Key.Key_X)
    qtbot.keyClick(panel, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert asked == [3]  # asked once, saying how many
    assert _statuses(project.folder, 1) == {10: "rejected", 20: "accepted", 30: "accepted", 40: "accepted"}
    assert set(_statuses(project.folder, 2).values()) == {"pending"}


def test_filter_and_filmstrip_colours(qtbot, panel):
    from app.review.status_counts import STATUS_COLORS

    qtbot.keyClick(panel, Qt.Key.Key_A)
    strip = panel.filmstrip
    assert strip.count() == 4
    first = strip.item(0)
    corner = first.icon().pixmap(strip.iconSize()).toImage().pixelColor(1, 1)
    assert corner == STATUS_COLORS["accepted"]
    panel.counts.buttons["accepted"].setChecked(False)  # hide accepted
    assert strip.count() == 3
    panel.counts.buttons["pending"].setChecked(False)
    assert strip.count() == 0
    panel.counts.buttons["accepted"].setChecked(True)
    assert strip.count() == 1


def test_skipped_frames_are_counted(qtbot, panel, project):
    from humanseg_core.records import Skip

    project.add_skips([Skip(50, 1, "no box within 40 px of the track point"), Skip(60, 2, "frame unreadable")])
    panel.refresh()
    assert panel.counts.skips_label.text() == "1 skipped"
    assert "frame 50: no box within 40 px" in panel.counts.skips_label.toolTip()


def test_shift_w_goes_to_the_most_doubtful_proposal_of_every_person(qtbot, panel, project):
    """A walk pressed W person by person: the doubtful proposals of the scene were elsewhere. Shift+W takes
    every person's pending proposals from the lowest score up, switching person; the message says how often
    proposals so scored were wrong."""
    scores = {(1, 10): 0.99, (1, 20): 0.90, (2, 30): 0.70, (2, 40): 0.97}
    with project._tx("test scores") as conn:
        conn.execute("UPDATE proposals SET score = 1.0")
        for (pid, frame), score in scores.items():
            conn.execute("UPDATE proposals SET score = ? WHERE pid = ? AND frame = ?", (score, pid, frame))
    panel.set_person(1)
    said = []
    panel.message.connect(said.append)
    panel.key_actions["next_suspect_any"].trigger()
    assert panel.pid == 2 and panel.current_record().frame == 30
    assert said[-1] == "Lowest score of 8 pending, every person: person 2, frame 30, score 0.70"
    panel.key_actions["next_suspect_any"].trigger()
    assert panel.pid == 1 and panel.current_record().frame == 20
    assert said[-1] == "Suspect 2 of 8 pending, every person: person 1, frame 20, score 0.90"
    assert panel.key_actions["next_suspect_any"].shortcut().toString() == "Shift+W"


def test_ctrl_page_keys_go_from_person_to_person(qtbot, panel):
    """A crowd walk had no key to change person (the Person box's open list moved under its click)."""
    panel.set_person(1)
    said = []
    panel.message.connect(said.append)
    panel.key_actions["next_person"].trigger()
    assert panel.pid == 2 and said[-1] == "Person 2 (2 of 2)"
    panel.key_actions["next_person"].trigger()  # round the end
    assert panel.pid == 1
    panel.key_actions["prev_person"].trigger()
    assert panel.pid == 2
    assert panel.key_actions["next_person"].shortcut().toString() == "Ctrl+PgDown"
    # with the Persons table sorted (by Agree, say), the keys follow its order (a walk stepped in id order)
    panel.person_order = lambda: [2, 1]
    panel.set_person(2)
    panel.key_actions["next_person"].trigger()
    assert panel.pid == 1 and said[-1] == "Person 1 (2 of 2, as the Persons table is sorted)"
    panel.person_order = lambda: [2, 9]  # not every person of the box: the box's own order
    panel.key_actions["next_person"].trigger()
    assert panel.pid == 2 and said[-1] == "Person 2 (2 of 2)"


def test_no_more_pending_this_way_says_how_many_wait_the_other_way(qtbot, panel, project):
    """A walk read "No more pending proposals in that direction" at the last one and took it for done."""
    panel.set_person(1)
    last = max(project.proposals(1, with_masks=False), key=lambda p: p.frame)
    panel.go_to(last.id)
    said = []
    panel.message.connect(said.append)
    panel.next_pending()
    assert said[-1] == "No more pending proposals in that direction; 3 pending the other way (K)"


def test_filmstrip_click_jumps(qtbot, panel):
    strip = panel.filmstrip
    item = strip.item(2)
    rect = strip.visualItemRect(item)
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert _frame(panel) == 30


def test_zoom_is_kept_between_proposals(qtbot, panel):
    panel.view.zoom_by(1.5)
    zoom = panel.view.zoom
    qtbot.keyClick(panel, Qt.Key.Key_J)
    assert panel.view.zoom == pytest.approx(zoom)
    panel.set_person(2)
    assert panel.view.zoom == pytest.approx(zoom)


def test_until_the_analyst_zooms_each_person_is_fitted(qtbot, panel):
    """A walk at 1024x600: the zoom fitted to one proposal carried over to a taller person and cut its head."""
    from PySide6.QtCore import QRectF

    view = panel.view
    assert not view.user_zoomed
    view.focus_person((100, 100, 110, 120))  # a small person
    small = view.zoom
    view.focus_person((100, 50, 140, 200))  # a tall one: fitted too, its whole box in view
    assert view.zoom < small
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(QRectF(100, 50, 40, 150))


def _drag(view, points):
    vp = view.viewport()

    def send(kind, pt, buttons):
        pos = QPointF(view.mapFromScene(QPointF(*pt)))
        ev = QMouseEvent(kind, pos, vp.mapToGlobal(pos), Qt.MouseButton.LeftButton
                         if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                         buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(vp, ev)

    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for pt in points[1:]:
        send(QEvent.Type.MouseMove, pt, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def test_brush_stroke_undo_redo_exact_and_save(qtbot, panel, project):
    pid = panel.current_id
    original = project.get_proposal(pid).mask.copy()
    qtbot.keyClick(panel, Qt.Key.Key_E)
    assert panel.editing and panel.editor.isVisible()
    panel.editor.size_slider.setValue(4)
    _drag(panel.view, [(10, 10), (20, 12), (30, 14)])  # brush outside the person: adds pixels
    stroked = panel.editor.current_mask()
    assert stroked[10, 10] and stroked[14, 30] and not original[10, 10]
    assert stroked[original].all()
    # one command storing only the changed rectangle
    assert panel.editor.undo_stack.count() == 1
    cmd = panel.editor.undo_stack.command(0)
    assert cmd.before.shape == cmd.after.shape
    assert cmd.before.shape[0] <= 2 * 4 + 6 and cmd.before.shape[1] <= 20 + 2 * 4 + 2
    assert not cmd.before.any() and cmd.after.any()
    panel.editor.set_erasing(True)
    _drag(panel.view, [(52, 60), (52, 70)])  # erase inside the person
    erased = panel.editor.current_mask()
    assert not erased[60, 52] and stroked[60, 52]
    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(panel.editor.current_mask(), stroked)
    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(panel.editor.current_mask(), original)
    qtbot.keyClick(panel, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert np.array_equal(panel.editor.current_mask(), stroked)
    qtbot.keyClick(panel, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert np.array_equal(panel.editor.current_mask(), erased)
    said: list = []
    panel.message.connect(said.append)
    panel.editor.save_button.click()
    assert not panel.editing and not panel.editor.isVisible()
    # the stroke apart from the person is saved, and said (a walk saved such a blob without a word)
    note = next(m for m in said if ": 2 pieces." in m)
    assert note.startswith("Saved frame ") and note.endswith("(E, N erases)")  # short: 630 px had cut it
    assert panel.fontMetrics().horizontalAdvance(note) <= 520, note
    assert panel.current_id != pid  # moved on to the next pending proposal
    with Project.open(project.folder) as reopened:
        saved = reopened.get_proposal(pid)
    assert saved.status == "edited"
    assert np.array_equal(saved.mask, erased)
    assert panel.counts.counts["edited"] == 1
    panel._show(pid)  # back on it (a walk's redo left it on screen), A keeps it the analyst's
    qtbot.keyClick(panel, Qt.Key.Key_A)
    assert project.get_proposal(pid).status == "edited" and said[-1].endswith("your edited mask is this frame's "
                                                                            "label already")


def test_brush_size_keys_and_escape(qtbot, panel):
    qtbot.keyClick(panel, Qt.Key.Key_E)
    r = panel.editor.radius
    qtbot.keyClick(panel, Qt.Key.Key_BracketRight)
    assert panel.editor.radius > r
    qtbot.keyClick(panel, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(panel, Qt.Key.Key_BracketLeft)
    assert panel.editor.radius < r
    qtbot.keyClick(panel, Qt.Key.Key_Escape)  # nothing drawn: leaves without asking
    assert not panel.editing and not panel.editor.isVisible()
    qtbot.keyClick(panel, Qt.Key.Key_E)
    qtbot.keyClick(panel, Qt.Key.Key_E)  # E toggles
    assert not panel.editing


def test_unsaved_edits_are_not_lost_silently(qtbot, panel, project):
    pid = panel.current_id
    original = project.get_proposal(pid).mask.copy()
    asked = []
    panel.ask_unsaved = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    qtbot.keyClick(panel, Qt.Key.Key_E)
    _drag(panel.view, [(10, 10)])
    qtbot.keyClick(panel, Qt.Key.Key_J)  # cancelled: stays, still editing
    assert asked and panel.editing and panel.current_id == pid
    qtbot.keyClick(panel, Qt.Key.Key_A)  # decisions wait until the edit is saved or left
    assert project.get_proposal(pid).status == "pending"
    panel.step_person(1)  # the next person asks too (a walk's Ctrl+PgDown was ignored without a word)
    assert len(asked) == 2 and panel.editing and panel.pid == 1
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.editing
    assert np.array_equal(project.get_proposal(pid).mask, original)
    qtbot.keyClick(panel, Qt.Key.Key_E)  # nothing drawn: the next person, without a question
    panel.step_person(1)
    assert not panel.editing and panel.pid == 2


def test_accept_remaining_in_edit_mode_says_why_nothing_happened(qtbot, panel, project):
    said = []
    panel.message.connect(said.append)
    qtbot.keyClick(panel, Qt.Key.Key_E)
    assert panel.accept_remaining() == 0
    assert all(p.status == "pending" for p in project.proposals(with_masks=False))
    assert said and "edit mode" in said[-1]


def test_accept_rest_is_off_while_nothing_is_pending(qtbot, panel, project):
    """A walk found Accept rest enabled with every proposal of the person reviewed."""
    monkey = panel.confirm_bulk
    panel.confirm_bulk = lambda n: True
    try:
        assert panel.buttons["accept_rest"].isEnabled()
        assert panel.accept_remaining() == 4
        assert not panel.buttons["accept_rest"].isEnabled()
        panel.undo_stack.undo()  # pending again: on again
        assert panel.buttons["accept_rest"].isEnabled()
    finally:
        panel.confirm_bulk = monkey


def test_an_empty_review_panel_says_how_to_start_without_widening(qtbot):
    from app.review.review_panel import ReviewPanel

    empty = ReviewPanel(None, None)
    qtbot.addWidget(empty)
    assert "New Project" in empty.info.text() and "Open Project" in empty.info.text()
    assert empty.minimumSizeHint().width() < 800
    # nothing drawn: no grey placeholder frame to scroll around (a walk saw one off centre after New Project)
    assert empty.view._frame_item.pixmap().isNull() and empty.view.sceneRect().width() <= 1


def test_the_filmstrip_gives_its_room_to_the_editor(panel):
    """A walk at 1024x600: in edit mode the canvas shrank to 150 px and the info line lay over it."""
    assert panel.filmstrip.isVisibleTo(panel)
    panel.toggle_edit()
    assert panel.editing and not panel.filmstrip.isVisibleTo(panel) and panel.editor.isVisibleTo(panel)
    panel.toggle_edit()
    assert not panel.editing and panel.filmstrip.isVisibleTo(panel)


def test_the_editor_and_the_filmstrip_are_never_shown_together(panel, monkeypatch):
    """A walk at 1024x600: E grew the window to 665 px, both shown for a moment; and the panel stays short
    enough for the Review dock, its title and the tab bar on a 600 px screen (the canvas had 200 px at least)."""
    both = []
    for widget in (panel.editor, panel.filmstrip):
        shown = widget.setVisible
        monkeypatch.setattr(widget, "setVisible", lambda on, shown=shown: (
            shown(on), both.append(panel.editor.isVisibleTo(panel) and panel.filmstrip.isVisibleTo(panel))))
    panel.toggle_edit()
    panel.toggle_edit()
    assert len(both) == 4 and not any(both)
    assert panel.view.minimumHeight() <= 120


def test_a_project_opened_for_the_first_time_starts_where_work_is_left(qtbot, project):
    """A walk: a project made with the CLI opened on person 1, reviewed to the end, not on the person with
    proposals still pending. (Once reopened, the person reviewed last is the one shown.)"""
    from app.review.review_panel import ReviewPanel

    for p in project.proposals(1, with_masks=False):
        project.set_status(p.id, "accepted")
    pids = sorted(project.counts_by_pid())
    assert len(pids) > 1 and project.counts(pids[1]).get("pending")
    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}
    w = ReviewPanel(project, BoxScene(boxes, (H, W), GREY))
    qtbot.addWidget(w)
    assert w.pid == pids[1]


def test_accept_rest_says_how_many_score_below_the_top_band(qtbot, panel, project):
    """A walk accepted 15 proposals of a person without a word that most scored under 0.5 ("1 in 2 wrong"); another
    accepted 8 of which 6 scored 0.52-0.63 (J 0.39-0.55) with nothing said. Each band below the top is counted."""
    pending = [p for p in panel._props if p.status == "pending"]
    assert len(pending) >= 4
    for p, score in zip(pending, [0.3, 0.3, 0.6] + [0.9] * (len(pending) - 3)):
        p.score, p.flags = score, [*p.flags, "contested 0.00", f"parent agrees {score:.2f}"]
    assert panel._low_scores_text() == ("3 of them score below 0.7: 2 under 0.5 (2 in 3 so scored are wrong or poor); "
                                        "1 at 0.5-0.7 (1 in 4 to 1 in 2 so scored are wrong or poor). W shows the "
                                        "lowest scores first.\n")
    for p in pending[:3]:
        p.score = 0.9
    assert panel._low_scores_text() == ""


def test_the_brush_fits_the_person_until_the_analyst_sizes_it(qtbot, panel):
    """A walk's short stroke with the 6 px brush took a 70 px person's mask from 357 to 755 pixels."""
    from app.review.brush import brush_radius_for

    person = np.zeros((200, 120), bool)
    person[20:90, 40:60] = True  # 70 px tall
    assert brush_radius_for(person) == 4 and brush_radius_for(np.zeros((9, 9), bool)) == 6
    tall = np.zeros((400, 120), bool)
    tall[10:390, 40:60] = True
    assert brush_radius_for(tall) == 12  # at most
    editor = panel.editor
    editor.begin(1, person)
    assert editor.radius == 4
    editor.change_radius(3)  # the analyst's choice is kept for the next mask
    editor.begin(2, tall)
    assert editor.radius == 7


def test_a_refine_click_that_changed_nothing_says_so(qtbot, panel):
    """A walk left-clicked a part of a person under a neighbour's mask: nothing was added, and nothing said. A crowd
    walk then found the long words widening the Review panel (kept in the saved layout), moving the picture between
    clicks, and the click counted as an unsaved edit."""
    from app.review.brush import UNCHANGED

    editor = panel.editor
    person = np.zeros((200, 120), bool)
    person[20:90, 40:60] = True
    editor.begin(1, person)
    width = editor.busy_label.width()
    said = []
    panel.message.connect(said.append)
    gen = editor._generation
    editor._refined(gen, person.copy(), "Refine (person)", ([(50.0, 95.0)], []))
    assert editor.busy_label.text() == "Click changed nothing" and editor.busy_label.toolTip() == UNCHANGED
    assert said == [UNCHANGED] and editor.busy_label.width() == width and not editor.busy_label.isHidden()
    assert editor.undo_stack.count() == 0 and not editor.dirty and editor.clicks == ([], [])
    from app.review.brush import UNCHANGED_NOT

    editor._refined(gen, person.copy(), "Refine (not the person)", ([], [(5.0, 5.0)]))  # a right click: its own words
    assert said[-1] == UNCHANGED_NOT and "eraser" in UNCHANGED_NOT
    grown = person.copy()
    grown[90:95, 40:60] = True
    editor._refined(gen, grown, "Refine (person)", ([(50.0, 95.0)], []))
    assert editor.current_mask()[92, 50]
