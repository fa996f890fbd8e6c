"""The large canvas of the review panel: one frame, the proposal's mask over it, zoomed on the person.

The zoom level is kept when moving from one proposal to the next (only the centre follows the person),
so an analyst who zoomed in once stays zoomed in. In edit mode the view reports mouse strokes in image
coordinates (``stroke_*`` signals) and shows the brush as a circle; otherwise dragging pans.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from ..colors import person_rgb
from ..frame_view import outline_path, outline_pen
from ..scene_overlay import compose, to_qimage

MASK_COLOR = (255, 190, 0)  # amber: visible on grass, asphalt and clothes alike
OTHERS_ALPHA = 0.18  # other persons' proposals on the same frame: each in its own colour, faint inside
MASK_ALPHA = 0.45
OUTLINE_PX = 1.5  # the mask's outline, in screen pixels at any zoom
# with the fill off the outline alone shows the person under review: wider than the others' outlines (a walk
# found it the thinnest on screen)
OUTLINE_ALONE_PX = 2.5
ZOOM_STEP = 1.25  # one wheel notch (and Zoom In / Out while the Review view is in use: app.zoom_target)
ZOOM_MARGIN = 0.6  # fraction of the box's larger side added around it when zooming on a person
SCROLL_PAST = 0.5  # how far past the frame's edge the view may scroll, as a share of its larger side
# the smallest side (px) a box counts as when zooming: a person cut by the frame's edge (only the legs at the
# top of the demo's first frame) set a 20x zoom of a blur for every later proposal of that person (a walk)
ZOOM_MIN_SIDE = 45.0  # (at most 0.1 of the frame's larger side)


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    """A deep-copied QImage of a BGR uint8 (H, W, 3) array (or a grey (H, W) one)."""
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    rgb = np.ascontiguousarray(frame[:, :, ::-1])
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def mask_outline(mask: np.ndarray, width: int = 1) -> np.ndarray:
    """The boundary pixels of a bool mask (inside pixels that touch the outside)."""
    m = mask.astype(np.uint8)
    eroded = cv2.erode(m, np.ones((2 * width + 1, 2 * width + 1), np.uint8), borderType=cv2.BORDER_CONSTANT)
    return (m > 0) & (eroded == 0)


def overlay_rgba(mask: np.ndarray, color, alpha: float, outline_width: int = 1) -> QImage:
    """An RGBA QImage: ``color`` at ``alpha`` inside the mask, fully opaque on its outline."""
    h, w = mask.shape
    rgba = np.zeros((h, w, 4), np.uint8)
    inside = mask.astype(bool)
    rgba[inside, :3] = color
    rgba[inside, 3] = int(round(255 * alpha))
    if outline_width > 0:
        edge = mask_outline(inside, outline_width)
        rgba[edge, :3] = color
        rgba[edge, 3] = 255
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def _top_middle(mask: np.ndarray) -> tuple[float, float] | None:
    """(x, y) of the middle of a mask's top row, or None for an empty mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(mask[rows[0]])
    return (float(cols[0] + cols[-1] + 1) / 2, float(rows[0]))


