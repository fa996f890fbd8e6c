"""The review panel's edit mode: the mask editor opens over the proposal (the filmstrip's room goes to it),
the decision buttons wait, unsaved strokes are saved or discarded as the analyst answers, and a saved edit
moves on to the next proposal.  A mixin of ``ReviewPanel`` (it uses the panel's editor, view, buttons and
records)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from humanseg_core.errors import ProjectError
from humanseg_core.workflows.labels import HAND_SOURCE

from .decisions import stands_as
from .info_line import pieces_note


class EditModeMixin:
    """Edit mode of :class:`app.review.review_panel.ReviewPanel`."""

    @property
    def editing(self) -> bool:
        return self.editor.mask is not None

    def toggle_edit(self) -> None:
        if not self.editing and self._read_only_says_so():
            return
        if self.editing:
            self._leave_edit(ask=True)
        elif self.current_id is not None:
            self.ensure_view(force=True)  # drawn now if it was shown while the panel was covered
            rec = self.current_record()  # as it stood when the edit began: a save checks nobody changed it since
            self._edit_from = (self.current_id, rec.status if rec else None, self._current_mask)
            self.editor.begin(self.current_id, self._current_mask)
            self._edit_layout(True)
            self._sync_decision_buttons()
            self.edit_started.emit()
            self.view.setFocus()

    def _edit_layout(self, on: bool) -> None:  # the filmstrip's room goes to the editor (a walk at 1024x600)
        # the one leaving first: both shown for a moment grew a 1024x600 window to 665 px (a walk)
        for widget, shown in sorted(((self.editor, on), (self.filmstrip, not on)), key=lambda ws: ws[1]):
            widget.setVisible(shown)
        self.view.set_edit_mode(on)
        self.buttons["edit"].setText("Leave edit" if on else "Edit")

    DECISION_BUTTONS = ("accept", "reject", "accept_rest")

    def _sync_decision_buttons(self) -> None:
        """Accept / Reject / Accept rest are off while the mask is being edited (save or leave it first), and
        Accept rest while nothing is pending (a walk found it on with every proposal reviewed)."""
        # ... and in a read-only window (another holds the project: a walk's buttons looked live and said "Read-only" in
        # the status bar only when clicked)
        for key in self.DECISION_BUTTONS:
            self.buttons[key].setEnabled(self.current_id is not None and not self.editing
                                         and not getattr(self, "read_only", False))
        if not any(p.status == "pending" for p in self._props):
            self.buttons["accept_rest"].setEnabled(False)
        if getattr(self, "read_only", False) and not self.editing:
            self.buttons["edit"].setEnabled(False)

    def _edit_context(self):
        """For click-to-refine: the frame on screen and the other persons' track points on it."""
        rec = self.current_record()
        if rec is None or self.scene is None:
            return None, []
        persons_at = getattr(self.scene, "persons_at", None)
        if persons_at is not None:
            points = [uv for pid, uv in persons_at(rec.frame).items() if pid != rec.pid]
        else:
            pids = {pid for pid, _i, _b in self._by_frame.get(rec.frame, []) if pid != rec.pid}
            points = [uv for uv in (self.scene.position_px(pid, rec.frame) for pid in pids) if uv is not None]
        image = self.read_frame(rec.frame)
        if image is None:
            return None, points, None
        prior = self._refine.prior(self.project, self.scene, self._by_frame, rec.pid, rec.frame, points,
                                   self._others_masks, image.shape[:2])
        return image, points, prior

    def _leave_edit(self, ask: bool) -> bool:
        """Leave edit mode; with unsaved strokes ask Save / Discard / Cancel. False when cancelled."""
        if not self.editing:
            return True
        if ask and self.editor.dirty:
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save:  # _edit_saved leaves edit mode; a save not made (asked
                return self.editor.save() or not self.editing  # over a change elsewhere: Cancel) stays in it
        self.editor.end()
        self._edit_layout(False)
        self._sync_decision_buttons()
        if getattr(self, "_reread", False):  # a re-read waited for the edit (ReviewPanel.refresh)
            self._reread = False
            QTimer.singleShot(0, self, self.refresh)
        elif getattr(self, "_reread_in_place", False):  # another program's writes waited (app.outside_changes)
            self._reread_in_place = False
            QTimer.singleShot(0, self, self.reread_in_place)
        if self._drop_blank_hand_label():
            return True
        if getattr(self, "_refilter", False):  # the status chips hid this proposal while it was edited (a review:
            self._leave_hidden()  # X then rejected the hidden frame)
        if self.current_id is not None and self.project is not None:
            self.view.set_mask(self._current_mask)
            if self._info_of is not None:  # discarded strokes: the proposal's area again
                self._update_info(*self._info_of)
        return True

    def _drop_blank_hand_label(self) -> bool:
        """A mask put up to draw by hand and left without a stroke is removed (a walk's stayed pending, the
        first for W at score 0.00); the panel moves to the nearest proposal. True when it was removed."""
        rec = self.current_record()
        if rec is None or rec.source != HAND_SOURCE or self.project is None or self.read_only:
            return False
        try:
            if not self.project.drop_blank_hand_label(rec.id):
                return False
        except ProjectError:  # the store could not be written: the blank label stays (W and Accept rest skip it)
            return False
        self._props = [p for p in self._props if p.id != rec.id]
        self._index_frames()
        self.current_id = None
        self._apply_filter()
        near = self._next_from(rec.frame, +1, False) or self._next_from(rec.frame, -1, False)
        self._show(near.id) if near is not None else self._show_nothing()
        self.message.emit(f"Person {rec.pid}, frame {rec.frame}: nothing drawn, no label kept")
        return True

    def finish_edit(self) -> bool:
        """Before the project closes or the window quits: unsaved strokes are saved or discarded as the
        analyst answers; False when they cancel (the edit stays open)."""
        return self._leave_edit(ask=True)

    def ask_unsaved(self):
        """Ask what to do with unsaved strokes (tests replace this)."""
        rec = self._record(self.current_id) if self.current_id is not None else None
        whose = f"The mask of person {rec.pid} on frame {rec.frame}" if rec is not None else "The mask"  # (a walk:
        return QMessageBox.question(  # asked on quitting with no word of which one)
            self, "Unsaved mask edits", f"{whose} has unsaved edits. Save them?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def _edit_saved(self, proposal_id: int) -> None:
        mask = self.editor.current_mask()
        self._leave_edit(ask=False)
        rec = self._record(proposal_id)
        self.message.emit(f"Saved frame {rec.frame if rec else '?'}'s mask" + pieces_note(mask))
        if self.current_id != proposal_id:  # left for a proposal the status chips show (_leave_hidden)
            return
        self._current_mask = mask
        self._advance_after_decision()

    def _changed_while_editing(self, proposal_id: int, stored) -> bool:
        """Whether the proposal was decided or edited elsewhere (`humanseg decide`, `import`, another window) since
        its edit began; asked then whether to save over it (a data-safety walk's Ctrl+S turned a rejection made
        meanwhile into an edit, unsaid). True: the analyst keeps the other change (nothing is saved)."""
        opened = getattr(self, "_edit_from", None)
        if stored is None or opened is None or opened[0] != proposal_id:
            return False
        if stands_as(stored, opened[1], opened[2]):
            return False
        now = stored.status if stored.status != opened[1] else f"{stored.status}, its mask changed"
        return not self.save_over(f"Frame {stored.frame} of person {stored.pid} was changed by another program while "
                                  f"you edited it (now {now}). Save your mask over it?")

    def save_over(self, text: str) -> bool:
        """Ask whether to save over a change made elsewhere (tests replace this); Cancel is the default."""
        from ..ask import ask_one_way

        return ask_one_way(self, "Changed elsewhere", text, "Save Over It", cancel_first=True)
