"""Crops, point channels, training batches and inference for osvos-parent (:mod:`.nets_parent`).

The same crop geometry as the parent's training composites (:mod:`humanseg_core.prior.crops`): a square box
of side ``factor`` x the person's expected height, centred on the track point, cut with ``INTER_AREA`` to
``size`` x ``size`` (outside the frame: ImageNet mean grey); the positive channel is a Gaussian at the track
point, the negative channel Gaussians at the other persons' points on that frame. The expected height at
the point's image row comes from the :class:`~.guidance.CropGeometry` fitted on the accepted masks.

Training crops are cut once per accepted frame with a margin (at the crop's scale) and augmented in crop
space (flip, scale, rotation, shift, colour, point jitter), so every batch is a few small warps. At
inference, pixels claimed by another person's body core are removed (:mod:`.others`) and only regions that
reach the person's expected box are kept (:func:`.guidance.keep_track_regions`), as for osvos-lite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import cv2
import numpy as np
import torch

from ..jobs import CancelToken
from ..prior import crops as pcrops
from ..prior.guided_filter import EPS, refine_probability
from .augment import colour_jitter, random_affine
from .guidance import CropGeometry, keep_track_regions
from .others import claimed_by_others

MEAN_RGB = (0.485, 0.456, 0.406)
STD_RGB = (0.229, 0.224, 0.225)
# the normalised value of every 8-bit level per RGB channel, with pcrops.to_input's float32 arithmetic
_NORMALISED = ((np.arange(256, dtype=np.float32)[:, None] / np.float32(255.0) - np.asarray(MEAN_RGB, np.float32))
               / np.asarray(STD_RGB, np.float32)).T.copy()
# a fine-tuned person's edges at the frame's resolution (clean_and_paste): the guided filter's window, as a
# share of the expected height (0: the network's map enlarged bilinearly)
GUIDE = 0.02
MARGIN = 0.25  # share of the crop side cut around each training crop, so augmentations see real pixels
POINT_JITTER = 0.04  # of the expected height, as in the parent's composites
# crop side / expected height while fine-tuning: the parent trained at 2.6 with heights off by +-30 %, so 2.0
# (the person 1.3x larger in the crop) stays inside what it saw. On zara01 (pid 54, exact labels, 15 s):
# J 0.61 at 2.6, 0.67 at 2.0 (interim parent, class-balanced loss)
FINETUNE_FACTOR = 2.0
# the crop holds the labels' expected box and this much more of its reach from the point: at 2.0 heights a
# crop centred on a feet point ends one height above it, and labels whose legs were cut (their box short of
# the point) are taller from the point than their box (a standing person of a held-out scene, labels 55 px
# with their top 67 px above the feet point: the trained network cut every head at the crop's edge)
CONTAIN = 1.05


@dataclass(frozen=True)
class ParentCropConfig:
    size: int = 128
    factor: float = 2.6
    sigma_frac: float = 0.04

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ParentCropConfig:
        return cls(int(cfg.get("size", 128)), float(cfg.get("factor", 2.6)), float(cfg.get("sigma_frac", 0.04)))

    @property
    def sigma(self) -> float:
        return self.sigma_frac * self.size


def anchor_of(g: CropGeometry) -> str:
    """Where the track point sits on the body, from the fitted geometry: the accepted masks' box centre lies
    below a head point and above a feet point (a quarter of the box height decides)."""
    if g.dy > 0.25 * g.box_h:
        return "head"
    if g.dy < -0.25 * g.box_h:
        return "feet"
    return "centre"


def finetune_config(parent_config: dict[str, Any], g: CropGeometry | None = None,
                    size: int | None = None) -> dict[str, Any]:
    """The parent's configuration with the fine-tuning crop factor, the crop side ``size`` (None: the
    parent's own) and the person's anchor (stored in the checkpoint's meta, so a network always segments at
    the size it was trained at; the network gets the anchor hint when the parent takes one)."""
    cfg = {**parent_config, "factor": FINETUNE_FACTOR}
    if size is not None:
        cfg["size"] = int(size)
    if g is not None:
        cfg["anchor"] = anchor_of(g)
    return cfg


def person_box(g: CropGeometry, point: Sequence[float], cfg: ParentCropConfig) -> tuple[int, int, int, int]:
    """The crop box (x0, y0, x1, y1) around ``point`` for a person of the expected height at its row, grown
    until it holds the whole expected box with a margin (:data:`CONTAIN`)."""
    u, v = float(point[0]), float(point[1])
    cx, cy, bw, bh = g.expected_box(point)
    reach = max(abs(cy - v) + bh / 2.0, abs(cx - u) + bw / 2.0)  # the expected box's farthest edge
    return pcrops.box_for((u, v), max(bh, 2.0 * CONTAIN * reach / cfg.factor), cfg.factor)


def crop_coords(box: tuple[int, int, int, int], size: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Frame coordinates (xs (1, S), ys (S, 1)) of the crop's pixel centres, and frame->crop scale."""
    x0, y0, x1, _ = box
    scale = size / float(x1 - x0)
    c = (np.arange(size, dtype=np.float64) + 0.5) / scale - 0.5
    return (x0 + c)[None, :], (y0 + c)[:, None], scale


