"""The Review info line says what a joint method's score means (a walk saw 'score 1.00' everywhere)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _proposal(source: str, score: float):
    return SimpleNamespace(pid=3, frame=20, status="pending", source=source, score=score, distance=0.0, flags=[])


def test_a_joint_score_is_said_in_words():
    from app.review.info_line import info_text

    assert "score&nbsp;1.00 (no pixel contested)" in info_text(_proposal("bgs+parent", 1.0), 900, False)
    # under 0.95 the line says how often proposals so scored were wrong or poor (a walk: what counts as low?)
    assert ("score&nbsp;0.82 (18%&nbsp;nearly another person's; 1 in 2 so scored is wrong or poor)"
            in info_text(_proposal("parent", 0.82), 900, False))
    assert "1 in 4 so scored" in info_text(_proposal("parent", 0.9), 900, False)
    assert "so scored" not in info_text(_proposal("parent", 0.97), 900, False)
    other = info_text(_proposal("maskrcnn", 0.97), 900, True)  # a detector's score stays a number
    assert "score&nbsp;0.97 ·" in other and "contested" not in other and "no track point" in other


def test_a_result_put_up_by_fix_frame_has_no_score_not_zero():
    """A walk read a Fix frame result's 'score 0.00' as the worst score there is."""
    from app.review.info_line import info_text

    text = info_text(_proposal("correction", 0.0), 900, False)
    assert "no&nbsp;score (a&nbsp;result put up by Fix frame)" in text and "0.00" not in text
    # a fix, a hand label or an imported mask has no distance to the track measured: none said (it read "0 px")
    assert "from track" not in text and "from track" not in info_text(_proposal("hand", 0.0), 900, False)
    assert "0&nbsp;px from track" in info_text(_proposal("parent", 0.9), 900, False)


def test_a_score_of_two_factors_says_both():
    """bgs+parent since 4 Dec: the score is (1 - contested share) x the agreement with the parent's own mask,
    both in the flags; they are said with the score, not among the warnings."""
    from app.review.info_line import info_text

    p = _proposal("bgs+parent", 0.56)
    p.flags = ["contested 0.20", "parent agrees 0.70", "shared"]
    text = info_text(p, 900, False)
    assert ("score&nbsp;0.56 (20%&nbsp;nearly another person's; the parent's own mask agrees 0.70; 1 in 4 to 1 in "
            "2 so scored are wrong or poor)") in text
    assert "⚑ shared: a third or more of its pixels were contested with another person" in text  # in words
    assert "parent agrees" not in text.split("⚑")[1]
    p = _proposal("bgs+parent", 0.9)
    p.flags = ["contested 0.00", "parent agrees 0.90"]
    text = info_text(p, 900, False)
    assert "(no pixel contested; the parent's own mask agrees 0.90)" in text and "⚑" not in text
    p = _proposal("parent", 0.62)  # the parent alone (since 5 Dec): its second factor is how sure it was
    p.flags = ["contested 0.00", "parent sure 0.62", "moving camera"]
    text = info_text(p, 900, False)
    assert ("score&nbsp;0.62 (no pixel contested; the parent's certainty 0.62; 1 in 4 to 1 in 2 so scored are wrong "
            "or poor)") in text and "parent sure" not in text.split("⚑")[-1]


def test_an_edited_masks_line_says_its_score_was_the_proposals():
    """A walk's edited mask still read the proposal's score and "177 stands in front" as if nothing was done."""
    from app.review.info_line import info_text

    p = _proposal("bgs+parent", 0.82)
    p.status = "edited"
    said = info_text(p, 900, False, in_front=[177])
    assert "score&nbsp;0.82 before your edit" in said and "in front" not in said
    p.status = "pending"
    assert "person 177 stands in front" in info_text(p, 900, False, in_front=[177])


def test_a_proposal_the_parent_made_alone_on_a_moving_camera_says_so():
    """A walk on DAVIS read "bgs+parent" on proposals the parent had made alone (the camera moved)."""
    from app.review.info_line import info_text
    from humanseg_core.proposals.moving_camera import MOVING_FLAG

    moved = SimpleNamespace(**{**vars(_proposal("bgs+parent", 1.0)), "flags": [MOVING_FLAG]})
    assert "the parent alone: a moving camera" in info_text(moved, 900, False)
    assert "moving camera" not in info_text(_proposal("bgs+parent", 1.0), 900, False)
