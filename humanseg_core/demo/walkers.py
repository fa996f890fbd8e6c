"""Walkers of the demo scene: appearance, smooth paths, and an articulated silhouette drawn per frame.

A walker is drawn into a small *label crop* (0 = background, then one label per body part) with exact,
non-antialiased OpenCV primitives at 1/8 pixel precision, so the ground-truth mask is simply ``labels > 0``.
The anchor is the **feet**: the midpoint between the two feet on the ground, which is the bottom of the
silhouette (nothing is drawn below the ground line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike

from .ground import apply_h, local_scale

# Part labels inside a walker's crop.
LEG_NEAR, LEG_FAR, SHOE, TORSO, ARM_NEAR, ARM_FAR, SKIN, HAIR = range(1, 9)
N_LABELS = 9

_SHIFT = 3
_S = 1 << _SHIFT

# Distinct torso colours (BGR) and plausible trouser, skin and hair colours.
_TORSO = [(40, 40, 200), (200, 90, 30), (40, 170, 40), (30, 200, 230), (170, 50, 160), (230, 230, 230),
          (20, 120, 240), (140, 140, 20), (90, 30, 110), (60, 60, 60), (200, 200, 90), (120, 80, 200)]
_LEGS = [(110, 60, 30), (30, 30, 30), (90, 90, 90), (120, 160, 170), (60, 40, 20), (150, 150, 160),
         (40, 60, 90), (170, 120, 60)]
_SKIN = [(120, 160, 220), (90, 130, 190), (60, 90, 140), (140, 180, 230), (80, 110, 160)]
_HAIR = [(20, 20, 25), (30, 50, 90), (60, 100, 150), (140, 160, 170), (15, 30, 50)]


@dataclass(frozen=True)
class Look:
    """How one walker looks: size, build and the colour of each part (``colours[label]``, BGR)."""

    height_m: float
    build: float  # width factor of torso and legs
    head: float  # head size factor
    stride_m: float  # length of one gait cycle (two steps)
    colours: np.ndarray  # (N_LABELS, 3) float32


@dataclass(frozen=True)
class Path:
    """A smooth path: straight line through ``centre`` at frame ``t_c`` plus a gentle lateral sway."""

    centre: tuple[float, float]
    t_c: float
    speed: float  # m/s
    heading: float  # radians, world frame
    sway: float  # metres
    sway_len: float  # metres of travel per sway period
    sway_phase: float

    def world(self, t: ArrayLike, fps: float) -> np.ndarray:
        """World position(s) (N, 2) at frame(s) ``t`` (float allowed)."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        s = self.speed * (t - self.t_c) / fps
        d = np.array([math.cos(self.heading), math.sin(self.heading)])
        n = np.array([-d[1], d[0]])
        k = 2 * math.pi / self.sway_len
        lat = self.sway * (np.sin(k * s + self.sway_phase) - math.sin(self.sway_phase))
        return np.asarray(self.centre) + s[:, None] * d + lat[:, None] * n

    def travelled(self, t: float, fps: float) -> float:
        return self.speed * (t - self.t_c) / fps


def random_look(rng: np.random.Generator, index: int, torso_order: np.ndarray) -> Look:
    height = float(rng.uniform(1.55, 1.92))
    colours = np.zeros((N_LABELS, 3), np.float32)
    torso = np.array(_TORSO[int(torso_order[index % len(torso_order)])], np.float32)
    legs = np.array(_LEGS[int(rng.integers(len(_LEGS)))], np.float32)
    colours[TORSO] = torso
    colours[ARM_NEAR] = torso * 0.92
    colours[ARM_FAR] = torso * 0.72
    colours[LEG_NEAR] = legs
    colours[LEG_FAR] = legs * 0.78
    colours[SHOE] = _LEGS[int(rng.integers(len(_LEGS)))] if rng.random() < 0.3 else (25, 25, 30)
    colours[SKIN] = _SKIN[int(rng.integers(len(_SKIN)))]
    colours[HAIR] = _HAIR[int(rng.integers(len(_HAIR)))]
    return Look(height_m=height, build=float(rng.uniform(0.85, 1.3)), head=float(rng.uniform(0.9, 1.15)),
                stride_m=float(height * rng.uniform(0.75, 0.9)), colours=colours)


