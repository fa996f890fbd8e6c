"""The run box's chosen label whole on hover: a narrow dock elides it (a walk read "…(111 new, 39 from run #6) · 1")."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_chosen_runs_whole_label_is_the_boxs_tooltip(qtbot):
    from app.segmentation.run_picker import ABOUT, RunPicker
    from humanseg_core.export.runs import RunChoice

    box = RunPicker()
    qtbot.addWidget(box)
    assert box.toolTip() == ABOUT
    long = "#7 osvos-parent · 14:02 · 150 frames (111 new, 39 from run #6) · 100 steps · 61 s"
    box.set_choices([RunChoice(7, 150, long, True), RunChoice(6, 150, "#6 osvos-parent · 13:40 · 150 frames", False)])
    assert box.toolTip().startswith(long + "\n\n")
    box.setCurrentIndex(1)
    assert box.toolTip().startswith("#6 osvos-parent")
    box.set_choices([])
    assert box.toolTip() == ABOUT


def test_a_narrow_box_elides_its_label_never_cuts_a_number(qtbot):
    """A walk read "hold-out J 0.7" in Play's Run box for 0.717: the label was clipped mid-number."""
    from PySide6.QtGui import QColor

    from app.segmentation.run_picker import RunPicker
    from humanseg_core.export.runs import RunChoice

    box = RunPicker()
    qtbot.addWidget(box)
    label = "run #9 · 05 Dec 14:02 · 141 frames · 448 steps · 60 s · hold-out J 0.717"
    box.set_choices([RunChoice(9, 141, label, True)])
    box.resize(900, box.sizeHint().height())
    assert box.shown_text() == label
    box.resize(260, box.sizeHint().height())
    shown = box.shown_text()
    assert shown.endswith("…") and label.startswith(shown[:-1]) and len(shown) < len(label)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()  # drawn: something on the label's side of the box
    assert any(QColor(image.pixel(x, image.height() // 2)) != QColor(image.pixel(2, 2)) for x in range(10, 120))
