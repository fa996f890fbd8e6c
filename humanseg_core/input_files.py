"""The one bounded reader for every input file the user names (trajectories, homography, frames, videos).

* Regular files only: a FIFO, a device (``/dev/zero``), a socket or a folder gets the caller's typed error
  naming the file. The type is checked with ``os.stat`` before opening and again with ``fstat`` on the
  open descriptor, which is opened with ``O_NONBLOCK`` so a FIFO swapped in between never blocks.
* A size limit (``max_bytes``; the environment variable ``HUMANSEG_MAX_INPUT_MB`` raises every default
  limit for genuinely huge files) with a message that says how to lift it.
* A time-bounded open (``timeout_s``): a network drive that never answers gives an error, not a hang;
  :func:`call_bounded` bounds any other open the same way (a video container OpenCV hangs on).
* Image sizes are checked against :data:`MAX_IMAGE_PIXELS` / :data:`MAX_IMAGE_SIDE` before anything
  is decoded (:func:`check_image_size`); the mask blobs of the project store use the same limit.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError

#: The default size limit of a text input (a trajectory file of 1,000 persons x 10,000 frames is ~40 MB).
MAX_TEXT_BYTES = 256 * 1024 * 1024
#: An image file (one frame) larger than this is refused before reading.
MAX_IMAGE_BYTES = 256 * 1024 * 1024
#: Largest image or mask, in pixels and per side (8K video is 7680 x 4320 = 33 MP).
MAX_IMAGE_PIXELS = 1 << 26
MAX_IMAGE_SIDE = 1 << 15
#: How long opening a file may take before it is given up (a hung network mount).
OPEN_TIMEOUT_S = 10.0
_ENV_LIMIT = "HUMANSEG_MAX_INPUT_MB"
T = TypeVar("T")
StrPath = str | Path  # a file name as the user gave it


def size_limit(default: int) -> int:
    """``default``, or the limit from ``HUMANSEG_MAX_INPUT_MB`` when that is set and larger."""
    try:
        env = int(float(os.environ.get(_ENV_LIMIT, "0")) * 1024 * 1024)
    except ValueError:
        env = 0
    return max(default, env)


def _kind(mode: int) -> str | None:
    """None for a regular file, else what the file is, in words."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular_file(path: StrPath, error: type[InputError], what: str) -> os.stat_result:
    """``os.stat`` of ``path`` when it is a regular file, else ``error`` naming it and what it is."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise error(path, f"is {kind}, not {what}")
    return st


def check_video_path(path: StrPath, error: type[InputError]) -> None:
    """A video must be a regular file or a folder of frames (a FIFO or device would block the decoder)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(path, "no such video file or folder") from None
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    kind = _kind(st.st_mode)
    if kind not in (None, "a folder"):
        raise error(path, f"is {kind}, not a video file or a folder of frames")


def _open_nonblocking(path: StrPath) -> int:
    return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))


def call_bounded(fn: Callable[[], T], timeout_s: float | None, late: Callable[[T], object] | None = None) -> T:
    """``fn()`` in a helper thread, waited for at most ``timeout_s`` (None: called here, no bound).

    TimeoutError when it has not returned by then; the thread is left to finish on its own (a daemon), and
    ``late(result)`` then runs on it so a late result (an open file, a capture) is released, not leaked."""
    if timeout_s is None:
        return fn()
    box: dict[str, Any] = {}
    lock = threading.Lock()

    def work() -> None:
        try:
            value = fn()
        except BaseException as exc:  # handed to the caller below
            box["exc"] = exc
            return
        with lock:
            if box.get("abandoned"):
                if late is not None:
                    late(value)
                return
            box["value"] = value

    thread = threading.Thread(target=work, name="bounded-call", daemon=True)
    thread.start()
    thread.join(timeout_s)
    with lock:
        if "value" not in box and "exc" not in box:  # still running
            box["abandoned"] = True
            raise TimeoutError(f"took more than {timeout_s:g} s")
    if "exc" in box:
        raise box["exc"]
    return box["value"]


def _open_bounded(path: StrPath, timeout_s: float | None) -> int:
    """``os.open`` in a helper thread when ``timeout_s`` is given; TimeoutError when it does not return."""
    try:
        return call_bounded(lambda: _open_nonblocking(path), timeout_s, late=os.close)
    except TimeoutError:
        raise TimeoutError(f"opening took more than {timeout_s:g} s") from None


def read_input_bytes(path: StrPath, error: type[InputError], what: str, max_bytes: int = MAX_TEXT_BYTES,
                     timeout_s: float | None = OPEN_TIMEOUT_S) -> bytes:
    """The bytes of a user's input file, or ``error`` naming it and the problem.

    Refused: missing, a folder, a FIFO/device/socket, unreadable, larger than ``max_bytes`` (raised by
    ``HUMANSEG_MAX_INPUT_MB``), or an open that takes longer than ``timeout_s`` (None: no thread, no bound).
    """
    limit = size_limit(max_bytes)
    st = check_regular_file(path, error, what)
    if st.st_size > limit:
        raise error(path, f"is {_mb(st.st_size)}, more than the {_mb(limit)} limit for {what}; for a "
                          f"genuinely huge file set {_ENV_LIMIT} (e.g. {_ENV_LIMIT}={st.st_size // 2**20 + 1})")
    try:
        fd = _open_bounded(path, timeout_s)
    except TimeoutError as exc:
        raise error(path, f"cannot read: {exc} (a network drive that does not answer?)") from None
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:  # swapped after the stat
            raise error(path, f"is {kind}, not {what}")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise error(path, f"is larger than the {_mb(limit)} limit for {what} (it grew while read); "
                                  f"for a genuinely huge file set {_ENV_LIMIT}")
        return b"".join(chunks)
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def check_image_size(width: int, height: int, path: StrPath, error: type[InputError], index: int | None = None) -> None:
    """``error`` when an image or mask of ``width`` x ``height`` is empty or too large to decode safely."""
    w, h = int(width), int(height)
    problem = None
    if w <= 0 or h <= 0:
        problem = f"declares an empty size {w}x{h}"
    elif w > MAX_IMAGE_SIDE or h > MAX_IMAGE_SIDE or w * h > MAX_IMAGE_PIXELS:
        problem = (f"declares {w}x{h} pixels, more than the limit ({MAX_IMAGE_SIDE} per side, "
                   f"{MAX_IMAGE_PIXELS // 10**6} MP); refused before decoding")
    if problem is not None:
        if index is not None:
            raise error(path, problem, index)  # FrameError takes the index
        raise error(path, problem)


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
               (b"BM", "a BMP image"), (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
               (b"\x1aE\xdf\xa3", "a video (Matroska/WebM)"))


def binary_kind(data: bytes) -> str | None:
    """What a file whose bytes start with ``data`` is, when it is a common image, video or archive (a walk gave a
    frame as the homography and read "not UTF-8 text"); None otherwise."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "a video (MP4/MOV)"
    if data[:4] == b"RIFF" and data[8:12] in (b"AVI ", b"WEBP"):
        return "a video (AVI)" if data[8:12] == b"AVI " else "a WebP image"
    return None
