"""The review loop in the studio: window-wide keys from one table, undoable decisions kept in the store."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QTextBrowser

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

pytestmark = pytest.mark.gui

H, W = 120, 160
GREY = 100


def _box_mask(box):
    m = np.zeros((H, W), bool)
    m[box[1]:box[3], box[0]:box[2]] = True
    return m


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    """The main window with the review installed, a 3-frame scene and 2 persons' proposals."""
    return make_studio(qtbot, tmp_path, monkeypatch)


def make_studio(qtbot, tmp_path, monkeypatch, proposed=(10, 20, 30, 40), bare=False):
    """The ``studio`` fixture's (window, controller), for other test modules; ``proposed``: the frames with a
    proposal of persons 1 and 2; ``bare``: person 3 is annotated too, without a proposal."""
    import cv2

    from app.main_window import MainWindow
    from app.review.install import install_review

    monkeypatch.setenv("HUMANSEG_KEYS", str(tmp_path / "keys.json"))  # no user settings leak in
    folder = tmp_path / "scene"
    (folder / "frames").mkdir(parents=True)
    for f in (10, 20, 30, 40):
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.png"), np.full((H, W, 3), GREY, np.uint8))
    rows = [f"{f}\t{pid}\t{x + f / 10:.2f}\t{y:.2f}" for f in (10, 20, 30, 40)
            for pid, x, y in ((1, 2.0, 3.0), (2, 6.0, 3.5)) + (((3, 4.0, 5.0),) if bare else ())]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    window = MainWindow()
    qtbot.addWidget(window)
    ctrl = install_review(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert window.open_inputs(ProjectInputs(video=str(folder / "frames"),
                                            trajectories=str(folder / "trajectories.txt")))
    assert ctrl.new_project(folder=tmp_path / "proj")
    props = []
    for pid in (1, 2):
        for f in proposed:
            u, v = window.scene.position_px(pid, f)
            box = (max(0, int(u) - 8), max(0, int(v)), min(W, int(u) + 8), min(H, int(v) + 30))
            props.append(Proposal(frame=f, pid=pid, box=box, mask=_box_mask(box), source="bgs:test"))
    ctrl.project.add_proposals(props)
    ctrl.panel.refresh()
    ctrl.panel.set_person(1)
    return window, ctrl


def _statuses(folder, pid):
    with Project.open(folder) as reopened:
        return {p.frame: p.status for p in reopened.proposals(pid, with_masks=False)}


def _frame(panel):
    return panel._record(panel.current_id).frame


def test_review_keys_work_after_clicking_the_video(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    qtbot.mouseClick(window.frame_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    window.frame_view.setFocus()
    qtbot.waitUntil(window.frame_view.hasFocus)
    assert _frame(panel) == 10
    qtbot.keyClick(window.frame_view, Qt.Key.Key_A)
    assert _statuses(ctrl.project.folder, 1)[10] == "accepted" and _frame(panel) == 20
    qtbot.keyClick(window.frame_view, Qt.Key.Key_X)
    assert _statuses(ctrl.project.folder, 1)[20] == "rejected" and _frame(panel) == 30
    qtbot.keyClick(window.frame_view, Qt.Key.Key_K)
    qtbot.keyClick(window.frame_view, Qt.Key.Key_J)
    assert _frame(panel) == 40  # J from 30 (pending) goes on to 40
    # another tab in front of the review panel: the keys still work
    window.person_panel.setFocus()
    qtbot.keyClick(window.person_panel, Qt.Key.Key_A)
    assert _statuses(ctrl.project.folder, 1)[40] == "accepted"


def test_review_keys_work_after_saving_an_edit_and_not_in_text_fields(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    qtbot.keyClick(window.frame_view, Qt.Key.Key_E)
    assert panel.editing
    panel.editor.mask[0, 0] = 1  # a change (an unchanged mask is not saved)
    panel.editor.save_button.click()  # focus was on the save button, which is now hidden
    assert not panel.editing and _frame(panel) == 20
    assert _statuses(ctrl.project.folder, 1)[10] == "edited"
    window.frame_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert _statuses(ctrl.project.folder, 1)[20] == "accepted"
    field = QLineEdit(window.person_panel)  # any text field: its letters are text, never decisions
    field.show()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_A)
    assert field.text() == "a"
    assert _statuses(ctrl.project.folder, 1)[30] == "pending"


def test_one_table_drives_menus_tooltips_and_help(studio):
    from app import keys

    window, ctrl = studio
    texts = {a.objectName(): a for a in ctrl.review_actions}
    for spec in keys.KEYS:
        act = texts[f"action_{spec.id}"]
        assert act.shortcut().toString() == spec.key
        assert spec.key in act.toolTip()
        assert spec.key in keys.help_text()
    # the panel's and the editor's own keys too (a keyboard-only walk found Ctrl+S only by guessing)
    from html import escape

    assert all(f"<b>{escape(key)}</b></td><td>{escape(what)}</td>" in keys.help_text()
               for key, what in keys.PANEL_KEYS + keys.EDIT_KEYS)
    assert "Ctrl+S" in keys.help_text() and "Brush / eraser" in keys.help_text()
    assert keys.help_text(menu_rows=[("Ctrl+G", "Generate")]).count("<table") == 1  # one key column for every
    # section (a re-walk read three tables' columns of three widths)
    assert ctrl.panel.buttons["accept"].toolTip() == keys.tooltip(keys.BY_ID["accept"])


def test_keys_settings_file(tmp_path, monkeypatch):
    from app import keys

    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"accept": "Space", "reject": "", "nope": "Q", "edit": 5, "redo": "Ctrl+Foo",
                                "undo": "Spcae", "next_pending": "Ctrl+Z, Ctrl+Y"}))
    overrides, problems = keys.load_overrides(path)
    assert overrides == {"accept": "Space", "reject": "", "next_pending": "Ctrl+Z, Ctrl+Y"}
    assert len(problems) == 4 and all(str(path) in p for p in problems)
    assert "'nope'" in problems[0] and "'edit'" in problems[1]
    assert "'Ctrl+Foo'" in problems[2] and "'Spcae'" in problems[3]  # unknown key names: Qt's Key_unknown
    path.write_text("{not json")
    assert keys.load_overrides(path)[0] == {} and "JSON" in keys.load_overrides(path)[1][0]


