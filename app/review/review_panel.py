"""The per-person review queue: the current proposal large over its frame, decisions by key.

The decision keys (accept, reject, next / previous pending, accept remaining, edit, undo / redo) are
window-wide actions built from the one table in ``app/keys.py`` (``self.key_actions``). Panel-local keys
(focus in the panel): Esc leave edit mode, P pixels / smooth zoom, F re-fit the zoom, O other persons
on/off, Left/Right previous/next proposal whatever its status. In edit mode: [ and ] brush size, B brush,
N eraser, R refine clicks, L lasso, Ctrl+Z / Ctrl+Shift+Z undo / redo a stroke, Ctrl+S save.

Every decision is an undoable command (``decisions.py``) on ``self.undo_stack`` (the main window's stack once
installed), stored at once. The panel keeps light records (no masks), fetching a mask when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from humanseg_core.errors import HumansegError, ProjectError

from .. import colors, keys
from ..flow_layout import FlowLayout
from ..wrap_label import WrapLabel
from .filmstrip import Filmstrip
from .mask_editor import MaskEditor
from .proposal_view import ProposalView
from .refine_context import RefineContext
from .review_decisions import DecisionsMixin
from .review_edit_mode import EditModeMixin
from .review_show import ShowMixin
from .status_counts import StatusCounts, count_statuses, first_with_work

LAST_PERSON = "review.person"  # project setting: the person reviewed last
LAST_PROPOSAL = "review.proposal"  # project setting: the proposal on screen when the project or window closed


class ReviewPanel(ShowMixin, EditModeMixin, DecisionsMixin, QWidget):
    """Review one person's proposals. ``project`` follows the store contract; ``scene`` may be None."""

    proposal_shown = Signal(int, int)  # frame, pid: the main window may follow
    status_changed = Signal(int, str)  # proposal id, new status
    message = Signal(str)  # one line for a status bar
    edit_started = Signal()  # the editor opened (E works window-wide: the installer brings this panel forward)

    def __init__(self, project=None, scene=None, parent=None):
        super().__init__(parent)
        self.project = project
        self.scene = scene
        self.pid: int | None = None
        self.current_id: int | None = None
        self.generating = False  # a Generate Proposals job runs on the project (set_generating)
        self._props: list = []  # light records of this person, by frame
        self._shown: list = []  # those passing the status filter
        self._hidden_at: int | None = None  # the frame whose proposal the status filter hid, none shown since
        self._refilter = False  # the filter changed while editing: a hidden proposal is left once the editor is
        self._by_frame: dict[int, list] = {}  # frame -> [(pid, id, box)] of every person
        self._current_mask: np.ndarray | None = None
        self._others_masks: list = []  # (mask, status) of the other persons' proposals on the shown frame
        self._others_by_pid: dict = {}  # {pid: mask} of those not rejected: who stands in front (info line)
        self._view_stale: bool | None = None  # a proposal shown while the panel was covered: reset_zoom to draw it
        self._refine = RefineContext()
        self.undo_stack = QUndoStack(self)  # replaced by the main window's stack (set_undo_stack)
        self.read_only = False  # the project is open in another window: no decisions here
        self.frame_now: Callable[[], int | None] | None = None  # the window's frame (the installer sets it)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_overrides, self.key_problems = keys.load_overrides()
        self._build()
        self._build_actions()
        self.set_project(project, scene)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        # the right-hand dock is narrow: the counts wrap (flow layout) and the labels stay short, the
        # keys live in the tooltips, so this panel never forces the dock (and the window) wider
        top = QHBoxLayout()
        top.addWidget(QLabel("Person"))
        self.person_box = QComboBox()
        # four digits beside the colour swatch (a walk read "14" for 145 in a 70 px box)
        self.person_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person_box.setMinimumContentsLength(4)
        self.person_box.currentIndexChanged.connect(self._person_chosen)
        top.addWidget(self.person_box)
        self.counts = StatusCounts()
        self.counts.filter_changed.connect(lambda _s: self._filter_chosen())
        top.addWidget(self.counts, 1)
        self.others_check = QCheckBox("Others")
        self.others_check.setToolTip("Show every other person's proposal on this frame, each in its colour, and a "
                                     "ring with its id at the point of each person annotated here without one (O)")
        self.others_check.setChecked(True)
        self.others_check.toggled.connect(lambda on: self.view.set_others_visible(on))
        top.addWidget(self.others_check)
        self.fill_check = QCheckBox("Fill")
        self.fill_check.setToolTip("Fill the mask in the person's colour; off: its outline only, the image under it "
                                   "in view (H)")
        self.fill_check.setChecked(True)
        self.fill_check.toggled.connect(lambda on: self.view.set_fill(on))
        top.addWidget(self.fill_check)
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Zoom back to the person; at the person already, the whole frame (F)")
        self.fit_button.clicked.connect(self.fit_zoom)
        top.addWidget(self.fit_button)
        lay.addLayout(top)

        self.view = ProposalView()
        lay.addWidget(self.view, 1)
        # wrapped: the hints are long, never widen the dock; room for three lines whatever it says: the view under it
        # kept its place (a walk's second Refine click landed 7 px off when the line shrank from three lines to two
        # and the view grew), and more when a long note needs it (a walk's fourth line was cut in half)
        self.info = WrapLabel(lines=3)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.info)
        self.editor = MaskEditor(self.project, self.view)
        self.editor.setVisible(False)
        self.editor.saved.connect(self._edit_saved)
        self.editor.said.connect(self.message)
        self.editor.mask_changed.connect(self._mask_edited)
        self._info_of: tuple | None = None  # (proposal, point) the info line describes
        self._front_of: tuple = (None, [])  # (proposal key, the nearer persons standing on its body)
        self.editor.commit = self._commit_mask
        self.editor.context = self._edit_context
        lay.addWidget(self.editor)

        row = FlowLayout(justify=True)  # one row when the dock is wide, two when it is narrow
        self.buttons = {}
        for key, text, slot, spec in (
            ("prev", "◀ Prev", self.prev_pending, "prev_pending"),
            ("accept", "Accept", self.accept, "accept"),
            ("reject", "Reject", self.reject, "reject"),
            ("edit", "Edit", self.toggle_edit, "edit"),
            ("next", "Next ▶", self.next_pending, "next_pending"),
            ("accept_rest", "Accept rest", self.accept_remaining, "accept_remaining"),
        ):
            b = QPushButton(text)
            b.setToolTip(keys.tooltip(keys.BY_ID[spec], self.key_overrides))
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        lay.addLayout(row)

        self.filmstrip = Filmstrip(self.read_frame, self.thumbnail_mask)  # built off the GUI thread
        self.filmstrip.proposal_clicked.connect(self.go_to)
        lay.addWidget(self.filmstrip)
        for w in (self.person_box, self.others_check, self.fill_check, self.fit_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    # -- inputs ----------------------------------------------------------------------------------
    def set_project(self, project, scene=None) -> None:
        """Review ``project`` (None clears the panel); ``scene`` gives frames and track points."""
        self._leave_edit(ask=False)
        self._skips: tuple[int, dict] | None = None  # (pid, {frame: why}) of the skipped annotated frames
        if project is not self.project:
            self.filmstrip.clear_cache()  # proposal ids of another project mean other masks
        self.project = project
        self.editor.project = project
        if scene is not None or project is None:
            self.scene = scene
        opened = project is not None and project is not getattr(self, "_opened", None)  # not a re-read of it
        self._opened = project
        pids = self._fill_person_box()
        last = project.setting(LAST_PERSON) if project is not None else None  # reopened: where it was left
        keep = last if last in pids else self.pid if self.pid in pids else first_with_work(project, pids)
        self.pid = None
        self.set_person(keep)
        shown = project.setting(LAST_PROPOSAL) if opened and keep == last else None  # and on its proposal (a walk
        if isinstance(shown, int) and shown != self.current_id and any(p.id == shown for p in self._shown):
            self._show(shown, reset_zoom=True)  # reopened on the person's first pending one, frames away)

    def remember_place(self) -> None:
        """Keep the proposal on screen with the project for the next opening (on closing it, or the window: not
        at every step, which other windows would read as outside changes)."""
        if self.project is not None and self.current_id is not None and not self.read_only:
            try:
                self.project.set_setting(LAST_PROPOSAL, int(self.current_id))
            except ProjectError:
                pass

    def _fill_person_box(self) -> list[int]:
        """The project's proposals indexed by frame, and the Person box listing their persons (returned)."""
        self._index_frames()
        pids = sorted({pid for pid, *_ in (e for lst in self._by_frame.values() for e in lst)})
        self.person_box.blockSignals(True)
        self.person_box.clear()
        for pid in pids:
            self.person_box.addItem(colors.person_swatch(pid), str(pid), pid)  # in its colour, as everywhere
        self.person_box.blockSignals(False)
        self._box_shows(self.pid)
        return pids

    def reread_in_place(self) -> None:
        """Read the project again where the analyst is (another program wrote to it: app.outside_changes): the same
        person and proposal when it is still there, and the window's person and frame left alone (a review: the
        re-read of :meth:`refresh` had moved the window to another person's first pending proposal, and followed
        another window's last person). An open edit is never disturbed: the project is read again once it is left."""
        if self.project is None:
            return
        if self.editing:
            self._reread_in_place = True
            return
        self._skips = None
        self.filmstrip.clear_cache()  # a proposal made again keeps its id with a new mask
        self._fill_person_box()
        shown, pid = self.current_id, self.pid
        before = self._record(shown) if shown is not None else None  # its frame, read before it may be gone
        self._props = [] if pid is None else sorted(self.project.proposals(pid, with_masks=False),
                                                    key=lambda p: (p.frame, p.id))
        self.counts.set_person(self.project, pid)
        self._apply_filter()
        if shown is None:
            return
        if any(p.id == shown for p in self._shown):
            self._show(shown, announce=False)
            return
        was = self._record(shown) or before  # decided away (a pending-only list) or removed (proposed again by a
        frame = was.frame if was is not None else -1  # run: a walk was sent to the first frame): the next from there
        after = self._next_from(frame - 1, +1, self._pending_mode()) or self._next_from(frame + 1, -1, False)
        if after is not None:
            self._show(after.id, announce=False)
        else:
            self._show_nothing()

    def set_scene(self, scene) -> None:
        self.scene = scene
        if self.current_id is not None:
            self._show(self.current_id)

    def read_frame(self, frame: int) -> np.ndarray | None:
        if self.scene is None:
            return None
        try:
            return self.scene.frames.read(frame)
        except HumansegError:
            return None

    def thumbnail_mask(self, proposal_id: int) -> np.ndarray:
        """The mask of a proposal, for the filmstrip's thumbnail job (called on its thread)."""
        project = self.project
        if project is None:
            raise KeyError(proposal_id)
        return project.get_proposal(proposal_id).mask

    def _index_frames(self) -> None:
        self._by_frame = {}
        if self.project is None:
            return
        for p in self.project.proposals(with_masks=False):
            self._by_frame.setdefault(p.frame, []).append((p.pid, p.id, p.box))

    def refresh(self, masks_changed: bool = False) -> bool:
        """Re-read the project; ``masks_changed`` (new proposals were generated: a pending proposal made again
        keeps its id with a new mask): the filmstrip's thumbnails are made again (a walk saw the old masks
        there), not after every refresh (a review: a Fix frame or Label here drew them all again). Unsaved
        strokes are asked about first, not dropped (False: the analyst kept the edit open, nothing re-read)."""
        if masks_changed:
            self.filmstrip.clear_cache()
        if not self._leave_edit(ask=True):
            self._reread = True  # once the edit is left (a review: the panel had stayed without new persons)
            return False
        was = self.current_record()
        self.set_project(self.project, self.scene)
        if was is not None and self.pid == was.pid and (near := self._nearest(was.frame)) is not None \
                and near.id != self.current_id:  # where the analyst was (a review: new proposals or a run's end
            self._show(near.id)  # sent Review to the person's first pending frame)
        return True

    def set_person(self, pid: int | None, near_frame: int | None = None) -> bool:
        """Review ``pid``'s proposals from its first pending one, or, with ``near_frame`` (the frame the video
        shows when the person was picked there), from its proposal on that frame, else the pending one nearest
        it: the video had jumped away from the frame where a neighbour was clicked. False when the analyst
        kept an unsaved edit (Cancel): the panel, its Person box included, stays on its person."""
        if pid == self.pid and pid is not None:
            return True
        if not self._leave_edit(ask=True):
            self._box_shows(self.pid)  # (a walk: the box read 70, the editor was 84's)
            return False
        self.pid = pid
        self._box_shows(pid)
        self._props = []
        self._hidden_at = None
        if self.project is not None and pid is not None and not self.read_only:
            try:  # the person reviewed last, for the next opening (a walk found person 1 again)
                self.project.set_setting(LAST_PERSON, int(pid))
            except ProjectError:
                pass
        if self.project is not None and pid is not None:
            self._props = sorted(self.project.proposals(pid, with_masks=False), key=lambda p: (p.frame, p.id))
        self.current_id = None
        self.counts.set_person(self.project, pid)  # its skips, and a note when its network used pending ones
        self._apply_filter()
        first = self._nearest(near_frame) if near_frame is not None else None
        first = first or self._next_from(-1, +1, pending_only=True) or (self._shown[0] if self._shown else None)
        if first is not None:
            # a new person is re-fitted unless the analyst zoomed by hand: the zoom fitted to the last
            # person (a far, small one) would crop a near one, or show a small one as a speck
            self._show(first.id, reset_zoom=self.view._zoom is None or not self.view.user_zoomed)
        else:
            self._show_nothing()
        return True

    def _box_shows(self, pid: int | None) -> None:
        """The Person box on ``pid`` (listed the while it has no proposals: a walk read a blank box), unsignalled."""
        i = self.person_box.findData(pid) if pid is not None else -1
        if i < 0 and pid is not None:
            self.person_box.blockSignals(True)
            self.person_box.addItem(colors.person_swatch(pid), f"{pid} (no proposals)", pid)
            self.person_box.blockSignals(False)
            i = self.person_box.count() - 1
        if self.person_box.currentIndex() != i:
            self.person_box.blockSignals(True)
            self.person_box.setCurrentIndex(i)
            self.person_box.blockSignals(False)

    def _nearest(self, frame: int):
        """The shown proposal on ``frame``, else the pending one nearest it, else the nearest, or None."""
        on = [p for p in self._shown if p.frame == frame]
        pending = [p for p in self._shown if p.status == "pending"]
        return on[0] if on else min(pending or self._shown, key=lambda p: (abs(p.frame - frame), p.frame), default=None)

    def _person_chosen(self, index: int) -> None:
        pid = self.person_box.itemData(index)
        if pid is not None:  # near the frame on screen, as a click on the person in the video (a crowd walk chose
            # 272 after Go to Frame 10410 and pressed Right 11 times back from its first pending proposal)
            rec = self.current_record()
            frame = self.frame_now() if self.frame_now is not None else rec.frame if rec is not None else None
            self.set_person(int(pid), near_frame=frame)

    # -- queue -----------------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        shown = self.counts.shown
        self._shown = [p for p in self._props if p.status in shown]
        self.counts.set_counts(count_statuses(self._props), self._not_visible())
        # light records: the filmstrip's background job loads the masks for its thumbnails
        self.filmstrip.set_proposals(self._shown)
        self.filmstrip.set_current(self.current_id)

    def _filter_chosen(self) -> None:
        """The chips chose what the queue shows: a proposal they hide is left for the nearest one shown (a walk's
        X rejected an accepted frame the filmstrip no longer showed), or for nothing when none is; once some are
        shown again, the one nearest the frame left. While editing, this waits until the editor is left."""
        self._apply_filter()
        self._leave_hidden()

    def _leave_hidden(self) -> None:
        if self.editing:
            self._refilter = True  # (ReviewEditMode._leave_edit calls it again)
            return
        self._refilter = False
        cur = self._record(self.current_id) if self.current_id is not None else None
        if cur is not None and cur.id in {p.id for p in self._shown}:
            return
        frame = cur.frame if cur is not None else self._hidden_at
        near = self._nearest(frame) if frame is not None else (self._shown[0] if self._shown else None)
        if near is not None:
            self._hidden_at = None
            self.go_to(near.id)
        elif cur is not None:
            self._hidden_at = cur.frame
            self._show_nothing()
            self.info.setText("No proposal of this person has the statuses chosen above: click a status to show it")

    def _record(self, proposal_id: int):
        return next((p for p in self._props if p.id == proposal_id), None)

    def _next_from(self, frame: int, step: int, pending_only: bool):
        seq = self._shown if step > 0 else list(reversed(self._shown))
        for p in seq:
            if (p.frame - frame) * step > 0 and (not pending_only or p.status == "pending"):
                return p
        return None

    def _pending_mode(self) -> bool:
        return "pending" in self.counts.shown

    def next_pending(self) -> None:
        self._step(+1)

    def prev_pending(self) -> None:
        self._step(-1)

    def _step(self, step: int, pending_only: bool | None = None) -> None:
        if pending_only is None:
            pending_only = self._pending_mode()
        cur = self._record(self.current_id) if self.current_id is not None else None
        frame = cur.frame if cur is not None else (-1 if step > 0 else 1 << 40)
        target = self._next_from(frame, step, pending_only)
        if target is None:  # how many wait the other way (a walk took "no more" for "all reviewed")
            back = sum(1 for p in self._props if p.status == "pending" and (p.frame - frame) * step < 0)
            hidden = sum(1 for p in self._props if p.status == "pending")  # (a crowd re-walk's chips hid 11 pending)
            self.message.emit(("No more pending proposals in that direction" + (
                f"; {back} pending the other way ({'K' if step > 0 else 'J'})" if back else "")) if pending_only
                else "End of the queue shown" + (f" ({hidden} pending hidden: the Pending chip shows them)"
                                                 if hidden else ""))
            return
        self.go_to(target.id)

    def follow_frame(self, frame: int) -> None:
        """Show this person's proposal on ``frame`` when the list shows one there (the main timeline moved:
        a walk clicked an annotated frame and the panel stayed on another); the editor is never left."""
        cur = self.current_record()
        if self.editing or self.project is None or (cur is not None and cur.frame == frame):
            return  # (a frame may hold two of the person's proposals: a fixed result beside the proposal)
        target = next((p for p in self._shown if p.frame == frame), None)
        if target is not None and target.id != self.current_id:
            self._show(target.id)
        elif target is None and self.pid is not None and cur is not None:  # a skipped annotated frame: said (a walk
            if getattr(self, "_skips", None) is None or self._skips[0] != self.pid:  # read once a person (steps ask)
                self._skips = (self.pid, {k.frame: k.reason for k in self.project.skips(self.pid)})
            why = self._skips[1].get(frame)  # saw Review stay on another frame without a word)
            if why:
                self.message.emit(f"Person {self.pid} has no proposal on frame {frame}: {why}; Review stays on "
                                  f"frame {cur.frame}")

    def show_near(self, frame: int) -> None:
        """Show this person's proposal on ``frame``, else its pending one nearest it (:meth:`_nearest`); the
        editor is never left."""
        target = None if self.editing or self.project is None else self._nearest(frame)
        if target is not None and target.id != self.current_id:
            self._show(target.id)

    def go_to(self, proposal_id: int) -> None:
        if proposal_id == self.current_id:
            return
        if not self._leave_edit(ask=True):
            return
        self._show(proposal_id)

    def _advance_after_decision(self) -> None:
        cur = self._record(self.current_id)
        target = self._next_from(cur.frame, +1, True) or self._next_from(-1, +1, True)
        if target is not None:
            self._show(target.id)
        else:
            self._show(self.current_id)
            self.message.emit(f"Person {self.pid}: every proposal reviewed")

    # -- public state ----------------------------------------------------------------------------
    def current_record(self):
        """The light record (no mask) of the proposal on screen, or None."""
        return self._record(self.current_id) if self.current_id is not None else None

    def current_mask(self) -> np.ndarray | None:
        """The mask on screen (the edited one while editing)."""
        return self.editor.current_mask() if self.editing else self._current_mask

    # -- keys ------------------------------------------------------------------------------------
    _PANEL_KEYS = {Qt.Key.Key_F, Qt.Key.Key_O, Qt.Key.Key_H, Qt.Key.Key_P, Qt.Key.Key_Left, Qt.Key.Key_Right}
    _EDIT_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight, Qt.Key.Key_B,
                  Qt.Key.Key_N, Qt.Key.Key_R, Qt.Key.Key_L, Qt.Key.Key_Z, Qt.Key.Key_S}

    def event(self, event) -> bool:
        # While the focus is in this panel its keys win over window-wide shortcuts of the same key
        # (the timeline's Left/Right and [ ], the frame view's F): claim them before shortcuts fire.
        if event.type() == QEvent.Type.ShortcutOverride:
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            if (event.key() in self._PANEL_KEYS and not ctrl and not (mods & Qt.KeyboardModifier.AltModifier)) \
                    or (self.editing and event.key() in self._EDIT_KEYS):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # (Qt)
        key, mods = event.key(), event.modifiers()
        plain = not (mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        if self.editing and self.editor.handle_key(event):
            return
        if key == Qt.Key.Key_Escape and self.editing:
            self._leave_edit(ask=True)
        elif key == Qt.Key.Key_Right:
            self._step(+1, pending_only=False)
        elif key == Qt.Key.Key_Left:
            self._step(-1, pending_only=False)
        elif key == Qt.Key.Key_F and plain:
            self.fit_zoom()
        elif key == Qt.Key.Key_O and plain:
            self.others_check.toggle()
        elif key == Qt.Key.Key_H and plain:  # a fill had hidden a raised leg under a mask (a walk)
            self.fill_check.toggle()
        elif key == Qt.Key.Key_P and plain:
            self.view.set_pixelated(not self.view.pixelated)
            self.message.emit("Zoom: pixels" if self.view.pixelated else "Zoom: smooth")
        else:
            super().keyPressEvent(event)
            return
        event.accept()

