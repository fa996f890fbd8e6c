"""The filmstrip's thumbnail of an edited proposal is cut around the new mask: a label drawn by hand begins
with an empty mask, and its saved thumbnail showed the frame's corner (a dark square, a walk)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_an_edited_masks_thumbnail_is_cut_around_the_new_mask(qtbot):
    from app.review.filmstrip import Filmstrip
    from humanseg_core.project.thumbnails import BACKGROUND, THUMB_H, THUMB_W

    frame = np.full((240, 320, 3), 255, np.uint8)
    empty = np.zeros((240, 320), bool)
    strip = Filmstrip(read_frame=lambda f: frame, load_mask=lambda pid: empty)
    qtbot.addWidget(strip)
    hand = SimpleNamespace(id=7, frame=10, status="pending", box=(0, 0, 0, 0), pid=3, source="hand")
    strip.set_proposals([hand])
    assert strip.render_all(timeout_s=10)
    mask = empty.copy()
    mask[150:210, 200:230] = True  # what the analyst drew, far from the empty box's corner
    strip.set_status(7, "edited", mask)
    assert strip.render_all(timeout_s=10)
    image = strip._cache[7][1]
    centre = image.pixelColor(THUMB_W // 2, THUMB_H // 2)
    assert (centre.red(), centre.green(), centre.blue()) != (BACKGROUND,) * 3
    tint_b, tint_g, tint_r = strip.tint_bgr
    expected = (int(0.55 * 255 + 0.45 * tint_r), int(0.55 * 255 + 0.45 * tint_g), int(0.55 * 255 + 0.45 * tint_b))
    assert max(abs(a - b) for a, b in zip((centre.red(), centre.green(), centre.blue()), expected)) <= 12


def test_proposals_made_again_get_new_thumbnails(qtbot, tmp_path):
    """A walk generated a person's proposals again: the review showed the new masks, the filmstrip the old
    ones (a pending proposal made again keeps its id) until the project was opened again."""
    from fakes import rect_mask
    from test_review import H, W, review_panel, review_project

    from humanseg_core.records import Proposal

    for project in review_project(tmp_path):
        panel = review_panel(qtbot, project)
        strip = panel.filmstrip
        assert strip.render_all(timeout_s=10)
        first = next(p for p in project.proposals(1, with_masks=False) if p.frame == 10)
        before = strip._cache[first.id][1].copy()
        again = Proposal(frame=10, pid=1, box=(0, 0, W, H), mask=rect_mask((H, W), 0, 0, W, H), source="bgs:test")
        project.add_proposals([again])
        assert again.id == first.id  # replaced in place
        panel.refresh()  # a refresh alone (Fix frame, Label here) keeps the thumbnails (a review)
        assert strip._cache[first.id][1] == before and strip.thumbnails_pending() == 0
        panel.refresh(masks_changed=True)  # after Generate (ReviewController._generated)
        assert strip.render_all(timeout_s=10)
        assert strip._cache[first.id][1] != before
