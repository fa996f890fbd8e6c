"""Project ▸ Parent Network…: which parent network the project uses, and choosing another (ADR 0039).

A parent file trained with ``humanseg parent train`` becomes the project's own: checked and copied into the
project folder on a worker (loading a network never waits on the GUI thread), then used by the project's
proposals, training, per-frame evidence, Whole scene and the editor's first click, as ``humanseg parent use``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..worker import JobWorker
from .project_dialogs import show_error

TITLE = "Parent network"
CHOOSE, SHIPPED = "choose", "shipped"


def parent_network(ctrl, file: str | None = None, shipped: bool = False) -> JobWorker | None:
    """Say which parent network ``ctrl``'s project uses and let the analyst choose another: ``file`` (or, with
    neither argument, what ``ctrl.ask_parent`` answers and a file dialog picks), or the shipped one again
    (``shipped``). Returns the job that checks and records the choice, or None when nothing changes."""
    from humanseg_core.workflows.parent_choice import project_parent

    project = ctrl.project
    if project is None:
        show_error(ctrl.window, TITLE, "Open a project first (Project menu).")
        return None
    chosen = project_parent(project)  # a setting read and a remembered checksum
    if file is None and not shipped:
        answer = ctrl.ask_parent(chosen, ctrl.read_only)
        if answer is None:
            return None
        if answer == SHIPPED:
            shipped = True
        else:
            file, _ = QFileDialog.getOpenFileName(ctrl.window, "A parent network file (humanseg parent train --out)",
                                                  str(project.folder), "Parent networks (*.pt);;All files (*)")
            if not file:
                return None
    if ctrl.read_only:
        show_error(ctrl.window, TITLE, "This project is open read-only: its parent network cannot be changed.")
        return None
    target = None if shipped else file

    def job(cancel):
        from humanseg_core.jobs import Progress
        from humanseg_core.workflows.parent_choice import choose_parent

        yield Progress(0, 1, "Checking the parent network…")
        cancel.raise_if_cancelled()
        return choose_parent(project, target)

    def finished(now) -> None:
        ctrl._message(f"Parent network: {now.name()} from now on (results made before stay as they are)", 10000)
        if now.note:  # a parent measured well below the shipped one
            QMessageBox.information(ctrl.window, TITLE, now.note)

    worker = JobWorker(job, name=TITLE, parent=ctrl, on_finished=finished,
                       on_failed=lambda msg: show_error(ctrl.window, TITLE, f"{msg}\n\nThe project keeps "
                                                        f"{chosen.describe()}."))
    worker.start()
    return worker


def ask_parent(window, chosen, read_only: bool) -> str | None:
    """CHOOSE, SHIPPED or None (closed): the question of :func:`parent_network`, saying which one is used now."""
    box, pick, back = parent_box(window, chosen, read_only)
    box.exec()
    clicked = box.clickedButton()
    return CHOOSE if clicked is pick else SHIPPED if back is not None and clicked is back else None


def parent_box(window, chosen, read_only: bool):
    """(the question, its Choose button, its Use the Shipped One button or None), not shown: Close is the default
    (a keyboard walk opened it to read which parent is used, and Enter opened a file dialog)."""
    box = QMessageBox(window)
    box.setWindowTitle(TITLE)
    box.setIcon(QMessageBox.Icon.Warning if chosen.warning else QMessageBox.Icon.Information)
    text = f"This project uses {chosen.describe()}."
    if chosen.warning:  # (the command line's quotes are no quotes here: a walk read the backticks)
        text += f"\n\n{chosen.warning.replace('`', '')}"
    box.setText(text)
    box.setInformativeText("Its proposals, training and segmentation start from it. A parent network trained with "
                           "humanseg parent train can take its place: the file is checked and copied into the "
                           "project folder." + ("\n\nThe project is open read-only." if read_only else ""))
    pick = box.addButton("Choose a File…", QMessageBox.ButtonRole.AcceptRole)
    chosen_once = chosen.path is not None or bool(chosen.warning)  # (a copy gone missing: still the project's choice)
    back = box.addButton("Use the Shipped One", QMessageBox.ButtonRole.ActionRole) if chosen_once else None
    close = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    for b in (pick, back):
        if b is not None:
            b.setEnabled(not read_only)
    return box, pick, back
