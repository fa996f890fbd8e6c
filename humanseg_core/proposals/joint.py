"""Proposals of every person of a frame at once: pixels are owned one-to-one across all track points.

Methods (``JOINT_METHODS``):

- ``bgs-owned``: the median background, made from frames where the track puts nobody at that place
  (:mod:`.clean_background`), body-aware shadows and one-to-one pixel ownership (:mod:`.ownership`);
- ``parent``: the parent network (:mod:`humanseg_core.prior.parent`) on a crop around every person's
  point, the other persons' points as negatives, batched per frame; no background model at all (static
  persons, dense groups); each pixel goes to the person with the highest probability;
- ``bgs+parent``: both; the parent's probability joins the ownership cost and BGS confirms a pixel is
  foreground (:func:`.ownership.assign_pixels`); the candidate foreground's edge band is decided by its
  matting alpha against the background (:mod:`.boundary`, ``JointConfig.boundary``); a pixel moving unlike
  a person's track costs that person more (:mod:`.motion`, ``JointConfig.motion``); a foot shadow darker
  than the shadow test allows is one where the parent sees no person (:func:`.ownership.mark_foot_shadows`).

In both parent methods a person whose point lies on a nearer person's body is hidden there: that nearer
person's pixels are not its own (:func:`.parent_masks.parent_occlusion`). In ``bgs+parent`` a person whose
part lies mostly where a nearer person's own probability says that person may be seen gets no proposal
(:mod:`.behind`, ``JointConfig.behind``); then the pixels are owned again with every nearer person hiding
whoever stands behind it where its probability reaches ``ParentConfig.occludes_everyone``.

A missing or corrupt parent file ends the parent methods with a warning and falls back to ``bgs-owned``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import cv2
import numpy as np

from ..errors import FrameError
from ..inputs.blank_frames import content_reader
from ..jobs import CancelToken, EtaClock, Job, JobWarning, Progress
from ..records import HIDDEN_BEHIND, Proposal, Skip, frame_problem
from ..wording import plural
from .anchor_fit import best_anchor, coverage_scores
from .association import default_threshold, point_box_distance
from .behind import BehindConfig, mostly_behind
from .body_prior import HeightModel, scene_height_model
from .boundary import BoundaryConfig
from .camera_shake import moved_points, unmoved_point
from .clean_background import TrackMaskedBackground
from .detectors.bgs import blobs_to_detection
from .frame_steps import background_image, edges, frame_gain_of, motion_of
from .generate import (
    ANCHOR_SAMPLE_FRAMES,
    JOINT_METHODS,
    SHARED_AMBIGUITY,
    learn_heights,
    plan_targets,
)
from .height_sweep import SWEEP_FRAMES, sweep_heights
from .motion import MotionConfig
from .moving_camera import MOVING_FLAG, MOVING_SHARE, changed_share, moving_text
from .ownership import (
    OwnershipConfig,
    assign_pixels,
    clean_foreground,
    mark_foot_shadows,
    restore_body_shadows,
)
from .parent_masks import (
    ParentConfig,
    combine,
    load_parent_or_none,
    parent_occlusion,
    parent_probabilities,
    sharpen,
    upper_envelope,
)
from .person_mask import box_of, colour_histogram, keep_person_components, person_axis, too_small
from .score_bands import parent_certainty, proposal_score
from .standing import overlapping as _overlapping
from .standing import standing as _standing
from .strays import StrayConfig, named_only, occluder_name, stray_points
from .temporal_consensus import ConsensusWindow, FrameMasks, Part, TemporalConfig, probability_part

if TYPE_CHECKING:
    from pathlib import Path

    from ..inputs.scene import Scene
    from ..prior.parent import ParentSegmenter

PARENT_FALLBACK = "parent-fallback"
MOVING_CAMERA = "moving-camera"
# a deep shadow by the feet is taken for one only where the parent sees no person (dark shoes and trousers)
PERSON_PROBABILITY = 0.5
# a part smaller than this share of the expected body area (0.4 h x h) is no proposal (nor one under
# person_mask.MIN_PIXELS: person_mask.too_small)
MIN_AREA_SHARE = 0.04
# less than this share of the expected body inside the image (a track that starts or ends just beyond the
# border, its point on the edge rows): no proposal. The demo's person 1 got a 55-px piece of road marking,
# scored 1.00, on the frame its feet point lay 2 px inside the top edge with the body above it.
MIN_BODY_INSIDE = 0.15


@dataclass(frozen=True)
class JointConfig:
    ownership: OwnershipConfig = field(default_factory=OwnershipConfig)
    parent: ParentConfig = field(default_factory=ParentConfig)
    clean_background: bool = True  # median background from frames where the tracks leave the place empty
    min_area_share: float = MIN_AREA_SHARE
    # the person's masks on neighbouring frames fill and veto each frame's mask (temporal_consensus.py)
    temporal: TemporalConfig = field(default_factory=TemporalConfig)
    # the foreground's edge band decided again by its matting alpha against the background (boundary.py)
    boundary: BoundaryConfig = field(default_factory=BoundaryConfig)
    # a farther person whose part lies mostly where a nearer person may be seen gets no proposal (behind.py)
    behind: BehindConfig = field(default_factory=BehindConfig)
    # walkers the trajectory file does not name, found in the foreground, compete for pixels (strays.py)
    strays: StrayConfig = field(default_factory=StrayConfig)
    # a pixel moving unlike a person (dense flow against the track's velocity) costs that person more
    motion: MotionConfig = field(default_factory=MotionConfig)
    # bgs+parent: a person standing (track slower than this, m/s) is invisible to background subtraction:
    # its parent probability from the parent's threshold is foreground too, and its mask is the one the
    # parent alone gives it (0: off)
    still_speed: float = 0.15


def _near(persons: Mapping, w: int, h: int, margin: float) -> dict:
    return {p: uv for p, uv in persons.items() if -margin <= uv[0] < w + margin and -margin <= uv[1] < h + margin}


def _height_model(scene: Scene) -> HeightModel:
    """Heights from the homography's ground scale when the scene has one (else a line in the image row)."""
    return scene_height_model(scene)


