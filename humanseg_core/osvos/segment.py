"""Segmentation with a fine-tuned OSVOS network: one chosen person, frame by frame.

With guidance (the default for checkpoints trained with it) each frame is cropped around the person's
interpolated track position, segmented at the net's input size, cleaned of regions that do not belong to
the track and pasted back into a full-frame mask.  Without guidance the whole frame is segmented at a
reduced size and upscaled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from ..errors import HumansegError
from ..jobs import CancelToken, EtaClock, Job, Progress
from . import build_net
from .guidance import CropGeometry, crop, full_frame_matrix, keep_track_regions, net_input, paste, prior_map
from .others import OthersFn, claimed_by_others, crop_grid
from .weights import load_checkpoint

SUPPRESS_OTHERS = True  # remove predicted pixels in other persons' body cores when their points are known
BATCH_FRAMES = 8  # osvos-parent: frames per forward pass in segment_job


class SegmentResult(dict):
    """``{frame: bool mask}`` plus ``notes`` (skipped frames and why), ``unreadable`` ({frame: the problem} of
    the frames whose image could not be read: they have no mask) and ``seconds``."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []
        self.unreadable: dict[int, str] = {}
        self.seconds = 0.0
        self.chosen = ""  # how the masks were made when not as asked (the studio says it), else ""
        self.kept_set: int | None = None  # the set keeping the stored masks these replaced (project.replaced)
        self.kept_count = 0  # how many masks it keeps


