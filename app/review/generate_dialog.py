"""Generate proposals: choose persons, method and parameters; run the job in the background.

The job (``humanseg_core.proposals.generate_proposals``) runs in an ``app.worker.JobWorker``; the proposals
and skips are stored into the project on the worker thread too (the store is thread-safe), so the window
stays responsive. The bar follows the job's reports: "preparing i of k" while it samples frames, then
"frame i of n" for every planned frame, then "storing…". With Mask R-CNN and no weights, the WeightsError
message is shown with an offer to use background subtraction instead.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.job_dialog import JobDialog
from app.job_footer import JobFooter
from app.mnemonics import add_mnemonics
from app.on_screen import keep_on_screen
from app.plurals import plural, reasons_text
from app.scene_summary import named_frames
from humanseg_core.errors import WeightsError
from humanseg_core.proposals.methods import DEFAULT_METHOD, METHODS, PARENT_METHODS

BGS_METHODS = ("bgs", "bgs-owned", "bgs+parent")  # methods with a background model to choose
BOX_METHODS = ("bgs", "maskrcnn")  # methods that match a detection box to the track point (the threshold)
WEIGHTS_METHODS = ("maskrcnn",) + PARENT_METHODS  # methods with a weights file to choose
OFFLINE_METHOD = "bgs-owned"  # offered when Mask R-CNN has no weights
PARENT_HINT = "the project's parent (default)"  # the weights field when empty (Project ▸ Parent Network…)
MASKRCNN_HINT = "torchvision cache (default)"
LIST_ROWS = 8  # the persons list grows to this many rows, then scrolls


class _WeightsMissing:
    """The job's result when the detector had no weights (the message says what to do)."""

    def __init__(self, message: str):
        self.message = message


ANCHOR_WORDS = {"head": "head", "feet": "feet", "centre": "centre of the body"}


def proposal_job(scene, pids, project, method: str, bgs_algorithm, threshold_px, extra_frames: int,
                 weights=None, cancel=None, generate=None, anchor: str = "", unnamed_walkers: bool | None = None):
    """The core's ``propose_into`` (it stores the proposals and skips); returns (n_proposals, n_skips,
    {frame: problem} of the chosen persons' annotated frames whose image could not be read, the skips'
    reasons counted by kind, the track point estimated when ``anchor`` was "" (auto), else "", how many score
    in each band: "33 at 0.7 and up; 7 at 0.5-0.7")."""
    from humanseg_core.records import UNREADABLE_FRAME
    from humanseg_core.workflows import ProposeConfig, propose_into

    if weights and method in PARENT_METHODS:  # a file the analyst chose: refused as the command line refuses it,
        from humanseg_core.errors import HumansegError  # not a fallback to background subtraction (a walk)
        from humanseg_core.proposals.parent_masks import load_parent_or_none

        problem = load_parent_or_none(weights)[1]
        if problem is not None:
            raise HumansegError(f"Weights file: {problem} (nothing was proposed)")
    if project is not None and unnamed_walkers is not None and bool(unnamed_walkers) != \
            bool(project.inputs.unnamed_walkers):  # the project's choice from now on (as --unnamed-walkers)
        project.set_unnamed_walkers(bool(unnamed_walkers))
    config = ProposeConfig(method=method, bgs_algorithm=bgs_algorithm, threshold_px=threshold_px or 0.0,
                           extra_frames=extra_frames, weights=weights, anchor=anchor)
    try:
        done = yield from propose_into(project, pids, config, cancel, scene=scene, generate=generate)
    except WeightsError as exc:
        return _WeightsMissing(str(exc))
    chosen = {int(p) for p in pids}
    skips = [k for k in project.skips() if int(k.pid) in chosen]
    unreadable = {int(k.frame): str(k.reason)[len(UNREADABLE_FRAME):] for k in skips
                  if str(k.reason).startswith(UNREADABLE_FRAME)}
    asked = anchor or project.inputs.anchor or "auto"  # as propose_into chooses it
    estimated = str(getattr(done, "anchor", "") or "") if asked == "auto" else ""
    from humanseg_core.proposals.score_bands import band_counts_text

    bands = band_counts_text(getattr(done, "score_bands", ()), readings=False)
    return (done.proposals, done.skips, unreadable, reasons_text(skips), estimated, bands,
            int(getattr(done, "kept", 0)))


