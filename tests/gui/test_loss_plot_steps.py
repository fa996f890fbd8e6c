"""The Train tab's plot counts whole steps: a Whole scene run's stored run (no loss curve) drew
'step 0 0.2 0.4 0.6 0.8 1' under its empty plot, a 2-step run '0 0.5 1 1.5 2'."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_step_ticks_are_whole_steps():
    from app.segmentation.loss_plot import step_ticks

    assert step_ticks(0, 1) == [0, 1]
    assert step_ticks(0, 2) == [0, 1, 2]
    assert step_ticks(0, 3) == [0, 1, 2, 3]
    assert step_ticks(0, 500) == [0, 100, 200, 300, 400, 500]
