"""The open project's problems for the user: rows skipped as damaged, debris removed, checkpoints adopted.

The core records them in ``Project.warnings`` (each names the project file and the row) and logs them; the
studio shows them here instead of only in the log. :class:`ProblemsBanner` is a non-modal strip above the
video ("2 problems in project P: damaged rows were skipped, nothing was deleted · Details… · Hide");
*Details…* opens :class:`ProblemsDialog`, a non-modal list of every warning, which can be copied. Warnings
found later (a mask decoded by a background job that turns out damaged) are picked up by a cheap poll of
the list's length; nothing here reads the project's data.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..plurals import plural

POLL_MS = 1000  # how often the banner looks for warnings found after the project opened
STYLE = ("#problemsBanner { background:#ffb74d; } #problemsBanner QLabel { color:#1c1c1c; font-weight:600; "
         "background: transparent; }")  # (the theme gives every widget, labels too, its dark ground)


class ProblemsDialog(QDialog):
    """A non-modal list of a project's warnings, one row each, with Copy and Close."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Project problems")
        self.setModal(False)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)

    def set_warnings(self, folder: str, warnings: list[str]) -> None:
        self.intro.setText(f"Project {folder}: {plural(len(warnings), 'problem')}. Damaged rows are skipped "
                           "(left in the database, never deleted); the rest of the project works as usual.")
        self.list.clear()
        self.list.addItems(list(warnings))

    def warnings(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.warnings()))


class ProblemsBanner(QWidget):
    """One line above the video while the open project has warnings; hidden when it has none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.project = None
        self._shown = 0  # warnings shown so far (the poll compares the list's length with it)
        self._dismissed = 0  # "Hide" hides the banner until a new warning comes
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.details = QPushButton("Details…")
        self.details.clicked.connect(self.show_details)
        self.hide_btn = QPushButton("Hide")
        self.hide_btn.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 6, 4)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.details)
        lay.addWidget(self.hide_btn)
        self.dialog: ProblemsDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.update_from_project)
        self.setVisible(False)

    def set_project(self, project) -> None:
        """Follow ``project`` (None: nothing to show)."""
        self.project = project
        self._shown = self._dismissed = 0
        if project is None:
            self._timer.stop()
        else:
            self._timer.start()
        self.update_from_project()

    def warnings(self) -> list[str]:
        return list(getattr(self.project, "warnings", None) or [])

    def update_from_project(self) -> None:
        warnings = self.warnings()
        if self.project is not None and len(warnings) == self._shown and self.isVisible() == self._wanted(warnings):
            return
        self._shown = len(warnings)
        if warnings:
            kinds = "damaged rows were skipped" if any(" is damaged" in w for w in warnings) else "see the details"
            self.text.setText(f"⚠  {plural(len(warnings), 'problem')} in project {self.project.folder}: {kinds}; "
                              "nothing was deleted")
        self.setVisible(self._wanted(warnings))
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.set_warnings(str(self.project.folder) if self.project is not None else "", warnings)

    def _wanted(self, warnings: list[str]) -> bool:
        return self.project is not None and len(warnings) > self._dismissed

    def dismiss(self) -> None:
        self._dismissed = len(self.warnings())
        self.setVisible(False)

    def show_details(self) -> ProblemsDialog:
        if self.dialog is None:
            self.dialog = ProblemsDialog(self.window())
        folder = str(self.project.folder) if self.project is not None else ""
        self.dialog.set_warnings(folder, self.warnings())
        self.dialog.show()  # non-modal: the studio stays usable
        self.dialog.raise_()
        return self.dialog
