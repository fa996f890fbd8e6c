"""The training panel: fine-tune the segmentation network on the selected person's accepted masks.

Choices: model (osvos-parent when the parent file is there, else osvos-lite / osvos-vgg16), a budget in seconds
(default 60 s for the whole job) or steps, trajectory guidance on/off and how many accepted masks to hold out
for validation. Start / Cancel / Resume run the core's ``train_job`` in an :class:`app.worker.JobWorker` (through
the shared :class:`app.job_footer.JobFooter`), so the GUI never waits: a progress bar with ETA, a live loss plot
(with the hold-out J), a warning when the network trains from scratch, and when the run is done a button to segment
the person with it (its tooltip says how). The job stays its person's while another is selected: the header names both.

Collaborators, through the constructor (tests pass fakes): ``train_factory(params, cancel) -> job`` (a generator of
Progress returning the training result), ``on_record(params, result) -> run_id | None`` (stores the run).

What the panel says follows the project: ``set_person(pid, n_accepted, checkpoint, last_run)`` is called again
whenever decisions change, so the hint to accept proposals shows exactly while the person has none, and the
person's latest stored run (its curve, steps, time and hold-out J) is shown after reopening a project. The
hold-out J has one source: the run's final measure ends the plotted J curve and is the number the status line
quotes. ``budget_changed(kind, value)`` lets the installer keep the budget per project (``set_budget``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.job_footer import READ_ONLY, JobFooter, format_eta
from app.segmentation.run_text import finished_text, last_run_text, result_field, segment_button_tip
from app.worker import failure_text
from humanseg_core.osvos.config import FROM_SCRATCH, NO_PARENT
from humanseg_core.osvos.model_choice import quick_default_model
from humanseg_core.osvos.samples import DEFAULT_HOLDOUT, default_holdout

from .loss_plot import NO_TRAINING, STOPPED_EMPTY, TRAINING_EMPTY, LossPlot

# (key, what the box shows, its tooltip): short enough for the narrow dock (a walk read "…parent network (defa")
MODELS = [
    ("osvos-parent", "osvos-parent (default)", "Fine-tunes the project's parent network: the best masks measured"),
    ("osvos-lite", "osvos-lite (fast)", "A small network without the parent: fast on 2 CPU cores"),
    ("osvos-vgg16", "osvos-vgg16 (reference)", "The OSVOS reference network (VGG16): very slow on a CPU"),
]
WARNING_STYLE = ("QLabel { background: #5a4300; color: #ffe08a; border: 1px solid #b08a00; padding: 6px; "
                 "border-radius: 3px; }")
DONE_STYLE = "QLabel { color: #9be39b; }"
NOTED_STYLE = "QLabel { color: #f5d90a; }"  # done, with notes the analyst should read
ERROR_STYLE = "QLabel { color: #ff8a80; }"
NEED_LABELS = "Accept some proposals of this person first: training needs labels."
# under a Whole scene run, which took the person's proposals unreviewed (its policy) and accepted none
NEED_LABELS_AFTER_SCENE = ("None of this person's proposals is accepted yet: Whole scene trained on them unreviewed "
                           "(its acceptance policy). Accept some in Review to train here.")
HOLDOUT_DEFAULT = DEFAULT_HOLDOUT  # accepted masks held out to measure J unless the user chooses (at most a quarter)
CANCEL_AT_STEP = "Cancelling at the end of the current step…"
CANCEL_IN_PREPARATION = "Cancelling: no training step has run yet, the preparation stops at its next check…"
DEFAULT_BUDGET = {"steps": 500, "seconds": 60}  # per kind, shown when the analyst switches kinds
DEFAULT_KIND = "seconds"  # a new project trains about a minute (steps cost 2-6 s each on a busy CPU)

TrainFactory = Callable[[dict, Any], Any]
RecordFn = Callable[[dict, Any], "int | None"]


class TrainingPanel(QWidget):
    run_finished = Signal(object)  # {"run_id", "params", "result"}
    segment_requested = Signal(int)  # run id
    running_changed = Signal(bool)
    budget_changed = Signal(str, int)  # "steps" | "seconds", value: the analyst changed the budget

    def __init__(self, train_factory: TrainFactory | None = None, on_record: RecordFn | None = None, parent=None):
        super().__init__(parent)
        self._factory = train_factory
        self._on_record = on_record
        self._pid: int | None = None
        self._n_accepted = 0
        self._resume_checkpoint: str | None = None
        self._last_run_id: int | None = None
        self._last_run: dict | None = None  # the person's newest stored run (set_person)
        self._shown: tuple | None = None  # (pid, run id) whose curve the plot shows
        self._outcome: tuple[int | None, str, str] | None = None  # (pid, text, style) of this panel's last job
        self._t0 = 0.0
        self._params: dict = {}
        self._job_pid: int | None = None  # the person the running (or last) training is of
        self._stepping = False  # the running job has reported a training step (not only its preparation)
        self._first_j: tuple[int, float] | None = None  # (step, J) of the running job's first hold-out measure
        self.read_only: Callable[[], bool] = lambda: False  # another studio window holds the project
        self.read_only_why: Callable[[], str] = lambda: READ_ONLY  # which: the window sets it (app.job_footer)
        self.may_start: Callable[[int], bool] = lambda pid: True  # asks where another process trains the person
        self._build()
        self._update_buttons()

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.person_label = QLabel("No person selected")
        self.person_label.setStyleSheet("font-weight: bold;")

        self.model_box = QComboBox()
        for key, text, tip in MODELS:
            self.model_box.addItem(text, key)
            self.model_box.setItemData(self.model_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        # the long descriptions must not widen the narrow dock: the closed box elides, the list shows all
        self.model_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_box.setMinimumContentsLength(16)
        # osvos-parent when the parent file is there (a file check: the GUI thread loads no model), else osvos-lite
        default_model, self.default_note = quick_default_model()
        self.model_box.setCurrentIndex(max(0, self.model_box.findData(default_model)))
        self.budget_kind = QComboBox()
        self.budget_kind.addItem("steps", "steps")
        self.budget_kind.addItem("seconds", "seconds")
        self.budget = QSpinBox()
        self.budget.setRange(1, 1_000_000)
        self.reset_budget()
        self.budget.setToolTip("Steps, or seconds for the whole job (label cleaning and loading included)")
        self.budget_kind.currentIndexChanged.connect(self._budget_kind_changed)
        self.budget.valueChanged.connect(lambda v: self.budget_changed.emit(self.budget_kind.currentData(), int(v)))
        budget_row = QHBoxLayout()
        budget_row.addWidget(self.budget, 1)
        budget_row.addWidget(self.budget_kind)
        self.guidance = QCheckBox("use the trajectory")
        self.guidance.setToolTip("Crop around the person along its trajectory and give the network a prior map")
        self.guidance.setChecked(True)
        self.holdout = QSpinBox()
        self.holdout.setRange(0, 1000)
        self.holdout.setValue(HOLDOUT_DEFAULT)
        self.holdout.setSuffix(" accepted masks")
        self.holdout.setToolTip("Accepted masks kept out of training and used to measure J (IoU) as it learns (at "
                                "most half of them; unless you choose, 3 and at most a quarter)")
        # the user's choice, restored once there are enough masks; None: the default (HOLDOUT_DEFAULT, at most a
        # quarter: a walk's 7 labels trained on 4)
        self._holdout_wanted: int | None = None
        self.holdout.valueChanged.connect(lambda v: setattr(self, "_holdout_wanted", v))
        self.holdout.valueChanged.connect(lambda v: self.holdout.setSuffix(" accepted mask" + "s" * (v != 1)))
        # "Ready: 5 accepted masks, 1 held out" stayed as the user chose 2 (the default had been the maximum)
        self.holdout.valueChanged.connect(lambda _v: None if self.is_running() else self._refresh_status())

        form = QFormLayout()
        form.addRow("Model", self.model_box)
        form.addRow("Budget", budget_row)
        form.addRow("Guidance", self.guidance)
        form.addRow("Hold out", self.holdout)

        self.start_btn = QPushButton("Start")
        self.start_btn.setToolTip("Train a new network on the accepted masks")
        self.resume_btn = QPushButton("Resume")
        self.resume_btn.setToolTip("Continue training from the last checkpoint of this person")
        self.start_btn.clicked.connect(lambda: self.start(resume=False))
        self.resume_btn.clicked.connect(lambda: self.start(resume=True))
        buttons = QHBoxLayout()
        for b in (self.start_btn, self.resume_btn):
            buttons.addWidget(b)

        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()

        self.footer = JobFooter()  # progress, Cancel and the status line around the worker
        self.footer.running_changed.connect(self.running_changed)
        self.footer.cancel_btn.clicked.connect(self._cancelling)
        self.progress, self.cancel_btn, self.status = self.footer.progress, self.footer.cancel_btn, self.footer.status
        self.status.setText(self.default_note or "")

        self.plot = LossPlot()
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self.plot.set_log_scale)

        self.segment_btn = QPushButton("Segment with the new network")
        self.segment_btn.hide()
        self.segment_btn.clicked.connect(self._segment_clicked)

        lay = QVBoxLayout(self)
        lay.addWidget(self.person_label)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.warning)
        lay.addWidget(self.footer)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.log_box)
        lay.addWidget(self.segment_btn)

    def _budget_kind_changed(self) -> None:
        kind = self.budget_kind.currentData()
        self.budget.blockSignals(True)
        self.budget.setValue(DEFAULT_BUDGET[kind])
        self.budget.blockSignals(False)
        self.budget_changed.emit(kind, self.budget.value())

    def reset_budget(self) -> None:
        """Show the default budget (a project with none stored; no ``budget_changed``)."""
        self.set_budget(DEFAULT_KIND, DEFAULT_BUDGET[DEFAULT_KIND])

    def set_budget(self, kind: str, value: int) -> None:
        """Show a stored budget (no ``budget_changed``); an unknown kind or a bad value is ignored."""
        index = self.budget_kind.findData(kind)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return
        if index < 0 or not self.budget.minimum() <= value <= self.budget.maximum():
            return
        for w in (self.budget_kind, self.budget):
            w.blockSignals(True)
        self.budget_kind.setCurrentIndex(index)
        self.budget.setValue(value)
        for w in (self.budget_kind, self.budget):
            w.blockSignals(False)

    def budget_value(self) -> tuple[str, int]:
        return self.budget_kind.currentData(), self.budget.value()

    # -- context ------------------------------------------------------------------------------
    def set_factory(self, train_factory: TrainFactory | None, on_record: RecordFn | None = None) -> None:
        self._factory = train_factory
        self._on_record = on_record
        self._update_buttons()

    def set_person(self, pid: int | None, n_accepted: int = 0, resume_checkpoint: str | None = None,
                   last_run: dict | None = None) -> None:
        """Show which person trains, how many labels it has, the checkpoint Resume would continue and the
        person's newest stored run (``project.runs(pid)[-1]``: its curve and result when the panel is idle)."""
        if pid != self._pid or (int(n_accepted) != self._n_accepted and not self.is_running()):
            self._outcome = None  # a job's outcome holds for the person and the labels it trained on
        elif (last_run is not None and self._last_run_id is not None and not self.is_running()
              and last_run.get("id") != self._last_run_id):
            self._outcome = None  # ... and until a newer run is stored elsewhere (a Whole scene run)
        self._pid = pid
        self._n_accepted = int(n_accepted)
        self._resume_checkpoint = resume_checkpoint
        self._last_run = last_run if pid is not None else None
        noun = "mask" if self._n_accepted == 1 else "masks"
        if pid is None:
            self.person_label.setText("No person selected")
        else:
            self.person_label.setText(f"Person {pid} · {self._n_accepted} accepted {noun}")
        if self.is_running() and self._job_pid != pid:  # the bar, curve and Cancel below stay the job's (a walk
            self.person_label.setText(  # read another person's training as the one selected)
                f"Training person {self._job_pid} · selected: "
                + ("nobody" if pid is None else f"person {pid}, {self._n_accepted} accepted {noun}"))
        self.holdout.blockSignals(True)  # clamping to few masks must not forget the user's choice
        self.holdout.setMaximum(self._n_accepted // 2)  # as trained: at most half held out (osvos.samples)
        wanted = default_holdout(self._n_accepted) if self._holdout_wanted is None else self._holdout_wanted
        self.holdout.setValue(min(wanted, self.holdout.maximum()))
        self.holdout.blockSignals(False)
        self.holdout.setSuffix(" accepted mask" + "s" * (self.holdout.value() != 1))  # (clamped without its signal:
        # a review read "1 accepted masks")
        if not self.is_running():
            self._show_last_run()
        self._update_buttons()

    def is_running(self) -> bool:
        return self.footer.is_running()

    def params(self, resume: bool = False) -> dict:
        kind = self.budget_kind.currentData()
        return {"pid": self._pid, "model": self.model_box.currentData(),
                "steps": self.budget.value() if kind == "steps" else None,
                "seconds": float(self.budget.value()) if kind == "seconds" else None,
                "guidance": self.guidance.isChecked(), "holdout": self.holdout.value(),
                "resume": self._resume_checkpoint if resume else None}

    def _update_buttons(self) -> None:
        running = self.is_running()
        ready = self._factory is not None and self._pid is not None and self._n_accepted > 0
        ready = ready and not self.read_only()
        self.start_btn.setEnabled(ready and not running)
        self.resume_btn.setEnabled(ready and not running and bool(self._resume_checkpoint))
        self.segment_btn.setEnabled(not self.read_only())
        for w in (self.model_box, self.budget, self.budget_kind, self.guidance, self.holdout):
            w.setEnabled(not running)
        if not running:
            self._refresh_status()

    # -- what the idle panel says -----------------------------------------------------------------
    def _refresh_status(self) -> None:
        """The status line from the current counts: the hint while the person has no labels, else this
        panel's last outcome, else the newest stored run, else what Start would train on."""
        if self._pid is None:
            text, style = self.default_note or "", ""
        elif self.read_only():
            text, style = f"Project {self.read_only_why()}", ""
        elif self._n_accepted == 0:  # a run stored anyway (Whole scene trains on unreviewed proposals): say so
            need = NEED_LABELS_AFTER_SCENE if ((self._last_run or {}).get("params") or {}).get("scene_run") \
                else NEED_LABELS
            text = need if self._last_run is None else f"{self._describe_run(self._last_run)}\n{need}"
            style = ""
        elif self._outcome is not None and self._outcome[0] == self._pid:
            text, style = self._outcome[1], self._outcome[2]
        elif self._last_run is not None:
            text, style = self._describe_run(self._last_run), DONE_STYLE
        else:
            held = self.holdout.value()
            text = (f"Ready: {self._n_accepted} accepted {'mask' if self._n_accepted == 1 else 'masks'}"
                    + (f", {held} held out to measure J" if held else "") + ".")
            if self.default_note:
                text += "\n" + self.default_note
            style = ""
        self.status.setStyleSheet(style)
        self.status.setText(text)

    def _describe_run(self, run: dict) -> str:
        return last_run_text(run, self._n_accepted)

    def _show_last_run(self) -> None:
        """Draw the newest stored run's curve (once per run), so a reopened project shows its training."""
        run = self._last_run
        key = (self._pid, None if run is None else run.get("id"))
        if key == self._shown:
            return
        self._shown = key
        self.plot.clear()
        self.plot.set_total_steps(None)
        self.segment_btn.hide()
        self._last_run_id = None
        self.plot.empty_text = NO_TRAINING
        if run is None:
            self._idle_progress("idle", reset=True)
            return
        self.plot.show_stored(run)
        if run.get("checkpoint"):
            self._last_run_id = int(run["id"])
            self.segment_btn.setText("Segment again with this network" if run.get("result_frames")
                                     else "Segment with the new network")
            self.segment_btn.setToolTip(segment_button_tip(run))  # how it will segment (a walk: it said neither)
            self.segment_btn.show()
        self._idle_progress(f"run #{run.get('id')} stored", reset=True, full=True)

    # -- running ------------------------------------------------------------------------------
    def start(self, resume: bool = False) -> None:
        if self.is_running() or self._factory is None:
            return
        if self.read_only():  # the buttons are off; any other path is refused too, and says why
            self.status.setText(f"Project {self.read_only_why()}")
            return
        if self._pid is not None and not self.may_start(self._pid):
            return
        params = self.params(resume)
        self._params = params
        self._job_pid = self._pid  # whose training runs, whoever is selected meanwhile
        factory = self._factory
        self.plot.clear()
        self.plot.set_total_steps(params["steps"])
        # not the last stored run's "no loss curve stored" under a run that has not stepped yet (a walk)
        self.plot.empty_text = TRAINING_EMPTY
        self.warning.hide()
        self.segment_btn.hide()
        self._last_run_id = None
        self._outcome = None
        # the live curve stays on screen until another run is stored (a cancelled run keeps its curve)
        self._shown = (self._pid, None if self._last_run is None else self._last_run.get("id"))
        self._t0 = time.monotonic()
        self._stepping = False
        self._first_j = None
        self.footer.start(  # busy until the first report
            lambda cancel: factory(params, cancel), "Training", ask_before_quit=True,
            status=f"Training {params['model']}" + (" (resumed)" if resume else "") + "…",
            on_progress=self._on_progress, on_finished=self._on_finished, on_failed=self._on_failed,
            on_cancelled=self._on_cancelled, on_done=self._on_done)
        self._update_buttons()

    def cancel(self) -> None:
        if self.is_running():
            self.footer.cancel()
            self._cancelling()

    def _cancelling(self) -> None:
        """Say what the cancel waits for: the current step, or (before any step) the preparation's next check
        (reading frames, cleaning labels, the network, the label checks: each checks the cancel)."""
        self.status.setText(CANCEL_AT_STEP if self._stepping else CANCEL_IN_PREPARATION)

    def _show_warnings(self, notices) -> None:
        """Show the typed warnings that say the network trains from scratch or without the parent network."""
        scratch = [w.text for w in notices if w.kind in (FROM_SCRATCH, NO_PARENT)]
        if scratch and self.warning.isHidden():
            self.warning.setText("⚠ " + scratch[0])
            self.warning.show()

    def _on_progress(self, p) -> None:
        data = p.data or {}
        self._show_warnings(p.warnings)
        if data.get("stage") == "labels" and p.total > 0:  # GrabCut cleans the labels before the steps
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
            self.progress.setFormat(f"cleaning labels {p.done}/{p.total}")
            return
        if data.get("download"):  # the backbone weights download before training starts
            self.progress.setRange(0, max(p.total, 0))
            self.progress.setValue(min(p.done, max(p.total, 0)))
            self.progress.setFormat(p.message)
            return
        if data.get("stage") == "train" or "loss" in data:  # the step loop runs (its first report: step 0)
            self._stepping = True
        if p.total > 0:
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
        step = data.get("step", p.done)
        eta = p.eta_s
        if eta is None and p.done > 0 and p.total > 0:
            elapsed = time.monotonic() - self._t0
            eta = elapsed / p.done * (p.total - p.done)
        about = "~" if self._params.get("seconds") and not self._params.get("steps") else ""
        if p.total > 0:
            self.progress.setFormat(f"step {step}/{about}{p.total} · ETA {format_eta(eta)}")
        else:  # a time budget before the first step has been timed (a walk read "step 0/~0 · ETA --:--")
            self.progress.setFormat(f"step {step} · timing the first step")
        if "loss" in data:
            self.plot.add_loss(step, data["loss"])
        if data.get("holdout_J") is not None:
            self.plot.add_holdout(step, data["holdout_J"])
            self._first_j = self._first_j or (int(step), float(data["holdout_J"]))

    def _on_finished(self, result) -> None:
        run_id = None
        job = self._job_pid if self._job_pid is not None else self._pid
        if self._on_record is not None:
            try:
                run_id = self._on_record(self._params, result)
            except Exception as exc:  # storing failed: say so, keep the GUI alive
                said = f"Training of person {job} finished but the run could not be saved: {exc}"
                if job != self._pid:  # (a review: the panel stayed on the job, the error unsaid)
                    return self._elsewhere(said, ERROR_STYLE)
                self._outcome = (job, said, ERROR_STYLE)
                return self._refresh_status()
        if job != self._pid:  # another person selected meanwhile: theirs on screen, this run said (a walk)
            self._elsewhere(f"Person {job}'s training finished" + (f": run #{run_id}" if run_id is not None else "")
                            + f". Select person {job} to see it and segment with it.")
            self.run_finished.emit({"run_id": run_id, "params": dict(self._params), "result": result})
            return
        self._last_run_id = run_id
        ckpt = result_field(result, "checkpoint")
        if ckpt:
            self._resume_checkpoint = str(ckpt)
        notices = list(result_field(result, "notices", []) or [])
        self._show_warnings(notices)
        text, noted, j, steps = finished_text(result, run_id, self._first_j, notices)
        self.plot.set_outcome(steps, j, result_field(result, "kept_step"), result_field(result, "curve", {}))
        # done with notes (too few steps, labels not cleaned…): the amber of "done, but read this", as the
        # job footer says it; green read as "all is well" under them (a walk)
        self._outcome = (self._pid, text, NOTED_STYLE if noted else DONE_STYLE)
        self._refresh_status()
        if run_id is not None:
            self._shown = (self._pid, run_id)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat(f"done in {format_eta(time.monotonic() - self._t0)}")
        if run_id is not None:
            self.segment_btn.setText("Segment with the new network")
            self.segment_btn.setToolTip(segment_button_tip({"model": self.model_box.currentData()}))  # (as trained)
            self.segment_btn.show()
        self.run_finished.emit({"run_id": run_id, "params": dict(self._params), "result": result})

    def _on_failed(self, message: str) -> None:
        if self._job_pid not in (None, self._pid):
            return self._elsewhere(f"Person {self._job_pid}: {failure_text('Training', message)}", ERROR_STYLE)
        self._outcome = (self._pid, failure_text("Training", message), ERROR_STYLE)  # its name once (a review)
        self._refresh_status()
        self._idle_progress("failed")

    def _on_cancelled(self) -> None:
        if self._job_pid not in (None, self._pid):
            return self._elsewhere(f"Person {self._job_pid}'s training cancelled. Nothing was saved for that run.")
        self._shown = None  # the stored run back (a walk saw the discarded run's curve and J, and no Segment button)
        self._show_last_run()
        self._outcome = (self._pid, "Training cancelled. Nothing was saved for this run.", "")
        self._refresh_status()
        self._idle_progress("cancelled", reset=True)  # empty: a full bar read as success

    def _elsewhere(self, text: str, style: str = "") -> None:
        """A job of a person no longer selected ended: that person's panel back, and the job's end said."""
        self._shown, self._job_pid = None, self._pid
        self.set_person(self._pid, self._n_accepted, self._resume_checkpoint, self._last_run)
        self._show_last_run()
        self._outcome = (self._pid, text, style)  # said until another person is selected
        self._refresh_status()

    def _idle_progress(self, text: str, reset: bool = False, full: bool = False) -> None:
        if reset or self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if full else 0)
        self.progress.setFormat(text)

    def _on_done(self) -> None:
        if self.plot.empty_text == TRAINING_EMPTY:  # failed or cancelled before a step (a review)
            self.plot.empty_text = STOPPED_EMPTY
        self._update_buttons()

    def _segment_clicked(self) -> None:
        if self._last_run_id is not None and not self.read_only():
            self.segment_requested.emit(int(self._last_run_id))
