"""Where a person's body should be, given the track point: expected height, body axis, depth order.

- :func:`scene_height_model`: a :class:`HeightModel` for a scene, scaled by the homography's ground scale
  (what the studio uses to zoom on a person before any box is known).
- :class:`HeightModel` learns the expected person height in pixels from the boxes of persons standing
  alone, as a line in the image row ``v`` of the point (perspective: people lower in the image are nearer
  and taller); a default share of the image height until enough is known. Per-person medians are
  available (``per_person_min``) but off by default: on zara01 they made splits worse (median IoU of
  split parts 0.70 -> 0.57), single-blob boxes of one person vary too much (partial blobs, prams).
- :func:`body_axes` turns points into vertical body segments (``person_mask.person_axis``).
- :func:`depth_order` sorts persons nearest first: on a camera looking down at a ground plane the nearer
  person's feet are lower in the image (larger ``v``), so that person occludes the others where bodies
  overlap.
- :func:`core_region` is the part of a body that is almost surely that person's (a narrow band around the
  axis, from the top of the head to the feet); a nearer person's core hides whoever stands behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .person_mask import box_of, person_axis

HEIGHT_SHARE = 75.0 / 576.0  # a person's height as a share of the image height when nothing is known yet
# half-width of the core of a body as a share of its height (torso and legs; arms and bags lie outside)
CORE_HALF_WIDTH = 0.09
# how far beyond the head and the feet (share of the height) a person may still own pixels
VERTICAL_TOLERANCE = 0.12
# isolated persons needed before the scene's height/scale ratio replaces the default
SCALE_MIN_SAMPLES = 3
# boxes holding no other person's point teach the heights alone once they are at least this share of the
# matched boxes (and SCALE_MIN_SAMPLES of them); below it every matched box does. A group walking in a
# column makes blobs the whole column tall (held-out eth_soft, 12 lone boxes of 29: heights 2x with all of
# them, right with the lone ones), but where nearly every box holds several persons the few lone ones are
# fragments (a 21-frame demo: 6 of 81, a quarter of the person's height)
ALONE_MIN_SHARE = 0.25


class HeightModel:
    """Expected person height in px: per person when seen alone often enough, else a fit in ``v``."""

    def __init__(self, image_height: int, min_samples: int = 5, per_person_min: int | None = None,
                 keep: int = 400, scale: Callable[[float, float], float] | None = None,
                 reference_scale: float | None = None):
        self.default = HEIGHT_SHARE * image_height
        self.min_samples = min_samples
        self.per_person_min = per_person_min
        self.keep = keep
        self.by_person: dict[int, list[float]] = {}
        self._fit: tuple[float, float] | None = None
        # with a ground scale (px per metre at a point, see ground_scale): height = ratio x scale, one
        # ratio for the scene (metres), learnt from persons standing alone; the default puts the default
        # height at the reference (median) scale
        self.scale = scale
        self.reference_scale = reference_scale
        # (v of the point, box height) and box height / ground scale of every matched box, and of those that
        # held no other person's point (``add(alone=True)``); :attr:`samples` / :attr:`ratios` pick one kind
        self._all_samples: list[tuple[float, float]] = []
        self._all_ratios: list[float] = []
        self._alone_samples: list[tuple[float, float]] = []
        self._alone_ratios: list[float] = []
        self._use_alone = False

    @property
    def samples(self) -> list[tuple[float, float]]:
        """The boxes that teach the heights: the lone ones once they are a fair share, else all."""
        return self._alone_samples if self._use_alone else self._all_samples

    @property
    def ratios(self) -> list[float]:
        return self._alone_ratios if self._use_alone else self._all_ratios

    def add(self, pid: int, v: float, box_height: float, u: float | None = None, alone: bool = True) -> None:
        """A box of ``box_height`` px matched to person ``pid`` (point row ``v``); ``alone``: it holds no other
        person's point. When enough boxes were alone (``ALONE_MIN_SHARE``), only those teach the heights."""
        sample = (float(v), float(box_height))
        ratio = None
        if self.scale is not None and u is not None:
            s = self.scale(float(u), float(v))
            if np.isfinite(s) and s > 0:
                ratio = float(box_height) / s
        kinds = [(self._all_samples, self._all_ratios)] + ([(self._alone_samples, self._alone_ratios)] if alone else [])
        for samples, ratios in kinds:
            samples.append(sample)
            del samples[:-self.keep]
            if ratio is not None:
                ratios.append(ratio)
                del ratios[:-self.keep]
        n_alone = len(self._alone_samples)
        self._use_alone = n_alone >= SCALE_MIN_SAMPLES and n_alone >= ALONE_MIN_SHARE * len(self._all_samples)
        own = self.by_person.setdefault(int(pid), [])
        own.append(float(box_height))
        del own[:-50]
        self._fit = None

    def _line(self) -> tuple[float, float] | None:
        if len(self.samples) < self.min_samples:
            return None
        if self._fit is None:
            vs, hs = np.array(self.samples, np.float64).T
            med = float(np.median(hs))
            slope = 0.0
            if np.ptp(vs) > 0.1 * med and len(vs) >= 2 * self.min_samples:
                slope = float(np.polyfit(vs, hs, 1)[0])
                slope = float(np.clip(slope, 0.0, 2.0))  # lower in the image never means smaller
            self._fit = (med - slope * float(np.median(vs)), slope)
        return self._fit

    @property
    def calibrated(self) -> bool:
        """Whether boxes taught the heights (else :meth:`height` is the default guess)."""
        if self.scale is not None and len(self.ratios) >= SCALE_MIN_SAMPLES:
            return True
        return self._line() is not None

    @property
    def value(self) -> float:
        """The scene's median height (what one number can say)."""
        return float(np.median([h for _, h in self.samples])) if len(self.samples) >= self.min_samples \
            else self.default

    def height(self, pid: int | None = None, v: float | None = None, u: float | None = None) -> float:
        own = self.by_person.get(int(pid)) if pid is not None else None
        if own is not None and self.per_person_min is not None and len(own) >= self.per_person_min:
            return float(np.median(own))
        if self.scale is not None and u is not None and v is not None:
            s = self.scale(float(u), float(v))
            if np.isfinite(s) and s > 0:
                if len(self.ratios) >= SCALE_MIN_SAMPLES:
                    return float(np.median(self.ratios)) * s
                if self.reference_scale:
                    return self.default * float(np.clip(s / self.reference_scale, 0.4, 2.5))
        line = self._line()
        if line is None:
            return self.default
        if v is None:
            return self.value
        return max(0.25 * self.value, line[0] + line[1] * float(v))


