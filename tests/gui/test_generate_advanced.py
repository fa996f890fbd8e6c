"""The Generate Proposals dialog keeps its expert settings folded away (a walk met 15 background models, a
match threshold and extra frames before knowing what a proposal was)."""

from __future__ import annotations

import pytest
from fakes import OneFrameScene

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_expert_settings_are_folded_until_asked_for(qtbot):
    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(10, 20)), None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.method_box.isVisible() and dlg.all_radio.isVisible()
    assert not dlg.bgs_box.isVisible() and not dlg.threshold_spin.isVisible() and not dlg.extra_spin.isVisible()
    assert dlg.params()["extra_frames"] == 0  # folded, the defaults still apply
    dlg.advanced_btn.click()
    assert dlg.bgs_box.isVisible() and dlg.extra_spin.isVisible() and dlg.anchor_box.isVisible()
    dlg.advanced_btn.click()
    assert not dlg.bgs_box.isVisible()
    dlg.method_box.setCurrentIndex(dlg.method_box.findData("maskrcnn"))  # it needs its weights file: shown
    assert dlg.weights_edit.isVisible()


def test_the_persons_list_keeps_two_rows_when_the_dialog_shrinks(qtbot):
    """A walk: after 'done' the dialog shrank and the list's second row of persons was cut in half."""
    from app.review.generate_dialog import GenerateDialog

    scene = OneFrameScene(list(range(1, 9)), frames=(10, 20))
    dlg = GenerateDialog(scene, None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    row = dlg.person_list.sizeHintForRow(0)
    assert dlg.person_list.minimumHeight() >= 2 * row  # the layout may not squeeze it below two rows
    dlg.resize(dlg.width(), 50)
    assert dlg.person_list.height() >= 2 * row


def test_a_crowds_persons_read_whole_and_the_chosen_are_counted(qtbot, qapp):
    """A crowd walk read "238 (…" in every cell of the persons list and could not tell how many of 41 it had
    chosen; after "done" the list shrank to two rows. Measured under the studio's style sheet: its 10 pt font
    applies once the list is polished, and cells sized in the default 9 pt cut every line again (a walk)."""
    from PySide6.QtWidgets import QStyle

    from app.main import style_sheet
    from app.review.generate_dialog import GenerateDialog

    scene = OneFrameScene(list(range(76, 117)), frames=range(20))  # "76 (20)": the walk's case

    qapp.setStyleSheet(style_sheet())
    try:
        dlg = GenerateDialog(scene, None, 80)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        fm = dlg.person_list.fontMetrics()  # as drawn
        assert dlg.person_list.font().pointSizeF() == 10.0
        widest = max(fm.horizontalAdvance(dlg.person_list.item(i).text()) for i in range(dlg.person_list.count()))
        margin = 2 * (dlg.person_list.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        # the item's rect is where the text elides (a grid wide enough kept items of the first one's 9 pt size)
        # (under Xvfb the first item's size, measured before the style sheet applied, was every item's: 46 px for
        # a 47 px "76 (20)"): each item is given the cell's size
        items = [dlg.person_list.item(i) for i in range(dlg.person_list.count())]
        assert min(it.sizeHint().width() for it in items) >= widest + margin  # "76 (20)" whole, not "76 (…"
        assert min(dlg.person_list.visualItemRect(it).width() for it in items) >= widest + margin
    finally:
        qapp.setStyleSheet("")
    assert dlg.some_radio.text() == "T&hese: 1 chosen"
    dlg.person_list.item(5).setSelected(True)
    assert dlg.some_radio.text() == "T&hese: 2 chosen"
    dlg.all_radio.setChecked(True)
    assert dlg.some_radio.text() == "T&hese:"
    assert dlg.person_list.minimumHeight() >= 4 * (fm.height() + 6)  # four rows kept in a crowd


def test_the_chosen_person_is_in_sight_in_a_long_list(qtbot):
    """A walk opened the dialog on person 286 of a UCY video: the list showed 142-256 and "1 chosen", the chosen
    one below the fold, in a list six rows tall."""
    from PySide6.QtCore import QRect

    from app.review.generate_dialog import LIST_ROWS, GenerateDialog

    scene = OneFrameScene(list(range(100, 400, 3)), frames=(10, 20))  # 100 persons
    dlg = GenerateDialog(scene, None, 394)
    qtbot.addWidget(dlg)
    dlg.resize(360, 400)
    dlg.show()
    qtbot.waitExposed(dlg)
    chosen = dlg.person_list.selectedItems()[0]
    assert int(chosen.text().split()[0]) == 394
    viewport = QRect(0, 0, dlg.person_list.viewport().width(), dlg.person_list.viewport().height())
    qtbot.waitUntil(lambda: viewport.contains(dlg.person_list.visualItemRect(chosen)), timeout=2000)
    row = dlg.person_list.gridSize().height()
    assert dlg.person_list.height() >= min(LIST_ROWS, 7) * row  # more than the six rows of before


def test_the_persons_counts_are_the_videos_and_the_grown_dialog_stays_on_screen(qtbot):
    """A walk's clip read with the whole trajectory file: "95 (15)" where 11 of its annotations were in the clip;
    after Generate its summary grew the window 60 px past the screen's bottom, Close out of reach."""
    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(10, 20, 30), video=(10, 20)), None)
    qtbot.addWidget(dlg)
    assert dlg.person_list.item(0).text() == "1 (2)"
    assert dlg.person_list.item(0).toolTip() == "person 1: 2 annotated frames in the video (3 in the trajectory file)"
    dlg.show()
    qtbot.waitExposed(dlg)
    avail = dlg.screen().availableGeometry()
    dlg.move(dlg.x(), avail.bottom() - dlg.frameGeometry().height() + 1)  # its bottom on the screen's last row
    dlg.progress_label.setText("Done. " + "A long summary of what was made and why. " * 40)
    dlg.fit_height()
    assert dlg.frameGeometry().bottom() <= avail.bottom() and dlg.y() >= avail.top()


def test_a_window_that_fits_but_grows_past_the_bottom_moves_up(qtbot):
    """A mutation audit: only a window taller than the screen was tried; one that fits, grown on the bottom row by
    its summary or its Advanced settings, must move up whole."""
    from app.review.export_summary import summary_note
    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(10, 20)), None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    avail = dlg.screen().availableGeometry()
    assert dlg.frameGeometry().height() + 150 < avail.height()  # it fits, with room to grow
    dlg.move(dlg.x(), avail.bottom() - dlg.frameGeometry().height() + 1)
    dlg.advanced_btn.click()  # the expert settings unfolded: taller
    assert dlg.frameGeometry().bottom() <= avail.bottom() and dlg.y() > avail.top()
    # the export summary names a run stopped part-way (the studio's Export dialog writes this note)
    note = summary_note({"stopped_runs": {"5": {"run": 9, "frames": 40, "why": "cancelled"}}})
    assert "Person 5: run 9 was cancelled after segmenting 40 frames: its results are partial" in note


def test_a_step_up_from_the_auto_threshold_starts_at_its_value(qtbot):
    """A walk: Up on "auto (40 px here)" gave "1.00 px"."""
    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(10, 20)), None)
    qtbot.addWidget(dlg)
    spin = dlg.threshold_spin
    assert spin.value() == 0 and spin.text().startswith("auto (")
    auto = float(spin.text().split("(")[1].split()[0])
    spin.stepBy(1)
    assert spin.value() == auto and dlg.params()["threshold_px"] == auto
    spin.stepBy(1)
    assert spin.value() == auto + 1
    spin.setValue(0)
    spin.stepBy(-1)  # down stays at auto
    assert spin.value() == 0
