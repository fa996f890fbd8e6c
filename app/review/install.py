"""``install_review(main_window)``: the review workflow in the studio, through the window's public API.

Adds a "Review" dock (the review panel), a "Project" menu (New / Open / Close project, Generate proposals, Export
masks) and a "Review" menu (the panel's actions, with their keys). Uses only ``add_panel``, ``menuBar``, the
``scene_changed`` / ``frame_changed`` / ``person_selected`` signals, the ``scene`` / ``current_frame`` /
``selected_pid`` / ``inputs`` properties, ``open_inputs``, ``set_frame``, ``select_person``, ``frame_view``."""

from __future__ import annotations

import atexit
import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from humanseg_core.project import lock
from humanseg_core.project.connect import FOLDER_WHY

from .. import keys
from ..colors import person_rgb
from ..plurals import plural
from ..worker import JobWorker, end_jobs, running_workers
from .close_after_jobs import GIVE_UP_S, QUICK_WAIT_S, CloseAfterJobs
from .correction_panel import CorrectionPanel
from .export_dialog import ExportDialog
from .generate_dialog import GenerateDialog
from .lock_follow import install_lock_follow
from .moved_inputs import locate_moved_inputs
from .offset_taker import take_frame_offset, take_h_order, take_reading
from .open_dialogs import OpenDialogs
from .problems import ProblemsBanner
from .project_dialogs import LAST_PARENT_KEY, load_project_scene, new_project, open_project, show_error
from .proposal_view import MASK_COLOR
from .review_menus import build_menus
from .review_panel import ReviewPanel
from .same_inputs import same_files, same_inputs
from .selection_follow import SelectionFollow

OVERLAY, STOP_WAIT_S = "review", 5.0  # the mask layer; closing a project waits this long for its cancelled jobs

NO_PROJECT_HINT = "No project open: Project ▸ New Project… (Ctrl+Shift+N) keeps proposals, labels and results"
NO_PROJECT_SHORT = "no project open: Project ▸ New Project… (Ctrl+Shift+N)"  # after "… closed": fits (a walk: cut)
NARROW_SHARE = 0.35  # a Review tab narrower than this share of the window is widened when it comes in front