def body_axes(points: Mapping, anchor: str, heights: Mapping | float) -> dict:
    """{pid: (u, v_top, v_bottom)} of each person's body (``heights``: {pid: px} or one number)."""
    return {p: person_axis(uv, anchor, heights[p] if isinstance(heights, Mapping) else float(heights))
            for p, uv in points.items()}


def depth_order(axes: Mapping) -> list:
    """Persons nearest first (lowest feet in the image first); ties keep the given order."""
    return sorted(axes, key=lambda p: -axes[p][2])


def core_region(xs: np.ndarray, ys: np.ndarray, axis, height: float,
                half_width: float = CORE_HALF_WIDTH) -> np.ndarray:
    """Which pixels (xs, ys) lie in the core of the body on ``axis`` (u, top, bottom)."""
    u, top, bottom = axis
    return (np.abs(xs - u) <= half_width * height) & (ys >= top) & (ys <= bottom)


def vertical_span(ys: np.ndarray, axis, height: float, tolerance: float = VERTICAL_TOLERANCE) -> np.ndarray:
    """Which rows lie between the head and the feet of the body on ``axis``, give or take ``tolerance``."""
    _u, top, bottom = axis
    return (ys >= top - tolerance * height) & (ys <= bottom + tolerance * height)


def ground_scale(homography) -> Callable[[float, float], float]:
    """Local ground scale at a pixel, in px per metre: 1 / sqrt|det J| of the pixel -> world map there.
    A person's height in pixels is about proportional to it (both shrink with the distance)."""
    def scale(u: float, v: float) -> float:
        pts = np.array([[u, v], [u + 1.0, v], [u, v + 1.0]], np.float64)
        w = np.asarray(homography.pixel_to_world(pts), np.float64)
        det = (w[1, 0] - w[0, 0]) * (w[2, 1] - w[0, 1]) - (w[1, 1] - w[0, 1]) * (w[2, 0] - w[0, 0])
        return float(1.0 / np.sqrt(abs(det))) if det and np.isfinite(det) else float("nan")
    return scale


