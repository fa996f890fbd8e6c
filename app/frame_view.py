"""The frame view: a QGraphicsView showing one video frame, mask overlays and drawing layers.

Scene coordinates are image pixel coordinates with pixel centres on integers: the image point
(u = column, v = row) sits at scene point (u, v). Wheel zooms around the cursor, dragging pans, ``fit()``
shows the whole frame (and keeps it fitted on resize until the user zooms).

Other layers plug in with :meth:`FrameView.add_overlay_item` (any QGraphicsItem, in image coordinates) or
:meth:`FrameView.set_mask_overlay` (a boolean mask painted in a colour with an opacity).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
)

ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.02, 64.0
Z_FRAME, Z_MASKS, Z_OVERLAYS, Z_NOTICE = 0.0, 10.0, 20.0, 100.0  # a notice covers every layer
_CLICK_SLOP = 4  # pixels the mouse may move between press and release and still count as a click


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    """A deep-copied QImage of a BGR uint8 (H, W, 3) array."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


def outline_path(mask: np.ndarray) -> QPainterPath:
    """The outline of a boolean mask as a path through its boundary pixels' centres (image coordinates):
    drawn with a cosmetic pen it stays a thin line at any zoom (a raster outline one image pixel wide was
    7 screen pixels at a 32 px person's zoom, and hid its limbs)."""
    import cv2

    path = QPainterPath()
    m = np.asarray(mask).astype(np.uint8)
    if not m.any():
        return path
    contours, _ = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        pts = c.reshape(-1, 2)
        path.moveTo(float(pts[0, 0]), float(pts[0, 1]))
        for x, y in pts[1:]:
            path.lineTo(float(x), float(y))
        if len(pts) > 1:
            path.closeSubpath()
        else:  # a lone pixel: a dot
            path.addEllipse(QPointF(float(pts[0, 0]), float(pts[0, 1])), 0.25, 0.25)
    return path


def outline_pen(color, width_px: float) -> QPen:
    """A pen ``width_px`` screen pixels wide at any zoom (cosmetic), for :func:`outline_path`."""
    pen = QPen(QColor(color), float(width_px))
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def mask_to_qimage(mask: np.ndarray, color: QColor) -> QImage:
    """A premultiplied ARGB image: ``color`` where ``mask`` is true, transparent elsewhere."""
    mask = np.asarray(mask).astype(bool)
    h, w = mask.shape
    argb = np.zeros((h, w, 4), np.uint8)  # little-endian ARGB32 = B, G, R, A bytes
    argb[mask] = (color.blue(), color.green(), color.red(), 255)
    return QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied).copy()


