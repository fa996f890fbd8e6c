"""Per-frame evidence at segmentation time: the proposals' joint step, with each person's own network.

The whole scene's proposals (``bgs+parent``: the background model at full resolution, the parent network
prompted with every person's point, one-to-one pixel ownership, :mod:`..proposals.joint`) are better on
the frames they label than the fine-tuned networks segmenting every frame alone (issue 8/11). With
``refine="evidence"`` the run segments every frame of every person's span through that same joint step,
where the parent's probability of a person is blended with the person's fine-tuned network
(:class:`EvidenceParent`, ``weight`` of the network): the network brings what it learnt of that person,
the joint step brings the background model and the ownership across all persons.

The joint step is used through its public entry (:func:`..proposals.joint.generate_joint`): the blending
segmenter stands in for the parent. It learns which frame and person each request is for from the frames
it was given (by identity, :class:`_FrameTap`) and the persons' points on that frame. The persons'
networks run batched over chunks of frames ahead of the joint step (crops and probabilities kept for the
chunk only).

Measured (the same trained networks, 60 steps per person, every person and frame, ``eval-scene`` mean J;
zara01 / zara01_feet / eth_dense, eth_dense without the persons the run skips for too few labels):

- proposals of d9c55bf: network alone 0.705 / 0.611 / 0.489, the joint step without networks
  0.718 / 0.648 / 0.482, blended (weight 0.5) 0.738 / 0.675 / 0.515, weight 1 0.731 / 0.643 / 0.504;
- with the proposals' alpha edges and mirror mean (35b0ba0): network alone 0.699 / 0.615 / 0.490,
  blended 0.761 / 0.690 / 0.523 (eth_dense: leakage 0.159 -> 0.183, identity switches 255 -> 276).

About 30-50 ms per person-frame on one thread (most of it the joint step's background model and temporal
consensus; the networks ~1 %) against ~2 for the batched networks. The default of local whole-scene runs
(``refine="auto"``, ADR 0010). A joint config with the parent's mirror mean (``ParentConfig.flip``) passes
it through :meth:`EvidenceParent.segment_batch` to the parent; the evidence defaults leave it off (see
``EvidenceConfig.joint``). Memory: with ``frame_sink`` the masks stream to the run's writer frame by frame
(flat in video length).
"""

from __future__ import annotations

import bisect
import contextlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..errors import HumansegError
from ..inputs.blank_frames import content_reader
from ..jobs import CancelToken, EtaClock, Job, Progress
from ..proposals.camera_shake import unmoved_point

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from ..prior.parent import ParentSegmenter

Point = tuple[float, float]
NET_WEIGHT = 0.5  # share of the person's own network in the blended probability (the parent's: the rest)
# ... for a person every label of which the analyst drew, fixed or imported (ADR 0029): with exact labels on every
# annotated frame the same networks gave eth_dense J 0.712 -> 0.750 (0.761 at 1.0) and zara01_feet 0.815 -> 0.827;
# on proposals accepted as they are it lost (zara01_feet 0.782 -> 0.770, zara01 0.837 -> 0.830 at 0.8)
EDITED_WEIGHT = 0.8


def network_share(edited: float) -> float:
    """A person's network's share of the blended probability, from the share of its labels the analyst drew,
    fixed or imported (0..1): :data:`NET_WEIGHT` for proposals accepted as they are, up to
    :data:`EDITED_WEIGHT` for labels all made by hand."""
    return NET_WEIGHT + (EDITED_WEIGHT - NET_WEIGHT) * min(1.0, max(0.0, float(edited)))


