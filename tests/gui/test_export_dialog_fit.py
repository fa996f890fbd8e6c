"""Export masks: a long status line grows the dialog instead of drawing over the persons list.

Walked on the demo (frames/00005.jpg truncated, 8 persons, results, DAVIS): the export's 6-line status
("Exported 1462 masks ... 1 frame missing: frame 5 (persons 1, ..., 8) has no mask, its image could not be
read when the person was segmented: <file>: frame 5: damaged JPEG ...") left the dialog at its size, and the
folder row and the status were drawn over the persons list (list 75-173 px, folder row at 111, status at 143).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

REASON = "/tmp/demo_bad/frames/00005.jpg: frame 5: damaged JPEG (Premature end of JPEG file); the frame is skipped"


def _rect(widget, dialog):
    """The widget's rectangle in the dialog's coordinates."""
    from PySide6.QtCore import QPoint, QRect

    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


@pytest.fixture
def eight_persons(qtbot, tmp_path):
    """The Export masks dialog, shown, on a project of 8 persons with one proposal each."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=mask, source="bgs:test")
                        for pid in range(1, 9)])
    try:
        dlg = ExportDialog(proj)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        yield dlg
    finally:
        proj.close()


def test_the_dialog_grows_to_its_status_line(eight_persons, qtbot, tmp_path):
    dlg = eight_persons
    dlg.progress.setVisible(True)  # as the export's start leaves the dialog: bar shown, a one-line status
    dlg.progress_label.setText("Exporting persons 1, 2, 3, 4, 5, 6, 7, 8 as davis…")
    qtbot.wait(50)
    dlg._finished({"persons": list(range(1, 9)), "masks": 1462, "out": str(tmp_path / "exports" / "8-persons"),
                   "skipped_frames": [{"frame": 5, "persons": list(range(1, 9)), "file": REASON.split(":")[0],
                                       "reason": REASON, "at": "segmentation"}]})
    qtbot.wait(50)
    rows = [_rect(w, dlg) for w in (dlg.person_list, dlg.out_edit, dlg.footer)]
    for upper, lower in zip(rows, rows[1:]):
        assert upper.bottom() < lower.top(), (upper, lower)  # nothing drawn over the row above
    assert dlg.progress_label.height() >= dlg.progress_label.heightForWidth(dlg.progress_label.width())


def test_the_person_list_keeps_its_rows_when_the_export_line_wraps(eight_persons, qtbot):
    """After an export of 8 persons the 3-line 'Exported ... to <folder>' status squeezed the persons list to
    ~5 half rows (the dialog kept its size): the list keeps at least 6 rows and the dialog grows instead."""
    dlg = eight_persons
    rows = 6 * dlg.person_list.sizeHintForRow(0)
    assert dlg.person_list.viewport().height() >= rows
    dlg.progress.setVisible(True)
    dlg.progress_label.setText("Exported 1488 masks of persons 1, 2, 3, 4, 5, 6, 7, 8 to /root/HumanSeg "
                               "projects/demo-seed0-v1/exports/8-persons_results_davis. " * 3)
    qtbot.wait(50)
    assert dlg.person_list.viewport().height() >= rows


def test_a_frame_two_stages_name_is_counted_once(qtbot, tmp_path):
    """Walk: frames 5 and 10 truncated; the export of results said '3 frames missing', frame 10 being named
    by the proposals and by the segmentation."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    proj.add_proposals([Proposal(frame=0, pid=2, box=(10, 10, 30, 30), mask=mask, source="bgs:test")])
    try:
        dlg = ExportDialog(proj)
        qtbot.addWidget(dlg)
        gap = {"persons": [2], "file": "f.jpg", "reason": "f.jpg: damaged JPEG"}
        dlg._finished({"persons": [2], "masks": 7, "out": str(tmp_path / "out"),
                       "skipped_frames": [{"frame": 5, "at": "segmentation", **gap},
                                          {"frame": 10, "at": "proposals", **gap},
                                          {"frame": 10, "at": "segmentation", **gap}]})
        said = dlg.progress_label.text()  # counted once; the frames a stage names said in one run (a re-walk)
        assert "2 frames missing: frames 5, 10 (2) (person 2) have no mask, their images could not be read when the " \
            "person was segmented: f.jpg: damaged JPEG" in said
    finally:
        proj.close()


def test_the_fields_stay_put_when_the_format_changes(eight_persons, qtbot):
    """A walk: each change of format moved the fields below it (COCO's frames option came and went)."""
    dlg = eight_persons
    places = {}
    for i in range(dlg.format_box.count()):
        dlg.format_box.setCurrentIndex(i)
        qtbot.wait(20)
        fmt = dlg.format_box.currentData()
        places[fmt] = _rect(dlg.out_edit, dlg).top()
        assert dlg.images_check.isVisible() and dlg.images_check.isEnabled() == (fmt == "coco")
    assert len(set(places.values())) == 1, places


def test_the_masks_note_of_all_persons_grows_the_dialog_not_squeezing_the_list(qtbot, tmp_path):
    """A walk clicked "All 4 persons": the note that Masks follow them appeared and the list shrank to 2.5 rows."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.workflows.labels import CORRECTION_SOURCE

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    try:
        proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=mask, source="bgs:test")
                            for pid in (1, 2, 3, 4)])
        for pid in (1, 2, 3, 4):
            proj.save_results(pid, proj.add_run(pid, "osvos-lite", {}, None), {f: mask for f in range(3)})
        proj.add_proposals([Proposal(frame=1, pid=4, box=(10, 10, 30, 30), mask=mask, source=CORRECTION_SOURCE,
                                     status="edited")])
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        before, listed = dlg.height(), dlg.person_list.height()
        dlg.all_btn.click()
        qtbot.wait(50)
        assert dlg.progress_label.text().startswith("Masks follow the persons chosen")
        assert dlg.person_list.height() >= listed and dlg.height() > before
    finally:
        proj.close()


def test_the_suggested_folder_of_a_project_opened_by_a_relative_path_is_not_doubled(qtbot, tmp_path, monkeypatch):
    """A walk opened `--project proj` from its folder: Export Masks wrote to proj/exports/proj/exports/…"""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.export.names import resolve_out

    monkeypatch.chdir(tmp_path)
    Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t")).close()
    proj = Project.open("proj")
    try:
        dlg = ExportDialog(proj)
        qtbot.addWidget(dlg)
        out = resolve_out(dlg.out_edit.text(), proj.folder)
        assert out.parent == (tmp_path / "proj" / "exports").absolute()
    finally:
        proj.close()


def test_the_folder_field_reads_a_path_under_documents_whole(eight_persons, qtbot):
    """A walk: the 461 px dialog showed "mp/walkH/p/exports/pid76-81_results_davis", the path's start hidden."""
    dlg = eight_persons
    fm = dlg.out_edit.fontMetrics()
    path = "/home/analyst/Documents/HumanSeg projects/zara01/exports/pid76-81_results_davis"
    room = dlg.screen().availableGeometry().width()
    assert dlg.out_edit.width() >= min(fm.horizontalAdvance(path) + 12, int(0.45 * room)), dlg.out_edit.width()
