"""The built-in demo scene: a synthetic surveillance video with exact per-person ground truth.

Everything is generated in-process and is deterministic by ``seed`` (no files from outside, no downloads):
a paved square seen with a mild perspective (:mod:`.ground`), articulated walkers of distinct looks on
smooth crossing paths that occlude each other (:mod:`.walkers`), a soft shadow under each walker
(in the frames, never in the masks), sensor noise and a slow lighting drift.

- :func:`make_demo` builds it in memory (``DemoScene``); frames are rendered on demand.
- :func:`write_demo` writes the ``../shared/data/scenes`` layout; :func:`demo_dir` caches one copy.

The trajectory point (``DemoScene.anchor == "feet"``) is the midpoint between the walker's feet on the
ground, i.e. the bottom of its silhouette.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import ArrayLike

from .ground import apply_h, ground_homographies, make_background
from .walkers import Look, Path, Pose, colour_crop, pose_at, random_look, render_labels, shadow_alpha

DEMO_VERSION = 1
MIN_VISIBLE_PX = 30
ANNOTATION_STEP = 10
FPS = 25.0
NOISE_SIGMA = 2.0
SHADOW_STRENGTH = 0.45

__all__ = ["DemoScene", "PersonMasks", "DemoFrames", "make_demo", "project"]


class PersonMasks(Mapping):
    """``frame -> full-size bool mask`` of one person, stored as tight crops (memory stays small)."""

    def __init__(self, shape: tuple[int, int]):
        self._shape = shape
        self._crops: dict[int, tuple[int, int, np.ndarray]] = {}

    def _put(self, frame: int, y0: int, x0: int, crop: np.ndarray) -> None:
        self._crops[frame] = (y0, x0, crop)

    def __getitem__(self, frame: int) -> np.ndarray:
        y0, x0, crop = self._crops[frame]
        full = np.zeros(self._shape, bool)
        full[y0:y0 + crop.shape[0], x0:x0 + crop.shape[1]] = crop
        return full

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._crops))

    def __len__(self) -> int:
        return len(self._crops)

    def __contains__(self, frame: object) -> bool:
        return frame in self._crops

    def crop(self, frame: int) -> tuple[int, int, np.ndarray]:
        """``(y0, x0, bool crop)`` without building the full-size mask."""
        return self._crops[frame]

    def area(self, frame: int) -> int:
        return int(self._crops[frame][2].sum())


@dataclass
class _Layer:
    pid: int
    pose: Pose
    x0: int
    y0: int
    labels: np.ndarray


class DemoFrames(Sequence):
    """The demo frames (BGR uint8 HxWx3), rendered on demand; deterministic; a few are cached."""

    def __init__(self, scene: DemoScene, cache: int = 8):
        self._scene = scene
        self._cache: dict[int, np.ndarray] = {}
        self._cache_size = cache
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._scene.n_frames

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"demo frame {index} out of range 0..{len(self) - 1}")
        with self._lock:
            hit = self._cache.get(index)
        if hit is None:
            hit = self._scene._render(index)
            hit.setflags(write=False)
            with self._lock:
                if len(self._cache) >= self._cache_size:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[index] = hit
        return hit.copy()

    def __call__(self, index: int) -> np.ndarray:
        return self[index]


@dataclass
class DemoScene:
    """An in-memory demo scene. ``gt[pid][frame]`` is the visible bool mask (only where >= 30 px)."""

    frames: DemoFrames
    trajectories_text: str
    H: np.ndarray  # pixel (u, v) -> world, 3x3
    pids: list[int]
    anchor: str
    fps: float
    gt: dict[int, PersonMasks]
    background: np.ndarray
    width: int
    height: int
    seed: int
    n_frames: int
    annotations: np.ndarray  # (N, 4): frame, pid, x, y (the rows of trajectories_text)
    looks: dict[int, Look] = field(repr=False, default_factory=dict)
    paths: dict[int, Path] = field(repr=False, default_factory=dict)
    _layers: list[list[_Layer]] = field(repr=False, default_factory=list)

    def world(self, pid: int, frame: float) -> np.ndarray:
        """Exact world position (2,) of a walker's anchor at ``frame``."""
        return self.paths[pid].world(frame, self.fps)[0]

    def silhouette(self, pid: int, frame: int) -> np.ndarray | None:
        """The walker's full (unoccluded) silhouette clipped to the image, or None when not in the scene."""
        for layer in self._layers[frame]:
            if layer.pid == pid:
                full = np.zeros((self.height, self.width), bool)
                y0, x0, crop = _clip(layer.y0, layer.x0, layer.labels > 0, self.height, self.width)
                full[y0:y0 + crop.shape[0], x0:x0 + crop.shape[1]] = crop
                return full
        return None

    def visibility_rows(self) -> list[tuple]:
        """``(frame, pid, u, v, height_px, full_area, visible_area)`` per walker in view, frame order."""
        rows = []
        for t, layers in enumerate(self._layers):
            for layer in sorted(layers, key=lambda la: la.pid):
                full = int(_clip(layer.y0, layer.x0, layer.labels > 0, self.height, self.width)[2].sum())
                vis = self.gt[layer.pid].area(t) if t in self.gt[layer.pid] else 0
                rows.append((t, layer.pid, layer.pose.u, layer.pose.v, layer.pose.h, full, vis))
        return rows

    def _render(self, t: int) -> np.ndarray:
        drift = np.float32(1.0 + 0.03 * math.sin(2 * math.pi * t / 160.0 + 0.7 * self.seed))
        img = self.background.astype(np.float32) * drift
        for layer in self._layers[t]:
            sx0, sy0, alpha = shadow_alpha(layer.pose)
            y0, x0, a = _clip(sy0, sx0, alpha, self.height, self.width)
            if a.size:
                region = img[y0:y0 + a.shape[0], x0:x0 + a.shape[1]]
                region *= (1.0 - SHADOW_STRENGTH * a)[..., None]
        for layer in self._layers[t]:  # far to near
            look = self.looks[layer.pid]
            cols = colour_crop(look, layer.pose, layer.x0, layer.labels) * drift
            y0, x0, lab = _clip(layer.y0, layer.x0, layer.labels, self.height, self.width)
            if not lab.size:
                continue
            cy, cx = y0 - layer.y0, x0 - layer.x0
            cols = cols[cy:cy + lab.shape[0], cx:cx + lab.shape[1]]
            m = lab > 0
            img[y0:y0 + lab.shape[0], x0:x0 + lab.shape[1]][m] = cols[m]
        img = cv2.GaussianBlur(img, (3, 3), 0.6)  # camera optics: soft edges (the masks stay exact)
        rng = np.random.default_rng([self.seed, t, 7])
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(NOISE_SIGMA)
        return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def _clip(y0: int, x0: int, arr: np.ndarray, height: int, width: int) -> tuple[int, int, np.ndarray]:
    """Clip a crop placed at (y0, x0) to the image; returns (y0, x0, sub-array) (possibly empty)."""
    ya, xa = max(0, y0), max(0, x0)
    yb, xb = min(height, y0 + arr.shape[0]), min(width, x0 + arr.shape[1])
    if yb <= ya or xb <= xa:
        return ya, xa, arr[:0, :0]
    return ya, xa, arr[ya - y0:yb - y0, xa - x0:xb - x0]


