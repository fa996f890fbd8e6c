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


def test_a_person_at_the_frames_corner_is_centred_in_the_view(qtbot):
    """The view may scroll past the frame's edge: a person in a corner is centred, not pushed to the side
    (the scroll range had ended at the frame, so zooming there slid the person away from the mouse)."""
    import numpy as np

    from app.review.proposal_view import ProposalView

    view = ProposalView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    frame = np.zeros((480, 640, 3), np.uint8)
    mask = np.zeros((480, 640), bool)
    mask[440:480, 620:640] = True
    view.set_content(frame, mask, box=(620, 440, 640, 480), pid=1)
    view.focus_person((620, 440, 640, 480), reset_zoom=True)
    centre = view.mapToScene(view.viewport().rect().center())
    assert abs(centre.x() - 630) <= 2 and abs(centre.y() - 460) <= 2
    view.zoom_by(2.0)
    view.centerOn(630, 460)
    centre = view.mapToScene(view.viewport().rect().center())
    assert abs(centre.x() - 630) <= 2 and abs(centre.y() - 460) <= 2