def test_custom_key_from_the_settings_file(qtbot, studio, tmp_path):
    from app.review.review_panel import ReviewPanel

    (tmp_path / "keys.json").write_text(json.dumps({"accept": "Space"}))  # HUMANSEG_KEYS points here
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    assert panel.key_actions["accept"].shortcut().toString() == "Space"
    assert "(Space)" in panel.buttons["accept"].toolTip()


def test_undo_redo_accept_and_bulk_accept_persist(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    folder = ctrl.project.folder
    asked = []
    panel.confirm_bulk = lambda n: asked.append(n) or True
    qtbot.keyClick(window.frame_view, Qt.Key.Key_A)
    assert _statuses(folder, 1)[10] == "accepted"
    qtbot.keyClick(window.frame_view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert asked == [3]
    assert set(_statuses(folder, 1).values()) == {"accepted"}
    panel.set_person(2)  # a panel switch keeps the window's history
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _statuses(folder, 1) == {10: "accepted", 20: "pending", 30: "pending", 40: "pending"}
    # the bulk accept undone is shown: its person, its first frame (a crowd walk's view stayed on another person)
    assert panel.pid == 1 and _frame(panel) == 20 and panel.counts.counts["pending"] == 3
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _statuses(folder, 1)[10] == "pending"
    assert panel.pid == 1 and _frame(panel) == 10  # the undone decision is shown
    assert panel.counts.counts["pending"] == 4
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, redo)
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, redo)
    assert set(_statuses(folder, 1).values()) == {"accepted"}
    assert panel.counts.counts["accepted"] == 4
    with Project.open(folder) as reopened:  # every step is in the store's decision history
        first = next(p for p in reopened.proposals(1, with_masks=False) if p.frame == 10)
        assert [h["new_status"] for h in reopened.history(first.id)] == ["accepted", "pending", "accepted"]


def test_bulk_accept_cancelled_changes_nothing(qtbot, studio):
    window, ctrl = studio
    ctrl.panel.confirm_bulk = lambda n: False
    assert ctrl.panel.accept_remaining() == 0
    assert set(_statuses(ctrl.project.folder, 1).values()) == {"pending"}
    assert not window.undo_stack.canUndo()


