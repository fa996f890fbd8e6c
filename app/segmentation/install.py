"""Add the segmentation side to the studio: training, segmenting, playback, quality and MP4 export docks.

``install_segmentation(main_window, project=None)`` uses only the window's public API (``add_panel``,
``menuBar``, ``frame_view``, ``set_frame``, the ``scene_changed`` / ``frame_changed`` / ``person_selected``
signals and the ``scene`` / ``current_frame`` / ``selected_pid`` properties) and returns the
:class:`SegmentationController`; call ``controller.set_project(project)`` whenever a project is opened (a
window with a ``project`` attribute and a ``project_changed`` signal is followed automatically).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from app.colors import person_color
from app.job_footer import read_only_text
from app.run_follow import picked_run
from app.worker import JobWorker
from humanseg_core.export.runs import result_run_choices
from humanseg_core.rle import blob_holds_pixels
from humanseg_core.workflows.labels import hidden_stretches

from .lazy_masks import LazyMasks
from .loss_plot import LossPlot  # noqa: F401  (re-exported for convenience)
from .mp4_export import ALL_RESULTS, Mp4ExportPanel
from .playback_panel import PlaybackPanel
from .quality_panel import (
    NO_ACCEPTED,
    NO_RESULTS,
    NO_RESULTS_TRAINED,
    SCENE_RUN_NO_HOLDOUT,
    SCENE_RUN_UNSEEN,
    QualityPanel,
    score_job,
)
from .segment_panel import SegmentPanel, describe_run
from .training_panel import TrainingPanel

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BUDGET_SETTING = "training.budget"  # {"kind": "steps" | "seconds", "value": n}, per project


class SegmentationController(QObject):
    """Feeds the panels from the project and the scene, and runs the core jobs for them."""

    run_pick_changed = Signal(int, int)  # (pid, run) picked in Play's Run box: the views of that run follow
    results_changed = Signal(int)  # a person's stored results changed here (segmented, restored): the views follow

    def __init__(self, main_window, project=None):
        super().__init__(main_window)
        self.window = main_window
        self.project = None
        self.training = TrainingPanel(self.train_job, self.record_run)
        self.segment = SegmentPanel(self.segment_job)  # segment_person stores the results
        self.playback = PlaybackPanel(main_window.frame_view, seek=main_window.set_frame, read_frame=self._read)
        self.quality = QualityPanel()
        self.export = Mp4ExportPanel(self.export_inputs, suggest=self.export_suggestion)
        self.export.set_color(self.playback.color())  # the MP4 shows what Play shows (it was always amber)
        self.playback.color_changed.connect(self.export.set_color)
        self.docks = {}
        read_only = self._read_only
        self.training.read_only = self.segment.read_only = read_only  # as the Whole scene panel: no jobs
        why = lambda: read_only_text(getattr(self.window, "review", None))  # noqa: E731
        self.training.read_only_why = self.segment.read_only_why = why
        self.training.may_start = self._may_train
        self._masks: dict = {}  # LazyMasks by kind ("accepted", "proposals", ("results", run_id))
        self._masks_of: tuple | None = None  # (project, pid) the cached masks belong to
        self._picked: dict[int, int] = {}  # {pid: run} picked in Play's Run box (else the newest with results)
        self._scorer: JobWorker | None = None
        self._heights: tuple | None = None  # (scene, HeightModel): expected person heights for zoom on person
        self.training.segment_requested.connect(self._segment_run)
        self.training.budget_changed.connect(self._budget_changed)
        self.segment.results_saved.connect(self._results_saved)
        self.playback.run_changed.connect(self._run_picked)
        self.quality.frame_requested.connect(main_window.set_frame)
        main_window.scene_changed.connect(lambda scene: self.refresh())
        main_window.person_selected.connect(lambda pid: self.refresh())
        main_window.frame_changed.connect(self._frame_changed)
        timeline = getattr(main_window, "timeline", None)
        if timeline is not None:  # one player at a time: two timers stepping the frame played at twice the speed
            self.playback.play_btn.toggled.connect(lambda on: on and timeline.pause())
            timeline.playing_changed.connect(lambda on: on and self.playback.pause())
            self.playback.play_btn.toggled.connect(timeline.show_other_playing)  # one Play/Pause state shown
            timeline.play_key_taker = self.playback.take_play_key  # Space in Play: its frames with masks
        if hasattr(main_window, "project_changed"):
            main_window.project_changed.connect(self.set_project)
        self.set_project(project if project is not None else getattr(main_window, "project", None))

    # -- context --------------------------------------------------------------------------------
    @property
    def scene(self):
        return self.window.scene

    @property
    def pid(self) -> int | None:
        return self.window.selected_pid

    def set_project(self, project) -> None:
        self.project = project
        self._heights = None  # calibrated with this project's labels when next needed
        self._picked = {}
        # the budget the analyst last chose in this project, else the default (never the previous project's)
        budget = project.setting(BUDGET_SETTING) if project is not None else None
        self.training.reset_budget()
        if isinstance(budget, dict):
            self.training.set_budget(budget.get("kind"), budget.get("value"))
        self.refresh()

    def _read_only(self) -> bool:
        """Another studio window holds the project (the review controller found its lock)."""
        return bool(getattr(getattr(self.window, "review", None), "read_only", False))

    def _may_train(self, pid: int) -> bool:
        """Whether to start a training of ``pid``: asked first when a job of another window or command is at work
        on the person (a walk's Start trained beside a command's training of the same person, without a word)."""
        from PySide6.QtWidgets import QMessageBox

        from humanseg_core.workflows.at_work import at_work_text

        busy = at_work_text(self.project, [int(pid)], then="") if self.project is not None else ""
        if not busy:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, "Train Beside It?",
                          f"{busy}.\n\nStart another training of the person beside it? Both store their own runs; "
                          "waiting for it to end (or cancelling it there) avoids two.", parent=self.window)
        start = box.addButton("Train Beside It", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        return box.clickedButton() is start

    def _budget_changed(self, kind: str, value: int) -> None:
        """Keep the training budget with the project (not where another window holds it: read-only)."""
        review = getattr(self.window, "review", None)
        if self.project is None or getattr(review, "read_only", False):
            return
        try:
            self.project.set_setting(BUDGET_SETTING, {"kind": kind, "value": int(value)})
        except Exception as exc:  # a full disk must not break the spin box: say so in the status bar
            bar = self.window.statusBar() if hasattr(self.window, "statusBar") else None
            if bar is not None:
                bar.showMessage(f"The training budget could not be saved in the project: {exc}", 5000)

    def _read(self, frame: int):
        return self.window.frames.read(frame)

    def _track_px(self, pid: int):
        scene = self.scene
        return lambda f: scene.position_px(pid, f)

    def refresh(self) -> None:
        """Re-read what the panels show for the selected person.  Masks stay compressed (``LazyMasks``:
        only the frame on screen is decoded, unchanged masks stay decoded, results are cached per run) and
        the quality scores are computed by a background job."""
        scene, pid, project = self.scene, self.pid, self.project
        frames = self.window.frames
        if frames is not None:
            self.playback.set_video(frames.indices, frames.fps)
        ready = project is not None and scene is not None and pid is not None
        self.playback.set_person(pid)
        known = scene is not None and pid is not None and pid in scene.trajectories.tracks
        hidden = hidden_stretches(project, scene.pixel_track(pid)[0], pid) if known and project is not None else []
        self.playback.set_beyond(scene.guessed_frames(pid) if known else [], hidden,  # as `run`'s guessed_frames
                                 scene.outside_image(pid) if known else [])
        self.playback.set_locator(self._locator(scene, pid))
        self.playback.set_person_color(None if pid is None else person_color(pid))  # the marker's colour
        if not ready:
            self.training.set_person(None)
            self.segment.set_person(None)
            self._masks.clear()
            for kind in ("results", "accepted", "proposals"):
                self.playback.set_masks(kind, {})
            self.playback.set_runs([], None)
            self._start_scoring(None)
            self.export.set_person(None)
            if project is None and pid is not None:
                self.training.person_label.setText(f"Person {pid} · open or create a project to train")
            return
        if self._masks_of != (id(project), pid):  # another person or project: start afresh
            self._masks_of = (id(project), pid)
            self._masks.clear()
        accepted = self._lazy("accepted", project.mask_blobs(pid, "accepted"))
        proposals = self._lazy("proposals", project.mask_blobs(pid, "proposals"))
        runs = project.runs(pid)
        last_ckpt = next((r["checkpoint"] for r in reversed(runs) if r.get("checkpoint")), None)
        last = dict(runs[-1]) if runs else None
        if last is not None:  # the frames it already segmented, said beside its Segment button (a walk)
            last["result_frames"] = project.result_counts(pid).get(int(last["id"]), 0)
        # the analyst's empty masks (Review's V) are no training labels (a walk: "18 accepted masks", 17 trained on)
        usable = sum(1 for blob in accepted.blobs().values() if blob_holds_pixels(blob))
        self.training.set_person(pid, usable, last_ckpt, last)
        self.segment.set_person(pid, scene.span_in_video(pid), runs)  # extended where the file stops (Scene.span)
        choices = result_run_choices(project, pid)  # newest first; counts only, nothing decoded
        run_id = self.shown_run(pid, choices)
        run = next((r for r in runs if int(r["id"]) == run_id), {"id": run_id}) if run_id is not None else None
        results = LazyMasks() if run_id is None else self._lazy(("results", run_id),
                                                                 project.mask_blobs(pid, "results", run_id))
        self.playback.set_runs(choices, run_id)
        self.export.set_person(pid, len(results), usable, run_id)  # the V marks are no accepted masks here either
        self.playback.set_masks("results", results)
        self.playback.set_masks("accepted", accepted)
        self.playback.set_masks("proposals", proposals)
        self._start_scoring(None if run is None else (pid, run, results.blobs(), accepted.blobs()),
                            trained=last_ckpt is not None)
        if self.window.current_frame is not None:
            self._frame_changed(self.window.current_frame)

    def shown_run(self, pid: int | None, choices=None) -> int | None:
        """The run whose results Play, Quality and Export MP4 use for ``pid``: the one picked in Play's Run
        box while it has results, else the newest with results (None: no results)."""
        if self.project is None or pid is None:
            return None
        if choices is None:
            choices = result_run_choices(self.project, pid)
        offered = [c.run_id for c in choices]
        picked = picked_run(self.project, self._picked, pid, offered)
        return picked if picked is not None else (offered[0] if offered else None)

    def picked_runs(self) -> dict[int, int]:
        """{pid: run} the analyst picked in Play (Project ▸ Export Masks starts with them)."""
        return dict(self._picked)

    def _run_picked(self, run_id: int) -> None:
        if self.pid is not None:
            if self.playback.run_box.is_newest():  # the default again (as in Export Masks' own Run box)
                self._picked.pop(int(self.pid), None)
            else:
                self._picked[int(self.pid)] = int(run_id)
            self.refresh()
            self.run_pick_changed.emit(int(self.pid), int(run_id))

    def restore_replaced(self) -> None:
        """Segmentation ▸ Restore Replaced Masks…: the dialog of the kept sets (ADR 0052)."""
        from .restore_dialog import RestoreDialog

        def busy(pid: int) -> str:
            request = getattr(self.segment, "_request", None) or {}
            if self.segment.is_running() and request.get("pid") == pid:
                return f"Person {pid}: this window's segmentation is at work on it"
            return ""

        def restored(pid: int) -> None:  # the masks on screen change: cached decodes go (a re-walk's video kept
            self._masks.clear()  # drawing the replaced mask, and the Persons table its count, until a restart)
            self.refresh()
            self.results_changed.emit(int(pid))

        dialog = RestoreDialog(self.project, self.pid, busy, restored, self._read_only(), self.window)
        self._restore_dialog = dialog  # kept for tests; modal while open
        dialog.exec()

    def _results_saved(self, pid: int, run_id: int, _n: int) -> None:
        """The panels show the new results, and the Segment tab says when they are not the ones shown: Play,
        Quality and Export use the run picked in Play's Run box, else the newest that has results (an older
        network segmented again is not)."""
        self.refresh()
        self.results_changed.emit(int(pid))
        shown = self.shown_run(pid)
        if shown is not None and shown != int(run_id):
            from app.job_footer import WARN_STYLE

            why = "the run picked in Play" if int(pid) in self._picked else "the run used by default"
            self.segment.footer.set_status(
                f"{self.segment.status.text()}\nPlay, Quality and Export show run #{shown}'s results ({why}), not "
                f"these of run #{run_id}. Play's Run box shows them.", WARN_STYLE)

    def _locator(self, scene, pid):
        """frame -> (u, v, expected height px) of ``pid`` for the playback's zoom on person (None: nobody)."""
        if scene is None or pid is None or pid not in scene.trajectories.tracks:
            return None
        if self._heights is None or self._heights[0] is not scene:
            from humanseg_core.proposals.body_prior import labelled_height_model

            self._heights = (scene, labelled_height_model(scene, self._label_boxes()))
        model = self._heights[1]

        def locate(frame: int):
            point = scene.position_px(pid, frame)
            if point is None:
                return None
            u, v = point
            return u, v, model.height(pid, v, u)

        return locate

    def _label_boxes(self) -> list:
        """(pid, frame, box) of the accepted labels (a listing: no mask decoded), for the persons' heights."""
        if self.project is None:
            return []
        from humanseg_core.records import ACCEPTED

        return [(p.pid, p.frame, p.box) for p in self.project.proposals(status=ACCEPTED, with_masks=False)]

    def _lazy(self, key, blobs: dict) -> LazyMasks:
        """The cached LazyMasks of ``key`` brought up to date (only changed frames are decoded again)."""
        lazy = self._masks.get(key)
        if lazy is None:
            lazy = self._masks[key] = LazyMasks(blobs)
        else:
            lazy.update(blobs)
        return lazy

    def _start_scoring(self, what, trained: bool = False) -> None:
        """Score a run's results against the accepted masks in a background job (the newest request wins);
        ``trained``: with no results, the person has a network (Quality says to segment it)."""
        if self._scorer is not None:
            self._scorer.cancel()
            self._scorer = None
        if what is None:
            self.quality.set_scores([], no_results=NO_RESULTS_TRAINED if trained else NO_RESULTS)
            return
        pid, run, result_blobs, accepted_blobs = what
        params = run.get("params") or {}
        held, train = params.get("holdout_frames", []), params.get("train_frames", [])
        # the span within the video (a first-time walk's axis began at the file's 3570, its clip at 3700)
        span, title = self.scene.span_in_video(pid) or self.scene.span(pid), describe_run(run)
        note = None
        if params.get("scene_run"):  # trained on its labels, none held out: the accepted masks are optimistic
            train = list(accepted_blobs)
            note = SCENE_RUN_NO_HOLDOUT.format(accept=params.get("accept") or "all")
        if not accepted_blobs:  # nothing to score against (a walk ticked 'training frames' and waited for nothing)
            note = NO_ACCEPTED.format(pid=pid)

        project, scene_run = self.project, bool(params.get("scene_run"))

        def job(cancel):  # the labels the run never saw (made or changed since it read them) score it honestly
            from humanseg_core.workflows.label_changes import unseen_label_frames

            held_now = sorted({*held, *(unseen_label_frames(project, run) & set(accepted_blobs))})
            scores = yield from score_job(result_blobs, accepted_blobs, held_now,
                                          [f for f in train if f not in held_now], cancel)
            return scores, _as_proposed(project, pid, held_now)  # (those too: a review)

        def finished(done) -> None:
            scores, as_proposed = done
            if self._scorer is worker:
                unseen = scene_run and any(s.heldout for s in scores)  # (its own title: a scene run holds none out)
                self.quality.set_scores(scores, span, f"{title} · {SCENE_RUN_UNSEEN}" if unseen else title, note,
                                        as_proposed=as_proposed)

        worker = JobWorker(job, name="Quality scores", parent=self, on_finished=finished, writes=False)
        self._scorer = worker
        worker.start()

    def scoring(self) -> bool:
        """True while the quality scores are being computed."""
        return self._scorer is not None and self._scorer.running

    def _frame_changed(self, frame: int) -> None:
        self.playback.show_frame(frame)
        self.quality.set_current_frame(frame)

    # -- jobs -----------------------------------------------------------------------------------
    def train_job(self, params: dict, cancel):
        """The training job for the panel (runs on the worker thread): the core's ``train_person``, which
        also stores the run; returns its :class:`~humanseg_core.workflows.TrainedRun`."""
        from humanseg_core.osvos.config import TrainConfig
        from humanseg_core.workflows import train_person

        config = TrainConfig(model=params["model"], steps=params["steps"], seconds=params["seconds"],
                             guidance=params["guidance"], holdout=params["holdout"], resume=params["resume"])
        return (yield from train_person(self.project, params["pid"], config, cancel, scene=self.scene))

    def record_run(self, params: dict, result) -> int:
        """The run is stored by the job: show it."""
        self.refresh()
        return result.run_id

    def segment_job(self, request: dict, cancel):
        """The core's ``segment_person`` (it stores the results); returns the masks for the panel."""
        from humanseg_core.workflows import SegmentConfig, segment_person

        config = SegmentConfig(first=request["first"], last=request["last"], refine=request.get("refine", "none"))
        done = yield from segment_person(self.project, request["pid"], request["run"]["id"], config, cancel,
                                         scene=self.scene)
        if done.refine != config.refine and done.hand_checked is not None:  # said in the tab (the core chose)
            n, evidence, network = done.hand_checked
            done.masks.chosen = (f"with the network alone, not the per-frame evidence: on the {n} masks you drew, "
                                 f"fixed or imported, it agrees with yours at IoU {network:.2f}, the evidence step "
                                 f"at {evidence:.2f}")
        return done.masks

    def export_inputs(self, source: str):
        if source == ALL_RESULTS:
            return self._every_persons_results()
        if self.project is None or self.pid is None or self.window.frames is None:
            return None
        if source == "results":  # the run Play shows, kept compressed: the export job decodes them
            run_id = self.shown_run(self.pid)
            blobs: dict = {} if run_id is None else self.project.mask_blobs(self.pid, "results", run_id)
        else:
            blobs = self.project.mask_blobs(self.pid, "accepted")
        masks = LazyMasks(blobs, cache=2)
        frames = self.window.frames
        return frames, masks, list(frames.indices), frames.fps

    def _every_persons_results(self):
        """Every person's results (the run Play shows for each) as layers in their colours, kept compressed."""
        if self.project is None or self.window.frames is None:
            return None
        from humanseg_core.export.mp4 import SceneLayers

        blobs, colors = {}, {}
        for pid in sorted(self.project.result_runs()):
            run_id = self.shown_run(pid)
            if run_id is not None:
                blobs[pid] = self.project.mask_blobs(pid, "results", run_id)
                c = person_color(pid)
                colors[pid] = (c.blue(), c.green(), c.red())
        frames = self.window.frames
        return frames, SceneLayers(blobs, colors), list(frames.indices), frames.fps

    def export_suggestion(self, source: str):
        """``<project>/exports/pid<K>_<source>_overlay.mp4`` (the folder made now); None without a project."""
        if self.project is None:
            return None
        from humanseg_core.export.names import exports_folder, video_name

        if source == ALL_RESULTS:
            return exports_folder(self.project.folder) / video_name(None, "results", self.export.sbs.isChecked())
        pid = self.pid if self.pid is not None else -1
        return exports_folder(self.project.folder) / video_name(pid, source, self.export.sbs.isChecked())

    def _segment_run(self, run_id: int) -> None:
        dock = self.docks.get("segment")
        if dock is not None:
            dock.show()
            dock.raise_()
        if self.segment.is_running():  # its settings stay as the running job's (a review: rewritten, then ignored)
            self.segment.footer.set_status("A segmentation is running: wait for it or cancel it, then segment with "
                                           f"run #{run_id}")
            return
        self.refresh()
        self.segment.select_run(run_id, as_made=True)
        self.segment.whole.setChecked(True)
        self.segment.start()


