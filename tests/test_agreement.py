"""A person's results against its labels (no ground truth): which labels count, what is recorded, what is said."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.records import Proposal
from humanseg_core.workflows.agreement import agreement, label_blobs, lowest_text, record_agreement


def _box(x0, x1, shape=(40, 60)):
    m = np.zeros(shape, bool)
    m[10:30, x0:x1] = True
    return m


@pytest.fixture
def project(bare_project):
    return bare_project


def test_results_are_compared_with_the_accepted_mask_else_the_pending_proposal(project):
    project.add_proposals([
        Proposal(frame=0, pid=1, box=(0, 10, 10, 30), mask=_box(0, 10), source="bgs", status="accepted"),
        Proposal(frame=10, pid=1, box=(0, 10, 10, 30), mask=_box(0, 10), source="bgs", status="pending"),
        Proposal(frame=20, pid=1, box=(0, 10, 10, 30), mask=_box(40, 50), source="bgs", status="rejected"),
        Proposal(frame=30, pid=1, box=(0, 10, 10, 30), mask=_box(0, 10), source="bgs", status="pending"),
    ])
    assert sorted(label_blobs(project, 1)) == [0, 10, 30]  # a rejected proposal is no label
    run = project.add_run(1, "osvos-lite", checkpoint="a.pt")
    # frame 0 equal (IoU 1), frame 10 half (IoU 0.5), frame 20 no label, frame 30 no result
    project.save_results(1, run, {0: _box(0, 10), 10: _box(0, 5), 20: _box(40, 50), 40: _box(0, 10)})
    found = agreement(project, 1, run)
    assert found is not None and found.frames == 2
    assert found.mean == pytest.approx(0.75) and found.lowest == (10, pytest.approx(0.5))
    assert agreement(project, 2, run) is None  # no label, no result: nothing to say
    recorded = record_agreement(project, 1, run)
    assert recorded == found
    metrics = next(r for r in project.runs(1) if r["id"] == run)["metrics"]
    assert metrics["agreement"] == 0.75 and metrics["agreement_frames"] == 2


def test_the_analysts_mask_is_the_label_where_a_frame_also_has_a_pending_proposal(project):
    """Two sources on one frame: the one accepted (or fixed) is the label, not the other still pending."""
    from humanseg_core import rle

    project.add_proposals([
        Proposal(frame=5, pid=1, box=(0, 10, 10, 30), mask=_box(0, 10), source="bgs", status="accepted"),
        Proposal(frame=5, pid=1, box=(0, 10, 10, 30), mask=_box(40, 50), source="parent", status="pending"),
    ])
    assert np.array_equal(rle.from_blob(label_blobs(project, 1)[5]), _box(0, 10))


def test_the_lowest_persons_are_named_first():
    assert lowest_text({3: 0.9}) == ""  # one person: nothing to compare
    said = lowest_text({3: 0.91, 7: 0.41, 9: 0.62, 12: 0.88})
    assert said == "lowest agreement with their labels: person 7 0.41, 9 0.62, 12 0.88 (look at these first)"


def test_persons_measured_on_few_label_frames_are_named_too():
    """A walk's person with one label agreed 0.82 and came last in 'look at these first', at J 0.31."""
    agree = {1: 0.6, 2: 0.7, 3: 0.8, 4: 0.9, 202: 0.82}
    text = lowest_text(agree, frames={1: 12, 2: 9, 3: 10, 4: 11, 202: 1})
    assert text.startswith("lowest agreement with their labels: person 1 0.60, 2 0.70, 3 0.80")
    assert "which says little: person 202 (1)" in text
    assert "says little" not in lowest_text(agree, frames={p: 5 for p in agree})
    assert "says little" not in lowest_text(agree)  # no counts: as before


def test_persons_trained_on_few_labels_are_named_too():
    """A walk's person 142 trained on 2 poor labels agreed 0.91 with its 10 proposals (all on its neighbour) and
    was not named, at J 0.44."""
    agree = {130: 0.66, 131: 0.73, 139: 0.82, 142: 0.91, 140: 0.95}
    text = lowest_text(agree, frames={p: 10 for p in agree}, trained={130: 1, 131: 1, 139: 6, 142: 2, 140: 16})
    assert text.startswith("lowest agreement with their labels: person 130 0.66, 131 0.73, 139 0.82")
    assert text.endswith("trained on 2 labels or fewer, whose network copies them right or wrong: person 142 (2)")
    assert "trained on" not in lowest_text(agree, frames={p: 10 for p in agree}, trained={p: 5 for p in agree})


def test_persons_with_hand_edited_labels_come_after_the_others():
    """A walk's Scene summary named its four hand-fixed persons first ("176 0.60, 364 0.75, 185 0.76"), whose
    true J had risen: their networks agree less with the edits than unreviewed ones with their own proposals."""
    agree = {176: 0.60, 364: 0.75, 185: 0.76, 142: 0.93, 169: 0.92, 171: 0.93}
    said = lowest_text(agree, edited={176: 1.0, 364: 1.0, 185: 0.8, 142: 0.0})
    assert said == "lowest agreement with their labels: person 169 0.92, 142 0.93, 171 0.93 (look at these first)"