def progress_text(p) -> str:
    """The bar's text for a report of the proposal job: its stage and count."""
    stage = (p.data or {}).get("stage")
    if stage == "prepare":
        return f"preparing {p.done} of {p.total}" if p.total > 0 else "preparing…"
    if stage == "store":
        return "storing…"
    if stage == "homography":  # a project without one: estimated from the video first (workflows.estimate)
        return f"estimating the homography: {p.done} of {p.total}" if p.total > 0 else "estimating the homography…"
    # a count, not a frame number (the message names the frame: "frame 8990: 15 proposals")
    return f"{p.done} of {p.total} frames" if p.total > 0 else "starting…"


def bgs_algorithms() -> list[str]:
    try:
        from humanseg_core.proposals.detectors.bgs import available_algorithms
        return available_algorithms()
    except Exception:  # the list is only a convenience
        return ["median"]


class AutoSpin(QDoubleSpinBox):
    """A spin box whose minimum reads "auto (N px …)": a step up from it starts at that N, not at 1 (a walk's Up
    read "1.00 px" after "auto (40 px here)")."""

    auto_value = 0.0

    def stepBy(self, steps: int) -> None:  # (Qt)
        if self.value() == self.minimum() and steps > 0 and self.auto_value > self.minimum():
            self.setValue(self.auto_value)
            return
        super().stepBy(steps)


