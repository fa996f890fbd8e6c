"""The review loop in the studio: window-wide keys from one table, undoable decisions kept in the store."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

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


def make_studio(qtbot, tmp_path, monkeypatch):
    """The ``studio`` fixture's (window, controller), for other test modules."""
    import cv2

    from app.main_window import MainWindow
    from app.review.install import install_review

    monkeypatch.setenv("HUMANSEG_KEYS", str(tmp_path / "keys.json"))  # no user settings leak in
    folder = tmp_path / "scene"
    (folder / "frames").mkdir(parents=True)
    for f in (10, 20, 30, 40):
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.png"), np.full((H, W, 3), GREY, np.uint8))
    rows = [f"{f}\t{pid}\t{x + f / 10:.2f}\t{y:.2f}" for f in (10, 20, 30, 40)
            for pid, x, y in ((1, 2.0, 3.0), (2, 6.0, 3.5))]
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
        for f in (10, 20, 30, 40):
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
    assert all(f"{key:<14} {what}" in keys.help_text() for key, what in keys.PANEL_KEYS + keys.EDIT_KEYS)
    assert "Ctrl+S" in keys.help_text() and "Brush / eraser" in keys.help_text()
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
    assert panel.counts.counts["pending"] == 4  # the panel shows person 2 (untouched)
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
    assert refined[legs].mean() > 0.9 and editor.undo_stack.count() == 1
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


def test_import_masks_from_the_studio(qtbot, studio, tmp_path):
    import cv2

    window, ctrl = studio
    folder = tmp_path / "masks"
    folder.mkdir()
    m = np.zeros((H, W), np.uint8)
    m[30:60, 20:30] = 255
    cv2.imwrite(str(folder / "00020.png"), m)
    worker = ctrl.import_masks(folder, pid=2)
    assert worker is not None
    qtbot.waitUntil(lambda: 2 in ctrl.project.pids() and 20 in ctrl.project.accepted_masks(2)
                    and any(p.source == "import" for p in ctrl.project.proposals(2, with_masks=False)),
                    timeout=10_000)
    assert np.array_equal(ctrl.project.accepted_masks(2)[20], m > 0)

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


def test_retrain_from_here_button_click_starts_the_job(qtbot, studio, monkeypatch):
    """The real button, clicked: Qt's `checked` must not arrive as the training config (it once did:
    "replace() should be called on dataclass instances"); the job runs and its result is shown."""
    import types

    from humanseg_core.jobs import Progress
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import correction
    from humanseg_core.workflows.person import TrainedRun

    window, ctrl = studio
    project = ctrl.project
    old = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    project.save_results(1, old, {f: _box_mask((10, 10, 30, 60)) for f in (10, 20, 30, 40)})
    corr = ctrl.correction
    assert corr.list.count() == 1 and "Press Rank" in corr.list.item(0).text()  # not a blank tab at first
    corr.list.setCurrentRow(0)
    assert not corr.fix_btn.isEnabled()  # no ranked frame chosen: Fix frame waits (a walk found it enabled)
    corr.fix_selected()  # the hint line is not a frame: nothing happens
    assert not ctrl.panel.editing
    corr.fix_frame(30)
    ctrl.panel.editor.mask[40:70, 50:62] = 1
    ctrl.panel.editor.save()
    # saved: the Fix tab says what comes next and comes back to the front (a walk was left in Review)
    assert corr.status.text().startswith("Frame 30 fixed (an accepted label now)")
    qtbot.waitUntil(lambda: not ctrl.correction_dock.visibleRegion().isEmpty(), timeout=5000)
    seen = []

    def train(project, pid, config, cancel=None, *, scene=None):  # the real retrain_from_here calls this
        seen.append(config)
        yield Progress(0, 1, "training")
        return TrainedRun(project.add_run(pid, "osvos-lite", checkpoint="ckpt2.pt"), types.SimpleNamespace())

    def segment(project, pid, run_id, config, cancel=None, *, scene=None):
        yield Progress(0, 1, "segmenting")
        project.save_results(pid, run_id, {30: _box_mask((50, 40, 62, 70))})

    monkeypatch.setattr(correction, "train_person", train)
    monkeypatch.setattr(correction, "segment_person", segment)
    ctrl.correction_dock.raise_()
    qtbot.waitUntil(corr.retrain_btn.isVisible, timeout=5000)
    qtbot.mouseClick(corr.retrain_btn, Qt.MouseButton.LeftButton)
    started = corr.status.text()  # at once, before any report (a walk saw the old ranking's line throughout)
    qtbot.waitUntil(lambda: "ranked" in corr.status.text() or "failed" in corr.status.text(), timeout=10_000)
    assert started.startswith("Retrain from here: starting (training"), started
    assert "failed" not in corr.status.text() and "re-segmented" in corr.status.text(), corr.status.text()
    assert len(seen) == 1 and isinstance(seen[0], TrainConfig) and str(seen[0].resume).endswith("ckpt.pt")
    assert seen[0].seconds == corr.seconds.value()
    assert f"run {old} kept to compare" in corr.status.text()


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