class ReviewController(SelectionFollow, QObject):
    """Holds the open project and ties the review panel, the dialogs and the main window together."""

    project_changed = Signal(object)  # the open Project, or None (for other panels: training, export…)
    proposals_changed = Signal()  # new proposals or imported masks are in the project (the Persons table)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.project = None
        self.read_only = False  # another window holds the project's lock, or its folder cannot be written to
        self.read_only_folder = False  # the latter
        self.take_frame_offset = lambda inputs, offset: take_frame_offset(self, inputs, offset)  # the banner's button
        self.take_h_order = lambda inputs, order: take_h_order(self, inputs, order)  # the banner's other button
        self.panel = ReviewPanel(None, window.scene)
        self.panel.frame_now = lambda: window.current_frame
        self.panel.set_undo_stack(window.undo_stack)  # the window's: decisions survive panel switches
        self.dock = window.add_panel("Review", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        # the tab in front or not (once the tab switch is laid out: its visible region is read then)
        self.dock.visibilityChanged.connect(lambda _shown: QTimer.singleShot(0, self._dock_shown))
        self._place_dock()
        self.correction = CorrectionPanel(self)
        self.correction_dock = window.add_panel("Correction", self.correction, Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(self.dock, self.correction_dock)
        self.correction.message.connect(self._message)
        self.correction_dock.visibilityChanged.connect(self.correction.set_on_screen)
        self.panel.proposal_shown.connect(lambda _frame, pid: self.correction.person_changed(pid))
        self.panel.person_order = lambda: window.person_panel.visible_order() if hasattr(window, "person_panel") else []
        self.dialog = None  # the generate / export dialog on screen (the last one opened)
        self._dialogs = OpenDialogs()  # every generate / export dialog open
        self._after_jobs = CloseAfterJobs(self, lambda text: self._message(text, 15000))
        self.lock_follow = install_lock_follow(self)  # a project another window held, taken over once let go
        self.problems = ProblemsBanner()  # the open project's skipped rows (Project.warnings), non-modal
        if hasattr(window, "add_banner"):
            window.add_banner(self.problems)
        build_menus(self)
        window.scene_changed.connect(self._scene_changed)
        if hasattr(window, "open_guards"):  # other inputs close the project: its jobs first
            window.open_guards.append(self._may_open_inputs)
        if hasattr(window, "close_guards"):  # unsaved strokes: Save / Discard / Cancel before quitting
            window.close_guards.append(self.panel.finish_edit)
            window.close_guards.append(lambda: self.panel.remember_place() or True)  # where the next opening starts
        window.person_selected.connect(self._person_selected)
        window.frame_changed.connect(self._frame_changed)
        window.timeline.playing_changed.connect(self._playing_changed)
        self.panel.proposal_shown.connect(self._proposal_shown)
        self.panel.status_changed.connect(lambda *_: self._update_overlay())
        self.panel.message.connect(self._message)
        self.panel.edit_started.connect(self._edit_started)  # E with another tab in front: the editor is seen
        self._update_actions()
        from app.keys import settings_path

        from .key_problems import key_clashes, show_key_problems

        # a bad keys.json, or a key it gives that another action has: every problem at once, naming file and entry;
        # looked for once the window's other panels have made their actions (a review: Play results' Ctrl+P missed)
        self.key_banner = None

        def check_keys() -> None:
            self.key_banner = show_key_problems(window, [*self.panel.key_problems, *key_clashes(
                window, self.panel.key_overrides, settings_path())])

        QTimer.singleShot(0, check_keys)

    def _place_dock(self) -> None:
        """Tab the review dock with the window's other right-hand panel (the review view needs room)."""
        w = self.window
        others = [d for d in w.findChildren(QDockWidget) if d is not self.dock and not d.isFloating()
                  and w.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
        if others:
            w.tabifyDockWidget(others[0], self.dock)

    def _edit_started(self) -> None:
        """The editor in view, and the video on its frame (a walk: E after a Fix-list row opened frame 850's
        proposal while the video stayed on 885)."""
        self.show_panel()
        rec = self.panel.current_record()
        if rec is not None and self.window.current_frame != rec.frame:
            self.window.set_frame(rec.frame)

    def show_panel(self) -> None:
        """The Review tab in front, widened to half the window when it was left much narrower than the layout's own
        share (the window's default, 40 %, rounds down a pixel: it was widened at every project opened and every E,
        and stayed so, on a laptop's 1366 px a walk's video lost 137 px)."""
        self.dock.show()
        self.dock.raise_()
        w = self.window
        if self.dock.width() < NARROW_SHARE * w.width():
            w.resizeDocks([self.dock], [int(0.5 * w.width())], Qt.Orientation.Horizontal)
        self.panel.setFocus()

    def show_keys(self) -> None:
        from ..menu_keys import menu_key_rows
        from ..text_dialog import show_text

        show_text(self.window, "Keys", keys.help_text(self.panel.key_overrides,
                                                       menu_key_rows(self.window, self.review_actions)))

    def _update_actions(self) -> None:
        has_project = self.project is not None
        # (read-only too: Parent Network… says which parent, read-only)
        for act in (self.act_close, self.act_export, self.act_parent, self.act_summary):
            act.setEnabled(has_project)
        for act in (self.act_generate, self.act_import, self.act_label_here):
            act.setEnabled(has_project and not self.read_only)  # (Label This Frame by Hand too: a walk)
        for act in self.review_actions:  # read-only too: J, K, W and Ctrl+PgDown browse, and A, X or E say that the
            act.setEnabled(has_project)  # project is read-only (a walk's second window: dead keys, not a word)
        if not has_project and self.window.scene is not None:  # Ctrl+G did nothing: it offers a project now
            self.act_generate.setEnabled(True)
        self.correction.setEnabled(has_project and not self.read_only)

    def _message(self, text: str, ms: int = 5000) -> None:
        bar = self.window.statusBar()
        if bar is not None:
            bar.showMessage(text, ms)

    # -- project ---------------------------------------------------------------------------------
    def new_project(self, folder=None) -> bool:
        if not self.may_close_project("Creating a new project"):
            return False
        # a video open without trajectories still counts: the message then asks for the trajectories
        project = new_project(self.window, self.window.inputs if self.window.frames is not None else None,
                              folder=folder, settings=self._settings())
        if project is None:
            return False
        self.set_project(project, self.window.scene)
        return True

    def _settings(self):
        """The studio's settings (the last projects folder), when the window has them."""
        recent = getattr(self.window, "recent", None)
        return getattr(recent, "settings", None)

    def open_project(self, folder=None) -> bool:
        last = self._settings().value(LAST_PARENT_KEY) if self._settings() is not None else None
        project = open_project(self.window, folder=folder, start=last if isinstance(last, str) else "")
        if project is None:
            return False
        if not self.may_close_project("Opening another project"):
            project.close()
            return False
        if not locate_moved_inputs(self.window, project):  # a moved video: its new place, or not opened
            name = Path(project.folder).name
            project.close()  # said (a walk's window stood empty, and a person's click read "No person 76")
            self.window.statusBar().showMessage(f"Project {name} not opened: its inputs are not where it left them "
                                                "(Project ▸ Open Project… asks again)", 15000)
            return False
        scene = self.window.scene
        if scene is None or not same_inputs(self.window.inputs, project.inputs):
            # show the project's video in the window too (it emits scene_changed)
            if not self.window.open_inputs(dataclasses.replace(project.inputs)):
                if self.window.failed_inputs is not None:  # the window said why: once is enough
                    project.close()
                    return False
                scene = load_project_scene(self.window, project)
                if scene is None:
                    project.close()
                    return False
            else:
                scene = self.window.scene
        self.set_project(project, scene)
        return True

    def set_project(self, project, scene, show: bool = True) -> None:  # show: the Review tab brought to the front
        old = self.project
        self.project = project
        if old is not project:
            self.window.undo_stack.clear()  # commands hold the project they change
            if old is not None and not self.read_only:
                lock.release(old.folder)  # (a read-only folder's project took none)
            self.read_only, self.read_only_folder = False, False
            if project is not None and getattr(project, "read_only", False):  # a read-only folder: no lock to take
                why = getattr(project, "read_only_why", FOLDER_WHY)  # (or an older schema another window holds)
                self.read_only, self.read_only_folder = True, why == FOLDER_WHY
            elif project is not None:
                other = lock.acquire(project.folder)
                if other is not None:  # another window edits it: look, do not decide over it
                    self.read_only = True
                    self.warn_locked(project.folder, other)
                else:
                    atexit.register(lock.release, project.folder)
            self.panel.read_only = self.read_only
            self.panel.read_only_folder = self.read_only_folder  # which of the two, said by its keys (a walk)
            self.correction.reset()  # the last project's ranking names its frames and results
        self.panel.set_project(project, scene)
        if project is not None:  # its own parent network gone or spoilt: in the problems strip (a re-walk: not a word)
            from humanseg_core.workflows.parent_choice import project_parent

            said = project_parent(project).warning
            if said:
                project.warn(said.replace("`", ""))
        self.problems.set_project(project)  # after the panel's first reads, which may have found some
        if hasattr(self.window, "set_project_name"):
            self.window.set_project_name(None if project is None else project.folder.name
                                         + (" (read-only: its folder cannot be written to)" if self.read_only_folder
                                            else " (read-only: open in another window)" if self.read_only else ""))
        if old is not None and old is not project:
            old.close()
            self._update_overlay()  # (a walk's new project showed the old one's proposal until the frame changed)
        self._update_actions()
        if show:
            self.show_panel()
        self._dialogs.close_stale(project)
        self.project_changed.emit(project)
        if project is not None:
            recent = getattr(self.window, "recent", None)
            if recent is not None:  # File ▸ Open Recent opens this project for its inputs
                recent.remember_project(project.inputs, project.folder)
            # an update of its schema: no problem, said once beside the summary (a walk read "1 problem")
            notes = getattr(project, "notes", []) if project is not old else []
            self._message(" · ".join([self._project_summary(), *notes]))

    def warn_locked(self, folder, other) -> None:
        """Say that another window holds the project (tests replace this)."""
        who = f" (process {other.pid}{' on ' + other.host if other.host else ''})" if other.pid > 0 else ""
        QMessageBox.warning(self.window, "Project open elsewhere",
                            f"{folder} is open in another HumanSeg Studio window{who}.\nIt opens read-only here: "
                            "decisions, edits and imports are off until the other window closes. (No other "
                            "window open, e.g. after a crash on another machine? Delete the file studio.lock in "
                            "the project folder.)")

    def _project_summary(self) -> str:
        n = sum(self.project.counts().values())
        # the folder's name, not its path (the status bar elided a long one, a walk): the title shows where it is
        return (f"Project {Path(self.project.folder).name}: {plural(n, 'proposal')}"
                + ("" if n else " — generate them with Project ▸ Generate Proposals (Ctrl+G)"))

    def follow_project_inputs(self) -> None:
        """The window reads the scene as the project does now: proposals made for a project without a
        homography estimated one from the video and the project's inputs name it (``workflows.estimate``);
        the same files, opened again with it, keep the project open (``_scene_changed``)."""
        project, inputs = self.project, self.window.inputs
        if project is None or same_inputs(inputs, project.inputs) or not same_files(inputs, project.inputs):
            return
        self.window.open_inputs(dataclasses.replace(project.inputs))

    def _generated(self, n_new: int, n_skips: int) -> None:
        """New proposals: the panel re-reads the project and the status bar tells the new total."""
        self.follow_project_inputs()
        self.panel.refresh(masks_changed=True)
        self.proposals_changed.emit()
        if self.project is not None:
            self._message(f"{self._project_summary()} ({n_new} new, {plural(n_skips, 'frame')} skipped)")

    def proposals_added(self) -> None:
        """After a job that may have made proposals behind the panel (a Whole scene run's): the project read again,
        unless an edit is open (its strokes are never dropped; the person's proposals are read when it is chosen)."""
        panel = self.panel
        if panel.project is None or panel.editing:
            return
        self.follow_project_inputs()
        shown = sum(len(entries) for entries in panel._by_frame.values())
        if shown != sum(panel.project.counts().values()):
            panel.refresh()
            self.proposals_changed.emit()
            self._message(self._project_summary())
        else:  # as many, perhaps others (a review found Review on a proposal no longer stored)
            panel.reread_in_place()

    def may_close_project(self, action: str, then=None) -> bool:
        """Before the open project's store closes (``action``: what closes it): while jobs run on it
        (training, proposals, a whole-scene run…) ask whether to cancel them; then cancel every job and wait
        (bounded).  False keeps the project open: the analyst said so, or a job did not stop in time. With
        ``then`` (the action again) the GUI thread waits a moment only; ``then`` runs once the jobs have stopped
        (:mod:`.close_after_jobs`)."""
        if self.project is None:
            return True
        self._after_jobs.cancel()  # an earlier close waiting for its jobs: this one decides now
        name = Path(self.project.folder).name
        if not self.panel.finish_edit():  # unsaved strokes were dropped without a word
            self._message(f"{action} cancelled: the mask edit stays open")
            return False
        waiting, refused = [], []

        def ask(jobs: list[str]) -> bool:
            if not self.ask_stop_jobs(jobs, action):
                refused.append(True)
                return False
            self._message(f"Waiting for the {' and '.join(j.lower() for j in jobs)} to stop…", int(GIVE_UP_S * 1000))
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # the bounded wait blocks the window
            waiting.append(" and ".join(j.lower() for j in jobs))
            self.window.repaint()  # no stale dialog on screen while it waits
            return True

        try:
            if end_jobs(ask, QUICK_WAIT_S if then is not None else STOP_WAIT_S, must_end=True, project_only=True):
                if waiting:  # not "Waiting for …" on after the close (a walk): what follows says more, when it does
                    self._message(f"The {waiting[0]} stopped (cancelled)")
                return True
        finally:
            if waiting:
                QApplication.restoreOverrideCursor()
        # cancelled, asked about or not (a review: a thumbnail or ranking job slow to stop had the close refused)
        if then is not None and not refused and (still := running_workers(project_only=True)):
            if not waiting:
                names = " and ".join(sorted({w.name.lower() for w in still}))
                self._message(f"Waiting for the {names} to stop…", int(GIVE_UP_S * 1000))
            self._after_jobs.start(then, f"{action} waited {GIVE_UP_S:.0f} s for a cancelled job to stop: project "
                                         f"{name} stays open. Try again in a moment.")
            return False
        if any(w.token.cancelled for w in running_workers(project_only=True)):
            self._message(f"{action} waits: a cancelled job is still stopping; project {name} stays open. "
                          "Try again in a moment.")
        else:
            self._message(f"Project {name} kept open: its jobs go on")
        return False

    def ask_stop_jobs(self, jobs: list[str], action: str) -> bool:
        """Jobs run on the open project and ``action`` would close it: cancel them (True) or keep the
        project (False)? Tests replace this."""
        names = " and ".join(j.lower() for j in jobs)
        box = QMessageBox(QMessageBox.Icon.Question, action,
                          f"{action} closes project {Path(self.project.folder).name}, and the {names} is still "
                          "running on it.\n\nCancel the job and go on? Its unsaved work is lost (what is already "
                          "saved in the project is kept).", parent=self.window)
        stop = box.addButton("Cancel the job and go on", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep the project", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is stop

    def _may_open_inputs(self, inputs) -> bool:
        """The window's open guard: inputs of another scene close the project (``_scene_changed``)."""
        if self.project is None or same_inputs(inputs, self.project.inputs):
            return True
        return self.may_close_project("Opening other inputs", then=lambda: self.window.open_inputs(inputs))

    def close_project(self) -> None:
        if self.project is None or not self.may_close_project("Closing the project", then=self.close_project):
            return
        name = Path(self.project.folder).name
        self.panel.remember_place()
        self.panel.set_project(None)
        self.problems.set_project(None)
        self.window.undo_stack.clear()
        if not self.read_only:
            lock.release(self.project.folder)
        self.read_only = self.panel.read_only = self.read_only_folder = self.panel.read_only_folder = False
        self.project.close()
        self.project = None
        self.window.frame_view.set_mask_overlay(OVERLAY, None)
        if hasattr(self.window, "set_project_name"):  # a walk's title named the closed project still
            self.window.set_project_name(None)
        self._update_actions()
        self._dialogs.close_stale(None)
        self.project_changed.emit(None)
        self._message(f"Project {name} closed (all is saved; Project ▸ Open Project reopens it)")

    # -- jobs ------------------------------------------------------------------------------------
    def generate(self) -> GenerateDialog | None:
        if self.project is None and self.window.scene is not None and self.ask_new_project():
            self.new_project()  # proposals are stored in a project: make one for the open video first
        if self.project is None or self.panel.scene is None:
            if self.window.scene is None:
                show_error(self.window, "Generate proposals", "Open or create a project first (Project menu).")
            return None
        dlg = GenerateDialog(self.panel.scene, self.project, self.window.selected_pid, self.window)
        dlg.generated.connect(self._generated)
        dlg.running_changed.connect(self.panel.set_generating)  # the empty Review tab says they are coming
        self._show_dialog(dlg)
        return dlg

    def ask_new_project(self) -> bool:
        """Whether to make a project for the open video so that proposals can be generated (tests replace this)."""
        answer = QMessageBox.question(
            self.window, "Generate proposals", "Proposals are kept in a project. Make a project for this video now?\n"
            "(Project ▸ New Project… does the same; Project ▸ Open Project… opens one made earlier.)")
        return answer == QMessageBox.StandardButton.Yes

    def export(self) -> ExportDialog | None:
        if self.project is None:
            show_error(self.window, "Export masks", "Open a project first (Project menu).")
            return None
        play = getattr(self.window, "segmentation", None)  # the runs picked in Play: the dialog starts with them
        runs = play.picked_runs() if hasattr(play, "picked_runs") else None
        if (open_one := self._dialogs.raise_open(ExportDialog, self.project)) is not None:
            return open_one
        dlg = ExportDialog(self.project, self.panel.pid, self.window, runs=runs, settings=self._settings(),
                           read_only=self.read_only)
        self._show_dialog(dlg)
        return dlg

    def import_masks(self, folder=None, pid: int | None = None, value: int | None = None) -> JobWorker | None:
        """A DAVIS-style folder of %05d.png masks as labels of ``pid`` (default: Review's) (``import_action``)."""
        from .import_action import start_import

        self._import_worker = start_import(self, folder, pid, value)
        return self._import_worker

    def ask_parent(self, chosen, read_only: bool) -> str | None:
        """Project ▸ Parent Network…'s question (tests replace this): ``parent_action.CHOOSE``, ``SHIPPED`` or None."""
        from .parent_action import ask_parent

        return ask_parent(self.window, chosen, read_only)

    def ask_index(self, pid: int, used: list[int]) -> int | None:
        """Which index is person ``pid`` in masks holding ``used`` (tests replace this); None: cancel."""
        from PySide6.QtWidgets import QInputDialog

        items = [str(v) for v in used]
        text, ok = QInputDialog.getItem(self.window, "Import masks", f"These masks hold {len(used)} persons. "
                                        f"Which index is person {pid}?", items, 0, False)
        return int(text) if ok and text else None

    def _show_dialog(self, dlg) -> None:
        self.dialog = dlg  # the last one shown
        dlg.destroyed.connect(lambda *_: setattr(self, "dialog", None) if self.dialog is dlg else None)
        self._dialogs.show(dlg)

    # -- following the window --------------------------------------------------------------------
    def _scene_changed(self, scene) -> None:
        project, closed = self.project, ""
        if project is not None and not same_inputs(self.window.inputs, project.inputs) \
                and not take_reading(self, self.window.inputs):
            # other inputs (File ▸ Open, a drop, Open Recent): the project's masks belong to another scene, or to
            # these files placed otherwise, not to be drawn over them nor written from them. All is saved: close it.
            self.close_project()
            # short: the status bar cut the longer one in its middle (a walk read "…same video and tra…ct…")
            why = ("its files read another way now" if same_files(self.window.inputs, project.inputs)
                   else "other inputs opened")
            closed = f"Project {Path(project.folder).name} closed ({why}; all is saved)"
            self._message(closed, 15000)
        self.panel.set_scene(scene)
        self._update_actions()
        if scene is not None:  # after an open that brings its own project (Open Project) has set it
            QTimer.singleShot(0, lambda: self._hint_no_project(closed))

    def _hint_no_project(self, closed: str = "") -> None:
        """Inputs open without a project: where the work starts (a walk found every button greyed, nothing
        said why), after ``closed``, the project the open closed (a walk saw the hint alone)."""
        if self.project is None and self.window.scene is not None:
            self._message(f"{closed} · {NO_PROJECT_SHORT}" if closed else NO_PROJECT_HINT, 20000)

    def _dock_shown(self) -> None:
        self.panel.set_on_screen(not self.dock.visibleRegion().isEmpty())
        self._update_overlay()

    def _update_overlay(self) -> None:
        """The current proposal's mask on the main frame view while it shows that frame and the Review tab is
        in front (behind Play or Scene it read as a result), in the person's colour as Play draws it."""
        mask = None
        rec = self.panel.current_record()
        in_front = self.panel.isVisible() and not self.dock.visibleRegion().isEmpty()  # a tab behind another: empty
        if rec is not None and self.window.current_frame == rec.frame and in_front:
            mask = self.panel.current_mask()
        color = QColor(*person_rgb(rec.pid)) if rec is not None else QColor(*MASK_COLOR)
        self.window.frame_view.set_mask_overlay(OVERLAY, mask, color, 0.4)


def install_review(main_window) -> ReviewController:
    """Add the review dock and the Project / Review menus to ``main_window``; returns the controller."""
    return ReviewController(main_window)  # a child of the window: lives as long as it
