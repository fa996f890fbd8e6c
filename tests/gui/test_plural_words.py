"""One is one: "1 accepted mask", "1 held-out frame" (a newcomer's walk read "1 accepted masks")."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_hold_out_box_and_the_quality_line_say_one_in_the_singular(qtbot):
    from app.segmentation.quality_panel import QualityPanel
    from app.segmentation.training_panel import TrainingPanel
    from humanseg_core.workflows.quality import FrameScore

    train = TrainingPanel()
    qtbot.addWidget(train)
    train.holdout.setMaximum(10)
    train.holdout.setValue(1)
    assert train.holdout.suffix() == " accepted mask"
    train.holdout.setValue(2)
    assert train.holdout.suffix() == " accepted masks"
    quality = QualityPanel()
    qtbot.addWidget(quality)
    quality.set_scores([FrameScore(100, 0.9, 0.8, True)], span=(100, 200), run_label="#1")
    assert "1 held-out frame as segmented" in quality.summary.text()
