"""Background subtraction by algorithm name: pybgs (bgslibrary) when importable, OpenCV otherwise.

``BackgroundSubtractor(algorithm, read_frame, indices)`` returns foreground masks for arbitrary frame
indices while keeping the model warmed up: before a frame it feeds the model the preceding ``warmup``
frames (or just the frames since the last call when that gap is short), so the model is past its
calibration on every frame it answers for. Near the start of a video, where no preceding frames exist,
it warms up on the following frames fed in reverse order (any frame but the target shows background).

Masks are uint8: 0 background, 255 foreground, 127 shadow (only from algorithms that mark shadows).

Algorithms: ``"median"`` (a static background: the per-pixel median of frames sampled around the target,
with shadow suppression; no warm-up needed, strong on fixed cameras), every pybgs class by name (e.g.
``"MixtureOfGaussianV2"``, ``"KNN"``, ``"ViBe"``, ``"SuBSENSE"``, ``"LOBSTER"``, ``"PAWCS"``), and
``"opencv:MOG2"`` / ``"opencv:KNN"``. pybgs prints to stdout/stderr and reads/writes ``./config/``: models
are built inside a private temporary folder with both streams redirected to /dev/null.

Detection (:class:`BGSDetector`): the foreground (shadows excluded) is median-filtered to drop specks, closed
with a tall kernel so a person's parts join, and split into connected components; components too small for
a person are dropped. Each remaining blob gives a box, a score (its foreground fill) and its mask.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import cv2
import numpy as np

from ...errors import FrameError, HumansegError
from ...inputs.stack_median import stack_median
from ...records import Detection
from .base import Detector

DEFAULT_ALGORITHM = "median"
DEFAULT_WARMUP = 40
OPENCV_ALGORITHMS = ("opencv:MOG2", "opencv:KNN")
# a shadow darkens the background by a ratio in this range, the same in the three channels (within SPREAD)
SHADOW_RATIO = (0.5, 0.98)
SHADOW_SPREAD = 0.06
# pybgs algorithms worth offering (fast enough on a CPU, or strong enough to wait for)
PYBGS_ALGORITHMS = ("MixtureOfGaussianV2", "KNN", "ViBe", "SuBSENSE", "LOBSTER", "PAWCS", "SigmaDelta",
                    "CodeBook", "KDE", "PixelBasedAdaptiveSegmenter", "WeightedMovingVariance", "TwoPoints")

_PYBGS_LOCK = threading.Lock()
_PYBGS_DIR: str | None = None


def pybgs_available() -> bool:
    try:
        import pybgs  # noqa: F401
    except ImportError:
        return False
    return True


def available_algorithms() -> list[str]:
    """Names accepted by :class:`BackgroundSubtractor` on this machine."""
    names = ["median"]
    if pybgs_available():
        names += list(PYBGS_ALGORITHMS)
    names += list(OPENCV_ALGORITHMS)
    return names


@contextlib.contextmanager
def _quiet_private_cwd() -> Iterator[None]:
    """Run pybgs construction in a private folder holding ``config/``, with stdout/stderr silenced."""
    global _PYBGS_DIR
    with _PYBGS_LOCK:
        if _PYBGS_DIR is None:
            _PYBGS_DIR = tempfile.mkdtemp(prefix="humanseg-pybgs-")
            # removed when the process ends (every run had left one folder behind in the temp folder)
            atexit.register(shutil.rmtree, _PYBGS_DIR, ignore_errors=True)
            os.makedirs(os.path.join(_PYBGS_DIR, "config"), exist_ok=True)
        old_cwd = os.getcwd()
        saved = []
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            for fd in (1, 2):
                try:
                    saved.append((fd, os.dup(fd)))
                    os.dup2(devnull, fd)
                except OSError:
                    pass
            if os.path.isdir(_PYBGS_DIR):  # gone at exit, when a model is destroyed (that needs no config)
                os.chdir(_PYBGS_DIR)
            yield
        finally:
            os.chdir(old_cwd)
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            os.close(devnull)


class UnknownAlgorithm(HumansegError, ValueError):
    """A background model name no library here knows (an option's value: the CLI says it in one line)."""


class _Model(Protocol):
    def apply(self, frame: np.ndarray, /) -> Any: ...


def _make_model(algorithm: str) -> _Model:
    """A fresh model with ``apply(frame) -> mask``."""
    if algorithm == "opencv:MOG2":
        return cv2.createBackgroundSubtractorMOG2(history=200, varThreshold=16, detectShadows=True)
    if algorithm == "opencv:KNN":
        return cv2.createBackgroundSubtractorKNN(history=200, detectShadows=True)
    try:
        import pybgs
    except ImportError:
        fallback = {"KNN": "opencv:KNN"}.get(algorithm, "opencv:MOG2")
        return _make_model(fallback)
    cls = getattr(pybgs, algorithm, None)
    if cls is None or not callable(cls):
        raise UnknownAlgorithm(f"unknown background subtraction algorithm {algorithm!r}; "
                         f"choose one of {', '.join(available_algorithms())}")
    return _PybgsModel(cls, algorithm)


class _PybgsModel:
    """A pybgs model built (and given its first frame, when bgslibrary writes its config) quietly."""

    def __init__(self, cls: Any, name: str):
        self.cls = cls
        self.name = name
        self.model: Any = None

    def apply(self, frame: np.ndarray) -> np.ndarray:
        if self.model is None:
            with _quiet_private_cwd():
                self.model = self.cls()
                out = self.model.apply(frame)
        else:
            out = self.model.apply(frame)
        return out

    def __del__(self) -> None:  # bgslibrary prints when a model is destroyed
        if getattr(self, "model", None) is not None:
            try:
                with _quiet_private_cwd():
                    self.model = None
            except Exception:
                self.model = None


def _normalise_mask(mask: np.ndarray) -> np.ndarray:
    """uint8 HxW mask: 0 background, 127 shadow, 255 foreground."""
    m = np.asarray(mask)
    if m.ndim == 3:
        m = m.max(axis=2)
    m = m.astype(np.uint8, copy=False)
    out = np.zeros(m.shape, np.uint8)
    out[m >= 200] = 255
    out[(m > 50) & (m < 200)] = 127
    return out


def frame_gain(frame: np.ndarray, background: np.ndarray) -> float:
    """The frame's global brightness gain against the background (the median brightness ratio: cameras
    drift); 1 when it is implausible (outside 0.5-2)."""
    gain = float(np.median((channel_sum(frame) + np.float32(1.0)) / (channel_sum(background) + np.float32(1.0))))
    return gain if 0.5 < gain < 2.0 else 1.0


# numpy reduces a last axis of three slowly (about 10x slower than the same arithmetic on the channel planes,
# with equal results): the helpers below work plane by plane


def channel_sum(image: np.ndarray) -> np.ndarray:
    """The sum of the three channels in float32 (equal to ``image.sum(axis=2, dtype=np.float32)``)."""
    f = image.astype(np.float32, copy=False)
    return f[..., 0] + f[..., 1] + f[..., 2]


def is_grey(frame: np.ndarray, tol: int = 2) -> bool:
    """Whether a BGR frame is grey (a monochrome camera's, read as three equal channels): every 7th pixel's
    channels within ``tol`` of each other."""
    if frame.ndim != 3 or frame.shape[2] < 3:
        return True
    f = frame[::7, ::7, :3].astype(np.int16)
    return int(np.abs(f[..., 0] - f[..., 1]).max()) <= tol and int(np.abs(f[..., 1] - f[..., 2]).max()) <= tol


def _planes(image: np.ndarray) -> list[np.ndarray]:
    """The first three channel planes of an HxWxC image, each contiguous (``cv2.split`` where it can)."""
    if image.dtype in (np.uint8, np.float32) and image.shape[2] <= 4:
        return list(cv2.split(np.ascontiguousarray(image)))[:3]
    return [np.ascontiguousarray(image[..., c]) for c in range(3)]


def brightness_ratios(frame: np.ndarray, background: np.ndarray,
                      gain: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(largest channel difference, mean channel ratio, spread of the three channel ratios) of ``frame``
    against a background image scaled by ``gain`` (:func:`frame_gain`), float32 HxW each."""
    one, g = np.float32(1.0), np.float32(gain)
    fs = [c.astype(np.float32) for c in _planes(frame)]  # channel planes: the same float32 arithmetic, 5x
    bs = [c.astype(np.float32) * g for c in _planes(background)]  # faster than on HxWx3 (full HD)
    d = [np.abs(f - b) for f, b in zip(fs, bs)]
    r0, r1, r2 = [(f + one) / (b + one) for f, b in zip(fs, bs)]
    spread = np.maximum(np.maximum(r0, r1), r2) - np.minimum(np.minimum(r0, r1), r2)
    return np.maximum(np.maximum(d[0], d[1]), d[2]), (r0 + r1 + r2) / np.float32(3), spread


def shadow_free_difference(frame: np.ndarray, background: np.ndarray, threshold: float = 16.0,
                           shadow_ratio: tuple[float, float] = SHADOW_RATIO,
                           spread_tol: float = SHADOW_SPREAD, compensate_gain: bool = True,
                           gain: float | None = None) -> np.ndarray:
    """Foreground mask of ``frame`` against a background image: 255 fg, 127 shadow, 0 background.

    The background is first scaled by the frame's brightness gain (:func:`frame_gain`) when
    ``compensate_gain`` (``gain``: that gain when the caller has it already). A pixel differs when its
    largest channel difference exceeds ``threshold``; a differing pixel darker than the background by a
    ratio in ``shadow_ratio`` whose three channel ratios agree within ``spread_tol`` (a shadow darkens, it
    does not change the colour) is a shadow.
    """
    if gain is None:
        gain = frame_gain(frame, background) if compensate_gain else 1.0
    diff, ratio, spread = brightness_ratios(frame, background, gain)
    fg = diff > threshold
    if is_grey(frame):  # no colour to tell a shadow from dark clothing: nothing is called a shadow (BENCHMARKS
        return np.where(fg, np.uint8(255), np.uint8(0))  # "Grey video": zara01 turned grey 0.648 -> 0.814)
    shadow = fg & (ratio > shadow_ratio[0]) & (ratio < shadow_ratio[1]) & (spread < spread_tol)
    out = np.zeros(diff.shape, np.uint8)
    out[fg] = 255
    out[shadow] = 127
    return out


def sample_frames(indices: np.ndarray, index: int, window: int, samples: int) -> np.ndarray:
    """Up to ``samples`` frames of ``indices`` (sorted) spread evenly over the ``window`` frames around ``index``;
    near an end of the video, over the nearest ``window`` frames instead."""
    lo = np.searchsorted(indices, index - window // 2)
    hi = np.searchsorted(indices, index + window // 2, side="right")
    pool = indices[lo:hi]
    if len(pool) < samples:
        order = np.argsort(np.abs(indices - index), kind="stable")[: max(window, samples)]
        pool = np.sort(indices[order])
    return pool[np.unique(np.linspace(0, len(pool) - 1, samples).round().astype(int))]


class WindowedBackground:
    """A background computed for a target frame (``_compute``) and kept until the target moves ``window // 4``
    frames away. Subclasses set ``window``, ``_bg = None`` and ``_centre = None``."""

    window: int
    _bg: np.ndarray | None
    _centre: int | None

    def background(self, index: int) -> np.ndarray:
        if self._bg is None or self._centre is None or abs(index - self._centre) > max(1, self.window // 4):
            self._bg = self._compute(index)
            self._centre = index
        return self._bg

    def _compute(self, index: int) -> np.ndarray:
        raise NotImplementedError


class MedianBackground(WindowedBackground):
    """Background = per-pixel median of up to ``samples`` frames spread over ``window`` frames around the
    target (never the target itself); recomputed when the target moves ``window // 4`` frames away."""

    def __init__(self, read_frame: Callable[[int], np.ndarray], indices: Sequence[int], samples: int = 25,
                 window: int = 250, threshold: float = 16.0):
        self.read_frame = read_frame
        self.indices = np.asarray(sorted(indices), dtype=np.int64)
        self.samples = samples
        self.window = window
        self.threshold = threshold
        self._bg: np.ndarray | None = None
        self._centre: int | None = None
        self.frames_read = 0

    def _compute(self, index: int) -> np.ndarray:
        stack = []
        for i in sample_frames(self.indices, index, self.window, self.samples):
            try:
                stack.append(self.read_frame(int(i)))
                self.frames_read += 1
            except (FrameError, OSError):  # an unreadable frame only thins the sample (a bug is no such frame)
                continue
        if not stack:
            raise ValueError(f"no readable frame around frame {index} to build a background from")
        return stack_median(np.stack(stack))

    def foreground(self, frame: np.ndarray, index: int) -> np.ndarray:
        return shadow_free_difference(frame, self.background(index), self.threshold)


class BackgroundSubtractor:
    """Foreground masks for any frames, with the model warmed up on neighbouring frames first."""

    def __init__(self, algorithm: str | None, read_frame: Callable[[int], np.ndarray],
                 indices: Iterable[int], warmup: int = DEFAULT_WARMUP):
        self.algorithm = algorithm or DEFAULT_ALGORITHM
        self.read_frame = read_frame
        self.indices = sorted(int(i) for i in indices)
        self._index_set = set(self.indices)
        self.warmup = max(1, int(warmup))
        self.frames_fed = 0  # frames given to the model, warm-up included (for tests and benches)
        self._median: MedianBackground | None = None
        self._model: _Model | None = None
        self._last: int | None = None
        if self.algorithm == "median":
            self._median = MedianBackground(read_frame, self.indices)
        elif self.algorithm not in OPENCV_ALGORITHMS and pybgs_available():
            import pybgs
            if not callable(getattr(pybgs, self.algorithm, None)):
                raise UnknownAlgorithm(f"unknown background subtraction algorithm {self.algorithm!r}; "
                                 f"choose one of {', '.join(available_algorithms())}")
        elif self.algorithm not in OPENCV_ALGORITHMS and self.algorithm not in PYBGS_ALGORITHMS:
            raise UnknownAlgorithm(f"unknown background subtraction algorithm {self.algorithm!r}; "
                             f"choose one of {', '.join(available_algorithms())}")

    @property
    def method(self) -> str:
        return f"bgs:{self.algorithm}"

    def _feed(self, index: int) -> None:
        try:
            frame = self.read_frame(index)
        except (FrameError, OSError):  # a missing frame in the warm-up is skipped, not fatal
            return
        assert self._model is not None  # fed after _warm made it
        self._model.apply(frame)
        self.frames_fed += 1

    def _warm(self, index: int) -> None:
        """Bring the model up to just before ``index``: the frames since the last call when they are
        fewer than ``warmup``, else a fresh model fed the ``warmup`` frames before ``index``."""
        pos = int(np.searchsorted(self.indices, index))
        if self._model is not None and self._last is not None and self._last < index:
            lo = int(np.searchsorted(self.indices, self._last, side="right"))
            if pos - lo <= self.warmup:
                for i in self.indices[lo:pos]:
                    self._feed(i)
                return
        self._model = _make_model(self.algorithm)
        before = self.indices[max(0, pos - self.warmup):pos]
        if len(before) < self.warmup:  # start of the video: warm up on the following frames, reversed
            start = pos + 1 if index in self._index_set else pos
            for i in reversed(self.indices[start:start + self.warmup - len(before)]):
                self._feed(i)
        for i in before:
            self._feed(i)

    def foreground(self, frame: np.ndarray, index: int) -> np.ndarray:
        """uint8 mask (0 / 127 shadow / 255) of ``frame``, which is frame ``index`` of the video."""
        if self._median is not None:
            return self._median.foreground(frame, index)
        self._warm(index)
        assert self._model is not None  # _warm made it
        mask = self._model.apply(frame)
        self.frames_fed += 1
        self._last = index
        return _normalise_mask(mask)


REF_AREA = 720 * 576


class BGSDetector(Detector):
    def __init__(self, read_frame: Callable[[int], np.ndarray], indices: Sequence[int],
                 algorithm: str | None = None, warmup: int = DEFAULT_WARMUP, min_area: float = 60.0,
                 min_height: float = 10.0):
        self.subtractor = BackgroundSubtractor(algorithm, read_frame, indices, warmup=warmup)
        self.method = self.subtractor.method
        self.min_area = min_area  # px at 720x576, scaled with the image area
        self.min_height = min_height  # px at 576 rows, scaled with the image height
        self.last_foreground: np.ndarray | None = None

    def detect(self, frame_bgr: np.ndarray, frame_index: int) -> Detection:
        fg = self.subtractor.foreground(frame_bgr, frame_index)
        self.last_foreground = fg
        return blobs_to_detection(fg, frame_index, self.method, self.min_area, self.min_height)


def blobs_to_detection(fg: np.ndarray, frame_index: int, method: str, min_area: float = 60.0,
                       min_height: float = 10.0) -> Detection:
    """Boxes and masks of the person-sized foreground blobs of ``fg`` (uint8, 255 = foreground)."""
    h, w = fg.shape[:2]
    scale = np.sqrt(h * w / REF_AREA)
    solid = (fg == 255).astype(np.uint8)
    solid = cv2.medianBlur(solid, 3)  # drops specks without shifting edges
    kx, ky = max(3, int(round(5 * scale)) | 1), max(3, int(round(9 * scale)) | 1)
    joined = cv2.morphologyEx(solid, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kx, ky)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes, scores, masks = [], [], []
    for c in range(1, n):
        x, y, bw, bh, area = stats[c]
        if area < min_area * scale * scale or bh < min_height * scale:
            continue
        m = np.zeros((h, w), bool)
        region = labels[y:y + bh, x:x + bw] == c
        m[y:y + bh, x:x + bw] = region & (solid[y:y + bh, x:x + bw] > 0)
        boxes.append((x, y, x + bw, y + bh))
        scores.append(float(m[y:y + bh, x:x + bw].sum()) / float(bw * bh))
        masks.append(m)
    return Detection(frame=int(frame_index), method=method,
                     boxes=np.asarray(boxes, np.float32).reshape(-1, 4),
                     scores=np.asarray(scores, np.float32), masks=masks)
