"""Batched segmentation of many persons through a video, frame-major, on any device.

Each person has their own fine-tuned network, so one forward pass cannot mix persons; it can mix frames.
Frames are read once per chunk (every person present gets their crop cut from the same decoded frame),
then each person's network runs once on all of that person's crops in the chunk (``batch_size`` at most),
on the chosen device.  Measured on 2 cores (osvos-lite, 128x96 crop): 8.7 ms at batch 1 against
2.6 ms per crop at batch 32, so batching over frames is the lever (``bench/scene.py``).

Pre- and post-processing are those of :meth:`Segmenter.predict` (prior channel, threshold, other
persons' cores removed, regions off the track dropped, pasted into the full frame), so a batch gives the
same masks as one frame at a time.  osvos-parent networks run as an inference copy (BatchNorm folded into
the convolutions, channels-last: :mod:`.inference`) on the chosen device, their inputs written straight
into one batch array and their masks pasted inside the crop box only: 1.5-2x faster per person-frame on
one CPU thread with the same masks to within float rounding (``bench/scene_segment.py``).  With mixed
precision on a CPU with native bfloat16 every person's network (osvos-parent, osvos-lite, osvos-vgg16) runs
as a bfloat16 inference copy; in float32 osvos-lite/vgg16 run their own module, exactly as before.  A person
whose batch fails is reported in ``failures`` and dropped; the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import HumansegError
from ..jobs import CancelToken, EtaClock, Job, Progress
from ..prior.inference import as_input, inference_net
from .device import autocast, inference_dtype, precision_note, resolve_device
from .guidance import crop, keep_track_regions, net_input, paste, prior_map
from .others import claimed_by_others, crop_grid
from .segment import Segmenter

Point = tuple[float, float]
PointsAt = Callable[[int], Mapping[int, Point]]
Sink = Callable[[int, dict], None]


@dataclass(frozen=True)
class BatchConfig:
    """``batch_size``: crops per forward pass (1 = no batching); ``chunk_frames``: frames decoded and
    held at once (memory stays flat in video length); ``device``: auto/cpu/cuda/mps;
    ``mixed_precision``: bfloat16 inference: autocast on CUDA, a bfloat16 copy of every person's network on
    a CPU with native bfloat16 (AVX512-BF16/AMX); float32 everywhere else (:mod:`.device`).
    ``workers``: persons of a chunk segmented in parallel threads (1 = one after the other).  On a CPU
    each worker then runs with one torch thread for the job's duration (torch's thread count is restored
    at the end).  Idle, 2 workers x 1 thread equal 1 worker x 2 threads; on a loaded machine they are
    about 4x faster, because independent persons never wait on each other at an OpenMP barrier
    (``bench/scene_segment.py --workers``).  The masks are the same either way."""

    batch_size: int = 32
    chunk_frames: int = 32
    device: str = "cpu"
    mixed_precision: bool = False
    workers: int = 1

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.chunk_frames < 1 or self.workers < 1:
            raise HumansegError("batch size, chunk length and workers must be at least 1")


@dataclass
class BatchStats:
    """What a batched run did: person-frames segmented per pid, notes, failed persons, seconds."""

    person_frames: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    unreadable: dict = field(default_factory=dict)  # {frame: the problem}: frames whose image could not be read
    failures: dict = field(default_factory=dict)  # {pid: message}
    seconds: float = 0.0  # crop + forward + post-processing (the segmentation proper)
    read_seconds: float = 0.0  # decoding frames
    sink_seconds: float = 0.0  # storing/writing what the sink received
    device: str = "cpu"

    @property
    def total_person_frames(self) -> int:
        return int(sum(self.person_frames.values()))


class PersonNet:
    """One person's loaded network on a device, with the geometry it was trained with."""

    def __init__(self, pid: int, model, device: torch.device, mixed_precision: bool = False):
        self.pid = int(pid)
        self.seg = Segmenter.load(model)
        if not self.seg.guidance:
            raise HumansegError(f"person {pid}: batched segmentation needs a network trained with trajectory "
                                "guidance")
        geometry = self.seg.geometry
        if geometry is None:
            raise HumansegError(f"person {pid}: the network has no crop geometry")
        self.geometry = geometry
        self.device = device
        self.mixed_precision = mixed_precision
        # osvos-parent: square crops with point channels (parent_crops), through an inference copy of the
        # network (BatchNorm folded, channels-last: prior.inference); the Segmenter's own net is left as is.
        # osvos-lite/vgg16 get such a copy only in bfloat16 (mixed precision on a CPU that has it natively)
        self.parent = self.seg.parent_crop is not None
        self.dtype = inference_dtype(device, mixed_precision)
        self.copied = self.parent or self.dtype != torch.float32
        if self.copied:
            self.net = inference_net(self.seg.net, device, self.dtype)
        else:
            self.seg.net.to(device)
            self.net = self.seg.net

    def feet_row(self, point: Point) -> float:
        """Image row of the bottom of the expected box at ``point``: the depth key (larger = nearer)."""
        try:
            return self.geometry.feet_row(point)
        except AttributeError:
            return float(point[1])

    def masks(self, images: list[np.ndarray], points: list[Point], others: list) -> list[np.ndarray | None]:
        """Full-frame masks of several frames with one forward pass."""
        if self.parent:
            return self.parent_masks(images, points, others)
        prepared = [self.prepare(img, pt) for img, pt in zip(images, points)]
        probs = self.forward([x for x, _m in prepared])
        return [self.finish(prob, m, pt, oth, img.shape[1], img.shape[0])
                for (_x, m), prob, pt, oth, img in zip(prepared, probs, points, others, images)]

    def prepare(self, img: np.ndarray, point: Point) -> tuple[np.ndarray, np.ndarray]:
        """(network input (C, H, W), frame->crop affine) for one frame."""
        g = self.geometry
        m = g.matrix(point)
        cx, cy, bw, bh = g.expected_box(point)
        prior = prior_map(m, (cx, cy), (bw, bh), g.in_w, g.in_h) if self.seg.meta["in_channels"] == 4 else None
        return net_input(crop(img, m, g.in_w, g.in_h), prior), m

    def parent_masks(self, images: list[np.ndarray], points: list, others: list) -> list[np.ndarray | None]:
        """osvos-parent: the masks of ``Segmenter.predict_many``, the inputs written into one batch array."""
        from .parent_crops import clean_and_paste, person_input

        cfg, g, seg = self.seg.parent_crop, self.geometry, self.seg
        out: list[np.ndarray | None] = [None] * len(images)
        todo = [k for k, p in enumerate(points) if p is not None]
        if not todo or cfg is None:
            return out
        batch = np.empty((len(todo), 5, cfg.size, cfg.size), np.float32)
        boxes = [person_input(images[k], points[k], others[k] or [], g, cfg, out=batch[j])[1]
                 for j, k in enumerate(todo)]
        probs = self.forward(batch)
        for k, prob, box in zip(todo, probs, boxes):
            out[k] = clean_and_paste(prob, box, points[k], others[k], g, seg.threshold, images[k].shape,
                                     seg.suppress_others, images[k], seg.guide)
        return out

    def forward(self, xs: list[np.ndarray] | np.ndarray) -> np.ndarray:
        """Foreground probabilities (N, H, W) for a list (or an (N, C, H, W) array) of inputs, in one pass."""
        batch = xs if isinstance(xs, np.ndarray) else np.stack(xs)
        x = as_input(batch, self.device, self.dtype) if self.copied else torch.from_numpy(batch).to(self.device)
        with torch.inference_mode(), autocast(self.device, self.mixed_precision):
            out = self.net(x)[-1]
        return torch.sigmoid(out.float())[:, 0].cpu().numpy()

    def finish(self, prob: np.ndarray, m: np.ndarray, point: Point, others, width: int, height: int) -> np.ndarray:
        """Full-frame boolean mask from one crop's probabilities (as ``Segmenter.predict``)."""
        g = self.geometry
        cx, cy, bw, bh = g.expected_box(point)
        sc = float(m[0, 0])
        centre = m[:, :2] @ np.array([cx, cy]) + m[:, 2]
        fg = prob >= self.seg.threshold
        if others and self.seg.suppress_others:
            fg &= ~claimed_by_others(g, point, list(others), *crop_grid(m, g.in_w, g.in_h))
        kept = keep_track_regions(fg, centre, (bw * sc, bh * sc))
        return paste(kept.astype(np.float32), m, width, height) >= 0.5


