"""Decoding one frame image safely: size checked from the header first, damage reported, never used.

* The size comes from the header (JPEG: libjpeg-turbo's header reader; PNG: the IHDR chunk; others: PIL's
  lazy open) and is checked against :func:`~humanseg_core.input_files.check_image_size` before decoding,
  so a 74-byte PNG declaring 50000x50000 is refused instead of allocating gigabytes.
* JPEGs are decoded with simplejpeg in strict mode: the warnings libjpeg gives for a truncated or damaged
  file ("Premature end of JPEG file", "Corrupt JPEG data") become a :class:`FrameError` instead of an image
  with grey rows. It is also faster than OpenCV's decoder (3.5 vs 5.0 ms on a 720x576 frame).
* PNGs must end with their IEND chunk (a truncated PNG is reported, not half-decoded).
"""

from __future__ import annotations

import io
import re
import struct
import warnings

import cv2
import numpy as np

from ..errors import FrameError
from ..input_files import MAX_IMAGE_BYTES, check_image_size, read_input_bytes

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"


def read_image_bytes(path, index: int | None = None) -> bytes:
    """The bytes of one frame file (regular file, size-limited, never blocking on a FIFO)."""
    try:
        return read_input_bytes(path, FrameError, "an image file", max_bytes=MAX_IMAGE_BYTES, timeout_s=None)
    except FrameError as exc:
        raise FrameError(path, exc.problem, index) from None


def header_size(data: bytes, path, index: int | None = None) -> tuple[int, int]:
    """(width, height) declared by the image header, without decoding the pixels."""
    if not data:  # said as such, not as a decoder's exception (a walk read "UnidentifiedImageError")
        raise FrameError(path, "the file is empty (0 bytes): it was not written whole", index)
    try:
        if data.startswith(_PNG):
            if len(data) < 24 or data[12:16] != b"IHDR":
                raise ValueError("no IHDR chunk")
            w, h = struct.unpack(">II", data[16:24])
            return int(w), int(h)
        if data.startswith(_JPEG):
            import simplejpeg

            h, w, _, _ = simplejpeg.decode_jpeg_header(data)
            return int(w), int(h)
        from PIL import Image

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
        return int(w), int(h)
    except Exception as exc:  # PIL and simplejpeg raise many types on garbage; all mean "unreadable header"
        if type(exc).__name__ == "DecompressionBombError":
            raise FrameError(path, f"the image declares too many pixels ({exc}); refused before decoding",
                             index) from None
        said = re.sub(r" ?<[^<>]* object at 0x[0-9a-f]+>", "", str(exc)).strip()  # not the BytesIO's repr
        raise FrameError(path, f"cannot read the image header ({type(exc).__name__}{': ' + said if said else ''}); "
                               f"the file is corrupt or not an image", index) from None


def decode_image(data: bytes, path, index: int | None = None) -> np.ndarray:
    """The image in ``data`` as BGR uint8, or FrameError naming the damage."""
    w, h = header_size(data, path, index)
    check_image_size(w, h, path, FrameError, index)
    if data.startswith(_JPEG):
        return _decode_jpeg(data, path, index)
    if data.startswith(_PNG) and data.rstrip(b"\x00")[-8:-4] != b"IEND":
        raise FrameError(path, "truncated PNG (no IEND chunk at the end)", index)
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as exc:
        raise FrameError(path, f"cannot decode this image ({str(exc).strip().splitlines()[-1]})", index) from None
    if image is None:
        raise FrameError(path, "cannot decode this image (corrupt or unsupported)", index)
    return image


def _decode_jpeg(data: bytes, path, index: int | None) -> np.ndarray:
    import simplejpeg

    try:
        return simplejpeg.decode_jpeg(data, colorspace="BGR", strict=True)
    except ValueError as exc:
        strict_problem = str(exc)
    try:  # a warning only (the lenient decode works) means damaged data: report it, never use it
        simplejpeg.decode_jpeg(data, colorspace="BGR", strict=False)
    except ValueError:
        pass
    else:
        raise FrameError(path, f"damaged JPEG ({strict_problem}); the frame is skipped", index)
    # simplejpeg cannot read it at all (e.g. CMYK, 12-bit): let OpenCV try
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        image = None
    if image is None:
        raise FrameError(path, f"cannot decode this JPEG ({strict_problem})", index)
    return image