@dataclass(frozen=True)
class EvidenceConfig:
    """How the per-frame evidence step runs (:func:`evidence_masks_job`)."""

    weight: float = NET_WEIGHT  # the person's network's share of the blended probability
    weights: Mapping[int, float] | None = None  # {pid: its network's share}, over ``weight`` (:func:`network_share`)
    chunk_frames: int = 32  # frames whose networks' probabilities are computed ahead, batched
    batch_size: int = 32  # crops per network forward pass
    method: str = "bgs+parent"  # the joint proposals method the evidence runs through
    # the mean of each network crop's and its mirror image's probabilities (the networks were fine-tuned
    # with mirrored crops; twice the networks' share of the work, about 1 % of the step)
    net_flip: bool = False
    anchor: str = "auto"  # where the track points sit on the bodies (auto: estimated from sample frames)
    # a proposals.joint.JointConfig (None: the joint step's defaults without the mostly-behind rule, which
    # reads a nearer person's probability as the parent's own: a blended network that overreaches would
    # hide everyone behind it, ADR 0006 "Mostly behind a nearer person"; and without the parent's mirror
    # mean: measured with the same networks, J +0.0013 / +0.0005 / +0.0002 on zara01 / zara01_feet /
    # eth_dense, identity-switch frames +0 / +1 / +3, for 16-18 % more time: ADR 0010)
    joint: Any = None
    parent_file: str | None = None  # the parent network's file (None: the shipped one; ``parent_choice``)


class _FrameTap:
    """A frame source that remembers the frames it handed out, so an image can be named by its index."""

    def __init__(self, frames: Any, keep: int = 8, unreadable: dict[int, str] | None = None) -> None:
        self._frames = frames
        self._content: Any = None  # content_reader(frames), made at the first read
        self._recent: OrderedDict[int, tuple[int, np.ndarray]] = OrderedDict()
        self._keep = keep
        self.unreadable = unreadable if unreadable is not None else {}  # {frame: problem}, as they are met

    def __getattr__(self, name: str) -> Any:
        return getattr(self._frames, name)

    def _read(self, index: int) -> np.ndarray:
        if self._content is None:  # a black frame (a camera dropout) is taken for an unreadable one: no mask on it
            self._content = content_reader(self._frames)
        try:
            return self._content(index)
        except (HumansegError, OSError) as exc:
            self.unreadable[int(index)] = str(exc)
            raise

    def read(self, index: int) -> np.ndarray:
        img = self._read(index)
        self._recent[id(img)] = (int(index), img)
        while len(self._recent) > self._keep:
            self._recent.popitem(last=False)
        return img

    def read_untapped(self, index: int) -> np.ndarray:
        """A frame read without remembering it (the networks' look-ahead)."""
        return self._read(index)

    def index_of(self, img: np.ndarray) -> int | None:
        hit = self._recent.get(id(img))
        return hit[0] if hit is not None and hit[1] is img else None


class _SceneTap:
    """The scene with its frames tapped (everything else is the scene's own)."""

    def __init__(self, scene: Any, unreadable: dict[int, str] | None = None) -> None:
        self._scene = scene
        self.frames = _FrameTap(scene.frames, unreadable=unreadable)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scene, name)


def calibrate(prob: np.ndarray, threshold: float) -> np.ndarray:
    """Probabilities mapped piecewise linearly so the network's own threshold lands on 0.5 (the parent's)."""
    t = float(np.clip(threshold, 1e-3, 1 - 1e-3))
    if abs(t - 0.5) < 1e-6:
        return prob
    return np.where(prob < t, 0.5 * prob / t, 0.5 + 0.5 * (prob - t) / (1.0 - t)).astype(np.float32)