class GenerateDialog(JobDialog):
    """Parameters + progress + cancel. ``generated(n_proposals, n_skips)`` after a successful run."""

    generated = Signal(int, int)
    running_changed = Signal(bool)  # the job started (True) or ended
    FAILURE_TITLE = "Proposal generation failed"

    def _auto_threshold(self) -> float | None:
        """The default at this video's size (40 px at 720x576, scaled by the diagonal); None without frames."""
        from humanseg_core.proposals.association import default_threshold

        frames = getattr(self.scene, "frames", None)
        return None if frames is None else float(default_threshold(int(frames.width), int(frames.height)))

    def _auto_threshold_text(self) -> str:
        """'auto (34 px here)'."""
        auto = self._auto_threshold()
        return "auto (40 px at 720x576)" if auto is None else f"auto ({auto:.0f} px here)"

    def __init__(self, scene, project, selected_pid: int | None = None, parent: QWidget | None = None,
                 generate=None):
        super().__init__(parent)
        self.setWindowTitle("Generate proposals")
        self.scene = scene
        self.project = project
        self._generate = generate  # tests inject a fake job here
        self.result = None
        self._build(selected_pid)

    def _build(self, selected_pid) -> None:
        lay = QVBoxLayout(self)
        form = QFormLayout()
        who = QHBoxLayout()
        self.all_radio = QRadioButton("&All persons")  # their letters kept as their counts change
        self.some_radio = QRadioButton("T&hese:")
        who.addWidget(self.all_radio)
        who.addWidget(self.some_radio)
        who.addStretch(1)
        form.addRow("Persons", who)
        self.person_list = QListWidget()
        self.person_list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.person_list.setFlow(QListWidget.Flow.LeftToRight)
        self.person_list.setWrapping(True)
        # laid out again at every width, scrolled down (a crowd's 41 persons ran off to the right, a walk)
        self.person_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.person_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.person_list.setUniformItemSizes(True)
        self.person_list.setToolTip("Click persons to choose them: each click adds or removes one (no Ctrl needed); "
                                    "the number in brackets is their annotated frames in the video")
        # the persons of the video: "All persons" means them, as `propose --pids all` does (a walk's clip read with
        # the whole obsmat.txt proposed on 1448 frames of 360 persons and took the track points for the centre)
        self._in_video = self.scene.pids_in_video() or list(self.scene.pids)
        listed = self._in_video + ([selected_pid] if selected_pid in set(self.scene.pids) - set(self._in_video) else [])
        if len(self._in_video) < len(self.scene.pids):
            self.all_radio.setText(f"&All {len(self._in_video)} persons in the video")
        for pid in listed:
            frames, _uv = self.scene.pixel_track(pid)
            # the annotations on the video's frames, as the Persons table counts them (a walk's clip read 16 where
            # 11 were in it: the file's rows past the clip counted)
            video = getattr(self.scene, "frames", None)
            n = sum(1 for f in frames if int(f) in video) if hasattr(video, "__contains__") else len(frames)
            item = QListWidgetItem(f"{pid} ({n})")
            item.setData(Qt.ItemDataRole.UserRole, int(pid))
            item.setToolTip(f"person {pid}: {n} annotated frames in the video"
                            + (f" ({len(frames)} in the trajectory file)" if n != len(frames) else ""))
            self.person_list.addItem(item)
            item.setSelected(pid == selected_pid)
        form.addRow("", self.person_list)
        form.labelForField(who).setBuddy(self.person_list)  # its Alt letter goes to the list (a re-walk: Tab only)
        # generating again replaces a person's pending proposals (decided ones stay): said before Generate (a
        # walk's "All persons" replaced a reviewed person's 21 proposals and nothing had said it would)
        self._pending = self._read_pending()
        self.replace_note = QLabel()
        self.replace_note.setWordWrap(True)
        self.replace_note.setVisible(False)
        form.addRow("", self.replace_note)
        # cells as wide as the longest "pid (frames)" (a crowd walk read "238 (…" in every cell)
        # measured in the style sheet's font (10 pt), which applies once polished: the default's 9 pt left the
        # cells a few pixels short ("76 (…" in every cell, a walk)
        self.person_list.ensurePolished()
        fm = self.person_list.fontMetrics()
        longest = max((fm.horizontalAdvance(self.person_list.item(i).text())
                       for i in range(self.person_list.count())), default=40)
        cell = QSize(longest + 14, fm.height() + 6)
        self.person_list.setGridSize(cell)
        for i in range(self.person_list.count()):  # the item's own rect, not the grid's, is where the text elides
            self.person_list.item(i).setSizeHint(cell)
        # four rows at least in a crowd, two otherwise (a walk saw the list shrink to two rows after "done")
        row = fm.height() + 6
        rows = 4 if self.person_list.count() > 16 else 2 if self.person_list.count() > 4 else 1
        frame = 2 * self.person_list.frameWidth() + 4
        self.person_list.setMinimumHeight(min(130, rows * row + frame))
        # up to eight rows (a walk found a crowd's list squeezed into six, the chosen person out of sight)
        self.person_list.setMaximumHeight(LIST_ROWS * row + frame)
        # every person when others' proposals were placed by another reading too (a walk's Use a Homography File…
        # then Ctrl+G offered the selected person alone, of 13 to propose again)
        (self.some_radio if selected_pid is not None and not self._others_placed_otherwise(selected_pid)
         else self.all_radio).setChecked(True)
        # the list stays clickable: a click chooses "These:" (disabled under "All persons" it looked ready and
        # ignored clicks); "All persons" clears the choice
        self.person_list.itemSelectionChanged.connect(
            lambda: self.person_list.selectedItems() and self.some_radio.setChecked(True))
        # how many are chosen, on the radio button (nothing said it with 10 of 41 chosen, a walk)
        self.person_list.itemSelectionChanged.connect(self._count_chosen)
        self._count_chosen()
        self.all_radio.toggled.connect(lambda on: on and self.person_list.clearSelection())
        self.all_radio.toggled.connect(lambda _on: self._count_chosen())  # the note follows (a review: stale)

        self.method_box = QComboBox()
        for name, text in METHODS:
            self.method_box.addItem(f"{name}{' (default)' if name == DEFAULT_METHOD else ''}", name)
            self.method_box.setItemData(self.method_box.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.method_box.setCurrentIndex(self.method_box.findData(DEFAULT_METHOD))
        self.method_box.currentIndexChanged.connect(self._method_changed)
        form.addRow("Method", self.method_box)
        adv = QFormLayout()  # the expert settings, folded away: a walk met 15 BGS algorithms first
        adv.setContentsMargins(0, 0, 0, 0)
        self.bgs_box = QComboBox()
        self.bgs_box.addItems(bgs_algorithms())
        self.bgs_box.setToolTip("Background model; 'median' works everywhere")
        adv.addRow("BGS algorithm", self.bgs_box)
        weights_row = QHBoxLayout()
        self.weights_edit = QLineEdit()
        self.weights_edit.setPlaceholderText(MASKRCNN_HINT)
        self.weights_edit.ensurePolished()
        longest = max(self.weights_edit.fontMetrics().horizontalAdvance(t) for t in (PARENT_HINT, MASKRCNN_HINT))
        self.weights_edit.setMinimumWidth(longest + 40)  # hints in full, style sheet padding included
        browse = QPushButton("…")
        browse.clicked.connect(self._choose_weights)
        weights_row.addWidget(self.weights_edit, 1)
        weights_row.addWidget(browse)
        self.weights_widget = QWidget()
        self.weights_widget.setLayout(weights_row)
        weights_row.setContentsMargins(0, 0, 0, 0)
        adv.addRow("Weights file", self.weights_widget)
        self.threshold_spin = AutoSpin()
        self.threshold_spin.setRange(0, 500)
        self.threshold_spin.setSpecialValueText(self._auto_threshold_text())
        self.threshold_spin.auto_value = float(round(self._auto_threshold() or 40.0))
        self.threshold_spin.setSuffix(" px")
        self.threshold_spin.setValue(0)
        self.threshold_spin.setToolTip("Largest distance from the track point to a detection box (the box "
                                       "methods: bgs, maskrcnn); auto: 40 px at 720x576, scaled to the video")
        adv.addRow("Match threshold", self.threshold_spin)
        self.extra_spin = QSpinBox()
        self.extra_spin.setRange(0, 9)
        self.extra_spin.setToolTip("Also propose on this many interpolated frames each side of an annotated one")
        adv.addRow("Extra frames", self.extra_spin)
        self.anchor_box = QComboBox()  # as the CLI's --anchor (a walk found no way to say it here)
        for text, value in (("the project's (auto: estimated)", ""), ("head", "head"), ("feet", "feet"),
                            ("centre of the body", "centre")):
            self.anchor_box.addItem(text, value)
        self.anchor_box.setToolTip("Where the track points sit on a person; auto estimates it from sample frames")
        adv.addRow("Track point on", self.anchor_box)
        self.unnamed_box = QCheckBox("Some walkers in the video are not in the trajectory file")
        self.unnamed_box.setChecked(bool(getattr(getattr(self.project, "inputs", None), "unnamed_walkers", False)))
        self.unnamed_box.setToolTip("They are looked for in the moving foreground so that the named persons' masks "
                                    "leave their bodies alone (off by default: it costs dense crowds where everyone "
                                    "is named); the project keeps the choice, as --unnamed-walkers does")
        adv.addRow("", self.unnamed_box)
        lay.addLayout(form)
        from humanseg_core.workflows.estimate import needs_estimate, will_estimate

        estimate = self.project is not None and will_estimate(self.project, self.scene)
        self.homography_note = QLabel(  # said before Generate is pressed (a walk learnt it from the progress)
            "No homography: one is estimated from the video first and kept in the project (about 10 s), when "
            "enough of the positions match people moving in it; if not, the points stay approximate and the "
            "scene's homography file is needed (File ▸ Use a Homography File…)" if estimate else
            "No homography: this project's work was placed by the trajectories' extent, and these proposals are "
            "placed so too (none is estimated now: the persons would stand elsewhere). File ▸ Estimate Homography "
            "from the Video… gives the whole project one")  # (a re-walk: nothing was said)
        self.homography_note.setWordWrap(True)
        self.homography_note.setStyleSheet("color: #d08000;")
        self.homography_note.setVisible(self._generate is None and self.project is not None
                                        and needs_estimate(self.project, self.scene))
        lay.addWidget(self.homography_note)
        self.advanced = QWidget()
        self.advanced.setLayout(adv)
        self.advanced.setVisible(False)
        self.advanced_btn = QToolButton(text="Advanced settings", checkable=True)
        self.advanced_btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_btn.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_btn.setToolTip("Background model, weights file, match threshold, extra frames, where the "
                                     "track points sit: the defaults suit most videos")
        self.advanced_btn.toggled.connect(self._show_advanced)
        lay.addWidget(self.advanced_btn)
        lay.addWidget(self.advanced)

        self.footer = JobFooter()  # the dialog's own button cancels (it closes the dialog when idle)
        self.footer.cancel_btn.hide()
        self.footer.format_progress = progress_text  # "i of n frames": the job reports every frame
        self.progress, self.progress_label = self.footer.progress, self.footer.status
        self.progress.setVisible(False)
        lay.addWidget(self.footer)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.run_button = QPushButton("Generate")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        lay.addLayout(buttons)
        self._method_changed()
        add_mnemonics(self)  # Alt+letter to each field

    def _others_placed_otherwise(self, selected_pid) -> bool:
        from humanseg_core.errors import HumansegError
        from humanseg_core.workflows.placed_reading import placed_otherwise

        try:
            return bool(set(placed_otherwise(self.project, self._in_video)) - {selected_pid}) if self.project else False
        except (HumansegError, OSError):  # (a store or trajectory file that cannot be read: the choice as before)
            return False

    def _show_advanced(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_btn.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.adjustSize()
        keep_on_screen(self)

    def _method_changed(self, *_a) -> None:
        method = self.method_box.currentData()
        self.bgs_box.setEnabled(method in BGS_METHODS)
        self.weights_widget.setEnabled(method in WEIGHTS_METHODS)
        if method == "maskrcnn" and hasattr(self, "advanced_btn"):  # it needs its weights file: in view
            self.advanced_btn.setChecked(True)
        self.threshold_spin.setEnabled(method in BOX_METHODS)  # the others own pixels from every point at once
        self.weights_edit.setPlaceholderText(PARENT_HINT if method in PARENT_METHODS else MASKRCNN_HINT)

    def _choose_weights(self) -> None:
        title = ("The parent network file (.pt)" if self.method_box.currentData() in PARENT_METHODS
                 else "Mask R-CNN weights")
        path, _ = QFileDialog.getOpenFileName(self, title, "", "PyTorch weights (*.pth *.pt)")
        if path:
            self.weights_edit.setText(path)

    # -- values ----------------------------------------------------------------------------------
    def pids(self) -> list[int]:
        if self.all_radio.isChecked():
            return list(self._in_video)
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.person_list.selectedItems()]

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # the chosen person in sight: a walk opened the dialog on person 286 and saw 142-256, "1 chosen"
        QTimer.singleShot(0, self, self._show_chosen)  # not after the dialog is gone

    def _show_chosen(self) -> None:
        chosen = self.person_list.selectedItems()
        if chosen:
            self.person_list.scrollToItem(chosen[0], QAbstractItemView.ScrollHint.PositionAtCenter)

    def _read_pending(self) -> dict[int, int]:
        """{pid: pending proposals} of the project's persons (a new run replaces them)."""
        counts = self.project.counts_by_pid() if self.project is not None else {}
        return {int(p): int(c.get("pending", 0)) for p, c in counts.items()}

    def _count_chosen(self) -> None:
        n = len(self.person_list.selectedItems())
        self.some_radio.setText(f"T&hese: {n} chosen" if n else "T&hese:")
        waiting = {p: self._pending[p] for p in self.pids() if self._pending.get(p)}
        if waiting:
            self.replace_note.setText(
                f"Generating again replaces the {plural(sum(waiting.values()), 'pending proposal')} of "
                f"{plural(len(waiting), 'person')} ({', '.join(str(p) for p in sorted(waiting)[:8])}"
                f"{', …' if len(waiting) > 8 else ''}); the masks you accepted, rejected or edited are kept")
        self.replace_note.setVisible(bool(waiting))

    def params(self) -> dict:
        method = self.method_box.currentData()
        return {
            "method": method,
            "bgs_algorithm": self.bgs_box.currentText() if method in BGS_METHODS else None,
            "threshold_px": self.threshold_spin.value() or None,
            "extra_frames": self.extra_spin.value(),
            "weights": (self.weights_edit.text().strip() or None) if method in WEIGHTS_METHODS else None,
            "anchor": self.anchor_box.currentData() or "",
            "unnamed_walkers": self.unnamed_box.isChecked() if self.project is not None else None,
        }

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        pids = self.pids()
        if not pids:
            QMessageBox.information(self, "Generate proposals", "Choose at least one person.")
            return
        p = self.params()
        scene, project, generate = self.scene, self.project, self._generate
        self._set_running(True)
        self.footer.start(
            lambda cancel: proposal_job(scene, pids, project, cancel=cancel, generate=generate, **p), "Proposals",
            ask_before_quit=True,  # quitting or closing the project asks first
            status=f"Starting ({len(pids)} persons, {p['method']})…",
            on_progress=self._progress, on_finished=self._finished, on_failed=self._failed,
            on_cancelled=self._cancelled, on_done=self._done)

    def _set_running(self, on: bool) -> None:
        self.running_changed.emit(on)
        self.run_button.setEnabled(not on)
        for w in (self.method_box, self.bgs_box, self.threshold_spin, self.extra_spin, self.person_list,
                  self.all_radio, self.some_radio, self.weights_widget, self.anchor_box):
            w.setEnabled(not on)
        if not on:
            self._method_changed()
        self.cancel_button.setText("Cancel" if on else "Close")
        self.progress.setVisible(True)

    def _progress(self, p) -> None:  # the footer has moved the bar
        eta = f" — about {p.eta_s:.0f} s left" if p.eta_s is not None else ""
        self.job_warnings = [w.text for w in p.warnings]  # e.g. no parent file: the method fell back
        warn = "".join(f"\nWarning: {w}" for w in self.job_warnings)
        self.progress_label.setText(f"{p.message}{eta}{warn}")

    def _finished(self, result) -> None:
        self.homography_note.setVisible(False)  # estimated (or said why not, in the warnings below)
        if isinstance(result, _WeightsMissing):
            self.result = None
            self._offer_bgs(result.message)
            return
        self.result = result
        n_props, n_skips, unreadable, reasons, estimated, bands, kept = result  # (proposal_job)
        self.footer.idle("done", full=True)
        done = f"Done: {plural(n_props, 'proposal')} stored, {plural(n_skips, 'person-frame')} skipped"
        if kept:  # a walk read "21 proposals stored" where all 21 frames kept their earlier decisions
            done = (f"Done: {plural(n_props - kept, 'new proposal')} to review; {kept} on frames you decided earlier "
                    f"keep your decision; {plural(n_skips, 'person-frame')} skipped")
        why = f" ({reasons})." if n_skips and reasons else "."
        if n_skips and unreadable:  # name the frames that could not be read, never "…"
            why = (f". {plural(len(unreadable), 'frame')} could not be read, no proposal there: "
                   f"{named_frames(unreadable)}.")
        if estimated:  # a walk: "the project's (auto: estimated)" never said what was estimated
            why += (f" Track points taken on the {ANCHOR_WORDS.get(estimated, estimated)} (estimated from sample "
                    "frames; if the masks sit off the people, choose another under Track point on).")
        if bands:  # how many to look at first (a walk found no word of the scores)
            why += f" Scores: {bands} (W goes to the lowest first)."
        warn = "".join(f"\nWarning: {w}" for w in getattr(self, "job_warnings", []))
        self.progress_label.setText(done + why + warn)
        self.fit_height()
        QTimer.singleShot(0, self, self.fit_height)  # again once the label is wrapped at its width (a walk: cut)
        self._pending = self._read_pending()  # what is pending now (another run from this dialog: a review read
        self._count_chosen()  # the old counts)
        self.generated.emit(n_props - kept, n_skips)

    def _offer_bgs(self, message: str) -> None:
        self.progress_label.setText(f"Mask R-CNN has no weights: {message}")
        if self.ask_use_bgs(message):
            self.method_box.setCurrentIndex(self.method_box.findData(OFFLINE_METHOD))
            self.progress_label.setText("Switched to background subtraction: press Generate.")

    def ask_use_bgs(self, message: str) -> bool:
        """Show the WeightsError message and offer BGS (tests replace this)."""
        answer = QMessageBox.question(
            self, "No Mask R-CNN weights", f"{message}\n\nUse background subtraction (no weights) instead?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _cancelled(self) -> None:
        self.progress_label.setText("Cancelled: nothing was stored from this run.")

    def _done(self) -> None:
        self._set_running(False)
        done = self.result is not None  # done: Enter closes (it had started a new run over the one just stored, a
        self.run_button.setDefault(not done)  # walk); not done (no weights file: "press Generate"): Enter generates
        self.cancel_button.setDefault(done)
