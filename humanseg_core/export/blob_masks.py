"""A person's masks for an export, kept compressed (the store's RLE blobs) and decoded one at a time as a writer
asks for a frame: a scale walk's export of 87 persons over 1000 frames of 720x576 decoded all 25 000 masks at once
and took 11 GB, the studio keeping it until it quit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping

import numpy as np

from .. import rle


class BlobMasks(MutableMapping[int, np.ndarray]):
    """{frame: bool mask}, each mask decoded anew from its blob when read (none kept decoded); a mask set is
    stored as a blob."""

    def __init__(self, blobs: dict[int, bytes] | None = None) -> None:
        self._blobs: dict[int, bytes] = dict(blobs or {})
        self._extents: dict[int, tuple[int, tuple[int, int, int, int] | None]] = {}  # read once a frame

    def __getitem__(self, frame: int) -> np.ndarray:
        return rle.from_blob(self._blobs[frame])

    def extent(self, frame: int) -> tuple[int, tuple[int, int, int, int] | None]:
        """(area, inclusive box or None) of a frame's mask, read from its run lengths (not decoded)."""
        if frame not in self._extents:
            self._extents[frame] = rle.blob_extent(self._blobs[frame])
        return self._extents[frame]

    def size(self, frame: int) -> tuple[int, int]:
        """(h, w) of a frame's mask, from its blob's header."""
        return rle.blob_size(self._blobs[frame])

    def coco_rle(self, frame: int) -> dict:
        """A frame's mask as COCO RLE (``{"size": [h, w], "counts": bytes}``), as ``rle.encode`` gives it."""
        return rle.blob_rle(self._blobs[frame])

    def __setitem__(self, frame: int, mask: np.ndarray) -> None:
        self._blobs[int(frame)] = rle.to_blob(np.asarray(mask, bool))
        self._extents.pop(int(frame), None)

    def __delitem__(self, frame: int) -> None:
        del self._blobs[frame]
        self._extents.pop(frame, None)

    def __iter__(self) -> Iterator[int]:
        return iter(self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)

    def __contains__(self, frame: object) -> bool:
        return frame in self._blobs

    def copy(self) -> BlobMasks:
        return self._derived(self._blobs)

    def without(self, frames: Iterable[int]) -> BlobMasks:
        gone = set(frames)
        return self._derived({f: b for f, b in self._blobs.items() if f not in gone})

    def update_from(self, other: BlobMasks) -> None:
        """``other``'s masks over these, without decoding either."""
        self._blobs.update(other._blobs)
        for frame in other._blobs:
            self._extents.pop(frame, None)

    def only(self, frames: Iterable[int]) -> BlobMasks:
        keep = set(frames)
        return self._derived({f: b for f, b in self._blobs.items() if f in keep})

    def _derived(self, blobs: dict[int, bytes]) -> BlobMasks:
        """A BlobMasks of ``blobs`` (some of these), the extents read so far kept."""
        out = BlobMasks(blobs)
        out._extents = {f: e for f, e in self._extents.items() if f in blobs}
        return out
