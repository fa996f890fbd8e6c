"""Draws every person's position at the current frame (interpolated), their annotated trail and label.

One QGraphicsItem paints all persons (cheap to update while scrubbing). Markers, pens and labels keep a
constant size on screen whatever the zoom; the selected person is drawn last, larger, with a white ring.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .colors import contrast_text, person_color

MARKER_RADIUS = 6.0  # screen pixels
SELECTED_RADIUS = 9.0
SELECTED_RING = 16.0  # screen pixels: the selected person's hollow ring, wider than a head at usual zooms
_MARGIN = 4000.0  # scene units around the image the item may paint into (labels at low zoom)


class _TrackGeometry:
    """A person's annotated points in pixels, as a painter path and a point list."""

    __slots__ = ("path", "points")

    def __init__(self, uv: np.ndarray):
        self.path = QPainterPath()
        self.points = QPolygonF()
        pen_down = False
        for u, v in np.asarray(uv, float).reshape(-1, 2):
            if not (math.isfinite(u) and math.isfinite(v)):
                pen_down = False  # a point beyond the horizon breaks the trail
                continue
            p = QPointF(u, v)
            self.points.append(p)
            if pen_down:
                self.path.lineTo(p)
            else:
                self.path.moveTo(p)
                pen_down = True


class TrackOverlay(QGraphicsItem):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._scene_data = None
        self._geometry: dict[int, _TrackGeometry] = {}
        self._positions: dict[int, tuple[float, float]] = {}
        self._selected: int | None = None
        self._frame: int | None = None
        self._rect = QRectF()
        self._image = QRectF()  # the frame: trails are drawn on it alone
        self.show_labels = True
        self._label_rects: dict[int, QRectF] = {}  # pid -> its label's box in the view, as last painted there
        self.show_trails = True
        self._font = QFont()
        self._font.setPointSizeF(8.5)
        self._font.setBold(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    # -- state -------------------------------------------------------------------------------
    def set_scene_data(self, scene) -> None:
        """Take a core ``Scene`` (or None): pixel trails are computed once here."""
        self.prepareGeometryChange()
        self._scene_data = scene
        self._geometry = {}
        self._positions = {}
        self._selected = None
        if scene is None:
            self._rect = QRectF()
        else:
            for pid in scene.trajectories.pids:
                _, uv = scene.pixel_track(pid)
                self._geometry[pid] = _TrackGeometry(uv)
            w, h = scene.frames.width, scene.frames.height
            self._rect = QRectF(-_MARGIN, -_MARGIN, w + 2 * _MARGIN, h + 2 * _MARGIN)
            self._image = QRectF(0, 0, w, h)
        if self._frame is not None:
            self.set_frame(self._frame)
        self.update()

    def set_frame(self, frame: int) -> None:
        self._frame = int(frame)
        if self._scene_data is None:
            self._positions = {}
        else:
            self._positions = {
                pid: (float(u), float(v))
                for pid, (u, v) in self._scene_data.persons_at(self._frame).items()
                if math.isfinite(u) and math.isfinite(v)
            }
        self.update()

    def positions(self) -> dict[int, tuple[float, float]]:
        """The drawn positions at the current frame, {pid: (u, v)} in image pixels."""
        return dict(self._positions)

    def set_selected(self, pid: int | None) -> None:
        self._selected = pid
        self.update()

    def set_show_labels(self, on: bool) -> None:
        self.show_labels = bool(on)
        self.update()

    def set_show_trails(self, on: bool) -> None:
        self.show_trails = bool(on)
        self.update()

    def label_at(self, x: float, y: float) -> int | None:
        """The person whose number label was last drawn over view pixel (x, y) (a walk clicked the numbers, not
        the dots, and nothing happened)."""
        hits = [pid for pid, box in self._label_rects.items() if pid in self._positions and box.contains(x, y)]
        return hits[-1] if hits else None  # the last drawn is on top

    def pid_at(self, u: float, v: float, radius: float) -> int | None:
        """The person drawn nearest to image point (u, v) within ``radius`` image pixels."""
        best, best_d = None, radius
        for pid, (pu, pv) in self._positions.items():
            d = math.hypot(pu - u, pv - v)
            if d <= best_d:
                best, best_d = pid, d
        return best

    # -- painting ----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self._scene_data is None:
            return
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) or 1.0
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if widget is not None:  # painted in the view (not an image rendered off screen): its labels anew
            self._label_rects = {}
        shown = [pid for pid in self._positions if pid != self._selected]
        if self._selected is not None and self._selected in self._geometry:
            shown.append(self._selected)  # drawn last: on top
        if self.show_trails:  # on the image only: a walk saw trails run far over the grey around it
            painter.save()
            painter.setClipRect(self._image)
            for pid in shown:
                self._paint_trail(painter, pid, pid == self._selected)
            painter.restore()
        # the others' markers, then their labels, then the selected person's: in a crowd the others' labels had
        # covered the selected person's ring (a walk saw it under the "11" label with person 12 selected)
        boxes = self._place_labels(painter, [p for p in shown if p in self._positions], widget) \
            if self.show_labels else {}
        for group in ([p for p in shown if p != self._selected], [p for p in shown if p == self._selected]):
            for pid in group:
                if pid in self._positions:
                    self._paint_marker(painter, pid, self._positions[pid], lod, pid == self._selected)
            for pid in group:
                if pid in boxes:
                    self._paint_label(painter, pid, boxes[pid], pid == self._selected, widget)

    def _paint_trail(self, painter: QPainter, pid: int, selected: bool) -> None:
        geom = self._geometry.get(pid)
        if geom is None or geom.points.isEmpty():
            return
        # translucent strokes wider than 1 px cost ~10x more to rasterise: thin when translucent, else opaque
        line = QPen(person_color(pid, 255 if selected else 150), 2.5 if selected else 1.0)
        line.setCosmetic(True)
        painter.setPen(line)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(geom.path)
        dots = QPen(person_color(pid, 255 if selected else 170), 5.0 if selected else 3.5)
        dots.setCosmetic(True)
        dots.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(dots)
        painter.drawPoints(geom.points)

    def _paint_marker(self, painter: QPainter, pid: int, uv, lod: float, selected: bool) -> None:
        center = QPointF(*uv)
        r = (SELECTED_RADIUS if selected else MARKER_RADIUS) / lod
        if selected:
            # a hollow ring around the point and a pin-sized dot: the head it marks stays visible
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rings = ((QColor(0, 0, 0, 160), 4.5, SELECTED_RING), (person_color(pid), 2.5, SELECTED_RING),
                     (QColor(255, 255, 255), 1.0, SELECTED_RING + 3.0))
            for color, width, radius in rings:
                pen = QPen(color, width)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.drawEllipse(center, radius / lod, radius / lod)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(255, 255, 255)))
            painter.drawEllipse(center, 1.5 / lod, 1.5 / lod)
            return
        outline = QPen(QColor(0, 0, 0, 200), 1.2)
        outline.setCosmetic(True)
        painter.setPen(outline)
        painter.setBrush(QBrush(person_color(pid)))
        painter.drawEllipse(center, r, r)

    def _place_labels(self, painter: QPainter, pids: list[int], widget=None) -> dict[int, QRectF]:
        """{pid: its label's box in view pixels}: right of and above the marker, else on another side of it where
        that side leaves the view or covers a label (or the selected person's ring) placed before; the selected
        person's first (a walk read "14 143" where person 142's number lay under 143's, and labels under the
        selected ring)."""
        target = widget if widget is not None else painter.device()
        view = QRectF(0, 0, float(target.width()), float(target.height()))
        metrics = QFontMetricsF(self._font)
        taken: dict[tuple[int, int], list[QRectF]] = {}  # the boxes placed, by the 64 px cells they touch

        def cells(b: QRectF):
            return [(i, j) for i in range(int(b.left()) // 64, int(b.right()) // 64 + 1)
                    for j in range(int(b.top()) // 64, int(b.bottom()) // 64 + 1)]

        def take(b: QRectF) -> None:
            for c in cells(b):
                taken.setdefault(c, []).append(b)

        order = sorted(pids, key=lambda p: p != self._selected)
        ring = None
        if self._selected in pids:  # reserved for the others' labels (its own sits beside it as always)
            r, at = SELECTED_RING + 4.0, painter.worldTransform().map(QPointF(*self._positions[self._selected]))
            ring = QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r)
        boxes = {}
        near_view = view.adjusted(-60, -60, 60, 60)  # markers out of sight get no label; each box is compared
        for pid in order:  # with those nearby only (a review: 300 persons took 22 ms a paint, every pair compared)
            device = painter.worldTransform().map(QPointF(*self._positions[pid]))
            if not near_view.contains(device):
                continue
            offset = (SELECTED_RADIUS if pid == self._selected else MARKER_RADIUS) + 3.0
            box = QRectF(0, 0, metrics.horizontalAdvance(str(pid)) + 8, metrics.height() + 2)
            sides = []
            for right, up in ((True, True), (False, True), (True, False), (False, False)):
                b = QRectF(box)
                if right:
                    b.moveLeft(device.x() + offset)
                else:
                    b.moveRight(device.x() - offset)
                if up:
                    b.moveBottom(device.y() - offset * 0.6)
                else:
                    b.moveTop(device.y() + offset * 0.6)
                sides.append(b)
            inside = [b for b in sides if view.contains(b)] or sides
            free = [b for b in inside if not any(b.intersects(t) for c in cells(b) for t in taken.get(c, ()))]
            chosen = (free or inside)[0]
            boxes[pid] = chosen
            take(chosen)
            if pid == self._selected and ring is not None:
                take(ring)
        return boxes

    def _paint_label(self, painter: QPainter, pid: int, box: QRectF, selected: bool, widget=None) -> None:
        """The person's number in ``box`` (view pixels, :meth:`_place_labels`)."""
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        color = person_color(pid, 255 if selected else 215)
        painter.setPen(QPen(QColor(0, 0, 0, 160), 1))
        painter.setBrush(color)
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(contrast_text(color))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(pid))
        painter.restore()
        if widget is not None:
            self._label_rects[pid] = box  # where it was drawn (view pixels): a click on it picks the person
