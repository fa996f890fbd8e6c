"""Full-frame bool masks <-> compact pycocotools RLE, as a self-describing blob or a COCO dict.

Blob layout: ``b"RLE1"`` + height (uint32 LE) + width (uint32 LE) + the COCO compressed RLE counts
(ASCII bytes). The blob is what the project store keeps; the COCO dict is what the exports write.
"""

from __future__ import annotations

import struct

import numpy as np
from pycocotools import mask as mask_utils

_MAGIC = b"RLE1"
_HEADER = struct.Struct("<4sII")


def encode(mask: np.ndarray) -> dict:
    """A 2-D mask (bool or 0/non-0) -> COCO RLE ``{"size": [h, w], "counts": bytes}``."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError(f"a mask must be 2-D, got shape {m.shape}")
    return mask_utils.encode(np.asfortranarray(m != 0, dtype=np.uint8))


def decode(rle: dict) -> np.ndarray:
    """COCO RLE dict (counts as bytes or str) -> bool (h, w) mask."""
    counts = rle["counts"]
    if isinstance(counts, str):
        rle = {"size": list(rle["size"]), "counts": counts.encode("ascii")}
    return mask_utils.decode(rle).astype(bool)


def to_coco(mask: np.ndarray) -> dict:
    """A mask -> JSON-ready COCO RLE ``{"size": [h, w], "counts": str}``."""
    rle = encode(mask)
    return {"size": [int(s) for s in rle["size"]], "counts": rle["counts"].decode("ascii")}


def area(rle: dict) -> int:
    return int(mask_utils.area(rle))


def bbox(rle: dict) -> list[float]:
    """COCO bbox ``[x, y, w, h]`` of an RLE."""
    return [float(v) for v in mask_utils.toBbox(rle)]


def to_blob(mask: np.ndarray) -> bytes:
    """A mask -> blob for the store."""
    rle = encode(mask)
    h, w = (int(s) for s in rle["size"])
    return _HEADER.pack(_MAGIC, h, w) + rle["counts"]


def blob_size(blob: bytes) -> tuple[int, int]:
    magic, h, w = _HEADER.unpack_from(blob, 0)
    if magic != _MAGIC:
        raise ValueError("not a HumanSeg mask blob")
    return h, w


def from_blob(blob: bytes) -> np.ndarray:
    """A blob from :func:`to_blob` -> bool (h, w) mask."""
    h, w = blob_size(blob)
    counts = bytes(blob[_HEADER.size:])
    return mask_utils.decode({"size": [h, w], "counts": counts}).astype(bool)
