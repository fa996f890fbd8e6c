"""The playback panel: play the video with a person's masks overlaid, to judge a segmentation by eye.

Choose which masks to show (proposals, accepted masks, results: of the run picked in *Run*, the newest with
results by default; see :mod:`.run_picker`), the colour, the opacity and an outline;
play at 0.25x..4x; *blink* alternates the overlay on and off (the eye catches what the mask misses or
adds), *side by side* shows ``frame | frame + mask`` in the panel. The overlay goes to the main window's
frame view through ``frame_view.set_mask_overlay``; the panel follows the window's current frame
(:meth:`show_frame`, connected to ``frame_changed``) and moves it with the ``seek`` callable.

*Zoom on person* makes the frame view follow the selected person: centred on the track point (shifted to
the body's centre as the person's masks show it) at a zoom that fits the person's expected height
(``set_locator``: frame -> (u, v, expected height px) or None), and crops the side-by-side view around the
mask. Without a locator (no scene) it frames the mask of the frame shown.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from humanseg_core.export.mp4 import render_overlay, side_by_side

from ..flow_layout import FlowLayout
from ..timeline import glyph_icon  # drawn icons: the "⏸" character has no glyph in common fonts
from ..worker import JobWorker
from .run_picker import RunPicker
from .run_text import play_info

SOURCES = [("results", "Results (segmentation)"), ("accepted", "Accepted masks"), ("proposals", "Proposals")]
SPEEDS = [0.25, 0.5, 1.0, 2.0, 4.0]
LAYER = "segmentation"
OUTLINE_LAYER = "segmentation-outline"
BLINK_MS = 350
DEFAULT_COLOR = QColor(255, 190, 0)
#: the followed window's height, in expected person heights (the body plus room around it)
FOLLOW_HEIGHTS = 1.6
#: before any mask says where the body is relative to the track point (head or feet annotated): a taller
#: window centred on the point, so the person is inside either way
FOLLOW_HEIGHTS_UNKNOWN = 2.4
Locator = Callable[[int], tuple[float, float, float] | None]


def person_window(mask: np.ndarray, margin: float = 0.6, min_side: int = 64) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1): a window around the mask's box, ``margin`` of its larger side added each way."""
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    cy, cx = (ys.min() + ys.max()) / 2, (xs.min() + xs.max()) / 2
    half = max(min_side / 2, (1 + 2 * margin) * max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / 2)
    y0, x0 = int(max(0, cy - half)), int(max(0, cx - half * 0.75))
    return y0, int(min(h, cy + half + 1)), x0, int(min(w, cx + half * 0.75 + 1))


def _side_by_side_job(read_frame, frame_index: int, mask, bgr_colour, opacity: float, outline: bool, zoom: bool):
    """Job factory: the side-by-side picture (BGR) of one frame, or a message when it cannot be read."""

    def job(cancel):
        try:
            frame = read_frame(frame_index)
        except Exception as exc:  # a bad frame: say so in place of the picture
            return f"frame {frame_index}: {exc}"
        cancel.raise_if_cancelled()
        shown = render_overlay(frame, mask, bgr_colour, opacity, outline)
        if zoom and mask is not None and mask.any():
            y0, y1, x0, x1 = person_window(mask)
            frame, shown = frame[y0:y1, x0:x1], shown[y0:y1, x0:x1]
        return side_by_side(frame, shown, gap=6)
        yield  # a generator job (no progress: one frame)

    return job


