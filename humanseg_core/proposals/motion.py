"""Who moves with whom: the image motion of each pixel against each person's motion along its track.

In a crowd the parent network's worst error is a nearer person spreading onto a farther neighbour's
visible body, or the other way round (``bench/proposal_errors.py``: 65 % of eth_dense's extra pixels lie
on another person's body). Where the neighbours walk at different speeds or in different directions, the
video says whose a pixel is: it moves with its owner. The track gives every person's image velocity
(its point on a neighbouring frame minus its point on this one), dense optical flow (OpenCV's Farnebäck)
gives every pixel's, and the ownership step (:func:`.ownership.assign_pixels`) adds to each person's
cost of a pixel ``weight`` x ``min(1, |flow - velocity| / cap)``: bounded, so that a limb swinging faster
than the body, or flow lost on a flat coat, costs at most ``weight`` (the parent's probability weighs 4).

Measured (``bench/proposals.py --ablations motion``, ADR 0013): median IoU of ``bgs+parent`` on eth_dense
0.687 -> 0.696, on the held-out eth_big 0.663 -> 0.676 with wrong persons 4.5 -> 2.8 %, students03 wrong
persons 3.0 -> 2.5 %, the uncrowded scenes unchanged (+0.001). Persons walking together at one speed
are not separated by it; nothing is lost there either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

Point = tuple[float, float]
FLOW_MARGIN = 16  # px of context kept around the region the flow is needed in


@dataclass(frozen=True)
class MotionConfig:
    enabled: bool = True
    weight: float = 1.0  # the most a pixel's motion adds to a person's ownership cost
    cap: float = 2.0  # px per frame of disagreement at which the cost is full
    methods: tuple[str, ...] = ("bgs+parent",)  # the joint methods it runs in (measured there)


@dataclass(frozen=True)
class Motion:
    """A frame's dense flow towards a neighbouring frame and each person's image velocity towards it."""

    flow: np.ndarray  # (h, w, 2) float32, pixels moved (du, dv), of the region from ``origin``
    velocities: Mapping[int, Point]  # {pid: (du, dv)} of its track point over the same frames
    config: MotionConfig = MotionConfig()
    origin: tuple[int, int] = (0, 0)  # (x0, y0) of the flow's region in the frame

    def cost(self, pid: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray | None:
        """The motion cost of frame pixels (ys, xs), inside the region, for ``pid`` (float32 in [0, weight]);
        None without a velocity."""
        vel = self.velocities.get(pid)
        if vel is None or len(xs) == 0:
            return None
        d = self.flow[ys - self.origin[1], xs - self.origin[0]] - np.asarray(vel, np.float32)
        err = np.sqrt((d * d).sum(axis=1)) / max(self.config.cap, 1e-6)
        return (self.config.weight * np.minimum(err, 1.0)).astype(np.float32)


FLOW_MAX_SIDE = 1024  # a larger region's flow is measured on it scaled down to this side (a full-HD frame: 0.35 s)


def dense_flow(image: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(H, W, 2) float32: where each pixel of ``image`` moved to in ``other`` (BGR or grey, same size). A region
    larger than ``FLOW_MAX_SIDE`` is measured scaled down to it, the flow scaled back up."""
    a = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    b = cv2.cvtColor(other, cv2.COLOR_BGR2GRAY) if other.ndim == 3 else other
    h, w = a.shape[:2]
    if max(h, w) > FLOW_MAX_SIDE:
        s = FLOW_MAX_SIDE / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        small = dense_flow(cv2.resize(a, size, interpolation=cv2.INTER_AREA),
                           cv2.resize(b, size, interpolation=cv2.INTER_AREA))
        up = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        up[..., 0] *= w / size[0]
        up[..., 1] *= h / size[1]
        return np.asarray(up, np.float32)
    flow = np.zeros(a.shape[:2] + (2,), np.float32)
    # pyramid scale 0.5, 3 levels, 9-px window, 3 iterations, 5-px polynomials (sigma 1.1): OpenCV's example
    return np.asarray(cv2.calcOpticalFlowFarneback(a, b, flow, 0.5, 3, 9, 3, 5, 1.1, 0), np.float32)


def frame_motion(image: np.ndarray, frame: int, read: Callable[[int], np.ndarray | None],
                 position: Callable[[int, int], Point | None], persons: Mapping[int, Point],
                 config: MotionConfig = MotionConfig(), previous_first: bool = False,
                 region: tuple[int, int, int, int] | None = None) -> Motion | None:
    """The motion of ``frame`` (``image``) towards the next frame, or the previous one where there is no next
    (first when ``previous_first``: it is at hand) (``read(index)``: that frame, or None when it cannot be
    read); ``position(pid, frame)``: a person's point there; ``region`` (x0, y0, x1, y1): where the flow is
    needed (default: the whole frame). None when off or no neighbour can be read."""
    if not config.enabled or not persons:
        return None
    for other in (frame - 1, frame + 1) if previous_first else (frame + 1, frame - 1):
        img = read(other)
        if img is None or img.shape != image.shape:
            continue
        velocities: dict[int, Point] = {}
        for p, (u, v) in persons.items():
            there = position(p, other)
            if there is not None:
                velocities[int(p)] = (float(there[0]) - float(u), float(there[1]) - float(v))
        x0, y0, x1, y1 = region if region is not None else (0, 0, image.shape[1], image.shape[0])
        x0, y0 = max(0, x0 - FLOW_MARGIN), max(0, y0 - FLOW_MARGIN)
        x1, y1 = min(image.shape[1], x1 + FLOW_MARGIN), min(image.shape[0], y1 + FLOW_MARGIN)
        if x0 >= x1 or y0 >= y1:
            return None
        return Motion(dense_flow(image[y0:y1, x0:x1], img[y0:y1, x0:x1]), velocities, config, (x0, y0))
    return None


__all__ = ["Motion", "MotionConfig", "dense_flow", "frame_motion"]