class EvidenceParent:
    """Stands in for the parent segmenter of the joint proposals: a person with a fine-tuned network gets
    ``weight`` x its calibrated probability + (1 - weight) x the parent's; the others the parent's alone.
    With ``weight`` 1 the parent does not run for persons with a network."""

    def __init__(self, parent: Any, nets: Mapping[int, Any], scene: _SceneTap, wanted: Mapping[int, set[int]],
                 config: EvidenceConfig = EvidenceConfig(), cancel: CancelToken | None = None) -> None:
        self.parent = parent
        self.factor = float(getattr(parent, "factor", 2.6))
        self.nets = dict(nets)
        self.scene = scene
        self.wanted = {int(f): set(p) for f, p in wanted.items()}  # {frame: pids whose network runs there}
        self.order = sorted(self.wanted)
        self._position = {f: k for k, f in enumerate(self.order)}
        self.weight = float(config.weight)
        self.weights = {int(p): float(w) for p, w in (config.weights or {}).items()}
        self.chunk_frames = max(1, int(config.chunk_frames))
        self.batch_size = max(1, int(config.batch_size))
        self.net_flip = bool(config.net_flip)
        self.cancel = cancel
        self._probs: dict[tuple[int, int], tuple[np.ndarray, tuple[int, int, int, int]]] = {}
        self._done_to = -1  # frames up to this index of ``order`` have their networks' probabilities
        self.net_seconds = 0.0
        self.parent_seconds = 0.0
        self.net_person_frames = 0
        self._background: Any = None  # the joint step's background model (its shake: the points' offset)

    def attach_background(self, background: Any) -> None:
        """The joint step's background model: on a shaking camera it moves each frame's points by the frame's
        shift (ADR 0057), and the points then matched no person: the networks were left out."""
        self._background = background

    def whole_context(self) -> contextlib.AbstractContextManager:
        """The parent's crop at its whole context (the height sweep's reading, :mod:`..prior.parent`): without it
        the evidence step's sweep read eth_huge's 170 px persons 0.6 as tall (whole-scene J 0.64 -> 0.41)."""
        return getattr(self.parent, "whole_context", contextlib.nullcontext)()

    # the joint step asks for persons of one frame at a time
    def segment_batch(self, frame_bgr: np.ndarray, items: Sequence[tuple[Point, Sequence[Point], float]],
                      anchor: str | None = None, flip: bool = False) -> list[np.ndarray]:
        import time

        from ..prior import crops

        f = self.scene.frames.index_of(frame_bgr)
        pids = self._pids_of(f, items) if f is not None else [None] * len(items)
        if f is not None:
            self._prepare(f, frame_bgr)
        own = [self._probs.get((f, p)) if p is not None and f is not None else None for p in pids]
        share = [self.weights.get(p, self.weight) if p is not None else self.weight for p in pids]
        need = [k for k, o in enumerate(own) if o is None or share[k] < 1.0]
        t0 = time.monotonic()
        theirs = (self.parent.segment_batch(frame_bgr, [items[k] for k in need], anchor=anchor, flip=flip)
                  if need else [])
        self.parent_seconds += time.monotonic() - t0
        by_k = dict(zip(need, theirs))
        out = []
        for k, o in enumerate(own):
            if o is None:
                out.append(by_k[k])
                continue
            mine = crops.paste(o[0], o[1], frame_bgr.shape)
            theirs = by_k.get(k)
            if theirs is None:
                out.append(mine)
            elif theirs.dtype == mine.dtype:  # weight x mine + (1 - weight) x theirs, in place (full-frame maps)
                mine *= share[k]
                mine += theirs * (1.0 - share[k])
                out.append(mine)
            else:
                out.append(share[k] * mine + (1.0 - share[k]) * theirs)
        return out

    def _pids_of(self, f: int, items: Sequence) -> list[int | None]:
        points = {(float(u), float(v)): int(p) for p, (u, v) in self.scene.persons_at(f).items()}
        out: list[int | None] = []
        for (u, v), _others, _h in items:  # as given (the warm-up's points are, even on a shaking camera), then
            at = (float(u), float(v))  # moved back by the frame's shake (ADR 0057; a review)
            pid = self._pid_at(f, points, *at)
            if pid is None and (back := unmoved_point(self._background, f, at)) != at:
                pid = self._pid_at(f, points, *back)
            out.append(pid)
        return out

    def _pid_at(self, f: int, points: Mapping[tuple[float, float], int], u: float, v: float) -> int | None:
        """The person whose track point on frame ``f`` is (u, v) (to a millionth of a pixel), or None."""
        pid = points.get((u, v))
        if pid is None:
            pid = next((q for (a, b), q in points.items() if abs(a - u) + abs(b - v) < 1e-6), None)
        if pid is None:  # a wanted person off the frame's list: its interpolated position
            pid = next((int(p) for p in self.wanted.get(f, ()) if (at := self.scene.position_px(p, f)) is not None
                        and abs(float(at[0]) - u) + abs(float(at[1]) - v) < 1e-6), None)
        return pid

    def _prepare(self, f: int, img: np.ndarray) -> None:
        """The networks' probabilities for the chunk of frames that starts at ``f`` (when not done yet)."""
        if f not in self.wanted:
            return
        k = self._position[f]
        if k <= self._done_to:
            return
        for key in [key for key in self._probs if key[0] < f]:
            del self._probs[key]
        chunk = self.order[k:k + self.chunk_frames]
        self._done_to = k + len(chunk) - 1
        images = {f: img}
        for g in chunk[1:]:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            try:
                images[g] = self.scene.frames.read_untapped(g)
            except (HumansegError, OSError):  # an unreadable frame: the joint step reports it
                continue
        self._run_nets(chunk, images)

    def _run_nets(self, chunk: list[int], images: Mapping[int, np.ndarray]) -> None:
        import time

        from ..osvos.parent_crops import person_input
        from ..prior import crops

        t0 = time.monotonic()
        points = {g: dict(self.scene.persons_at(g)) for g in chunk if g in images}
        for pid, net in self.nets.items():
            cfg = net.seg.parent_crop
            jobs = []
            for g in points:
                if pid not in self.wanted[g]:
                    continue
                pt = points[g].get(pid) or self.scene.position_px(pid, g)
                if pt is not None:
                    jobs.append((g, (float(pt[0]), float(pt[1]))))
            for s in range(0, len(jobs), self.batch_size):
                part = jobs[s:s + self.batch_size]
                batch = np.empty((len(part), 5, cfg.size, cfg.size), np.float32)
                boxes = []
                for j, (g, pt) in enumerate(part):
                    others = [uv for q, uv in points[g].items() if int(q) != pid]
                    boxes.append(person_input(images[g], pt, others, net.geometry, cfg, out=batch[j])[1])
                probs = crops.mirror_mean(net.forward, batch) if self.net_flip else net.forward(batch)
                for (g, _pt), prob, box in zip(part, probs, boxes):
                    self._probs[(g, pid)] = (calibrate(prob, net.seg.threshold), box)
                self.net_person_frames += len(part)
        self.net_seconds += time.monotonic() - t0


