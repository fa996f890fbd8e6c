"""MP4 export: write the video with a person's masks overlaid (the core's ``export.mp4`` job, run in a
JobWorker so the GUI keeps going), with the same look as the playback panel. The video is H.264 (PyAV);
when that encoder is missing the core falls back to OpenCV's mp4v and the status line says so.

Collaborator: ``inputs(source) -> (frame_reader, masks, frames, fps) | None`` where ``source`` is
"results" or "accepted", ``frame_reader`` has ``read(index)``, ``masks`` is {frame: mask} and ``frames`` the
frames to write (None: the frames with masks). The installer builds it from the project and the scene.
Optional ``suggest(source) -> Path | None``: the file the save dialog proposes (the installer's is
``<project>/exports/pid<K>_<source>_overlay.mp4``, its folder made on demand); None: the home folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.job_footer import ERROR_STYLE, WARN_STYLE, JobFooter
from app.plurals import plural
from app.worker import failure_text
from humanseg_core.export.mp4 import export_overlay_video, unreadable_note

InputsFn = Callable[[str], "tuple[Any, dict, list | None, float] | None"]
ALL_RESULTS = "results_all"  # the source value of every person's results (the installer's inputs build them)
SuggestFn = Callable[[str], "Path | None"]


class Mp4ExportPanel(QWidget):
    exported = Signal(str)

    def __init__(self, inputs: InputsFn | None = None, parent=None, suggest: SuggestFn | None = None):
        super().__init__(parent)
        self._inputs = inputs
        self._suggest = suggest
        self._color = QColor(255, 190, 0)
        self._run: int | None = None  # the run whose results are exported (Play's)
        self._exporting = ""  # " of run #N's results" while that export runs

        self.source = QComboBox()
        self.source.addItem("Results (segmentation)", "results")
        self.source.addItem("Accepted masks", "accepted")
        # every person's results, each in its colour and labelled (a walk wanted the Scene view as a video)
        self.source.addItem("Every person's results", ALL_RESULTS)
        self.source.currentIndexChanged.connect(lambda _i: (self._name_who(), self._update_buttons()))
        self.span = QComboBox()
        self.span.addItem("frames with masks only", "masked")
        self.span.addItem("every frame of the masks' span", "span")
        self.opacity = QSpinBox()
        self.opacity.setRange(0, 100)
        self.opacity.setValue(45)
        self.opacity.setSuffix(" %")
        self.outline = QCheckBox("outline")
        self.outline.setChecked(True)
        self.sbs = QCheckBox("side by side (frame | frame + mask)")
        # the video's own rate by default; a frames folder has none (25 then): ETH's is about 15 (a walk)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0, 240)
        self.fps.setDecimals(2)
        self.fps.setSpecialValueText("the video's")
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("Frames a second of the MP4: the video's own rate (25 for a folder of frames) unless set")
        look = QHBoxLayout()
        look.addWidget(self.opacity)
        look.addWidget(self.outline)
        look.addStretch(1)
        self.person_label = QLabel()  # whose video "Export MP4…" writes, as the Train and Segment tabs say
        self.person_label.setStyleSheet("font-weight: bold;")
        self.person_label.setWordWrap(True)  # never widen the dock
        self.set_person(None)
        form = QFormLayout()
        form.addRow(self.person_label)
        form.addRow("Masks", self.source)
        form.addRow("Frames", self.span)
        form.addRow("Overlay", look)
        form.addRow("", self.sbs)
        form.addRow("Frame rate", self.fps)
        self.export_btn = QPushButton("Export MP4…")
        self.export_btn.clicked.connect(self._choose_and_export)
        self.footer = JobFooter(unit="frames")
        self.progress, self.cancel_btn, self.status = self.footer.progress, self.footer.cancel_btn, self.footer.status
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.export_btn)
        lay.addWidget(self.footer)
        lay.addStretch(1)
        self._update_buttons()

    def set_inputs(self, inputs: InputsFn | None) -> None:
        self._inputs = inputs
        self._update_buttons()

    def set_person(self, pid: int | None, results: int = 0, accepted: int = 0, run: int | None = None) -> None:
        """Name the selected person, how many frames each mask source has and the run whose results are
        exported (the run Play shows)."""
        self._run = run if results else None
        self._person = (pid, results, accepted, run)
        self._name_who()
        if hasattr(self, "export_btn"):
            self._update_buttons()

    def _name_who(self) -> None:
        pid, results, accepted, run = getattr(self, "_person", (None, 0, 0, None))
        if self.source.currentData() == ALL_RESULTS:
            self.person_label.setText("Every person with results (the run Play shows for each), each in its colour")
        elif pid is None:
            self.person_label.setText("No person selected (Persons tab or a click on the video)")
        else:
            of_run = f" (run #{run}, as Play)" if self._run is not None else ""
            self.person_label.setText(f"Person {pid} · {plural(results, 'result frame')}{of_run} · "
                                      f"{plural(accepted, 'accepted mask')}")

    def set_color(self, color: QColor) -> None:
        self._color = QColor(color)

    def set_opacity(self, percent: int) -> None:
        self.opacity.setValue(int(percent))

    def is_running(self) -> bool:
        return self.footer.is_running()

    def _update_buttons(self) -> None:
        """Export MP4… is off while the chosen masks of the selected person hold no frame (a walk found it on with
        0 result frames); every person's results are counted when asked for (export_to says when none)."""
        pid, results, accepted, _run = getattr(self, "_person", (None, 0, 0, None))
        source = self.source.currentData()
        has = pid is None or source == ALL_RESULTS or bool(results if source == "results" else accepted)
        self.export_btn.setEnabled(self._inputs is not None and not self.is_running() and has)
        self.export_btn.setToolTip("" if has else f"No {self.source.currentText().lower()} for this person yet")

    def suggested_path(self) -> Path:
        """Where the save dialog starts: the installer's suggestion (inside the project), else the home folder."""
        source = self.source.currentData()
        got = self._suggest(source) if self._suggest is not None else None
        if got is not None:
            return Path(got)
        return Path.home() / f"{source}_overlay.mp4"

    def ask_path(self, suggested: Path) -> str:
        """The save dialog (tests replace this); an empty string when the analyst cancels."""
        path, _ = QFileDialog.getSaveFileName(self, "Export overlay video", str(suggested), "MP4 video (*.mp4)")
        return path

    def _choose_and_export(self) -> None:
        path = self.ask_path(self.suggested_path())
        if path:
            if not path.lower().endswith(".mp4"):
                path += ".mp4"  # a name the dialog's own overwrite question never saw: asked here (an audit)
                if Path(path).exists() and not self.confirm_replace(path):
                    return
            self.export_to(path)

    def confirm_replace(self, path: str) -> bool:
        """Whether to replace the existing ``path`` (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, "Export overlay video", f"{path} already exists. Replace it?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def export_to(self, path: str | Path) -> bool:
        """Start writing ``path``; False (with a message) when there is nothing to export."""
        if self.is_running() or self._inputs is None:
            return False
        got = self._inputs(self.source.currentData())
        if got is None or not got[1]:
            who = "anyone" if self.source.currentData() == ALL_RESULTS else "the selected person"
            self.footer.set_status(f"No {self.source.currentText().lower()} to export for {who}.", ERROR_STYLE)
            return False
        reader, masks, frames, fps = got
        if frames is None:
            frames = sorted(masks)
        if self.span.currentData() == "masked":
            frames = [f for f in frames if f in masks]
        else:
            lo, hi = min(masks), max(masks)
            frames = [f for f in frames if lo <= f <= hi]
        self._exporting = f" of run #{self._run}'s results" if self.source.currentData() == "results" and \
            self._run is not None else ""
        if self.source.currentData() == ALL_RESULTS:
            self._exporting = f" of {plural(len(getattr(masks, 'pids', ())), 'person')}' results"
        c = self._color
        opts = dict(fps=self.fps.value() or fps, color=(c.blue(), c.green(), c.red()),
                    opacity=self.opacity.value() / 100, outline=self.outline.isChecked(),
                    side_by_side_view=self.sbs.isChecked())
        self.footer.start(
            lambda cancel: export_overlay_video(reader, masks, path, frames=frames, cancel=cancel, **opts),
            "MP4 export", ask_before_quit=True, status=f"Writing {len(frames)} frames to {path}…",
            on_finished=self._on_finished, on_failed=lambda msg: self.footer.fail(failure_text("MP4 export", msg)),
            on_cancelled=lambda: self.footer.set_status("Export cancelled; the partial file was removed."),
            on_done=self._update_buttons)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        self.footer.cancel()

    def _on_finished(self, written) -> None:
        self.last_written = written
        if written.note:  # not H.264: say why, in the warning colour, with the file that was written
            self.footer.finish(f"Saved {written.path} ({written.frames} frames{self._exporting}). {written.note}")
            self.footer.set_status(self.footer.status.text(), WARN_STYLE)
        else:
            self.footer.finish(f"Saved {written.path} ({written.frames} frames{self._exporting}, H.264)")
        skipped = getattr(written, "skipped", None)
        if skipped:  # frames whose image could not be read: named, never a silent dark frame
            self.footer.set_status(f"{self.footer.status.text()}\nWarning: {unreadable_note(skipped)}", WARN_STYLE)
        self.exported.emit(str(written.path))
