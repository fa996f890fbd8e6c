"""The Review panel's status chips keep their rows while the width stays: a walk saw the proposal view jump a
row up and down between persons as a skipped count came and went."""

from __future__ import annotations

import pytest

from humanseg_core.records import Skip

pytestmark = pytest.mark.gui


def test_the_chips_keep_their_rows_until_the_width_changes(qtbot):
    from app.review.status_counts import StatusCounts

    counts = StatusCounts()
    qtbot.addWidget(counts)
    counts.resize(300, 40)
    counts.show()
    qtbot.waitExposed(counts)
    counts.set_counts({"pending": 3, "accepted": 1})
    bare = counts.minimumHeight()
    assert bare == counts.layout().heightForWidth(300) > 0
    counts.set_skips([Skip(10, 1, "hidden behind person 2")])
    counts.trained_label.setText("run 7 trained on 12 pending proposals too, unreviewed by anyone")
    counts.set_counts({"pending": 3, "accepted": 1})
    more = counts.minimumHeight()
    assert more > bare  # the two labels took a row
    counts.set_skips([])
    counts.trained_label.setText("")
    counts.set_counts({"pending": 0, "accepted": 4})
    assert counts.minimumHeight() == more  # the next person: the rows stay
    counts.resize(900, 40)  # another width: the rows it needs now
    qtbot.waitUntil(lambda: counts.minimumHeight() < more)
    assert counts.minimumHeight() == counts.layout().heightForWidth(900)


def test_the_chips_keep_their_places_as_the_counts_grow(qtbot):
    """A walk: reviewing a person, its pills reflowed into two or three rows as "accepted 0" became
    "accepted 14", and the buttons below moved while it clicked them."""
    from app.review.status_counts import StatusCounts

    counts = StatusCounts()
    qtbot.addWidget(counts)
    counts.resize(420, 60)
    counts.show()
    qtbot.waitExposed(counts)
    counts.set_counts({"pending": 16})
    qtbot.wait(50)
    before = {s: b.geometry() for s, b in counts.buttons.items()}
    counts.set_counts({"pending": 2, "accepted": 11, "rejected": 2, "edited": 1})
    qtbot.wait(50)
    assert {s: b.geometry() for s, b in counts.buttons.items()} == before
