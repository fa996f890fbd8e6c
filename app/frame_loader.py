"""Frames for the GUI without blocking it: cached frames come at once, others from a background thread.

``request(index)`` answers with ``frame_ready(index, frame)``: immediately when the FrameSource holds the
frame in its cache, else once a one-thread pool has decoded it. While the user scrubs only the latest
request matters: one decode runs at a time, results for frames no longer wanted are dropped (they stay in
the source's cache), and when a decode finishes the newest request is served next. During playback
``prefetch_after`` asks the source to decode the next frames ahead in its own thread.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from humanseg_core.errors import HumansegError


class _Bridge(QObject):
    loaded = Signal(int, int, object, str)  # generation, index, frame or None, error message


class _Read(QRunnable):
    def __init__(self, source, index: int, generation: int, bridge: _Bridge):
        super().__init__()
        self.source, self.index, self.generation, self.bridge = source, index, generation, bridge
        self.setAutoDelete(True)

    def run(self) -> None:  # on the pool thread
        try:
            frame, error = self.source.read(self.index), ""
        except HumansegError as exc:
            frame, error = None, str(exc)
        except Exception as exc:  # a decoder bug must not kill the thread silently
            frame, error = None, f"{type(exc).__name__}: {exc}"
        self.bridge.loaded.emit(self.generation, self.index, frame, error)


class FrameLoader(QObject):
    frame_ready = Signal(int, object)  # index, BGR uint8 ndarray
    frame_failed = Signal(int, str)  # index, message naming the file and the frame

    def __init__(self, parent=None):
        super().__init__(parent)
        self._source = None
        self._generation = 0
        self._wanted: int | None = None
        self._busy = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._bridge.loaded.connect(self._loaded)
        self.dropped = 0  # stale results dropped (for tests and the bench)

    @property
    def source(self):
        return self._source

    def set_source(self, source) -> None:
        """Read from ``source`` (a FrameSource, or None); pending results of the old one are dropped."""
        self._generation += 1
        self._source = source
        self._wanted = None

    def request(self, index: int) -> None:
        """Ask for frame ``index``; ``frame_ready`` or ``frame_failed`` follows (at once when cached)."""
        if self._source is None:
            return
        index = int(index)
        self._wanted = index
        if self._source.is_cached(index):
            self._deliver(index)
        elif not self._busy:
            self._busy = True
            self._pool.start(_Read(self._source, index, self._generation, self._bridge))

    def prefetch_after(self, index: int, count: int = 12) -> None:
        """Decode the ``count`` frames after ``index`` in the background (best effort)."""
        src = self._source
        if src is None:
            return
        indices = src.indices

        i = bisect.bisect_right(indices, int(index))
        src.prefetch(indices[i : i + count])

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the background read finished (tests, shutdown)."""
        return self._pool.waitForDone(msecs)

    def _deliver(self, index: int) -> None:
        try:
            frame = self._source.read(index)
        except HumansegError as exc:
            self.frame_failed.emit(index, str(exc))
            return
        self.frame_ready.emit(index, frame)

    def _loaded(self, generation: int, index: int, frame, error: str) -> None:
        self._busy = False
        if generation == self._generation and index == self._wanted:
            if frame is not None:
                self.frame_ready.emit(index, frame)
            else:
                self.frame_failed.emit(index, error)
            return
        self.dropped += 1  # stale: another frame (or another video) is wanted now
        if self._wanted is not None:
            self.request(self._wanted)