def _make_paths(rng: np.random.Generator, n_walkers: int, n_frames: int) -> list[Path]:
    """Walkers in crossing pairs: each pair passes the same ground point at the same time, one slightly
    nearer the camera, so the nearer one occludes the other (and different pairs cross at random)."""
    paths = []
    for k in range((n_walkers + 1) // 2):
        centre = np.array([rng.uniform(4.0, 11.0), rng.uniform(2.0, 9.0)])
        t_c = rng.uniform(0.3, 0.7) * n_frames
        # Mostly across the square; one pair in three walks partly along the depth axis.
        heading = rng.uniform(-0.6, 0.6) if k % 3 != 2 else rng.uniform(0.9, 1.3)
        headings = (heading, heading + math.pi + rng.uniform(-0.7, 0.7))
        dy = rng.uniform(0.5, 1.2)
        for j in range(2 if 2 * k + 1 < n_walkers else 1):
            c = centre + np.array([0.0, dy / 2 if j == 0 else -dy / 2])
            paths.append(Path(centre=(float(c[0]), float(c[1])), t_c=float(t_c),
                              speed=float(rng.uniform(0.9, 1.5)), heading=float(headings[j]),
                              sway=float(rng.uniform(0.05, 0.35)), sway_len=float(rng.uniform(4.0, 9.0)),
                              sway_phase=float(rng.uniform(0, 2 * math.pi))))
    return paths[:n_walkers]


def _in_view(pose: Pose, width: int, height: int) -> bool:
    return (-0.6 * pose.h < pose.u < width + 0.6 * pose.h) and (0 < pose.v < height + 1.0 * pose.h) \
        and pose.h > 4


def make_demo(seed: int = 0, n_frames: int = 200, width: int = 720, height: int = 576,
              n_walkers: int = 8) -> DemoScene:
    """Build the demo scene in memory (fast: frames are rendered when read)."""
    if n_frames < 1 or width < 64 or height < 64 or n_walkers < 1:
        raise ValueError("make_demo: need n_frames >= 1, n_walkers >= 1 and an image of at least 64x64")
    rng = np.random.default_rng([int(seed), 20240601])
    H, G = ground_homographies(width, height)
    background = make_background(H, width, height, rng)
    paths = _make_paths(rng, n_walkers, n_frames)
    torso_order = rng.permutation(12)
    pids = list(range(1, n_walkers + 1))
    looks = {pid: random_look(rng, i, torso_order) for i, pid in enumerate(pids)}
    path_of = dict(zip(pids, paths))

    gt = {pid: PersonMasks((height, width)) for pid in pids}
    all_layers: list[list[_Layer]] = []
    for t in range(n_frames):
        layers = []
        for pid in pids:
            pose = pose_at(path_of[pid], looks[pid], G, t, FPS)
            if _in_view(pose, width, height):
                x0, y0, lab = render_labels(looks[pid], pose)
                layers.append(_Layer(pid, pose, x0, y0, lab))
        layers.sort(key=lambda la: (la.pose.v, la.pid))  # far (small v) first
        _visible_masks(layers, gt, t, width, height)
        all_layers.append(layers)

    rows = []
    for t in range(0, n_frames, ANNOTATION_STEP):
        for la in sorted(all_layers[t], key=lambda la: la.pid):
            x, y = path_of[la.pid].world(t, FPS)[0]
            rows.append((t, la.pid, x, y))
    annotations = np.array(rows, np.float64).reshape(-1, 4)
    text = "".join(f"{f:.1f}\t{p:.1f}\t{x:.8f}\t{y:.8f}\n" for f, p, x, y in rows)
    scene = DemoScene(frames=cast(DemoFrames, None),  # set just below: the frames need the scene
                      trajectories_text=text, H=H, pids=pids, anchor="feet", fps=FPS, gt=gt,
                      background=background, width=width, height=height, seed=int(seed), n_frames=n_frames,
                      annotations=annotations, looks=looks, paths=path_of, _layers=all_layers)
    scene.frames = DemoFrames(scene)
    return scene


def _visible_masks(layers: list[_Layer], gt: dict, t: int, width: int, height: int) -> None:
    """Each walker's silhouette minus every nearer walker's, clipped to the image; kept when >= 30 px."""
    clipped = [_clip(la.y0, la.x0, la.labels > 0, height, width) for la in layers]
    for i, la in enumerate(layers):
        y0, x0, sil = clipped[i]
        if sil.sum() < MIN_VISIBLE_PX:
            continue
        vis = sil.copy()
        for j in range(i + 1, len(layers)):
            oy, ox, other = clipped[j]
            ya, xa = max(y0, oy), max(x0, ox)
            yb = min(y0 + vis.shape[0], oy + other.shape[0])
            xb = min(x0 + vis.shape[1], ox + other.shape[1])
            if yb > ya and xb > xa:
                vis[ya - y0:yb - y0, xa - x0:xb - x0] &= ~other[ya - oy:yb - oy, xa - ox:xb - ox]
        if vis.sum() < MIN_VISIBLE_PX:
            continue
        rows, cols = np.flatnonzero(vis.any(1)), np.flatnonzero(vis.any(0))
        tight = vis[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
        gt[la.pid]._put(t, y0 + int(rows[0]), x0 + int(cols[0]), tight)


def project(H: np.ndarray, xy: ArrayLike) -> np.ndarray:
    """World (N, 2) -> pixel (N, 2) through ``inv(H)`` with the projective division."""
    return apply_h(np.linalg.inv(H), xy)
