"""Inference API of the person prior: the shipped parent network as a point-prompted person segmenter.

    seg = load_parent()                                  # resources/parent/parent-lite0-v9.pt, CPU
    prob = seg.segment(frame_bgr, (u, v), others_uv, height_px)   # (H, W) float32 in [0, 1]
    probs = seg.segment_batch(frame_bgr, [((u, v), others_uv, height_px), ...])

``point_uv`` is the person's track point in pixels (head, feet or centre: the net was trained on all three),
``others_uv`` the other persons' points (the negative prompt; points far from the crop are ignored),
``height_px`` the expected person height in pixels (+-30 % is fine). The net looks at the square
:meth:`ParentSegmenter.crop_box` (side 2.6 x height, down to 2.4 x height for persons taller than the
network's input: :data:`MIN_FACTOR`; centred on the point); the result is zero outside it.
Measured on 2 CPU cores (bench/parent.py): ~7 ms per person at batch 1, ~4 ms per person batched. The
segmenter runs an inference copy of the net (:mod:`.inference`: BatchNorm folded, channels-last, about 2x
faster batched on one thread; probabilities equal to float rounding); ``net`` stays the trainable original.
For the per-person OSVOS fine-tuning, start from :func:`load_parent_state` (a trainable ``ParentNet``).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import crops
from .inference import as_input, inference_net
from .parent_file import load_parent_state, read_parent_file  # noqa: F401  (re-exported)
from .parent_net import ANCHORS, ParentNet, anchor_onehot, build_parent_net  # noqa: F401  (re-exported)
from .paths import DEFAULT_PARENT

Point = tuple[float, float]

# A person taller than the network's input shows in a crop of ``factor`` x height at less than the frame's own
# resolution: the crop side shrinks towards this many heights, but never below the input's side (no finer
# than the frame; a small person keeps the whole context). The parent trained at 2.6 with heights off by
# +-30 %. BENCHMARKS "The parent's crop for persons taller than its input", seventeen scenes: 2.4 raises the
# mean of their median IoU 0.755 -> 0.758 and of their mean IoU 0.708 -> 0.713 with wrong persons unchanged
# (1.9 %); 2.2 gave the same medians but more wrong persons (2.1 %) and cut the feet of eth_huge's head-anchored
# 170 px persons (0.756 -> 0.711). Whole scene: zara02_still J 0.761 -> 0.775, eth_big 0.661 -> 0.666,
# eth_huge 0.636 -> 0.622; real DAVIS video +0.007-0.010 on three sequences, breakdance -0.010
MIN_FACTOR = 2.4


class ParentSegmenter:
    """A loaded parent network with its crop geometry (from the file's meta)."""

    def __init__(self, net: ParentNet, meta: dict[str, Any], device: str = "cpu", path: Path | None = None,
                 fast: torch.nn.Module | None = None):
        self.net = net.to(device).eval()
        # what runs (BatchNorm folded, channels-last); ``fast``: the one already made of this ``net``
        self.fast = inference_net(self.net, device) if fast is None else fast
        self.meta = meta
        self.device = device
        self.path = path
        self.size = int(meta["size"])
        self.factor = float(meta["factor"])  # the crop side's largest share of the height (see MIN_FACTOR)
        self.min_factor = min(self.factor, MIN_FACTOR)
        self.sigma = float(meta["sigma_frac"]) * self.size

    def crop_box(self, point_uv: Point, height_px: float, frame_shape: Sequence[int]) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1), x1/y1 exclusive, clipped to the frame: where the net looks for this person."""
        return crops.clip_box(crops.box_for(point_uv, height_px, self.side_factor(height_px)), frame_shape)

    @contextlib.contextmanager
    def whole_context(self) -> Iterator[None]:
        """Within: every crop is ``factor`` x the height (no :data:`MIN_FACTOR`). The height sweep reads the
        persons' size from how the network's mask changes with the crop's scale; a crop side that shrinks with
        the height bent that reading (the demo's heights came out 0.6 of the truth)."""
        kept, self.min_factor = self.min_factor, self.factor
        try:
            yield
        finally:
            self.min_factor = kept

    def side_factor(self, height_px: float) -> float:
        """The crop side / ``height_px``: ``factor`` while that side is at most the input's, then shrinking to
        the input's side, down to ``min_factor`` (:data:`MIN_FACTOR`)."""
        h = float(height_px)
        return self.factor if h <= 0 else min(self.factor, max(self.min_factor, self.size / h))

    def inputs(self, frame_bgr: np.ndarray, point_uv: Point, others_uv: Sequence[Point],
               height_px: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """The (5, S, S) network input and the unclipped crop box for one person."""
        if not height_px or height_px <= 0 or not np.isfinite(height_px):
            raise ValueError(f"height_px must be a positive number, got {height_px!r}")
        box = crops.box_for(point_uv, height_px, self.side_factor(height_px))
        crop = crops.cut(frame_bgr, box, self.size)
        maps = crops.point_maps(point_uv, others_uv, box, self.size, self.sigma)
        return crops.to_input(crop, maps, crops.MEAN_RGB, crops.STD_RGB), box

    @torch.inference_mode()
    def crop_probs(self, x: np.ndarray, anchor: str | None = None) -> np.ndarray:
        """Sigmoid probabilities (N, S, S) for stacked inputs (N, 5, S, S); ``anchor`` as in :meth:`segment`."""
        t = as_input(np.ascontiguousarray(x, dtype=np.float32), self.device)
        hint = None
        if anchor is not None and self.net.anchor_input:
            if anchor not in ANCHORS:
                raise ValueError(f"anchor must be one of {ANCHORS} or None, got {anchor!r}")
            hint = anchor_onehot([anchor] * len(x)).to(self.device)
        return torch.sigmoid(self.fast(t, hint))[:, 0].float().cpu().numpy()

    def segment(self, frame_bgr: np.ndarray, point_uv: Point, others_uv: Sequence[Point],
                height_px: float, anchor: str | None = None) -> np.ndarray:
        """Full-frame float32 probability (H, W) in [0, 1] of this person's visible mask; 0 outside the crop.

        ``anchor``: where the track points sit on the bodies ("head", "feet", "centre") when known (e.g. from
        ``proposals.anchor_fit``); None lets the net guess from the image (worse in crowds)."""
        return self.segment_batch(frame_bgr, [(point_uv, others_uv, height_px)], anchor=anchor)[0]

    def segment_batch(self, frame_bgr: np.ndarray, items: Sequence[tuple[Point, Sequence[Point], float]],
                      anchor: str | None = None, flip: bool = False) -> list[np.ndarray]:
        """:meth:`segment` for several persons of one frame in one forward pass. ``flip``: the mean of each
        crop's and its mirror image's probabilities (test-time augmentation; twice the network's work, one
        pass: +0.011 to +0.018 median IoU of the proposals, ADR 0006 "Boundary")."""
        if not items:
            return []
        built = [self.inputs(frame_bgr, p, o, h) for p, o, h in items]
        x = np.stack([b for b, _ in built])
        probs = crops.mirror_mean(lambda b: self.crop_probs(b, anchor), x) if flip else self.crop_probs(x, anchor)
        return [crops.paste(pr, box, frame_bgr.shape) for pr, (_, box) in zip(probs, built)]


# The networks of the last files loaded, by (file, device): every proposal call and whole-scene run loads the
# parent, and reading, checking and folding it cost about 0.15 s on 2 CPU cores each time.
_LOADED: OrderedDict[tuple, tuple[ParentNet, torch.nn.Module, dict[str, Any]]] = OrderedDict()
_LOADED_LOCK = threading.Lock()
KEEP_LOADED = 2


def _file_key(path: Path, device: str) -> tuple | None:
    """What names this file's present contents: a file rewritten, replaced or touched gets another key."""
    try:
        real = path.resolve()
        st = real.stat()
    except OSError:
        return None
    return (str(real), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, str(device))


def load_parent(path: Path | None = None, device: str = "cpu") -> ParentSegmenter:
    """The parent segmenter from ``path`` (default :data:`DEFAULT_PARENT`).

    The networks of the last :data:`KEEP_LOADED` files loaded are kept and shared (nothing changes them: the
    segmenter only runs them); a file changed since is read again.
    Raises :class:`~humanseg_core.errors.WeightsError` naming the file when it is missing, corrupt or foreign."""
    path = DEFAULT_PARENT if path is None else Path(path)
    key = _file_key(path, device)
    with _LOADED_LOCK:
        kept = _LOADED.get(key) if key is not None else None
        if key is not None and kept is not None:
            _LOADED.move_to_end(key)
    if kept is not None:
        net, fast, meta = kept
        return ParentSegmenter(net, dict(meta), device=device, path=path, fast=fast)
    net, meta = load_parent_state(path)
    seg = ParentSegmenter(net, meta, device=device, path=path)
    if key is not None and key == _file_key(path, device):  # (not rewritten while it was read)
        with _LOADED_LOCK:
            _LOADED[key] = (seg.net, seg.fast, dict(meta))
            while len(_LOADED) > KEEP_LOADED:
                _LOADED.popitem(last=False)
    return seg
