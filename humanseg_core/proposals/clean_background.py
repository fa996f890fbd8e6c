"""A median background made only of frames where the tracks say nobody stands at that place.

A plain per-pixel median over frames around the target keeps whoever stands still, or lingers, or walks in
a dense stream: they melt into the background and vanish from the foreground. The trajectories say where
every person is on every frame, so :class:`TrackMaskedBackground` leaves out, for each sampled frame, the
expected body of every person on it (a generous box around the point that covers a head, centre or feet
anchor). A pixel's background is the median of the samples that left it free; where fewer than
``MIN_FREE`` samples did (a person standing there the whole window), the plain median is kept and the
person is reported by the proposal step.

Other background algorithms (``--bgs-algorithm``) are used as they are (:class:`BackgroundSubtractor`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np

from ..errors import FrameError
from ..inputs.stack_median import lower_median_where, stack_median
from .camera_shake import ShakeAligner, moved
from .detectors.bgs import (
    BackgroundSubtractor,
    WindowedBackground,
    frame_gain,
    sample_frames,
    shadow_free_difference,
)
from .uneven_light import balanced_samples, channel_balance, even_samples, light_map, relit

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from .body_prior import HeightModel

MIN_FREE = 3
LIT_FRAMES = 4  # frames whose relit backgrounds are kept (a frame's steps may ask for its background again)
# the box left out around each point: half-width and reach up/down, as shares of the expected height
HALF_WIDTH = 0.45
REACH = 1.1


def masked_median(data: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Per pixel, the (lower) median of the samples ``free`` leaves it in; the plain median where fewer than
    ``MIN_FREE`` did. ``data`` (S, H, W, C) uint8, ``free`` (S, H, W) bool. Found bit by bit
    (:mod:`..inputs.stack_median`): the same result as sorting the whole stack along its first axis, without
    its keys, 2.6x faster than sorting row bands with the samples last."""
    out = lower_median_where(data, free)
    few = free.sum(axis=0) < MIN_FREE
    if few.any():
        out[few] = stack_median(data[:, few])
    return out