class _FrameState:
    """What the job keeps between frames: heights, appearance, the background and the parent."""

    def __init__(self, scene: Scene, method: str, bgs_algorithm: str | None, config: JointConfig,
                 parent: ParentSegmenter | None) -> None:
        self.scene = scene
        self.method = method
        self.config = config
        self.parent = parent
        self.heights = _height_model(scene)
        self.learn = True  # the frames' BGS boxes teach the heights (not where the warm-up's taught nothing)
        self.appearance: dict[int, np.ndarray] = {}
        self.gate: np.ndarray | None = None  # where the last frame's BGS saw anything (fill gate)
        self.last: tuple[int, np.ndarray] | None = None  # the frame read before (its motion's neighbour)
        # {frame: {pid: Part of float16 probabilities}}: the parent's (parent, bgs+parent), the score's second factor
        self.parent_probs: dict[int, dict[int, Part]] = {}
        # the share of the sample frames the background model called foreground, when it was so much that the job
        # switched to the parent alone (a moving camera); None otherwise
        self.moved: float | None = None
        self.background = None if method == "parent" else TrackMaskedBackground(
            scene, self.heights, algorithm=bgs_algorithm, masked=config.clean_background)
        getattr(parent, "attach_background", lambda bg: None)(self.background)  # a shake's points (evidence step)


def _around(near: Mapping, wanted: Iterable[int], heights: Mapping, reach: float) -> dict:
    """The persons of ``near`` within ``reach`` heights (both axes) of a wanted person."""
    keep = {}
    for p, (u, v) in near.items():
        if any(q in near and abs(near[q][0] - u) <= reach * heights[q] and abs(near[q][1] - v) <= reach * heights[q]
               for q in wanted):
            keep[p] = (u, v)
    return keep