@dataclass(frozen=True)
class Pose:
    """Where and how a walker is drawn in one frame (pixels)."""

    u: float  # feet anchor
    v: float
    h: float  # height in pixels
    facing: int  # +1 right, -1 left in the image
    side: float  # 1 seen from the side, 0 seen from the front or back
    phase: float  # gait phase (radians)


def pose_at(path: Path, look: Look, G: np.ndarray, t: int, fps: float) -> Pose:
    xy = path.world(t, fps)[0]
    u, v = apply_h(G, xy)[0]
    h = look.height_m * local_scale(G, xy)
    nxt = apply_h(G, path.world(t + 1, fps)[0])[0]
    d = nxt - (u, v)
    # Horizontal image motion versus depth motion (depth motion counts double: it is foreshortened).
    side = abs(d[0]) / (math.hypot(d[0], 2.0 * d[1]) + 1e-9)
    phase = 2 * math.pi * path.travelled(t, fps) / look.stride_m
    return Pose(u=float(u), v=float(v), h=float(h), facing=1 if d[0] >= 0 else -1, side=float(side),
                phase=phase)


def render_labels(look: Look, pose: Pose) -> tuple[int, int, np.ndarray]:
    """Draw the walker; return ``(x0, y0, labels)``: crop origin in the image and the uint8 label crop.

    The crop may extend beyond the image; the caller clips it. Rows below the ground line are never drawn.
    """
    u, v, h, f, side = pose.u, pose.v, pose.h, pose.facing, pose.side
    bw = look.build
    x0 = math.floor(u - 0.7 * h)
    y0 = math.floor(v - 1.1 * h)
    x1 = math.ceil(u + 0.7 * h) + 1
    y1 = math.floor(v) + 1  # rows whose centre lies at or above the ground line
    lab = np.zeros((max(1, y1 - y0), max(1, x1 - x0)), np.uint8)

    def P(x: float, y: float) -> list[int]:
        return [int(round((x - x0) * _S)), int(round((y - y0) * _S))]

    def poly(points: Sequence[tuple[float, float]], label: int) -> None:
        cv2.fillPoly(lab, [np.array([P(*p) for p in points], np.int32)], int(label), cv2.LINE_8, _SHIFT)

    def limb(a: tuple[float, float], b: tuple[float, float], wa: float, wb: float, label: int) -> None:
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n, dx / n
        poly([(a[0] + nx * wa, a[1] + ny * wa), (b[0] + nx * wb, b[1] + ny * wb),
              (b[0] - nx * wb, b[1] - ny * wb), (a[0] - nx * wa, a[1] - ny * wa)], label)

    def disc(c: tuple[float, float], r: float, label: int) -> None:
        cv2.circle(lab, tuple(P(*c)), max(1, int(round(r * _S))), int(label), -1, cv2.LINE_8, _SHIFT)

    amp = math.radians(24.0) * (0.3 + 0.7 * side)
    alpha = amp * math.sin(pose.phase)
    L = 0.47 * h
    spread = 0.045 * h * bw * (1.0 - side)
    hip_v = v - L * math.cos(alpha)
    feet = ((u - spread + L * math.sin(alpha), v), (u + spread - L * math.sin(alpha), v))
    hips = ((u - spread, hip_v), (u + spread, hip_v))
    w_hip, w_ank = 0.055 * h * bw, 0.028 * h * bw
    shoulder_v = hip_v - 0.33 * h
    sx = u + f * 0.015 * h * side
    arm_off = 0.12 * h * bw * (1.0 - side)
    arms = (((sx - arm_off, shoulder_v + 0.025 * h), -alpha * 0.9),
            ((sx + arm_off, shoulder_v + 0.025 * h), alpha * 0.9))
    arm_len, arm_w = 0.36 * h, 0.03 * h * bw

    def arm(i: int, label: int) -> None:
        (ax, ay), beta = arms[i]
        end = (ax + arm_len * math.sin(beta), ay + arm_len * math.cos(beta))
        limb((ax, ay), end, arm_w, arm_w * 0.8, label)
        disc(end, 0.026 * h, SKIN)

    def shoe(fx: float) -> None:
        toe = (0.03 + 0.07 * side) * h
        poly([(fx - f * 0.035 * h, v), (fx + f * toe, v), (fx + f * (toe - 0.015 * h), v - 0.035 * h),
              (fx - f * 0.035 * h, v - 0.045 * h)], SHOE)

    arm(0, ARM_FAR)
    limb(hips[0], feet[0], w_hip, w_ank, LEG_FAR)
    shoe(feet[0][0])
    limb(hips[1], feet[1], w_hip, w_ank, LEG_NEAR)
    shoe(feet[1][0])
    tw = bw * (0.75 + 0.25 * (1.0 - side))
    poly([(u - 0.1 * h * tw, hip_v + 0.03 * h), (u + 0.1 * h * tw, hip_v + 0.03 * h),
          (sx + 0.13 * h * tw, shoulder_v + 0.03 * h), (sx + 0.1 * h * tw, shoulder_v),
          (sx - 0.1 * h * tw, shoulder_v), (sx - 0.13 * h * tw, shoulder_v + 0.03 * h)], TORSO)
    poly([(sx - 0.022 * h, shoulder_v + 0.01 * h), (sx + 0.022 * h, shoulder_v + 0.01 * h),
          (sx + 0.022 * h, shoulder_v - 0.04 * h), (sx - 0.022 * h, shoulder_v - 0.04 * h)], SKIN)
    rx, ry = 0.05 * h * look.head, 0.064 * h * look.head
    hc = (sx + f * 0.01 * h * side, shoulder_v - 0.03 * h - ry)
    axes = (max(1, int(round(rx * _S))), max(1, int(round(ry * _S))))
    cv2.ellipse(lab, tuple(P(*hc)), axes, 0, 0, 360, SKIN, -1, cv2.LINE_8, _SHIFT)
    hair_c = (hc[0] - f * 0.012 * h * side, hc[1] - 0.006 * h)
    hair_axes = (max(1, int(round(rx * 1.05 * _S))), axes[1])
    cv2.ellipse(lab, tuple(P(*hair_c)), hair_axes, 0, 180, 360, HAIR, -1, cv2.LINE_8, _SHIFT)
    arm(1, ARM_NEAR)
    return x0, y0, lab


