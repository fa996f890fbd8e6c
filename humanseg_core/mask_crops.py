"""Full-frame masks kept as their bounding crops.

A whole-scene run holds every chosen person's labels from the proposals until the persons are trained and
their agreement measured. As full-frame bool arrays they cost a frame's pixels each: 139 labels of a
1920 x 1536 video held 0.4 GB, and a long video's thousands of labels would hold gigabytes at any size. A
person's mask is a few thousand pixels of a frame's million, so :class:`CroppedMasks` keeps each one as its
bounding crop and makes the full mask again when it is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .overlap import bounding_slices


class CroppedMasks(Mapping[int, np.ndarray]):
    """{key: full-frame bool mask}, read-only, each mask kept as its bounding crop.

    Reading a key gives a new full-frame bool array (the caller may change it); :meth:`box` gives the
    bounding box without making it."""

    __slots__ = ("_crops",)

    def __init__(self, masks: Mapping[int, np.ndarray] | None = None) -> None:
        self._crops: dict[int, tuple[tuple[int, int], int, int, np.ndarray]] = {}
        for key, mask in (masks or {}).items():
            self._crops[key] = _crop(mask)

    def __getitem__(self, key: int) -> np.ndarray:
        shape, y, x, crop = self._crops[key]
        out = np.zeros(shape, bool)
        out[y:y + crop.shape[0], x:x + crop.shape[1]] = crop
        return out

    def __iter__(self) -> Iterator[int]:
        return iter(self._crops)

    def __len__(self) -> int:
        return len(self._crops)

    def __repr__(self) -> str:
        return f"CroppedMasks({len(self)} masks)"

    def box(self, key: int) -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1), exclusive ends, of the mask's pixels; None when it has none."""
        _shape, y, x, crop = self._crops[key]
        return (x, y, x + crop.shape[1], y + crop.shape[0]) if crop.size else None

    def nbytes(self) -> int:
        """Bytes the crops hold."""
        return sum(c.nbytes for *_rest, c in self._crops.values())


def _crop(mask: np.ndarray) -> tuple[tuple[int, int], int, int, np.ndarray]:
    m = np.asarray(mask, bool)
    if m.ndim != 2:
        raise ValueError(f"a mask must be 2-D, not of shape {m.shape}")
    box = bounding_slices(m)
    if box is None:  # no pixel: an empty crop
        return (int(m.shape[0]), int(m.shape[1])), 0, 0, np.zeros((0, 0), bool)
    rows, cols = box
    return (int(m.shape[0]), int(m.shape[1])), int(rows.start), int(cols.start), m[box].copy()