def install_segmentation(main_window, project=None) -> SegmentationController:
    """Dock the segmentation panels in ``main_window`` and add a Segmentation menu; returns the controller."""
    c = SegmentationController(main_window, project)
    c.docks["training"] = main_window.add_panel("Training", c.training, RIGHT)
    c.docks["segment"] = main_window.add_panel("Segment", c.segment, RIGHT)
    c.docks["playback"] = main_window.add_panel("Playback", c.playback, RIGHT)
    c.docks["playback"].visibilityChanged.connect(c.playback.set_on_screen)  # its tab selected or not
    c.docks["quality"] = main_window.add_panel("Quality", c.quality, RIGHT)
    c.docks["export"] = main_window.add_panel("Export MP4", c.export, RIGHT)
    # two tab groups: doing (train, segment, export) and looking (playback, quality)
    main_window.tabifyDockWidget(c.docks["training"], c.docks["segment"])
    main_window.tabifyDockWidget(c.docks["segment"], c.docks["export"])
    main_window.tabifyDockWidget(c.docks["playback"], c.docks["quality"])
    c.docks["training"].raise_()
    c.docks["playback"].raise_()
    menu = main_window.menuBar().addMenu("&Segmentation")
    for dock in c.docks.values():
        menu.addAction(dock.toggleViewAction())
    menu.addSeparator()
    play = menu.addAction("&Play results")
    play.setShortcut("Ctrl+P")
    play.triggered.connect(lambda: c.playback.play_btn.toggle())
    main_window.addAction(play)
    menu.addAction("&Restore Replaced Masks…").triggered.connect(c.restore_replaced)
    c.menu = menu
    return c


def _as_proposed(project, pid: int, frames) -> int:
    """How many of ``frames`` (held out) have as their label a proposal accepted as proposed, not fixed (their
    own errors count in the held-out J: a walk read 0.650 against labels whose own J was 0.455 and 0.649)."""
    if project is None or not frames:
        return 0
    wanted = {int(f) for f in frames}
    status: dict[int, str] = {}
    for p in project.proposals(pid, with_masks=False):
        if p.frame in wanted and p.status in ("accepted", "edited") and status.get(p.frame) != "edited":
            status[p.frame] = p.status
    return sum(1 for s in status.values() if s == "accepted")