def scene_height_model(scene) -> HeightModel:
    """A HeightModel for ``scene``: the default height scaled by the homography's ground scale at the point
    (relative to the median scale over the scene's track points) when the scene has a homography, else the
    default share of the image height until boxes are added."""
    model = HeightModel(int(scene.frames.height))
    homography = getattr(scene, "homography", None)
    if homography is None:
        return model
    scale = ground_scale(homography)
    points = [uv for p in scene.pids for uv in np.asarray(scene.pixel_track(p)[1]).reshape(-1, 2)[::3]]
    values = [scale(float(u), float(v)) for u, v in points[:2000]]
    values = [s for s in values if np.isfinite(s) and s > 0]
    if values:
        model.scale, model.reference_scale = scale, float(np.median(values))
    return model


def labelled_height_model(scene, boxes, limit: int = 400) -> HeightModel:
    """:func:`scene_height_model` calibrated with label boxes (``boxes``: (pid, frame, (x0, y0, x1, y1)), e.g.
    the accepted masks'): the homography alone gives only a default height at the scene's median scale, which
    put the studio's zoom on person around 62 px for 110 px people; the persons' own masks say the real
    height / scale ratio (their median, robust to a few occluded boxes)."""
    model = scene_height_model(scene)
    for pid, frame, box in list(boxes)[:limit]:
        point = scene.position_px(int(pid), int(frame)) if box is not None else None
        if point is not None and box[3] > box[1]:
            model.add(int(pid), float(point[1]), float(box[3] - box[1]), u=float(point[0]))
    return model


def spread_boxes(labels: Mapping[int, Mapping[int, Any]], limit: int = 400,
                 box: Callable[[Any], tuple | None] | None = None) -> list:
    """(pid, frame, (x0, y0, x1, y1)) of every person's labels taken in turn, up to ``limit`` (for
    :func:`labelled_height_model`, which would otherwise learn the scene's heights from the first persons
    only). ``labels``: {pid: {frame: bool mask}}, or {pid: {frame: box}} with ``box`` the identity; only the
    labels taken are measured."""
    from itertools import zip_longest

    measure = box if box is not None else (lambda m: box_of(np.asarray(m, bool)))
    queues = [[(int(p), int(f)) for f in sorted(fs)] for p, fs in sorted(labels.items())]
    out: list = []
    for p, f in (pf for turn in zip_longest(*queues) for pf in turn if pf is not None):
        if len(out) >= limit:
            break
        b = measure(labels[p][f])
        if b is not None:
            out.append((p, f, tuple(b)))
    return out


def person_height_fn(scene, model: HeightModel, pid: int) -> Callable[[int], float | None] | None:
    """frame -> the expected height (px) of ``pid`` at its track point there (None off its track); None
    when no box taught ``model`` (its default guess is no reference for a person's crops)."""
    if not model.calibrated:
        return None

    def height(frame: int) -> float | None:
        point = scene.position_px(int(pid), int(frame))
        return None if point is None else model.height(None, float(point[1]), float(point[0]))

    return height