class TrackMaskedBackground(WindowedBackground):
    """``foreground(frame, index)`` -> uint8 (0 / 127 shadow / 255), like :class:`BackgroundSubtractor`."""

    def __init__(self, scene: Scene, heights: HeightModel, algorithm: str | None = None, samples: int = 25,
                 window: int = 250, threshold: float = 16.0, masked: bool = True):
        self.scene = scene
        self.heights = heights
        self.samples = samples
        self.window = window
        self.threshold = threshold
        self.masked = masked
        self.indices = np.asarray(sorted(scene.frames.indices), np.int64)
        self._other: BackgroundSubtractor | None = None
        if algorithm not in (None, "median"):
            self._other = BackgroundSubtractor(algorithm, scene.frames.read, self.indices)
        self._bg: np.ndarray | None = None
        self._centre: int | None = None
        self._gain: tuple[tuple[int, int], float] | None = None  # ((frame index, background centre), gain)
        self.shake = ShakeAligner()  # a shaking camera's frames moved onto one place (decided on the first sample)
        self._moved: tuple[tuple[int, int], np.ndarray] | None = None  # ((frame, centre), background moved there)
        # light that changes across the frame (ADR 0058): {(frame, centre): the background relit to that frame's
        # light block by block, or None where its light is even}, the last LIT_FRAMES frames measured
        self._lit: dict[tuple[int, int], np.ndarray | None] = {}
        self._uneven: set[int] = set()  # frames whose light was uneven against their background
        self.uneven_samples = 0  # background samples brought to one light before their median

    @property
    def method(self) -> str:
        return "bgs:median-tracks" if self._other is None else self._other.method

    def _pick(self, index: int) -> np.ndarray:
        return sample_frames(self.indices, index, self.window, self.samples)

    def _free(self, frame: int, shape: tuple[int, ...]) -> np.ndarray:
        """Where no person's body can be on ``frame``."""
        h_img, w_img = shape
        free = np.ones(shape, bool)
        for pid, (u, v) in self.scene.persons_at(frame).items():
            h = self.heights.height(pid, v, u)
            x0, x1 = int(np.floor(u - HALF_WIDTH * h)), int(np.ceil(u + HALF_WIDTH * h)) + 1
            y0, y1 = int(np.floor(v - REACH * h)), int(np.ceil(v + REACH * h)) + 1
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w_img, x1), min(h_img, y1)
            if x0 < x1 and y0 < y1:
                free[y0:y1, x0:x1] = False
        return free

    def _compute(self, index: int) -> np.ndarray:
        read: list[tuple[int, np.ndarray]] = []
        for i in self._pick(index):
            try:
                img = self.scene.frames.read(int(i))
            except (FrameError, OSError):  # an unreadable frame only thins the sample
                img = None
            if img is not None:
                read.append((int(i), img))
        if not read:
            raise ValueError(f"no readable frame around frame {index} to build a background from")
        frees = [self._free(i, img.shape[:2]) for i, img in read]
        self.shake.decide(read, frees)  # the first sample decides whether the camera shakes
        stack = []
        for (i, img), free in zip(read, frees):
            dx, dy = self.shake.shift(img, i, free)
            stack.append(moved(img, -dx, -dy))  # onto the background's place (as it is on a camera holding still)
        data = np.stack(stack)
        if not self.masked:
            return stack_median(data)
        data, _unbalanced = balanced_samples(data, frees)  # a changing white balance: all brought to one first
        data, uneven = even_samples(data, frees)  # a cloud's shadow on some samples: all brought to one light
        self.uneven_samples += uneven
        return masked_median(data, np.stack(frees))

    @property
    def uneven_frames(self) -> int:
        """How many frames' light was uneven against their background."""
        return len(self._uneven)

    def background(self, index: int) -> np.ndarray:
        """The background of frame ``index``, moved onto that frame when the camera shakes (its shift is measured
        by :meth:`foreground` or :meth:`gain`, one of which every frame's proposals call first), and relit to the
        frame's light where that light is uneven (measured by them too)."""
        bg = self._placed(index)
        lit = self._lit.get(self._key(index))
        return bg if lit is None else lit

    def _key(self, index: int) -> tuple[int, int]:
        return int(index), int(cast(int, self._centre))  # the background is a function of its centre frame

    def _placed(self, index: int) -> np.ndarray:
        """The background of frame ``index`` moved onto that frame when the camera shakes."""
        bg = super().background(index)
        shift = self.shake.known(index) if self.shake.shaking else None
        if shift is None:
            return bg
        key = self._key(index)
        if self._moved is None or self._moved[0] != key:
            self._moved = (key, moved(bg, *shift))
        return self._moved[1]

    def _measure(self, frame: np.ndarray, index: int) -> None:
        """What frame ``index``'s background depends on, measured once: the camera's shift when it shakes, then
        the frame's light block by block (where it is uneven, the background relit to it is what
        :meth:`background` gives for that frame)."""
        super().background(index)  # built (the shake decided) before the frame's shift is measured
        free = None  # where no person can be: computed once, for the shift and the light
        if self.shake.shaking and self.shake.known(index) is None:
            free = self._free(index, frame.shape[:2])
            self.shake.shift(frame, index, free)
        key = self._key(index)
        if key in self._lit:
            return
        bg = self._placed(index)
        free = self._free(index, frame.shape[:2]) if free is None else free
        balance = channel_balance(frame, bg, free)  # a white balance that changed: the channels apart first
        if balance is not None:
            bg = relit(bg, balance)
        gain = light_map(frame, bg, free)
        while len(self._lit) >= LIT_FRAMES:
            del self._lit[next(iter(self._lit))]  # the oldest measured
        self._lit[key] = relit(bg, gain) if gain is not None else bg if balance is not None else None
        if gain is not None:
            self._uneven.add(int(index))
        if (gain is not None or balance is not None) and self._gain is not None and self._gain[0] == key:
            self._gain = None  # measured against the background before it was relit

    def foreground(self, frame: np.ndarray, index: int) -> np.ndarray:
        if self._other is not None:
            return self._other.foreground(frame, index)
        self._measure(frame, index)
        return shadow_free_difference(frame, self.background(index), self.threshold, gain=self.gain(frame, index))

    def gain(self, frame: np.ndarray, index: int) -> float:
        """The frame's brightness gain against its background (:func:`frame_gain`), measured once per frame:
        the foreground, the deep foot shadows and the edges of one frame all use it."""
        self._measure(frame, index)
        bg = self.background(index)
        key = self._key(index)
        if self._gain is None or self._gain[0] != key:
            self._gain = (key, frame_gain(frame, bg))
        return self._gain[1]
