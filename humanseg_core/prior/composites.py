"""Copy-paste composites for training the parent network: deterministic by seed, exact visible masks.

One sample = a canvas around one *target* person at surveillance scale (30-120 px tall by default), with
0-12 other persons (a quarter of the samples are crowds of 6-12), drawn far to near (a lower foot row is
nearer and drawn later); each person's target mask is its own silhouette minus every silhouette drawn after
it (the visible part only). Then: ground shadows (the silhouette flipped, squashed and sheared from the feet),
sprite relighting and colour jitter (dark clothing: a third of the sprites are darkened, a quarter get dark
lower or upper bodies), blur, sensor noise, low resolution and JPEG re-encoding. The track point is the head
(0.06 h below the top, as in the shared scenes), the feet or the centre, jittered by 4 % of the height; the
height the caller gives is off by up to +-30 %. Negative points: every other person's point (15 % of the
samples leave one person unannotated, as real annotations miss people).

Everything is drawn from ``numpy.random.default_rng([seed, index])``: sample ``index`` is reproducible and
independent of the others (so training resumes exactly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np

from . import backgrounds, crops
from .crops import MEAN_RGB, STD_RGB
from .sprites import Sprite, SpriteBank

ANCHORS = ("head", "feet", "centre")


@dataclass
class Placement:
    """A person on the canvas: sprite pixels (BGR) and alpha, top-left corner, depth (feet row)."""

    image: np.ndarray
    alpha: np.ndarray
    x: int
    y: int
    depth: float


@dataclass
class Sample:
    """A training crop: BGR image (S, S, 3), point maps (2, S, S), soft visible target mask (S, S)."""

    image: np.ndarray
    maps: np.ndarray
    target: np.ndarray
    anchor: str
    height_px: float
    true_height: float
    n_persons: int


def _place(canvas: np.ndarray, p: Placement) -> tuple[slice, slice, slice, slice] | None:
    """Slices (canvas rows, canvas cols, sprite rows, sprite cols) of the overlap, None when outside."""
    ch, cw = canvas.shape[:2]
    ph, pw = p.alpha.shape
    y0, x0 = max(0, p.y), max(0, p.x)
    y1, x1 = min(ch, p.y + ph), min(cw, p.x + pw)
    if y0 >= y1 or x0 >= x1:
        return None
    return slice(y0, y1), slice(x0, x1), slice(y0 - p.y, y1 - p.y), slice(x0 - p.x, x1 - p.x)


def compose(background: np.ndarray, placements: Sequence[Placement]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Paste persons far to near (ascending depth, stable); return the image and each one's visible mask.

    A person's full mask is ``alpha > 0.5``; its visible mask removes every person drawn after it."""
    img = background.astype(np.float32).copy()
    h, w = img.shape[:2]
    order = sorted(range(len(placements)), key=lambda i: placements[i].depth)
    full: list[np.ndarray] = [np.zeros((h, w), bool) for _ in placements]
    for i in order:
        p = placements[i]
        sl = _place(img, p)
        if sl is None:
            continue
        ry, rx, sy, sx = sl
        a = p.alpha[sy, sx][..., None]
        img[ry, rx] = img[ry, rx] * (1 - a) + p.image[sy, sx].astype(np.float32) * a
        full[i][ry, rx] = p.alpha[sy, sx] > 0.5
    visible: list[np.ndarray] = [np.zeros((h, w), bool) for _ in placements]
    covered = np.zeros((h, w), bool)
    for i in reversed(order):  # nearest first: what is already covered is hidden
        visible[i] = full[i] & ~covered
        covered |= full[i]
    return np.clip(img, 0, 255).astype(np.uint8), visible


def anchor_point(alpha: np.ndarray, anchor: str) -> tuple[float, float]:
    """The track point of a silhouette, in sprite pixels: head (0.06 h below the top), feet or centre."""
    rows = np.nonzero(alpha.max(1) > 0.5)[0]
    top, bottom = int(rows[0]), int(rows[-1])
    h = bottom - top + 1
    fg = alpha > 0.5
    if anchor == "head":
        band = fg[top:top + max(1, int(0.15 * h))]
        return float(np.nonzero(band)[1].mean()) + 0.5, top + 0.06 * h
    if anchor == "feet":
        band = fg[bottom - max(0, int(0.1 * h)):bottom + 1]
        return float(np.nonzero(band)[1].mean()) + 0.5, float(bottom) + 1.0
    if anchor == "centre":
        ys, xs = np.nonzero(fg)
        return float(xs.mean()) + 0.5, (top + bottom + 1) / 2.0
    raise ValueError(f"anchor must be one of {ANCHORS}, got {anchor!r}")


