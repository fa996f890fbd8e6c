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
