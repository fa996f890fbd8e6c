"""Full-frame bool masks <-> compact pycocotools RLE, as a self-describing blob or a COCO dict.

Blob layout: ``b"RLE1"`` + height (uint32 LE) + width (uint32 LE) + the COCO compressed RLE counts
(ASCII bytes). The blob is what the project store keeps; the COCO dict is what the exports write.
"""

from __future__ import annotations

import struct

import numpy as np
from pycocotools import mask as mask_utils

from .input_files import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE

_MAGIC = b"RLE1"
_HEADER = struct.Struct("<4sII")


def encode(mask: np.ndarray) -> dict:
    """A 2-D mask (bool or 0/non-0) -> COCO RLE ``{"size": [h, w], "counts": bytes}``."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError(f"a mask must be 2-D, got shape {m.shape}")
    return mask_utils.encode(np.asfortranarray(m != 0, dtype=np.uint8))


class MaskDataError(ValueError):
    """A stored mask (blob or COCO RLE) is damaged or declares a size too large to decode."""


def check_size(h: int, w: int) -> None:
    """MaskDataError unless (h, w) is a plausible mask size: checked before anything is allocated."""
    if not (0 < h <= MAX_IMAGE_SIDE and 0 < w <= MAX_IMAGE_SIDE and h * w <= MAX_IMAGE_PIXELS):
        raise MaskDataError(f"the mask declares {w}x{h} pixels (limit {MAX_IMAGE_SIDE} per side, "
                            f"{MAX_IMAGE_PIXELS // 10**6} MP); refused before decoding")


def run_lengths(counts: bytes, h: int, w: int) -> np.ndarray:
    """The run lengths a COCO compressed counts string holds, checked to be >= 0 and to add up to h * w.

    pycocotools decodes without bounds checks: damaged counts make it write past its buffer (heap
    corruption, a crash later). This parses the same format (6-bit chars from 48, 5 data bits and a
    continuation bit, sign in the last char, counts from the 4th on relative to the one two before) with numpy.
    """
    x = np.frombuffer(counts, np.uint8).astype(np.int64) - 48
    if x.size == 0 or x.min() < 0 or x.max() > 63:
        raise MaskDataError("damaged mask data (a character outside the RLE alphabet)")
    more = (x & 0x20) != 0
    if more[-1]:
        raise MaskDataError("damaged mask data (the last run length is cut)")
    ends = np.flatnonzero(~more)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts + 1
    if lengths.max() > 7:
        raise MaskDataError("damaged mask data (a run length too long)")
    shift = 5 * (np.arange(x.size) - np.repeat(starts, lengths))
    values = np.add.reduceat((x & 0x1F) << shift, starts)
    values = np.where((x[ends] & 0x10) != 0, values - (np.int64(1) << (5 * lengths)), values)
    runs = values.copy()
    runs[2::2] = np.cumsum(values[2::2])
    runs[1::2] = np.cumsum(values[1::2])
    if runs.min() < 0 or int(runs.sum()) != h * w:
        raise MaskDataError(f"damaged mask data (run lengths add up to {int(runs.sum())}, not {h}x{w})")
    return runs


def _decode_checked(h: int, w: int, counts: bytes) -> np.ndarray:
    check_size(h, w)
    run_lengths(counts, h, w)  # before pycocotools touches memory
    try:
        return mask_utils.decode({"size": [h, w], "counts": counts}).astype(bool)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MaskDataError(f"damaged mask data ({exc})") from None


def decode(rle: dict) -> np.ndarray:
    """COCO RLE dict (counts as bytes or str) -> bool (h, w) mask; MaskDataError when damaged."""
    try:
        h, w = (int(s) for s in rle["size"])
        counts = rle["counts"]
        if isinstance(counts, str):
            counts = counts.encode("ascii")
        if not isinstance(counts, bytes):
            raise TypeError(f"counts is {type(counts).__name__}")
    except (KeyError, TypeError, ValueError, UnicodeEncodeError) as exc:
        raise MaskDataError(f"not a COCO RLE mask ({type(exc).__name__}: {exc})") from None
    return _decode_checked(h, w, counts)


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
    """(h, w) from a blob's header; MaskDataError when it is not one."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise MaskDataError(f"not a HumanSeg mask blob (a {type(blob).__name__})")
    if len(blob) < _HEADER.size:
        raise MaskDataError(f"not a HumanSeg mask blob ({len(blob)} bytes)")
    magic, h, w = _HEADER.unpack_from(blob, 0)
    if magic != _MAGIC:
        raise MaskDataError("not a HumanSeg mask blob (bad magic)")
    return h, w


def _blob_runs(blob: bytes) -> tuple[int, int, bytes, np.ndarray]:
    """(h, w, counts, run lengths) of a blob, checked as :func:`from_blob` checks it (the same MaskDataError)."""
    h, w = blob_size(blob)
    check_size(h, w)
    counts = bytes(blob[_HEADER.size:])
    return h, w, counts, run_lengths(counts, h, w)


def blob_rle(blob: bytes) -> dict:
    """A blob -> COCO RLE ``{"size": [h, w], "counts": bytes}``, checked without decoding the mask: for the
    store's check and the exports' RLE strings."""
    h, w, counts, _runs = _blob_runs(blob)
    return {"size": [h, w], "counts": counts}


def blob_extent(blob: bytes) -> tuple[int, tuple[int, int, int, int] | None]:
    """(area, (x0, y0, x1, y1) inclusive box, None when empty) of a blob's mask, from its run lengths (checked as
    :func:`blob_rle` checks them) without decoding it."""
    h, _w, _counts, runs = _blob_runs(blob)
    ends = np.cumsum(runs)
    starts = ends - runs
    on = np.flatnonzero((np.arange(runs.size) % 2 == 1) & (runs > 0))  # the runs of the mask's pixels
    if on.size == 0:
        return 0, None
    first, last = starts[on], ends[on] - 1  # column-major pixel indices
    c0, r0, c1, r1 = first // h, first % h, last // h, last % h
    wraps = c1 > c0  # a run over a column's end covers its rows from r0 down, and the next column's from the top
    box = (int(c0.min()), int(np.where(wraps, 0, r0).min()), int(c1.max()), int(np.where(wraps, h - 1, r1).max()))
    return int(runs[on].sum()), box


# a blob this long or longer holds two runs or more, so pixels: one run's count takes at most 7 characters
LONG_BLOB = _HEADER.size + 9


def blob_holds_pixels(blob: bytes) -> bool:
    """Whether a blob's mask has a pixel, read from its run lengths; a damaged one counts as holding some. Only a
    short string can be the one run of an empty mask: a longer one is not parsed (the studio counts a person's labels
    so on every refresh)."""
    try:
        if len(blob) >= LONG_BLOB:
            return True
        return bool(blob_extent(blob)[0])
    except Exception:
        return True


def from_blob(blob: bytes) -> np.ndarray:
    """A blob from :func:`to_blob` -> bool (h, w) mask; MaskDataError when damaged or too large."""
    h, w = blob_size(blob)
    return _decode_checked(h, w, bytes(blob[_HEADER.size:]))
