"""The Whole scene panel: every chosen person proposed, trained, segmented and stored in one background job.

The options are those of ``humanseg run`` (persons, acceptance policy, budget per person, device, backend,
optional export); the job is the core's :func:`~humanseg_core.workflows.scene_run.scene_run_job`, run by
:class:`app.worker.JobWorker` (the GUI thread never waits on a network).  A table shows each person's
state (skipped, training step, frames segmented, failed); Cancel stops at the next step or chunk.  The
results are stored per person in the project, so Playback and Quality show each person's masks when
that person is selected; ``on_done`` lets the installer refresh them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import scene_options
from app.job_footer import READ_ONLY
from app.plurals import persons_text
from app.scene_agree import measure_after_cancel
from app.scene_device import device_hint, device_job
from app.scene_keep import ask_keep_for, ask_reuse, persons_with_results, result_states, settle_earlier_runs
from app.scene_options import RUN_FORMATS, RUN_FORMATS_TIP, STEPS_AT_MOST, panel_options, restore_options
from app.scene_summary import (
    NOW_USED,
    STAGES,
    eta_text,
    partial_note,
    partial_states,
    person_states,
    segmented_states,
    stage_text,
    summary,
    training_state,
    unreadable_text,
)
from app.scene_table import person_table, set_state
from app.worker import JobWorker, failure_text
from humanseg_core.osvos.config import FEW_STEPS
from humanseg_core.workflows.scene_config import DEFAULT_SECONDS

DEVICES = ("auto", "cpu", "cuda", "mps")
CANCELLING = "Cancelling at the end of the current step…"
ACCEPT_NOTES = {"all": "every proposal not rejected, reviewed or not", "reviewed": "only what you accepted or edited",
                "score>=": "proposals scoring at least this"}
OPTIONS_SETTING = "scene.options"  # the last run's options, per project
SHOW_ALL = "Show every person's result on the video"
NO_PROJECT = "No project: Project ▸ New Project… (Ctrl+Shift+N) makes one for this video, or Open Project"


class ScenePanel(QWidget):
    show_all_changed = Signal(bool)  # "Show every person" toggled
    person_chosen = Signal(int)  # a row of the table clicked: that person
    run_ended = Signal()  # finished, failed or cancelled: the run may have stored proposals and results
    agreement_measured = Signal()  # after a cancel: the agreement of persons it had segmented whole (scene_agree)
    project_set = Signal(object)  # set_project done (the project, or None)

    def __init__(self, on_done: Callable[[object], None] | None = None, parent=None):
        super().__init__(parent)
        self.project = None
        self.before_start: Callable[[], bool] = lambda: True  # the studio: unsaved mask strokes saved or kept
        self.overlay = None  # the SceneOverlay drawing every person's results (install_scene_panel)
        self.read_only: Callable[[], bool] = lambda: False  # another studio window holds the project
        self.read_only_why: Callable[[], str] = lambda: READ_ONLY  # which: the window sets it (app.job_footer)
        self.picked: Callable[[], dict[int, int]] = dict  # {pid: run} picked in Play (app.run_follow sets it)
        # persons that already have results: KEEP, RETRAIN or None (do not start); tests replace it
        self.ask_keep: Callable[[list[int]], str | None] = lambda pids: ask_keep_for(self, pids)
        # persons with a network a cancelled run trained: REUSE, RETRAIN or None; tests replace it
        self.ask_reuse: Callable[[list[int]], str | None] = lambda pids: ask_reuse(self, pids)
        self._on_done = on_done
        self._worker: JobWorker | None = None
        self.result = None
        self.pids = QLineEdit("all")
        self.pids.setToolTip("'all' or a comma list of person ids, e.g. 3,7 (or p3,p7 as the trajectory file "
                             "writes them)")
        self.accept = QComboBox()
        self.accept.addItems(["all", "reviewed", "score>="])
        self.accept.setCurrentText("score>=")  # with 0.7: the CLI's default too (a walk found "all" here)
        self.accept.setToolTip("The labels each person trains on: all = every proposal not rejected (unreviewed); "
                               "reviewed = only what you accepted or edited; score>= = proposals scoring at least "
                               "the threshold (a person with none that high trains on its best one alone)")
        self.min_score = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, value=0.7)
        self.min_score.setToolTip("The lowest proposal score accepted as a label (with Accept score>=): of those "
                                  "scoring 0.7 and up about one in a hundred is wrong or poor (one in nine in the "
                                  "densest crowd), of those at 0.5-0.7 one in four")
        self.accept_note = QLabel(wordWrap=True)  # what the policy takes, in view (a walk found it in a tooltip)
        self.accept.currentTextChanged.connect(self._accept_changed)
        self._accept_changed(self.accept.currentText())
        self.budget_kind, self.budget = scene_options.budget_widgets()
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setToolTip("auto picks CUDA, then Apple MPS, then the CPU")
        self.device_label = QLabel(device_hint("auto"), wordWrap=True)
        self.device.currentTextChanged.connect(self._device_changed)
        self._device_workers: list[JobWorker] = []
        self.mixed = QCheckBox("bfloat16")
        self.mixed.setToolTip("Mixed precision: segment in bfloat16 on CUDA and on CPUs with native bfloat16 "
                              "(AVX512-BF16/AMX), about 1.3-1.8x faster there depending on load, masks within a "
                              "few pixels; float32 elsewhere (the run's summary says which it used)")
        self.evidence = QCheckBox("per-frame evidence")
        self.evidence.setToolTip("Segment every frame through the proposals' joint step (background model, "
                                 "parent network, pixel ownership across all persons) with each person's network "
                                 "blended in: higher J on the shared scenes, about 10x slower segmentation, "
                                 "local backend only (on by default)")
        self.evidence.setChecked(True)
        self.backend = QComboBox()
        self.backend.addItems(["local", "ray"])
        self.backend.setToolTip("local: this process; ray: a local Ray cluster (pip install '.[cluster]')")
        # Ray workers segment with the networks alone: the evidence box does not apply there (ADR 0010)
        self.backend.currentTextChanged.connect(lambda name: self.evidence.setEnabled(name == "local"))
        self.out = QLineEdit()
        self.out.setPlaceholderText("export folder (optional)")
        self.out.setToolTip("Also write every person's masks here, in the format beside")
        self.browse = QPushButton("…")
        self.browse.setToolTip("Choose the export folder")
        self.browse.clicked.connect(lambda: self.choose_out())
        self.fmt = QComboBox()
        for fmt, label in RUN_FORMATS.items():
            self.fmt.addItem(label, fmt)
        self.fmt.setToolTip(RUN_FORMATS_TIP)
        form = QFormLayout()
        form.addRow("Persons", self.pids)
        row = QHBoxLayout()
        row.addWidget(self.accept)
        row.addWidget(self.min_score)
        row.addWidget(self.accept_note, 1)
        form.addRow("Accept", row)
        row = QHBoxLayout()
        row.addWidget(self.budget)
        row.addWidget(self.budget_kind)
        form.addRow("Training", row)
        row = QHBoxLayout()
        row.addWidget(self.device)
        row.addWidget(self.device_label, 1)
        row.addWidget(self.mixed)
        form.addRow("Device", row)
        row = QHBoxLayout()
        row.addWidget(self.backend)
        row.addWidget(self.evidence)
        form.addRow("Backend", row)
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(self.browse)
        row.addWidget(self.fmt)
        form.addRow("Export", row)
        self.run_button = QPushButton("Run whole scene")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.status = QLabel(NO_PROJECT)
        self.status.setWordWrap(True)
        self.table = person_table()
        self.table.cellClicked.connect(self._row_clicked)
        self._rows: dict[int, int] = {}
        self._training: tuple[int, int] | None = None  # (pid, step) of the person training now
        self._out: Path | None = None
        self._kept: set[int] = set()  # the persons the run keeps (their networks only share pixels out)
        self._before: dict[int, int] = {}  # {pid: run} whose results Play and Export used when the run started
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.show_all = QCheckBox(SHOW_ALL)
        self.show_all.setToolTip("Every person's results (the run picked in Play, else the newest) over the video, "
                                 "each in the colour of its marker; play them with the timeline (Space)")
        self.show_all.toggled.connect(self.show_all_changed)
        layout.addWidget(self.show_all)
        self.set_project(None)

    # -- context --------------------------------------------------------------------------------
    def options(self) -> dict:
        """The settings a run starts with, as kept in the project (the export folder too: this project's own)."""
        return panel_options(self)

    def set_options(self, options) -> None:
        """Restore :meth:`options` (unknown or bad entries keep the current value)."""
        restore_options(self, options)

    def set_project(self, project) -> None:
        running = self._worker is not None and self._worker.running
        if project is not self.project and not running:  # another project: nothing of the last one's run
            self.out.clear()  # an export folder named for another scene would mix two scenes' persons
            self._out = None
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("")
            self.pids.setText("all")  # the last project's ids mean nothing here (its own options follow)
            self.result = None  # (a review: a quiet reread put its failed persons in the next project's table)
        self.project = project
        if project is not None:
            # what the last run in this project used (the panel's, or a later `humanseg run`)
            self.set_options(scene_options.options_to_restore(project, project.setting(OPTIONS_SETTING)))
        if self.overlay is not None:
            self.overlay.set_project(project)
            self.show_shown(self.overlay.pids)
        self.run_button.setEnabled(project is not None and not running and not self.read_only())
        if not running:
            self.table.setRowCount(0)
            self._rows = {}
            for pid, text in result_states(project).items():
                self._set_state(pid, text)
            self.refresh_status()
        self.project_set.emit(project)

    def refresh_status(self) -> None:
        """The idle status line: the project, and whether it has a homography (said again when the project
        takes one: a walk read "no homography" after File ▸ Use a Homography File…)."""
        project = self.project
        if self._worker is not None and self._worker.running:
            return
        self.status.setText(NO_PROJECT if project is None else f"Project {Path(project.folder).name}: " + (
            self.read_only_why() if self.read_only() else "ready") + ("" if project.inputs.homography else
                                                           "; no homography: one is estimated from the video "
                                                           "first, when enough positions match people moving in it"))

    def config(self):
        """The SceneRunConfig of the current settings (HumansegError when a setting is invalid)."""
        from humanseg_core.errors import HumansegError
        from humanseg_core.export.names import resolve_out
        from humanseg_core.inputs.trajectory_rows import typed_pid
        from humanseg_core.workflows.scene_config import SceneRunConfig

        text = self.pids.text().strip() or "all"
        pids = None
        if text.lower() != "all":
            try:
                # commas or spaces between ids: "7 9" ran person 79 (a walk), spaces being dropped
                pids = tuple(typed_pid(t) for t in re.split(r"[,\s]+", text) if t)
            except ValueError:
                raise HumansegError(f"Persons: expected 'all' or ids like 3,7, got {text!r}") from None
        accept = self.accept.currentText()
        if accept == "score>=":
            accept = f"score>={self.min_score.value():g}"
        kind = self.budget_kind.currentIndex()
        steps = self.budget.value() if kind in (1, STEPS_AT_MOST) else None
        seconds = float(self.budget.value()) if kind == 0 else DEFAULT_SECONDS if kind == STEPS_AT_MOST else None
        out, folder = self.out.text().strip(), self.project.folder if self.project is not None else Path.cwd()
        return SceneRunConfig(pids=pids, accept=accept, steps_per_person=steps, seconds_per_person=seconds,
                              out=resolve_out(out, folder) if out else None, fmt=self.fmt.currentData(),
                              device=self.device.currentText(), backend=self.backend.currentText(),
                              mixed_precision=self.mixed.isChecked(),
                              refine=self._refine(), made_by="the studio's Whole scene")

    def _refine(self) -> str:
        """evidence when ticked and local; Ray workers segment with the network alone (ADR 0010)."""
        return "evidence" if self.evidence.isChecked() and self.backend.currentText() == "local" else "none"

    # -- the job --------------------------------------------------------------------------------
    def start(self) -> None:
        from humanseg_core.errors import HumansegError
        from humanseg_core.workflows.scene_run import scene_run_job
        from humanseg_core.workflows.scene_sink import check_out

        if self.project is None or (self._worker is not None and self._worker.running) or self.read_only():
            return
        if not self.before_start():  # a walk started a run with an unsaved edit open in Review
            self.status.setText("Whole scene not started: the mask edit in Review stays open (save it first)")
            return
        try:
            config = self.config()
            check_out(config.out, config.fmt, self.project.folder)  # before any question (a walk: told after one)
            existing = persons_with_results(self.project, config.pids)
        except HumansegError as exc:
            self.status.setText(str(exc))
            return
        config, why = settle_earlier_runs(self, config, existing)
        if config is None:
            self.status.setText(why)
            return
        project = self.project
        try:
            project.set_setting(OPTIONS_SETTING, scene_options.options_to_keep(project, self.options()))
        except Exception as exc:  # a full disk must not stop the run: it says so when it writes anyway
            self.status.setText(f"The options could not be kept in the project: {exc}")
        self.table.setRowCount(0)
        self._rows = {}
        self._training = None
        self._out = config.out  # the export folder, named when the run is over
        self._before = project.newest_result_runs()  # {pid: run}: a run stored since is this run's
        self.result = None
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the first report
        self.progress.resetFormat()
        self.status.setText("Starting…")
        self._warned, self._stage = {}, "start"  # a cancel before the first report: nothing of it stored (a review)
        self._worker = JobWorker(lambda cancel: scene_run_job(project, config, cancel), name="Whole scene",
                                 ask_before_quit=True,  # quitting loses the training in progress: ask
                                 on_progress=self._progress, on_finished=self._finished, on_failed=self._failed,
                                 on_cancelled=self._cancelled,
                                 on_done=self._done)
        self._worker.start()

    def cancel(self) -> None:
        if self._worker is not None and self._worker.running:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)  # asked once; the job stops at its next step
            self.status.setText(CANCELLING)

    def _set_state(self, pid: int, text: str) -> None:
        set_state(self.table, self._rows, pid, text)  # a new row goes at its place by person id

    def pick_changed(self, pid: int) -> None:
        """Play's Run box picked another run for ``pid``: its row names that run (not while a run goes)."""
        text = result_states(self.project, self.picked()).get(int(pid))
        if text is not None and int(pid) in self._rows and not (self._worker is not None and self._worker.running):
            self._set_state(int(pid), text)

    def state(self, pid: int) -> str | None:
        row = self._rows.get(pid)
        return None if row is None else self.table.item(row, 1).text()

    def _device_changed(self, name: str) -> None:
        """The label follows the setting; torch looks in a background job (never on the GUI thread)."""
        self.device_label.setText(device_hint(name))
        if name == "auto":
            return  # a run says which device it resolved to

        def resolved(text: str) -> None:
            if self.device.currentText() == name:
                self.device_label.setText(text)

        worker = JobWorker(lambda cancel: device_job(name, cancel), name="Device check", parent=self,
                           on_finished=resolved, on_done=lambda: self._device_workers.remove(worker),
                           uses_project=False)
        self._device_workers.append(worker)
        worker.start()

    def _progress(self, p) -> None:
        stage = self._stage = p.data.get("stage", "")
        self._warned = {**getattr(self, "_warned", {}), **{w.text: None for w in p.warnings}}  # said to the end
        if p.data.get("device"):
            self.device_label.setText(f"in use: {p.data['device']}")
        if stage == "start":
            self._kept = {int(pid) for pid in (p.data.get("kept") or {})}
        for pid, text in person_states(p.data, self._kept):
            self._set_state(pid, text)
        if stage != "train":
            self._trained(-1)
        if stage == "train" and p.data.get("reused") is not None:  # a cancelled run's network, not retrained
            self._trained(int(p.data["pid"]))
            self._set_state(int(p.data["pid"]), f"network of stopped run {p.data['reused']} used, waiting to "
                                                 "segment")
        elif stage == "train" and p.data.get("pid") is not None:
            pid, step, steps = int(p.data["pid"]), p.data.get("step", 0), p.data.get("steps", 0)
            self._trained(pid)
            self._training = (pid, step)
            self._set_state(pid, training_state(step, steps, p.data.get("budget_steps")))
        scale = 1000 if stage == "train" and p.data.get("steps") else 1  # within a person: its steps (a walk
        within = min(1.0, p.data.get("step", 0) / p.data["steps"]) if scale > 1 else 0.0  # saw 'Training 0%')
        self.progress.setMaximum(max(1, p.total) * scale)
        self.progress.setValue(min(int((p.done + within) * scale), max(1, p.total) * scale))
        preparing = ": preparing" if p.data.get("step") == "prepare" else ""  # sample frames, then the frames
        self.progress.setFormat(f"{STAGES.get(stage, stage.capitalize())}{preparing} %p%")
        text = stage_text(stage, p.message) + eta_text(stage, p.eta_s)
        cancelling = self._worker is not None and self._worker.token.cancelled
        self.status.setText((f"{CANCELLING} Now: {text}" if cancelling else text) + self._warning_lines())

    def _warning_lines(self) -> str:
        """The job's warnings (a moving camera, no parent file: the proposals' method), one line each."""
        return "".join(f"\nWarning: {w}" for w in getattr(self, "_warned", {}))

    def choose_out(self, folder: str | None = None) -> None:
        """The export folder from a folder dialog that starts in the project's ``exports/``."""
        if folder is None:
            from PySide6.QtWidgets import QFileDialog

            start = self.out.text().strip() or (str(Path(self.project.folder) / "exports") if self.project else "")
            folder = QFileDialog.getExistingDirectory(self, "Export folder for every person's masks", start)
        if folder:
            self.out.setText(folder)

    def _row_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.person_chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def reread(self, quiet: bool = False) -> None:
        """Another program wrote to the project (app.outside_changes): each person's stored results are listed
        again (not while this window's run goes on: its progress holds the table). ``quiet``: read after this
        window's own job ended, whose closing line stays, as do the failed and skipped persons of its run (a walk's
        summary, with the persons to look at first, was replaced by "ready" 1.5 s after every run)."""
        if self.project is None or (self._worker is not None and self._worker.running):
            return
        self.table.setRowCount(0)
        self._rows = {}
        states = result_states(self.project)
        for pid, text in states.items():
            self._set_state(pid, text)
        last = self.result  # its persons with no results stored since (segmented later elsewhere: their results)
        for pid, why in ((getattr(last, "failed", None) or {}) | (getattr(last, "skipped", None) or {})).items():
            if int(pid) not in states:
                self._set_state(int(pid), f"{'failed' if pid in last.failed else 'skipped'}: {why}")
        if not quiet and last is None:  # a run's summary, with the persons to look at first, stays (a walk's went
            self.refresh_status()  # when a command it ran exported the project)

    def show_shown(self, pids: list[int]) -> None:
        """The check box says how many persons' results it shows."""
        shown = f" ({len(pids)} person{'' if len(pids) == 1 else 's'})" if self.show_all.isChecked() else ""
        self.show_all.setText(SHOW_ALL + (shown if pids or not self.show_all.isChecked() else
                                          " (no results yet: run the whole scene)"))

    def _trained(self, now: int | None) -> None:
        """The person trained before ``now`` (another pid; -1: training is over) is done training."""
        if self._training is not None and now is not None and self._training[0] != now:
            pid, step = self._training
            self._training = None
            if (self.state(pid) or "").startswith(("training", "preparing")):
                few = ": too few to learn the person, choose steps per person" if step < FEW_STEPS else ""
                self._set_state(pid, f"trained ({step} step{'' if step == 1 else 's'}{few}), waiting to segment")

    def _accept_changed(self, policy: str) -> None:
        """The score threshold only means something with ``score>=``."""
        self.min_score.setEnabled(policy == "score>=")
        self.accept_note.setText(ACCEPT_NOTES.get(policy, ""))

    def _end_progress(self, text: str, full: bool = False) -> None:
        """The bar when the job is over: full when it finished, empty when it failed or was cancelled."""
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if full else 0)
        self.progress.setFormat(text)

    def _finished(self, result) -> None:
        self.result = result
        self.device_label.setText(f"in use: {result.device}")
        for pid, why in result.failed.items():
            self._set_state(int(pid), f"failed: {why}")
        for pid, why in result.skipped.items():
            self._set_state(int(pid), f"skipped: {why}")
        for pid, text in segmented_states(self.project, result.run_ids, result.persons).items():
            self._set_state(pid, text)  # the frames stored, not those the progress went through
        self._end_progress("done", full=True)
        text = summary(result)
        kept = getattr(result, "kept", None) or {}
        if self._out is not None and (result.persons or kept):
            text += f" · exported to {self._out}"
        if self._out is not None and kept:
            text += f" · {persons_text(kept)} kept, exported as stored"
        if getattr(result, "unreadable", None):  # never a silent gap: which frames have no result, and why
            text += "\n" + unreadable_text(result.unreadable)
        self.status.setText(text + self._warning_lines())
        if self._on_done is not None:
            self._on_done(result)

    def _failed(self, message: str) -> None:
        self._end_progress("failed")
        self.status.setText(failure_text("Whole scene", message))

    def _cancelled(self) -> None:
        for pid in self._rows:  # a trained network is stored (Train tab: Segment with the new network)
            was = self.state(pid) or ""
            if was.startswith(("waiting", "training", "preparing", "trained")):
                self._set_state(pid, "trained, not segmented (cancelled)" if was[:7] == "trained" else "cancelled")
            elif was.startswith("segmenting: "):  # (the project's results say more: partial_states below)
                self._set_state(pid, f"cancelled while segmenting ({was[len('segmenting: '):].replace(' so far', '')} "
                                     "done)")
        partial = partial_states(self.project, self._before, list(self._rows), self.picked())
        for pid, text in partial.items():  # cut short in segmentation: which results Play and Export use now
            self._set_state(pid, text)
        self._end_progress("cancelled")
        cut = sorted(p for p, text in partial.items() if text.startswith("cancelled while"))
        proposing = getattr(self, "_stage", "") in ("start", "propose")  # (a walk read "kept" of 146 proposals gone)
        self.status.setText(("Cancelled while making proposals: none of this run's are stored (they are stored once "
                             "every person's are made); what was stored before is kept" if proposing else
                             "Cancelled: the results stored so far are kept") + partial_note(
            [p for p in cut if NOW_USED in partial[p]], [p for p in cut if NOW_USED not in partial[p]]))
        self._agree_worker = measure_after_cancel(self, list(self._rows))

    def _done(self) -> None:
        self.cancel_button.setEnabled(False)
        if self.project is None:  # the project closed under the run (the studio asked first)
            self.status.setText(f"{self.status.text()}\n{NO_PROJECT}")
        for pid, text in result_states(self.project, self.picked()).items():  # persons not in this run keep theirs
            if pid not in self._rows:
                self._set_state(pid, text)
        self.run_button.setEnabled(self.project is not None and not self.read_only())
        self.run_ended.emit()

