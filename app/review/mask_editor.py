"""Edit mode of the review panel: brush, eraser, click-to-refine and lasso on the proposal's mask, with undo.

Tools: the brush paints, the eraser removes (the right button or Shift does the opposite of the tool);
Refine: a click marks the person (right click or Shift: not the person) and the mask is refined by
GrabCut (``humanseg_core.proposals.refine``) seeded by the mask, every click so far and the other
persons' track points; Lasso: a drawn polygon is added (right button or Shift: cut).

GrabCut runs on a worker (``app.worker.JobWorker``; hundreds of ms per click on a loaded 2-core machine),
never on the GUI thread. Until its result lands the editor says "Refining…" and editing pauses: the tools,
Undo, Redo and Save are disabled and strokes, clicks and Ctrl+Z / Ctrl+S are ignored, so the result is
pushed as ONE undo step on top of the history it was computed from. Leaving the proposal, starting another,
or saving meanwhile drops the pending result (it belongs to a mask that is no longer being edited).

Each stroke, click or lasso is one :class:`StrokeCommand` on a ``QUndoStack`` that stores only the
changed region: the bounding box of the changed pixels, before and after (and the refine clicks). Saving
goes through ``commit`` (the review panel's undoable command) or ``project.set_mask``.
"""

from __future__ import annotations

import cv2
import numpy as np
import shiboken6
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QWidget,
)

from humanseg_core.jobs import Progress
from humanseg_core.proposals.refine import click_refine, fill_polygon
from humanseg_core.workflows.parent_choice import project_parent_file

from ..flow_layout import FlowLayout
from ..worker import JobWorker
from .brush import UNCHANGED, UNCHANGED_NOT, brush_radius_for
from .stroke_command import StrokeCommand

MIN_RADIUS, MAX_RADIUS = 1, 60
SAID = ("Refining…", "Click changed nothing", "Refine failed")  # the editor's slot: what a click is doing or did


