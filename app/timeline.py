"""The timeline: a slider over the video's frames, play/pause at the video fps, steps and jumps.

Every navigation is a QAction with its shortcut (the main window puts them in the Go menu). The timeline
never changes the current frame itself: it emits ``frame_requested`` and the window calls
:meth:`Timeline.set_frame` back, so every part of the studio follows one current frame.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


def typed_frame(text: str, indices: list[int], numbering: tuple[int, int] = (0, 1)) -> tuple[int | None, str]:
    """(video frame to show or None, what to say) for a frame number typed: one in the video's range is its own;
    another, on a clip read with a frame offset or step, is taken as the trajectory file's frame when that lands
    in the video; anything else is said, never clamped."""
    try:
        n = int(str(text).strip())
    except ValueError:
        return None, f"Go to Frame: '{str(text).strip()}' is not a frame number"
    if not indices:
        return None, ""
    lo, hi = indices[0], indices[-1]
    if lo <= n <= hi:
        return n, ""
    offset, step = numbering
    video = offset + step * n
    if (offset, step) != (0, 1) and lo <= video <= hi:
        return video, f"Trajectory file frame {n} is video frame {video} (frame offset {offset}, step {step})"
    said = f"Frame {n} is not in the video ({lo}–{hi})"
    if (offset, step) != (0, 1):
        said += f", nor is trajectory file frame {n} (video frame {video})"
    return None, said


DISABLED_GLYPH = "#6b6f76"  # a disabled button's glyph: Qt's own greying left it as bright (a walk, no video open)


def glyph_icon(kind: str, color: str = "#e3e5e8", size: int = 20) -> QIcon:
    """A light media glyph ("play", "pause", "first", "last", "back", "forward", "step", "step_back") for the dark
    theme, dimmed when its button is disabled."""
    icon = QIcon(_glyph(kind, color, size))
    icon.addPixmap(_glyph(kind, DISABLED_GLYPH, size), QIcon.Mode.Disabled)
    return icon


def _glyph(kind: str, color: str, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    s = size / 20.0

    def tri(x0, x1):  # a triangle from x0 (base) to x1 (tip), in 20-unit coordinates
        p.drawPolygon(QPolygonF([QPointF(x0 * s, 4 * s), QPointF(x0 * s, 16 * s), QPointF(x1 * s, 10 * s)]))

    if kind == "play":
        tri(6, 16)
    elif kind == "pause":
        p.drawRect(QRectF(5 * s, 4 * s, 3.5 * s, 12 * s))
        p.drawRect(QRectF(11.5 * s, 4 * s, 3.5 * s, 12 * s))
    elif kind in ("forward", "back"):
        tri(3, 10), tri(10, 17)
    elif kind in ("first", "last"):
        tri(4, 13)
        p.drawRect(QRectF(13 * s, 4 * s, 2.5 * s, 12 * s))
    elif kind in ("step", "step_back"):  # one frame: a bar and a small triangle (the "‹" "›" glyphs read tiny)
        p.drawRect(QRectF(5 * s, 5 * s, 2 * s, 10 * s))
        p.drawPolygon(QPolygonF([QPointF(9 * s, 5 * s), QPointF(9 * s, 15 * s), QPointF(15 * s, 10 * s)]))
    p.end()
    if kind in ("back", "first", "step_back"):
        pm = pm.transformed(QTransform().scale(-1, 1))
    return pm


def format_time(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes):02d}:{secs:05.2f}"


class _AnnotationTicks(QWidget):
    """A thin bar under the slider with a tick at every annotated frame of the selected person."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedHeight(6)
        self._positions: list[float] = []  # 0..1 along the slider
        self._color = QColor(200, 200, 200)

    def set_ticks(self, positions: list[float], color: QColor) -> None:
        self._positions, self._color = positions, color
        self.update()

    def paintEvent(self, event) -> None:
        if not self._positions:
            return
        p = QPainter(self)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._color)
        margin = 8.0  # roughly the slider handle's half width
        span = max(1.0, self.width() - 2 * margin)
        for x in self._positions:
            p.drawRect(QRectF(margin + x * span - 1, 0, 2, self.height()))
        p.end()


class JumpSlider(QSlider):
    """A horizontal slider where a left click off the handle jumps there (not a page step), then drags."""

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            style = self.style()
            handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                          QStyle.SubControl.SC_SliderHandle, self)
            pos = event.position().toPoint()
            if not handle.contains(pos):
                groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                              QStyle.SubControl.SC_SliderGroove, self)
                span = max(1, groove.width() - handle.width())
                x = pos.x() - groove.x() - handle.width() // 2
                self.setValue(QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span,
                                                             opt.upsideDown))
        super().mousePressEvent(event)  # on the handle now: the press grabs it and a drag scrubs


