"""Masks kept compressed: ``{frame: RLE blob}`` that decodes a frame's mask only when it is looked at.

The studio's panels hold a person's proposals, accepted masks and results as :class:`LazyMasks` (about
100 bytes a mask instead of a full frame), decode the frame on screen, keep the last few decoded, and on a
refresh keep the decoded masks whose blob did not change (:meth:`LazyMasks.update`).  Thread-safe, so a
background job may read the same object.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from humanseg_core import rle

log = logging.getLogger(__name__)
CACHE = 16  # decoded masks kept per mapping


class LazyMasks(Mapping[int, np.ndarray]):
    """A read-only ``{frame: bool mask}`` backed by RLE blobs; a damaged blob reads as missing."""

    def __init__(self, blobs: Mapping[int, bytes] | None = None, cache: int = CACHE):
        self._blobs: dict[int, bytes] = dict(blobs or {})
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._size = max(1, int(cache))
        self._lock = threading.Lock()
        self.decoded = 0  # how many decodes so far (for tests and benches)
        self._empty: set[int] | None = None  # empty_frames of these blobs, once found

    def __len__(self) -> int:
        return len(self._blobs)

    def __iter__(self) -> Iterator[int]:
        return iter(self._blobs)

    def __contains__(self, frame: object) -> bool:
        return frame in self._blobs

    def __getitem__(self, frame: int) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(frame)
            if hit is not None:
                self._cache.move_to_end(frame)
                return hit
            blob = self._blobs[frame]  # KeyError: no mask on this frame
        try:
            mask = rle.from_blob(blob)
        except ValueError as exc:  # rle.MaskDataError: a damaged row reads as "no mask here"
            log.warning("frame %s: cannot decode its mask (%s)", frame, exc)
            raise KeyError(frame) from None
        with self._lock:
            self.decoded += 1
            self._cache[frame] = mask
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return mask

    def blobs(self) -> dict[int, bytes]:
        with self._lock:
            return dict(self._blobs)

    def empty_frames(self) -> set[int]:
        """The frames whose mask has no pixel, read from the run lengths (nothing decoded): on the analyst's labels
        a frame marked not visible (V); found once per set of blobs (the Play tab's line asks on every frame)."""
        with self._lock:
            blobs, known = dict(self._blobs), self._empty
        if known is None:
            known = {f for f, blob in blobs.items() if not rle.blob_holds_pixels(blob)}
            with self._lock:
                if self._blobs == blobs:
                    self._empty = known
        return set(known)

    def nbytes(self) -> int:
        """Bytes held: the blobs plus the decoded masks in the cache."""
        with self._lock:
            return sum(len(b) for b in self._blobs.values()) + sum(m.nbytes for m in self._cache.values())

    def update(self, blobs: Mapping[int, bytes]) -> list[int]:
        """Replace the blobs; decoded masks of frames whose blob did not change stay cached.  Returns the
        frames that changed (added, removed or a different mask)."""
        with self._lock:
            old = self._blobs
            changed = [f for f in set(old) | set(blobs) if old.get(f) != blobs.get(f)]
            self._blobs = dict(blobs)
            if changed:
                self._empty = None
            for f in changed:
                self._cache.pop(f, None)
        return sorted(changed)
