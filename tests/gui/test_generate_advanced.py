"""The Generate Proposals dialog keeps its expert settings folded away (a walk met 15 background models, a
match threshold and extra frames before knowing what a proposal was)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


class _Scene:
    pids = [1, 2]

    def pixel_track(self, pid):
        return np.array([10, 20]), np.zeros((2, 2))


def test_the_expert_settings_are_folded_until_asked_for(qtbot):
    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(_Scene(), None)
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