class Timeline(QWidget):
    frame_requested = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._indices: list[int] = []
        self._numbering: tuple[int, int] = (0, 1)  # the trajectory file's (offset, step), for Go to Frame
        self._pos = 0
        self._fps = 25.0
        self._annotations: list[int] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        # Play / Pause (Space) asks this first: True when another player took it (the Play tab in front
        # plays only the frames with masks, as its box says)
        self.play_key_taker: Callable[[], bool] | None = None
        self._other_on = False  # the other player (show_other_playing) is playing

        self.act_play = self._action("Play / Pause", ["Space"], self.toggle_play, "media-playback-start")
        self.act_play.setAutoRepeat(False)  # Space held: one toggle, one press of a focused button, not a train
        self.act_play.setCheckable(True)
        self.act_prev = self._action("Previous frame", ["Left"], lambda: self.step(-1))
        self.act_next = self._action("Next frame", ["Right"], lambda: self.step(1))
        self.act_prev10 = self._action("Back 10 frames", ["Shift+Left", "PgUp"], lambda: self.step(-10))
        self.act_next10 = self._action("Forward 10 frames", ["Shift+Right", "PgDown"], lambda: self.step(10))
        self.act_prev_ann = self._action("Previous annotation", ["Ctrl+Left", "["], self.previous_annotation)
        self.act_next_ann = self._action("Next annotation", ["Ctrl+Right", "]"], self.next_annotation)
        self.act_first = self._action("First frame", ["Home"], lambda: self.goto_position(0))
        self.act_last = self._action("Last frame", ["End"], lambda: self.goto_position(len(self._indices) - 1))
        # a frame by its number (a walk stepped with Ctrl+arrows to reach a skipped frame)
        self.act_goto = self._action("Go to Frame…", ["Ctrl+J"], self.ask_frame)

        self.slider = JumpSlider(Qt.Orientation.Horizontal)  # a click jumps to where it is
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows belong to the Go actions
        self.slider.valueChanged.connect(self._slider_moved)
        self.ticks = _AnnotationTicks()
        self.frame_label = QLabel("–")
        self.frame_label.setMinimumWidth(150)
        self.frame_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for act, icon, text in [
            (self.act_first, "first", ""),
            (self.act_prev_ann, None, "◆◀"),
            (self.act_prev10, "back", ""),
            (self.act_prev, "step_back", ""),
            (self.act_play, "play", ""),
            (self.act_next, "step", ""),
            (self.act_next10, "forward", ""),
            (self.act_next_ann, None, "▶◆"),
            (self.act_last, "last", ""),
        ]:
            b = QToolButton()
            b.setDefaultAction(act)
            if icon is not None:
                act.setIcon(glyph_icon(icon))
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            else:
                b.setText(text)
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setAutoRaise(True)
            b.setMinimumSize(30, 28)
            buttons.addWidget(b)
        self._play_icons = (glyph_icon("play"), glyph_icon("pause"))

        slider_box = QVBoxLayout()
        slider_box.setSpacing(0)
        slider_box.addWidget(self.slider)
        slider_box.addWidget(self.ticks)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addLayout(buttons)
        row.addLayout(slider_box, 1)
        row.addWidget(self.frame_label)
        self.setEnabled(False)

    def _action(self, text: str, keys: list[str], slot, icon: str | None = None) -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(f"{text} ({', '.join(keys)})")
        act.triggered.connect(slot)
        return act

    def go_actions(self) -> list[QAction | None]:
        """The navigation actions in menu order (None = separator)."""
        return [
            self.act_play, None, self.act_prev, self.act_next, self.act_prev10, self.act_next10, None,
            self.act_prev_ann, self.act_next_ann, None, self.act_first, self.act_last, None, self.act_goto,
        ]  # fmt: skip

    # -- state from the window ---------------------------------------------------------------
    def set_frames(self, indices, fps: float, numbering: tuple[int, int] = (0, 1)) -> None:
        """The frame indices of the open video (sorted), its frame rate and the trajectory file's numbering
        (offset, step: video frame = offset + step x file frame), which Go to Frame also takes."""
        self.pause()
        self._numbering = (int(numbering[0]), int(numbering[1]))
        self._indices = [int(i) for i in indices]
        self._fps = float(fps) if fps and fps > 0 else 25.0
        self._pos = 0
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self._indices) - 1))
        self.slider.setValue(0)
        self.slider.setPageStep(max(1, len(self._indices) // 20))
        self.slider.blockSignals(False)
        self.setEnabled(bool(self._indices))
        self._update_ticks()
        self._update_label()

    def set_frame(self, frame: int) -> None:
        """Show ``frame`` as current (no signal)."""
        if not self._indices:
            return
        self._pos = self.position_of(frame)
        self.slider.blockSignals(True)
        self.slider.setValue(self._pos)
        self.slider.blockSignals(False)
        self._update_label()

    def set_annotations(self, frames, color: QColor | None = None) -> None:
        """The frames the previous/next annotation jumps visit (the selected person's, or all)."""
        self._annotations = sorted(int(f) for f in frames)
        self._tick_color = color or QColor(190, 190, 190)
        self._update_ticks()

    @property
    def frame(self) -> int | None:
        return self._indices[self._pos] if self._indices else None

    @property
    def fps(self) -> float:
        return self._fps

    def position_of(self, frame: int) -> int:
        """The slider position of ``frame`` (the nearest frame at or before it when absent)."""
        i = bisect.bisect_right(self._indices, int(frame)) - 1
        return min(max(i, 0), len(self._indices) - 1)

    # -- navigation --------------------------------------------------------------------------
    def goto_position(self, pos: int) -> None:
        if self._indices:
            pos = min(max(int(pos), 0), len(self._indices) - 1)
            self.frame_requested.emit(self._indices[pos])

    def ask_frame(self) -> None:
        """Go ▸ Go to Frame…: asks for a frame number, the video's own (as the label shows it) or, on a clip read
        with a frame offset, the trajectory file's. A number box clamped to the video's range had turned a walk's
        file frame 8040 into video frame 80 without a word."""
        if not self._indices:
            return
        from PySide6.QtWidgets import QInputDialog

        lo, hi = self._indices[0], self._indices[-1]
        other = ", or a trajectory file frame" if self._numbering != (0, 1) else ""
        text, ok = QInputDialog.getText(self, "Go to Frame", f"Frame number ({lo}–{hi}{other}):",
                                        text=str(self.frame if self.frame is not None else lo))
        if ok:
            self.go_to_typed(text)

    def go_to_typed(self, text: str) -> str:
        """Go to the frame typed (see :func:`typed_frame`); returns what was said in the status bar, if anything."""
        frame, said = typed_frame(text, self._indices, self._numbering)
        if frame is not None:
            self.go_to_frame(frame)
        window = self.window()
        if said and hasattr(window, "statusBar"):
            window.statusBar().showMessage(said, 10000)
        return said

    def go_to_frame(self, frame: int) -> None:
        """Show ``frame``, or the nearest frame of the video at or before it."""
        if self._indices:
            self.goto_position(self.position_of(frame))

    def step(self, n: int) -> None:
        self.goto_position(self._pos + n)

    def next_annotation(self) -> None:
        if self.frame is not None:
            i = bisect.bisect_right(self._annotations, self.frame)
            if i < len(self._annotations):
                self.frame_requested.emit(self._annotations[i])

    def previous_annotation(self) -> None:
        if self.frame is not None:
            i = bisect.bisect_left(self._annotations, self.frame) - 1
            if i >= 0:
                self.frame_requested.emit(self._annotations[i])

    # -- playback ----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def toggle_play(self) -> None:
        if self._space_presses_focused_button():
            return
        if not self.playing and self.play_key_taker is not None and self.play_key_taker():
            self.act_play.setChecked(self._other_on)  # the other player plays or paused; this one stays paused
            return
        self.pause() if self.playing else self.play()

    def _space_presses_focused_button(self) -> bool:
        """Space on a focused button or check box presses it, as everywhere else (a keyboard walk's Space on Train's
        Start played the video; no button of the window could be pressed from the keyboard). Its own transport
        buttons play as before."""
        focus = QApplication.focusWidget()
        if not isinstance(focus, QAbstractButton) or not focus.isVisible() or not focus.isEnabled() \
                or focus.window() is not self.window() or self.isAncestorOf(focus):
            return False
        self.act_play.setChecked(self.playing)  # (the key toggled the checkable action: put back)
        focus.click()  # not animateClick: a key release within its 100 ms pressed the button again (a re-walk's
        return True  # quick tap on Looks right marked two frames right)

    def play(self) -> None:
        if not self._indices:
            return
        if self._pos >= len(self._indices) - 1:
            self.goto_position(0)  # at the end: play from the start
        self._timer.start(max(1, round(1000.0 / self._fps)))
        self._set_playing(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
        self._set_playing(False)

    def show_other_playing(self, on: bool) -> None:
        """Another player (the Play tab's frames with masks) started or stopped: while it plays, the button
        shows Pause, as that tab's own button does (a walk saw Pause there and ▶ here); pressing it (or Space)
        then pauses that player (:attr:`play_key_taker`)."""
        self._other_on = on
        if not self._timer.isActive():
            self.act_play.setChecked(on)
            self.act_play.setIcon(self._play_icons[1 if on else 0])

    def _set_playing(self, on: bool) -> None:
        self.act_play.setChecked(on)
        self.act_play.setIcon(self._play_icons[1 if on else 0])
        self.playing_changed.emit(on)

    def _tick(self) -> None:
        if self._pos >= len(self._indices) - 1:
            self.pause()
        else:
            self.step(1)

    # -- internals ---------------------------------------------------------------------------
    def _slider_moved(self, value: int) -> None:
        self.goto_position(value)

    def _update_label(self) -> None:
        if not self._indices:
            self.frame_label.setText("–")
            return
        frame = self._indices[self._pos]
        self.frame_label.setText(
            f"{frame}  ({self._pos + 1}/{len(self._indices)})  {format_time(frame / self._fps)}"
        )

    def _update_ticks(self) -> None:
        if not self._indices or not self._annotations:
            self.ticks.set_ticks([], QColor())
            return
        span = max(1, len(self._indices) - 1)
        lo, hi = self._indices[0], self._indices[-1]
        pos = [self.position_of(f) / span for f in self._annotations if lo <= f <= hi]
        self.ticks.set_ticks(pos, getattr(self, "_tick_color", QColor(190, 190, 190)))