class Segmenter:
    """A loaded network plus the geometry it was trained with; ``predict`` segments one frame."""

    def __init__(self, state_dict: dict, meta: Mapping[str, Any]):
        self.meta = dict(meta)
        self.guidance = bool(meta.get("guidance", True))
        self.net = build_net(meta["model"], int(meta["in_channels"]), meta.get("norm", "group"),
                             meta.get("parent_config"))
        missing, unexpected = self.net.load_state_dict(state_dict, strict=False)
        if missing or unexpected:
            raise HumansegError(f"checkpoint does not fit {meta['model']}: missing {missing[:3]}, "
                                f"unexpected {unexpected[:3]}")
        self.net.eval()
        self.geometry = CropGeometry.from_dict(meta["geometry"]) if self.guidance else None
        self.max_side = int(meta.get("max_side", 480))
        self.threshold = float(meta.get("threshold", 0.5))
        self.suppress_others = bool(meta.get("suppress_others", SUPPRESS_OTHERS))
        self.parent_crop = None  # osvos-parent: square crops centred on the point, with point channels
        self.guide = 0.0  # osvos-parent: its edges guided by the frame (parent_crops.GUIDE)
        if meta["model"] == "osvos-parent":
            from .parent_crops import GUIDE, ParentCropConfig

            self.parent_crop = ParentCropConfig.from_config(meta.get("parent_config", {}))
            self.guide = float(meta.get("guide", GUIDE))

    @classmethod
    def load(cls, model: Any) -> Segmenter:
        """From a Segmenter, a TrainResult, a checkpoint path, or a ``{"state_dict", "meta"}`` dict."""
        if isinstance(model, Segmenter):
            return model
        if isinstance(model, (str, Path)):
            return cls(*load_checkpoint(model))
        if isinstance(model, dict):
            return cls(model["state_dict"], model["meta"])
        if hasattr(model, "state_dict") and hasattr(model, "meta"):
            return cls(model.state_dict, model.meta)
        raise TypeError(f"cannot load a model from {type(model).__name__}")

    def _forward(self, x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            out = self.net(torch.from_numpy(x)[None])[-1]
            return torch.sigmoid(out)[0, 0].numpy()

    def predict(self, img: np.ndarray, point: Sequence[float] | np.ndarray | None = None,
                others: Sequence | None = None) -> np.ndarray | None:
        """Boolean full-frame mask of the person in ``img`` (BGR), or None without a track point when
        the model needs one.  ``others``: the other persons' track points on this frame; predicted pixels
        in their expected body cores (outside ours) are removed (``others.claimed_by_others``)."""
        if self.parent_crop is not None:
            return self.predict_many([img], [point], [others])[0]
        h, w = img.shape[:2]
        if not self.guidance:
            m, in_w, in_h = full_frame_matrix(w, h, self.max_side)
            prob = self._forward(net_input(crop(img, m, in_w, in_h)))
            return paste(prob, m, w, h) >= self.threshold
        if point is None:
            return None
        g = cast(CropGeometry, self.geometry)  # a guided model carries its crop geometry
        m = g.matrix(point)
        cx, cy, bw, bh = g.expected_box(point)
        prior = prior_map(m, (cx, cy), (bw, bh), g.in_w, g.in_h) if self.meta["in_channels"] == 4 else None
        prob = self._forward(net_input(crop(img, m, g.in_w, g.in_h), prior))
        sc = float(m[0, 0])
        centre = m[:, :2] @ np.array([cx, cy]) + m[:, 2]
        fg = prob >= self.threshold
        if others and self.suppress_others:
            fg &= ~claimed_by_others(g, point, list(others), *crop_grid(m, g.in_w, g.in_h))
        kept = keep_track_regions(fg, centre, (bw * sc, bh * sc))
        return paste(kept.astype(np.float32), m, w, h) >= 0.5

    def predict_many(self, imgs: list, points: list, others: list) -> list:
        """:meth:`predict` for several frames; osvos-parent runs them through the net in one batch."""
        if self.parent_crop is None:
            return [self.predict(i, p, o) for i, p, o in zip(imgs, points, others)]
        from .parent_crops import clean_and_paste, forward_probs, person_input

        out: list = [None] * len(imgs)
        todo = [k for k, p in enumerate(points) if p is not None]
        if not todo:
            return out
        geometry, crop_config = cast(CropGeometry, self.geometry), self.parent_crop
        xs, boxes = zip(*(person_input(imgs[k], points[k], others[k] or [], geometry, crop_config)
                          for k in todo))
        probs = forward_probs(self.net, xs)
        for k, prob, box in zip(todo, probs, boxes):
            out[k] = clean_and_paste(prob, box, points[k], others[k], geometry, self.threshold,
                                     imgs[k].shape, self.suppress_others, imgs[k], self.guide)
        return out


def segment_job(model: Any, frames_reader: Callable[[int], np.ndarray],
                track_px: Callable[[int], tuple[float, float] | None] | None, frames: Iterable[int],
                guidance: bool | None = None, cancel: CancelToken | None = None,
                others_px: OthersFn | None = None) -> Job[SegmentResult]:
    """Segment ``frames``; yields one Progress per frame, returns a :class:`SegmentResult`.

    ``model``: a checkpoint path, a TrainResult, a Segmenter or a state/meta dict.  ``guidance`` None means
    as trained; asking for the other mode raises HumansegError (the network only knows one).  Frames that
    cannot be read, or (with guidance) have no track position, are skipped with a note.  ``others_px``:
    frame -> the other persons' (u, v) on that frame (e.g. ``Scene.persons_at`` minus this person), used
    to remove pixels of their expected bodies."""
    seg = Segmenter.load(model)
    if guidance is not None and bool(guidance) != seg.guidance:
        trained = "with" if seg.guidance else "without"
        raise HumansegError(f"this network was trained {trained} trajectory guidance; "
                            f"segment {trained} it or train again")
    if seg.guidance and track_px is None:
        raise HumansegError("guided segmentation needs the person's track")
    frames = list(frames)
    result = SegmentResult()
    clock = EtaClock()
    t0 = time.monotonic()
    batch = BATCH_FRAMES if seg.parent_crop is not None else 1
    pending: list = []  # (index, frame, image, point, others) waiting for one batched forward
    for i, f in enumerate(frames):
        if cancel is not None:
            cancel.raise_if_cancelled()
        point = track_px(f) if seg.guidance and track_px is not None else None  # (checked above)
        note = ""
        if seg.guidance and point is None:
            note = f"frame {f}: no track position (outside the track), skipped"
        else:
            try:
                img = frames_reader(f)
            except (HumansegError, OSError, KeyError, IndexError) as exc:
                note = f"frame {f}: cannot be read ({exc}), skipped"
                result.unreadable[int(f)] = str(exc)
            else:
                others = others_px(f) if (others_px is not None and seg.guidance) else None
                pending.append((i, f, img, point, others))
        if note:
            result.notes.append(note)
        if note or len(pending) >= batch or i == len(frames) - 1:
            if pending:
                masks = seg.predict_many([p[2] for p in pending], [p[3] for p in pending], [p[4] for p in pending])
                result.update({p[1]: m for p, m in zip(pending, masks)})
                done = [(p[0], p[1], "") for p in pending]
                pending = []
            else:
                done = []
            for k, g, msg in done + ([(i, f, note)] if note else []):
                yield Progress(done=k + 1, total=len(frames), message=msg or f"frame {g}",
                               data={"frame": g}, eta_s=clock.eta(k + 1, len(frames)))
    result.seconds = time.monotonic() - t0
    return result
