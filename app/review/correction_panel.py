"""The correction loop in the studio: the result frames most likely wrong, fix one, retrain from here.

For the person under review, a background job ranks the result frames of the run Play shows (the run picked
in Play's Run box, else the newest with results; after a retrain here, the new run) without ground truth
(``workflows.correction.rank_suspects``: area and height jumps, unlike the frames either side, distance from
the track point, pieces). "Fix" puts the chosen result frame up for review (source ``correction``) and opens it
in the review editor (brush, refine clicks, lasso); once saved it is an accepted, edited label. "Retrain from
here" resumes the latest checkpoint on the labels and re-segments only the span the fixes affect (no fix is made
while it runs: one saved then was left out of it); the earlier run stays stored to compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from humanseg_core.workflows.labels import CORRECTION_SOURCE

from ..colors import person_color
from ..plurals import plural
from ..scene_summary import gap_text
from ..segmentation.lazy_masks import LazyMasks
from ..worker import JobWorker, failure_text
from .checked_frames import checked, store_checked
from .correction_controls import add_controls, fix_buttons, retrain_refusal
from .correction_text import (
    CHECKED_NOTE,
    FIXED_NOTE,
    HEADER,
    HINT,
    NO_SIGN,
    RANKED_ROWS,
    change_text,
    changed_during,
    mask_region,
    ranked_rows,
    retrain_job,
    retrain_text,
    suspects_job,
    suspicion_text,
)

if TYPE_CHECKING:
    from humanseg_core.osvos.config import TrainConfig


RETRAIN, CANCEL_RETRAIN = "Retrain from here", "Cancel retrain"
CANCELLED = {RETRAIN: "Retrain cancelled: no new results were stored; the earlier run is as it was"}
SECONDS_SETTING = "fix.seconds"  # the retrain budget the analyst last chose in the project
RETRAIN_SECONDS = 30.0
RESULT_LAYER = "correction"  # the main view's layer for the ranked result on screen (in the person's colour)


class CorrectionPanel(QWidget):
    message = Signal(str)
    retrained = Signal(object)  # workflows.correction.Retrained
    # made by correction_controls.add_controls
    refresh_btn: QPushButton
    fix_btn: QPushButton
    checked_btn: QPushButton
    retrain_btn: QPushButton
    seconds: QDoubleSpinBox
    zoom: QCheckBox

    def __init__(self, review, parent=None):
        super().__init__(parent)
        self.review = review  # the ReviewController: project, panel, window
        self._worker: JobWorker | None = None
        self._rank_next: int | None = None  # the run a finished retrain stored: ranked once the panel is free
        # pid -> the run whose results Play shows (its Run box; the studio sets it): ranked by Rank
        self.shown_run: Callable[[int], int | None] | None = None
        self._retrain_note = ""  # what the last retrain did, kept on the status line past the re-ranking
        self._results: LazyMasks = LazyMasks()  # the ranked run's results (decoded when shown)
        self._results_pid: int | None = None
        self._fixes: dict[int, Any] = {}  # frame -> the mask a fix saved, shown over the ranked run's result
        self._named: int | None = None  # the person chosen last (person_changed): the header's, acted on
        self._pending: int | None = None  # a person chosen while a job ran: taken up when it ends
        self._on_screen = False  # the dock is in front (install.py follows its visibilityChanged)
        self._fixing: tuple[int, int] | None = None  # (proposal id, frame) opened by Fix frame, until saved
        self._zoomed = False  # the view shows this tab's zoom on the person (undone when the tab leaves)
        self._rankings: dict[int, tuple[int, list]] = {}  # pid -> (run id, suspects) of its last ranking
        saved = getattr(review.panel, "status_changed", None)  # (a stand-in panel in tests may lack it)
        if saved is not None:
            saved.connect(self._fixed)
        lay = QVBoxLayout(self)
        self.header = QLabel(HEADER)
        self.header.setWordWrap(True)
        self.header.setToolTip(suspicion_text())
        lay.addWidget(self.header)
        # the status between the header and the list: below the buttons its lines moved them (a walk's click on
        # Fix frame landed on a list row after a retrain's three-line status)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.bar = QProgressBar()  # a retrain's steps, then its frames (text alone read as stuck in a walk)
        self.bar.setVisible(False)
        lay.addWidget(self.bar)
        self.list = QListWidget()
        self.list.setWordWrap(True)  # the hint line reads in full in a narrow dock
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # a double click or Enter (keyboard-only review) fixes the frame; the hint line has no frame
        self.list.itemActivated.connect(lambda _i: self.fix_selected())
        self.list.currentItemChanged.connect(self._go)
        lay.addWidget(self.list, 1)
        add_controls(self, lay, RETRAIN, RETRAIN_SECONDS)  # the buttons, the retrain budget, the zoom box
        self.refresh_btn.clicked.connect(self.refresh)
        self.fix_btn.clicked.connect(self.fix_selected)
        self.checked_btn.clicked.connect(self.mark_checked)
        self.retrain_btn.clicked.connect(lambda _checked=False: self._retrain_clicked())  # never `checked` as config
        self.seconds.valueChanged.connect(self._keep_seconds)  # the project keeps it (a walk: 15 s back to 30)
        self.zoom.toggled.connect(self._zoom_toggled)
        self._show_hint()

    def _show_hint(self, pid: int | None = None) -> None:
        """The list is not blank before the first ranking: one greyed line says what to do, and for whom (a walk:
        the tab named nobody until Rank was pressed)."""
        self._clear_list()
        if pid is None:
            panel = getattr(getattr(self, "review", None), "panel", None)
            pid = getattr(panel, "pid", None)
        hint = QListWidgetItem(HINT if pid is None else f"Person {pid} — {HINT}")
        self._name_header(pid)
        hint.setFlags(Qt.ItemFlag.NoItemFlags)  # not selectable: no frame behind it
        hint.setForeground(self.palette().placeholderText())
        self.list.addItem(hint)

    def _name_header(self, pid: int | None) -> None:
        """The tab's first line names the person (a walk found the name only in a grey line below it)."""
        self.header.setText(HEADER if pid is None else f"Person {pid}: {HEADER[0].lower()}{HEADER[1:]}")

    # -- state ---------------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The person chosen last, whom the header names; Review stays on its last person when the chosen one
        has no proposals (a walk's Retrain from here, under "Person 77", had retrained person 85)."""
        return self._named if self._named is not None else self.review.panel.pid

    def busy(self) -> bool:
        return self._worker is not None

    def _start(self, factory, name: str, on_finished) -> None:
        self._worker = JobWorker(factory, name=name, parent=self, on_finished=on_finished,
                                 ask_before_quit=name != "Ranking",  # a retrain's work would be lost: ask
                                 on_progress=lambda p: self._progress(name, p),
                                 on_failed=lambda msg: self.status.setText(failure_text(name, msg)),
                                 on_cancelled=lambda: self.status.setText(CANCELLED.get(name, f"{name} cancelled")),
                                 on_done=self._done)
        if self.refresh_btn.hasFocus():  # disabled, it would hand the focus to the budget box, where a second
            self.list.setFocus()  # Space typed (a keyboard walk): the ranked frames come here
        self.refresh_btn.setEnabled(False)
        retraining = name == RETRAIN
        self.retrain_btn.setEnabled(retraining)  # it cancels the retrain while it runs
        self.seconds.setEnabled(not retraining)  # the running retrain keeps the budget it started with
        fix_buttons(self)  # Fix frame and Looks right off while it retrains
        self.bar.setVisible(retraining)
        if retraining:
            self.bar.setRange(0, 0)  # busy until the first report gives a count
            self.retrain_btn.setText(CANCEL_RETRAIN)
            # said at once: the first report comes after the labels are read (a walk saw the old ranking's line)
            self.status.setText(f"{name}: starting (training {self.seconds.value()} s, then re-segmenting the "
                                "frames the fixes affect)…")
        self._worker.start()

    def _progress(self, name: str, p) -> None:
        self.status.setText(f"{name}: {p.message}")
        if p.total > 0:
            self.bar.setRange(0, int(p.total))
            self.bar.setValue(min(int(p.done), int(p.total)))

    def _retrain_clicked(self) -> None:
        """Retrain from here, or cancel the retrain that runs (it had no cancel: only quitting stopped it)."""
        if self._worker is not None and self._worker.name == RETRAIN:
            self._worker.cancel()
            self.retrain_btn.setEnabled(False)
            self.status.setText("Cancelling the retrain at its next step…")
        else:
            self.retrain()

    def _done(self, *_a) -> None:
        self._worker = None
        self.bar.setVisible(False)
        self.retrain_btn.setText(RETRAIN)
        for b in (self.refresh_btn, self.retrain_btn, self.seconds):
            b.setEnabled(True)
        fix_buttons(self)  # Fix frame and Looks right back
        if self._rank_next is not None:  # a retrain finished: rank its run now that the panel is free
            run, self._rank_next = self._rank_next, None
            self.rank(run)
        elif self._pending is not None:  # a person chosen while the job ran (a review found the tab on the last)
            pid, self._pending = self._pending, None
            self.person_changed(pid)

    # -- ranking -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rank the run Play shows for the person (its Run box), else the newest with results."""
        self.rank(None)

    def rank(self, run_id: int | None) -> None:
        """Rank run ``run_id`` of the person (None: the run Play shows, else the newest with results)."""
        project, pid = self.review.project, self.pid
        if self.busy():
            return
        self._clear_list()
        self._results, self._results_pid, self._fixes = LazyMasks(), pid, {}  # (the last person's fixes too)
        self.show_result()
        if project is None or pid is None:
            self.status.setText("Open a project and choose a person to review")
            return
        scene = self.review.panel.scene
        self._name_header(pid)
        if run_id is None and self.shown_run is not None:
            run_id = self.shown_run(pid)
        self._start(lambda cancel: suspects_job(project, scene, pid, cancel, run_id), "Ranking", self._ranked)

    def _ranked(self, value) -> None:
        run_id, ranked, blobs = value
        self._results, self._fixes = LazyMasks(blobs), {}
        self.show_result()
        self._clear_list()
        if run_id is None or not ranked:
            self.status.setText(f"Person {self.pid}: no segmentation results yet (Segment tab)")
            return
        project = self.review.project
        fixed = {p.frame for p in project.proposals(self.pid, with_masks=False)
                 if p.source == CORRECTION_SOURCE and p.status == "edited"} if project is not None else set()
        earlier = self._rankings.get(int(self.pid)) if self._results_pid == self.pid else None
        if earlier is not None and earlier[0] == run_id:
            earlier = None  # the same run ranked again: nothing to compare
        was = {s.frame: s.score for s in earlier[1]} if earlier is not None else {}
        tip = suspicion_text()
        self._ranked_run = run_id
        checked = self._checked(run_id)
        for text, frame in ranked_rows(ranked, fixed, checked, was):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, frame)
            item.setToolTip(tip)
            self.list.addItem(item)
        if self._results_pid == self.pid and self.pid is not None:
            self._rankings[int(self.pid)] = (run_id, list(ranked))
        note = change_text(earlier, ranked, self._retrain_note)
        self._retrain_note = ""
        run = next((r for r in project.runs(self.pid) if r["id"] == run_id), None) if project is not None else None
        gaps = gap_text((run or {}).get("metrics") or {})  # frames with no result to rank: their image was unreadable
        newest = project.used_run(int(self.pid)) if project is not None else None
        which = f" (not the newest, run {newest}: Play's Run box picks the run)" if newest not in (None, run_id) else ""
        listed = f" (the first {RANKED_ROWS} listed)" if len(ranked) > RANKED_ROWS else ""
        self.status.setText((f"{note}\n" if note else "")  # a line a part (an 8-line paragraph read dense, a walk)
                            + f"Person {self.pid}, run {run_id}{which}: {plural(len(ranked), 'result frame')} "
                            "ranked, worst first" + listed + gaps + ("" if any(s.reasons for s in ranked) else NO_SIGN))

    def pick_changed(self, pid: int, run_id: int) -> None:
        """Play's Run box picked run ``run_id`` for ``pid``: a ranking of another run of that person says so."""
        if pid == self._results_pid == self.pid and len(self._results) and not self.busy():
            self.status.setText(f"{self.status.text()}\nPlay now shows run {run_id}: Rank ranks its result frames")

    def _checked(self, run_id) -> set[int]:
        """The frames of run ``run_id`` of the person the analyst marked right (kept in the project)."""
        return checked(self.review.project, self.pid, run_id)

    def _carry_checked(self, earlier: int | None, run_id: int, span: tuple[int, int]) -> None:
        """A retrain copies the earlier run's results outside the span it re-segments: the frames marked right
        there are the same masks, marked in the new run too (a walk judged them again after every retrain)."""
        if earlier is not None:
            self._store_checked(run_id, {f for f in self._checked(earlier) if not span[0] <= f <= span[1]})

    def _store_checked(self, run_id: int, frames: set[int]) -> None:
        """``frames`` of run ``run_id`` marked right, kept in the project (not where another window holds it)."""
        if self.review.project is not None and not self.review.read_only and frames:
            store_checked(self.review.project, self.pid, run_id, frames)

    def mark_checked(self) -> None:
        """The chosen ranked frame looks right: to the end of the ranking, marked (the project keeps it)."""
        item = self.list.currentItem()
        project, run_id = self.review.project, getattr(self, "_ranked_run", None)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None or project is None or run_id is None:
            return
        frame = int(item.data(Qt.ItemDataRole.UserRole))
        if frame in self._checked(run_id):
            return
        self._store_checked(run_id, {frame})
        row = self.list.row(item)
        self.list.takeItem(row)
        item.setText(item.text() + CHECKED_NOTE)
        self.list.addItem(item)
        self.list.setCurrentRow(min(row, self.list.count() - 1))

    def _clear_list(self) -> None:
        """Empty the list without its current-row signal: cleared while a row was current (a person chosen
        after a ranked row was clicked), the signal's deleted row crashed the studio."""
        self.list.blockSignals(True)
        try:
            self.list.clear()
        finally:
            self.list.blockSignals(False)
        self._go(None)

    def _go(self, item, _prev=None) -> None:
        ranked = item is not None and item.data(Qt.ItemDataRole.UserRole) is not None
        fix_buttons(self, ranked)
        if ranked:
            self.review.window.set_frame(int(item.data(Qt.ItemDataRole.UserRole)))  # show_result follows

    # -- the ranked run's result on the main view --------------------------------------------------------
    def person_changed(self, pid: int | None) -> None:
        """Another person is under review: a ranking of the last one is not left up (a walk read "Person 238,
        run 1" after choosing 289). In front, the new person's run is ranked at once; behind, the hint waits."""
        if pid is None:
            return
        if self.busy():
            self._pending = pid
            return
        if pid != self._named:  # another person: the last one's status line goes (a walk read person 70's on 84)
            self.status.setText("")
        self._named = pid
        if self._results_pid == pid:
            return
        if self._results_pid is None:  # nothing ranked yet: the hint names the person now under review
            self._show_hint(pid)
            return
        if self._on_screen:  # (a person without results: "no segmentation results yet")
            self.rank(None)
            return
        self._results, self._results_pid, self._fixes = LazyMasks(), None, {}
        self._show_hint(pid)
        self.status.setText("")
        self.show_result()

    def set_on_screen(self, on: bool) -> None:
        """The dock is in front (True) or covered / closed: the result layer and the zoom follow it."""
        self._on_screen = bool(on)
        if not on and self._zoomed:
            self._zoomed = False
            view = getattr(self.review.window, "frame_view", None)
            if view is not None and hasattr(view, "fit"):
                view.fit()
        self.show_result()

    def show_result(self, *_a) -> None:
        """While this tab is in front, the main view draws the ranked run's result of the frame on screen,
        so a ranked frame can be judged before Fix frame puts it up for review."""
        window = self.review.window
        view = getattr(window, "frame_view", None)
        if view is None:
            return
        frame = getattr(window, "current_frame", None)
        mask = None
        if self._on_screen and self.pid == self._results_pid and frame in self._fixes:
            mask = self._fixes[frame]  # a walk saw the old result on a frame it had just fixed
        elif self._on_screen and self.pid == self._results_pid and frame in self._results:
            mask = self._results.get(frame)
        outline = getattr(view, "set_outline_overlay", None)  # white: the mask judged (a walk mixed 30's and 31's)
        if outline is not None:
            outline(RESULT_LAYER, mask, QColor(255, 255, 255), 1.5)
        if mask is None:
            view.set_mask_overlay(RESULT_LAYER, None)
        else:
            view.set_mask_overlay(RESULT_LAYER, mask, person_color(int(self.pid)), 0.45)
            if self.zoom.isChecked() and hasattr(view, "show_region"):
                region = mask_region(mask)
                if region is not None:
                    view.show_region(*region)
                    self._zoomed = True

    def _zoom_toggled(self, on: bool) -> None:
        view = getattr(self.review.window, "frame_view", None)
        if not on and view is not None and hasattr(view, "fit"):
            view.fit()
        self.show_result()

    def _keep_seconds(self, value: float) -> None:
        project = self.review.project
        if project is not None and not self.review.read_only and not getattr(self, "_loading", False):
            project.set_setting(SECONDS_SETTING, float(value))

    def reset(self) -> None:
        """Another project (or none): its ranking and results are gone from the list and the view; the retrain
        budget is the one the analyst last chose in it."""
        project = self.review.project
        kept = project.setting(SECONDS_SETTING) if project is not None else None
        self._loading = True
        try:
            self.seconds.setValue(float(kept) if isinstance(kept, (int, float)) and kept > 0 else RETRAIN_SECONDS)
        finally:
            self._loading = False
        self._results, self._results_pid, self._named, self._fixes, self._pending = LazyMasks(), None, None, {}, None
        self._retrain_note = ""
        self._rankings.clear()  # its persons' ids name other persons in the next project
        self.status.setText("")
        self._show_hint()
        self.show_result()

    # -- fixing and retraining -----------------------------------------------------------------------
    def fix_frame(self, frame: int) -> int | None:
        """Put the result of ``frame`` up for review and open it in the editor; returns the proposal id."""
        from humanseg_core.workflows.labels import result_for_review

        project, pid = self.review.project, self.pid
        if project is None or pid is None:
            return None
        mask = self._result_mask(project, pid, int(frame))
        if mask is None:
            self.message.emit(f"Person {pid} has no segmentation result on frame {frame}")
            return None
        panel = self.review.panel
        if not panel.finish_edit():  # an edit open in Review: asked about first (it was dropped without a word)
            return None
        proposal_id = result_for_review(project, pid, frame, mask)
        opened = project.get_proposal(proposal_id)
        if int(frame) in project.hidden_frames(int(pid)):  # a walk's V mark was called a label trained on
            said = (f"Frame {frame}: you marked person {pid} not visible here (no label, its network did not train on "
                    "it): opened to fix; draw the person and save (Ctrl+S) if it is visible")
        elif opened.source != CORRECTION_SOURCE:  # a second label there counted twice
            said = f"Frame {frame} holds person {pid}'s label, which its network trained on: opened to fix"
        elif opened.status in ("accepted", "edited"):  # a fix saved before (a review: told it would become a label)
            said = f"Your fix of person {pid}'s frame {frame} opened again: save (Ctrl+S) keeps what you change"
        else:  # replaces what Review said of the frame (a walk read "no proposal on frame N ... Review stays on M")
            said = f"Person {pid}'s result on frame {frame} opened to fix: save (Ctrl+S) makes it a label"
        panel.refresh()
        self.review.show_panel()
        panel.go_to(proposal_id)
        if not panel.editing:
            panel.toggle_edit()
        self._fixing = (proposal_id, int(frame))
        self.message.emit(said)
        return proposal_id

    def _result_mask(self, project, pid: int, frame: int):
        """The result of ``frame`` in the run ranked here (the one drawn on the video), else in the run Play uses;
        one frame decoded (a review: Fix frame put up the used run's mask, decoding all of them)."""
        if self._results_pid == pid and frame in self._results:
            return self._results.get(frame)
        from humanseg_core import rle

        run_id = project.used_run(pid)
        blob = project.mask_blobs(pid, "results", run_id, frame).get(frame) if run_id is not None else None
        try:
            return None if blob is None else rle.from_blob(blob).astype(bool)
        except ValueError:  # a damaged blob reads as no result there, as everywhere
            return None

    def _fixed(self, proposal_id: int, status: str) -> None:
        """The frame Fix frame opened was saved: back to this tab, which says what comes next (a walk was
        left in the Review tab on the next pending proposal and had to find the Fix tab again)."""
        if self._fixing is None or proposal_id != self._fixing[0] or status != "edited":
            return
        frame, self._fixing = self._fixing[1], None
        self.status.setText(f"Frame {frame} fixed (an accepted label now): fix more frames, or {RETRAIN}")
        project = self.review.project
        if project is not None and self._results_pid == self.pid:  # shown on the video until the next ranking
            self._fixes[int(frame)] = project.get_proposal(proposal_id).mask
        for row in range(self.list.count()):  # its row says so at once, not after the next ranking (a walk)
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == frame and FIXED_NOTE not in item.text():
                item.setText(item.text() + FIXED_NOTE)
        dock = getattr(self.review, "correction_dock", None)
        if dock is not None:
            QTimer.singleShot(0, dock.raise_)
        # the video back on the fixed frame (saving moved Review, and the video, to the next pending proposal:
        # a walk fixed 729 and 836 and was left on 730 and 840)
        QTimer.singleShot(0, lambda: self.review.window.set_frame(int(frame)))

    def fix_selected(self) -> None:  # (Enter or a double click too: off while a retrain runs, as the button is)
        item = self.list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole) is not None and self.fix_btn.isEnabled():
            self.fix_frame(int(item.data(Qt.ItemDataRole.UserRole)))

    def retrain(self, config: TrainConfig | None = None) -> None:
        project, pid = self.review.project, self.pid
        if project is None or pid is None or self.busy():
            return
        fixed, said = retrain_refusal(self, project, pid)
        if said:
            self.status.setText(said)  # in the tab too: the status bar cut it short at 1024 px (a walk)
            self.message.emit(said)
            return
        seconds = float(self.seconds.value())
        self._start(lambda cancel: retrain_job(project, pid, fixed, seconds, config, cancel), RETRAIN, self._retrained)

    def _retrained(self, value) -> None:
        self._carry_checked(value.previous_run, int(value.run.run_id), value.span)
        self._retrain_note = retrain_text(value, self.pid) + changed_during(self.review.project, value.run.run_id)
        self.status.setText(self._retrain_note)
        self.retrained.emit(value)
        panel = self.review.panel
        if hasattr(panel, "counts") and getattr(panel, "pid", None) == self.pid:  # its note names the new run
            panel.counts.set_person(self.review.project, self.pid)
        self._rank_next = int(value.run.run_id)  # ranks the new run once this job is done; the status keeps the note
