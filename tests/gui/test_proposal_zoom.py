"""The Review view zooms on a proposal's box: a person cut by the frame's edge (the demo's person 1 on frame
10: only the legs, a 12 x 14 px mask) got a 20x zoom of a blur, kept for that person's later proposals."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_a_small_box_is_zoomed_with_context_and_a_person_keeps_its_height_margin(qtbot):
    from app.review.proposal_view import ZOOM_MARGIN, ZOOM_MIN_SIDE, ProposalView

    view = ProposalView()
    qtbot.addWidget(view)
    small = view._focus_rect((100, 0, 112, 14), None)
    assert small.width() >= ZOOM_MIN_SIDE and small.height() >= ZOOM_MIN_SIDE
    assert small.center().x() == pytest.approx(106) and small.center().y() == pytest.approx(7)
    person = view._focus_rect((100, 50, 125, 125), None)  # a 75 px person: box + 0.6 of its height around
    assert person.height() == pytest.approx(75 * (1 + 2 * ZOOM_MARGIN))
    assert person.width() == pytest.approx(75 * 2 * ZOOM_MARGIN + max(25, ZOOM_MIN_SIDE))
