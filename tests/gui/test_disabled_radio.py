"""While a job runs its settings are disabled: a checked radio button looked exactly like an unchecked one
(the style sheet's disabled background covered the checked dot), so a walk could not see which persons or
range the running job used. Pixel check of the indicator."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _indicator_brightness(qtbot, checked: bool) -> float:
    from PySide6.QtWidgets import QRadioButton

    r = QRadioButton("x")
    qtbot.addWidget(r)
    r.setChecked(checked)
    r.setEnabled(False)
    r.resize(60, 24)
    image = r.grab().toImage()
    h = image.height()
    values = [image.pixelColor(x, y).lightness() for x in range(2, 16) for y in range(h // 2 - 3, h // 2 + 4)]
    return sum(values) / len(values)


def test_a_disabled_radio_shows_whether_it_is_on(qtbot, qapp):
    from app.main import style_sheet

    before = qapp.styleSheet()
    qapp.setStyleSheet(style_sheet())
    try:
        on, off = _indicator_brightness(qtbot, True), _indicator_brightness(qtbot, False)
    finally:
        qapp.setStyleSheet(before)
    assert on > off + 15, (on, off)
