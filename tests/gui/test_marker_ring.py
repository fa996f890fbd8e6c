"""The selected person's marker is a hollow ring around the track point: the head it marks stays visible."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_selected_marker_leaves_the_head_visible(opened, gen, qtbot):
    from app.colors import person_color
    from app.track_overlay import SELECTED_RING

    opened.select_person(1)
    opened.set_frame(0)
    u, v = gen.TRACKS[1][0][1:]
    img = opened.frame_view.render_image()
    for du, dv in ((0, -5), (0, -8), (-6, 0), (-8, -3)):  # around the point (away from its trail): the frame
        c = img.pixelColor(u + du, v + dv)
        assert abs(c.red() - gen.GREY) <= 6 and abs(c.green() - gen.GREY) <= 6 and abs(c.blue() - gen.GREY) <= 6
    ring = img.pixelColor(int(u - SELECTED_RING), v)
    want = person_color(1)
    assert abs(ring.red() - want.red()) + abs(ring.green() - want.green()) + abs(ring.blue() - want.blue()) < 90
