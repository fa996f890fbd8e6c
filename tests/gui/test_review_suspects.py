"""Review ▸ Next Suspect (W): the person's pending proposals, lowest score first."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_review_loop import _frame, make_studio  # noqa: E402


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    return make_studio(qtbot, tmp_path, monkeypatch)  # 2 persons, proposals on frames 10-40


def test_next_suspect_goes_through_the_pending_proposals_lowest_score_first(qtbot, studio):
    """A crowd reviewer had no way to find the wrong-person proposals (they read 'score 0.89' among
    0.99s); the score puts them first (AUC 0.87 on eth_dense): W steps through pending ones lowest first."""
    window, ctrl = studio
    panel = ctrl.panel
    project = ctrl.project
    with project._tx("test scores") as conn:  # frames 10..40 of person 1 scored 0.9, 0.4, 1.0, 0.7
        for frame, score in ((10, 0.9), (20, 0.4), (30, 1.0), (40, 0.7)):
            conn.execute("UPDATE proposals SET score = ? WHERE pid = 1 AND frame = ?", (score, frame))
    panel.refresh()
    panel.set_person(1)
    act = panel.key_actions["next_suspect"]
    assert act.shortcut().toString() == "W"
    seen = []
    for _ in range(5):
        act.trigger()
        seen.append(_frame(panel))
    assert seen == [20, 40, 10, 30, 20]  # 0.4, 0.7, 0.9, 1.0, then round again
    assert "score 0.40" in window.statusBar().currentMessage()
    panel.accept()  # frame 20 decided: the next W starts again from the lowest still pending
    assert window.statusBar().currentMessage() == "Person 1, frame 20: accepted"  # the person named
    act.trigger()
    assert _frame(panel) == 40
