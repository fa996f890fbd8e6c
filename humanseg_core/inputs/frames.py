"""Frames of a video file or of a folder of images, by frame index, through a bounded LRU cache.

``open_frames(path)`` returns a :class:`FrameSource`. Reading is thread-safe (the GUI reads while a
background thread prefetches); memory is bounded by the cache size in frames, never by the video length.
A missing or corrupt frame raises :class:`~humanseg_core.errors.FrameError`; callers skip it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from ..errors import FrameError
from ..input_files import StrPath, call_bounded, check_image_size, check_video_path
from .image_decode import decode_image, read_image_bytes

DEFAULT_FOLDER_FPS = 25.0
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
# A video read this many frames ahead of the decoder is reached by decoding forward, not by seeking.
_FORWARD_DECODE_MAX = 12
#: How long OpenCV may take to open a video (read its container) before it is given up with an error.
VIDEO_OPEN_TIMEOUT_S = 15.0
#: How long counting the frames of a video whose container does not say may take (it decodes them all).
VIDEO_COUNT_TIMEOUT_S = 300.0
END_CHECK = 4  # frames after a video's last decodable one that must fail too for the file to count as cut short
END_SEARCH_S = 5.0  # the search for a cut file's last decodable frame gives up after this (its seeks may be slow)


#: The decoded frames a source keeps, in bytes, whatever ``cache_size`` allows: 64 full-HD frames had held
#: 0.57 GB (a 720 x 576 video's 64 frames are 80 MB, under it). At least ``MIN_CACHED`` frames are kept.
CACHE_BYTES = 256 * 2**20
MIN_CACHED = 8


class FrameSource:
    """Frames by index. Subclasses implement ``_decode(index)``; this class caches and prefetches."""

    def __init__(self, path: Path, cache_size: int = 64):
        self.path = Path(path)
        self.cache_size = max(1, int(cache_size))
        self.width = 0
        self.height = 0
        self.fps = DEFAULT_FOLDER_FPS
        self.indices: list[int] = []
        self._index_set: set[int] = set()
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._frame_bytes = 0  # of the last frame cached
        self._cache_lock = threading.Lock()
        self._decode_lock = threading.Lock()  # one decoder: a capture is not thread-safe
        self._pending: list[int] = []
        self._wake = threading.Condition()
        self._worker: threading.Thread | None = None
        self._closed = False

    # -- public API ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.indices)

    def __contains__(self, index: object) -> bool:
        return index in self._index_set

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, {len(self)} frames, {self.width}x{self.height})"

    def read(self, index: int) -> np.ndarray:
        """The frame ``index`` as BGR uint8 (H, W, 3); a copy the caller may draw on."""
        return self._load(int(index)).copy()

    def _load(self, index: int) -> np.ndarray:
        cached = self._cache_get(index)
        if cached is not None:
            return cached
        if self._closed:
            raise FrameError(self.path, "the frame source is closed", index)
        if index not in self._index_set:
            raise FrameError(self.path, f"no such frame (frames {self._span()})", index)
        with self._decode_lock:
            cached = self._cache_get(index)  # a prefetch may have decoded it meanwhile
            if cached is None:
                cached = self._decode(index)
                self._cache_put(index, cached)
        return cached

    def prefetch(self, indices: Iterable[int]) -> None:
        """Decode these frames ahead in a background thread (best effort).

        A new call replaces the requests not yet served (stale ones are dropped); at most
        half of :meth:`capacity` frames are queued so a prefetch never evicts what it just decoded.
        """
        if self._closed:
            return
        wanted = [int(i) for i in indices if int(i) in self._index_set]
        wanted = [i for i in wanted if not self.is_cached(i)][: max(1, self.capacity() // 2)]
        with self._wake:
            self._pending = wanted
            if self._worker is None:
                self._worker = threading.Thread(target=self._prefetch_loop, name="frame-prefetch", daemon=True)
                self._worker.start()
            self._wake.notify()

    def is_cached(self, index: int) -> bool:
        with self._cache_lock:
            return int(index) in self._cache

    def capacity(self) -> int:
        """How many frames the cache may hold: ``cache_size``, fewer when they would pass ``CACHE_BYTES``."""
        per = self._frame_bytes or int(self.width) * int(self.height) * 3  # before a decode: the size opened
        if per <= 0:
            return self.cache_size
        return min(self.cache_size, max(MIN_CACHED, CACHE_BYTES // per))

    def cached_count(self) -> int:
        """How many frames the cache holds now (never more than :meth:`capacity`)."""
        with self._cache_lock:
            return len(self._cache)

    def close(self) -> None:
        """Stop the prefetch thread, drop the cache and release the decoder."""
        with self._wake:
            self._closed = True
            self._pending = []
            self._wake.notify_all()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=5)
        with self._decode_lock:
            self._release()
        with self._cache_lock:
            self._cache.clear()

    # -- to implement -------------------------------------------------------------------------
    def _decode(self, index: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _release(self) -> None:
        pass

    # -- internals ----------------------------------------------------------------------------
    def _span(self) -> str:
        if not self.indices:
            return "none"
        return f"{self.indices[0]}..{self.indices[-1]}"

    def _cache_get(self, index: int) -> np.ndarray | None:
        with self._cache_lock:
            frame = self._cache.get(index)
            if frame is not None:
                self._cache.move_to_end(index)
            return frame

    def _cache_put(self, index: int, frame: np.ndarray) -> None:
        with self._cache_lock:
            self._cache[index] = frame
            self._cache.move_to_end(index)
            self._frame_bytes = int(frame.nbytes)
            while len(self._cache) > self.capacity():
                self._cache.popitem(last=False)

    def _prefetch_loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                index = self._pending.pop(0)
            if self.is_cached(index):
                continue
            try:
                self._load(index)
            except FrameError:
                pass  # best effort: the reader gets the error when it asks for this frame


class VideoFrames(FrameSource):
    """A video file decoded with OpenCV; seeks only when the read is not the next frame."""

    _cap: cv2.VideoCapture | None

    def __init__(self, path: Path, cache_size: int = 64):
        super().__init__(path, cache_size)
        self._next: int | None = 0  # the index the decoder returns on its next read()
        # A garbled or huge container can make OpenCV's open (or counting frames) hang: both run in a helper
        # thread, given up after a bound with a message naming the file; a late capture is released.
        try:
            self._cap = call_bounded(lambda: _open_capture(self.path), VIDEO_OPEN_TIMEOUT_S, late=_release)
        except TimeoutError:
            raise FrameError(self.path, f"OpenCV did not finish opening this video within "
                                        f"{VIDEO_OPEN_TIMEOUT_S:g} s (a damaged or unsupported container?)") from None
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if np.isfinite(fps) and 0 < fps < 1000 else DEFAULT_FOLDER_FPS
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if self.width > 0 and self.height > 0:
            try:
                check_image_size(self.width, self.height, self.path, FrameError)
            except FrameError:
                self._cap.release()
                raise
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        counted = count <= 0
        if count <= 0:  # some containers do not say: count by decoding once
            cap = self._cap
            try:
                count = call_bounded(lambda: _count_by_grabbing(cap), VIDEO_COUNT_TIMEOUT_S,
                                     late=lambda _n: cap.release())
            except TimeoutError:
                self._cap = None  # the helper thread releases it when it returns
                raise FrameError(self.path, f"counting the frames of this video took more than "
                                            f"{VIDEO_COUNT_TIMEOUT_S:g} s (a damaged container?)") from None
            self._next = 0
        if count <= 0 or self.width <= 0 or self.height <= 0:
            self._cap.release()
            raise FrameError(self.path, "the video holds no readable frame")
        self.indices = list(range(count))
        self._index_set = set(self.indices)
        self.declared = count  # the frames the container's header declares (or, without, that decoded)
        end = count if counted else self._decodable_end(count)  # a count by decoding is exact
        if end < count:  # the frames past ``end`` cannot be decoded: a file cut short (file_notes says so)
            self.indices = list(range(end))
            self._index_set = set(self.indices)
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # back at the start: reading from frame 0 never seeks
        self._next = 0

    def _decodable_end(self, count: int) -> int:
        """``count``, or the number of frames that decode when the last declared one does not (a file cut short:
        a walk's AVI declared 250 frames, 128 decoded, and `run` said so 122 times). Found by bisection and kept
        only where it is a clean end: the few frames after it fail too, so one damaged frame is not taken for
        one; else ``count`` (each frame that fails is said when read)."""
        if self._decodes(count - 1):
            return count
        deadline = time.monotonic() + END_SEARCH_S  # each seek of a container without its index can take seconds
        lo, hi = -1, count - 1  # lo decodes (or -1), hi does not
        while hi - lo > 1:
            if time.monotonic() > deadline:  # not found in time: every frame stays, each failing one said when read
                self._next = None
                return count
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if self._decodes(mid) else (lo, mid)
        if lo < 0 or any(self._decodes(f) for f in range(hi + 1, min(count, hi + 1 + END_CHECK))):
            self._next = None
            return count
        self._next = None
        return hi

    def _decodes(self, index: int) -> bool:
        try:
            self._decode(index)
        except FrameError:
            return False
        return True

    def _decode(self, index: int) -> np.ndarray:
        if self._cap is None:
            raise FrameError(self.path, "the video is closed", index)
        try:
            if self._next is None or not (self._next <= index <= self._next + _FORWARD_DECODE_MAX):
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                self._next = index
            while self._next < index:  # a short gap: decoding forward is cheaper than a seek
                if not self._cap.grab():
                    raise cv2.error("grab failed")
                self._next += 1
            ok, frame = self._cap.read()
            # a decoder that stopped short hands out its last frame again for every later one (a re-walk's H.264
            # file cut short: frame 132's image exported as frames 140-249): its position says so
            at = float(self._cap.get(cv2.CAP_PROP_POS_FRAMES) or 0.0) if ok else 0.0
        except cv2.error:
            ok, frame, at = False, None, 0.0
        if ok and 0 < at < index + 0.5:
            ok = False
        if not ok or frame is None:
            self._next = None  # position unknown: seek next time
            raise FrameError(self.path, "cannot decode this frame (corrupt or truncated video)", index)
        self._next = index + 1
        if frame.shape[:2] != (self.height, self.width):
            raise FrameError(self.path, f"the decoder gave {frame.shape[1]}x{frame.shape[0]} instead of "
                                        f"{self.width}x{self.height} (damaged video)", index)
        return _as_bgr(frame, self.path, index)

    def _release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class FolderFrames(FrameSource):
    """A folder of images; a number in every file name gives the frame index, else sorted order. A few images
    without a number among numbered ones (at most a tenth) are left out: ``left_out`` names them."""

    def __init__(self, path: Path, cache_size: int = 64):
        super().__init__(path, cache_size)
        files = [p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        if not files:  # (a walk gave `tracks` a scene folder: its frames/ named now)
            from .folder_hints import image_subfolders

            raise FrameError(self.path, "the folder holds no images (jpg, png, ...)" + image_subfolders(self.path))
        files.sort(key=_natural_key)
        numbers = [_frame_number(p) for p in files]
        pairs: list[tuple[int, Path]]
        numbered = [(n, f) for n, f in zip(numbers, files) if n is not None]
        # a few images without a number among numbered frames (a walk's background.png) are left out and named
        # (a warning of the scene): the frames keep their numbers, where sorted order shifted every frame by one
        self.left_out = [f.name for n, f in zip(numbers, files) if n is None]
        # ... and so are a few numbered unlike the others ("03710 - Copy.jpg" beside 03710.jpg: a walk's copy made
        # the folder sorted order, every later frame one off, and the banner blamed the trajectories)
        # the names without their extensions first (frames saved part .jpg, part .png are one naming), with them
        # when that leaves two files on one number (a review: 00005.png beside 00005.jpg is the copy)
        unlike, kept = _unlike_the_rest(numbered)
        if len({n for n, _ in kept}) != len(kept):
            with_suffix = _unlike_the_rest(numbered, by_suffix=True)
            if len({n for n, _ in with_suffix[1]}) == len(with_suffix[1]):
                unlike, kept = with_suffix
        self.named_unlike, numbered = unlike, kept
        unique = len({n for n, _ in numbered}) == len(numbered)
        strays = len(self.left_out) + len(self.named_unlike)
        # why the numbers in the names were not taken, when some had them (a walk's cam1_0001.jpg.. beside
        # cam2_0001.jpg.. was read as one video in sorted order without a word): said as a warning of the scene
        self.sorted_because: str | None = None
        if unique and len(numbered) >= 2 and strays <= max(1, len(files) // 10):
            pairs = sorted(numbered)
        else:
            if not unique:
                self.sorted_because = "images end in the same number ({} and {})".format(*_first_clash(numbered))
            elif len(numbered) >= 2:
                self.sorted_because = (f"{strays} of its {len(files)} images have no frame number or are named unlike "
                                       "the others")
            pairs, self.left_out, self.named_unlike = list(enumerate(files)), [], []
        self._files: dict[int, Path] = dict(pairs)
        self.indices = [i for i, _ in pairs]
        self._index_set = set(self.indices)
        self.fps = DEFAULT_FOLDER_FPS
        self._read_size()

    def file_of(self, index: int) -> Path:
        """The image file holding frame ``index``."""
        try:
            return self._files[int(index)]
        except KeyError:
            raise FrameError(self.path, "no such frame", index) from None

    def _read_size(self) -> None:
        problems = []
        for index in self.indices[:50]:  # the first readable image sets the size
            try:
                image = _as_bgr(self._read_image(index), self._files[index], index)
            except FrameError as exc:  # damaged, or too large: it never fixes the size
                problems.append(str(exc))
                continue
            self.height, self.width = image.shape[:2]
            self._cache_put(index, image)
            return
        raise FrameError(self.path, "none of the first images can be read (first problem: "
                                    f"{problems[0] if problems else 'none'})")

    def _read_image(self, index: int) -> np.ndarray:
        file = self._files[index]
        return decode_image(read_image_bytes(file, index), file, index)

    def _decode(self, index: int) -> np.ndarray:
        file = self._files[index]
        image = self._read_image(index)
        if image.shape[:2] != (self.height, self.width):
            raise FrameError(
                file, f"image is {image.shape[1]}x{image.shape[0]}, the others {self.width}x{self.height}", index
            )
        return _as_bgr(image, file, index)


# FFmpeg's own error lines ("moov atom not found") reached stderr ahead of the message naming the file and the
# problem: only its fatal ones now (FFmpeg's AV_LOG_FATAL; OpenCV reads this when it opens a video; a user's
# own setting wins)
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "8")


def _open_capture(path: Path) -> cv2.VideoCapture:
    """An opened ``cv2.VideoCapture`` of ``path``, or FrameError (run in a helper thread, bounded)."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise FrameError(path, "OpenCV cannot open this file as a video" + _why_not_a_video(path))
    return cap


def _why_not_a_video(path: Path) -> str:
    """What a file OpenCV cannot open most likely is, for the message (a walk's MP4 cut in half read only "cannot
    open this file as a video"): an MP4 or MOV whose top-level boxes hold no index ('moov'), which a copy or a
    recording cut short lacks."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return " (the file is empty)"
            f.seek(0)
            if f.read(8)[4:8] != b"ftyp":
                return ""
            at = 0
            for _ in range(1000):  # the top-level boxes: size (4 bytes, big-endian), type (4)
                f.seek(at)
                head = f.read(16)
                if len(head) < 8:
                    break
                length, kind = int.from_bytes(head[:4], "big"), head[4:8]
                if length == 1 and len(head) == 16:
                    length = int.from_bytes(head[8:16], "big")
                if length < 8:
                    break
                if kind == b"moov" and at + length <= size:
                    return ""  # indexed, whole: something else (a codec this OpenCV lacks?)
                at += length
    except OSError:
        return ""
    return " (an MP4/MOV file without its index: a copy or recording cut short? Copy it again whole)"


def _count_by_grabbing(cap: cv2.VideoCapture) -> int:
    """The number of frames, by grabbing them all; the capture is put back at frame 0."""
    n = 0
    while cap.grab():
        n += 1
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    return n


def _release(cap: cv2.VideoCapture) -> None:
    cap.release()


def open_frames(path: StrPath, cache_size: int = 64) -> FrameSource:
    """A video file (anything OpenCV reads) or a folder of images, as a :class:`FrameSource`."""
    p = Path(path)
    check_video_path(p, FrameError)  # a FIFO or a device would block the decoder forever
    if p.is_dir():
        return FolderFrames(p, cache_size)
    if not p.exists():
        raise FrameError(p, "no such video file or folder")
    return VideoFrames(p, cache_size)


def _unlike_the_rest(numbered: list[tuple[int, Path]],
                     by_suffix: bool = False) -> tuple[list[str], list[tuple[int, Path]]]:
    """(the names of the numbered files named unlike at least nine in ten of them, the others): a file's name with
    its digits as '#' and without its extension (with it: ``by_suffix``) is its pattern ("#####", "##### - Copy");
    none set aside when no pattern holds nine in ten (in a folder under ten, all but one, at least two)."""
    if len(numbered) < 2:
        return [], numbered
    # the name without its extension: a walk's frames saved part .jpg, part .png were two namings (a copy beside
    # them then put the folder in sorted order)
    patterns = [re.sub(r"\d+", "#", (f.name if by_suffix else f.stem).lower()) for _n, f in numbered]
    top, count = Counter(patterns).most_common(1)[0]
    # nine in ten; in a short folder, all but one (a copy beside 4 frames had put them in sorted order: an audit)
    if count == len(numbered) or count < 2 or count < min(0.9 * len(numbered), len(numbered) - 1):
        return [], numbered
    return ([f.name for (_n, f), pat in zip(numbered, patterns) if pat != top],
            [pair for pair, pat in zip(numbered, patterns) if pat == top])


def _first_clash(numbered: list[tuple[int, Path]]) -> tuple[str, str]:
    """The names of the first two files with one number."""
    seen: dict[int, str] = {}
    for n, f in numbered:
        if n in seen:
            return seen[n], f.name
        seen[n] = f.name
    raise ValueError("no two files share a number")


def _frame_number(path: Path) -> int | None:
    digits = re.findall(r"\d+", path.stem)
    return int(digits[-1]) if digits else None


def _natural_key(path: Path) -> list[tuple[int, int, str]]:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", path.name)]


def _as_bgr(image: np.ndarray, path: StrPath, index: int) -> np.ndarray:
    if image.dtype != np.uint8:
        raise FrameError(path, f"unsupported pixel type {image.dtype}", index)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image)
