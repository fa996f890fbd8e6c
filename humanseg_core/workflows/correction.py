"""The correction loop: rank result frames most likely wrong (no ground truth), fix them, retrain from here.

- :func:`rank_suspects`: every segmented frame scored by what can be seen without ground truth: a
  sudden area or height change against the neighbouring frames, a mask unlike those just before and after
  (moved with the track point), the distance from the track point to the mask, a mask split into pieces, an
  empty mask. Highest score first.
- :func:`fix_result`: a corrected result frame becomes an accepted, edited label of the person.
- :func:`retrain_from_here`: a job that resumes the person's latest checkpoint on the labels (corrected
  ones included), then re-segments only the span the fixes affect; frames outside the span are copied
  from the earlier run, which is kept unchanged to compare.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .. import rle
from ..errors import HumansegError
from ..jobs import CancelToken, Progress
from ..osvos.config import TrainConfig
from ..run_state import stopped_early
from .agreement import record_agreement
from .labels import CORRECTION_SOURCE, set_label
from .person import SegmentConfig, TrainedRun, pick_run, segment_person, train_person
from .scene_config import AcceptPolicy

Point = tuple[float, float]


@dataclass(frozen=True)
class Suspect:
    frame: int
    score: float  # higher: more likely wrong
    reasons: tuple[str, ...]
    # no clear sign, yet a score: the term that gave most of it ("slight area change −24 %"), else ""
    slight: str = ""


# a frame with no clear sign but a term of at least this names it, as slight (a walk read 0.30 unexplained)
SLIGHT = 0.1


@dataclass(frozen=True)
class SuspectConfig:
    window: int = 2  # neighbouring result frames on each side for the area reference
    area_weight: float = 1.0  # per unit of |log(area / neighbours' median area)|
    distance_weight: float = 1.0  # per person height between the track point and the mask
    pieces_weight: float = 0.3  # per extra connected piece (of at least 2 % of the mask)
    # the area term of a frame where a nearer person's point lies on the person's body (it is partly hidden
    # there: its area changes for a reason the analyst is told, "behind person N")
    behind_weight: float = 0.5
    # per unit of |log(height / neighbours' median height)|, the mask's rows (a mask swallowing a neighbour, or
    # losing its legs, changes height where its area may not)
    height_weight: float = 1.0
    # per unit of 1 - the mean IoU with the result frames just before and after, moved by the track point's
    # motion (a mask that jumps from one body to another between frames). Measured (BENCHMARKS "Which result
    # frames Fix ranks first"): with these two terms the five worst frames by J are among the ten ranked
    # first 0.57 / 0.45 / 0.56 of the time (eth_dense / zara01_feet / students03), 0.48 / 0.40 / 0.44 before
    motion_weight: float = 2.0


def _pieces(mask: np.ndarray) -> int:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA]
    return int(np.count_nonzero(area >= 0.02 * max(1, area.sum())))


def _distance(mask: np.ndarray, point: Point | None) -> float | None:
    """Distance from the track point to the nearest mask pixel, in person heights (0 inside)."""
    if point is None:
        return None
    ys, xs = np.nonzero(mask)
    height = max(10.0, float(ys.max() - ys.min() + 1))
    d = np.min(np.hypot(xs - point[0], ys - point[1]))
    return float(d) / height


def _shifted_iou(a: np.ndarray, b: np.ndarray, dx: int, dy: int) -> float:
    """IoU of mask ``a`` with mask ``b`` moved by (dx, dy) pixels (both non-empty)."""
    ay, ax = np.nonzero(a)
    by, bx = np.nonzero(b)
    by, bx = by + dy, bx + dx
    y0, x0 = min(ay.min(), by.min()), min(ax.min(), bx.min())
    shape = (max(ay.max(), by.max()) - y0 + 1, max(ax.max(), bx.max()) - x0 + 1)
    one, two = np.zeros(shape, bool), np.zeros(shape, bool)
    one[ay - y0, ax - x0] = True
    two[by - y0, bx - x0] = True
    return float(np.count_nonzero(one & two) / np.count_nonzero(one | two))


def _motion_change(results: Mapping[int, np.ndarray], areas: Mapping[int, int], f: int,
                   position: Callable[[int], Point | None]) -> float | None:
    """1 - the mean IoU of frame ``f``'s mask with those of frames f - 1 and f + 1 moved by the track point's
    motion (None without either)."""
    here = position(f)
    ious = []
    for g in (f - 1, f + 1):
        there = position(g) if g in areas and areas[g] and here is not None else None
        if here is not None and there is not None:
            dx, dy = int(round(here[0] - there[0])), int(round(here[1] - there[1]))
            ious.append(_shifted_iou(np.asarray(results[f], bool), np.asarray(results[g], bool), dx, dy))
    return 1.0 - float(np.mean(ious)) if ious else None


def _heights(results: Mapping[int, np.ndarray], frames: Sequence[int]) -> dict[int, float]:
    """{frame: the mask's height in pixels} of the non-empty masks."""
    out = {}
    for f in frames:
        rows = np.flatnonzero(np.asarray(results[f], bool).any(axis=1))
        if len(rows):
            out[f] = float(rows[-1] - rows[0] + 1)
    return out


def nearer_on_body(point: Point | None, height: float, others: Mapping[int, Point]) -> int | None:
    """The nearest other person (their point lower in the image: nearer the camera) whose point lies on the
    body column of the person at ``point`` (half a height either side, within a height above or below), or
    None: that person is partly hidden behind them."""
    every = all_nearer_on_body(point, height, others)
    return every[0] if every else None


def all_nearer_on_body(point: Point | None, height: float, others: Mapping[int, Point],
                       width: float = 0.5) -> list[int]:
    """Every person of :func:`nearer_on_body`'s rule, nearest first (a walk's Review named one of three);
    ``width``: how far from the point, in heights, a nearer point may lie to either side."""
    if point is None or height <= 0:
        return []
    u, v = point
    found = [(qv, q) for q, (qu, qv) in others.items()
             if qv > v and abs(qu - u) < width * height and qv - v < height]
    return [q for _qv, q in sorted(found, reverse=True)]


EDGE_SHARE = 0.04  # of the image height: a track point this near an edge has most of its body out of view


def _at_edge(point: Point | None, shape: tuple[int, ...]) -> bool:
    if point is None:
        return False
    rows, cols = shape[:2]
    margin = EDGE_SHARE * rows
    u, v = float(point[0]), float(point[1])
    return u < margin or v < margin or u > cols - 1 - margin or v > rows - 1 - margin


def rank_suspects(results: Mapping[int, np.ndarray], position: Callable[[int], Point | None],
                  config: SuspectConfig = SuspectConfig(),
                  others: Callable[[int], Mapping[int, Point]] | None = None,
                  marked_hidden: Iterable[int] = ()) -> list[Suspect]:
    """Result frames most likely wrong first (``position(frame)``: the track point in pixels or None;
    ``others(frame)``: the other persons' points there, {pid: (u, v)}, to tell a person partly hidden behind
    a nearer one: its area term weighs ``config.behind_weight`` and the reason names the nearer person)."""
    frames = sorted(results)
    hidden = {int(f) for f in marked_hidden}  # ``marked_hidden``: the frames the analyst marked not visible
    areas = {f: int(np.count_nonzero(results[f])) for f in frames}
    heights = _heights(results, frames)
    out = []
    for i, f in enumerate(frames):
        mask = np.asarray(results[f], bool)
        if areas[f] == 0 and f in hidden:  # the analyst's own "not visible" (V): said so, not ranked first (a walk
            out.append(Suspect(f, 0.0, (), "empty: you marked the person not visible here"))  # read it unexplained)
            continue
        if areas[f] == 0:
            edge = _at_edge(position(f), mask.shape)
            # a person whose point is at (or past) the image's edge is out of view there: empty is right (a walk's
            # first two "most likely wrong" frames were such, the proposals had said "outside the image")
            out.append(Suspect(f, 0.0, (), "empty at the image's edge") if edge else Suspect(f, 10.0, ("empty mask",)))
            continue
        score, reasons, terms = 0.0, [], []
        window = frames[max(0, i - config.window):i + config.window + 1]
        near = [areas[g] for g in window if g != f and areas[g]]
        nearer = None
        if others is not None:
            tall = float(np.median([heights[g] for g in window if g in heights]))
            nearer = nearer_on_body(position(f), tall, others(f))
        if nearer is not None:
            reasons.append(f"behind person {nearer}")
        if near:
            change = abs(np.log(areas[f] / float(np.median(near))))
            term = config.area_weight * change * (config.behind_weight if nearer is not None else 1.0)
            score += term
            ratio = areas[f] / float(np.median(near))  # e.g. 2.0: +100 %, 0.5: −50 %
            said = f"area {'+' if ratio > 1 else '−'}{100 * abs(ratio - 1):.0f} %"
            if change > 0.3:
                reasons.append(said)
            terms.append((term, said))
        beside = [heights[g] for g in window if g != f and g in heights]
        if beside and f in heights:
            ratio = heights[f] / float(np.median(beside))
            change = abs(np.log(ratio))
            said = f"height {'+' if ratio > 1 else '−'}{100 * abs(ratio - 1):.0f} %"
            score += config.height_weight * change
            if change > 0.3:
                reasons.append(said)
            terms.append((config.height_weight * change, said))
        moved = _motion_change(results, areas, f, position)
        if moved is not None:
            said = f"IoU {1 - moved:.2f} with the frames either side"
            score += config.motion_weight * moved
            if moved > 0.4:
                reasons.append(said)
            terms.append((config.motion_weight * moved, said))
        d = _distance(mask, position(f))
        if d is not None:
            score += config.distance_weight * d
            if d > 0.05:
                reasons.append(f"{d:.2f} heights from the track point")
            terms.append((config.distance_weight * d, f"{d:.2f} heights from the track point"))
        pieces = _pieces(mask)
        if pieces > 1:
            score += config.pieces_weight * (pieces - 1)
            reasons.append(f"{pieces} pieces")
        top = max(terms, default=(0.0, ""))
        slight = f"slight {top[1]}" if not reasons and top[0] >= SLIGHT else ""
        out.append(Suspect(f, float(score), tuple(reasons), slight))
    return sorted(out, key=lambda s: (-s.score, s.frame))


@dataclass(frozen=True)
class RankingChange:
    """How an earlier ranking's worst frames score in a later one (after fixes and a retrain)."""

    frames: tuple[int, ...]  # the earlier ranking's worst frames, worst first, that the later one scored
    before: float  # their mean suspicion in the earlier ranking
    after: float  # and in the later one


def compare_rankings(before: Sequence[Suspect], after: Sequence[Suspect], top: int = 10) -> RankingChange | None:
    """The ``top`` worst frames of ``before`` scored again in ``after`` (None when ``after`` has none of them):
    whether fixing and retraining made the frames that looked worst look better."""
    now = {s.frame: s.score for s in after}
    worst = [s for s in before[:top] if s.frame in now]
    if not worst:
        return None
    return RankingChange(tuple(s.frame for s in worst), float(np.mean([s.score for s in worst])),
                         float(np.mean([now[s.frame] for s in worst])))


def fix_result(project, pid: int, frame: int, mask: np.ndarray) -> int:
    """A corrected result frame: stored as an accepted, edited label of ``pid``; returns its proposal id."""
    return set_label(project, pid, frame, mask, CORRECTION_SOURCE)


def affected_span(fixed: Sequence[int], labels: Sequence[int], frames: Sequence[int]) -> tuple[int, int]:
    """The frames a fix changes: from the label before the first fixed frame to the label after the last
    (the ends of ``frames``, the person's span in the video, when there is none); labels that were fixed do not
    bound the span."""
    fixed_set = set(fixed)
    others = sorted(set(labels) - fixed_set)
    lo, hi = min(fixed_set), max(fixed_set)
    before = [f for f in others if f < lo]
    after = [f for f in others if f > hi]
    return (min(before[-1] if before else min(frames), lo), max(after[0] if after else max(frames), hi))


@dataclass
class Retrained:
    run: TrainedRun
    span: tuple[int, int]
    previous_run: int | None  # the run whose results were kept to compare
    labels: int = 0  # the masks it trained on (the fixes included)
    accept: str = "reviewed"  # how they were picked: the earlier run's policy (whole-scene runs), else reviewed
    refine: str = "none"  # how the span was segmented: as the earlier run was ("evidence": the joint step)
    # the analyst's hand-edited masks in the span against the new run's results there, and the earlier run's:
    # whether the retrain took the fixes (the one comparison with masks the analyst drew)
    fixes: FixAgreement | None = None
    pid: int | None = None  # whose run it is
    # (frames, IoU evidence, IoU network alone) with the analyst's hand-made masks when the network alone was
    # chosen over the per-frame evidence for agreeing better with them (workflows.person.HAND_MARGIN)
    chose_network: tuple[int, float, float] | None = None
    hand_labels: int = 0  # of ``labels``, the analyst's hand-edited masks (fixes)
    emptied: tuple[int, int] = (0, 0)  # (frames re-segmented without a mask where the earlier run had one, of all)


@dataclass(frozen=True)
class FixAgreement:
    frames: int  # hand-edited masks compared (edited labels within the re-segmented span)
    iou: float  # mean IoU of the new run's results with them
    before: float | None  # the earlier run's, on the frames it had results for (None: no earlier run)
    worst: tuple[int, float] | None = None  # (frame, IoU) of the new run's lowest, when under 0.8


def fix_agreement(edited: Mapping[int, np.ndarray], new: Mapping[int, np.ndarray],
                  old: Mapping[int, np.ndarray] | None) -> FixAgreement | None:
    """How closely two runs' results match the hand-edited masks ``edited`` ({frame: mask}) on the frames the
    new run segmented (those without a new result are left out); None when there is none to compare."""
    from ..metrics import jaccard

    frames = sorted(f for f in edited if f in new)
    if not frames:
        return None
    ious = {f: jaccard(new[f], edited[f]) for f in frames}
    before = None
    if old is not None:
        was = [jaccard(old[f], edited[f]) for f in frames if f in old]
        before = float(np.mean(was)) if was else None
    low = min(frames, key=lambda f: ious[f])
    worst = (low, ious[low]) if ious[low] < 0.8 else None
    return FixAgreement(len(frames), float(np.mean(list(ious.values()))), before, worst)


def retrain_policy(run: Mapping | None) -> tuple[AcceptPolicy | None, str]:
    """(labels policy, segmentation) a retrain from ``run`` (a ``Project.runs()`` row) keeps: a whole-scene run
    trained on what its ``--accept`` took (``all``: proposals nobody reviewed as well) and segmented through the
    per-frame evidence step, so its retrain does too, and the retrain of that retrain (a walk retrained on its
    two fixes alone, without the 20 proposals the run had used, and lost 0.03 J); any other run: the reviewed
    labels, through the per-frame evidence for an osvos-parent network as the Segment tab segments it."""
    params = dict((run or {}).get("params") or {})
    metrics = dict((run or {}).get("metrics") or {})
    if not params.get("scene_run") and "accept" not in params:  # a Train tab run: segmented as the Segment tab
        return None, "evidence" if (run or {}).get("model") == "osvos-parent" else "none"  # does (segment_refine)
    try:
        policy: AcceptPolicy | None = AcceptPolicy.parse(str(params.get("accept") or "all"))
    except HumansegError:
        policy = None
    if policy is not None and policy.kind == "reviewed":
        policy = None
    refine = params.get("refine") or metrics.get("refine")
    if refine is None and params.get("scene_run"):  # recorded before "refine" was: the local default, Ray's
        refine = "evidence" if params.get("backend", "local") == "local" else "none"
    if refine != "evidence" or (run or {}).get("model") != "osvos-parent":
        refine = "none"  # the joint step blends an osvos-parent network only
    return policy, refine


def segment_refine(run: Mapping | None) -> str:
    """How segmenting with ``run``'s network makes its masks by default (the Segment tab, `humanseg segment`): as a
    Whole scene run (or its retrain) recorded, else through the per-frame evidence for an osvos-parent network
    (the only kind the joint step blends). A walk's persons trained in the Train tab and segmented with the
    network alone reached J 0.817 and 0.506 where the evidence gave 0.860 and 0.554 (8x the time: 16 s for 140
    frames); the analyst's own masks still decide against it where they disagree (ADR 0032)."""
    return retrain_policy(run)[1]


def retrain_from_here(project, pid: int, fixed: Sequence[int], config: TrainConfig,
                      cancel: CancelToken | None = None, *, scene=None) -> Generator[Progress, None, Retrained]:
    """Job: resume the latest checkpoint of ``pid`` on its labels, then re-segment the span ``fixed`` affects.

    The new run's results: the re-segmented span plus the earlier run's results outside it, so playback
    and export see a whole run; the earlier run is kept as it was.
    """
    own = scene is None
    if own:
        scene = project.load_scene()
    try:
        previous, prev_run = None, None
        if any(r.get("checkpoint") for r in project.runs(pid)):  # else: train from the usual start
            # the newest run with results (a retrain cancelled while segmenting left one without any: built on, it
            # lost the evidence step and the earlier results outside the span, a review), else the newest
            counts = project.result_counts(pid)
            segmented = [r for r in project.runs(pid) if r.get("checkpoint") and counts.get(int(r["id"]), 0)]
            segmented = [r for r in segmented if not stopped_early(r)] or segmented  # whole runs first
            prev_run = segmented[-1] if segmented else pick_run(project, pid, None)
            previous = int(prev_run["id"])
            config = replace(config, resume=prev_run["checkpoint"])
            frozen = (prev_run.get("params") or {}).get("frozen_blocks")
            if config.model == prev_run.get("model") == "osvos-parent" and type(frozen) is int and 0 <= frozen <= 11:
                # trained as its run was (a Whole scene run's decoder alone: ADR 0028): the same J on a crowd walk's
                # three fixes, in cheaper steps (a walk's retrain of the whole network made 7 steps in 30 s)
                config = replace(config, frozen_blocks=frozen)
        policy, refine = retrain_policy(prev_run)
        trained = yield from train_person(project, pid, config, cancel, scene=scene, accept=policy)
        if policy is None:
            labels = [p.frame for p in project.proposals(pid, status=("accepted", "edited"), with_masks=False)]
        else:  # the frames the policy took (train_person decoded their masks; not decoded a second time)
            labels = sorted({*trained.result.train_frames, *trained.result.holdout_frames})
        # within the person's span in the video: a fix on its first label had re-segmented 20 frames before it
        # came in, all empty, ranked first by the next Rank (a walk)
        along = scene.span_in_video(int(pid)) if hasattr(scene, "span_in_video") else None
        frames = [f for f in scene.frames.indices if along is None or along[0] <= f <= along[1]] or \
            list(scene.frames.indices)
        span = affected_span(fixed, labels, frames)
        # its own retrain segments alike (the mode asked, kept before the segmentation: a cancel there keeps it);
        # the network alone where it agrees far better with the analyst's masks, checked each time (ADR 0032)
        project.update_run(trained.run_id, metrics={"refine": refine, "retraining": True,  # whole: see below
                                                    "retrained_from": previous})  # (its run, also when none is kept)
        done = yield from segment_person(project, pid, trained.run_id,
                                         SegmentConfig(first=span[0], last=span[1], refine=refine), cancel, scene=scene)
        asked, refine, checked = refine, done.refine, done.hand_checked
    finally:
        if own:
            scene.close()
    old = project.results(pid, previous, as_stored=True) if previous is not None else None  # copied as made
    # frames with a mask in the earlier run and none now (a re-walk's retrain emptied 115 of 180, unsaid)
    hidden = project.hidden_frames(pid) if old is not None else set()  # V: no mask shown there before either
    emptied = 0 if old is None else sum(1 for f, m in done.masks.items() if f in old and old[f].any()
                                        and f not in hidden and (m is None or not m.any()))
    edited = {p.frame: p.mask for p in project.proposals(pid, status="edited")
              if span[0] <= p.frame <= span[1] and p.mask is not None}
    # the new results of the fixed frames only (the span's other frames are not decoded for this)
    new = {}
    for f, blob in project.mask_blobs(pid, "results", trained.run_id).items():
        if f in edited:
            try:
                new[f] = rle.from_blob(blob).astype(bool)
            except ValueError:  # a damaged blob reads as no result there (as Project.results skips it)
                pass
    # the earlier run read as the new one is, blank where V says not visible (as made, the earlier run scored 0
    # there against a new run read blank: a review's "further from your fixes" could go unsaid)
    shown = None if old is None else {f: (np.zeros_like(m) if f in hidden else m) for f, m in old.items()
                                      if f in edited}
    fixes = fix_agreement(edited, new, shown) if edited else None
    if fixes is not None:
        project.update_run(trained.run_id, metrics={"fixes_iou": round(fixes.iou, 4), "fixes": fixes.frames})
    if previous is not None and old is not None:
        keep = {f: m for f, m in old.items() if not span[0] <= f <= span[1]}
        if keep:
            project.save_results(pid, trained.run_id, keep)
            # said as such (a walk read "180 frames segmented with it" after a retrain of 11 frames)
            project.update_run(trained.run_id, metrics={"kept_from": previous, "kept_frames": len(keep)})
    project.update_run(trained.run_id, metrics={"retraining": None})  # whole now: Play and Export may use it
    record_agreement(project, pid, trained.run_id)  # over the whole run: the span and the frames kept
    n = len(trained.result.train_frames) + len(trained.result.holdout_frames)
    hand = {p.frame for p in project.proposals(pid, status="edited", with_masks=False)}
    took = {*trained.result.train_frames, *trained.result.holdout_frames}
    return Retrained(trained, span, previous, n, str(policy) if policy is not None else "reviewed", refine, fixes,
                     int(pid), checked if refine != asked else None, len(took & hand), (emptied, len(done.masks)))
