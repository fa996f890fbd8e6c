"""A mask edit and the changes other programs make meanwhile (`humanseg decide`, `import`, another window): a save
asks before writing over them, undo and redo leave them (a data-safety walk of the studio and its review)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_review_loop import H, W, make_studio  # noqa: E402


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    return make_studio(qtbot, tmp_path, monkeypatch)


def _editing(studio, stroke=(slice(0, 5), slice(0, 5))):
    """Person 1's first proposal under the editor with a stroke drawn; returns (window, controller, its record)."""
    window, ctrl = studio
    panel = ctrl.panel
    panel.set_person(1)
    rec = panel.current_record()
    panel.key_actions["edit"].trigger()
    assert panel.editing
    panel.editor.mask[stroke] = 1
    return window, ctrl, rec


def test_a_save_asks_before_writing_over_a_decision_made_elsewhere_meanwhile(qtbot, studio):
    """A data-safety walk: with an edit open, `humanseg decide --reject-all` rejected the proposal; Ctrl+S then made
    it edited, with "Saved frame 5350's mask" alone. Asked now (Cancel: the rejection stands)."""
    window, ctrl, rec = _editing(studio)
    panel = ctrl.panel
    assert rec.status == "pending"
    ctrl.project.set_status(rec.id, "rejected")  # another program, meanwhile
    asked = []
    panel.save_over = lambda text: asked.append(text) or False
    assert panel.editor.save() is False and panel.editing
    assert "was changed by another program while you edited it (now rejected)" in asked[0]
    assert ctrl.project.get_proposal(rec.id).status == "rejected"
    panel.save_over = lambda text: True  # Save Over It
    assert panel.editor.save() is True
    assert ctrl.project.get_proposal(rec.id).status == "edited"


def test_save_then_cancel_over_a_change_elsewhere_keeps_the_edit_open(qtbot, studio):
    """A review: answering Save to the unsaved-edit question, then Cancel to "save over it?", reported the edit left:
    the panel moved on, or a closed project dropped the strokes, while the editor still held them."""
    from PySide6.QtGui import QUndoCommand

    window, ctrl, rec = _editing(studio)
    panel = ctrl.panel
    panel.editor.undo_stack.push(QUndoCommand("stroke"))  # unsaved strokes
    ctrl.project.set_status(rec.id, "rejected")  # another program, meanwhile
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Save
    panel.save_over = lambda text: False  # Cancel, the default
    assert panel.finish_edit() is False and panel.editing and panel.editor.proposal_id == rec.id
    panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # (the window then closes)
    assert panel.finish_edit() and not panel.editing


def test_undo_and_redo_of_an_edit_leave_a_label_an_import_set_aside(qtbot, studio, tmp_path):
    """A review: after an import set a frame's saved edit aside, Ctrl+Z made it pending and Ctrl+Shift+Z edited
    again: two labels on the frame, and the old edit won over the import."""
    import cv2

    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.labels import import_masks

    window, ctrl, rec = _editing(studio, (slice(30, 60), slice(20, 30)))
    panel = ctrl.panel
    assert panel.editor.save()
    folder = tmp_path / "imp"
    folder.mkdir()
    m = np.zeros((H, W), np.uint8)
    m[30:60, 18:32] = 255
    cv2.imwrite(str(folder / f"{rec.frame:05d}.png"), m)
    run_job(import_masks(ctrl.project, 1, folder, force=True))
    assert ctrl.project.get_proposal(rec.id).status == "rejected"
    said = []
    panel.message.connect(said.append)
    window.undo_stack.undo()
    window.undo_stack.redo()
    assert ctrl.project.get_proposal(rec.id).status == "rejected"  # as the import left it
    assert np.array_equal(ctrl.project.accepted_masks(1)[rec.frame], m > 0)
    qtbot.waitUntil(lambda: any("elsewhere meanwhile" in t for t in said), timeout=2000)  # said