def _frame_masks(state: _FrameState, img: np.ndarray, f: int, persons: dict, wanted: Mapping[int, list],
                 anchor: str, threshold: float
                 ) -> tuple[dict[int, np.ndarray], dict[int, float], dict[int, int | str]]:
    """({pid: bool part}, ambiguity {pid: float}, hidden {pid: occluder}) for the persons near the frame."""
    h_img, w_img = img.shape[:2]
    fg = None
    state.gate = None
    if state.background is not None:
        fg = state.background.foreground(img, f)
        persons = moved_points(state.background, f, persons)  # a shaking camera's people moved with it (ADR 0057)
        det = blobs_to_detection(fg, f, "bgs")
        if state.learn:
            learn_heights(state.heights, np.asarray(det.boxes, np.float64).reshape(-1, 4), persons, anchor, threshold)
    near = _near(persons, w_img, h_img, threshold)
    heights = {p: state.heights.height(p, uv[1], uv[0]) for p, uv in near.items()}
    if not near:
        return {}, {}, {}
    cfg = state.config
    in_view = (near, heights)  # every named person in view (the strays are what none of them can explain)
    if state.method != "bgs-owned":  # the parent runs on the wanted persons and those whose crops meet theirs
        near = _around(near, wanted, heights, float(getattr(state.parent, "factor", 2.6)))
        heights = {p: heights[p] for p in near}
        if not near:  # no wanted person in view on this frame (others are): nothing to draw
            return {}, {}, {}
    if state.method == "parent":
        probs, occluders = parent_occlusion(state.parent, img, near, heights, cfg.parent, anchor)
        probs = sharpen(probs, img, heights, cfg.parent)
        _keep_probs(state, f, probs)
        return combine(probs, None, near, anchor, heights, cfg.parent, occluders)
    fg = cast(np.ndarray, fg)  # the BGS methods have a background model, so fg was set above
    from .body_prior import body_axes
    axes = body_axes(near, anchor, heights)
    strays: dict = {}
    if state.method == "bgs+parent":
        probs, occluders = parent_occlusion(state.parent, img, near, heights, cfg.parent, anchor)
        if cfg.strays.enabled:
            strays, stray_heights = stray_points(fg, cast(np.ndarray, upper_envelope(probs.values())),
                                                 body_axes(in_view[0], anchor, in_view[1]), in_view[1],
                                                 lambda v, u: state.heights.height(None, v, u), anchor, cfg.strays)
        if strays:  # walkers the trajectory file does not name take their own pixels (ADR 0059)
            near, heights = {**near, **strays}, {**heights, **stray_heights}
            axes = body_axes(near, anchor, heights)
            probs, occluders = parent_occlusion(state.parent, img, near, heights, cfg.parent, anchor)
        _keep_probs(state, f, named_only(probs, strays))
        top = cast(np.ndarray, upper_envelope(probs.values()))
        background = background_image(state, f)
        if background is not None:  # harsh sun: foot shadows darker than the shadow test allows
            fg = mark_foot_shadows(fg, img, background, axes, heights, cfg.ownership,
                                   person=top >= PERSON_PROBABILITY, gain=frame_gain_of(state, img, f))
    solid = restore_body_shadows(fg, axes, heights, cfg.ownership)
    solid = clean_foreground(solid, float(np.median(list(heights.values()))))
    state.gate = solid | (fg > 0)
    if state.method == "bgs+parent":
        if cfg.parent.mode == "gate":
            parts, ambiguity, hidden_by = combine(probs, solid, near, anchor, heights, cfg.parent, occluders)
            hidden_gate = {p: occluder_name(o, strays) for p, o in named_only(hidden_by, strays).items()}
            return named_only(parts, strays), named_only(ambiguity, strays), hidden_gate
        solid = (solid & (top >= cfg.parent.drop)) | (top >= cfg.parent.high)
        still = _standing(state.scene, named_only(near, strays), f, cfg.still_speed)
        for p in still:  # BGS cannot see them: the parent says
            solid |= probs[p] >= cfg.parent.threshold
        solid = edges(state, img, f, solid, fg)
        motion = None if strays else motion_of(state, img, f, near, solid)  # (the strays have no track)
        rule = cfg.behind.enabled and state.method in cfg.behind.methods
        again = cfg.parent.occludes_everyone > 0 and len(near) > 1  # owned again: nearer persons hide everyone
        owned = partial(assign_pixels, solid, near, anchor, heights, img, state.appearance, cfg.ownership,
                        prior=probs, motion=motion)
        behind: dict = {}
        if rule or not again:
            own = owned(prior_occludes=cfg.parent.occludes, occluders=None if cfg.parent.occlude_all else occluders)
            if rule:
                behind = mostly_behind(own.parts, probs, near, anchor, heights, cfg.behind, standing=still)
        if again:
            own = owned(prior_occludes=cfg.parent.occludes_everyone, occluders=None)
        if still:  # zara02_still: standing persons 0.642 with the shared-out mask, 0.710 with the parent's
            mates = _overlapping(probs, still)  # only they compete with the standing persons for pixels
            alone, amb_alone, _ = combine(sharpen(mates, img, heights, cfg.parent), None, near, anchor, heights,
                                          cfg.parent, occluders)
            for p in still:
                if p in alone:
                    own.parts[p] = alone[p]
                    own.ambiguity[p] = amb_alone.get(p, own.ambiguity.get(p, 0.0))
        hidden: dict[int, int | str] = {p: occluder_name(o, strays) for p, o in named_only(behind, strays).items()}
        return named_only(own.parts, strays), named_only(own.ambiguity, strays), hidden
    own = assign_pixels(edges(state, img, f, solid, fg), near, anchor, heights, img, state.appearance,
                        cfg.ownership)
    return own.parts, own.ambiguity, own.hidden_by


