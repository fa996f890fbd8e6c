"""A horizontal strip of one person's proposals: a thumbnail per frame framed in its status colour.

The thumbnails (the person's crop with the mask tinted) are built by the core's
:func:`~humanseg_core.project.thumbnails.thumbnails_job` in a background worker (``app/worker.py``): the GUI
thread never decodes masks or reads frames for them, it only frames the 60x80 pictures it is handed, a
batch at a time, so a person with hundreds of proposals opens at once. Built thumbnails are cached by
proposal id (across persons, bounded); after a decision only the changed item is repainted, and only a
changed mask is rendered again. Clicking a thumbnail emits ``proposal_clicked(id)``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QListView, QListWidget, QListWidgetItem

from humanseg_core.jobs import Progress
from humanseg_core.project.thumbnails import THUMB_H, THUMB_W, Thumbnail, ThumbnailRequest, thumbnails_job
from humanseg_core.proposals.person_mask import box_of

from ..colors import person_rgb
from ..worker import JobWorker
from .proposal_view import MASK_COLOR, bgr_to_qimage
from .status_counts import STATUS_COLORS

BORDER = 4
CACHE = 1000  # thumbnails kept (about 14 kB each)
TINT_BGR = (MASK_COLOR[2], MASK_COLOR[1], MASK_COLOR[0])  # a strip of no one person's proposals

__all__ = ["THUMB_H", "THUMB_W", "Filmstrip", "framed"]


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


def _blank() -> QImage:
    img = QImage(THUMB_W, THUMB_H, QImage.Format.Format_RGB888)
    img.fill(QColor(70, 70, 70))
    return img


class Filmstrip(QListWidget):
    """Thumbnails of a list of proposals; ``set_status``/``set_current`` repaint one item only.

    ``read_frame(frame)`` and ``load_mask(proposal_id)`` are called on the thumbnail job's thread."""

    proposal_clicked = Signal(int)

    def __init__(self, read_frame: Callable[[int], np.ndarray | None],
                 load_mask: Callable[[int], np.ndarray] | None = None, parent=None):
        super().__init__(parent)
        self.read_frame = read_frame
        self.load_mask = load_mask
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
        self._info: dict[int, list] = {}  # id -> [frame, status, box]
        self._cache: OrderedDict[int, tuple[int, QImage]] = OrderedDict()  # id -> (frame, thumbnail)
        self._todo: dict[int, ThumbnailRequest] = {}  # not built yet, in the order they are wanted
        self._worker: JobWorker | None = None
        self._current: int | None = None
        self.tint_bgr = TINT_BGR  # the person's colour, as the review view and Play draw the person
        self.renders = 0  # thumbnails received from the job (tests, benches)
        self.itemClicked.connect(lambda item: self.proposal_clicked.emit(int(item.data(Qt.ItemDataRole.UserRole))))

    def set_proposals(self, proposals) -> None:
        """Show these proposals (light records: ``id``, ``frame``, ``status``, ``box``; in the given order);
        thumbnails not cached follow over the next moments from a background job."""
        self.clear()
        self._items.clear()
        self._info.clear()
        self._todo = {}
        blank = _blank()
        pids = {int(p.pid) for p in proposals if getattr(p, "pid", None) is not None}
        if len(pids) == 1:
            r, g, b = person_rgb(pids.pop())
            if (b, g, r) != self.tint_bgr:
                self.tint_bgr = (b, g, r)
                self._cache.clear()  # the colour of the scene's persons changed (another scene's palette)
        for prop in proposals:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, int(prop.id))
            item.setToolTip(f"frame {prop.frame} - {prop.status} - {prop.source}")
            self.addItem(item)
            self._items[prop.id] = item
            self._info[prop.id] = [prop.frame, prop.status, prop.box]
            cached = self._cached(prop.id, prop.frame)
            if cached is None:
                self._todo[prop.id] = ThumbnailRequest(int(prop.id), int(prop.frame), tuple(prop.box))
            self._paint(prop.id, cached if cached is not None else blank)
        self._start()

    def clear_cache(self) -> None:
        """Forget every built thumbnail (another project: its proposal ids mean other masks)."""
        self._cache.clear()

    def _cached(self, proposal_id: int, frame: int) -> QImage | None:
        hit = self._cache.get(proposal_id)
        if hit is None or hit[0] != frame:
            return None
        self._cache.move_to_end(proposal_id)
        return hit[1]

    def thumbnails_pending(self) -> int:
        return len(self._todo)

    def render_all(self, timeout_s: float = 10.0) -> bool:
        """Wait (events processed) until every outstanding thumbnail arrived (tests, screenshots)."""
        deadline = time.monotonic() + timeout_s
        while self._todo and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.002)
        return not self._todo

    # -- the job ----------------------------------------------------------------------------------
    def _start(self) -> None:
        """(Re)start the thumbnail job on what is still to build; a running one is cancelled."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        if not self._todo or self.load_mask is None:
            return
        requests = list(self._todo.values())
        load_mask, read_frame, tint = self.load_mask, self.read_frame, self.tint_bgr

        def job(cancel):
            return thumbnails_job(requests, load_mask, read_frame, cancel, tint_bgr=tint)

        def arrived(p: Progress) -> None:
            if self._worker is worker:
                self._received(p.data.get("thumbnails", []))

        def done() -> None:
            if self._worker is worker:
                self._worker = None

        worker = JobWorker(job, name="Thumbnails", parent=self, on_progress=arrived, on_done=done,
                           writes=False)
        self._worker = worker
        worker.start()

    def _received(self, thumbnails: list[Thumbnail]) -> None:
        for t in thumbnails:
            if self._todo.pop(t.proposal_id, None) is None or t.proposal_id not in self._info:
                continue
            self.renders += 1
            if t.image is None:  # a damaged or deleted row: grey, and why
                self._items[t.proposal_id].setToolTip(f"frame {t.frame} - {t.error}")
                continue
            img = bgr_to_qimage(t.image)
            self._cache[t.proposal_id] = (t.frame, img)
            self._cache.move_to_end(t.proposal_id)
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
            self._paint(t.proposal_id, img)

    def _paint(self, proposal_id: int, image: QImage) -> None:
        frame, status, _b = self._info[proposal_id]
        self._items[proposal_id].setIcon(QIcon(framed(image, status, frame, proposal_id == self._current)))

    def set_status(self, proposal_id: int, status: str, mask=None) -> None:
        """A decision: repaint this item's frame colour; a new ``mask`` (an edit) renders it again."""
        if proposal_id not in self._info:
            return
        info = self._info[proposal_id]
        info[1] = status
        self._items[proposal_id].setToolTip(f"frame {info[0]} - {status}")
        if mask is not None:
            self._cache.pop(proposal_id, None)
            mask = np.asarray(mask, bool)
            box = box_of(mask)
            if box is not None:  # the crop follows the new mask (a label drawn by hand began with an empty box)
                info[2] = box
            req = ThumbnailRequest(int(proposal_id), int(info[0]), tuple(info[2]), mask)
            self._todo = {proposal_id: req, **{k: v for k, v in self._todo.items() if k != proposal_id}}
            self._start()
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
        # the list's own selection follows (a thumbnail clicked kept its tint and underline while the keys moved on:
        # a crowd re-walk read it as an edit, blue being the edited border too)
        item = self._items.get(proposal_id) if proposal_id is not None else None
        if item is not None:
            self.setCurrentItem(item)  # (itemClicked alone moves the review: no signal of ours fires here)
        else:
            self.clearSelection()

    def _repaint(self, proposal_id: int) -> None:
        img = self._cached(proposal_id, self._info[proposal_id][0])
        self._paint(proposal_id, img if img is not None else _blank())
