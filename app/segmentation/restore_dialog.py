"""Segmentation ▸ Restore Replaced Masks…: the masks a later segmentation replaced, kept by the project (ADR 0052),
listed newest first; Restore puts the chosen set back as its run's results (the masks it replaces are kept in turn).

The same store calls as ``humanseg replaced``. A restore copies stored masks inside the database (nothing is decoded):
it runs on the GUI thread as a decision does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from humanseg_core.errors import HumansegError

# a reason the set's person cannot be restored now ("" when it can): a job of this window at work on it
BusyFn = Callable[[int], str]


class RestoreDialog(QDialog):
    """The kept sets of replaced masks, and a Restore button; ``on_restored(pid)`` after each restore."""

    def __init__(self, project, pid: int | None, busy: BusyFn, on_restored: Callable[[int], None],
                 read_only: bool = False, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Restore Replaced Masks")
        self.project, self._pid, self._busy, self._on_restored = project, pid, busy, on_restored
        lay = QVBoxLayout(self)
        intro = QLabel("Segmenting a person again with a run that has results replaces them on the frames "
                       "segmented. The project keeps the replaced masks, one set per segmentation. Restoring a set "
                       "puts its masks back; the masks it replaces are kept as a new set.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.sets = QListWidget(self)
        self.sets.setWordWrap(True)  # each set's line whole: what replaced it comes last (no alternating rows: the
        self.sets.setSpacing(2)  # dark style has no colour for them, a walk's screenshot read light grey on white)
        lay.addWidget(self.sets)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.restore_btn = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_btn.clicked.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._read_only = read_only
        self.sets.currentRowChanged.connect(lambda _row: self._update())
        self.fill()
        self.resize(820, 420)

    def fill(self, chosen: int | None = None) -> None:
        """The sets, newest first; set ``chosen`` chosen, else the selected person's newest one (after a restore,
        the set restored: a second click then changes nothing, where the newest, the undo, would undo it)."""
        self.sets.clear()
        kept = list(reversed(self.project.replaced_sets())) if self.project is not None else []
        for one in kept:
            item = QListWidgetItem(one.text())
            item.setToolTip(one.text())  # (a walk's list cut the lines before "by …")
            item.setData(Qt.ItemDataRole.UserRole, one.set_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, one.pid)
            self.sets.addItem(item)
        mine = [i for i, one in enumerate(kept) if one.set_id == chosen] or \
            [i for i, one in enumerate(kept) if one.pid == self._pid]
        if kept:
            self.sets.setCurrentRow(mine[0] if mine else 0)
        else:
            self.status.setText("No replaced masks are kept in this project.")
        self._update()

    def _update(self) -> None:
        item = self.sets.currentItem()
        self.restore_btn.setEnabled(item is not None and not self._read_only)
        if self._read_only:  # why, as the project says it (a review: a read-only folder read as "another window")
            why = getattr(self.project, "read_only_why", "") if getattr(self.project, "read_only", False) else ""
            self.status.setText(f"Read-only: {why or 'another window holds the project. Restore there'}.")

    def restore(self) -> None:
        item = self.sets.currentItem()
        if item is None or self._read_only or self.project is None:
            return
        batch, pid = int(item.data(Qt.ItemDataRole.UserRole)), int(item.data(Qt.ItemDataRole.UserRole + 1))
        from humanseg_core.workflows.at_work import at_work_text

        busy = self._busy(pid) or at_work_text(self.project, [pid], then="")
        if busy:
            self.status.setText(f"{busy}: restore once it has ended. Nothing was changed.")
            return
        try:
            restored, kept, metrics_back = self.project.restore_replaced(batch)
        except HumansegError as exc:
            self.status.setText(f"Not restored: {exc}")
            return
        self.fill(batch)
        used = self.project.used_run(restored.pid)
        self.status.setText(f"Restored {restored.text()}." + (f" What it replaced is kept as set {kept}."
                                                              if kept else " It matched what was stored: nothing "
                                                              "changed.")
                            + (f" Run {restored.run_id} is not the run Play and Export use (run {used}): Play's Run "
                               "box shows it." if used is not None and used != restored.run_id else "")
                            + ("" if metrics_back or not kept else f" Run {restored.run_id} was written to since "
                               "this set was made: its frame counts and agreement are measured again."))
        self._on_restored(restored.pid)
        if not metrics_back and kept:
            self._recount(restored.pid, restored.run_id)

    def _recount(self, pid: int, run_id: int) -> None:
        """The run's counts and agreement measured again off the GUI thread (they decode masks), then shown."""
        from app.worker import JobWorker
        from humanseg_core.workflows.segment_range import recount_job

        project = self.project
        self._recounter = JobWorker(lambda cancel: recount_job(project, pid, run_id, cancel), name="Counting",
                                    parent=self, on_finished=lambda _a: self._on_restored(pid))
        self._recounter.start()
