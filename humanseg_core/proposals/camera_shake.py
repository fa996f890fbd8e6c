"""A shaking camera: each frame's shift against the scene's reference, so that the median background holds still.

A camera on a pole in the wind moves the whole image a few pixels from frame to frame. The median background
then blurs every edge of the scene, and each frame's difference against it lights up those edges: a helper's
composite shaken by up to 6 px had 76 % of its foreground off every person, and the default proposals fell
below the parent network alone (median IoU 0.734 against 0.770). :class:`ShakeAligner` measures each frame's
translation against one reference frame (phase correlation on a grey, at most 640 px wide copy). When the
sample frames of the first background spread by :data:`SHAKE_PX` or more around their median (and by less than
a moving camera does, :data:`SHAKE_MAX_SHARE`), the background
is built from frames moved back onto the reference and moved onto each frame before the difference; on a
camera that holds still nothing changes (the sample's shifts are measured once, and nothing is moved).
The track points are left where the homography puts them: the shake moves the people off them by as much as
it moves the frame, which the proposals' crops and ownership already allow for.
"""

from __future__ import annotations

import cv2
import numpy as np

#: the median distance of the sample frames' shifts from their median, in pixels, from which frames are aligned
SHAKE_PX = 1.0
#: ... and the share of the frame's width up to which it is a shake: beyond, the camera pans or moves (DAVIS's
#: moving cameras spread 62-206 px on 854 px frames), which the proposals meet with the parent network alone
SHAKE_MAX_SHARE = 0.03
#: the width the shift is measured at (a wider frame is scaled down first; the shift is scaled back)
MEASURE_WIDTH = 640


class ShakeAligner:
    """``decide(images)`` once, on the first background's sample frames; then ``shift(img, index)`` ->
    (dx, dy): how far ``img``'s content lies from the background's place (0, 0 when the camera holds still)."""

    def __init__(self) -> None:
        self.shaking: bool | None = None  # None: not decided yet
        self._ref: np.ndarray | None = None
        self._window: np.ndarray | None = None
        self._scale = 1.0
        self._origin = (0.0, 0.0)
        self._shifts: dict[int, tuple[float, float]] = {}
        self.spread = 0.0  # the sample's median distance from its median shift, pixels

    def _grey(self, img: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
        if self._scale != 1.0:
            grey = cv2.resize(grey, None, fx=self._scale, fy=self._scale, interpolation=cv2.INTER_AREA)
        return grey.astype(np.float32)

    def _measure(self, img: np.ndarray) -> tuple[float, float]:
        assert self._ref is not None and self._window is not None
        grey = self._grey(img)
        if grey.shape != self._ref.shape:  # a frame of another size: nothing to align it by
            return self._origin
        # copies: phaseCorrelate writes into its inputs (a helper's repeated reference drifted by tens of pixels)
        (dx, dy), _response = cv2.phaseCorrelate(self._ref.copy(), grey, self._window.copy())
        return float(dx) / self._scale, float(dy) / self._scale

    def decide(self, images: list[tuple[int, np.ndarray]]) -> bool:
        """Whether the camera shakes, from ``images`` [(frame index, BGR image)]; measured on the first call only."""
        if self.shaking is not None or not images:
            return bool(self.shaking)
        h, w = images[0][1].shape[:2]
        self._scale = min(1.0, MEASURE_WIDTH / max(1, w))
        self._ref = self._grey(images[0][1])
        if min(self._ref.shape) < 16:
            self.shaking = False
            return False
        self._window = cv2.createHanningWindow(self._ref.shape[::-1], cv2.CV_32F)
        raw = {int(i): self._measure(img) for i, img in images}
        shifts = np.asarray(list(raw.values()), np.float64)
        origin = np.median(shifts, axis=0)
        self.spread = float(np.median(np.hypot(*(shifts - origin).T)))
        self.shaking = SHAKE_PX <= self.spread <= SHAKE_MAX_SHARE * w
        if self.shaking:
            self._origin = (float(origin[0]), float(origin[1]))
            self._shifts = {i: (dx - self._origin[0], dy - self._origin[1]) for i, (dx, dy) in raw.items()}
        return self.shaking

    def shift(self, img: np.ndarray, index: int) -> tuple[float, float]:
        """(dx, dy) of frame ``index`` (its image ``img``) from the background's place; measured once a frame."""
        if not self.shaking:
            return 0.0, 0.0
        if index not in self._shifts:
            dx, dy = self._measure(img)
            self._shifts[index] = (dx - self._origin[0], dy - self._origin[1])
        return self._shifts[index]

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


def moved_points(background: object, index: int, persons: dict) -> dict:
    """``persons`` {pid: (u, v)} moved by frame ``index``'s shift when ``background`` measured one (a shaking
    camera); else ``persons`` itself."""
    shake = getattr(background, "shake", None)
    shift = shake.known(index) if isinstance(shake, ShakeAligner) else None
    if shift is None or shift == (0.0, 0.0):
        return persons
    dx, dy = shift
    return {p: (uv[0] + dx, uv[1] + dy) for p, uv in persons.items()}
