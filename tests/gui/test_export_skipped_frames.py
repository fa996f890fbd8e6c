"""The mask export dialog names the frames an export left out because their image cannot be read (new-user
walk: a frames folder with one truncated JPEG gave a DAVIS export with a gap and a plain 'Exported ...')."""

import numpy as np
import pytest
from fakes import jpeg_project

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.records import Proposal

H, W = 40, 56


def _exported(qtbot, proj, out):
    """The Export dialog on person 1 of ``proj``, its davis export into ``out`` done."""
    from app.review.export_dialog import ExportDialog

    dlg = ExportDialog(proj, selected_pid=1)
    qtbot.addWidget(dlg)
    dlg.format_box.setCurrentIndex(dlg.format_box.findData("davis"))
    dlg.out_edit.setText(str(out))
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=30000)
    return dlg


def test_the_export_dialog_names_a_frame_it_left_out(qtbot, tmp_path):

    proj = jpeg_project(tmp_path, range(0, 4), (H, W), lambda f: 60 + f)
    mask = np.zeros((H, W), bool)
    mask[5:30, 10:30] = True
    proj.add_proposals([Proposal(frame=f, pid=1, box=(10, 5, 30, 30), mask=mask, source="bgs:test",
                                 status="accepted") for f in range(0, 4)])
    data = (tmp_path / "video" / "00002.jpg").read_bytes()
    (tmp_path / "video" / "00002.jpg").write_bytes(data[: len(data) // 3])
    try:
        dlg = _exported(qtbot, proj, tmp_path / "out")
        text = dlg.progress_label.text()
        assert "Exported 3 masks" in text and "1 frame missing" in text, text
        assert "frame 2 (person 1) left out" in text and "00002.jpg" in text, text
        assert [e["frame"] for e in dlg.summary["skipped_frames"]] == [2]
    finally:
        proj.close()


def test_a_finished_export_offers_its_folder(qtbot, tmp_path, monkeypatch):
    """A walk: 'Exported 200 masks of person 3 to …' and no way to open that folder."""
    from PySide6.QtGui import QDesktopServices

    from app.review.export_dialog import ExportDialog

    proj = jpeg_project(tmp_path, range(0, 2), (H, W), lambda f: 60 + f)
    mask = np.zeros((H, W), bool)
    mask[5:30, 10:30] = True
    proj.add_proposals([Proposal(frame=f, pid=1, box=(10, 5, 30, 30), mask=mask, source="bgs:test",
                                 status="accepted") for f in range(0, 2)])
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    try:
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        dlg.show()
        assert not dlg.open_button.isVisible()  # nothing exported yet
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("davis"))
        dlg.out_edit.setText(str(tmp_path / "out"))
        dlg.start()
        qtbot.waitUntil(lambda: not dlg.running, timeout=30000)
        assert dlg.open_button.isVisible()
        dlg.open_button.click()
        assert opened == [str(dlg.summary["out"])]
    finally:
        proj.close()


def test_the_empty_masks_left_out_are_counted_by_person(qtbot, tmp_path):
    """A walk read "13 empty masks left out" and could not tell whose; another read "1 empty mask left out" of a
    frame it had marked not visible (an empty label: V)."""

    proj = jpeg_project(tmp_path, range(0, 4), (H, W), lambda f: 60 + f)
    mask = np.zeros((H, W), bool)
    mask[5:30, 10:30] = True
    proj.add_proposals([Proposal(frame=f, pid=1, box=(10, 5, 30, 30), mask=mask if f else np.zeros_like(mask),
                                 source="bgs:test", status="accepted") for f in range(0, 4)])
    try:
        dlg = _exported(qtbot, proj, tmp_path / "out")
        said = dlg.progress_label.text()
        assert "1 frame marked not visible (V), without a mask (person 1: 1)." in said and "empty mask" not in said
    finally:
        proj.close()
