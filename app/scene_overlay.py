"""Every person's segmentation over the video at once, each in the person's colour (the colour of its
marker and trail), for the Whole scene panel's "Show every person" and for playback with the timeline.

Each person's results are those of the run Play shows for that person: the run picked in Play's Run box
(``picked``, set by the studio), else the run used by default (``Project.result_runs``).  Masks stay compressed
(:class:`~app.segmentation.lazy_masks.LazyMasks`): only the frame on screen is decoded, one mask per
person there, and composed off the GUI thread (a one-thread pool, as the frame loader's: a stall audit counted
21 decodes a frame step on a crowd's GUI thread, 3.4 s of 20 s of playback); while it is composed the previous
frame's overlay stays, and frames stepped past meanwhile are not composed at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from humanseg_core.metrics import mask_outline

from .colors import person_rgb
from .run_follow import picked_run
from .segmentation.lazy_masks import LazyMasks

log = logging.getLogger(__name__)
LAYER = "scene results"
FILL_ALPHA = 150  # of 255: the video stays readable under the masks; the outline is opaque


def compose(masks: list[tuple[int, np.ndarray]], shape: tuple[int, int], fill: int = FILL_ALPHA) -> np.ndarray:
    """A premultiplied ARGB32 (H, W, 4) array (B, G, R, A bytes): each ``(pid, mask)`` filled in the
    person's colour at alpha ``fill`` (of 255), with an opaque outline; later persons paint over earlier
    ones.  Only each mask's bounding box is touched (a person covers ~1 % of a surveillance frame)."""
    argb = np.zeros((*shape, 4), np.uint8)
    scale = fill / 255
    h, w = shape
    for pid, mask in masks:
        if mask.shape != shape or mask.dtype != bool:
            continue
        x, y, bw, bh = cv2.boundingRect(mask.view(np.uint8))
        if bw == 0 or bh == 0:
            continue
        x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(w, x + bw + 1), min(h, y + bh + 1)
        crop, out = mask[y0:y1, x0:x1], argb[y0:y1, x0:x1]
        r, g, b = person_rgb(pid)
        out[crop] = (round(b * scale), round(g * scale), round(r * scale), fill)  # premultiplied, rounded
        out[mask_outline(crop, 1)] = (b, g, r, 255)
    return argb


def to_qimage(argb: np.ndarray) -> QImage:
    h, w = argb.shape[:2]
    return QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied).copy()


def masks_at(persons, frame: int) -> list[tuple[int, np.ndarray]]:
    """[(pid, mask)] of ``persons`` ([(pid, LazyMasks)]) that have a readable mask on ``frame``."""
    out = []
    for pid, masks in persons:
        try:
            out.append((pid, masks[frame]))
        except KeyError:  # no mask of this person on this frame (or an unreadable one)
            continue
    return out


class _Bridge(QObject):
    composed = Signal(int, int, object)  # generation, frame, QImage or None


class _Compose(QRunnable):
    """Decode and compose one frame's masks on the overlay's pool thread."""

    def __init__(self, bridge: _Bridge, generation: int, frame: int, persons: list, shape: tuple[int, int]):
        super().__init__()
        self.bridge, self.generation, self.frame, self.persons, self.shape = bridge, generation, frame, persons, shape

    def run(self) -> None:  # on the pool thread
        image = None
        try:
            masks = masks_at(self.persons, self.frame)
            image = to_qimage(compose(masks, self.shape)) if masks else None
        except Exception:  # never take the studio down for an overlay
            log.exception("the scene overlay of frame %s could not be composed", self.frame)
        try:
            self.bridge.composed.emit(self.generation, self.frame, image)
        except RuntimeError:  # the overlay was deleted meanwhile (its window closed)
            pass