def test_the_fix_tab_shows_the_ranked_result_on_the_video_and_names_its_run(qtbot, studio):
    """students03: a click on 'frame 4015 · 1.20 · area -70 %' jumped the video there but drew no result,
    so judging a ranked frame took Fix frame (which puts it up for review); and after a training without
    segmentation the status named that newer run although the ranked results were the earlier run's."""
    window, ctrl = studio
    project = ctrl.project
    run = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    results = {f: _box_mask((20, 20, 40, 60)) for f in (10, 20, 40)}
    results[30] = _box_mask((100, 60, 150, 110))
    project.save_results(1, run, results)
    later = project.add_run(1, "osvos-lite", checkpoint="ckpt2.pt")  # trained, not segmented yet
    corr = ctrl.correction
    ctrl.correction_dock.show()
    ctrl.correction_dock.raise_()
    qtbot.waitUntil(corr.isVisible, timeout=2000)
    corr.refresh()
    qtbot.waitUntil(lambda: corr.list.count() == 4, timeout=10_000)
    assert f"run {run}:" in corr.status.text() and f"run {later}" not in corr.status.text()

    def pixel():
        c = window.frame_view.render_image(W, H).pixelColor(125, 85)  # inside frame 30's result only
        return c.red(), c.green(), c.blue()

    row = next(i for i in range(corr.list.count()) if corr.list.item(i).data(Qt.ItemDataRole.UserRole) == 30)
    corr.list.setCurrentRow(row)
    assert window.current_frame == 30 and corr.fix_btn.isEnabled()
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    assert max(abs(v - GREY) for v in pixel()) > 30  # the result drawn over the grey frame
    window.set_frame(20)  # another frame: that frame's result (elsewhere), not frame 30's
    qtbot.waitUntil(lambda: max(abs(v - GREY) for v in pixel()) < 12, timeout=5000)
    window.set_frame(30)
    assert max(abs(v - GREY) for v in pixel()) > 30
    ctrl.dock.raise_()  # the Review tab in front: the ranked result leaves the video
    qtbot.waitUntil(lambda: max(abs(v - GREY) for v in pixel()) < 12, timeout=2000)


def test_enter_on_a_ranked_frame_fixes_it_keyboard_only(qtbot, studio):
    """Keyboard-only review: arrows through the Fix list, Enter opens the frame in the editor as a double
    click does (Enter did nothing; only the mouse reached Fix frame from the list)."""
    window, ctrl = studio
    project = ctrl.project
    run = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    project.save_results(1, run, {f: _box_mask((20, 20, 40 + f // 10, 60)) for f in (10, 20, 30, 40)})
    corr = ctrl.correction
    corr.refresh()
    qtbot.waitUntil(lambda: corr.list.count() == 4 and not corr.busy(), timeout=10_000)
    corr.list.setCurrentRow(1)
    frame = corr.list.currentItem().data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(corr.list, Qt.Key.Key_Return)
    panel = ctrl.panel
    assert panel.editing and _frame(panel) == frame
    assert sum(p.source == "correction" for p in project.proposals(1, with_masks=False)) == 1


def test_a_retrain_from_here_can_be_cancelled_from_the_fix_tab(qtbot, studio, monkeypatch):
    """students03: Retrain from here (30 s, up to 3600 s) had no cancel: only quitting the studio stopped it.
    While it runs its button reads 'Cancel retrain'; a click stops it and stores no new results."""
    import time

    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import Progress
    from humanseg_core.workflows import correction

    window, ctrl = studio
    project = ctrl.project
    old = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    project.save_results(1, old, {f: _box_mask((10, 10, 30, 60)) for f in (10, 20, 30, 40)})
    ctrl.correction.fix_frame(30)
    ctrl.panel.editor.mask[40:70, 50:62] = 1
    ctrl.panel.editor.save()

    def train(project, pid, config, cancel=None, *, scene=None):  # a long training, step by step
        for step in range(100_000):
            if cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled by the user")
            yield Progress(step, 100_000, f"step {step}")
            time.sleep(0.005)

    monkeypatch.setattr(correction, "train_person", train)
    corr = ctrl.correction
    ctrl.correction_dock.raise_()
    qtbot.waitUntil(corr.retrain_btn.isVisible, timeout=5000)
    qtbot.mouseClick(corr.retrain_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "step" in corr.status.text(), timeout=5000)
    assert corr.retrain_btn.isEnabled() and corr.retrain_btn.text() == "Cancel retrain"
    assert not corr.seconds.isEnabled()  # the budget cannot look changed for the run under way
    qtbot.mouseClick(corr.retrain_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not corr.busy(), timeout=5000)
    assert "cancelled" in corr.status.text().lower() and "no new results" in corr.status.text()
    assert corr.retrain_btn.text() == "Retrain from here" and corr.retrain_btn.isEnabled()
    assert corr.seconds.isEnabled()
    assert project.result_runs() == {1: old}


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

