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


def test_the_selected_persons_marker_and_label_are_drawn_over_the_others_labels(opened, gen, monkeypatch):
    """In a crowd the other persons' labels covered the selected person's ring (a walk: under the "11" label with
    person 12 selected): the selected person is painted after every other marker and label."""
    overlay = opened.overlay
    calls = []
    for name in ("_paint_marker", "_paint_label"):
        original = getattr(overlay, name)

        def record(painter, pid, *args, _name=name, _original=original, **kw):
            calls.append((_name, pid))
            return _original(painter, pid, *args, **kw)

        monkeypatch.setattr(overlay, name, record)
    opened.select_person(1)
    opened.set_frame(0)
    opened.frame_view.render_image()
    assert len({pid for _, pid in calls}) >= 2, calls  # another person is in view
    first_selected = min(i for i, (_, pid) in enumerate(calls) if pid == 1)
    assert all(pid == 1 for _, pid in calls[first_selected:])
    assert ("_paint_label", 1) in calls[first_selected:] and ("_paint_marker", 1) in calls[first_selected:]