class FrameView(QGraphicsView):
    cursor_moved = Signal(float, float)  # image (u, v) under the cursor
    cursor_left = Signal()  # the cursor left the image
    clicked = Signal(float, float)  # a click (not a drag) at image (u, v)
    zoom_changed = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._scene.setBackgroundBrush(QBrush(QColor(24, 26, 30)))
        self.setScene(self._scene)
        self._frame_item = QGraphicsPixmapItem()
        self._frame_item.setZValue(Z_FRAME)
        self._frame_item.setOffset(-0.5, -0.5)  # pixel centres on integer scene coordinates
        self._frame_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._frame_item)
        self._masks: dict[str, QGraphicsPixmapItem] = {}
        self._outlines: dict[str, QGraphicsPathItem] = {}
        self._image_size: tuple[int, int] | None = None  # (width, height)
        self._fitted = True
        self._press: QPoint | None = None
        self.empty_text = ""  # drawn in the middle until the first frame size is known (what to open, how)

        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # -- the frame ---------------------------------------------------------------------------
    def set_image_size(self, width: int, height: int) -> None:
        """Set the frame size (before any frame arrives): sets the scene rectangle and fits."""
        size = (int(width), int(height))
        if size != self._image_size:
            self._image_size = size
            self._scene.setSceneRect(QRectF(-0.5, -0.5, size[0], size[1]))
            self.fit()

    def set_frame(self, frame: np.ndarray | QImage | None) -> None:
        """Show a BGR uint8 frame (or a QImage); ``None`` clears the view."""
        if frame is None:
            self._frame_item.setPixmap(QPixmap())
            return
        if isinstance(frame, QImage):
            image = frame
        else:  # a view on the array (no copy): QPixmap.fromImage below copies it while ``frame`` is alive
            frame = np.ascontiguousarray(frame)
            image = QImage(frame.data, frame.shape[1], frame.shape[0], frame.strides[0], QImage.Format.Format_BGR888)
        self.set_image_size(image.width(), image.height())
        self._frame_item.setPixmap(QPixmap.fromImage(image))

    def image_size(self) -> tuple[int, int] | None:
        return self._image_size

    def has_frame(self) -> bool:
        return not self._frame_item.pixmap().isNull()

    # -- layers other panels draw on ---------------------------------------------------------
    def add_overlay_item(self, item: QGraphicsItem, z: float = Z_OVERLAYS) -> QGraphicsItem:
        """Add a drawing layer in image coordinates above the frame and the masks."""
        item.setZValue(z)
        self._scene.addItem(item)
        return item

    def remove_overlay_item(self, item: QGraphicsItem) -> None:
        if item.scene() is self._scene:
            self._scene.removeItem(item)

    def set_mask_overlay(self, name: str, mask: np.ndarray | None, color=QColor(0, 200, 255), opacity: float = 0.45):
        """Paint a boolean (H, W) mask over the frame in ``color``; ``mask=None`` removes layer ``name``."""
        self.set_image_overlay(name, None if mask is None else mask_to_qimage(mask, QColor(color)), opacity)

    def set_image_overlay(self, name: str, image: QImage | None, opacity: float = 0.45) -> None:
        """Paint an ARGB image of the frame's size over it (e.g. every person's mask in its colour);
        ``image=None`` removes layer ``name``."""
        if image is None:
            self._drop_layer(self._masks, name)
            return
        item = self._masks.get(name)
        if item is None:
            item = QGraphicsPixmapItem()
            item.setOffset(-0.5, -0.5)
            item.setZValue(Z_MASKS + len(self._masks) * 0.01)
            self._scene.addItem(item)
            self._masks[name] = item
        item.setPixmap(QPixmap.fromImage(image))
        item.setOpacity(float(opacity))

    def set_outline_overlay(self, name: str, mask: np.ndarray | None, color=QColor(0, 200, 255),
                            width_px: float = 1.5) -> None:
        """Draw the outline of a boolean (H, W) mask in ``color``, ``width_px`` screen pixels wide at any zoom
        (:func:`outline_path`); ``mask=None`` removes layer ``name``."""
        if mask is None:
            self._drop_layer(self._outlines, name)
            return
        item = self._outlines.get(name)
        if item is None:
            item = QGraphicsPathItem()
            item.setZValue(Z_MASKS + 1.0)  # above every filled mask
            self._scene.addItem(item)
            self._outlines[name] = item
        item.setPen(outline_pen(color, width_px))
        item.setPath(outline_path(mask))

    def _drop_layer(self, layers: dict, name: str) -> None:
        item = layers.pop(name, None)
        if item is not None:
            self._scene.removeItem(item)

    def mask_overlay_names(self) -> list[str]:
        return list(self._masks) + list(self._outlines)

    # -- coordinates -------------------------------------------------------------------------
    def image_to_viewport(self, u: float, v: float) -> QPoint:
        """The viewport pixel that shows image point (u, v)."""
        return self.mapFromScene(QPointF(u, v))

    def viewport_to_image(self, point: QPoint) -> tuple[float, float]:
        """The image point (u, v) under viewport pixel ``point``."""
        p = self.mapToScene(point)
        return p.x(), p.y()

    def inside_image(self, u: float, v: float) -> bool:
        if self._image_size is None:
            return False
        w, h = self._image_size
        return -0.5 <= u < w - 0.5 and -0.5 <= v < h - 0.5

    # -- zoom and pan ------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole frame, and keep it fitted when the view is resized."""
        self._fitted = True
        if self._image_size is not None:
            self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom_changed.emit(self.zoom())

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_SCALE, max(MIN_SCALE, self.zoom() * factor))
        factor = target / self.zoom()
        if abs(factor - 1.0) > 1e-9:
            self._fitted = False
            self.scale(factor, factor)
            self.zoom_changed.emit(self.zoom())

    def show_region(self, cx: float, cy: float, width: float, height: float) -> None:
        """Zoom and pan so the image rectangle centred on (cx, cy), ``width`` x ``height`` pixels, fills the
        view (aspect kept; the frame's edges limit the pan); the view stops fitting the whole frame."""
        if self._image_size is None or not (width > 0 and height > 0):
            return
        self._fitted = False
        self.fitInView(QRectF(cx - width / 2, cy - height / 2, width, height), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > MAX_SCALE:
            self.scale(MAX_SCALE / self.zoom(), MAX_SCALE / self.zoom())
        self.centerOn(QPointF(cx, cy))
        self.zoom_changed.emit(self.zoom())

    def visible_image_rect(self) -> QRectF:
        """The part of the image plane (scene coordinates) the viewport shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1.0 / ZOOM_STEP)

    def render_image(self, width: int | None = None, height: int | None = None) -> QImage:
        """The frame with every layer rendered at image resolution (or the given size), off screen."""
        w, h = self._image_size or (1, 1)
        image = QImage(width or w, height or h, QImage.Format.Format_RGB32)
        image.fill(QColor(0, 0, 0))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._scene.render(painter, QRectF(image.rect()), self._scene.sceneRect())
        painter.end()
        return image

    # -- events ------------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # Qt's name
        super().drawForeground(painter, rect)
        if self._image_size is not None or not self.empty_text:
            return
        painter.save()
        painter.resetTransform()  # viewport pixels: the hint does not zoom
        painter.setPen(QColor(200, 204, 212))
        box = self.viewport().rect().adjusted(40, 40, -40, -40)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.empty_text)
        painter.restore()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(ZOOM_STEP ** (delta / 120.0))
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            pos = event.position().toPoint()
            if (pos - self._press).manhattanLength() <= _CLICK_SLOP:
                u, v = self.viewport_to_image(pos)
                if self.inside_image(u, v):
                    self.clicked.emit(u, v)
        self._press = None

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        u, v = self.viewport_to_image(event.position().toPoint())
        if self.inside_image(u, v):
            self.cursor_moved.emit(u, v)
        else:
            self.cursor_left.emit()

    def leaveEvent(self, event) -> None:
        self.cursor_left.emit()
        super().leaveEvent(event)
