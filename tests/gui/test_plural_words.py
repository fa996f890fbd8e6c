"""The words of the Train, Quality and Play tabs: one is one ("1 accepted mask", "1 held-out frame": a newcomer's walk
read "1 accepted masks"); Play names the frames with the point outside the image."""

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
    train.set_person(7, 3)  # 3 masks: at most 1 held out, the box clamped without its signal (a review)
    assert train.holdout.value() == 1 and train.holdout.suffix() == " accepted mask"
    quality = QualityPanel()
    qtbot.addWidget(quality)
    quality.set_scores([FrameScore(100, 0.9, 0.8, True)], span=(100, 200), run_label="#1")
    assert "1 held-out frame as segmented" in quality.summary.text()


def test_the_play_line_names_them():
    import numpy as np

    from app.segmentation.run_text import play_info

    masks = {f: np.ones((2, 2), bool) for f in range(0, 139)}
    said = play_info(6, masks, None, 145, [], [], [(139, 150)])
    assert said == ("Person 6 · 139 frames with masks (0–138) · its point outside the image (masks may stop there): "
                    "139–150 · no mask on this frame")