def colour_crop(look: Look, pose: Pose, x0: int, labels: np.ndarray) -> np.ndarray:
    """BGR float32 colours for a label crop, with a soft cylinder shading across the body."""
    cols = look.colours[labels]
    x = np.arange(labels.shape[1], dtype=np.float32) + x0 - pose.u
    shade = np.clip(1.08 - 0.35 * (x / (0.16 * pose.h)) ** 2, 0.72, 1.1).astype(np.float32)
    return cols * shade[None, :, None]


def shadow_alpha(pose: Pose) -> tuple[int, int, np.ndarray]:
    """A soft ground shadow beside the feet: ``(x0, y0, alpha float32 in [0, 1])``."""
    h = pose.h
    cx, cy = pose.u + 0.12 * h, pose.v + 0.005 * h
    ax, ay = 0.32 * h, 0.065 * h
    pad = 0.15 * h
    x0, y0 = math.floor(cx - ax - pad), math.floor(cy - ay - pad)
    w, hh = int(2 * (ax + pad)) + 2, int(2 * (ay + pad)) + 2
    a: np.ndarray = np.zeros((hh, w), np.float32)
    c = (int(round((cx - x0) * _S)), int(round((cy - y0) * _S)))
    cv2.ellipse(a, c, (int(ax * _S), int(ay * _S)), 0, 0, 360, 1.0, -1, cv2.LINE_AA, _SHIFT)
    a = cv2.GaussianBlur(a, (0, 0), max(0.8, 0.045 * h))
    return x0, y0, a
