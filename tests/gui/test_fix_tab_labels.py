"""The Fix tab on a frame that holds a label already, and how many ranked frames it lists (split from
test_fix_tab.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_review_loop import _box_mask, make_studio  # noqa: E402


@pytest.fixture
def labelled_studio(qtbot, tmp_path, monkeypatch):
    """The studio on ``test_review_loop``'s project (2 persons, proposals on frames 10-40), a run of person 1 with
    results on 10-40, and its frame 20 accepted: (window, review controller, that label's proposal)."""
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    project = ctrl.project
    run = project.add_run(1, "osvos-lite", checkpoint="ckpt.pt")
    project.save_results(1, run, {f: _box_mask((10, 10, 30, 60)) for f in (10, 20, 30, 40)})
    label = next(p for p in project.proposals(1, with_masks=False) if p.frame == 20)
    project.set_status(label.id, "accepted")
    return window, ctrl, label


def test_fix_frame_on_a_labelled_frame_opens_the_label_and_says_so(qtbot, labelled_studio):
    """A walk: Fix frame on an annotated frame left two labels there, and Review counted both."""
    _window, ctrl, label = labelled_studio
    project = ctrl.project
    ctrl.panel.set_person(1)
    said = []
    ctrl.correction.message.connect(said.append)
    before = len(project.proposals(1, with_masks=False))
    assert ctrl.correction.fix_frame(20) == label.id and ctrl.panel.editing
    assert len(project.proposals(1, with_masks=False)) == before
    assert said and said[-1] == "Frame 20 holds person 1's label, which its network trained on: opened to fix"


def test_fix_frame_on_a_frame_marked_not_visible_says_it_is_the_analysts_mark(qtbot, labelled_studio):
    """A walk's Fix frame on its V mark said "holds person 238's label, which its network trained on"."""
    import numpy as np

    _window, ctrl, _label = labelled_studio
    project = ctrl.project
    hidden = next(p for p in project.proposals(1) if p.frame == 30)
    project.set_mask(hidden.id, np.zeros_like(hidden.mask, bool))  # Review's V: the mask emptied, kept (edited)
    assert project.hidden_frames(1) == {30}
    ctrl.panel.set_person(1)
    said = []
    ctrl.correction.message.connect(said.append)
    assert ctrl.correction.fix_frame(30) is not None
    assert said[-1].startswith("Frame 30: you marked person 1 not visible here (no label, its network did not train")


def test_the_ranking_lists_up_to_300_frames_and_says_when_it_lists_fewer():
    """A walk: 'ranked 140 result frames' listed 50 rows, and frames at J 0.19-0.20 ranked 80th-86th were out of
    reach with nothing saying so."""
    from app.review.correction_text import RANKED_ROWS, ranked_rows
    from humanseg_core.workflows.correction import Suspect

    ranked = [Suspect(f, 1.0 / (f + 1), ()) for f in range(400)]
    rows = ranked_rows(ranked[:140], set(), set(), {})
    assert len(rows) == 140 and rows[85][1] == 85
    assert len(ranked_rows(ranked, set(), set(), {})) == RANKED_ROWS == 300


def test_frames_fixed_already_rank_after_the_others():
    """A re-walk's ranking after a retrain put its own fix first, "fixed by you", though the exports hold the fix."""
    import types

    from app.review.correction_text import ranked_rows

    ranked = [types.SimpleNamespace(frame=f, score=10.0 - f, reasons=("empty mask",), slight="") for f in range(5)]
    rows = ranked_rows(ranked, fixed={0, 2}, checked={1}, was={})
    assert [frame for _text, frame in rows] == [3, 4, 0, 2, 1]
    assert rows[2][0].endswith("fixed by you") and rows[4][0].endswith("looks right (you)")