def dress(sprite: Sprite, height: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The sprite scaled so its silhouette is ``height`` px tall, flipped and recoloured at random."""
    s = height / sprite.height
    size = (max(1, int(round(sprite.image.shape[1] * s))), max(2, int(round(sprite.image.shape[0] * s))))
    img = cv2.resize(sprite.image, size, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(sprite.alpha, size, interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        img, alpha = img[:, ::-1], alpha[:, ::-1]
    hsv = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGR2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-90, 90) * (rng.random() < 0.5)) % 180
    hsv[..., 1] *= rng.uniform(0.4, 1.4)
    v_gain = rng.uniform(0.25, 0.6) if rng.random() < 0.33 else rng.uniform(0.7, 1.35)
    hsv[..., 2] = hsv[..., 2] * v_gain + rng.uniform(-15, 15)
    hh = hsv.shape[0]
    r = rng.random()
    if r < 0.15:  # dark trousers / skirt
        hsv[int(hh * rng.uniform(0.45, 0.6)):, :, 2] *= rng.uniform(0.15, 0.5)
    elif r < 0.25:  # dark coat
        hsv[int(hh * 0.15):int(hh * rng.uniform(0.5, 0.65)), :, 2] *= rng.uniform(0.15, 0.5)
    hsv = np.clip(hsv, 0, [179, 255, 255])
    img = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    return img, np.ascontiguousarray(alpha, dtype=np.float32)


def cast_shadow(canvas: np.ndarray, p: Placement, squash: float, shear: float, strength: float) -> None:
    """Darken the ground with the person's silhouette flipped about the feet row, squashed and sheared."""
    rows = np.nonzero(p.alpha.max(1) > 0.5)[0]
    if len(rows) == 0:
        return
    bottom = float(rows[-1])
    feet_y = p.y + bottom
    m = np.array([[1, -shear * squash, p.x + shear * squash * bottom], [0, -squash, feet_y + squash * bottom]],
                 np.float32)
    h, w = canvas.shape[:2]
    sh = cv2.warpAffine(p.alpha, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    sh = cv2.GaussianBlur(sh, (0, 0), max(0.5, 0.03 * len(rows)))
    canvas[:] = (canvas.astype(np.float32) * (1 - strength * sh[..., None])).astype(np.uint8)


def camera(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Global relight, blur, low resolution, sensor noise and JPEG re-encoding."""
    out: np.ndarray = img.astype(np.float32)
    out = 255.0 * (out / 255.0) ** rng.uniform(0.7, 1.4) * rng.uniform(0.75, 1.2) + rng.uniform(-15, 15)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.1))
    if rng.random() < 0.2:
        h, w = out.shape[:2]
        f = rng.uniform(0.45, 0.8)
        small = cv2.resize(out, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.7:
        out = np.clip(out + rng.normal(0, rng.uniform(1, 6), out.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.8:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 96))])
        out = cast(np.ndarray, cv2.imdecode(buf, cv2.IMREAD_COLOR))  # our own JPEG: it decodes
    return out


class CompositeGenerator:
    """``gen.sample(i)`` -> :class:`Sample`; ``gen.batch(start, n)`` -> (x (n,5,S,S), y (n,1,S,S)) float32."""

    def __init__(self, bank: SpriteBank, stills: Sequence[np.ndarray], size: int = 128, factor: float = 2.6,
                 sigma_frac: float = 0.04, seed: int = 0, height_range: tuple[float, float] = (30.0, 120.0),
                 height_error: float = 0.3, grey: float = 0.0, tight: float = 0.0):
        """``grey``: the share of composites turned grey (a monochrome camera); ``tight``: the share where one more
        person stands right beside the target (feet within a tenth of a height in depth, a quarter across: the
        pairs a crowd's proposals confuse, the neighbour's negative point on the target's body). Each is drawn
        apart from the rest: with 0 every composite is the one it always was."""
        self.bank, self.stills, self.grey, self.tight = bank, list(stills), float(grey), float(tight)
        self.size, self.factor, self.sigma = size, factor, sigma_frac * size
        self.seed, self.height_range, self.height_error = seed, height_range, height_error

    def sample(self, index: int) -> Sample:
        rng = np.random.default_rng([self.seed, index])
        lo, hi = self.height_range
        h = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        hc = h * rng.uniform(1 - self.height_error, 1 + self.height_error)  # the caller's estimate
        anchor = ANCHORS[int(rng.integers(3))]
        side = int(np.ceil(self.factor * max(h, hc) * 1.15)) + 4
        canvas = backgrounds.background(rng, self.stills, side, side)
        c = side / 2.0
        people: list[Placement] = []
        points: list[tuple[float, float]] = []
        img, alpha = dress(self.bank.pick(rng), h, rng)
        au, av = anchor_point(alpha, anchor)
        tx, ty = int(round(c - au)), int(round(c - av))
        feet_t = ty + float(np.nonzero(alpha.max(1) > 0.5)[0][-1])
        people.append(Placement(img, alpha, tx, ty, feet_t))
        points.append((tx + au, ty + av))
        k = int(rng.choice([0, int(rng.integers(1, 3)), int(rng.integers(3, 6)), int(rng.integers(6, 13))],
                           p=[0.15, 0.35, 0.25, 0.25]))
        for _ in range(k):
            if rng.random() < 0.5:  # close to the target (groups, occlusions)
                fx, fy = c + rng.normal(0, 0.5 * h), feet_t + rng.normal(0, 0.3 * h)
            else:
                fx, fy = rng.uniform(-0.2 * side, 1.2 * side), rng.uniform(0.1 * side, side + 0.5 * h)
            ho = h * float(np.exp(rng.normal(0, 0.12))) * (1 + 0.3 * (fy - feet_t) / side)
            oimg, oalpha = dress(self.bank.pick(rng), max(12.0, ho), rng)
            rows = np.nonzero(oalpha.max(1) > 0.5)[0]
            fu, _ = anchor_point(oalpha, "feet")
            ox, oy = int(round(fx - fu)), int(round(fy - rows[-1] - 1))
            people.append(Placement(oimg, oalpha, ox, oy, oy + float(rows[-1])))
            pu, pv = anchor_point(oalpha, anchor)
            points.append((ox + pu, oy + pv))
        side_rng = np.random.default_rng([self.seed, index, 3])
        if self.tight > 0 and side_rng.random() < self.tight:  # a neighbour right beside the target
            fx = c + side_rng.choice([-1.0, 1.0]) * side_rng.uniform(0.05, 0.3) * h
            fy = feet_t + side_rng.normal(0, 0.1 * h)
            oimg, oalpha = dress(self.bank.pick(side_rng), max(12.0, h * float(np.exp(side_rng.normal(0, 0.1)))),
                                 side_rng)
            rows = np.nonzero(oalpha.max(1) > 0.5)[0]
            fu, _ = anchor_point(oalpha, "feet")
            ox, oy = int(round(fx - fu)), int(round(fy - rows[-1] - 1))
            people.append(Placement(oimg, oalpha, ox, oy, oy + float(rows[-1])))
            pu, pv = anchor_point(oalpha, anchor)
            points.append((ox + pu, oy + pv))
        if rng.random() < 0.6:
            squash, shear, strength = rng.uniform(0.15, 0.6), rng.uniform(-1.2, 1.2), rng.uniform(0.2, 0.6)
            for p in people:
                cast_shadow(canvas, p, squash, shear, strength)
        image, visible = compose(canvas, people)
        image = camera(image, rng)
        if self.grey > 0 and np.random.default_rng([self.seed, index, 2]).random() < self.grey:
            image = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        jit = 0.04 * h
        pts = [(u + rng.normal(0, jit), v + rng.normal(0, jit)) for u, v in points]
        others = pts[1:]
        if others and rng.random() < 0.15:
            others.pop(int(rng.integers(len(others))))
        box = crops.box_for(pts[0], hc, self.factor)
        crop = crops.cut(image, box, self.size)
        target = crops.cut(visible[0].astype(np.float32), box, self.size, fill=0.0)
        maps = crops.point_maps(pts[0], others, box, self.size, self.sigma)
        return Sample(crop, maps, np.clip(target, 0.0, 1.0).astype(np.float32), anchor, hc, h, len(people))

    def batch(self, start: int, n: int, p_anchor: float = 0.6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Inputs (n, 5, S, S), targets (n, 1, S, S) and anchor hints (n, 3): one-hot with probability
        ``p_anchor``, else zeros (unknown)."""
        xs, ys, hints = [], [], np.zeros((n, 3), np.float32)
        for k, i in enumerate(range(start, start + n)):
            s = self.sample(i)
            xs.append(crops.to_input(s.image, s.maps, MEAN_RGB, STD_RGB))
            ys.append(s.target[None])
            if np.random.default_rng([self.seed, i, 1]).random() < p_anchor:
                hints[k, ANCHORS.index(s.anchor)] = 1.0
        return np.stack(xs), np.stack(ys), hints