def _keep_probs(state: _FrameState, f: int, probs: Mapping) -> None:
    """Frame ``f``'s parent probabilities kept as crops until its proposals are scored: the score's second factor is
    how sure the parent is of each final mask (``score_bands.parent_certainty``; since 5 Dec for bgs+parent too,
    in place of the IoU with its thresholded mask: AUC for IoU < 0.5 0.925 -> 0.948, BENCHMARKS "The parent's
    certainty scores the default proposals too")."""
    state.parent_probs[f] = {p: part for p, pr in probs.items() if (part := probability_part(pr)) is not None}


def _warm_up(state: _FrameState, scene: Scene, plan: dict, anchor: str, threshold: float, cancel: CancelToken | None,
             warnings: tuple[JobWarning, ...] = ()) -> Job[str]:
    """Job: on a few sampled frames, where the points sit on the bodies when ``anchor`` is ``"auto"`` (BGS
    foreground or parent coverage, :mod:`.anchor_fit`), then the heights of persons standing alone, so
    that the first frames already use the scene's heights; when no box taught them (the parent alone, or
    every blob held several persons) the parent's scale sweep (:mod:`.height_sweep`) does. Reports each
    sample (``data["stage"]`` is ``"prepare"``; a first report before any work) and returns the anchor."""
    sample = list(plan)[:: max(1, len(plan) // ANCHOR_SAMPLE_FRAMES)][:ANCHOR_SAMPLE_FRAMES]
    w, h = int(scene.frames.width), int(scene.frames.height)
    if state.background is not None and state.parent is not None:  # a moving camera: the parent alone
        share = changed_share(state.background, scene.frames.read, sample)
        if share is not None and share >= MOVING_SHARE:
            state.method, state.background, state.moved = "parent", None, share
    seen: list = []
    kept: list[tuple[np.ndarray, dict]] = []
    yield Progress(0, len(sample), f"preparing: background and heights from {len(sample)} sample frames",
                   data={"stage": "prepare"}, warnings=warnings)
    read_sample = content_reader(scene.frames)
    for i, f in enumerate(sample, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            img = read_sample(f)
        except (FrameError, OSError):  # an unreadable (or black) frame only thins the sample
            continue
        persons = _near(scene.persons_at(f), w, h, 0)
        hs = {p: state.heights.height(p, uv[1], uv[0]) for p, uv in persons.items()}
        boxes = np.zeros((0, 4))  # the parent's own boxes would only echo the heights it was given
        if state.background is not None:
            fg = state.background.foreground(img, f)
            cover = clean_foreground(fg == 255, state.heights.value).astype(np.float32)
            boxes = np.asarray(blobs_to_detection(fg, f, "bgs").boxes, np.float64).reshape(-1, 4)
        else:  # the parent alone: its probabilities, each person's own
            probs = parent_probabilities(state.parent, img, persons, hs, state.config.parent,
                                         None if anchor == "auto" else anchor)
            top = upper_envelope(probs.values())
            cover = top if top is not None else np.zeros((h, w), np.float32)
        seen.append((persons, cover, hs, boxes))
        kept += [(img, persons)] if len(kept) < SWEEP_FRAMES else []
        yield Progress(i, len(sample), f"preparing: sample frame {i} of {len(sample)}", data={"stage": "prepare"},
                       warnings=warnings)
    if anchor == "auto":
        anchor = best_anchor(coverage_scores(cover, persons, hs) for persons, cover, hs, _ in seen)
    for persons, _cover, _hs, boxes in seen:
        learn_heights(state.heights, boxes, persons, anchor, threshold)
    if not state.heights.calibrated and state.parent is not None:
        yield Progress(len(sample), len(sample), "preparing: the persons' height from the parent network"
                       + (" (no blob held one person alone)" if state.background is not None else ""),
                       data={"stage": "prepare"}, warnings=warnings)
        # no blob of the sample frames held one person alone: the frames' blobs teach no better, and the parent's
        # heights stay (a helper's scene of 115 px people in a drifting light: median IoU 0.428 as the blobs went on
        # teaching, 0.726 with the parent's heights kept; the 24 other scenes measured all learnt in the warm-up)
        state.learn = sweep_heights(state.heights, state.parent, kept, anchor, state.config.parent, cancel) is None
    return anchor


def generate_joint(scene: Scene, pids: Iterable[int], method: str = "bgs-owned", bgs_algorithm: str | None = None,
                   threshold_px: float | None = None, extra_frames: int = 0, anchor: str = "auto",
                   config: JointConfig | None = None, parent: ParentSegmenter | None = None,
                   parent_path: str | Path | None = None, cancel: CancelToken | None = None,
                   frame_sink: Callable[[int, list[Proposal]], None] | None = None,
                   frame_range: tuple[int, int] | None = None,
                   ) -> Job[tuple[list[Proposal], list[Skip]]]:
    """Job: proposals of ``pids`` by a joint method; returns ``(list[Proposal], list[Skip])``.

    ``frame_range`` (first, last): only the planned frames within it are made (the warm-up still samples the
    whole plan, so the anchor and heights are those of the whole tracks): a span re-segmented through the
    per-frame evidence step pays for its own frames, not for the persons' whole tracks.

    ``frame_sink(frame, proposals)``: each frame's proposals as soon as they are decided (in frame order),
    then not kept in the returned list, so memory stays flat in video length (whole-scene runs, ADR 0010).

    ``parent``: an already loaded segmenter (tests, benches); else it is loaded from ``parent_path``
    (default: the shipped file). When it cannot be loaded the job warns and uses ``bgs-owned``."""
    if method not in JOINT_METHODS:
        raise ValueError(f"unknown joint method {method!r}; choose one of {', '.join(JOINT_METHODS)}")
    config = config or JointConfig()
    if getattr(scene, "unnamed_walkers", False) is True and not config.strays.enabled:  # the project says so
        config = replace(config, strays=replace(config.strays, enabled=True))  # (ADR 0059)
    warnings: tuple[JobWarning, ...] = ()
    if method != "bgs-owned" and parent is None:
        parent, problem = load_parent_or_none(parent_path)
        if parent is None:
            warnings = (JobWarning(PARENT_FALLBACK, f"{problem}; the proposals come from background subtraction "
                                                    "alone (bgs-owned) instead"),)
            method = "bgs-owned"
    frames = scene.frames
    width, height = int(frames.width), int(frames.height)
    threshold = float(threshold_px) if threshold_px is not None else default_threshold(width, height)
    pids = [int(p) for p in pids]
    plan = plan_targets({p: scene.pixel_track(p) for p in pids}, extra_frames, scene.position_px, frames.indices)
    state = _FrameState(scene, method, bgs_algorithm, config, parent)
    anchor = yield from _warm_up(state, scene, plan, anchor, threshold, cancel, warnings)
    if state.moved is not None:  # switched to the parent alone in the warm-up
        warnings += (JobWarning(MOVING_CAMERA, moving_text(state.moved)),)
    source = method
    proposals: list[Proposal] = []
    skips: list[Skip] = []
    clock = EtaClock()
    window = ConsensusWindow(anchor, (height, width), config.temporal)

    def emit(ready: list[tuple[tuple[Any, ...], dict[int, Part | None]]]) -> None:
        for (img, f, wanted, persons, ambiguity, hidden), parts in ready:
            full = {p: part.paste((height, width)) if part is not None else np.zeros((height, width), bool)
                    for p, part in parts.items()}
            props, sk = _to_proposals(state, img, f, wanted, persons, full, ambiguity, hidden, anchor, source)
            if frame_sink is not None:
                frame_sink(f, props)
            else:
                proposals.extend(props)
            skips.extend(sk)

    read = content_reader(frames)  # a black frame (a camera dropout) holds nobody
    todo = plan if frame_range is None else {f: w for f, w in plan.items() if frame_range[0] <= f <= frame_range[1]}
    for done, (f, wanted) in enumerate(todo.items(), start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            img = read(f)
        except (FrameError, OSError) as exc:  # the frame is skipped, with the reason (a black one too)
            skips += [Skip(f, p, frame_problem(frames, f, exc)) for p in wanted]
            img = None
        if img is not None:
            persons = dict(scene.persons_at(f))
            for p in wanted:
                if p not in persons and (uv := scene.position_px(p, f)) is not None:
                    persons[p] = uv
            parts, ambiguity, hidden = _frame_masks(state, img, f, persons, wanted, anchor, threshold)
            persons = moved_points(state.background, f, persons)  # the consensus and the proposals' own checks too
            state.last = (f, img)
            masks = FrameMasks(f, {p: persons[p] for p in parts if p in persons},
                               {p: state.heights.height(p, persons[p][1], persons[p][0]) for p in parts
                                if p in persons},
                               {p: Part.of(m) for p, m in parts.items()}, state.gate, frozenset(hidden))
            emit(window.push(masks, (img, f, wanted, persons, ambiguity, hidden)))
        waiting = len(window.pending)  # frames held until their neighbours vote (temporal consensus)
        held = (f" ({waiting} frame{'s' if waiting != 1 else ''} held until the next annotated frames, which "
                "vote on them, are done)") if waiting else ""
        said = f"frame {f}: {plural(len(proposals), 'proposal')} so far, {len(skips)} skipped{held}"
        yield Progress(done, total := len(todo), said,
                       data={"frame": f, "anchor": anchor, "method": method, "proposals": len(proposals),
                             "skips": len(skips), "waiting": waiting},
                       eta_s=clock.eta(done - waiting, total), warnings=warnings)  # the frames held are not done
                       # (a walk read "about 2 s left" at 2 of 20 frames, and waited 30 s: the first frames are held)
    emit(window.flush())
    return proposals, skips


def _to_proposals(state: _FrameState, img: np.ndarray, f: int, wanted: Mapping, persons: Mapping, parts: Mapping,
                  ambiguity: Mapping, hidden: Mapping, anchor: str, source: str) -> tuple[list[Proposal], list[Skip]]:
    proposals, skips = [], []
    own_probs = state.parent_probs.pop(f, {})  # the parent's probabilities of each person: the score's second factor
    owner = np.full(img.shape[:2], -1, np.int64)
    for q, m in parts.items():
        owner[m] = q
    for pid, flags in wanted.items():
        if pid not in persons:
            skips.append(Skip(f, pid, "no position on this frame"))
            continue
        u, v = persons[pid]
        if pid not in parts:
            skips.append(Skip(f, pid, f"point outside the image ({u:.0f}, {v:.0f})"))
            continue
        if pid in hidden:
            skips.append(Skip(f, pid, f"{HIDDEN_BEHIND}{hidden[pid]}"))
            continue
        h = state.heights.height(pid, v, u)
        inside = _body_inside(persons[pid], anchor, h, img.shape[0])
        if inside < MIN_BODY_INSIDE:  # entering or leaving: what lies at the point is the edge, not the person
            skips.append(Skip(f, pid, f"the person is outside the image here (only {inside:.0%} of its expected "
                                      "body is inside)"))
            continue
        mask = keep_person_components(parts[pid], persons[pid], anchor, h)
        box = box_of(mask)
        if box is None or too_small(int(mask.sum()), h, state.config.min_area_share):
            reason = ("no foreground at the person's place (standing still in the background model, or "
                      "hidden); --method parent does not need one" if state.method == "bgs-owned"
                      else "too little of the person is visible")
            skips.append(Skip(f, pid, reason))
            continue
        amb = float(ambiguity.get(pid, 0.0))
        sure = own_probs.get(pid)  # none: the parent saw nothing there (certainty 0); bgs-owned has no parent
        certainty = (None if state.method not in ("parent", "bgs+parent") else 0.0 if sure is None
                     else parent_certainty(mask, sure.x0, sure.y0, sure.mask))
        score, factors = proposal_score(amb, mask, None, certainty)
        pflags = (list(flags) + (["shared"] if amb > SHARED_AMBIGUITY else []) + factors
                  + ([MOVING_FLAG] if state.moved is not None else []))  # made by the parent alone: said in Review
        if amb <= SHARED_AMBIGUITY and not _touches_others(mask, pid, owner):
            state.appearance[pid] = state.appearance.get(pid, 0) + colour_histogram(img, mask)
        proposals.append(Proposal(frame=int(f), pid=int(pid), box=box, mask=mask, source=source, score=score,
                                  distance=point_box_distance(unmoved_point(state.background, f, persons[pid]), box),
                                  flags=pflags, status="pending"))  # (distance: from the point Review draws)
    return proposals, skips


def _body_inside(point: tuple[float, float], anchor: str, h: float, rows: int) -> float:
    """The share of the person's expected body (its rows, :func:`.person_mask.person_axis`) inside the image."""
    _u, top, bottom = person_axis(point, anchor, h)
    return max(0.0, min(bottom, rows) - max(top, 0.0)) / max(bottom - top, 1e-6)


def _touches_others(mask: np.ndarray, pid: int, owner: np.ndarray) -> bool:
    """Whether another person's pixels lie within 2 px of ``mask`` (then its colours are not learnt)."""
    x0, y0, x1, y1 = cast("tuple[int, int, int, int]", box_of(mask))  # the caller checked the mask is not empty
    y0, x0 = max(0, y0 - 2), max(0, x0 - 2)
    grown = cv2.dilate(mask[y0:y1 + 2, x0:x1 + 2].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    near = owner[y0:y1 + 2, x0:x1 + 2][grown]
    return bool(((near >= 0) & (near != pid)).any())


__all__ = ["JOINT_METHODS", "PARENT_FALLBACK", "JointConfig", "generate_joint"]
