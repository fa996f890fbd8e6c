"""A shaking camera: each frame's shift against the scene's reference, so that the median background holds still.

A camera on a pole in the wind moves the whole image a few pixels from frame to frame. The median background
then blurs every edge of the scene, and each frame's difference against it lights up those edges: a helper's
composite shaken by up to 6 px had 76 % of its foreground off every person, and the default proposals fell
below the parent network alone (median IoU 0.734 against 0.770). :class:`ShakeAligner` measures each frame's
translation against the most textured sample frame (phase correlation on a grey, at most 640 px wide copy, the
places where people can be filled in). The camera shakes when the sample frames of the first background spread by
:data:`SHAKE_PX` or more around their median, by less than a moving camera does (:data:`SHAKE_MAX_SHARE`), and
moved back they match the reference better (:data:`ALIGN_GAIN`). Then the background is built from frames moved
back, and moved onto each frame before the difference; the parent's crops, the pixel ownership and the motion
cue take the track points moved by each frame's shift (the homography places them for the camera's median place).
On a camera that holds still nothing changes: the sample's shifts are measured once, and nothing is moved.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

#: the median distance of the sample frames' shifts from their median, in pixels, from which frames are aligned
SHAKE_PX = 1.0
#: ... and the share of the frame's width up to which it is a shake: beyond, the camera pans or moves (DAVIS's
#: moving cameras spread 62-206 px on 854 px frames), which the proposals meet with the parent network alone
SHAKE_MAX_SHARE = 0.03
#: the width the shift is measured at (a wider frame is scaled down first; the shift is scaled back)
MEASURE_WIDTH = 640


#: the people's places fade to the scene's mean over this many pixels (at the measuring scale)
FADE_PX = 4.0
#: aligned by their shifts, the sample frames must differ from the reference by at most this share of what they
#: did unaligned (where no person can be): shifts that follow a dense, slow stream of people on a still camera
#: (a review's synthetic crowd read 6-18 px) do not make the scene match, a shake's do
ALIGN_GAIN = 0.8


class ShakeAligner:
    """``decide(images, free)`` once, on the first background's sample frames; then ``shift(img, index, free)`` ->
    (dx, dy): how far ``img``'s content lies from the background's place (0, 0 when the camera holds still).
    ``free``: where no person can be on a frame (bool, the frame's size); the people are left out of the
    measurement, so that a crowd moving together is not taken for the scene."""

    def __init__(self) -> None:
        self.shaking: bool | None = None  # None: not decided yet
        self._ref: np.ndarray | None = None
        self._window: np.ndarray | None = None
        self._scale = 1.0
        self._origin = (0.0, 0.0)
        self._shifts: dict[int, tuple[float, float]] = {}
        self.spread = 0.0  # the sample's median distance from its median shift, pixels

    def _grey(self, img: np.ndarray, free: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(grey float32 at the measuring scale with the people's places faded to the scene's mean, free there)."""
        grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
        keep = np.ones(grey.shape, bool) if free is None or free.shape != grey.shape else free
        if self._scale != 1.0:
            grey = cv2.resize(grey, None, fx=self._scale, fy=self._scale, interpolation=cv2.INTER_AREA)
            keep = cv2.resize(keep.astype(np.uint8), grey.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
        grey = grey.astype(np.float32)
        if keep.any() and not keep.all():  # faded to the scene's mean: no hard edge of its own to align by
            mean = float(grey[keep].mean())
            fade = cv2.GaussianBlur(keep.astype(np.float32), (0, 0), FADE_PX) * keep
            grey = mean + (grey - mean) * fade
        return grey, keep

    def _measure(self, grey: np.ndarray) -> tuple[float, float]:
        """The shift of ``grey`` (from :meth:`_grey`) against the reference, at the frame's scale."""
        assert self._ref is not None and self._window is not None
        if grey.shape != self._ref.shape:  # a frame of another size: nothing to align it by
            return self._origin
        # copies: phaseCorrelate writes into its inputs (a helper's repeated reference drifted by tens of pixels)
        (dx, dy), _response = cv2.phaseCorrelate(self._ref.copy(), grey.copy(), self._window.copy())
        return float(dx) / self._scale, float(dy) / self._scale

    def decide(self, images: list[tuple[int, np.ndarray]], free: list[np.ndarray] | None = None) -> bool:
        """Whether the camera shakes, from ``images`` [(frame index, BGR image)] and where no person can be on
        each (``free``); measured on the first call only. The reference is the most textured sample (a black first
        frame had read every shift alike)."""
        if self.shaking is not None or not images:
            return bool(self.shaking)
        h, w = images[0][1].shape[:2]
        self._scale = min(1.0, MEASURE_WIDTH / max(1, w))
        greys = [self._grey(img, None if free is None else free[k]) for k, (_i, img) in enumerate(images)]
        ref = int(np.argmax([float(g[k].std()) if k.any() else 0.0 for g, k in greys]))
        self._ref = greys[ref][0]
        if min(self._ref.shape) < 16 or float(self._ref.std()) < 1.0:  # too small, or no texture to align by
            self.shaking = False
            return False
        self._window = cv2.createHanningWindow(self._ref.shape[::-1], cv2.CV_32F)
        raw = {int(i): self._measure(greys[k][0]) for k, (i, _img) in enumerate(images)}
        shifts = np.asarray(list(raw.values()), np.float64)
        origin = np.median(shifts, axis=0)
        self.spread = float(np.median(np.hypot(*(shifts - origin).T)))
        self.shaking = SHAKE_PX <= self.spread <= SHAKE_MAX_SHARE * w and self._aligns(greys, ref, shifts)
        if self.shaking:
            self._origin = (float(origin[0]), float(origin[1]))
            self._shifts = {i: (dx - self._origin[0], dy - self._origin[1]) for i, (dx, dy) in raw.items()}
        return self.shaking

    def _aligns(self, greys: list[tuple[np.ndarray, np.ndarray]], ref: int, shifts: np.ndarray) -> bool:
        """Whether moving the samples back by ``shifts`` makes them match the reference sample (index ``ref``)
        where no person can be: :data:`ALIGN_GAIN` of their unaligned difference, median over the samples."""
        r, r_free = greys[ref]
        before, after = [], []
        for k, (grey, keep) in enumerate(greys):
            dx, dy = shifts[k] * self._scale
            if k == ref or grey.shape != r.shape or np.hypot(dx, dy) < 0.5:
                continue
            both = keep & r_free
            back = moved(grey, -dx, -dy)
            back_keep = moved(both.astype(np.float32), -dx, -dy) > 0.99
            if both.any() and (both & back_keep).any():
                before.append(float(np.abs(grey - r)[both].mean()))
                after.append(float(np.abs(back - r)[both & back_keep].mean()))
        return bool(before) and float(np.median(after)) <= ALIGN_GAIN * float(np.median(before))

    def shift(self, img: np.ndarray, index: int, free: np.ndarray | None = None) -> tuple[float, float]:
        """(dx, dy) of frame ``index`` (its image ``img``, where no person can be on it ``free``) from the
        background's place; measured once a frame."""
        if not self.shaking:
            return 0.0, 0.0
        if index not in self._shifts:
            dx, dy = self._measure(self._grey(img, free)[0])
            self._shifts[index] = (dx - self._origin[0], dy - self._origin[1])
        return self._shifts[index]

    def peek(self, img: np.ndarray) -> tuple[float, float]:
        """(dx, dy) of an image measured with its people in, not kept: the frame's own measure leaves them out."""
        if not self.shaking:
            return 0.0, 0.0
        dx, dy = self._measure(self._grey(img)[0])
        return dx - self._origin[0], dy - self._origin[1]

    def known(self, index: int) -> tuple[float, float] | None:
        """Frame ``index``'s shift when measured (or no shake: (0, 0)), else None."""
        if not self.shaking:
            return 0.0, 0.0
        return self._shifts.get(index)


def moved(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """``img`` moved by (dx, dy) pixels (bilinear; the edge repeated where nothing comes in)."""
    if abs(dx) < 0.05 and abs(dy) < 0.05:
        return img
    h, w = img.shape[:2]
    return cv2.warpAffine(img, np.array([[1, 0, dx], [0, 1, dy]], np.float32), (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _frame_shift(background: object, index: int) -> tuple[float, float] | None:
    """Frame ``index``'s shift when ``background`` (a track-masked median) measured one on a shaking camera."""
    shake = getattr(background, "shake", None)
    shift = shake.known(index) if isinstance(shake, ShakeAligner) else None
    return None if shift is None or shift == (0.0, 0.0) else shift


def moved_points(background: object, index: int, persons: dict) -> dict:
    """``persons`` {pid: (u, v)} moved by frame ``index``'s shift when ``background`` measured one (a shaking
    camera); else ``persons`` itself."""
    shift = _frame_shift(background, index)
    if shift is None:
        return persons
    dx, dy = shift
    return {p: (uv[0] + dx, uv[1] + dy) for p, uv in persons.items()}


def unmoved_point(background: object, index: int, point: tuple[float, float]) -> tuple[float, float]:
    """``point`` as the homography puts it: :func:`moved_points`' shift of frame ``index`` taken back."""
    shift = _frame_shift(background, index)
    if shift is None:
        return point
    return float(point[0]) - shift[0], float(point[1]) - shift[1]


def shaken_position(background: object, position: Callable, read: Callable) -> Callable:
    """``position(pid, frame)`` -> (u, v) moved by that frame's shift when ``background`` aligns a shaking camera
    (``read(frame)``: its image, to measure a frame not measured yet); else ``position`` itself. The motion cue
    compares a frame's points with a neighbour's, each where its frame's shake put it (a review)."""
    shake = getattr(background, "shake", None)
    if not isinstance(shake, ShakeAligner) or not shake.shaking:
        return position

    def moved_position(pid: int, frame: int) -> tuple[float, float] | None:
        at = position(pid, frame)
        shift = shake.known(frame)
        if at is None:
            return None
        if shift is None:
            img = read(frame)
            shift = (0.0, 0.0) if img is None else shake.peek(img)  # (its own foreground measures it: a review)
        return float(at[0]) + shift[0], float(at[1]) + shift[1]

    return moved_position
