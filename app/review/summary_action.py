"""Project ▸ Project Summary…: where the open project stands, as `humanseg status` says it (its inputs, its parent
network, each person's proposals, labels, networks and results, and the next steps). Counts only, read at once."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog

from ..text_dialog import text_dialog
from .project_dialogs import show_error

TITLE = "Project Summary"


def summary_dialog(ctrl) -> QDialog | None:
    """The summary of ``ctrl``'s project in a dialog (not shown), or None (no project: said)."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.workflows.project_status import project_status, summary_lines

    if ctrl.project is None:
        show_error(ctrl.window, TITLE, "Open a project first (Project menu).")
        return None
    try:
        lines = summary_lines(project_status(ctrl.project), studio=True)  # (a walk was told to run `decide`)
    except HumansegError as exc:  # a damaged store: said, as the other project dialogs say it
        show_error(ctrl.window, TITLE, str(exc))
        return None
    nexts = [line for line in lines if line.startswith("next: ")]  # in sight first, above a crowd's long table
    rows = [line for line in lines if not line.startswith("next: ")]
    at = next((i for i, line in enumerate(rows) if line.startswith("  ") and line.split()[:1] == ["pid"]), len(rows))
    text = escape("\n".join(rows[:at] + nexts + rows[at:]))
    dialog = text_dialog(ctrl.window, TITLE, f'<pre style="white-space: pre-wrap">{text}</pre>')
    dialog.setObjectName("project_summary")
    return dialog


def show_summary(ctrl) -> None:
    dialog = summary_dialog(ctrl)
    if dialog is not None:
        dialog.exec()