def evidence_masks_job(scene: Any, nets: Mapping[int, Any], frames_by_pid: Mapping[int, Sequence[int]],
                       parent: Any = None, config: EvidenceConfig = EvidenceConfig(),
                       cancel: CancelToken | None = None,
                       frame_sink: Callable[[int, dict], None] | None = None,
                       unreadable: dict[int, str] | None = None) -> Job[tuple[dict, EvidenceParent]]:
    """Job: the joint step (``config.method``) on every frame of ``frames_by_pid`` with the persons'
    networks blended into the parent (:class:`EvidenceParent`); returns ({pid: {frame: bool mask}} of the
    masks it made, the blending segmenter). ``parent``: a loaded parent segmenter (default: the shipped file).
    ``frame_sink(frame, {pid: mask})``: each frame's masks as soon as they are decided, in frame order,
    instead of the returned dict (which then stays empty): memory flat in video length. ``unreadable``
    ({frame: problem}) is filled with the frames that cannot be read as they are met (also when cancelled)."""
    from ..proposals.joint import generate_joint
    from ..proposals.parent_masks import load_parent_or_none

    if parent is None:
        parent, problem = load_parent_or_none(config.parent_file)
        if parent is None:
            raise HumansegError(f"--refine evidence needs the parent network: {problem}")
    tap = _SceneTap(scene, unreadable)
    wanted: dict[int, set[int]] = {}
    for pid, frames in frames_by_pid.items():
        if int(pid) in nets:
            for f in frames:
                wanted.setdefault(int(f), set()).add(int(pid))
    blend = EvidenceParent(parent, nets, tap, wanted, config, cancel)
    pids = sorted(int(p) for p in frames_by_pid)
    sorted_spans = {p: sorted(int(f) for f in frames_by_pid[p]) for p in pids}
    spans = {int(p): set(int(f) for f in fs) for p, fs in frames_by_pid.items()}
    out: dict[int, dict[int, np.ndarray]] = {p: {} for p in spans}

    decided: list[int] = []  # the newest frame handed on (in frame order): what a cancel keeps; the progress
    # runs ahead of it

    def keep(frame: int, props: list) -> None:
        decided[:] = [int(frame)]
        got = {int(prop.pid): np.asarray(prop.mask, bool) for prop in props
               if prop.mask is not None and int(frame) in spans.get(int(prop.pid), ())}
        if got and frame_sink is not None:
            frame_sink(int(frame), got)
        elif got:
            for pid, m in got.items():
                out[pid][int(frame)] = m

    joint = config.joint if config.joint is not None else _joint_defaults()
    # the frames asked for, and the temporal consensus's window each side (its voters): not the whole tracks
    # (a walk's retrain of frames 9360-9370 went through all 180 frames of the person's track)
    asked = [f for fs in sorted_spans.values() for f in fs]
    reach = int(joint.temporal.window) if asked else 0
    span = (min(asked) - reach, max(asked) + reach) if asked else None
    asked_frames = sorted(set(asked))
    asked_set = set(asked_frames)  # (for --frames 100-110)
    gen = generate_joint(cast("Scene", tap), pids, method=config.method, extra_frames=_extra_frames(scene, pids),
                         parent=cast("ParentSegmenter", blend), cancel=cancel, frame_sink=keep, config=joint,
                         frame_range=span, anchor=config.anchor or "auto")
    # the time left from the person-frames decided, not the frames: a frame costs by the persons in it, and
    # a scene's persons come and go (a walk's ETA said 32 s with 55 s to go, the first frames holding fewer)
    clock, person_frames = EtaClock(), sum(len(s) for s in sorted_spans.values())
    last: dict = {}
    said_done = 0
    while True:
        try:
            p = next(gen)
        except StopIteration:  # its unreadable frames: noted by the tap as they were met
            break
        data, message, eta = dict(p.data), p.message, p.eta_s
        if "frame" in data:  # frames of each person's span decided so far (the studio's per-person progress): those
            # handed on to be stored, not those read (a walk's rows said 31 frames, and a cancel stored 10)
            data["person_frames"] = {p: bisect.bisect_right(s, decided[0]) if decided else 0
                                     for p, s in sorted_spans.items()}
            # counted over the frames asked for, not those read for the consensus either side (a walk's `segment
            # --frames` of 11 frames said "of 31"); its proposal count: 0, streamed to the sink
            done = bisect.bisect_right(asked_frames, decided[0]) if decided else 0
            # "decided": a frame is, once the frames after it that vote on it are read (a walk read "frame 6617 (0 of
            # 120)" as a counter stuck while the frames went on)
            # (a neighbour read for the vote is not named as a frame asked for: a review read "frame 92 (0 of 11)")
            message = (f"frame {data['frame']} read" if data["frame"] in asked_set else
                       f"reading frame {data['frame']} for its neighbours") + \
                f" ({done} of {len(asked_frames)} decided)"
            eta = clock.eta(sum(data["person_frames"].values()), person_frames)
            yield Progress(done, len(asked_frames), message, data=data, eta_s=eta, warnings=p.warnings)
            last = {k: v for k, v in data.items() if k not in ("frame", "person_frames")}  # its stage, as said
            said_done = done
            continue
        yield Progress(p.done, p.total, message, data=data, eta_s=eta, warnings=p.warnings)
    if asked_frames and said_done < len(asked_frames):  # the last frames are decided once their later voters are
        # read, after the last report
        n = len(asked_frames)
        yield Progress(n, n, f"{n} frame{'s' if n != 1 else ''} decided", eta_s=0.0,
                       data={**last, "person_frames": {p: len(s) for p, s in sorted_spans.items()}})
    return out, blend


