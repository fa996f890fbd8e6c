"""Export masks: format (DAVIS, palette, COCO, MOTS), persons, mask source, target folder.

Runs ``humanseg_core.export.export_job`` in an ``app.worker.JobWorker`` with a progress bar and Cancel.
A target folder that exists and is not empty is replaced only after the analyst says so (``force``);
the export itself is atomic, so a cancelled or failed export leaves the old folder as it was. The folder
proposed is ``<project>/exports/pid<K>_<source>_<format>`` and follows the choices until the analyst types
or browses another one.

Results (sources *results* and *any*) are each person's newest run with results unless another run is
picked in the *Run* box (one person selected: that person's runs, named as in Play; see
``app.segmentation.run_picker``); the persons list says "(run #N)" of a person whose run was picked, and the
folder proposed ends ``_run<N>``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.job_dialog import JobDialog
from app.job_footer import JobFooter
from app.mnemonics import add_mnemonics
from app.plurals import persons_text, plural
from app.review.export_summary import summary_note
from app.segmentation.run_picker import RunPicker

from .export_choices import (
    FORMAT_KEY,
    default_source,
    persons_key,
    read_only_key,
    remembered,
    remembered_mots_first,
    scene_run_persons,
    source_count_text,
    source_counts,
    target_is_occupied,
)

FORMAT_LABELS = {
    "davis": "DAVIS (JPEGImages + Annotations per person)",
    "palette": "Indexed palette PNGs (all persons in one image)",
    "coco": "COCO instance JSON (RLE)",
    "mots": "MOTS txt (RLE)",
}
SOURCE_LABELS = {
    "accepted": "Accepted and edited proposals",
    "results": "Segmentation results",
    "any": "Accepted, else segmentation results",
}


class ExportDialog(JobDialog):
    """Choose what to export and where; ``exported(summary)`` after a successful export."""

    exported = Signal(object)
    FAILURE_TITLE = "Export failed"

    def __init__(self, project, selected_pid: int | None = None, parent: QWidget | None = None,
                 export_job=None, runs: dict[int, int] | None = None, settings=None, read_only: bool = False):
        """``runs``: {pid: run} whose results to start with (e.g. the runs picked in Play), else the newest.
        ``settings`` (QSettings): where the last export's format and persons are kept, to start with them.
        ``read_only``: another window holds the project: exports are not kept in it, the dialog starts from this
        studio's own last export."""
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Export masks")
        self.project = project
        if export_job is None:
            from humanseg_core.workflows.export_depth import export_job
        self._export_job = export_job
        self.summary = None
        self.read_only = read_only  # another window holds the project: the export is not kept in it (last_export)
        self._runs = {int(p): int(r) for p, r in (runs or {}).items()  # picked runs (not the newest) with results
                      if int(r) in project.result_counts(int(p))}
        self._build(selected_pid)

    def _build(self, selected_pid) -> None:
        from humanseg_core.export import FORMATS, SOURCES

        last_format, last_pids = remembered(self._settings, self.project, selected_pid, settings_first=self.read_only)
        last_pids = last_pids or scene_run_persons(self.project, selected_pid)  # a Whole scene run's persons
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.format_box = QComboBox()
        for fmt in FORMATS:
            self.format_box.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        if last_format in FORMATS:
            self.format_box.setCurrentIndex(self.format_box.findData(last_format))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format_box)
        self.source_box = QComboBox()
        for src in SOURCES:
            self.source_box.addItem(SOURCE_LABELS.get(src, src), src)
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(
            default_source(self.project, selected_pid, last_pids))))
        self._source_picked = False  # the analyst chose the Masks row: it no longer follows the persons chosen
        self._following = False
        self.source_box.currentIndexChanged.connect(self._source_changed)
        form.addRow("Masks", self.source_box)
        self.person_list = QListWidget()
        self.person_list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        pids = self.project.pids()
        counts = source_counts(self.project, pids, self.source_box.currentData(), self._runs)  # (all at once)
        for pid in pids:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, int(pid))
            self.person_list.addItem(item)
            text, n = counts[int(pid)]
            item.setText(text)
            item.setSelected(int(pid) in last_pids if last_pids else
                             pid == selected_pid if selected_pid is not None else n > 0)
        self.person_list.itemSelectionChanged.connect(self._persons_changed)
        # at least 6 rows (or every person): a wrapped status line grows the dialog, never squeezes the list; at
        # most 12 in sight (8 of 11 showed at 140 px, a walk), measured in the style sheet's font
        self.person_list.ensurePolished()
        row, frame = max(self.person_list.sizeHintForRow(0), 1), 2 * self.person_list.frameWidth()
        self.person_list.setMinimumHeight(min(self.person_list.count(), 6) * row + frame)
        self.person_list.setMaximumHeight(max(min(self.person_list.count(), 12), 6) * row + frame)
        form.addRow("Persons", self.person_list)
        everyone = len(self.project.pids())  # (a walk delivering everyone started
        self.all_btn = QPushButton(f"All {everyone} persons" if everyone > 1 else "The one person" if everyone
                                   else "No persons yet")  # (a review read "All 0 persons")
        self.all_btn.setEnabled(everyone > 0)
        self.all_btn.clicked.connect(self.person_list.selectAll)  # from the last export's 4 of 26, no "all" in sight)
        form.addRow("", self.all_btn)
        self.run_box = RunPicker()
        # the dialog widens to the longest run label (Play's narrow dock elides it; here it was cut at Format's width)
        self.run_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.run_box.run_picked.connect(self._run_picked)
        form.addRow("Run", self.run_box)
        # a newest run cut short (a cancelled Whole scene): its fuller earlier run, for every person selected (a
        # walk exported 15 frames of two persons' 195 and was told after the export to pick a run it could not)
        self.fuller_check = QCheckBox()
        self.fuller_check.setChecked(True)
        self.fuller_check.toggled.connect(lambda _on: (self._recount(), self._suggest_out()))
        form.addRow("", self.fuller_check)
        self._form = form
        # shown for every format, on for COCO only: hidden, its row made the fields below move (a walk)
        self.images_check = QCheckBox("Also write the frames (JPEG; COCO only)")
        form.addRow("", self.images_check)
        # MOTS time_frame: the video's frame index, or counted from 0 (KITTI MOTS) / 1 (MOTSChallenge)
        self.mots_frames = QComboBox()
        for text, first in (("Video frame index", None), ("From 0 (KITTI MOTS)", 0), ("From 1 (MOTSChallenge)", 1)):
            self.mots_frames.addItem(text, first)
        first = remembered_mots_first(self.project, self._settings, self.read_only)
        self.mots_frames.setCurrentIndex(max(0, self.mots_frames.findData(first)))
        self.mots_frames.setEnabled(self.format_box.currentData() == "mots")
        self.mots_frames.currentIndexChanged.connect(lambda *_a: self._forget_last_export())
        form.addRow("MOTS frames", self.mots_frames)
        out_row = QHBoxLayout()
        self.out_edit = QLineEdit()
        self._auto_out = True  # the folder follows the persons, source and format until the analyst picks one
        self.out_edit.textEdited.connect(self._out_edited)
        # the whole path on hover: the field shows its end (a walk read "mp/walk1/P1/exports/…")
        self.out_edit.textChanged.connect(self.out_edit.setToolTip)
        # wide enough to read a folder under Documents whole (a walk's 461 px dialog hid the path's start), within
        # the screen
        screen = self.screen() if hasattr(self, "screen") else None
        room = screen.availableGeometry().width() if screen is not None else 1280
        self.out_edit.setMinimumWidth(min(900, int(0.45 * room)))  # (520 px cut a longer one on a 2560 screen)
        browse = QPushButton("…")
        browse.clicked.connect(self._choose_out)
        # Enter is the default button's, wherever the focus stands (a re-walk: the persons list disabled while it
        # exported handed the focus to "…", and Enter after the export opened the folder chooser)
        for b in (browse, self.all_btn):
            b.setAutoDefault(False)
        self.browse_btn = browse
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        form.addRow("Folder", out_row)
        lay.addLayout(form)
        # room the progress and the last export's line leave when they go (a new format chosen) stays below the
        # form: its rows had spread out by 40 px, and a walk's next click landed on a blank row
        lay.addStretch(1)
        self.footer = JobFooter()  # the dialog's own button cancels (it closes the dialog when idle)
        self.footer.cancel_btn.hide()
        self.footer.format_progress = lambda p: "%p%"
        self.progress, self.progress_label = self.footer.progress, self.footer.status
        self.progress.setVisible(False)
        lay.addWidget(self.footer)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.run_button = QPushButton("Export")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._cancel_or_close)
        self.open_button = QPushButton("Open Folder")  # after an export: where it went, one click away
        self.open_button.setToolTip("Show the exported folder in the file manager")
        self.open_button.clicked.connect(self.open_folder)
        self.open_button.setVisible(False)
        for b in (self.open_button, self.run_button, self.close_button):  # the default is set, never taken by the
            b.setAutoDefault(False)  # focus (a focused Close handed it back to Export as the focus left it)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.close_button)
        lay.addLayout(buttons)
        self._format_changed()
        self._update_run_box()
        self._recount()  # the persons' counts with the runs chosen (a fuller earlier run) now the form is whole
        add_mnemonics(self)  # Alt+letter to each field
        # the persons chosen in sight and the list focused, so Ctrl+A chooses every person (a walk's one chosen
        # person sat below eight unchosen rows, and Ctrl+A did nothing until a row was clicked)
        chosen = self.person_list.selectedItems()
        if chosen:
            self.person_list.scrollToItem(chosen[0])
        self.person_list.setFocus()

    def count_text(self, pid: int, runs: dict[int, int] | None = None) -> tuple[str, int]:
        """(what the persons list says of ``pid`` for the chosen mask source, how many frames it exports);
        ``runs``: :meth:`chosen_runs` when the caller has it (once for every person)."""
        source = self.source_box.currentData()
        if runs is None:
            runs = self.chosen_runs() if hasattr(self, "fuller_check") else self._runs
        run = runs.get(int(pid)) if source != "accepted" else None
        return source_count_text(self.project, pid, source, run)

    def _set_count(self, item: QListWidgetItem, runs: dict[int, int] | None = None) -> int:
        text, n = self.count_text(int(item.data(Qt.ItemDataRole.UserRole)), runs)
        item.setText(text)
        return n

    def _recount(self) -> None:
        if hasattr(self, "run_button"):  # how many the click exports, on it (a walk's Export would have written one
            n = len(self.pids())  # person of five: the dialog had opened on the one selected)
            self.run_button.setText(f"Export {n} person{'s' if n != 1 else ''}" if n else "Export")
        runs = self.chosen_runs()  # once: it reads every selected person's runs
        items = [self.person_list.item(i) for i in range(self.person_list.count())]
        source = self.source_box.currentData()
        counts = source_counts(self.project, [int(it.data(Qt.ItemDataRole.UserRole)) for it in items], source,
                               runs if source != "accepted" else {})
        for item in items:
            item.setText(counts[int(item.data(Qt.ItemDataRole.UserRole))][0])
        # the list as wide as its longest line (up to 720 px): a walk's lines hid behind a horizontal scrollbar
        self.person_list.ensurePolished()  # the style sheet's font (10 pt), not the default's: measured as drawn
        fm = self.person_list.fontMetrics()
        longest = max((fm.horizontalAdvance(self.person_list.item(i).text())
                       for i in range(self.person_list.count())), default=0)
        self.person_list.setMinimumWidth(min(720, longest + 40))

    def _source_changed(self, *_a) -> None:
        self._source_picked = self._source_picked or not self._following
        self._recount()
        self._update_run_box()
        self._suggest_out()

    def _persons_changed(self) -> None:
        said = ""
        if not self._source_picked and self.pids():  # the default follows the persons chosen (a walk added a person
            want = default_source(self.project, None, self.pids())  # with a hand fix: the export left it out)
            if want != self.source_box.currentData():
                self._following = True
                try:
                    self.source_box.setCurrentIndex(self.source_box.findData(want))
                finally:
                    self._following = False
                from humanseg_core.export.source_choice import default_source_text

                # said: a walk's "All 5 persons" switched Masks and greyed out Run without a word
                said = "Masks follow the persons chosen: " + default_source_text(want, self.project, self.pids())
        self._update_run_box()
        self._recount()
        self._suggest_out()
        if said or self.progress_label.text().startswith("Masks follow"):  # said last (a review: cleared after an
            self.progress_label.setText(said)  # export), and not left once stale
            self.fit_height()  # grown to it: the persons' list had been squeezed to 2.5 rows (a walk)

    def _update_run_box(self) -> None:
        """The Run row (results only) lists the runs of the one person selected."""
        from humanseg_core.export.runs import result_run_choices

        self._form.setRowVisible(self.run_box, self.source_box.currentData() != "accepted")
        self._forget_last_export()
        pids = self.pids()
        self._update_fuller()
        if len(pids) != 1:
            self.run_box.set_choices([], None, empty="select one person to pick the run of their results")
            return
        self.run_box.set_choices(result_run_choices(self.project, pids[0]), self._runs.get(pids[0]))

    def _fuller_runs(self) -> dict[int, dict]:
        """{pid: fuller_older_runs entry} of the selected persons whose newest run holds fewer frames than an
        earlier one (and whose run was not picked)."""
        from humanseg_core.export.runs import fuller_older_runs

        if self.source_box.currentData() == "accepted":
            return {}
        newest = self.project.result_runs()
        return fuller_older_runs(self.project, {p: newest[p] for p in self.pids() if p in newest}, self._runs)

    def _update_fuller(self) -> None:
        fuller = self._fuller_runs()
        self._form.setRowVisible(self.fuller_check, bool(fuller))
        said = "; ".join(f"person {p}: run {e['fuller_run']}, {e['fuller_frames']} frames, not run {e['run']}'s "
                         f"{e['frames']}" for p, e in sorted(fuller.items())[:2])
        if len(fuller) > 2:  # the dialog widens to the check box's text: a crowd's list would not fit
            said += f"; and {plural(len(fuller) - 2, 'more person')}"
        self.fuller_check.setToolTip("\n".join(f"person {p}: run {e['fuller_run']} ({e['fuller_frames']} frames) "
                                               f"instead of run {e['run']} ({e['frames']})"
                                               for p, e in sorted(fuller.items())))
        self.fuller_check.setText(f"&Where the newest run was cut short, the fuller earlier run ({said})")  # its letter

    def _forget_last_export(self) -> None:
        """Another choice after an export: its 100 % and message no longer describe what Export would do."""
        if hasattr(self, "footer") and not self.running and self.summary is not None:
            self.progress.setVisible(False)
            self.progress_label.setText("")
            self.open_button.setVisible(False)
            self.run_button.setDefault(True)  # Enter exports what is chosen now

    def _run_picked(self, run_id: int) -> None:
        pids = self.pids()
        if len(pids) != 1:
            return
        if self.run_box.is_newest():
            self._runs.pop(pids[0], None)
        else:
            self._runs[pids[0]] = int(run_id)
        for i in range(self.person_list.count()):
            item = self.person_list.item(i)
            if int(item.data(Qt.ItemDataRole.UserRole)) == pids[0]:
                self._set_count(item)
        self._suggest_out()

    def chosen_runs(self) -> dict[int, int]:
        """{pid: run} of the selected persons whose results come from a picked run (not their newest)."""
        if self.source_box.currentData() == "accepted":
            return {}
        fuller = {p: int(e["fuller_run"]) for p, e in self._fuller_runs().items()} \
            if self.fuller_check.isChecked() else {}
        return {**fuller, **{pid: self._runs[pid] for pid in self.pids() if pid in self._runs}}

    def _format_changed(self, *_a) -> None:
        self._forget_last_export()
        fmt = self.format_box.currentData()
        self.images_check.setEnabled(fmt == "coco" and not (hasattr(self, "footer") and self.running))
        self.mots_frames.setEnabled(fmt == "mots" and not (hasattr(self, "footer") and self.running))
        self._suggest_out()

    def suggested_out(self) -> Path:
        """``<project>/exports/pid<K>_<source>_<format>`` for the current choices (nothing is created)."""
        from humanseg_core.export.names import exports_folder, masks_name

        name = masks_name(self.pids(), self.format_box.currentData(), self.source_box.currentData())
        runs = self.chosen_runs()
        if runs:  # another run's results: its own folder, not the newest run's export replaced
            name += "_run" + "-".join(str(runs[p]) for p in sorted(runs))
        if getattr(self.project, "read_only", False):  # its folder cannot be written to: beside the user's (a review)
            return Path.home() / "HumanSeg exports" / Path(self.project.folder).name / name
        # absolute: a relative one is read as a name inside exports/ (a walk's project opened as "proj" exported to
        # proj/exports/proj/exports/…)
        return exports_folder(Path(self.project.folder).absolute(), create=False) / name

    def _suggest_out(self, *_a) -> None:
        if getattr(self, "_auto_out", False) and hasattr(self, "out_edit"):
            self.out_edit.setText(str(self.suggested_out()))

    def _out_edited(self, _text: str) -> None:
        self._auto_out = False

    def _choose_out(self) -> None:
        from humanseg_core.export.names import exports_folder

        try:  # made on demand, so the folder dialog can start there (a read-only project's cannot be)
            exports_folder(self.project.folder)
        except OSError:
            pass
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", str(Path(self.out_edit.text()).parent))
        if folder:
            self._auto_out = False
            self.out_edit.setText(folder)

    def pids(self) -> list[int]:
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.person_list.selectedItems()]

    def confirm_overwrite(self, out: str) -> bool:
        """Ask before replacing a non-empty folder (tests replace this)."""
        answer = QMessageBox.question(
            self, "Replace the folder?", f"{out} already exists and is not empty.\n\nReplace its contents "
            "with this export? (The old folder is kept until the new export is complete.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def start(self) -> None:
        from humanseg_core.export.names import resolve_out

        pids = self.pids()
        out = self.out_edit.text().strip()
        if not pids or not out:
            QMessageBox.information(self, "Export masks", "Choose at least one person and a folder.")
            return
        out = str(resolve_out(out, self.project.folder))  # '~' expanded; a relative name inside exports/
        if Path(out).expanduser().exists() and not Path(out).expanduser().is_dir():  # never "replace the folder?"
            self._failed(f"{out}: exists and is not a folder; choose another export folder")  # (a re-walk: the
            # status line still read the earlier attempt's "Cancelled")
            return
        force = False
        if target_is_occupied(out):
            from humanseg_core.export import ExportError
            from humanseg_core.export.atomic import check_target

            try:  # what may never be replaced is refused before the question, not after a Yes
                check_target(out, True, protect=[self.project.folder])
            except ExportError as exc:
                self._failed(str(exc))
                return
            if not self.confirm_overwrite(out):
                return
            force = True
        fmt, source = self.format_box.currentData(), self.source_box.currentData()
        with_images = fmt == "coco" and self.images_check.isChecked()
        project, job = self.project, self._export_job
        picked: dict = {"runs": self.chosen_runs()} if self.chosen_runs() else {}  # only when a run was picked
        if self.read_only:
            picked["remember"] = False
        if fmt == "mots" and self.mots_frames.currentData() is not None:
            picked["first_frame"] = int(self.mots_frames.currentData())
        self._set_running(True)
        self.footer.start(
            lambda cancel: job(project, pids, fmt, out, force=force, source=source,
                               with_images=with_images, cancel=cancel, **picked), "Export", ask_before_quit=True,
            status=f"Exporting {persons_text(pids)} as {fmt}…",
            on_progress=self._progress, on_finished=self._finished, on_failed=self._failed,
            on_cancelled=lambda: self.progress_label.setText("Cancelled: nothing was written."),
            on_done=lambda: self._set_running(False))

    def _set_running(self, on: bool) -> None:
        for w in (self.run_button, self.format_box, self.source_box, self.person_list, self.all_btn, self.out_edit,
                  self.images_check, self.fuller_check):
            w.setEnabled(not on)
        self.run_box.setEnabled(not on and bool(self.run_box.choices()))
        self.images_check.setEnabled(not on and self.format_box.currentData() == "coco")
        self.mots_frames.setEnabled(not on and self.format_box.currentData() == "mots")
        self.close_button.setText("Cancel" if on else "Close")
        self.progress.setVisible(True)

    def _progress(self, p) -> None:  # the footer has moved the bar
        self.progress_label.setText(p.message)

    def _finished(self, summary) -> None:
        self.summary = summary
        if self._settings is not None:  # the next opening starts with this export's format and persons
            self._settings.setValue(read_only_key(self.project, "format") if self.read_only else FORMAT_KEY,
                                    self.format_box.currentData())
            self._settings.setValue(persons_key(self.project), ",".join(str(p) for p in self.pids()))
            if self.format_box.currentData() == "mots" and self.read_only:  # (a writable one: the project keeps it)
                first = self.mots_frames.currentData()
                self._settings.setValue(read_only_key(self.project, "mots_first_frame"), -1 if first is None else
                                        int(first))
        self.footer.idle("%p%", full=True)
        note = summary_note(summary)
        masks = summary.get("masks")
        count = plural(masks, "mask") if isinstance(masks, int) else "the masks"
        self.progress_label.setText(f"Exported {count} of {persons_text(summary.get('persons') or [])} to "
                                    f"{summary.get('out')}.{note}")
        self.open_button.setVisible(bool(summary.get("out")))
        self.close_button.setDefault(True)  # Enter after an export closes (it exported the same again: a walk)
        self.close_button.setFocus()  # and Space too (the focus had gone to "…" while the list was off: a re-walk)
        self.fit_height()
        self.exported.emit(summary)

    def open_folder(self) -> bool:
        """The last export's folder in the desktop's file manager (False where none answers)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        out = (self.summary or {}).get("out")
        opened = bool(out) and QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
        if out and not opened:  # said, with the path to copy (a walk's machine had no file manager: nothing said),
            said = f"No file manager answered; the export is in {out}"  # under the export's notes (a review)
            if said not in self.progress_label.text():
                self.progress_label.setText("<br>".join(t for t in (self.progress_label.text(), said) if t))
            self.progress_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return opened