def load_nets(models: Mapping[int, object], config: BatchConfig, stats: BatchStats) -> dict[int, PersonNet]:
    """PersonNets for ``models`` ({pid: checkpoint/TrainResult/...}); a model that fails to load is a
    failure of that person only."""
    device = resolve_device(config.device)
    stats.device = str(device)
    note = precision_note(device, config.mixed_precision)
    if note:
        stats.notes.append(note)
    nets = {}
    for pid, model in models.items():
        try:
            nets[int(pid)] = PersonNet(pid, model, device, config.mixed_precision)
        except (HumansegError, OSError, RuntimeError, KeyError, ValueError) as exc:
            stats.failures[int(pid)] = f"cannot load the network: {exc}"
    return nets


def _person_chunk(net: PersonNet, jobs: list[int], images: Mapping[int, np.ndarray],
                  points: Mapping[int, Mapping[int, Point]], batch_size: int) -> list[tuple[int, np.ndarray]]:
    """One person's masks on the frames ``jobs`` of a chunk, ``batch_size`` crops per forward pass."""
    got: list[tuple[int, np.ndarray]] = []
    for part in _chunks(jobs, batch_size):
        others = [[uv for q, uv in points[f].items() if int(q) != net.pid] for f in part]
        masks = net.masks([images[f] for f in part], [points[f][net.pid] for f in part], others)
        got.extend((f, m) for f, m in zip(part, masks) if m is not None)
    return got


