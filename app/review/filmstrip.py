"""A horizontal strip of one person's proposals: a thumbnail per frame framed in its status colour.

Thumbnails (the person's crop with the mask tinted) are rendered lazily a few at a time on a timer, so a
person with hundreds of proposals opens at once. Clicking a thumbnail emits ``proposal_clicked(id)``.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from .proposal_view import MASK_COLOR, bgr_to_qimage, mask_outline
from .status_counts import STATUS_COLORS

THUMB_W, THUMB_H = 60, 80
BORDER = 4
PER_TICK = 6  # thumbnails rendered per timer tick


def render_thumbnail(frame: np.ndarray | None, mask: np.ndarray, box) -> QImage:
    """The person's crop (box + margin, aspect kept) with the mask tinted, THUMB_W x THUMB_H."""
    h, w = mask.shape
    x0, y0, x1, y1 = (int(v) for v in box)
    bw, bh = max(1, x1 - x0), max(1, y1 - y0)
    # grow the crop to the thumbnail's aspect ratio, with a margin
    ch = int(bh * 1.3) + 4
    cw = max(int(bw * 1.3) + 4, int(ch * THUMB_W / THUMB_H))
    ch = max(ch, int(cw * THUMB_H / THUMB_W))
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    cx0, cy0 = cx - cw // 2, cy - ch // 2
    canvas = np.full((ch, cw, 3), 50, np.uint8)
    sx0, sy0 = max(0, cx0), max(0, cy0)
    sx1, sy1 = min(w, cx0 + cw), min(h, cy0 + ch)
    if sx1 > sx0 and sy1 > sy0:
        src = frame[sy0:sy1, sx0:sx1] if frame is not None else np.full((sy1 - sy0, sx1 - sx0, 3), 70, np.uint8)
        crop = canvas[sy0 - cy0:sy1 - cy0, sx0 - cx0:sx1 - cx0]
        crop[:] = src
        m = mask[sy0:sy1, sx0:sx1].astype(bool)
        tint = np.array(MASK_COLOR[::-1], np.float32)  # BGR
        crop[m] = (0.55 * crop[m] + 0.45 * tint).astype(np.uint8)
        crop[mask_outline(m)] = tint.astype(np.uint8)
    thumb = cv2.resize(canvas, (THUMB_W, THUMB_H), interpolation=cv2.INTER_AREA)
    return bgr_to_qimage(thumb)


def framed(image: QImage, status: str, frame: int, current: bool = False) -> QPixmap:
    """The thumbnail inside a border of the status colour, the frame number at the bottom."""
    pm = QPixmap(THUMB_W + 2 * BORDER, THUMB_H + 2 * BORDER)
    pm.fill(STATUS_COLORS.get(status, QColor(128, 128, 128)))
    p = QPainter(pm)
    p.drawImage(BORDER, BORDER, image)
    p.fillRect(BORDER, BORDER + THUMB_H - 13, THUMB_W, 13, QColor(0, 0, 0, 150))
    p.setPen(QColor(255, 255, 255))
    font = p.font()
    font.setPixelSize(10)
    p.setFont(font)
    p.drawText(BORDER + 2, BORDER + THUMB_H - 2, str(frame))
    if current:
        pen = QPen(QColor(255, 255, 255), 2)
        p.setPen(pen)
        p.drawRect(1, 1, pm.width() - 2, pm.height() - 2)
    p.end()
    return pm


class Filmstrip(QListWidget):
    """Thumbnails of a list of proposals; ``set_status``/``set_current`` repaint one item only."""

    proposal_clicked = Signal(int)

    def __init__(self, read_frame: Callable[[int], np.ndarray | None], parent=None):
        super().__init__(parent)
        self.read_frame = read_frame
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB_W + 2 * BORDER, THUMB_H + 2 * BORDER))
        self.setSpacing(2)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB_H + 2 * BORDER + 26)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the review panel
        self._items: dict[int, QListWidgetItem] = {}
        self._images: dict[int, QImage] = {}
        self._info: dict[int, list] = {}  # id -> [frame, status, record with .mask (read lazily), box]
        self._todo: list[int] = []
        self._current: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._render_some)
        self.itemClicked.connect(lambda item: self.proposal_clicked.emit(int(item.data(Qt.ItemDataRole.UserRole))))

    def set_proposals(self, proposals) -> None:
        """Show these proposals (in the given order); thumbnails follow over the next moments."""
        self.clear()
        self._items.clear()
        old_images = self._images
        self._images = {}
        self._info.clear()
        self._todo = []
        blank = QImage(THUMB_W, THUMB_H, QImage.Format.Format_RGB888)
        blank.fill(QColor(70, 70, 70))
        for prop in proposals:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, int(prop.id))
            item.setToolTip(f"frame {prop.frame} - {prop.status} - {prop.source}")
            self.addItem(item)
            self._items[prop.id] = item
            self._info[prop.id] = [prop.frame, prop.status, prop, prop.box]
            cached = old_images.get(prop.id)
            if cached is not None and cached.text("frame") == str(prop.frame):
                self._images[prop.id] = cached
            else:
                self._todo.append(prop.id)
            self._paint(prop.id, self._images.get(prop.id, blank))
        if self._todo:
            self._timer.start()

    def thumbnails_pending(self) -> int:
        return len(self._todo)

    def render_all(self) -> None:
        """Render every outstanding thumbnail now (tests, screenshots)."""
        while self._todo:
            self._render_some()

    def _render_some(self) -> None:
        for _ in range(PER_TICK):
            if not self._todo:
                self._timer.stop()
                return
            proposal_id = self._todo.pop(0)
            if proposal_id not in self._info:
                continue
            frame_idx, _status, rec, box = self._info[proposal_id]
            try:
                mask = rec.mask
            except Exception:  # a proposal deleted meanwhile: leave it grey
                continue
            try:
                frame = self.read_frame(frame_idx)
            except Exception:  # an unreadable frame leaves a grey thumbnail
                frame = None
            img = render_thumbnail(frame, mask, box)
            img.setText("frame", str(frame_idx))
            self._images[proposal_id] = img
            self._paint(proposal_id, img)

    def _paint(self, proposal_id: int, image: QImage) -> None:
        frame, status, _m, _b = self._info[proposal_id]
        self._items[proposal_id].setIcon(QIcon(framed(image, status, frame, proposal_id == self._current)))

    def set_status(self, proposal_id: int, status: str, mask=None) -> None:
        if proposal_id not in self._info:
            return
        info = self._info[proposal_id]
        info[1] = status
        self._items[proposal_id].setToolTip(f"frame {info[0]} - {status}")
        if mask is not None:
            info[2] = _Masked(mask)
            self._images.pop(proposal_id, None)
            self._todo.insert(0, proposal_id)
            self._timer.start()
        self._repaint(proposal_id)

    def status_of(self, proposal_id: int) -> str | None:
        return self._info[proposal_id][1] if proposal_id in self._info else None

    def set_current(self, proposal_id: int | None) -> None:
        old, self._current = self._current, proposal_id
        for p in (old, proposal_id):
            if p is not None and p in self._info:
                self._repaint(p)
        if proposal_id in self._items:
            self.scrollToItem(self._items[proposal_id], QListWidget.ScrollHint.PositionAtCenter)

    def _repaint(self, proposal_id: int) -> None:
        img = self._images.get(proposal_id)
        if img is None:
            img = QImage(THUMB_W, THUMB_H, QImage.Format.Format_RGB888)
            img.fill(QColor(70, 70, 70))
        self._paint(proposal_id, img)


class _Masked:
    def __init__(self, mask):
        self.mask = mask