def test_undo_a_saved_edit_restores_the_mask(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    pid = panel.current_id
    original = ctrl.project.get_proposal(pid).mask.copy()
    panel.toggle_edit()
    panel.editor.mask[:5, :5] = 1
    panel.editor.save()
    assert ctrl.project.get_proposal(pid).status == "edited"
    panel.undo()
    restored = ctrl.project.get_proposal(pid)
    assert restored.status == "pending" and np.array_equal(restored.mask, original)
    panel.redo()
    assert ctrl.project.get_proposal(pid).mask[:5, :5].all()


def test_refine_clicks_and_lasso_are_undo_steps(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    panel.toggle_edit()
    editor = panel.editor
    mask = editor.current_mask()
    ys, xs = np.nonzero(mask)
    y1 = int(ys.max()) + 1
    image = np.full((H, W, 3), GREY, np.uint8)
    image[mask] = (30, 30, 220)  # the person is red ...
    legs = np.zeros((H, W), bool)
    legs[y1:min(H, y1 + 15), int(xs.min()):int(xs.max()) + 1] = True
    image[legs] = (30, 30, 220)  # ... down to its feet, which the proposal missed
    editor.context = lambda: (image, [])
    editor.set_tool("refine")
    cx, cy = float(xs.mean()), float(min(H - 1, y1 + 7))
    window.frame_view.setFocus()
    panel.view.stroke_inverted = False
    panel.view.stroke_started.emit(cx, cy)
    panel.view.stroke_finished.emit()
    qtbot.waitUntil(lambda: not editor.refining, timeout=10_000)  # GrabCut runs on a worker
    refined = editor.current_mask()
    # most of the legs: a click adds within a quarter of the person's height of it (RefineConfig.add_reach)
    assert refined[legs].mean() > 0.75 and editor.undo_stack.count() == 1
    assert editor.clicks == ([(cx, cy)], [])
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undoes the click
    assert np.array_equal(editor.current_mask(), mask) and editor.clicks == ([], [])
    editor.set_tool("lasso")
    panel.view.stroke_inverted = True  # right button: cut
    for i, (u, v) in enumerate([(0, 0), (W, 0), (W, int(ys.min()) + 10), (0, int(ys.min()) + 10)]):
        (panel.view.stroke_started if i == 0 else panel.view.stroke_moved).emit(float(u), float(v))
    panel.view.stroke_finished.emit()
    cut = editor.current_mask()
    assert not cut[: int(ys.min()) + 5].any() and cut.sum() < mask.sum()
    editor.save()
    assert np.array_equal(ctrl.project.get_proposal(panel.undo_stack.command(0).proposal_id).mask, cut)


def test_a_result_frame_opens_in_the_editor_and_becomes_an_edited_label(qtbot, studio):
    window, ctrl = studio
    project = ctrl.project
    run = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    results = {}
    for f in (10, 20, 30, 40):
        u, v = window.scene.position_px(1, f)
        results[f] = _box_mask((int(u) - 6, int(v), int(u) + 6, int(v) + 30))
    results[30] = _box_mask((100, 60, 150, 110))  # far from the person and twice as large
    project.save_results(1, run, results)
    corr = ctrl.correction
    corr.refresh()
    qtbot.waitUntil(lambda: corr.list.count() == 4, timeout=10_000)
    assert corr.list.item(0).data(Qt.ItemDataRole.UserRole) == 30  # the worst first, no GT needed
    pid = corr.fix_frame(30)
    panel = ctrl.panel
    assert panel.editing and panel.current_id == pid and _frame(panel) == 30
    assert np.array_equal(panel.editor.current_mask(), results[30])
    assert project.get_proposal(pid).status == "pending"  # not a label until fixed
    panel.editor.mask[:] = 0
    panel.editor.mask[40:70, 50:62] = 1
    panel.editor.save()
    fixed = project.get_proposal(pid)
    assert fixed.status == "edited" and fixed.source == "correction" and fixed.mask.sum() == 30 * 12
    assert np.array_equal(project.accepted_masks(1)[30], fixed.mask)


def test_import_masks_from_the_studio(qtbot, studio, tmp_path, monkeypatch):
    import cv2

    from app.review import import_action

    told = []  # an outcome with notes is said in a box too (a walk: 5 s in the status bar, and gone)
    monkeypatch.setattr(import_action, "tell_import", lambda window, text: told.append(text))
    asked = []  # masks mostly off the track: asked first, nothing stored (a walk imported 79's masks as 80's)
    monkeypatch.setattr(import_action, "ask_off_track", lambda window, text: asked.append(text) or False)
    window, ctrl = studio
    folder = tmp_path / "masks"
    folder.mkdir()
    m = np.zeros((H, W), np.uint8)
    m[30:60, 20:30] = 255
    cv2.imwrite(str(folder / "00020.png"), m)
    worker = ctrl.import_masks(folder, pid=2)
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "1 of these 1 masks lie more than" in asked[0] and 20 not in ctrl.project.accepted_masks(2)
    monkeypatch.setattr(import_action, "ask_off_track", lambda window, text: True)  # "Import Anyway"
    worker = ctrl.import_masks(folder, pid=2)
    assert worker is not None
    qtbot.waitUntil(lambda: 2 in ctrl.project.pids() and 20 in ctrl.project.accepted_masks(2)
                    and any(p.source == "import" for p in ctrl.project.proposals(2, with_masks=False)),
                    timeout=10_000)
    assert np.array_equal(ctrl.project.accepted_masks(2)[20], m > 0)
    qtbot.waitUntil(lambda: "Person 2: imported 1 mask" in window.statusBar().currentMessage(), timeout=5000)
    message = window.statusBar().currentMessage()
    assert "track" in message and told == [message.replace("; ", ".\n")]  # (far from its track point)

    # masks of several persons (an index map): the studio asks which index is the person (it imported them
    # all as one label); cancelling imports nothing
    index = tmp_path / "index"
    index.mkdir()
    both = np.zeros((H, W), np.uint8)
    both[30:60, 20:30] = 1
    both[10:20, 40:50] = 2
    cv2.imwrite(str(index / "00030.png"), both)
    asked = []
    ctrl.ask_index = lambda pid, used: asked.append((pid, used)) or None
    assert ctrl.import_masks(index, pid=2) is None and asked == [(2, [1, 2])]
    ctrl.ask_index = lambda pid, used: 2
    worker = ctrl.import_masks(index, pid=2)
    assert worker is not None
    qtbot.waitUntil(lambda: 30 in ctrl.project.accepted_masks(2), timeout=10_000)
    assert np.array_equal(ctrl.project.accepted_masks(2)[30], both == 2)


def test_review_zoom_is_smooth_with_a_pixel_toggle(qtbot, studio):
    from PySide6.QtCore import Qt as _Qt

    window, ctrl = studio
    view = ctrl.panel.view
    assert not view.pixelated and view._frame_item.transformationMode() == _Qt.TransformationMode.SmoothTransformation
    ctrl.panel.setFocus()
    qtbot.keyClick(ctrl.panel, Qt.Key.Key_P)
    assert view.pixelated and view._frame_item.transformationMode() == _Qt.TransformationMode.FastTransformation


def test_a_failed_job_names_itself_once():
    from app.worker import failure_text

    assert failure_text("Retrain from here", "Retrain from here failed: TypeError: x") == \
        "Retrain from here failed: TypeError: x"
    assert failure_text("Retrain from here", "no labels") == "Retrain from here failed: no labels"


def test_decision_buttons_are_off_while_editing(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    decisions = [panel.buttons[k] for k in ("accept", "reject", "accept_rest")]
    assert all(b.isEnabled() for b in decisions)
    qtbot.keyClick(window.frame_view, Qt.Key.Key_E)
    assert panel.editing
    assert not any(b.isEnabled() for b in decisions)
    assert panel.buttons["edit"].isEnabled() and panel.editor.save_button.isVisible()
    qtbot.keyClick(panel.view, Qt.Key.Key_Escape)  # edit mode put the focus on the view
    assert not panel.editing and all(b.isEnabled() for b in decisions)


def test_e_with_another_tab_in_front_brings_the_editor_forward(qtbot, studio):
    """students03: E with the Train (or Fix) tab in front opened the editor inside the covered Review tab;
    nothing on screen changed and A then said 'In edit mode: save (Ctrl+S) or leave it (Esc) first'."""
    window, ctrl = studio
    ctrl.correction_dock.show()
    ctrl.correction_dock.raise_()
    panel = ctrl.panel

    def on_screen(w):
        return w.isVisible() and not w.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: not on_screen(panel), timeout=2000)
    panel.key_actions["edit"].trigger()  # E, wherever the focus is
    assert panel.editing
    qtbot.waitUntil(lambda: on_screen(panel) and on_screen(panel.editor), timeout=2000)


def test_a_key_file_that_cannot_be_followed_is_said_in_a_banner_and_on_stderr(qtbot, tmp_path, monkeypatch, capfd):
    """A docs walk: the README's example gave Space (Play / Pause) to Accept, and Space then did neither; a bad
    entry's message went to the status bar, replaced within a second."""
    from app.main_window import MainWindow
    from app.review.install import install_review

    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"accept": "Space", "bogus": "Q", "reject": "Delete", "next_pending": "B",
                                "prev_pending": "Ctrl+P", "edit": "Ctrl+Z, Ctrl+Y"}))
    monkeypatch.setenv("HUMANSEG_KEYS", str(path))
    window = MainWindow()
    qtbot.addWidget(window)
    ctrl = install_review(window)
    from app.segmentation.install import install_segmentation

    install_segmentation(window)  # its actions (Play results: Ctrl+P) are made after the review's
    qtbot.waitUntil(lambda: getattr(ctrl, "key_banner", None) is not None, timeout=3000)
    text = ctrl.key_banner.label.text()
    assert f"{path}: unknown action 'bogus'" in text
    assert f"{path}: 'accept': Space is Play / Pause's key too" in text and "'reject'" not in text
    assert "'next_pending': B is the mask editor's key (Brush / eraser)" in text
    assert "'prev_pending': Ctrl+P is Play results" in text and "'edit': Ctrl+Z, Ctrl+Y is Undo's key too" in text
    from PySide6.QtWidgets import QApplication

    from app.main import load_style

    app = QApplication.instance()
    before = app.styleSheet()
    load_style(app)  # the studio's own style, which gave labels a dark ground
    try:
        banner = ctrl.key_banner
        banner.resize(700, 120)
        image = banner.grab().toImage()  # readable: the orange strip shows through the text (it was dark on dark)
        corner = banner.label.geometry().topLeft()
        colour = image.pixelColor(corner.x() + 1, corner.y() + 1)
    finally:
        app.setStyleSheet(before)
    assert colour.red() > 200 and colour.green() > 140 and colour.blue() < 120, colour.name()
    err = capfd.readouterr().err
    assert "humanseg-studio: warning: " in err and "'accept': Space" in err
    path.write_text(json.dumps({"reject": "Delete"}))
    again = MainWindow()
    qtbot.addWidget(again)
    quiet = install_review(again)
    qtbot.wait(50)
    assert quiet.key_banner is None  # nothing to say