class ProposalView(QGraphicsView):
    """Frame + mask overlay + other persons' masks + box + track point; wheel zoom, kept across frames."""

    stroke_started = Signal(float, float)
    stroke_moved = Signal(float, float)
    stroke_finished = Signal()
    zoom_changed = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(32, 32, 32))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(240, 120)  # 200 made the studio 629 px tall at least: a 1024x600 screen lost its tabs
        sc = self.scene()
        self._frame_item = QGraphicsPixmapItem()
        self._others_item = QGraphicsPixmapItem()
        self._mask_item = QGraphicsPixmapItem()
        for z, item in enumerate((self._frame_item, self._others_item, self._mask_item)):
            item.setZValue(z)
            sc.addItem(item)
        self.set_pixelated(False)  # smooth zoom by default; P shows the pixels
        self._box_item = QGraphicsRectItem()
        pen = QPen(QColor(255, 255, 255, 200), 0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._box_item.setPen(pen)
        self._box_item.setZValue(3)
        sc.addItem(self._box_item)
        # the track point: a ring of constant screen size (does not hide the head it marks)
        self._point_item = QGraphicsEllipseItem(-7, -7, 14, 14)
        ppen = QPen(QColor(255, 40, 40), 2)
        self._point_item.setPen(ppen)
        self._point_item.setFlag(QGraphicsEllipseItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self._point_item.setZValue(4)
        dot = QGraphicsEllipseItem(-1.5, -1.5, 3, 3, self._point_item)
        dot.setPen(QPen(Qt.PenStyle.NoPen))
        dot.setBrush(QBrush(QColor(255, 40, 40)))
        sc.addItem(self._point_item)
        self._brush_item = QGraphicsEllipseItem()
        bpen = QPen(QColor(255, 255, 255), 0)
        bpen.setCosmetic(True)
        self._brush_item.setPen(bpen)
        self._brush_item.setZValue(6)
        self._brush_item.setVisible(False)
        sc.addItem(self._brush_item)
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._zoom: float | None = None  # kept across proposals once set
        self._user_zoomed = False  # until the analyst zooms, a resize re-fits the person
        self._focus: QRectF | None = None
        self._box: tuple | None = None
        self._image_size: tuple[int, int] | None = None
        self._edit_mode = False
        self._brush_radius = 5.0
        self._stroking = False
        self.stroke_inverted = False  # the last stroke was made with the right button or Shift
        # the mask's outline: a line of constant screen width at any zoom (a ring one image pixel wide was
        # several screen pixels on small people zoomed in, and hid their limbs)
        self._outline_item = QGraphicsPathItem()
        self._outline_item.setZValue(2.5)
        self._outline_item.setPos(0.5, 0.5)  # pixel centres: the frame's pixel (x, y) covers [x, x + 1)
        sc.addItem(self._outline_item)
        self._path_item = QGraphicsPathItem()
        lpen = QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine)
        lpen.setCosmetic(True)
        self._path_item.setPen(lpen)
        self._path_item.setZValue(7)
        sc.addItem(self._path_item)
        self._dots: list[QGraphicsEllipseItem] = []  # refine clicks
        self.mask_color = MASK_COLOR
        self.mask_alpha = MASK_ALPHA
        self._mask: np.ndarray | None = None  # the mask drawn (redrawn when the fill is turned off or on)
        self._others_drawn: tuple = ((), (0, 0), {})  # the other persons' masks, the frame's shape, their points

    # -- content -------------------------------------------------------------------------------
    def set_content(self, frame: np.ndarray | None, mask: np.ndarray | None, box=None, point=None,
                    others=(), image_size: tuple[int, int] | None = None, pid: int | None = None,
                    other_points: dict | None = None) -> None:
        """Show ``frame`` (BGR) with ``mask`` over it; ``others`` is [(pid, mask, box)] of other persons;
        ``other_points`` {pid: (u, v)}: the annotated persons without a proposal here, marked at their points (a
        walk's blob over three people, skipped as hidden, showed none of them).
        ``pid``: the person the mask is of, drawn in its colour as Play and the Scene tab draw it (amber
        when not given: in amber, a person beside one in a yellow read as one person).

        When the frame cannot be read pass ``frame=None`` and the image size: a dark placeholder is shown.
        """
        if frame is not None:
            self._frame_item.setPixmap(QPixmap.fromImage(bgr_to_qimage(frame)))
            h, w = frame.shape[:2]
        else:
            h, w = image_size or (mask.shape if mask is not None else (480, 640))
            placeholder = QPixmap(w, h)
            placeholder.fill(QColor(60, 60, 60))
            self._frame_item.setPixmap(placeholder)
        self._image_size = (h, w)
        # the view scrolls past the frame's edge, so a person in a corner can be centred and zoomed on under the
        # mouse (a scroll range ending at the frame slid such a person away from the pointer)
        m = SCROLL_PAST * max(w, h)
        self.scene().setSceneRect(QRectF(-m, -m, w + 2 * m, h + 2 * m))
        self.mask_color = person_rgb(pid) if pid is not None else MASK_COLOR
        self.set_mask(mask)
        self._set_others(others, (h, w), other_points or {})
        self._box = tuple(box) if box is not None else None
        if self._box is not None:
            x0, y0, x1, y1 = self._box
            self._box_item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._box_item.setVisible(self._box is not None)
        if point is not None:
            self._point_item.setPos(QPointF(float(point[0]), float(point[1])))
        self._point_item.setVisible(point is not None)

    def clear(self) -> None:
        """Nothing to show (no project, no proposal yet): an empty view, no placeholder frame with scrollbars
        (a walk saw a stray grey rectangle, off centre, after New Project)."""
        self.set_content(None, None, image_size=(1, 1))
        self._frame_item.setPixmap(QPixmap())
        self.scene().setSceneRect(QRectF(0, 0, 1, 1))

    def set_pixelated(self, on: bool) -> None:
        """Nearest-neighbour zoom (see the pixels, for brush work) or smooth zoom (the default)."""
        self.pixelated = bool(on)
        mode = Qt.TransformationMode.FastTransformation if on else Qt.TransformationMode.SmoothTransformation
        self._frame_item.setTransformationMode(mode)  # masks stay crisp: their pixels are the labels

    def set_fill(self, on: bool) -> None:
        """The mask filled (its colour at ``MASK_ALPHA``) or its outline alone, the image under it in view."""
        self.mask_alpha = MASK_ALPHA if on else 0.0
        self.set_mask(self._mask)
        self._set_others(*self._others_drawn)  # a walk: the neighbours' fills still tinted the overlap

    def set_mask(self, mask: np.ndarray | None) -> None:
        """Redraw the current mask overlay (called after every brush dab while editing)."""
        self._mask = mask
        if mask is None:
            self._mask_item.setPixmap(QPixmap())
            self._outline_item.setPath(QPainterPath())
            return
        img = overlay_rgba(mask, self.mask_color, self.mask_alpha, outline_width=0)
        self._mask_item.setPixmap(QPixmap.fromImage(img))
        width = OUTLINE_PX if self.mask_alpha > 0 else OUTLINE_ALONE_PX
        self._outline_item.setPen(outline_pen(QColor(*self.mask_color), width))
        self._outline_item.setPath(outline_path(mask))

    def _set_others(self, others, shape, points=None) -> None:
        """Every other person's proposals on this frame, each in the person's own colour (the colour of its
        marker and trail), one label per person: in a crowd one cyan for all fused the neighbours into a
        blob, and a person with two proposals on the frame (a proposal and an import) was labelled twice.
        ``points`` {pid: (u, v)}: other persons annotated here without a proposal, a ring and their id."""
        self._others_drawn = (others, shape, points or {})
        for label in self._labels:
            self.scene().removeItem(label)
        self._labels = []
        drawn = {o[0] for o in others}  # (once, not per point: a review)
        self._mark_points({pid: uv for pid, uv in (points or {}).items() if pid not in drawn})
        if not others:
            self._others_item.setPixmap(QPixmap())
            return
        masks: dict[int, np.ndarray] = {}
        boxes: dict[int, tuple] = {}
        for pid, mask, box in others:
            if mask is not None and mask.shape == shape:
                masks[pid] = masks[pid] | mask.astype(bool) if pid in masks else mask.astype(bool)
            elif box is not None:
                boxes.setdefault(pid, box)
        font = QFont()
        font.setPointSize(9)
        font.setBold(True)
        for pid in sorted(set(masks) | set(boxes)):
            anchor = _top_middle(masks[pid]) if pid in masks else None
            box = boxes.get(pid)
            if anchor is None and box is None:
                continue
            label = QGraphicsSimpleTextItem(str(pid))
            label.setFont(font)
            label.setBrush(QBrush(QColor(*person_rgb(pid))))
            label.setPen(QPen(QColor(0, 0, 0, 200), 0.6))  # readable on any colour of clothes or floor
            label.setFlag(label.GraphicsItemFlag.ItemIgnoresTransformations, True)
            if anchor is not None:  # centred above the mask (a box corner can lie on someone else)
                rect = label.boundingRect()
                label.setTransform(QTransform.fromTranslate(-rect.width() / 2, -rect.height() - 1))
                label.setPos(*anchor)
            elif box is not None:
                label.setPos(float(box[0]), float(box[1]) - 2)
            label.setZValue(5)
            label.setVisible(self._others_item.isVisible())  # Others off stays off when redrawn
            self.scene().addItem(label)
            self._labels.append(label)
        fill = round(255 * OTHERS_ALPHA) if self.mask_alpha > 0 else 0  # Fill off: their outlines alone too
        image = to_qimage(compose(sorted(masks.items()), shape, fill))  # the Scene overlay's
        self._others_item.setPixmap(QPixmap.fromImage(image))

    def _mark_points(self, points: dict) -> None:
        """A ring in the person's colour at each point of ``points`` ({pid: (u, v)}) with its id beside it, drawn
        and hidden with the other persons' proposals (Others)."""
        font = QFont()  # as the proposals' labels: bold, outlined (a re-walk read 7 px ids, olive on crimson)
        font.setPointSize(9)
        font.setBold(True)
        for pid, (u, v) in sorted(points.items()):
            ring = QGraphicsEllipseItem(-4, -4, 8, 8)
            ring.setPen(QPen(QColor(*person_rgb(pid)), 2))
            ring.setFlag(QGraphicsEllipseItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            ring.setPos(float(u), float(v))
            label = QGraphicsSimpleTextItem(str(pid), ring)
            label.setFont(font)
            label.setBrush(QBrush(QColor(*person_rgb(pid))))
            label.setPen(QPen(QColor(0, 0, 0, 220), 0.8))
            label.setPos(5, -6)
            ring.setZValue(5)
            ring.setVisible(self._others_item.isVisible())
            self.scene().addItem(ring)
            self._labels.append(ring)

    def set_others_visible(self, visible: bool) -> None:
        self._others_item.setVisible(visible)
        for label in self._labels:
            label.setVisible(visible)

    # -- zoom ------------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    @property
    def user_zoomed(self) -> bool:
        """Whether the analyst chose the zoom (wheel, keys) since the last fit."""
        return self._user_zoomed

    def focus_person(self, box=None, point=None, reset_zoom: bool = False) -> None:
        """Centre on the person; zoom to box + margin until the analyst zooms (or on ``reset_zoom``), then keep
        the analyst's zoom."""
        rect = self._focus_rect(box, point)
        if rect is None:
            return
        self._focus = rect
        if reset_zoom:
            self._user_zoomed = False
        # until the analyst zooms, each person is fitted: a zoom fitted to a smaller person cut the next one's head
        if self._zoom is None or reset_zoom or not self._user_zoomed:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            self._zoom = self.zoom
            self.zoom_changed.emit(self._zoom)
        else:
            self.setTransform(self.transform().fromScale(self._zoom, self._zoom))
        self.centerOn(rect.center())

    def show_whole(self) -> None:
        """The whole frame in view (context around the person); counts as the analyst's zoom."""
        if self._image_size is None:
            return
        h, w = self._image_size
        self.fitInView(QRectF(0, 0, w, h), Qt.AspectRatioMode.KeepAspectRatio)
        self._zoom = self.zoom
        self._user_zoomed = True
        self.zoom_changed.emit(self._zoom)

    def _focus_rect(self, box, point) -> QRectF | None:
        if box is not None and (box[2] <= box[0] or box[3] <= box[1]):
            box = None  # an empty mask (a label drawn by hand starts so): around its track point instead
        if box is not None:
            x0, y0, x1, y1 = (float(v) for v in box)
        elif point is not None:  # the point may be the head, the feet or the centre: room above and below
            x0, y0, x1, y1 = point[0] - 25, point[1] - 60, point[0] + 25, point[1] + 60
        elif self._image_size is not None:
            h, w = self._image_size
            return QRectF(0, 0, w, h)
        else:
            return None
        side = ZOOM_MIN_SIDE if self._image_size is None else min(ZOOM_MIN_SIDE, 0.1 * max(self._image_size))
        grow_x = max(0.0, side - (x1 - x0)) / 2  # a small box: its centre kept, at least this wide (and high)
        grow_y = max(0.0, side - (y1 - y0)) / 2
        x0, x1, y0, y1 = x0 - grow_x, x1 + grow_x, y0 - grow_y, y1 + grow_y
        m = ZOOM_MARGIN * max(x1 - x0, y1 - y0)
        return QRectF(x0 - m, y0 - m, (x1 - x0) + 2 * m, (y1 - y0) + 2 * m)

    def zoom_by(self, factor: float) -> None:
        new = min(40.0, max(0.05, self.zoom * factor))
        self.scale(new / self.zoom, new / self.zoom)
        self._zoom = self.zoom
        self._user_zoomed = True
        self.zoom_changed.emit(self._zoom)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed and self._focus is not None:
            self.fitInView(self._focus, Qt.AspectRatioMode.KeepAspectRatio)
            self._zoom = self.zoom
            self.centerOn(self._focus.center())

    def wheelEvent(self, event) -> None:  # (Qt)
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    # -- edit mode -------------------------------------------------------------------------------
    def set_edit_mode(self, on: bool) -> None:
        self._edit_mode = on
        # a blue frame says "edit mode" at a glance (blue = edited in the filmstrip)
        self.setStyleSheet("QGraphicsView { border: 3px solid #3278e6; }" if on else "")
        self.setDragMode(QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)
        self._brush_item.setVisible(False)

    def show_path(self, points) -> None:
        """The lasso being drawn ([(u, v)], empty: none)."""
        path = QPainterPath()
        if len(points) > 1:
            path.moveTo(float(points[0][0]), float(points[0][1]))
            for u, v in points[1:]:
                path.lineTo(float(u), float(v))
            path.closeSubpath()
        self._path_item.setPath(path)

    def show_clicks(self, positives, negatives) -> None:
        """Refine clicks: green dots (person) and red dots (not the person)."""
        # a pool of dots owned by the scene, reused (never deleted one by one: no dangling wrappers)
        wanted = [(p, QColor(40, 220, 80)) for p in positives] + [(p, QColor(240, 50, 50)) for p in negatives]
        while len(self._dots) < len(wanted):
            dot = QGraphicsEllipseItem(-4, -4, 8, 8)
            dot.setPen(QPen(QColor(255, 255, 255), 1))
            dot.setFlag(QGraphicsEllipseItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            dot.setZValue(7)
            self.scene().addItem(dot)
            self._dots.append(dot)
        for i, dot in enumerate(self._dots):
            if i < len(wanted):
                (u, v), color = wanted[i]
                dot.setBrush(QBrush(color))
                dot.setPos(QPointF(u, v))
            dot.setVisible(i < len(wanted))

    def set_brush_radius(self, radius: float) -> None:
        self._brush_radius = float(radius)
        c = self._brush_item.rect().center() if self._brush_item.isVisible() else None
        if c is not None:
            self._show_brush(c)

    def _show_brush(self, pos: QPointF) -> None:
        r = self._brush_radius
        self._brush_item.setRect(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r))
        self._brush_item.setVisible(self._edit_mode)

    def mousePressEvent(self, event) -> None:
        if self._edit_mode and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            p = self.mapToScene(event.position().toPoint())
            self._stroking = True
            # right button or Shift: the opposite action (erase, negative click, cut with the lasso)
            self.stroke_inverted = (event.button() == Qt.MouseButton.RightButton
                                    or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            self.stroke_started.emit(p.x(), p.y())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._edit_mode:
            p = self.mapToScene(event.position().toPoint())
            self._show_brush(p)
            if self._stroking:
                self.stroke_moved.emit(p.x(), p.y())
                event.accept()
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._stroking and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self._stroking = False
            self.stroke_finished.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        self._brush_item.setVisible(False)
        super().leaveEvent(event)

    def keyPressEvent(self, event) -> None:
        # every key belongs to the review panel (A, X, J, K, E, arrows...): let it propagate
        event.ignore()