class PlaybackPanel(QWidget):
    frame_requested = Signal(int)
    run_changed = Signal(int)  # the analyst picked the run whose results to show (the controller loads them)
    color_changed = Signal(QColor)  # the overlay's colour (the MP4 export draws with it too)

    def __init__(self, frame_view=None, seek: Callable[[int], None] | None = None,
                 read_frame: Callable[[int], np.ndarray] | None = None, parent=None):
        super().__init__(parent)
        self.frame_view = frame_view
        self._seek = seek
        self._read_frame = read_frame
        self._masks: dict[str, Mapping[int, np.ndarray]] = {k: {} for k, _ in SOURCES}
        self._beyond: list[tuple[int, int]] = []  # the person's frames beyond its annotations (extrapolated)
        # its annotated frames skipped as hidden (no label there), its frames with the point outside the image
        self._hidden: list[tuple[int, int]] = []
        self._outside: list[tuple[int, int]] = []
        self._sbs_worker: JobWorker | None = None  # renders the side-by-side picture off the GUI thread
        self._indices: list[int] = []
        self._fps = 25.0
        self._frame: int | None = None
        self._color = QColor(DEFAULT_COLOR)
        self._color_picked = False  # the analyst chose a colour: it wins over the person's marker colour
        self._pid: int | None = None  # whose masks these are (named on the info line)
        self._on_screen = True  # False while another tab covers the panel's dock (it stays isVisible)
        self._blink_on = True
        self._locate: Locator | None = None
        self._body_offset: float | None = None  # (body centre row - track point row) / expected height
        self._build()

    def _build(self) -> None:
        self.source = QComboBox()
        for key, text in SOURCES:
            self.source.addItem(text, key)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.run_box = RunPicker()  # which run's results (Show: Results); the controller fills it
        self.run_box.run_picked.connect(self.run_changed)
        self.color_btn = QPushButton()
        self.color_btn.setFixedWidth(48)
        self.color_btn.setToolTip("Overlay colour")
        self.color_btn.clicked.connect(self._pick_color)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(45)
        self.opacity.valueChanged.connect(self._refresh)
        self.opacity_label = QLabel("45%")
        self.outline = QCheckBox("outline")
        self.outline.setChecked(True)
        self.outline.toggled.connect(self._refresh)
        look = QHBoxLayout()
        look.addWidget(self.color_btn)
        look.addWidget(self.opacity, 1)
        look.addWidget(self.opacity_label)
        look.addWidget(self.outline)

        self.play_btn = QPushButton(glyph_icon("play"), "Play")
        self.play_btn.setCheckable(True)
        self.play_btn.toggled.connect(self._play_toggled)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(self._update_interval)
        self.masked_only = QCheckBox("only frames with masks")
        self.masked_only.setChecked(True)
        play = QHBoxLayout()
        play.addWidget(self.play_btn)
        play.addWidget(self.speed)
        play.addWidget(self.masked_only, 1)

        self.blink = QCheckBox("blink overlay")
        self.blink.setToolTip("Alternate the overlay on and off to compare the mask with the pixels under it")
        self.blink.toggled.connect(self._blink_toggled)
        self.sbs = QCheckBox("side by side")
        self.sbs.setToolTip("Show frame | frame + mask below")
        self.sbs.toggled.connect(self._refresh)
        self.zoom = QCheckBox("zoom on person")
        self.zoom.setToolTip("Follow the selected person in the video at a zoom that fits their height; side by "
                             "side shows a window around the mask instead of the whole frame")
        self.zoom.toggled.connect(self._zoom_toggled)
        compare = FlowLayout()  # three check boxes wrap in a narrow dock
        compare.addWidget(self.blink)
        compare.addWidget(self.sbs)
        compare.addWidget(self.zoom)

        form = QFormLayout()
        form.addRow("Show", self.source)
        form.addRow("Run", self.run_box)
        self._form = form
        form.addRow("Look", look)
        form.addRow("Play", play)
        form.addRow("Compare", compare)
        self.info = QLabel("")
        self.info.setWordWrap(True)  # the person's name and the counts: the dock stays narrow
        self.sbs_view = QLabel()
        self.sbs_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sbs_view.setMinimumHeight(90)
        self.sbs_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.sbs_view.setStyleSheet("QLabel { background: #18191d; }")
        self.sbs_view.hide()
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.info)
        lay.addWidget(self.sbs_view, 1)
        lay.addStretch(0)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.blink_timer = QTimer(self)
        self.blink_timer.setInterval(BLINK_MS)
        self.blink_timer.timeout.connect(self._blink_tick)
        self._paint_color_btn()

    # -- data ---------------------------------------------------------------------------------
    def set_video(self, indices, fps: float) -> None:
        """The video's frame indices and frame rate (playback steps through them)."""
        self._indices = sorted(int(i) for i in indices)
        self._fps = float(fps) if fps and fps > 0 else 25.0
        self._update_interval()

    def set_masks(self, kind: str, masks: Mapping[int, np.ndarray] | None) -> None:
        """The masks of one source ({frame: bool mask}, e.g. a ``LazyMasks`` that decodes only the frame
        shown: kept as given, never copied); ``None`` or ``{}`` clears it."""
        if kind not in self._masks:
            raise ValueError(f"unknown mask source {kind!r}")
        self._masks[kind] = masks if masks is not None else {}
        self._refresh()

    def set_person(self, pid: int | None) -> None:
        """Whose masks are shown: the info line names the person (a walk could not tell from the tab)."""
        self._pid = pid
        self._refresh()

    def set_beyond(self, ranges, hidden=(), outside=()) -> None:
        """Frame ranges (first, last) named on the info line: beyond the only annotation of a person annotated
        once (``Scene.beyond_annotations``, `humanseg run`'s ``guessed_frames``: a walk's person drifted onto a
        neighbour there), ``hidden`` (``labels.hidden_stretches``), ``outside`` (``Scene.outside_image``)."""
        self._beyond, self._hidden, self._outside = ([(int(a), int(b)) for a, b in r or ()]
                                                     for r in (ranges, hidden, outside))
        self._refresh()

    def set_runs(self, choices, run_id: int | None) -> None:
        """The selected person's runs with results (``RunChoice``s, newest first) and the one shown."""
        self.run_box.set_choices(choices, run_id)

    def _source_changed(self, *_a) -> None:
        self._form.setRowVisible(self.run_box, self.current_source() == "results")
        self._refresh()

    def set_source(self, kind: str) -> None:
        self.source.setCurrentIndex(self.source.findData(kind))

    def current_source(self) -> str:
        return self.source.currentData()

    def color(self) -> QColor:
        """The overlay's colour."""
        return QColor(self._color)

    def set_color(self, color: QColor) -> None:
        self._color = QColor(color)
        self._paint_color_btn()
        self._refresh()
        self.color_changed.emit(QColor(self._color))

    def set_person_color(self, color: QColor | None) -> None:
        """The selected person's marker colour (the Whole scene overlay's), the overlay's colour unless the
        analyst picked one; ``None``: no person, the default colour."""
        if not self._color_picked:
            self.set_color(QColor(DEFAULT_COLOR) if color is None else color)

    def set_frame_reader(self, read_frame: Callable[[int], np.ndarray] | None) -> None:
        self._read_frame = read_frame

    def set_locator(self, locate: Locator | None) -> None:
        """Where the selected person is: ``locate(frame) -> (u, v, expected height px)`` or None (another
        person or none: the learnt body offset starts afresh)."""
        self._locate = locate
        self._body_offset = None
        self._follow()

    def current_mask(self) -> np.ndarray | None:
        if self._frame is None:
            return None
        return self._masks[self.current_source()].get(self._frame)

    # -- following the window's frame ---------------------------------------------------------
    def show_frame(self, frame: int) -> None:
        """Called on every frame change: updates the overlay (and the side-by-side view)."""
        self._frame = int(frame)
        self._refresh()

    def _refresh(self) -> None:
        self.opacity_label.setText(f"{self.opacity.value()}%")
        masks = self._masks[self.current_source()]
        mask = self.current_mask()
        visible = mask is not None and (self._blink_on or not self.blink.isChecked())
        if self.frame_view is not None:
            color = QColor(self._color)
            self.frame_view.set_mask_overlay(LAYER, mask if visible else None, color, self.opacity.value() / 100)
            edge = mask if visible and self.outline.isChecked() else None
            self.frame_view.set_outline_overlay(OUTLINE_LAYER, edge, color)
        labels = self._masks.get("accepted") or {}  # the analyst's V there: the result is withheld, and said so
        marked = mask is not None and self._frame in labels and not mask.any() and not labels[self._frame].any()
        self.info.setText(play_info(self._pid, masks, mask, self._frame, self._beyond, self._hidden, self._outside,
                                    labels=self.current_source() == "accepted", marked=marked))
        self.sbs_view.setVisible(self.sbs.isChecked())
        if self.sbs.isChecked():
            self._update_side_by_side(mask)
        self._follow()

    # -- zoom on person -----------------------------------------------------------------------
    def _zoom_toggled(self, on: bool) -> None:
        if not on and self.frame_view is not None:
            self.frame_view.fit()
        self._refresh()

    def person_region(self) -> tuple[float, float, float, float] | None:
        """(cx, cy, width, height) of the image window that zoom on person shows at the current frame."""
        if self._frame is None:
            return None
        mask = self.current_mask()
        box = None
        if mask is not None and np.any(mask):
            ys, xs = np.nonzero(mask)
            box = (float(xs.min()), float(ys.min()), float(xs.max()) + 1, float(ys.max()) + 1)
        where = self._locate(self._frame) if self._locate is not None else None
        if where is None:
            if box is None:
                return None
            x0, y0, x1, y1 = box  # no track here: frame the mask itself
            h = FOLLOW_HEIGHTS * max(y1 - y0, (x1 - x0) * 2)
            return (x0 + x1) / 2, (y0 + y1) / 2, h * 0.75, h
        u, v, height = where
        if not (height > 0):
            return None
        if box is not None:  # where the body is relative to the point (head or feet annotated), kept, smoothed
            seen = ((box[1] + box[3]) / 2 - v) / height
            old = self._body_offset
            self._body_offset = seen if old is None else 0.7 * old + 0.3 * seen
        if self._body_offset is None:
            h = FOLLOW_HEIGHTS_UNKNOWN * height
            return u, v, h * 0.75, h
        h = FOLLOW_HEIGHTS * height
        # the track point kept in the window, 0.2 of a height in from its edge: a mask on a neighbour had drawn the
        # window off it (a crowd walk's person's marker sat at the bottom edge)
        reach = FOLLOW_HEIGHTS / 2 - 0.2
        return u, v + float(np.clip(self._body_offset, -reach, reach)) * height, h * 0.75, h

    def _follow(self) -> None:
        """Zoom on person: the frame view follows the person (only while this panel is on screen)."""
        if self.frame_view is None or not self.zoom.isChecked() or not self.isVisible() or not self._on_screen:
            return
        region = self.person_region()
        if region is not None:
            self.frame_view.show_region(*region)

    def _update_side_by_side(self, mask) -> None:
        """Read the frame and render the side-by-side picture in a background job (the newest wins)."""
        if self._sbs_worker is not None:
            self._sbs_worker.cancel()
            self._sbs_worker = None
        if self._read_frame is None or self._frame is None:
            self.sbs_view.setText("no frame")
            return
        c = self._color
        job = _side_by_side_job(self._read_frame, self._frame, mask, (c.blue(), c.green(), c.red()),
                                self.opacity.value() / 100, self.outline.isChecked(), self.zoom.isChecked())

        def finished(out) -> None:
            if self._sbs_worker is not worker:
                return
            if isinstance(out, str):  # a bad frame: say so in place of the picture
                self.sbs_view.setText(out)
            else:
                self.set_side_by_side_image(out)

        worker = JobWorker(job, name="Side by side", parent=self, on_finished=finished, writes=False)
        self._sbs_worker = worker
        worker.start()

    def sbs_pending(self) -> bool:
        """True while the side-by-side picture of the current frame is being rendered."""
        return self._sbs_worker is not None and self._sbs_worker.running

    def set_side_by_side_image(self, bgr: np.ndarray) -> None:
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self._sbs_image = image
        target = self.sbs_view.size()
        pix = QPixmap.fromImage(image)
        if target.width() > 10 and target.height() > 10:
            pix = pix.scaled(target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.sbs_view.setPixmap(pix)

    def side_by_side_image(self) -> QImage | None:
        return getattr(self, "_sbs_image", None) if self.sbs.isChecked() else None

    # -- playing ------------------------------------------------------------------------------
    def speed_factor(self) -> float:
        return float(self.speed.currentData())

    def _update_interval(self) -> None:
        self.timer.setInterval(max(1, int(round(1000.0 / (self._fps * self.speed_factor())))))

    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        self.play_btn.setChecked(True)

    def pause(self) -> None:
        self.play_btn.setChecked(False)

    def take_play_key(self) -> bool:
        """Play / Pause (Space) while this tab is in front: this panel plays (its frames with masks) or pauses,
        and True; otherwise False (the timeline plays the whole video)."""
        if not (self._on_screen and self.isVisible()) or not self._masks[self.current_source()]:
            return False
        self.play_btn.toggle()
        return True

    def _play_toggled(self, on: bool) -> None:
        self.play_btn.setText("Pause" if on else "Play")
        self.play_btn.setIcon(glyph_icon("pause" if on else "play"))
        if on:
            self._update_interval()
            self.timer.start()
        else:
            self.timer.stop()

    def playback_frames(self) -> list[int]:
        """The frames playback visits: the video's frames, limited to the span with masks if asked."""
        masks = self._masks[self.current_source()]
        frames = self._indices or sorted(masks)
        if self.masked_only.isChecked() and masks:
            lo, hi = min(masks), max(masks)
            frames = [f for f in frames if lo <= f <= hi]
        return frames

    def next_frame(self) -> int | None:
        frames = self.playback_frames()
        if not frames:
            return None
        if self._frame is None:
            return frames[0]
        i = bisect.bisect_right(frames, self._frame)
        return frames[i] if i < len(frames) else frames[0]  # loop

    def _tick(self) -> None:
        nxt = self.next_frame()
        if nxt is None:
            self.pause()
            return
        self.frame_requested.emit(nxt)
        if self._seek is not None:
            self._seek(nxt)
        else:
            self.show_frame(nxt)

    # -- blink and colour ---------------------------------------------------------------------
    def _blink_toggled(self, on: bool) -> None:
        self._blink_on = True
        if on:
            self.blink_timer.start()
        else:
            self.blink_timer.stop()
        self._refresh()

    def _blink_tick(self) -> None:
        self._blink_on = not self._blink_on
        self._refresh()

    def overlay_visible(self) -> bool:
        return self.current_mask() is not None and (self._blink_on or not self.blink.isChecked())

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(self._color, self, "Overlay colour")
        if color.isValid():
            self._color_picked = True
            self.set_color(color)

    def _paint_color_btn(self) -> None:
        self.color_btn.setStyleSheet(f"QPushButton {{ background: {self._color.name()}; border: 1px solid #888; }}")

    def showEvent(self, event) -> None:  # Qt's name
        super().showEvent(event)
        self._follow()

    def own_masks_shown(self) -> int | None:
        """The person whose labels or proposals Play draws now (its tab in front, on another source than results),
        else None: the Whole scene overlay leaves that person out (``run_follow``)."""
        shown = self._on_screen and self.isVisible() and self.current_source() != "results"
        return self._pid if shown else None

    def set_on_screen(self, on: bool) -> None:
        """The dock's tab selected (True) or another tab over it (False; Qt only covers a tabbed dock).  Zoom on
        person is Play's view: the other tabs see the whole frame, and Play follows the person again."""
        self._on_screen = bool(on)
        if on:
            self._follow()
        elif self.zoom.isChecked() and self.frame_view is not None:
            self.frame_view.fit()

    def hideEvent(self, event) -> None:  # Qt's name
        self.pause()
        super().hideEvent(event)