class MaskEditor(QWidget):
    """Tool bar + stroke logic. Attach to a ``ProposalView``; ``begin(id, mask)`` starts editing a copy."""

    mask_changed = Signal()  # after every dab, undo or redo
    saved = Signal(int)  # proposal id, after project.set_mask
    radius_changed = Signal(int)
    said = Signal(str)  # a refine's outcome in full, for a status bar

    def __init__(self, project, view, parent=None):
        super().__init__(parent)
        self.project = project
        self.view = view
        self.undo_stack = QUndoStack(self)
        self.commit = None  # callable(proposal_id, mask) storing a saved mask (default: project.set_mask); False: not
        # callable() -> (BGR frame or None, [(u, v)] of the other persons[, body prior]): for Refine
        self.context = None
        self.clicks: tuple[list, list] = ([], [])  # refine clicks: positives, negatives
        self._lasso: list[tuple[float, float]] = []
        self._invert = False
        self.proposal_id: int | None = None
        self.mask: np.ndarray | None = None  # uint8 0/1 working copy
        self._before: np.ndarray | None = None
        self._last: tuple[int, int] | None = None
        self._touched: list[int] | None = None  # y0, x0, y1, x1 of the current stroke
        self._refine_worker: JobWorker | None = None  # the GrabCut running for the last click, if any
        self._generation = 0  # bumped by begin, end and save: a refine result computed before is dropped
        # its own thread: on the shared pool a click would queue behind training or a whole-scene run
        self._refine_pool = QThreadPool(self)
        self._refine_pool.setMaxThreadCount(1)
        self._build()
        view.stroke_started.connect(self._stroke_start)
        view.stroke_moved.connect(self._stroke_move)
        view.stroke_finished.connect(self._stroke_end)
        self.undo_stack.indexChanged.connect(lambda _i: self._refresh())
        self.undo_stack.cleanChanged.connect(lambda _c: self._update_buttons())

    def _build(self) -> None:
        lay = FlowLayout(self)  # wraps in the narrow right-hand dock
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addWidget(QLabel("<b>Edit</b>"))
        self.brush_button = QToolButton(text="Brush", checkable=True, checked=True)
        self.eraser_button = QToolButton(text="Eraser", checkable=True)
        self.refine_button = QToolButton(text="Refine", checkable=True)
        self.lasso_button = QToolButton(text="Lasso", checkable=True)
        self.brush_button.setToolTip("Paint pixels into the mask (B; right button erases)")
        self.eraser_button.setToolTip("Remove pixels from the mask (N)")
        self.refine_button.setToolTip("Click the person to refine the mask (R; right click or Shift+click: "
                                      "not the person); GrabCut, each click one undo step")
        self.lasso_button.setToolTip("Draw a polygon to add a region (L; right button or Shift: cut it)")
        group = QButtonGroup(self)
        group.setExclusive(True)
        group.buttonClicked.connect(self._tool_chosen)
        for b in (self.brush_button, self.eraser_button, self.refine_button, self.lasso_button):
            group.addButton(b)
            lay.addWidget(b)
            b.toggled.connect(lambda _on: self.size_slider.setEnabled(  # the brush's size, not Refine's or Lasso's
                self.brush_button.isChecked() or self.eraser_button.isChecked()))
        lay.addWidget(QLabel("Radius"))  # the circle is twice as wide (a walk read "Size 6 px" as its width)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(MIN_RADIUS, MAX_RADIUS)
        self.size_slider.setValue(6)
        self.size_slider.setPageStep(2)  # a click on the groove: 2 px (Qt's 10 took a walk from 2 px to 12 at once)
        self.size_slider.setFixedWidth(120)
        self.size_slider.setToolTip("Brush radius in image pixels ([ smaller, ] larger)")
        self.size_label = QLabel()
        self.size_label.ensurePolished()  # as wide as its widest value: "2 px" -> "19 px" rewrapped the bar (a walk)
        self.size_label.setMinimumWidth(self.size_label.fontMetrics().horizontalAdvance(f"{MAX_RADIUS} px") + 4)
        self.size_slider.valueChanged.connect(self._radius_changed)
        self.size_slider.actionTriggered.connect(self._radius_chosen)  # drags, keys, clicks on the groove
        self._radius_by_user = False  # until the analyst sets it, the radius follows the person's size
        lay.addWidget(self.size_slider)
        lay.addWidget(self.size_label)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last stroke (Ctrl+Z)")
        self.redo_button = QPushButton("Redo")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.save_button = QPushButton("Save mask")
        self.save_button.setToolTip("Store the edited mask (Ctrl+S; status 'edited', counts as accepted)")
        # wide enough for 'Save mask *' (unsaved edits): in a crowded row it was cut to 'ſave mask ·'
        self.save_button.ensurePolished()  # the style sheet's font
        self.save_button.setMinimumWidth(self.save_button.fontMetrics().horizontalAdvance("Save mask *") + 28)
        self.save_button.clicked.connect(self.save)
        # a short word in a slot of its own width, always there: a long one had widened the Review panel (saved with
        # the layout) and its coming and going moved the picture between Refine clicks (a crowd walk's missed)
        self.busy_label = QLabel()
        self.busy_label.setStyleSheet("color: #b06000;")
        self.busy_label.ensurePolished()
        self.busy_label.setFixedWidth(max(self.busy_label.fontMetrics().horizontalAdvance(t) for t in SAID) + 6)
        lay.addWidget(self.busy_label)
        actions = QWidget()  # Undo, Redo and Save wrap together (at 1280 px 'Redo' wrapped onto a row alone)
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(lay.spacing())
        for b in (self.undo_button, self.redo_button, self.save_button):
            row.addWidget(b)
        lay.addWidget(actions)
        self._radius_changed(self.size_slider.value())
        self._update_buttons()

    # -- state -----------------------------------------------------------------------------------
    @property
    def radius(self) -> int:
        return self.size_slider.value()

    @property
    def erasing(self) -> bool:
        return self.eraser_button.isChecked()

    def set_erasing(self, erasing: bool) -> None:
        (self.eraser_button if erasing else self.brush_button).setChecked(True)

    def _tool_chosen(self, _button) -> None:
        if self.mask is not None:
            self.view.show_clicks(*self.clicks)

    @property
    def tool(self) -> str:
        for name, b in (("refine", self.refine_button), ("lasso", self.lasso_button), ("eraser", self.eraser_button)):
            if b.isChecked():
                return name
        return "brush"

    def set_tool(self, name: str) -> None:
        {"brush": self.brush_button, "eraser": self.eraser_button, "refine": self.refine_button,
         "lasso": self.lasso_button}[name].setChecked(True)

    @property
    def dirty(self) -> bool:
        return self.mask is not None and not self.undo_stack.isClean()

    def current_mask(self) -> np.ndarray | None:
        return None if self.mask is None else self.mask.astype(bool)

    def begin(self, proposal_id: int, mask: np.ndarray) -> None:
        """Start editing a copy of ``mask`` for proposal ``proposal_id``; the undo history starts empty."""
        self._drop_refine()
        self.undo_stack.clear()
        self.proposal_id = proposal_id
        self.mask = np.array(mask, dtype=np.uint8, order="C")  # a C-ordered copy (cv2 draws on it)
        self._set_clicks(([], []))
        if not self._radius_by_user:  # a walk: the 6 px brush doubled a 70 px person's mask in one stroke
            self.size_slider.setValue(brush_radius_for(self.mask))
        self.view.set_brush_radius(self.radius)
        self._update_buttons()

    def end(self) -> None:
        """Leave editing without saving (the caller asked about unsaved changes before)."""
        self._drop_refine()
        self.undo_stack.clear()
        self.proposal_id = None
        self.mask = None
        self._before = None
        self.clicks = ([], [])
        self.view.show_clicks([], [])
        self.view.show_path([])

    def save(self) -> bool:
        if self.mask is None or self.proposal_id is None:
            return False
        self._drop_refine()  # the mask on screen is saved; a refine still running would land after it
        if self.commit is not None:  # the panel's undoable command; False: nothing stored (the panel said why)
            if self.commit(self.proposal_id, self.mask.astype(bool)) is False:
                return False
        else:
            self.project.set_mask(self.proposal_id, self.mask.astype(bool))
        self.undo_stack.setClean()
        self.saved.emit(self.proposal_id)
        return True

    def undo(self) -> None:
        """Undo the last stroke; ignored while a refine runs (its result goes on top of this history)."""
        if not self.refining:
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.refining:
            self.undo_stack.redo()

    def _radius_changed(self, value: int) -> None:
        self.size_label.setText(f"{value} px")
        self.view.set_brush_radius(value)
        self.radius_changed.emit(value)

    def change_radius(self, delta: int) -> None:
        self._radius_chosen()
        self.size_slider.setValue(self.size_slider.value() + delta)

    def _radius_chosen(self, *_args) -> None:
        self._radius_by_user = True  # kept from then on, for every person

    def _update_buttons(self) -> None:
        if not (shiboken6.isValid(self.undo_stack) and shiboken6.isValid(self.undo_button)):
            return  # the window is being torn down (the stack emits while it is deleted)
        active = self.mask is not None and self._refine_worker is None
        self.undo_button.setEnabled(active and self.undo_stack.canUndo())
        self.redo_button.setEnabled(active and self.undo_stack.canRedo())
        self.save_button.setEnabled(active)
        self.save_button.setText("Save mask *" if self.dirty else "Save mask")

    def _refresh(self) -> None:
        if not shiboken6.isValid(self.undo_stack):
            return
        self._update_buttons()
        if self.mask is not None:
            self.view.set_mask(self.mask.astype(bool))
            self.mask_changed.emit()

    # -- keys ------------------------------------------------------------------------------------
    def handle_key(self, event) -> bool:
        """Editor keys while in edit mode; returns True when the key was used."""
        ctrl_z = event.key() == Qt.Key.Key_Z and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if self.refining and (ctrl_z or event.matches(QKeySequence.StandardKey.Undo)
                              or event.matches(QKeySequence.StandardKey.Redo)
                              or event.matches(QKeySequence.StandardKey.Save)):
            return True  # paused until the refine lands: the result goes on top of this history
        if event.matches(QKeySequence.StandardKey.Undo) or (
                event.key() == Qt.Key.Key_Z and event.modifiers() == Qt.KeyboardModifier.ControlModifier):
            self.undo_stack.undo()
            return True
        if event.key() == Qt.Key.Key_Z and event.modifiers() == (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            self.undo_stack.redo()
            return True
        if event.key() == Qt.Key.Key_BracketLeft:
            self.change_radius(-1 if self.radius < 10 else -3)
            return True
        if event.key() == Qt.Key.Key_BracketRight:
            self.change_radius(1 if self.radius < 10 else 3)
            return True
        if event.key() == Qt.Key.Key_B:
            self.set_erasing(False)
            return True
        if event.key() == Qt.Key.Key_N:
            self.set_erasing(True)
            return True
        if event.key() in (Qt.Key.Key_R, Qt.Key.Key_L) and not event.modifiers():
            self.set_tool("refine" if event.key() == Qt.Key.Key_R else "lasso")
            return True
        if event.matches(QKeySequence.StandardKey.Save):
            self.save()
            return True
        return False

    # -- strokes ---------------------------------------------------------------------------------
    def _stroke_start(self, x: float, y: float) -> None:
        if self.mask is None or self.refining:  # editing pauses while a refine runs
            return
        self._invert = self.view.stroke_inverted
        if self.tool == "refine":
            self.refine_click(x, y, negative=self._invert)
            return
        if self.tool == "lasso":
            self._lasso = [(x, y)]
            self.view.show_path(self._lasso)
            return
        self._before = self.mask.copy()
        self._touched = None
        self._last = (int(round(x)), int(round(y)))
        self._dab(self._last, self._last)

    def _stroke_move(self, x: float, y: float) -> None:
        if self.mask is not None and self._lasso:
            self._lasso.append((x, y))
            self.view.show_path(self._lasso)
            return
        if self.mask is None or self._before is None:
            return
        p = (int(round(x)), int(round(y)))
        self._dab(self._last, p)
        self._last = p

    def _dab(self, p0, p1) -> None:
        r = self.radius
        value = 0 if self.erasing != self._invert else 1
        cv2.line(self.mask, p0, p1, value, thickness=2 * r, lineType=cv2.LINE_8)
        cv2.circle(self.mask, p1, r, value, thickness=-1, lineType=cv2.LINE_8)
        h, w = self.mask.shape
        y0 = max(0, min(p0[1], p1[1]) - r - 1)
        x0 = max(0, min(p0[0], p1[0]) - r - 1)
        y1 = min(h, max(p0[1], p1[1]) + r + 2)
        x1 = min(w, max(p0[0], p1[0]) + r + 2)
        if self._touched is None:
            self._touched = [y0, x0, y1, x1]
        else:
            t = self._touched
            self._touched = [min(t[0], y0), min(t[1], x0), max(t[2], y1), max(t[3], x1)]
        self.view.set_mask(self.mask.astype(bool))

    def _stroke_end(self) -> None:
        if self.mask is not None and self._lasso:
            polygon, self._lasso = self._lasso, []
            self.view.show_path([])
            add = not self._invert
            self.apply(fill_polygon(self.mask, polygon, add), "Lasso add" if add else "Lasso cut")
            return
        if self.mask is None or self._before is None or self._touched is None:
            return
        ty0, tx0, ty1, tx1 = self._touched
        before = self._before[ty0:ty1, tx0:tx1]
        after = self.mask[ty0:ty1, tx0:tx1]
        self._before = None
        changed = np.argwhere(before != after)
        if len(changed) == 0:
            return
        (cy0, cx0), (cy1, cx1) = changed.min(axis=0), changed.max(axis=0) + 1
        cmd = StrokeCommand(self, ty0 + int(cy0), tx0 + int(cx0),
                            before[cy0:cy1, cx0:cx1].astype(bool).copy(),
                            after[cy0:cy1, cx0:cx1].astype(bool).copy(),
                            "Erase" if self.erasing else "Brush")
        self.undo_stack.push(cmd)
        self.mask_changed.emit()

    # -- refine clicks and whole-mask changes ------------------------------------------------------
    @property
    def refining(self) -> bool:
        """Whether a refine click's GrabCut is running (editing is paused until it lands)."""
        return self._refine_worker is not None

    def refine_click(self, x: float, y: float, negative: bool = False) -> None:
        """Add a click and refine the mask by GrabCut from it, every earlier click and the others' points.

        GrabCut runs on a worker; its result lands later as one undo step (see the module's doc)."""
        if self.mask is None or self.refining:
            return
        image, others, *rest = self.context() if self.context is not None else (None, [])
        prior = rest[0] if rest else None  # the body prior (refine.RefinePrior), when the panel knows it
        if image is None:
            self.view.show_clicks(*self.clicks)
            return
        pos, neg = list(self.clicks[0]), list(self.clicks[1])
        (neg if negative else pos).append((float(x), float(y)))
        text = "Refine (not the person)" if negative else "Refine (person)"
        mask, generation = self.mask.astype(bool), self._generation
        parent_file = project_parent_file(self.project)  # the project's own parent network when one was chosen

        def job(cancel):  # on the worker thread: everything it reads is a copy made above
            yield Progress(0, 1, "Refining the mask…")
            cancel.raise_if_cancelled()
            return click_refine(image, mask, pos, neg, others, prior=prior,  # an empty mask: the parent's
                                parent_file=parent_file)

        worker = JobWorker(job, name="Refine", parent=self, writes=False)
        worker.finished.connect(lambda refined: self._refined(generation, refined, text, (pos, neg)))
        worker.failed.connect(lambda message: self._refine_failed(generation, message))
        worker.done.connect(lambda: self._refine_ended(worker))
        self._refine_worker = worker
        self.view.show_clicks(pos, neg)  # the click shows at once; it stays only if its result lands
        self._set_busy(True)
        worker.start(self._refine_pool)

    def _refined(self, generation: int, refined, text: str, clicks: tuple) -> None:
        if generation != self._generation or self.mask is None:
            return  # dropped: the proposal was left, another begun, or the mask saved meanwhile
        if np.array_equal(np.asarray(refined, bool), self.mask.astype(bool)):  # said (a walk: a click on a part
            # under a neighbour's mask changed nothing, without a word), and not an edit to save or undo
            self.view.show_clicks(*self.clicks)
            self.say(SAID[1], UNCHANGED_NOT if "not the person" in text else UNCHANGED)
            return
        self.apply(refined, text, clicks=clicks)

    def _refine_failed(self, generation: int, message: str) -> None:
        if generation == self._generation and self.mask is not None:
            self.view.show_clicks(*self.clicks)
            self.say(SAID[2], f"Refine failed: {message}")

    def _refine_ended(self, worker: JobWorker) -> None:
        if self._refine_worker is worker:
            self._refine_worker = None
            self._set_busy(False)

    def _drop_refine(self) -> None:
        """Forget a running refine: its result will not land (a dropped worker ends on its own)."""
        self._generation += 1
        if self._refine_worker is not None:
            self._refine_worker.cancel()
            self._refine_worker = None
            self._set_busy(False)
            self.view.show_clicks(*self.clicks)
        if shiboken6.isValid(self.busy_label):
            self.say("")  # also an earlier refine's failure: it was about the last mask

    def _set_busy(self, on: bool) -> None:
        if not shiboken6.isValid(self.refine_button):
            return
        for b in (self.brush_button, self.eraser_button, self.refine_button, self.lasso_button):
            b.setEnabled(not on)
        if on:
            self.busy_label.setText(SAID[0])
            self.busy_label.setToolTip("GrabCut is refining the mask from the click; editing resumes when it lands")
        elif self.busy_label.text() == SAID[0]:
            self.say("")
        if self.mask is not None:
            self.view.viewport().setCursor(Qt.CursorShape.BusyCursor if on else Qt.CursorShape.CrossCursor)
        self._update_buttons()

    def say(self, word: str, whole: str = "") -> None:
        """``word`` in the editor's slot, ``whole`` as its tooltip and in the status bar ("" clears the slot)."""
        self.busy_label.setText(word)
        self.busy_label.setToolTip(whole)
        if whole:
            self.said.emit(whole)

    def apply(self, new_mask: np.ndarray, text: str, clicks: tuple | None = None) -> None:
        """Replace the working mask by ``new_mask`` as one undo step (only the changed rectangle is kept)."""
        if self.mask is None:
            return
        new = np.asarray(new_mask, np.uint8)
        changed = np.argwhere(new != self.mask)
        if len(changed) == 0 and clicks is None:
            return
        (y0, x0), (y1, x1) = (changed.min(axis=0), changed.max(axis=0) + 1) if len(changed) else ((0, 0), (0, 0))
        cmd = StrokeCommand(self, int(y0), int(x0), self.mask[y0:y1, x0:x1].astype(bool).copy(),
                            new[y0:y1, x0:x1].astype(bool).copy(), text,
                            None if clicks is None else (self.clicks, clicks))
        self.mask[y0:y1, x0:x1] = new[y0:y1, x0:x1]
        if clicks is not None:
            self._set_clicks(clicks)
        self.undo_stack.push(cmd)
        self.view.set_mask(self.mask.astype(bool))
        self.mask_changed.emit()

    def _set_clicks(self, clicks: tuple) -> None:
        self.clicks = (list(clicks[0]), list(clicks[1]))
        self.view.show_clicks(*self.clicks)

    def _write(self, y0: int, x0: int, pixels: np.ndarray) -> None:
        if self.mask is None:
            return
        h, w = pixels.shape
        self.mask[y0:y0 + h, x0:x0 + w] = pixels
