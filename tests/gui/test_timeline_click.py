"""A click on the timeline jumps to the frame under the cursor (not one page step towards it)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from app.timeline import Timeline


def _x_of(slider, value: int) -> int:
    """The slider's pixel column of ``value`` (the centre of the handle there), as the style lays it out."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider)
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider)
    span = groove.width() - handle.width()
    offset = QStyle.sliderPositionFromValue(slider.minimum(), slider.maximum(), value, span)
    return groove.x() + offset + handle.width() // 2


@pytest.fixture
def timeline(qtbot):
    tl = Timeline()
    qtbot.addWidget(tl)
    tl.resize(900, 60)
    tl.show()
    qtbot.waitExposed(tl)
    tl.set_frames(range(100, 300), 25.0)  # 200 frames: a page step is 10
    tl.frame_requested.connect(tl.set_frame)  # the window's part: the requested frame becomes current
    return tl


@pytest.mark.parametrize("target", [150, 37, 199, 0])
def test_a_click_jumps_to_the_frame_under_the_cursor(timeline, qtbot, target):
    asked = []
    timeline.frame_requested.connect(asked.append)
    slider = timeline.slider
    assert slider.pageStep() == 10 and slider.value() == 0
    y = slider.height() // 2
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(_x_of(slider, target), y))
    if target == 0:  # on the handle: nothing moves
        assert asked == [] and slider.value() == 0
        return
    assert abs(slider.value() - target) <= 1, f"clicked at position {target}, went to {slider.value()}"
    assert asked and abs(asked[-1] - (100 + target)) <= 1 and timeline.frame == asked[-1]


def test_a_press_off_the_handle_then_a_drag_scrubs(timeline, qtbot):
    slider = timeline.slider
    y = slider.height() // 2
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=QPoint(_x_of(slider, 120), y))
    assert abs(slider.value() - 120) <= 1
    qtbot.mouseMove(slider, QPoint(_x_of(slider, 60), y))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(_x_of(slider, 60), y))
    assert abs(slider.value() - 60) <= 1 and abs(timeline.frame - 160) <= 1


def test_go_to_frame_asks_a_number_and_goes_there(timeline, qtbot, monkeypatch):
    """A walk stepped with Ctrl+arrows to reach a skipped frame: Go ▸ Go to Frame… (Ctrl+J) asks for it."""
    from PySide6.QtWidgets import QInputDialog

    asked = []

    def get_text(parent, title, label, text=""):
        asked.append((label, text))
        return "257", True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    assert timeline.act_goto in timeline.go_actions() and timeline.act_goto.shortcut().toString() == "Ctrl+J"
    timeline.act_goto.trigger()
    assert timeline.frame == 257 and asked[0] == ("Frame number (100–299):", "100")
    timeline.go_to_frame(1000)  # past the end: the last frame
    assert timeline.frame == 299


def test_the_one_frame_buttons_are_drawn_as_the_others(timeline):
    """A walk on HiDPI screens: the "‹" "›" text buttons read much smaller than the drawn transport icons."""
    from PySide6.QtWidgets import QToolButton

    for act in (timeline.act_prev, timeline.act_next):
        assert not act.icon().isNull()
        button = next(b for b in timeline.findChildren(QToolButton) if b.defaultAction() is act)
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly


def test_the_transport_buttons_look_disabled_without_a_video(qtbot):
    """A walk started the studio without a video: Play and the step buttons looked as bright as ever, and a click
    did nothing. Disabled, their glyphs are dimmed (pixel check); with frames, bright again."""
    from PySide6.QtGui import QColor, QIcon
    from PySide6.QtWidgets import QToolButton

    timeline = Timeline()
    qtbot.addWidget(timeline)
    play = next(b for b in timeline.findChildren(QToolButton) if b.defaultAction() is timeline.act_play)

    def brightest(mode) -> int:
        image = play.icon().pixmap(20, 20, mode).toImage()
        return max(QColor(image.pixel(x, y)).lightness() for x in range(image.width()) for y in range(image.height())
                   if QColor.fromRgba(image.pixel(x, y)).alpha() > 200)

    assert not play.isEnabled() and brightest(QIcon.Mode.Disabled) < 130 < brightest(QIcon.Mode.Normal)
    timeline.set_frames([0, 1, 2], 25.0)
    assert play.isEnabled()
