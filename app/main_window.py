"""The studio's main window: composition of the frame view, overlays, timeline, panels and menus.

Later panels plug in through :meth:`MainWindow.add_panel` and follow the studio through the signals
``scene_changed(scene)``, ``frame_changed(frame)`` and ``person_selected(pid)`` (-1: none); they draw on the
frame with ``window.frame_view.add_overlay_item(item)`` or ``window.frame_view.set_mask_overlay(...)``.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QGraphicsPixmapItem,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from humanseg_core.errors import HumansegError, TrajectoryError, bad_rows_text
from humanseg_core.inputs.frames import open_frames
from humanseg_core.inputs.scene import file_numbering, is_clip_note, load_scene_of, suggested_offset
from humanseg_core.inputs.trajectories import LOOKS_LIKE_HOMOGRAPHY
from humanseg_core.records import ProjectInputs

from .ask import ask_one_way
from .banner_actions import connect_banner
from .colors import person_color, use_scene
from .dock_layout import save_layout
from .focus_chain import step_on_screen
from .frame_loader import FrameLoader
from .frame_view import Z_NOTICE, FrameView
from .homography_check import start_fit_check
from .open_dialog import OpenDialog, empty_inputs, merge_paths, scene_folder_inputs
from .person_panel import PersonPanel
from .quit_question import ask_quit
from .recent import RecentInputs, describe
from .status_bar import StatusBar
from .timeline import Timeline
from .track_overlay import TrackOverlay
from .warning_banner import WarningBanner
from .window_menus import build_menus
from .worker import JobWorker, end_jobs

APP_NAME = "HumanSeg Studio"
CLICK_RADIUS_PX = 14  # screen pixels around a marker that select its person
QUIT_WAIT_S = 5.0  # closing the window waits at most this long for cancelled jobs to stop
EMPTY_TEXT = ("Open a video and its trajectories: File ▸ Open… (Ctrl+O), or drop the files, or a scene "
              "folder holding frames/, trajectories.txt and H.txt, here.\n\nOr try the demo scene: "
              "File ▸ Open Demo (Ctrl+D).\nA project made earlier: Project ▸ Open Project… (Ctrl+Shift+O).")


class MainWindow(QMainWindow):
    scene_changed = Signal(object)  # the new Scene, or None
    frame_changed = Signal(int)
    person_selected = Signal(int)  # pid, or -1 when none

    def __init__(self, settings=None, parent=None):
        super().__init__(parent)
        self._scene = None
        self._frames = None  # the FrameSource shown (the scene's, or a video opened without trajectories)
        self._frame: int | None = None
        self._selected: int | None = None
        self._inputs = empty_inputs()
        self._attempted: ProjectInputs | None = None  # the inputs of a failed open, for File > Open to fix
        self.undo_stack = QUndoStack(self)  # review decisions and saved edits (Edit > Undo, Ctrl+Z)
        # asked before other inputs open: False keeps what is open (e.g. a project whose jobs still run)
        self.open_guards: list[Callable[[ProjectInputs], bool]] = []
        self.demo_then: Callable[[], object] | None = None  # File ▸ Open Demo, once open (the demo's project)
        # asked before the window closes: False keeps it open (e.g. unsaved mask strokes, Cancel)
        self.close_guards: list[Callable[[], bool]] = []
        self.scripted_quit = False  # --quit-after / --screenshot: running jobs are cancelled without a question
        self.setWindowTitle(APP_NAME)
        self.resize(1400, 900)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.frame_view = FrameView()
        self.frame_view.empty_text = EMPTY_TEXT
        self.overlay = TrackOverlay()
        self.frame_view.add_overlay_item(self.overlay)
        # an unreadable frame's message, above the markers and masks (hidden while frames read fine)
        self._notice = self.frame_view.add_overlay_item(QGraphicsPixmapItem(), Z_NOTICE)
        self._notice.setOffset(-0.5, -0.5)
        self._notice.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks and drags reach the view
        self._notice.setVisible(False)
        # the inputs' warnings; an offset that puts the annotations on the video is one click (a walk)
        self._banner_box = WarningBanner()
        self.banner, self.offset_button = self._banner_box.label, self._banner_box.offset_button
        connect_banner(self, self._banner_box)  # its offered offset, pixel order and pixel reading (banner_actions)
        central = QWidget()
        box = QVBoxLayout(central, spacing=0)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self._banner_box)
        box.addWidget(self.frame_view, 1)
        self.setCentralWidget(central)

        self.timeline = Timeline()
        self.person_panel = PersonPanel()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.loader = FrameLoader(self)
        self.recent = RecentInputs(settings)
        self.person_panel.keep_sort(self.recent.settings)  # the table's sort as the analyst left it
        self._panels_menu = None
        build_menus(self)
        timeline_dock = self.add_panel("Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea)
        timeline_dock.setTitleBarWidget(QWidget())  # no title bar: it is part of the window
        self.add_panel("Persons", self.person_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.findChild(QDockWidget, "dock_Persons")], [340], Qt.Orientation.Horizontal)

        self.timeline.frame_requested.connect(self.set_frame)
        self.timeline.playing_changed.connect(lambda on: on and self._prefetch())
        self.person_panel.person_selected.connect(self.select_person)
        self.loader.frame_ready.connect(self._frame_arrived)
        self.loader.frame_failed.connect(self._frame_failed)
        self._failed_message: str | None = None  # the status bar's message about the last unreadable frame
        self.frame_view.cursor_moved.connect(self._cursor_moved)
        self.frame_view.cursor_left.connect(lambda: self.status.set_cursor(None))
        self.frame_view.clicked.connect(self._clicked)

    # -- public API for other panels ---------------------------------------------------------
    @property
    def scene(self):
        return self._scene

    @property
    def frames(self):
        return self._frames

    @property
    def current_frame(self) -> int | None:
        return self._frame

    @property
    def selected_pid(self) -> int | None:
        return self._selected

    @property
    def inputs(self) -> ProjectInputs:
        return dataclasses.replace(self._inputs)

    def add_panel(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Dock ``widget`` in ``area`` under ``title``; View > Panels gets a toggle for it."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if self._panels_menu is not None:
            self._panels_menu.addAction(dock.toggleViewAction())
        # whether its tab is the one on screen (a covered tab stays "visible" to Qt); kept while it is hidden
        dock.visibilityChanged.connect(lambda on, d=dock: d.isHidden() or d.setProperty("on_screen", on))
        dock.visibilityChanged.connect(lambda on, d=dock: on or self._focus_out_of(d))
        dock.toggleViewAction().triggered.connect(lambda checked, d=dock: self._panel_chosen(d, checked))
        return dock

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 (Qt's name)
        stepped = step_on_screen(self, forward)  # not into covered tabs
        return super().focusNextPrevChild(forward) if stepped is None else stepped

    def _focus_out_of(self, dock: QDockWidget) -> None:
        """A panel whose tab another covered keeps no keyboard focus: the video has it (a walk's Right, with Play in
        front, stepped the covered Review tab's proposals instead of the video's frames)."""
        focused = QApplication.focusWidget()
        if focused is not None and dock.isAncestorOf(focused):
            self.frame_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _panel_chosen(self, dock: QDockWidget, checked: bool) -> None:
        """View > Panels: a panel shown, or one whose tab another covered, comes to the front (Qt's toggle
        closed a covered tab: View > Panels > Correction removed the Fix tab it was asked for)."""
        if checked or dock.property("on_screen") is False:
            dock.show()
            dock.raise_()

    def add_banner(self, widget: QWidget) -> None:
        """Show ``widget`` above the video, under the warning banner (e.g. the open project's problems)."""
        layout = self.centralWidget().layout()
        layout.insertWidget(layout.indexOf(self.frame_view), widget)

    # -- opening -----------------------------------------------------------------------------
    def open_inputs(self, inputs: ProjectInputs) -> bool:
        """Open a video (and its trajectories and homography); errors go to a message box. True on success."""
        previous, self._inputs = self._inputs, dataclasses.replace(inputs)
        self._attempted = None
        if not inputs.video:
            self._set_banner(["Trajectories chosen: now open the video (File > Open…, or drop it here)"])
            return False
        if not all(guard(inputs) for guard in list(self.open_guards)):
            self._inputs = previous  # e.g. the analyst keeps the project a job runs on
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            try:
                scene, frames = _load(inputs)
            except TrajectoryError as exc:  # one bad row: offered to leave it (and any other) out
                swap = LOOKS_LIKE_HOMOGRAPHY in str(exc) and bool(inputs.homography) and self.ask_swap(str(exc))
                if not swap and not (exc.bad_row and not inputs.skip_bad_lines):
                    raise
                if not swap and not self.ask_skip_bad_lines(bad_rows_text(exc)):  # declined: its question named
                    self._inputs, self._attempted = previous, dataclasses.replace(inputs)  # the file and line, no
                    print(f"humanseg-studio: not opened: {exc}", file=sys.stderr)  # second box (a walk got it
                    return False  # again as an error)
                # the two files each in the other's place (a walk had to start over), or the bad rows left out
                inputs = dataclasses.replace(inputs, trajectories=inputs.homography, homography=inputs.trajectories) \
                    if swap else dataclasses.replace(inputs, skip_bad_lines=True)
                self._inputs = dataclasses.replace(inputs)
                scene, frames = _load(inputs)
        except HumansegError as exc:
            # what is open stays current (a new project, a drop build on it); File > Open offers the attempt to fix
            self._inputs, self._attempted = previous, dataclasses.replace(inputs)
            self.show_error("Cannot open the input", str(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        # the same video read with another homography, pixel order or trajectory file: the frame looked at stays (a
        # walk's File ▸ Estimate Homography ▸ Save and Use went back to the first annotated frame)
        same = previous is not None and (previous.video, previous.frame_offset, previous.frame_step) == (
            inputs.video, inputs.frame_offset, inputs.frame_step)
        kept = self._frame if same else None
        self._install(scene, frames)
        if kept is not None and kept in frames.indices:
            self.set_frame(kept)
        self.recent.add(inputs)
        return True

    def open_recent(self, inputs: ProjectInputs) -> bool:
        """File ▸ Open Recent: the project last open on these inputs when it is still there (its decisions and
        results come with it), else the inputs alone."""
        folder = self.recent.project_for(inputs)
        review = getattr(self, "review", None)
        if folder is not None and review is not None:
            open_now = getattr(review, "project", None)
            if open_now is not None and Path(open_now.folder).resolve() == Path(folder).resolve():
                self.status.showMessage(f"Project {Path(folder).name} is open already", 5000)  # (a walk: no word)
                return True  # nothing to ask
            return bool(review.open_project(folder))
        return self.open_inputs(inputs)

    @property
    def failed_inputs(self) -> ProjectInputs | None:
        """The inputs of the last open that failed with a message (None after a success or a refusal)."""
        return self._attempted

    def open_paths(self, paths) -> bool:
        """Open dropped or command-line paths (video/folder, trajectory file, homography, scene folder)."""
        try:
            inputs = merge_paths(self._inputs, [Path(p) for p in paths])
        except HumansegError as exc:
            self.show_error("Cannot use the dropped file", str(exc))
            return False
        return self.open_inputs(inputs)

    def open_demo(self, seed: int = 0, then: Callable[[], object] | None = None) -> bool:
        """Open the demo scene; on first use it is written to the user cache by a background job first.
        ``then`` runs once the scene is open (the studio's ``--demo``: the demo's project)."""
        from humanseg_core.demo import demo_dir_job, demo_path, demo_ready

        def opened(path) -> bool:
            ok = self.open_inputs(scene_folder_inputs(path))
            if ok and then is not None:
                then()
            return ok

        if demo_ready(seed):
            return opened(demo_path(seed))
        self.status.showMessage("Writing the demo scene to the cache (first use)…")
        self._demo_worker = JobWorker(
            lambda cancel: demo_dir_job(seed, cancel=cancel), name="Demo scene", parent=self,
            on_progress=lambda p: self.status.showMessage(f"Writing the demo scene: {p.done}/{p.total} frames"),
            on_finished=lambda path: (self.status.clearMessage(), opened(path)),
            on_failed=lambda msg: self.show_error("Cannot make the demo", msg))
        self._demo_worker.start()
        return True

    def _ask_while_opening(self, title: str, text: str, button: str) -> bool:
        """A one-way question asked while inputs open (the wait cursor lifted meanwhile)."""
        QApplication.restoreOverrideCursor()
        try:
            return ask_one_way(self, title, text, button)
        finally:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def ask_swap(self, message: str) -> bool:
        """Whether to open the trajectory file and the homography each in the other's place (tests replace this)."""
        return self._ask_while_opening("The trajectories look like a homography", f"{message}\n\nThe two files may "
                                       "have been given each in the other's place. Open them swapped?", "Swap and Open")

    def ask_skip_bad_lines(self, message: str) -> bool:  # (message: bad_rows_text)
        """Whether to open the trajectory file again leaving its bad rows out (they are named in a warning)."""
        return self._ask_while_opening("A bad line in the trajectory file", f"{message}\n\nOpen it without its bad "
                                       "lines? They are left out of the persons' tracks, and the banner names them; "
                                       "the file is not changed.", "Skip Bad Lines and Open")

    def show_error(self, title: str, message: str) -> None:
        print(f"humanseg-studio: {title}: {message}", file=sys.stderr)  # said where a script can read it too
        QMessageBox.critical(self, title, message)

    # -- navigation --------------------------------------------------------------------------
    def set_frame(self, frame: int) -> None:
        """Make ``frame`` current (snapped to a frame of the video)."""
        if self._frames is None or not len(self._frames):
            return
        frame = self._frames.indices[self.timeline.position_of(frame)]
        self._frame = frame
        self.timeline.set_frame(frame)
        self.overlay.set_frame(frame)
        self.status.set_frame(frame, self._frames.fps, len(self._frames))
        self.loader.request(frame)
        if self.timeline.playing:
            self._prefetch()
        self.frame_changed.emit(frame)

    def select_person(self, pid: int | None, jump: bool = True) -> None:
        """Select ``pid`` (None or -1: nobody) in every view; ``jump`` goes to its first annotated frame unless the
        frame shown lies in its track (a crowd re-walk's row click at 10320 went back to 10280, where a marker's click
        stays: the README says both show the person on the frame the video shows)."""
        if pid is None or pid < 0 or self._scene is None or pid not in self._scene.trajectories.tracks:
            if pid is not None and pid >= 0:
                known = self._scene.pids if self._scene is not None else []
                self.status.showMessage(f"No person {pid} in these trajectories" + (
                    f" (persons {known[0]}–{known[-1]}, {len(known)} in all)" if known else ""), 8000)
            pid = None
        self._selected = pid
        self.overlay.set_selected(pid)
        self.person_panel.select_pid(pid)
        if pid is None:
            self.timeline.set_annotations(self._scene.annotated_frames() if self._scene else [])
        else:
            track = self._scene.trajectories.tracks[pid]
            self.timeline.set_annotations(track.frames, person_color(pid))
            now = self.current_frame
            if jump and (now is None or not track.first <= now <= track.last):
                self.set_frame(track.first)
        self.person_selected.emit(-1 if pid is None else pid)

    # -- internals ---------------------------------------------------------------------------
    def _open_dialog(self) -> None:
        """File ▸ Open…; after an input that cannot be opened (its message said why) the dialog comes back
        with the paths typed, to fix (a walk had to find File ▸ Open again)."""
        while True:
            dialog = OpenDialog(self._attempted or self._inputs, self)
            if not dialog.exec() or self.open_inputs(dialog.inputs()) or self._attempted is None:
                return

    def _install(self, scene, frames) -> None:
        self.timeline.pause()
        old = self._frames
        self._scene, self._frames, self._selected, self._frame = scene, frames, None, None
        self.loader.set_source(frames)
        if old is not None and old is not frames:
            old.close()
        self.frame_view.set_frame(None)
        self._notice.setVisible(False)
        self.frame_view.set_image_size(frames.width, frames.height)
        use_scene(scene)  # its persons' colours, chosen together, before anything draws them
        self.overlay.set_scene_data(scene)
        self.person_panel.set_scene(scene)
        from .panels import grow_right_dock

        grow_right_dock(self)  # its columns follow the frame numbers: five digits need more room (a walk)
        self.timeline.set_frames(frames.indices, frames.fps, file_numbering(scene))
        self.timeline.set_annotations(scene.annotated_frames() if scene else [])
        notes = list(scene.warnings) if scene else ["No trajectories: open or drop a trajectory file to see persons"]
        chosen = scene is not None and (int(getattr(self._inputs, "frame_offset", 0) or 0) != 0  # a clip, read so
                                        or bool(frames.indices) and frames.indices[0] > 1)  # or numbered so (a helper;
        # from 1 is ffmpeg's %05d numbering, not a clip's: its notes stay in the banner, a review)
        info = [n for n in notes if chosen and is_clip_note(n)]  # on purpose: in the Persons tab's line and tip
        self._set_banner([n for n in notes if n not in info], suggested_offset(scene) if scene else None)
        was = getattr(self, "_fit_check", None)
        if was is not None and was.running:  # the last inputs' check: its answer is not wanted (a review)
            was.cancel()
        self._fit_check = start_fit_check(self, scene, self._inputs.h_order, self._inputs.h_direction,
                                          self._banner_box)
        self._update_title()
        self.scene_changed.emit(scene)
        first = scene.annotated_frames() if scene else []
        self.set_frame(first[0] if first and first[0] in frames else frames.indices[0])

    def set_project_name(self, name: str | None) -> None:
        """The open project's name leads the window title (a walk: the title named the input files only)."""
        self._project_name = name
        self._update_title()

    def _update_title(self) -> None:
        project = getattr(self, "_project_name", None)
        # the files apart from the title's own dashes (a fresh-clone walk read "demo — demo/frames  —  traj…")
        inputs = describe(self._inputs, " · ") if self._scene is not None or self._frames is not None else ""
        self.setWindowTitle(" — ".join(t for t in (f"project {project}" if project else "", inputs, APP_NAME) if t))

    def _set_banner(self, notes: list[str], offset: int | None = None) -> None:
        self._banner_box.set_notes(notes, offset)  # the warnings above the video, and an offset to offer

    def _frame_arrived(self, index: int, frame) -> None:
        if index == self._frame:
            self._notice.setVisible(False)
            self.frame_view.set_frame(frame)
            if self._failed_message is not None and self.status.currentMessage() == self._failed_message:
                self.status.clearMessage()  # a readable frame on screen: an earlier frame's error would mislead

    def _frame_failed(self, index: int, message: str) -> None:
        """An unreadable frame: a clear placeholder (never the previous image under the new markers)."""
        self.status.showMessage(message, 6000)
        self._failed_message = message
        if index == self._frame and self._frames is not None:
            from .placeholder import message_image, placeholder_image, unreadable_text

            w, h = self._frames.width, self._frames.height
            self.frame_view.set_frame(placeholder_image(w, h))
            self._notice.setPixmap(QPixmap.fromImage(message_image(w, h, unreadable_text(index, message))))
            self._notice.setVisible(True)

    def _prefetch(self) -> None:
        if self._frame is not None:
            self.loader.prefetch_after(self._frame, count=max(8, int(self._frames.fps)))

    def _cursor_moved(self, u: float, v: float) -> None:
        world = self._scene.homography.pixel_to_world([[u, v]])[0] if self._scene is not None else None
        self.status.set_cursor(u, v, world)

    def _clicked(self, u: float, v: float) -> None:
        pid = self.overlay.pid_at(u, v, CLICK_RADIUS_PX / max(self.frame_view.zoom(), 1e-6))
        if pid is None:  # or its number label, drawn beside the marker
            from PySide6.QtCore import QPointF

            at = self.frame_view.mapFromScene(QPointF(u, v))
            pid = self.overlay.label_at(at.x(), at.y())
        if pid is not None:
            self.select_person(pid, jump=False)

    def event(self, event) -> bool:  # (Qt)
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication

        from .keys import control_keeps_key

        if event.type() == QEvent.Type.ShortcutOverride and control_keeps_key(event, QApplication.focusWidget()):
            event.accept()  # the focused slider or spin box takes the key (Home, End, arrows), not the timeline
            return True
        return super().event(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls()]
        event.acceptProposedAction()
        self.open_paths(paths)

    def ask_quit(self, jobs: list[str]) -> bool:
        """Closing while ``jobs`` (names) run: ask whether to cancel them and quit (it follows them: one that
        ends under the question is said). A scripted quit (``--quit-after``, ``--screenshot``) cancels them
        without asking: nobody is there to answer (a demo screenshot waited forever on its proposals job)."""
        if self.scripted_quit:
            print(f"quitting: cancelling the {' and '.join(j.lower() for j in jobs)}", file=sys.stderr)
            return True
        return ask_quit(self, jobs, APP_NAME)

    def closeEvent(self, event) -> None:
        if not all(guard() for guard in list(self.close_guards)):
            event.ignore()
            return
        if not end_jobs(self.ask_quit, QUIT_WAIT_S):  # asks, cancels every job, waits (bounded)
            event.ignore()
            return
        save_layout(self, self.recent.settings)
        self.timeline.pause()
        self.loader.set_source(None)
        self.loader.wait_idle()
        from .scene_overlay import SceneOverlay

        for overlay in self.findChildren(SceneOverlay):  # a composition on its thread ends before the window goes
            overlay.wait_idle()
        if self._frames is not None:
            self._frames.close()
        super().closeEvent(event)


def _load(inputs: ProjectInputs):
    """(scene, frames) of ``inputs``: the scene None when no trajectories are given."""
    if inputs.trajectories:
        scene = load_scene_of(inputs)
        return scene, scene.frames
    return None, open_frames(inputs.video)
