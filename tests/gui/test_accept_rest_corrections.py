"""Accept rest (Shift+A) leaves out the segmentation results put up by the Fix tab: the ranking flagged them
as likely wrong, and one opened with Fix frame and left without saving stayed pending, so a bulk accept
made it a training label unseen (students03, person 142: frame 4015, 'area -70 %')."""

from __future__ import annotations

import pytest
from fakes import BoxScene, rect_mask

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal
from humanseg_core.workflows.labels import result_for_review

pytestmark = pytest.mark.gui

H, W = 120, 160


@pytest.fixture
def project(tmp_path):
    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    box = (40, 30, 64, 90)
    proj.add_proposals([Proposal(frame=f, pid=1, box=box, mask=rect_mask((H, W), *box), source="bgs:test")
                        for f in (10, 20, 30)])
    yield proj
    proj.close()


def test_accept_rest_keeps_fix_frame_results_pending_and_says_so(qtbot, project):
    from app.review.review_panel import ReviewPanel

    suspect = result_for_review(project, 1, 25, rect_mask((H, W), 40, 60, 50, 70))  # Fix frame, then Discard
    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}
    panel = ReviewPanel(project, BoxScene(boxes, (H, W), 100))
    qtbot.addWidget(panel)
    panel.set_person(1)
    asked, said = [], []
    panel.confirm_bulk = lambda n: asked.append(n) or True
    panel.message.connect(said.append)
    assert panel.accept_remaining() == 3
    assert asked == [3]
    statuses = {p.frame: p.status for p in project.proposals(1, with_masks=False)}
    assert statuses == {10: "accepted", 20: "accepted", 25: "pending", 30: "accepted"}
    assert project.get_proposal(suspect).status == "pending"
    assert "25" in said[-1] and "segmentation result" in said[-1]
    said.clear()
    assert panel.accept_remaining() == 0  # only the suspect result is left: say why nothing happened
    assert "25" in said[-1] and project.get_proposal(suspect).status == "pending"


def test_the_bulk_question_counts_what_it_accepts_and_names_what_stays(qtbot, project, monkeypatch):
    """The badge said 'pending 4' and the question 'Accept the 3 remaining pending proposals': it now says
    which result stays pending."""
    from PySide6.QtWidgets import QMessageBox

    from app.review.review_panel import ReviewPanel

    result_for_review(project, 1, 25, rect_mask((H, W), 40, 60, 50, 70))
    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}
    panel = ReviewPanel(project, BoxScene(boxes, (H, W), 100))
    qtbot.addWidget(panel)
    panel.set_person(1)
    texts = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: texts.append(text) or QMessageBox.StandardButton.Cancel)
    assert panel.accept_remaining() == 0  # cancelled
    assert "Accept the 3 remaining" in texts[0] and "frame 25 from Fix stays pending" in texts[0]


def test_fix_frame_on_a_labelled_frame_opens_that_label_and_adds_none(project):
    """A walk: Fix frame on an annotated frame put a second label there (the accepted proposal and the fix), and
    Review counted both. The frame's label is given to fix instead."""
    label = next(p for p in project.proposals(1, with_masks=False) if p.frame == 20)
    project.set_status(label.id, "accepted")
    before = len(project.proposals(1, with_masks=False))
    assert result_for_review(project, 1, 20, rect_mask((H, W), 40, 60, 50, 70)) == label.id
    assert len(project.proposals(1, with_masks=False)) == before
    new = result_for_review(project, 1, 25, rect_mask((H, W), 40, 60, 50, 70))  # no label there: put up
    assert new != label.id and len(project.proposals(1, with_masks=False)) == before + 1
