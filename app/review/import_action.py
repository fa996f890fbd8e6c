"""Project ▸ Import masks: a DAVIS-style folder of %05d.png masks added as a person's accepted labels, in
a background job; palette or index masks holding several persons ask which index is the person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ..plurals import plural
from ..worker import JobWorker
from .project_dialogs import show_error


def start_import(ctrl, folder=None, pid: int | None = None, value: int | None = None,
                 force: bool = False) -> JobWorker | None:
    """The import job of ``ctrl`` (the review controller) for ``pid`` (default: the person under review, else
    the selected one); the review panel shows the masks when it is done. None: nothing to do or cancelled."""
    from humanseg_core.workflows.labels import import_masks

    pid = ctrl.panel.pid if pid is None else pid
    if pid is None:
        pid = ctrl.window.selected_pid
    if ctrl.project is None or pid is None:
        show_error(ctrl.window, "Import masks", "Open a project and select the person first.")
        return None
    if folder is None:
        folder = QFileDialog.getExistingDirectory(ctrl.window, f"Masks of person {pid} (%05d.png)",
                                                  str(ctrl.project.folder))
        if not folder:
            return None
    if value is None:
        value = _import_index(ctrl, folder, pid)
        if value == 0:  # the analyst cancelled the index question
            return None
    project = ctrl.project

    def finished(s) -> None:
        if s.refused:  # nothing stored: asked first (a walk imported 79's masks as 80's, and 260's as 257's)
            if ask_off_track(ctrl.window, s.refused_text(pid, folder)):
                ctrl._import_worker = start_import(ctrl, folder, pid, value, force=True)
            else:
                ctrl._message(f"Person {pid}: nothing imported", 15000)
            return
        was = ctrl.panel.current_record()
        ctrl.panel.refresh()
        _show_the_label(ctrl.panel, pid, was, set(s.imported))
        ctrl.proposals_changed.emit()
        notes = ((f"; {s.renumbered}" if getattr(s, "renumbered", "") else "")
                 + (f"; {plural(len(s.replaced), 'earlier label')} replaced (kept in {getattr(s, 'kept_in', '')})"
                    if getattr(s, "replaced", None) else "")
                 + (f"; frames {', '.join(map(str, s.outside_span[:6]))} outside its track: not trained on"
                    if getattr(s, "outside_span", None) else "")
                 + (f"; {plural(len(s.ignored), 'file')} not read (not .png)" if getattr(s, "ignored", None) else "")
                 + (f"; frames {', '.join(map(str, s.far[:6]))}{', …' if len(s.far) > 6 else ''}: the mask lies "
                    f"more than {s.far_px:.0f} px from its track point (another person's?)"
                    if getattr(s, "far", None) else ""))
        text = (f"Person {pid}: imported {plural(len(s.imported), 'mask')} as accepted labels"
                + (f" ({len(s.empty)} empty skipped)" if s.empty else "")
                + (f"; {plural(len(s.set_aside), 'pending proposal')} on those frames set aside (rejected: the "
                   "imported mask is the label there)" if s.set_aside else "")
                + (f"; {plural(len(s.superseded), 'earlier label')} there set aside (rejected)"
                   if getattr(s, "superseded", None) else "") + notes)
        ctrl._message(text, 30000)  # (a walk: 5 s, and gone)
        _mark_on_the_undo_stack(ctrl, pid, s)
        if notes or s.set_aside or getattr(s, "superseded", None):  # something to read before training, or
            # proposals the import rejected: said in a box too (a walk read "rejected 11" it never made, its
            tell_import(ctrl.window, text.replace("; ", ".\n"))  # reason cut off in the status bar at 1280 px)

    worker = JobWorker(lambda cancel: import_masks(project, pid, folder, value, cancel, force), name="Import masks",
                       parent=ctrl, on_progress=lambda p: ctrl._message(f"Importing masks: {p.done}/{p.total}"),
                       on_finished=finished, on_failed=lambda msg: show_error(ctrl.window, "Import masks", msg))
    worker.start()
    return worker


def _import_index(ctrl, folder, pid: int) -> int | None:
    """The person's index in a folder of masks that hold several persons (palette or index PNGs: every
    non-zero pixel would make them all one label): asked (``ctrl.ask_index``); None for plain masks, 0 when
    the analyst cancels. Only the first mask is read here; the job checks them all."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.workflows.labels import MANY_PERSONS_BELOW, mask_indices

    first = next(iter(sorted(Path(folder).glob("*.png"))), None)
    try:
        used = mask_indices(first) if first is not None else []
    except HumansegError:
        return None  # the job names the unreadable file
    if len(used) < 2 or max(used) >= MANY_PERSONS_BELOW:
        return None
    return ctrl.ask_index(pid, used) or 0


def _mark_on_the_undo_stack(ctrl, pid: int, s) -> None:
    """The import as a step of the undo stack that Ctrl+Z does not undo, and says so (``decisions.MarkCommand``)."""
    from .decisions import MarkCommand

    stack = getattr(ctrl.window, "undo_stack", None)
    if stack is None or not s.imported:
        return
    back = (f"; the labels it replaced are in {s.kept_in}, an import of that folder takes them back" if s.kept_in
            else "")
    # the Edit menu reads "Undo (the import of person 3's masks stays)": nothing it names is undone (a review)
    said = (f"An import of masks is not undone by Ctrl+Z: reject person {pid}'s imported labels in Review{back}. "
            "Ctrl+Z again undoes the decisions before it")
    stack.push(MarkCommand(f"(the import of person {pid}'s masks stays)", said,
                           lambda text: ctrl._message(text, 30000)))


def _show_the_label(panel, pid: int, was, imported: set[int]) -> None:
    """Review on the imported label where it showed (``was``, the record shown before) a proposal of that frame
    (a walk's Review went on showing the proposal of frame 10280 that the import had rejected)."""
    if panel.pid != pid or was is None or was.pid != pid or was.frame not in imported:
        return
    label = next((p for p in panel._shown if p.frame == was.frame and p.source == "import"
                  and p.status in ("accepted", "edited")), None)
    if label is not None:
        panel._show(label.id)


def ask_off_track(window, text: str) -> bool:
    """Import masks most of which lie far from the person's track anyway? (tests replace this)"""
    from ..ask import ask_one_way

    return ask_one_way(window, "Import masks", f"{text}.\n\nImport them as this person's labels anyway?",
                       "Import Anyway", cancel_first=True)


def tell_import(window, text: str) -> None:
    """An import's outcome with notes to read (replaced labels, masks far from the track) in a box (tests replace
    this)."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(window, "Import masks", text)