def _joint_defaults() -> Any:
    """The joint step's defaults for per-frame evidence: the mostly-behind rule and the parent's mirror mean
    off (see ``EvidenceConfig.joint``)."""
    from ..proposals.behind import BehindConfig
    from ..proposals.joint import JointConfig
    from ..proposals.parent_masks import ParentConfig

    # the standing persons' rule (JointConfig.still_speed) is on: whole-scene J zara02_still 0.664 -> 0.728,
    # zara02_center 0.689 -> 0.711, zara02_jitter 0.634 -> 0.653, the others within 0.005 (BENCHMARKS.md);
    # with its edges guided by the frame (ParentConfig.guide): zara02_still 0.726 -> 0.739
    return JointConfig(behind=BehindConfig(enabled=False), parent=ParentConfig(flip=False))


def _extra_frames(scene: Any, pids: Sequence[int]) -> int:
    """Neighbours each side of the annotated frames that cover every frame between them (the longest gap)."""
    gap = 1
    for p in pids:
        frames = np.unique(np.asarray(scene.pixel_track(int(p))[0]).reshape(-1))
        if len(frames) > 1:
            gap = max(gap, int(np.diff(frames).max()))
    return gap


def segment_evidence_job(scene: Any, nets: Mapping[int, Any], frames_by_pid: Mapping[int, Sequence[int]],
                         sink: Callable[[int, dict], None], config: Any, cancel: CancelToken | None = None,
                         stats: Any = None, anchor: str = "auto",
                         weights: Mapping[int, float] | None = None, parent_file: str | None = None) -> Job[Any]:
    """The whole-scene run's segmentation with ``refine="evidence"``: :func:`evidence_masks_job` over the
    persons with an osvos-parent network (``config``: the run's ``osvos.batch.BatchConfig``), then
    ``sink(frame, {pid: mask})`` frame by frame in frame order; returns ``osvos.batch.BatchStats`` (its
    ``seconds`` is the whole joint step, networks included). A person without an osvos-parent network
    (osvos-lite: no parent file) is segmented by its network alone, as without ``refine``."""
    import time

    from ..osvos.batch import BatchStats, segment_persons_job

    stats = stats if stats is not None else BatchStats(device=str(config.device))  # filled as it goes
    usable = {p: n for p, n in nets.items() if getattr(n, "parent", False)}
    alone = {p: n for p, n in nets.items() if p not in usable}
    stats.person_frames = {int(p): 0 for p in nets}
    t0 = time.monotonic()
    sunk = 0.0

    def to_sink(frame: int, got: dict) -> None:  # the run's writer, frame by frame as the joint step decides
        nonlocal sunk
        t = time.monotonic()
        if cancel is not None:
            cancel.raise_if_cancelled()
        sink(frame, got)
        sunk += time.monotonic() - t

    if usable:
        evidence = EvidenceConfig(chunk_frames=config.chunk_frames, batch_size=config.batch_size, anchor=anchor,
                                  weights=weights, parent_file=parent_file)
        yield from evidence_masks_job(scene, usable, {p: frames_by_pid[p] for p in usable}, config=evidence,
                                      cancel=cancel, frame_sink=to_sink, unreadable=stats.unreadable)
    stats.seconds = time.monotonic() - t0 - sunk
    stats.sink_seconds = sunk
    for pid in usable:
        stats.person_frames[pid] = len(frames_by_pid[pid])  # every frame of the span was decided
    if alone:
        rest = yield from segment_persons_job(alone, content_reader(scene.frames), scene.persons_at,
                                              {p: frames_by_pid[p] for p in alone}, sink, config, cancel, alone,
                                              BatchStats(unreadable=stats.unreadable))
        stats.seconds += rest.seconds
        stats.sink_seconds += rest.sink_seconds
        stats.failures.update(rest.failures)
        stats.person_frames.update(rest.person_frames)
    return stats


__all__ = ["NET_WEIGHT", "EvidenceConfig", "segment_evidence_job", "EvidenceParent", "calibrate",
           "evidence_masks_job"]
