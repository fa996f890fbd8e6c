"""Trajectory guidance: person-sized crops anchored at the track point, pasted back into the full frame.

The geometry comes from the accepted masks: the median offset of the mask box centre from the track point
(the point may be the head or the feet, depending on the data set), the median box size and, when the
accepted frames spread enough vertically, a linear fit of box height against the point's image row (the
local scale: people further away are smaller).  A window of ``k`` times the expected box, with the
network's aspect ratio, is cut around the expected box centre (image edges are padded), resized to the net
input, and the result is mapped back with the exact inverse transform.  Other people are suppressed by a
Gaussian prior channel at the expected centre and by keeping only connected regions near it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace

import cv2
import numpy as np

from ..errors import HumansegError

TrackFn = Callable[[int], "tuple[float, float] | None"]
HeightFn = Callable[[int], "float | None"]  # frame -> the scene's expected height of the person there, px
# a person whose labels' boxes are under this share of the scene's expected height (median over its labels)
# is occluded or cut in most of them: its crops are sized by the scene's heights (height_floor)
HEIGHT_FLOOR = 0.8


@dataclass
class CropGeometry:
    dx: float  # median offset of the box centre from the track point, pixels at the reference scale
    dy: float
    box_w: float  # median box size, pixels at the reference scale
    box_h: float
    v_ref: float  # median image row of the track point over the accepted frames
    slope: float = 0.0  # d(box height)/d(row of the point); 0 when not fitted
    k: float = 1.6
    in_w: int = 96
    in_h: int = 128

    def to_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, (float, np.floating)) else int(v)) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping) -> CropGeometry:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def scale_at(self, v: float) -> float:
        """Person scale at image row v relative to the reference (clipped to [0.5, 2])."""
        h = self.box_h + self.slope * (v - self.v_ref)
        return float(np.clip(h / self.box_h, 0.5, 2.0))

    def expected_box(self, point) -> tuple[float, float, float, float]:
        """(cx, cy, w, h) of the person's expected box given its track point (u, v)."""
        u, v = float(point[0]), float(point[1])
        s = self.scale_at(v)
        return u + self.dx * s, v + self.dy * s, self.box_w * s, self.box_h * s

    def feet_row(self, point) -> float:
        """Image row of the bottom of the expected box at ``point``: the depth key (larger = nearer)."""
        _cx, cy, _bw, bh = self.expected_box(point)
        return float(cy + bh / 2)

    def window(self, point) -> tuple[float, float, float, float]:
        """(cx, cy, w, h) of the crop window in frame pixels, with the net input's aspect ratio."""
        cx, cy, bw, bh = self.expected_box(point)
        h = self.k * max(bh, bw * self.in_h / self.in_w)
        h = max(h, 16.0)
        return cx, cy, h * self.in_w / self.in_h, h

    def matrix(self, point) -> np.ndarray:
        """2x3 affine mapping frame pixels to crop pixels."""
        cx, cy, _, h = self.window(point)
        return window_matrix(cx, cy, h / self.in_h, self.in_w, self.in_h)


def window_matrix(cx: float, cy: float, px_per_input: float, in_w: int, in_h: int) -> np.ndarray:
    """Affine frame->crop: the frame point (cx, cy) lands on the crop centre, 1 crop px = px_per_input."""
    s = 1.0 / px_per_input
    return np.array(
        [[s, 0.0, (in_w - 1) / 2.0 - s * cx], [0.0, s, (in_h - 1) / 2.0 - s * cy]], dtype=np.float64
    )


def full_frame_matrix(width: int, height: int, max_side: int) -> tuple[np.ndarray, int, int]:
    """Downscale of the whole frame so that its long side is at most max_side (multiple of 16)."""
    s = min(1.0, max_side / max(width, height))
    out_w = max(16, int(round(width * s / 16)) * 16)
    out_h = max(16, int(round(height * s / 16)) * 16)
    sx, sy = out_w / width, out_h / height
    m = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]], dtype=np.float64)
    return m, out_w, out_h