def person_input(img: np.ndarray, point: Sequence[float], others: Sequence, g: CropGeometry, cfg: ParentCropConfig,
                 out: np.ndarray | None = None) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """(5, S, S) float32 network input for the person at ``point`` and its crop box.  ``out``: a (5, S, S)
    float32 array (e.g. one row of a batch) to write the input into instead of a new array."""
    box = person_box(g, point, cfg)
    crop = pcrops.cut(img, box, cfg.size)
    point = (float(point[0]), float(point[1]))
    others = [(float(q[0]), float(q[1])) for q in others]
    if out is None:
        return pcrops.to_input(crop, pcrops.point_maps(point, others, box, cfg.size, cfg.sigma), MEAN_RGB,
                               STD_RGB), box
    for c in range(3):  # RGB from BGR through a table: the values of pcrops.to_input, bit for bit
        np.take(_NORMALISED[c], crop[..., 2 - c], out=out[c])
    point_maps_into(out[3:], point, others, box, cfg.size, cfg.sigma)
    return out, box


def point_maps_into(out: np.ndarray, point: tuple[float, float], others: Sequence[tuple[float, float]],
                    box: tuple[int, int, int, int], size: int, sigma: float) -> np.ndarray:
    """``pcrops.point_maps`` written into ``out`` (2, S, S), each Gaussian as the outer product of two 1-D ones
    (3x faster; equal to within float32 rounding, ~1e-7)."""
    x0, y0, x1, _ = box
    scale = size / float(x1 - x0)
    grid = np.arange(size, dtype=np.float32) + np.float32(0.5)
    k = np.float32(1.0 / (2.0 * sigma * sigma))

    def gauss(p: tuple[float, float]) -> np.ndarray:
        gx = np.exp(-np.square(grid - np.float32((p[0] - x0) * scale)) * k)
        gy = np.exp(-np.square(grid - np.float32((p[1] - y0) * scale)) * k)
        return gy[:, None] * gx[None, :]

    out[0] = gauss(point)
    out[1] = 0.0
    reach = 4.0 * sigma
    for p in others:
        cu, cv = (p[0] - x0) * scale, (p[1] - y0) * scale
        if -reach < cu < size + reach and -reach < cv < size + reach:
            np.maximum(out[1], gauss(p), out=out[1])
    out[out < 1e-6] = 0.0  # no float32 denormals, as pcrops.point_maps
    return out


