"""The Review panel's info line keeps the height its text needs (a walk's fourth line was cut in half)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_a_long_note_gets_the_lines_it_needs_and_a_short_one_its_floor(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from app.wrap_label import WrapLabel

    holder = QWidget()
    qtbot.addWidget(holder)
    lay = QVBoxLayout(holder)
    label = WrapLabel(lines=3)
    lay.addWidget(label)
    lay.addStretch(1)
    holder.resize(220, 400)
    holder.show()
    floor = 3 * label.fontMetrics().lineSpacing() + 2
    label.setText("short")
    qtbot.waitUntil(lambda: label.minimumHeight() == floor)
    label.setText(" ".join(["a long note about who stands in front of this person"] * 6))
    qtbot.waitUntil(lambda: label.minimumHeight() > 2 * floor)  # six sentences at 220 px: many lines
    qtbot.waitUntil(lambda: label.height() >= label.minimumHeight())  # laid out whole, not cut
    label.setText("short again")
    qtbot.waitUntil(lambda: label.minimumHeight() == floor)