def mask_box(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    """(cx, cy, w, h) of a boolean mask's bounding box, or None when empty."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    return (x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0, float(x1 - x0), float(y1 - y0)


def fit_geometry(masks: Mapping[int, np.ndarray], track_px: TrackFn, k: float = 1.6,
                 in_size: tuple[int, int] = (96, 128), pid=None) -> CropGeometry:
    """Fit the crop geometry from accepted masks {frame: bool mask} and the track (frame -> (u, v))."""
    rows = []
    for f, m in masks.items():
        p = track_px(f)
        box = mask_box(np.asarray(m, bool))
        if p is None or box is None:
            continue
        rows.append((p[0], p[1], *box))
    if not rows:
        who = f"person {pid}" if pid is not None else "this person"
        raise HumansegError(f"no accepted mask of {who} lies on a frame with a track position: "
                            "accept some proposals inside the track's time span first")
    a = np.array(rows, dtype=np.float64)
    u, v, cx, cy, bw, bh = a.T
    slope = 0.0
    if len(a) >= 4 and np.ptp(v) > 20:
        slope = float(np.polyfit(v, bh, 1)[0])
        slope = float(np.clip(slope, -2.0, 2.0))
    v_ref = float(np.median(v))
    s = np.clip((np.median(bh) + slope * (v - v_ref)) / np.median(bh), 0.5, 2.0)
    return CropGeometry(
        dx=float(np.median((cx - u) / s)), dy=float(np.median((cy - v) / s)),
        box_w=float(max(4.0, np.median(bw / s))), box_h=float(max(4.0, np.median(bh / s))),
        v_ref=v_ref, slope=slope, k=float(k), in_w=int(in_size[0]), in_h=int(in_size[1]),
    )


def height_floor(g: CropGeometry, frames, track_px: TrackFn, expected: HeightFn,
                 floor: float = HEIGHT_FLOOR) -> tuple[CropGeometry, float | None]:
    """``g`` with its heights raised to the scene's where the person's labels are short of them, and the
    median ratio (label box height / scene's expected height) over ``frames`` (None: nothing to compare).

    The geometry is fitted on the labels' boxes, so a person seen only in part (standing behind another
    person through a whole clip, or cut by the frame's edge) gets crops sized for the visible part: a
    2.0-heights crop around a feet point then misses the upper body it should learn (zara02_jitter persons
    69 and 70, crops 0.58x their height: a fine-tuned loss of 0.56 against 0.07-0.14 for the others). Under
    ``floor`` the box height and slope are scaled so the expected box matches the scene's height; the box
    centre offset and width stay as the labels say."""
    ratios = []
    for f in frames:
        point, h = track_px(int(f)), expected(int(f))
        if point is not None and h is not None and np.isfinite(h) and h > 0:
            ratios.append(g.expected_box(point)[3] / float(h))
    if not ratios:
        return g, None
    r = float(np.median(ratios))
    if r >= floor or r <= 0:
        return g, r
    return replace(g, box_h=g.box_h / r, slope=g.slope / r), r


def crop(img: np.ndarray, m: np.ndarray, in_w: int, in_h: int, interp=cv2.INTER_LINEAR) -> np.ndarray:
    """Cut the crop given by the frame->crop affine ``m``; outside the image is padded (edge replicate)."""
    border = cv2.BORDER_REPLICATE if img.ndim == 3 else cv2.BORDER_CONSTANT
    return cv2.warpAffine(img, m, (in_w, in_h), flags=interp, borderMode=border, borderValue=0)


def paste(crop_map: np.ndarray, m: np.ndarray, width: int, height: int) -> np.ndarray:
    """Map a crop-sized float map back to a full (height, width) frame; zero outside the window.

    Only the window's bounding rectangle is warped (fast for small windows)."""
    full = np.zeros((height, width), np.float32)
    inv = cv2.invertAffineTransform(m)
    ch, cw = crop_map.shape[:2]
    corners = np.array([[0, 0, 1], [cw - 1, 0, 1], [0, ch - 1, 1], [cw - 1, ch - 1, 1]], np.float64)
    pts = corners @ inv.T
    x0 = max(0, int(np.floor(pts[:, 0].min())) - 1)
    y0 = max(0, int(np.floor(pts[:, 1].min())) - 1)
    x1 = min(width, int(np.ceil(pts[:, 0].max())) + 2)
    y1 = min(height, int(np.ceil(pts[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return full
    shifted = m.copy()
    shifted[:, 2] += m[:, :2] @ np.array([x0, y0], np.float64)  # frame (x0, y0) becomes sub-image origin
    full[y0:y1, x0:x1] = cv2.warpAffine(
        crop_map.astype(np.float32), shifted, (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT, borderValue=0,
    )
    return full


def prior_map(m: np.ndarray, centre, box_wh, in_w: int, in_h: int) -> np.ndarray:
    """Gaussian (peak 1) at the person's expected centre, sigma half the expected box, in crop pixels."""
    c = m[:, :2] @ np.asarray(centre, np.float64) + m[:, 2]
    s = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    sx = max(1.0, 0.5 * box_wh[0] * s)
    sy = max(1.0, 0.5 * box_wh[1] * s)
    xs = np.arange(in_w, dtype=np.float32)
    ys = np.arange(in_h, dtype=np.float32)
    gx = np.exp(-0.5 * ((xs - c[0]) / sx) ** 2)
    gy = np.exp(-0.5 * ((ys - c[1]) / sy) ** 2)
    return (gy[:, None] * gx[None, :]).astype(np.float32)


def keep_track_regions(mask: np.ndarray, centre, box_wh) -> np.ndarray:
    """Keep the connected regions of ``mask`` that reach the core of the expected box (an ellipse of
    0.35 x the box around ``centre``); when none does, the nearest region whose centroid lies within one
    box height of the centre; else nothing.  All in the mask's own pixel coordinates."""
    mask = np.asarray(mask, bool)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return mask
    h, w = mask.shape
    ys, xs = np.ogrid[:h, :w]
    rx, ry = max(1.0, 0.35 * box_wh[0]), max(1.0, 0.35 * box_wh[1])
    core = ((xs - centre[0]) / rx) ** 2 + ((ys - centre[1]) / ry) ** 2 <= 1.0
    hit = np.unique(labels[core & mask])
    hit = hit[hit > 0]
    if len(hit) == 0:
        d = np.hypot(centroids[1:, 0] - centre[0], centroids[1:, 1] - centre[1])
        j = int(np.argmin(d))
        if d[j] > max(box_wh[1], 1.0):
            return np.zeros_like(mask)
        hit = np.array([j + 1])
    keep = np.zeros(n, bool)
    keep[hit] = True
    return keep[labels]


IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def net_input(crop_bgr: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
    """(C, H, W) float32 network input: RGB normalised with the ImageNet statistics (+ prior channel)."""
    rgb = crop_bgr[..., ::-1].astype(np.float32) * (1.0 / 255.0)
    x = ((rgb - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1)
    if prior is not None:
        x = np.concatenate([x, prior[None].astype(np.float32)], axis=0)
    return np.ascontiguousarray(x)