def clean_and_paste(prob: np.ndarray, box: tuple[int, int, int, int], point: Sequence[float], others: Sequence | None,
                    g: CropGeometry, threshold: float, frame_shape: Sequence[int],
                    suppress_others: bool = True, image: np.ndarray | None = None, guide: float = 0.0) -> np.ndarray:
    """Threshold a crop's probabilities, drop other persons' cores and stray regions, paste to a frame mask.

    With ``image`` (the frame, BGR) and ``guide`` > 0 the edges are drawn at the frame's resolution: the
    probabilities of the kept regions, enlarged to the box, refined by the guided filter with the frame as
    the guide (windows of ``guide`` x the expected height; :mod:`humanseg_core.prior.guided_filter`),
    thresholded, within the kept regions grown by that window."""
    xs, ys, scale = crop_coords(box, prob.shape[0])
    fg = prob >= threshold
    if others and suppress_others:
        fg &= ~claimed_by_others(g, point, list(others), xs, ys)
    cx, cy, bw, bh = g.expected_box(point)
    centre = ((cx - box[0] + 0.5) * scale - 0.5, (cy - box[1] + 0.5) * scale - 0.5)
    kept = keep_track_regions(fg, centre, (bw * scale, bh * scale))
    mask = paste_mask(kept, box, frame_shape)
    if image is None or guide <= 0 or not mask.any():
        return mask
    r = max(1, int(round(guide * bh)))
    # a window of the box and 3 filter radii around it holds everything the filter reads or writes (the
    # region: the mask grown by r; the filter: its support grown by 2r), so the full frame is not needed
    h, w = int(frame_shape[0]), int(frame_shape[1])
    x0, y0 = max(0, box[0] - 3 * r), max(0, box[1] - 3 * r)
    x1, y1 = min(w, box[2] + 3 * r), min(h, box[3] + 3 * r)
    shifted = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
    region = cv2.dilate(mask[y0:y1, x0:x1].astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    window = pcrops.paste(prob, shifted, (y1 - y0, x1 - x0)) * region
    refined = refine_probability(image[y0:y1, x0:x1], window, r, EPS)
    mask[y0:y1, x0:x1] = (refined >= threshold) & region
    return mask


def paste_mask(kept: np.ndarray, box: tuple[int, int, int, int], frame_shape: Sequence[int]) -> np.ndarray:
    """Full-frame boolean mask of a crop's mask: ``pcrops.paste(kept) >= 0.5`` (bilinear to the box), computed
    inside the box only (no full-frame float map per person and frame)."""
    out = np.zeros((int(frame_shape[0]), int(frame_shape[1])), bool)
    x0, y0, x1, y1 = box
    cx0, cy0, cx1, cy1 = pcrops.clip_box(box, frame_shape)
    if cx0 >= cx1 or cy0 >= cy1 or not kept.any():
        return out
    big = cv2.resize(kept.astype(np.float32), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    out[cy0:cy1, cx0:cx1] = big[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0] >= 0.5
    return out


def forward_probs(net: torch.nn.Module, xs: Sequence[np.ndarray]) -> np.ndarray:
    """(N, S, S) probabilities of a batch of (5, S, S) inputs."""
    with torch.inference_mode():
        out = net(torch.from_numpy(np.stack(xs)))[-1]
        return torch.sigmoid(out)[:, 0].numpy()


class ParentBatcher:
    """Augmented osvos-parent training crops of the accepted frames (the interface of train's batcher).

    ``samples``: objects with ``frame``, ``img`` (BGR), ``mask`` (uint8), ``point`` and ``ignore`` (uint8 or
    None); ``others_px``: frame -> the other persons' points (or None); ``weights``: how often each sample
    is drawn (relative; None: uniformly; :mod:`.label_trust`); ``cancel``: checked between the frames cut."""

    def __init__(self, samples: Sequence[Any], meta: dict, rng: np.random.Generator,
                 others_px: Callable[[int], Any] | None = None, weights: Sequence[float] | None = None,
                 cancel: CancelToken | None = None):
        self.samples, self.meta, self.rng = list(samples), meta, rng
        self.p: np.ndarray | None = None
        if weights is not None and sum(weights) > 0:
            w = np.asarray(weights, np.float64)
            self.p = w / w.sum()
        self.g = CropGeometry.from_dict(meta["geometry"])
        self.cfg = ParentCropConfig.from_config(meta.get("parent_config", {}))
        self.cache = []
        for s in self.samples:  # a cancel (``cancel``) stops between frames
            if cancel is not None:
                cancel.raise_if_cancelled()
            self.cache.append(self._cut(s, others_px))

    def _cut(self, s: Any, others_px: Callable[[int], Any] | None) -> tuple[
            np.ndarray, np.ndarray, np.ndarray | None, tuple[int, int, int, int], list[tuple[float, float]], float]:
        size = self.cfg.size
        box = person_box(self.g, s.point, self.cfg)
        side = box[2] - box[0]
        pad = round(MARGIN * side)
        big = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        big_size = round(size * (side + 2 * pad) / side)
        img = pcrops.cut(s.img, big, big_size)
        mask = pcrops.cut(s.mask.astype(np.float32), big, big_size, fill=0.0)
        ign = None
        if s.ignore is not None:
            ign = pcrops.cut(s.ignore.astype(np.float32), big, big_size, fill=0.0, interp=cv2.INTER_NEAREST)
        others = [tuple(map(float, q)) for q in (others_px(s.frame) or [])] if others_px is not None else []
        off = (big_size - size) / 2.0  # crop (target) pixel = big-crop pixel - off
        return img, mask, ign, box, cast("list[tuple[float, float]]", others), off  # (u, v) points

    def one(self, s: Any, augment: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i = next(k for k, t in enumerate(self.samples) if t is s)
        return self._one(i, augment)

    def _one(self, i: int, augment: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        img, mask, ign, box, others, off = self.cache[i]
        s, size = self.samples[i], self.cfg.size
        point = (float(s.point[0]), float(s.point[1]))
        aug = np.eye(3)
        if augment:
            aug = random_affine(self.rng, size, size)
            h = self.g.expected_box(point)[3]
            point = (point[0] + self.rng.normal(0, POINT_JITTER * h), point[1] + self.rng.normal(0, POINT_JITTER * h))
        m = (aug @ np.array([[1, 0, -off], [0, 1, -off], [0, 0, 1]], np.float64))[:2]
        flags: dict[str, Any] = {"dsize": (size, size), "borderMode": cv2.BORDER_CONSTANT}
        x_img = cv2.warpAffine(img, m, flags=cv2.INTER_LINEAR, borderValue=pcrops.FILL_BGR, **flags)
        if augment:
            x_img = colour_jitter(self.rng, x_img)
        y = cv2.warpAffine(mask, m, flags=cv2.INTER_LINEAR, borderValue=0, **flags)
        g = np.zeros((size, size), np.float32) if ign is None else \
            cv2.warpAffine(ign, m, flags=cv2.INTER_NEAREST, borderValue=0, **flags)
        maps = pcrops.point_maps(point, others, box, size, self.cfg.sigma)
        if augment:
            maps = np.stack([cv2.warpAffine(c, aug[:2], flags=cv2.INTER_LINEAR, borderValue=0, **flags)
                             for c in maps])
        x = pcrops.to_input(x_img, maps, MEAN_RGB, STD_RGB)
        return np.ascontiguousarray(x, np.float32), (y >= 0.5).astype(np.float32), g.astype(np.float32)

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        picks = (self.rng.integers(0, len(self.samples), size=n) if self.p is None
                 else self.rng.choice(len(self.samples), size=n, p=self.p))
        xs, ys, igns = zip(*(self._one(int(i), True) for i in picks))
        ign = torch.from_numpy(np.stack(igns)[:, None]) if any(i.any() for i in igns) else None
        return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys)[:, None]), ign
