"""The review panel's decisions: window-wide key actions, undoable accept / reject / bulk accept / edit.

A mixin of :class:`app.review.review_panel.ReviewPanel` (it uses the panel's records, filmstrip, counts
and editor). Each decision is a command of ``decisions.py`` on ``self.undo_stack``, the main window's
stack once installed, so Ctrl+Z / Ctrl+Shift+Z undo and redo it in the project store.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox

from humanseg_core.errors import ProjectError
from humanseg_core.proposals.score_bands import bands_of, score_band_text
from humanseg_core.records import ACCEPTED
from humanseg_core.workflows.labels import CORRECTION_SOURCE, HAND_SOURCE

from .. import keys
from .decisions import MaskCommand, StatusCommand
from .person_goto import ask_person
from .status_counts import count_statuses


def suspect_words(k: int, pending: int) -> str:
    """Where W / Shift+W went: the lowest score of those pending, or the k-th lowest on a press again (a crowd walk
    read "Suspect 1 of 431", "1 of 430", ... as a counter that never moved: each decision takes one off the list,
    and the next press starts again from the lowest)."""
    return f"Lowest score of {pending} pending" if k == 0 else f"Suspect {k + 1} of {pending} pending"


class DecisionsMixin:
    """Accept, reject, accept remaining, saved edits, undo and redo: for ``ReviewPanel``."""

    def _build_actions(self) -> None:
        """The window-wide review actions (``app/keys.py``); the installer puts them in the menus."""
        slots = {"accept": self.accept, "reject": self.reject, "next_pending": self.next_pending,
                 "prev_pending": self.prev_pending, "next_suspect": self.next_suspect,
                 "next_suspect_any": self.next_suspect_any,
                 "next_person": lambda: self.step_person(+1), "prev_person": lambda: self.step_person(-1),
                 "go_person": lambda: ask_person(self),
                 "accept_remaining": self.accept_remaining,
                 "edit": self.toggle_edit, "undo": self.undo, "redo": self.redo, "not_visible": self.not_visible}
        # decisions: with the Review tab in front (E opens the editor in front itself: nothing is decided by it)
        for name in ("accept", "reject", "accept_remaining", "not_visible"):
            slots[name] = self._in_front(slots[name], keys.BY_ID[name].text.replace("&", ""))
        self.key_actions = {}
        for spec in keys.KEYS:
            act = keys.make_action(spec, self, slots[spec.id], self.key_overrides)
            self.addAction(act)  # WindowShortcut: works wherever the focus is in this panel's window
            self.key_actions[spec.id] = act

    def _in_front(self, slot, what: str):
        """``slot``, when the Review tab is in front; else the tab is brought to the front and nothing is decided
        (a walk pressed A on the Scene tab and X on Play: the hidden proposal was accepted, then rejected)."""
        from PySide6.QtWidgets import QDockWidget

        def guarded(*_a) -> None:
            dock = self.parentWidget()
            while dock is not None and not isinstance(dock, QDockWidget):
                dock = dock.parentWidget()
            # behind another tab of its group the panel still reads visible: its dock's region on screen is empty
            if dock is not None and (not self.isVisible() or dock.visibleRegion().isEmpty()):
                dock.show()
                dock.raise_()
                rec = self.current_record()
                where = f" on person {rec.pid}, frame {rec.frame}" if rec is not None else ""
                # short: a walk's 1280 px bar cut its middle, the frame it names (elided there)
                self.message.emit(f"Review brought to the front{where}: press the key again to {what.lower()}")
                return
            slot()
        return guarded

    def next_suspect(self) -> None:
        """The person's pending proposals from the lowest score up, one per press (the lowest first, unless
        the one shown is the suspect the last press went to). The score ((1 - the share of the mask another
        person almost had) x its agreement with the parent's own mask) puts the proposals that are wrong or
        below IoU 0.5 first: AUC 0.90 over six scenes (BENCHMARKS). Masks to draw by hand are not suspects."""
        order = sorted((p for p in self._props if p.status == "pending" and p.source != HAND_SOURCE),
                       key=lambda p: (p.score, p.frame, p.id))
        if not order:
            self.message.emit("No pending proposal of this person")
            return
        ids = [p.id for p in order]
        on_suspect = self.current_id in ids and self.current_id == getattr(self, "_suspect_shown", None)
        k = ids.index(self.current_id) + 1 if on_suspect else 0  # pressed again: the next one; else the lowest
        target = order[k % len(order)]
        self._pending_shown()
        self.go_to(target.id)
        self._suspect_shown = target.id
        self.message.emit(f"{suspect_words(k % len(order), len(order))}: frame {target.frame}, "
                          f"score {target.score:.2f} ({score_band_text(float(target.score), target.flags)})")

    def next_suspect_any(self) -> None:
        """Every person's pending proposals from the lowest score up, one per press, switching person as it
        goes (a walk pressed W person by person and missed that the doubtful ones of the scene were elsewhere)."""
        if self.project is None:
            return
        order = sorted((p for p in self.project.proposals(status="pending", with_masks=False)
                        if p.source != HAND_SOURCE), key=lambda p: (p.score, p.pid, p.frame, p.id))
        if not order:
            self.message.emit("No pending proposal of any person")
            return
        ids = [p.id for p in order]
        on_suspect = self.current_id in ids and self.current_id == getattr(self, "_suspect_any_shown", None)
        k = (ids.index(self.current_id) + 1) % len(order) if on_suspect else 0
        target = order[k]
        if target.pid != self.pid:  # opened on the suspect's frame: not on its first pending proposal, drawn and then
            self.set_person(target.pid, near_frame=target.frame)  # left at once (a walk saw it flash)
        self._pending_shown()
        self.go_to(target.id)
        self._suspect_any_shown = target.id
        # short enough for the status bar (a walk read "person 5, ... 170"); the info line says what it means
        self.message.emit(f"{suspect_words(k, len(order))}, every person: person {target.pid}, frame "
                          f"{target.frame}, score {target.score:.2f}")

    def _pending_shown(self) -> None:
        """The Pending chip on: W goes to pending proposals, which the filter then shows (a re-walk's W showed one
        the chips hid, and J said "End of the queue" with 44 pending)."""
        if "pending" not in self.counts.shown:  # the queue refiltered without leaving the one shown: W goes on
            self.counts.show_quietly("pending")  # from it (filter_changed had drawn the view twice: a review)
            self._apply_filter()

    def step_person(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) person of the Person box, round the ends (a crowd walk had no
        key for it, and the box's open list moved under its click)."""
        n = self.person_box.count()
        if n == 0 or not self._leave_edit(ask=True):  # unsaved strokes: asked, as Next asks (a walk's key was
            return  # ignored without a word)
        # in the Persons table's order when it has one (sorted by Agree, a walk stepped in id order instead)
        order_of = getattr(self, "person_order", None)
        in_box = {self.person_box.itemData(i) for i in range(n)}
        order = [p for p in (order_of() if order_of is not None else []) if p in in_box]
        if len(order) == n:
            at = order.index(self.pid) if self.pid in order else -1
            self.person_box.setCurrentIndex(self.person_box.findData(order[(at + step) % n]))
            self.message.emit(f"Person {self.pid} ({order.index(self.pid) + 1} of {n}, as the Persons table is sorted)")
            return
        self.person_box.setCurrentIndex((self.person_box.currentIndex() + step) % n)
        self.message.emit(f"Person {self.pid} ({self.person_box.currentIndex() + 1} of {n})")

    def set_undo_stack(self, stack: QUndoStack) -> None:
        """Put decisions on ``stack`` (the main window's, so they survive panel switches)."""
        self.undo_stack = stack

    def undo(self) -> None:
        if self.editing:
            self.editor.undo()  # a stroke while editing (not while a refine runs)
        elif self.undo_stack.canUndo():
            cmd = self.undo_stack.command(self.undo_stack.index() - 1)
            self.message.emit(f"Undo: {self.undo_stack.undoText()}")
            self.undo_stack.undo()
            self._show_undone(list(getattr(cmd, "ids", [])))
        else:
            self.message.emit("Nothing to undo")

    def redo(self) -> None:
        if self.editing:
            self.editor.redo()
        elif self.undo_stack.canRedo():
            cmd = self.undo_stack.command(self.undo_stack.index())
            self.message.emit(f"Redo: {self.undo_stack.redoText()}")
            self.undo_stack.redo()
            self._show_undone(list(getattr(cmd, "ids", [])))
        else:
            self.message.emit("Nothing to redo")


    def _set_status(self, proposal_id: int, status: str) -> None:
        rec = self._record(proposal_id)
        old = rec.status if rec is not None else self.project.get_proposal(proposal_id).status
        if old == status:
            return
        frame = rec.frame if rec is not None else "?"
        self.undo_stack.push(StatusCommand(self.project, {proposal_id: old}, status, self._sync,
                                           f"{status[:-2] if status.endswith('ed') else status} frame {frame}",
                                           on_left=self._decided_elsewhere))

    def _decided_elsewhere(self, ids: list[int]) -> None:
        """Proposals another process decided since this panel read them were left as they are: said, after the
        decision's own message (a bulk accept's or A's), so the analyst sees it."""
        now = {p.id: p for p in self._props}
        if len(ids) == 1 and ids[0] in now:  # short: the status bar cut a walk's line in the middle
            text = f"Frame {now[ids[0]].frame} was {now[ids[0]].status} elsewhere meanwhile (a command, another window)"
        else:
            said = ", ".join(f"{now[i].frame} ({now[i].status})" if i in now else f"#{i}" for i in sorted(ids)[:6])
            more = f" and {len(ids) - 6} more" if len(ids) > 6 else ""
            text = f"Decided elsewhere meanwhile, left as they are: frame {said}{more}"
        QTimer.singleShot(0, lambda: self.message.emit(text))

    def _sync(self, ids: list[int]) -> None:
        """Re-read proposals ``ids`` from the project after a decision, an undo or a redo."""
        if self.project is None:
            return
        mine = {p.id: p for p in self._props}
        fresh = {p.id: p for p in self.project.proposals(self.pid, with_masks=False)} if self.pid is not None else {}
        for i in ids:
            status = fresh[i].status if i in fresh else self.project.get_proposal(i).status
            if i in mine:
                changed_mask = None  # a mask changes only through an edit (or its undo)
                edit = mine[i].status == "edited" or status == "edited"
                if i == self.current_id or edit:
                    mask = self.project.get_proposal(i).mask
                    if i == self.current_id:
                        self._current_mask = mask
                    changed_mask = mask if edit else None
                mine[i].status = status
                self.filmstrip.set_status(i, status, mask=changed_mask)  # repaints this item only
            self.status_changed.emit(i, status)
        self._apply_counts()
        if self.current_id is not None and self.current_id in ids and not self.editing \
                and not getattr(self, "_advancing", False):
            self._show(self.current_id)

    def _show_undone(self, ids: list[int]) -> None:
        """After an undo / redo: show the proposal it touched (switching person when needed); of a bulk accept (one
        person's), its first, unless that person is shown (a crowd walk's undone Shift+A left the view elsewhere)."""
        if not ids or self.project is None:
            return
        p = self.project.get_proposal(min(ids))
        if len(ids) > 1 and p.pid == self.pid:
            return
        if p.pid != self.pid:  # opened on that frame: not on its first pending proposal, drawn and left at once
            self.set_person(p.pid, near_frame=p.frame)
        if self.current_id != p.id and self._record(p.id) is not None:
            self._show(p.id)

    def _read_only_says_so(self) -> bool:
        if getattr(self, "read_only", False):
            self.message.emit("Read-only: its folder cannot be written to" if getattr(self, "read_only_folder", False)
                              else "Read-only: this project is open in another window")
            return True
        return False

    def _decide(self, status: str) -> None:
        if self._read_only_says_so():
            return
        if self.current_id is None or self.editor.mask is not None:
            if self.editor.mask is not None:
                self.message.emit("In edit mode: save (Ctrl+S) or leave it (Esc) first")
            return
        decided = next(((p.pid, p.frame) for p in self._props if p.id == self.current_id), None)
        shown = self.current_id
        if status == "accepted" and self._kept_as_edited(shown):
            return
        self._advancing = True  # the next one is shown below: the decided one is not drawn again first
        try:
            self._set_status(shown, status)
        finally:
            self._advancing = False
        self._apply_counts()
        rec = self._record(shown)
        if rec is not None and rec.status != status:  # decided otherwise elsewhere meanwhile (_decided_elsewhere
            self._show(shown)  # says it): stays in view as it now is (a walk's panel moved on as if accepted)
            return
        self._advance_after_decision()
        if decided is not None:  # replaces what the bar said before (a suspect's place, an undo); the person
            # named: the keys work while another tab is in front (a walk pressed A under Segment unawares)
            self.message.emit(f"Person {decided[0]}, frame {decided[1]}: {status}{self._label_note(rec)}")

    def _kept_as_edited(self, shown: int) -> bool:
        """A on a mask the analyst edited (or marked not visible) keeps it the analyst's: accepting it would make it a
        proposal accepted as proposed, one a run may hold out of training, and an empty one a label (a walk's redo
        left it on screen and A turned the edit into "accepted")."""
        rec = self._record(shown)
        if rec is None or rec.status != "edited":
            return False
        try:
            stored = self.project.get_proposal(shown)
        except ProjectError:
            stored = None
        empty = stored is not None and stored.mask is not None and not stored.mask.any()
        self.message.emit(f"Person {rec.pid}, frame {rec.frame}: " + (
            "marked not visible here; Ctrl+Z undoes it, E draws the person" if empty
            else "your edited mask is this frame's label already"))
        return True

    def _label_note(self, rec) -> str:
        """Which mask is the frame's label when another proposal of it is a label too (training and exports take one
        a frame; a walk accepted a second method's mask without a word)."""
        if rec is None or rec.status != "accepted":
            return ""
        others = [p for p in self._props if p.frame == rec.frame and p.id != rec.id and p.status in ACCEPTED]
        if any(p.status == "edited" for p in others):
            return "; the frame's edited mask stays its label"
        # (export and Train take the latest accepted, a Whole scene run the best scored: a review)
        return f"; {others[0].source}'s is accepted too: keep one (X)" if others else ""  # short: the bar cut it

    def accept(self) -> None:
        self._decide("accepted")

    def reject(self) -> None:
        self._decide("rejected")

    def not_visible(self) -> None:
        """The person is not visible on the frame shown: its proposal's mask emptied and kept as the analyst's
        (edited, undoable). A Whole scene run's export and exports of results then hold no mask of the person
        there; it is never a training label (an empty mask never is). A walk rejected a proposal of a hidden
        person (X) and the export still held a 57 px mask there: a rejection says "not this mask", not "nobody"."""
        if self._read_only_says_so() or self.current_id is None:
            return
        if self.editor.mask is not None:
            self.message.emit("In edit mode: save (Ctrl+S) or leave it (Esc) first")
            return
        shown = self.current_id
        try:
            stored = self.project.get_proposal(shown)
        except ProjectError:
            stored = None
        if stored is None or stored.mask is None:
            self.message.emit("This proposal's mask cannot be read: nothing changed")
            return
        self._advancing = True  # the next one is shown below
        try:
            self.undo_stack.push(MaskCommand(self.project, shown, np.zeros_like(stored.mask, bool), self._sync,
                                             f"not visible on frame {stored.frame}", on_left=self._decided_elsewhere))
        finally:
            self._advancing = False
        self._apply_counts()
        self._advance_after_decision()
        # short: the status bar cut the longer one in the middle (screenshots at 1366 and 1280 px wide); the info
        # line and the key's tooltip say the rest
        self.message.emit(f"Person {stored.pid}, frame {stored.frame}: marked not visible here (Ctrl+Z undoes it)")

    def accept_remaining(self) -> int:
        """Accept every pending proposal of this person; returns how many."""
        if self._read_only_says_so():
            return 0
        if self.editor.mask is not None:
            self.message.emit("In edit mode: save (Ctrl+S) or leave it (Esc) first")
            return 0
        if self.project is None:
            return 0
        # results put up by the Fix tab were ranked likely wrong: each is accepted on sight (A), never in bulk
        todo = [p.id for p in self._props if p.status == "pending" and p.source not in (CORRECTION_SOURCE, HAND_SOURCE)]
        held = self._held_from_fix()
        note = (f"; left pending: the segmentation result{'s' if len(held) > 1 else ''} of frame"
                f"{'s' if len(held) > 1 else ''} {', '.join(map(str, held))} from Fix (look, then A or X)"
                if held else "")
        if not todo:
            self.message.emit(f"Person {self.pid}: no pending proposal left to accept in bulk{note}")
            return 0
        if not self.confirm_bulk(len(todo)):
            return 0
        # one transaction, one undo step
        self.undo_stack.push(StatusCommand(self.project, dict.fromkeys(todo, "pending"), "accepted", self._sync,
                                           f"accept {len(todo)} proposals of person {self.pid}",
                                           on_left=self._decided_elsewhere))
        self.message.emit(f"Person {self.pid}: accepted {len(todo)} remaining proposals (Ctrl+Z undoes){note}")
        return len(todo)

    def _held_from_fix(self) -> list[int]:
        """Frames of this person's pending results put up by the Fix tab (a bulk accept leaves them pending)."""
        return sorted(p.frame for p in self._props if p.status == "pending" and p.source == CORRECTION_SOURCE)

    def confirm_bulk(self, n: int) -> bool:
        """Ask once before a bulk accept, saying how many (tests replace this)."""
        held = self._held_from_fix()
        s = "s" if len(held) > 1 else ""
        stays = (f"The segmentation result{s} of frame{s} {', '.join(map(str, held))} from Fix "
                 f"stay{'' if s else 's'} pending: look, then A or X.\n" if held else "")
        answer = QMessageBox.question(
            self, "Accept remaining proposals",
            f"Accept the {n} remaining pending proposal{'s' if n != 1 else ''} of person {self.pid}?\n{stays}"
            f"{self._low_scores_text()}Undo with Ctrl+Z.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _low_scores_text(self) -> str:
        """How many of the pending proposals score below their top band, band by band, said before a bulk accept
        (a walk accepted 15 without a word that most were in the lowest band; another 6 of 8 at 0.52-0.63, the
        "1 in 4 to 1 in 2" band, J 0.39-0.55, with nothing said)."""
        pending = [p for p in self._props if p.status == "pending" and p.source != CORRECTION_SOURCE]
        below: dict[tuple, list] = {}  # {(bands, band index): proposals}, below the top band
        for p in pending:
            bands = bands_of(p.flags)
            i = next((k for k, (low, _s, _t) in enumerate(bands) if float(p.score) >= low), len(bands) - 1)
            if i > 0:
                below.setdefault((bands, i), []).append(p)
        if not below:
            return ""
        n = sum(len(v) for v in below.values())
        said = []
        for (bands, i), props in sorted(below.items(), key=lambda kv: -kv[0][1]):  # the lowest band first
            where = f"under {bands[i - 1][0]:g}" if i == len(bands) - 1 else f"at {bands[i][0]:g}-{bands[i - 1][0]:g}"
            said.append(f"{len(props)} {where} ({bands[i][2]})")
        tops = {b[0][0] for b, _i in below}
        top = f"{next(iter(tops)):g}" if len(tops) == 1 else "their top band"
        return f"{n} of them score below {top}: {'; '.join(said)}. W shows the lowest scores first.\n"

    def _apply_counts(self) -> None:
        self.counts.set_counts(count_statuses(self._props), self._not_visible())
        self._sync_decision_buttons()  # Accept rest: on while something is pending

    def _not_visible(self) -> int:
        """How many of the person's frames its latest labels mark not visible (V; no mask decoded)."""
        if self.project is None or self.pid is None:
            return 0
        try:
            return len(self.project.label_frame_sets(hidden=True, pid=self.pid).get(self.pid, ()))
        except Exception:  # an unreadable store: the counts say the rest (its error is said where it is read)
            return 0

    def _commit_mask(self, proposal_id: int, mask: np.ndarray) -> bool:
        """The editor's save: one undoable command on the window's stack. A mask saved as it was stored leaves the
        editor and stores nothing (a walk's Ctrl+S without a stroke marked the proposal edited: a hand label, never
        held out); False then."""
        rec = self._record(proposal_id)
        try:
            stored = self.project.get_proposal(proposal_id)
        except ProjectError:  # a damaged row: the new mask replaces it
            stored = None
        if self._changed_while_editing(proposal_id, stored):  # kept as the other program left it; still editing
            self.message.emit("Not saved: the other change stands (Esc leaves the edit; Ctrl+S asks again)")
            return False
        if stored is not None and stored.mask is not None and np.array_equal(stored.mask, mask):
            self._leave_edit(ask=False)
            if self.current_id == proposal_id:  # (a blank hand label is removed on leaving: that was said)
                hint = " (A accepts it as proposed)" if stored.status == "pending" else ""
                self.message.emit(f"Frame {stored.frame}'s mask is unchanged: nothing saved, it stays "
                                  f"{stored.status}{hint}")
            return False
        self.undo_stack.push(MaskCommand(self.project, proposal_id, mask, self._sync,
                                         f"edit frame {rec.frame if rec else '?'}", on_left=self._decided_elsewhere))
        return True