class SceneOverlay(QObject):
    """Draws, while enabled, every person's results (the run picked in Play, else the newest) on
    ``window.frame_view`` at the window's frame."""

    def __init__(self, window, opacity: float = 1.0):
        super().__init__(window)
        self.window = window
        self.opacity = opacity
        self.enabled = False
        self.project = None
        self._masks: dict[int, LazyMasks] = {}
        self.runs: dict[int, int] = {}  # {pid: the run drawn}
        self.picked: Callable[[], dict[int, int]] | None = None  # {pid: run} picked in Play's Run box
        # persons not drawn now: Play's person while Play is in front showing its labels or proposals (a walk read
        # "no mask on this frame" in Play over that person's result drawn here)
        self.leave_out: Callable[[], set[int]] | None = None
        self._generation = 0  # of the newest request: older compositions are dropped
        self._busy = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._bridge.composed.connect(self._composed)
        window.frame_changed.connect(lambda _f: self.refresh())

    def set_project(self, project) -> None:
        self.project = project
        self._masks = {}
        if self.enabled:
            self.load()
        self.refresh()

    def load(self, run_ids: dict[int, int] | None = None) -> int:
        """Read the compressed results of ``run_ids`` ({pid: run}; default: each person's run picked in Play,
        else the newest with results); returns how many persons have results.  Nothing is decoded."""
        self._masks, self.runs = {}, {}
        project = self.project
        if project is None:
            return 0
        if run_ids is None:  # each person's default run with results (one query), else the run picked in Play
            picks = self.picked() if self.picked is not None else {}
            run_ids = project.result_runs()
            run_ids.update({int(p): r for p in picks if (r := picked_run(project, picks, p)) is not None})
        for pid, run_id in sorted(run_ids.items()):
            blobs = project.mask_blobs(pid, "results", run_id)
            if blobs:
                self._masks[int(pid)], self.runs[int(pid)] = LazyMasks(blobs, cache=2), int(run_id)
        self.refresh()
        return len(self._masks)

    @property
    def pids(self) -> list[int]:
        return sorted(self._masks)

    def picks_changed(self, pid: int | None = None) -> None:
        """Play's Run box picked another run for ``pid`` (None: for anyone): that person's results are read
        again and drawn while enabled (the others stay as read), else everything is read when next enabled."""
        if not self.enabled:
            self._masks, self.runs = {}, {}
            return
        project = self.project
        if pid is None or project is None:
            self.load()
            return
        pid = int(pid)
        self._masks.pop(pid, None)
        self.runs.pop(pid, None)
        run_id = picked_run(project, self.picked() if self.picked is not None else {}, pid)
        if run_id is None:
            run_id = project.used_run(pid)
        blobs = project.mask_blobs(pid, "results", run_id) if run_id is not None else {}
        if blobs:
            self._masks[pid], self.runs[pid] = LazyMasks(blobs, cache=2), int(run_id)
        self.refresh()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if self.enabled and not self._masks:
            self.load()
        self.refresh()

    def masks_at(self, frame: int) -> list[tuple[int, np.ndarray]]:
        return masks_at(list(self._masks.items()), frame)

    def refresh(self) -> None:
        """Draw the window's frame: cleared at once when there is nothing to draw, else composed off the GUI thread
        (:meth:`_composed` puts it on)."""
        self._generation += 1
        frame, frames = self.window.current_frame, self.window.frames
        if not self.enabled or frame is None or frames is None or not self._drawn():
            self.window.frame_view.set_image_overlay(LAYER, None)
            return
        if not self._busy:  # else the composition under way is dropped when it arrives, and this frame's started
            self._start(int(frame), (frames.height, frames.width))

    def _drawn(self) -> list[tuple[int, LazyMasks]]:
        left = self.leave_out() if self.leave_out is not None else set()
        return [(p, m) for p, m in self._masks.items() if p not in left]

    def _start(self, frame: int, shape: tuple[int, int]) -> None:
        self._busy = True
        self._pool.start(_Compose(self._bridge, self._generation, frame, self._drawn(), shape))

    def _composed(self, generation: int, frame: int, image) -> None:
        self._busy = False
        current, frames = self.window.current_frame, self.window.frames
        if generation == self._generation:
            if self.enabled and current == frame:
                self.window.frame_view.set_image_overlay(LAYER, image, self.opacity)
        elif self.enabled and current is not None and frames is not None and self._drawn():
            self._start(int(current), (frames.height, frames.width))  # the frame asked for since

    def pending(self) -> bool:
        """A frame's overlay is being composed (tests)."""
        return self._busy

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the composition under way ended (tests, shutdown); its result is delivered by the event
        loop."""
        return self._pool.waitForDone(msecs)
