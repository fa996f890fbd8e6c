"""Fix frame puts up the result of the run the Fix tab ranked and draws, not the run Play uses by default (a
review: it put up the used run's mask, every result of the person decoded on the GUI thread for it)."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_review_loop import _box_mask, make_studio  # noqa: E402


def test_fix_frame_takes_the_ranked_runs_mask(qtbot, tmp_path, monkeypatch):
    _window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    project = ctrl.project
    older = project.add_run(1, "osvos-lite", checkpoint="a.pt")
    project.save_results(1, older, {f: _box_mask((10, 10, 30, 60)) for f in (10, 20, 30, 40)})
    newer = project.add_run(1, "osvos-lite", checkpoint="b.pt")
    project.save_results(1, newer, {f: _box_mask((40, 10, 60, 60)) for f in (10, 20, 30, 40)})
    assert project.used_run(1) == newer
    ctrl.panel.set_person(1)
    ctrl.correction.rank(older)  # the earlier run, picked in Play's Run box
    qtbot.waitUntil(lambda: not ctrl.correction.busy(), timeout=10000)
    assert ctrl.correction._ranked_run == older
    mask = project.get_proposal(ctrl.correction.fix_frame(20)).mask
    assert np.array_equal(mask, _box_mask((10, 10, 30, 60)))  # the ranked run's, as drawn on the video