def _chunks(frames: list[int], n: int) -> Iterable[list[int]]:
    for i in range(0, len(frames), n):
        yield frames[i:i + n]


def segment_persons_job(models: Mapping[int, object], frames_reader: Callable[[int], np.ndarray],
                        points_at: PointsAt, frames_by_pid: Mapping[int, Iterable[int]], sink: Sink,
                        config: BatchConfig = BatchConfig(), cancel: CancelToken | None = None,
                        nets: Mapping[int, PersonNet] | None = None,
                        stats: BatchStats | None = None) -> Job[BatchStats]:
    """Segment every (person, frame) of ``frames_by_pid``, frame-major; ``sink(frame, {pid: mask})`` gets
    each frame's masks as soon as they are ready (in frame order; overlaps are the sink's to resolve).

    ``points_at(frame)`` -> {pid: (u, v)} of *everybody* on the frame (the other persons' points remove
    pixels of their bodies).  Yields one Progress per chunk of frames with per-person counts in
    ``data["person_frames"]``; returns :class:`BatchStats` (``stats`` when given: it is filled as the job
    goes, so a caller whose job is cancelled still has what was done, e.g. the unreadable frames met)."""
    stats = stats if stats is not None else BatchStats()
    nets = dict(nets) if nets is not None else load_nets(models, config, stats)
    wanted: dict[int, set[int]] = {}
    for pid, frames in frames_by_pid.items():
        if int(pid) in nets:
            for f in frames:
                wanted.setdefault(int(f), set()).add(int(pid))
    stats.person_frames = {pid: 0 for pid in nets}
    order = sorted(wanted)
    total = sum(len(v) for v in wanted.values())
    clock = EtaClock()
    done = 0
    pool = ThreadPoolExecutor(config.workers, thread_name_prefix="segment") if config.workers > 1 else None
    # on a CPU, parallel persons each get one torch thread (for the job's duration), not workers x threads
    one_thread = pool is not None and any(n.device.type == "cpu" for n in nets.values())
    torch_threads = torch.get_num_threads()
    if one_thread:
        torch.set_num_threads(1)
    try:
        for chunk in _chunks(order, config.chunk_frames):
            if cancel is not None:
                cancel.raise_if_cancelled()
            t_read = time.monotonic()
            images, points = {}, {}
            for f in chunk:
                points[f] = dict(points_at(f))
                try:
                    images[f] = frames_reader(f)
                except (HumansegError, OSError, KeyError, IndexError) as exc:
                    stats.notes.append(f"frame {f}: cannot be read ({exc}), skipped")
                    stats.unreadable[int(f)] = str(exc)
            t0 = time.monotonic()
            stats.read_seconds += t0 - t_read
            per_frame: dict[int, dict[int, np.ndarray]] = {f: {} for f in images}
            todo = {pid: [f for f in chunk if f in images and pid in wanted[f] and points[f].get(pid) is not None]
                    for pid in nets if pid not in stats.failures}
            if pool is not None:
                futures = {pid: pool.submit(_person_chunk, nets[pid], jobs, images, points, config.batch_size)
                           for pid, jobs in todo.items() if jobs}
            for pid, jobs in todo.items():
                try:
                    if pool is None:
                        got = _person_chunk(nets[pid], jobs, images, points, config.batch_size)
                    else:
                        got = futures[pid].result() if jobs else []
                except Exception as exc:  # one person's failure must not sink the others
                    stats.failures[pid] = f"segmentation failed: {type(exc).__name__}: {exc}"
                    continue
                for f, m in got:
                    per_frame[f][pid] = m
                stats.person_frames[pid] += len(jobs)
                done += len(jobs)
            t1 = time.monotonic()
            stats.seconds += t1 - t0
            for f in chunk:
                if per_frame.get(f):
                    sink(f, per_frame[f])
            stats.sink_seconds += time.monotonic() - t1
            yield Progress(done=done, total=total, message=f"frames {chunk[0]}-{chunk[-1]}",
                           data={"person_frames": dict(stats.person_frames), "frame": chunk[-1]},
                           eta_s=clock.eta(done, total))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if one_thread:
            torch.set_num_threads(torch_threads)
    return stats
