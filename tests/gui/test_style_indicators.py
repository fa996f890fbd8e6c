"""Check boxes and radio buttons stand out on the dark theme: a walk found Fusion's unchecked indicators dark
grey on dark grey ("blink overlay", "side by side", "These:"). Pixel checks on the widgets drawn with the
studio's style sheet (set on the widget, so other tests keep the default look)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QRadioButton, QWidget

from app.main import style_sheet

BACKGROUND = np.array([0x23, 0x26, 0x2B])  # the sheet's QWidget background (RGB)


def _pixels(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * img.height())
    return arr.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 3].reshape(img.height(), img.width(), 3)


def _indicator(button) -> np.ndarray:
    """The indicator's pixels (the buttons have no text)."""
    return _pixels(button).astype(int)


def test_unchecked_and_checked_indicators_stand_out(qtbot):
    box = QWidget()
    box.setStyleSheet(style_sheet())
    row = QHBoxLayout(box)
    buttons = {"cb_off": QCheckBox(), "cb_on": QCheckBox(), "rb_off": QRadioButton(), "rb_on": QRadioButton()}
    for name, b in buttons.items():
        b.setChecked(name.endswith("_on"))
        # the focus frame is drawn blue too; which widget has focus depends on the tests run before in the
        # process (an unchecked box with focus: 5 blue px under pytest-xdist)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(b)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    for name, b in buttons.items():
        px = _indicator(b)
        outline = int((np.abs(px - BACKGROUND).sum(axis=2) > 150).sum())  # Fusion's own: 4 px, a light corner
        assert outline >= 20, f"{name}: only {outline} px of its indicator stand out from the background"
        blue = ((px[..., 2] > px[..., 0] + 60) & (px[..., 2] > 150)).sum()
        white = (px.min(axis=2) > 220).sum()
        if name.endswith("_on"):  # a blue fill with a white tick or dot
            assert blue >= 20 and white >= 4, f"{name}: blue {blue} px, white {white} px"
        else:
            # (a full suite once drew 5 blue px on an unchecked box, focus policy off: an edge of the
            # hover or focus frame; a checked one has 20 and more)
            assert blue < 12, f"{name}: unchecked yet {blue} blue px"


def test_a_disabled_check_boxs_words_are_dimmed(qtbot):
    """A walk read the Export dialog's "Also write the frames (JPEG; COCO only)" as on under DAVIS: its indicator
    dimmed, its words as bright as an enabled box's."""
    box = QWidget()
    box.setStyleSheet(style_sheet())
    row = QHBoxLayout(box)
    on, off = QCheckBox("MMMM WWWW"), QCheckBox("MMMM WWWW")
    off.setEnabled(False)
    for b in (on, off):
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(b)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    def ink(b) -> float:  # the words' pixels (right of the indicator), their typical brightness
        level = _pixels(b).astype(int)[:, 22:].sum(axis=2)
        return float(np.percentile(level[level > BACKGROUND.sum() + 60], 75))

    bright = [ink(b) for b in (on, off)]
    assert bright[1] < 0.7 * bright[0], bright