def test_the_project_summary_says_where_each_person_stands(qtbot, studio):
    """Project ▸ Project Summary…: `humanseg status`'s summary in the studio (the same core function)."""
    from app.review.summary_action import summary_dialog

    window, ctrl = studio
    qtbot.keyClick(window.frame_view, Qt.Key.Key_A)  # person 1's frame 10 accepted
    assert ctrl.act_summary.isEnabled()
    dialog = summary_dialog(ctrl)
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "2 persons with work in the project; proposals: 7 pending, 1 accepted, 0 rejected, 0 edited" in text
    assert "person 1: train: humanseg train --project" not in text  # 3 still pending: review first
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()[:1].isdigit()}
    assert rows["1"][1:7] == ["3", "1", "0", "0", "0", "1"] and rows["1"][-1] == "review"
    assert "the shipped parent network" in text
    nexts = [line for line in text.splitlines() if line.startswith("next: ")]
    assert nexts == ["next: 2 persons (1, 2): review their pending proposals in the Review tab (A accepts, X "
                     "rejects, E edits)"], nexts
    assert not any("humanseg " in line for line in nexts)  # the studio's words (a walk was told to run `decide`)
    ctrl.close_project()
    assert not ctrl.act_summary.isEnabled()



def test_an_import_over_a_shown_pending_proposal_shows_the_label_and_says_why_it_was_rejected(qtbot, studio,
                                                                                            tmp_path, monkeypatch):
    """A walk imported a person's masks: "rejected 11" appeared for rejections it never made, the reason cut off
    in the status bar, and Review went on showing the rejected proposal of the frame on screen."""
    import cv2

    from app.review import import_action

    told: list = []
    monkeypatch.setattr(import_action, "tell_import", lambda window, text: told.append(text))
    window, ctrl = studio
    panel = ctrl.panel
    panel.counts.set_shown({"pending", "accepted", "rejected", "edited"})  # every proposal in the queue
    pending = next(p for p in ctrl.project.proposals(1, with_masks=False) if p.status == "pending")
    panel._show(pending.id)
    folder = tmp_path / "masks"
    folder.mkdir()
    u, v = window.scene.position_px(1, pending.frame)
    cv2.imwrite(str(folder / f"{pending.frame:05d}.png"), _box_mask((int(u) - 6, int(v), int(u) + 6, int(v) + 30))
                .astype(np.uint8) * 255)
    ctrl.import_masks(folder, pid=1)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert "1 pending proposal on those frames set aside (rejected" in told[0]
    shown = panel.current_record()
    assert shown.frame == pending.frame and shown.source == "import" and shown.status in ("accepted", "edited")
    assert window.undo_stack.undoText() == "(the import of person 1's masks stays)"  # the menu's Undo says so too
    window.undo_stack.undo()  # Ctrl+Z says the import is not undone, and undoes nothing older (a walk)
    assert window.statusBar().currentMessage().startswith("An import of masks is not undone by Ctrl+Z")
    assert ctrl.project.get_proposal(shown.id).status == shown.status
