"""Refine (GrabCut) runs on a worker, never on the GUI thread (new-user walk: 340 ms per click at load 3.5,
the window frozen meanwhile). The editor says it is busy, the tools, Undo, Redo and Save are disabled, edits
and a second click are ignored until the result lands as ONE undo step; a result for a proposal left
meanwhile is dropped. GrabCut is replaced by a stand-in held on an Event, so nothing here depends on time."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from fakes import rect_mask
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui

H, W = 240, 320  # conftest's generated scene
BOX = (30, 60, 50, 110)


@pytest.fixture
def held_refine(monkeypatch):
    """click_refine replaced: it waits for ``gate`` and returns the mask with a band added under it; records
    the threads it ran on."""
    gate, calls = threading.Event(), []

    def refine(image, mask, pos, neg, others, prior=None, parent_file=None):
        calls.append(threading.current_thread())
        assert gate.wait(30)
        out = np.array(mask, bool)
        out[110:125, 30:50] = True  # the feet the proposal missed
        return out

    monkeypatch.setattr("app.review.mask_editor.click_refine", refine)
    yield gate, calls
    gate.set()  # a failed test never leaves the stand-in waiting


@pytest.fixture
def editor(window, scene_dir, tmp_path, qtbot):
    """The studio on the generated scene, person 1's proposal of frame 0 in the editor; returns
    (review panel, its editor)."""
    from app.open_dialog import scene_folder_inputs
    from app.review.install import install_review

    ctrl = install_review(window)
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    assert ctrl.new_project(folder=tmp_path / "proj")
    ctrl.project.add_proposals([Proposal(frame=f, pid=1, box=BOX, mask=rect_mask((H, W), *BOX),
                                         source="bgs:test") for f in (0, 10)])
    ctrl.panel.refresh()
    ctrl.panel.set_person(1)
    panel = ctrl.panel
    panel.toggle_edit()
    assert panel.editing
    panel.editor.context = lambda: (np.full((H, W, 3), 90, np.uint8), [])
    panel.editor.set_tool("refine")
    panel.view.stroke_inverted = False
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # the window's close at the end
    return panel, panel.editor


def _click(panel, x, y):
    panel.view.stroke_started.emit(float(x), float(y))
    panel.view.stroke_finished.emit()


def test_refine_runs_on_a_worker_and_lands_as_one_undo_step(qtbot, editor, held_refine):
    panel, ed = editor
    gate, calls = held_refine
    before = ed.current_mask().copy()
    _click(panel, 40, 118)  # returns while GrabCut is held: the GUI thread does not wait on it
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    assert calls[0] is not threading.main_thread()
    assert ed.refining and ed.undo_stack.count() == 0 and np.array_equal(ed.current_mask(), before)
    assert "Refining" in ed.busy_label.text()
    assert not ed.refine_button.isEnabled() and not ed.brush_button.isEnabled()
    assert not ed.save_button.isEnabled() and not ed.undo_button.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: not ed.refining, timeout=10_000)
    after = ed.current_mask()
    assert after[110:125, 30:50].all() and ed.undo_stack.count() == 1 and ed.clicks == ([(40.0, 118.0)], [])
    assert ed.refine_button.isEnabled() and ed.save_button.isEnabled() and not ed.busy_label.text()
    ed.undo_stack.undo()
    assert np.array_equal(ed.current_mask(), before) and ed.clicks == ([], [])


def test_clicks_strokes_and_undo_while_refining_are_ignored(qtbot, window, editor, held_refine):
    panel, ed = editor
    gate, calls = held_refine
    ed.apply(ed.current_mask() | rect_mask((H, W), 0, 0, 5, 5), "earlier stroke")  # history: one step
    earlier = ed.current_mask().copy()
    _click(panel, 40, 118)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    _click(panel, 45, 100)  # a second click: ignored
    ed.set_tool("brush")
    _click(panel, 200, 200)  # a brush dab: ignored
    qtbot.keyClick(window.frame_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: ignored
    assert ed.undo_stack.count() == 1 and ed.undo_stack.index() == 1 and np.array_equal(ed.current_mask(), earlier)
    gate.set()
    qtbot.waitUntil(lambda: not ed.refining, timeout=10_000)
    assert len(calls) == 1 and ed.undo_stack.count() == 2 and ed.undo_stack.text(1).startswith("Refine")
    assert not ed.current_mask()[195:205, 195:205].any()
    ed.undo_stack.undo()
    assert np.array_equal(ed.current_mask(), earlier)
    ed.undo_stack.undo()
    assert not ed.current_mask()[:5, :5].any()


def test_a_refine_for_a_proposal_left_meanwhile_is_dropped(qtbot, editor, held_refine):
    panel, ed = editor
    gate, calls = held_refine
    _click(panel, 40, 118)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    worker = ed._refine_worker
    panel.toggle_edit()  # leave the editor (nothing unsaved: no question)
    assert not panel.editing and not ed.refining
    panel.toggle_edit()  # and come back: a fresh history
    before = ed.current_mask().copy()
    gate.set()
    qtbot.waitUntil(lambda: not worker.running, timeout=10_000)
    qtbot.wait(50)
    assert ed.undo_stack.count() == 0 and np.array_equal(ed.current_mask(), before) and ed.clicks == ([], [])
    assert ed.refine_button.isEnabled()


def test_the_brush_size_is_off_where_it_does_nothing(editor):
    """A walk: in Refine the brush's Size slider stayed live, and it does nothing there."""
    _panel, ed = editor
    assert not ed.size_slider.isEnabled()  # refine (the fixture's tool)
    ed.set_tool("lasso")
    assert not ed.size_slider.isEnabled()
    for tool in ("brush", "eraser"):
        ed.set_tool(tool)
        assert ed.size_slider.isEnabled()
