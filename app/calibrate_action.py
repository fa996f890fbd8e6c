"""File ▸ Estimate Homography from the Video…: the studio's way to ``humanseg calibrate`` (ADR 0014).

Enabled while the open scene has no homography (its positions are the extent fit's approximation); File ▸ Use a
Homography File… also while it has one, to put another in its place (asked first). The
core job (:func:`humanseg_core.inputs.calibrate.calibrate_job`) runs in a background worker on a scene of
its own (while it runs the same menu entry reads "Stop Estimating the Homography" and cancels it); when
it succeeds the analyst picks where to save the ``H.txt`` (next to the trajectories by default,
never over an existing file without the dialog's own question) and the inputs are opened again with it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QMessageBox

from .worker import JobWorker

TITLE = "Estimate Homography from the Video…"
STOP = "Stop Estimating the Homography"
FILE_TITLE = "Use a Homography File…"


def save_folder(trajectories: str) -> Path:
    """Where an estimate made without a project is offered: beside the trajectories, unless their folder is
    read-only (no write permission bit: a dataset's folder, which root could still write to: a walk's estimate went
    into the shared data), or cannot be written to; then the home folder."""
    import os
    import stat

    folder = Path(trajectories).parent
    try:
        mode = folder.stat().st_mode
    except OSError:
        return Path.home()
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(folder, os.W_OK):
        return Path.home()
    return folder


class CalibrateAction:
    def __init__(self, window) -> None:
        self.window = window
        self.worker: JobWorker | None = None
        self.action = QAction(TITLE, window)
        self.action.setToolTip("The scene has no homography: match the trajectories to the people moving in "
                               "the video and save the fitted one")
        self.action.triggered.connect(lambda _=False: self.stop() if self.worker is not None else self.start())
        self.file_action = QAction(FILE_TITLE, window)
        self.file_action.setToolTip("Give the scene its homography file (pixel -> world), or another in place of "
                                    "one that does not fit the video; the open project made from these files "
                                    "takes it too (its decisions kept)")
        self.file_action.triggered.connect(lambda _=False: self.use_file())
        menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&File"), None)
        if menu is not None:
            menu.insertAction(menu.actions()[1] if len(menu.actions()) > 1 else None, self.action)
            menu.insertAction(self.action, self.file_action)
        window.scene_changed.connect(lambda _scene: self.update())
        # tests replace these: where to save (None: cancelled) and how to tell the analyst
        self.ask_path = self._ask_path
        self.ask_open = self._ask_open
        self.tell = lambda title, text: QMessageBox.information(window, title, text)
        self.confirm = self._confirm  # the estimate's summary, before anything is saved: True to keep it
        self.confirm_replace = self._confirm_replace  # (old name, new name, proposals placed): True to replace
        self.update()

    def update(self) -> None:
        scene = self.window.scene
        running = self.worker is not None
        usable = scene is not None and scene.homography.approximate
        # greyed out with its reason in the menu (a walk found it greyed and could not tell why)
        why = "" if running or usable else (" (open a video with its trajectories first)" if scene is None else
                                            " (the scene has its homography)")
        self.action.setText(STOP if running else TITLE + why)
        self.action.setEnabled(running or usable)
        # another file in place of the scene's own: a walk's project on a homography the banner said did not fit
        # could not be given the right one in the studio (only `humanseg relocate --homography`)
        replaces = scene is not None and not usable
        self.file_action.setText(FILE_TITLE + (" (replaces the scene's)" if replaces else why))
        self.file_action.setEnabled(scene is not None and not running)

    def stop(self) -> None:
        """Cancel the running estimate (nothing is written; the entry turns back when the job has ended)."""
        if self.worker is not None:
            self.worker.cancel()
            self.window.statusBar().showMessage("Stopping the homography estimate…")

    def start(self) -> bool:
        scene, inputs = self.window.scene, self.window.inputs
        if scene is None or self.worker is not None or not inputs.trajectories:
            return False

        def job(cancel):  # the estimate, and the frame that shows its points (read here, not on the GUI thread)
            from humanseg_core.inputs.calibrate import WeakCalibration, calibrate_job, preview
            from humanseg_core.inputs.scene import load_scene_of

            own = load_scene_of(dataclasses.replace(inputs, homography=None))
            try:
                found = yield from calibrate_job(own, cancel=cancel)
                return found, preview(own, found), 0.0
            except WeakCalibration as exc:  # shown with its points: the analyst may keep it anyway (a walk's
                if exc.found is None:  # davis_shop matched 27 %, and its weak fit gave 0.67 IoU against 0.16)
                    raise
                return exc.found, preview(own, exc.found), exc.needed
            finally:
                own.close()

        bar = self.window.statusBar()
        self.worker = JobWorker(job, name="Estimate homography", parent=self.window,
                                on_progress=lambda p: bar.showMessage(f"Estimating the homography: {p.message}"),
                                on_finished=lambda done: self._found(*done, inputs),
                                on_failed=lambda msg: self.tell("No homography estimated", msg),
                                on_cancelled=lambda: bar.showMessage("Homography estimate stopped; nothing was saved",
                                                                     8000),
                                on_done=self._ended)
        self.update()
        self.worker.start()
        return True

    def _ended(self) -> None:
        self.worker = None
        bar = self.window.statusBar()
        # not the outcome said just before
        if bar.currentMessage().startswith(("Estimating the homography", "Stopping the homography")):
            bar.clearMessage()
        self.update()

    def _ask_path(self, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.window, "Save the estimated homography", str(suggested),
                                              "Homography (*.txt);;All files (*)")
        return Path(name) if name else None

    def _confirm(self, summary: str, shown=None, weak: float = 0.0) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Homography estimated" if not weak else
                          "A weak homography estimate", summary, parent=self.window)
        if shown is not None:  # (frame, BGR image, its corner): the points where the estimate puts them
            box.setIconPixmap(preview_pixmap(shown[1]))
            box.setInformativeText(f"Frame {shown[0]}: each person's track point where this estimate puts it "
                                   "(orange: never matched anyone moving). Are they on the people?")
        keep = box.addButton("Save and Use Anyway…" if weak else "Save and Use…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(discard if weak else keep)  # a weak fit is kept by choice, not by Enter
        box.exec()
        return box.clickedButton() is keep

    def _found(self, found, shown, weak: float, inputs) -> None:
        """``weak``: for a weak fit, the share of the positions a reliable one matches (0: a reliable fit)."""
        summary = summary_text(found)
        if weak:
            summary = (f"A weak fit: fewer positions matched than a reliable fit matches (at least {weak:.0%} "
                       "needed), so the points may be far off. Look at them on the frame before keeping it; the "
                       f"scene's own homography file is better.\n\n{summary}")
        if not self.confirm(summary, shown, weak):  # a walk saw the estimate used with no word of its fit
            self.window.statusBar().showMessage("Estimated homography discarded; nothing was saved", 8000)
            return
        from humanseg_core.workflows.estimate import free_name

        # beside the trajectories, or in the project that will take it (where Generate keeps its estimate)
        taker = self._taker(inputs)
        path = self.ask_path(free_name(Path(taker.folder) if taker is not None else save_folder(inputs.trajectories)))
        if path is None:
            return
        from humanseg_core.errors import HumansegError
        from humanseg_core.inputs.calibrate import save_homography

        try:
            save_homography(path, found, inputs.video)
        except HumansegError as exc:  # a write error is told, not raised on the GUI thread
            self.tell("Cannot save the homography", str(exc))
            return
        self.use(inputs, path, f"Homography estimated ({found.pairs} of {found.positions} positions matched, "
                               f"the track points on the {found.anchor}) and saved to {path.name}")

    def use(self, inputs, path: Path, said: str, replacing: Path | None = None) -> None:
        """Open the scene with the homography file ``path``, and give it to the open project made from these
        files without one, or with ``replacing`` (else the project would close: "the same video and trajectories
        read another way")."""
        from humanseg_core.errors import HumansegError

        taker = self._taker(inputs, replacing=replacing is not None)
        if taker is not None:  # a walk's Save and Use closed it: "the same video and trajectories read another way"
            try:
                taker.use_homography(str(path))
            except HumansegError as exc:  # the project's store: said, and the scene opened with it alone
                self.tell("The project keeps its inputs", f"{exc}\n\nThe scene opens with {path.name}; the "
                          "project, made without it, closes (Project ▸ Open Project reopens it).")
                taker = None
        self.window.open_inputs(dataclasses.replace(inputs, homography=str(path), h_order="uv",
                                                    h_direction="pixel-to-world") if taker is None
                                else dataclasses.replace(taker.inputs))
        made = sum(taker.counts().values()) if taker is not None else 0
        self.window.statusBar().showMessage(
            f"{said}; the scene uses it now" + ("" if taker is None else ", and the project too" + (
                f" (its proposals were placed {'with the other' if replacing else 'without it'}: generate them again)"
                if made else "")), 15000)
        if made:  # more than a status line that scrolls away (a walk read it cut in the middle)
            how = f"with {replacing.name}" if replacing is not None else \
                "without it (their points came from the trajectories' extent)"
            self.tell("Generate the proposals again", f"The project uses {path.name} from now on. Its {made} "
                      f"proposals were placed {how}: generate them again with Project ▸ Generate Proposals (Ctrl+G)")

    def use_file(self) -> bool:
        """File ▸ Use a Homography File…: the scene's own homography given to a scene (and its project) opened
        without one (a walk reopened the files with it, and the project closed)."""
        scene, inputs = self.window.scene, self.window.inputs
        if scene is None or not inputs.trajectories:
            return False
        path = self.ask_open(Path(inputs.trajectories).parent)
        if path is None:
            return False
        old = None if scene.homography.approximate else Path(str(inputs.homography or ""))
        from humanseg_core.errors import HumansegError
        from humanseg_core.inputs.homography import load_homography

        try:
            load_homography(path)  # a bad file is said here, before anything changes
        except HumansegError as exc:
            self.tell("Not a homography file", str(exc))
            return False
        if old is not None:
            taker = self._taker(inputs, replacing=True)
            placed = sum(taker.counts().values()) if taker is not None else 0
            if not self.confirm_replace(old.name, path.name, placed):
                return False
        self.use(inputs, path, f"Homography {path.name} given", replacing=old)
        return True

    def _confirm_replace(self, old: str, new: str, placed: int) -> bool:
        text = (f"The scene reads its positions with {old}. Use {new} in its place?" + (
            f"\n\nThe open project uses it too. Its decisions (accepted, rejected and fixed masks) and results are "
            f"kept; its {placed} proposals were placed with {old}: generate them again, and the pending ones are "
            "placed anew." if placed else ""))
        return QMessageBox.question(self.window, "Use another homography", text) == QMessageBox.StandardButton.Yes

    def _ask_open(self, folder: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.window, "The scene's homography (pixel -> world, u v order)",
                                              str(folder), "Homography (*.txt);;All files (*)")
        return Path(name) if name else None

    def _taker(self, inputs, replacing: bool = False):
        """The open project made from these files without a homography (it takes the estimate), or with the one
        being replaced (``replacing``), or None."""
        from .review.same_inputs import same_files

        review = getattr(self.window, "review", None)
        project = getattr(review, "project", None)
        if project is None or getattr(review, "read_only", False) or (project.inputs.homography and not replacing) \
                or not same_files(inputs, project.inputs):
            return None
        return project


def preview_pixmap(image, width: int = 600) -> QPixmap:
    """A BGR image as a pixmap ``width`` wide (the estimate's points drawn on a part of the frame)."""
    import numpy as np

    rgb = np.ascontiguousarray(image[:, :, ::-1])
    h, w = rgb.shape[:2]
    qimage = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # owns its pixels
    return QPixmap.fromImage(qimage).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)


def summary_text(found) -> str:
    """What the analyst reads before keeping an estimate: how many positions matched, how closely, where on
    the body, and what to check."""
    from humanseg_core.inputs.calibrate import unmatched_text

    share = found.pairs / max(found.positions, 1)
    text = (f"{found.pairs} of {found.positions} annotated positions ({share:.0%}) matched people moving in the "
            f"video, a median {found.residual_px:.1f} px from them, with the track points taken as the "
            f"{found.anchor}.")
    unmatched = unmatched_text(found)
    if unmatched:
        text += f"\n\n{unmatched[0].upper()}{unmatched[1:]}."
    if found.anchor != "feet":
        text += (f"\n\nThe matrix maps the {found.anchor}s' pixels: the points will sit on the {found.anchor}s, "
                 "and world positions computed from it are not the ground plane's.")
    return text + ("\n\nIt is an estimate: once it is used, check on a few frames that the track points sit on "
                   "the people. Save it and open the scene with it?")


def install_calibrate(window) -> CalibrateAction:
    window.calibrate = CalibrateAction(window)
    return window.calibrate
