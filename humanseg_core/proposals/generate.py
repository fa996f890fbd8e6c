"""Mask proposals from trajectories: detect persons once per frame, match boxes to track points, build masks.

``generate_proposals(scene, pids, method=...)`` is a job (a generator yielding :class:`Progress` per frame:
``done`` of ``total`` planned frames, after a few ``data["stage"] == "prepare"`` reports while it samples
frames to place the track point on the bodies) returning ``(proposals, skips)``. For each annotated frame
of the chosen persons (plus, optionally, ``k`` interpolated neighbours on each side) it reads the frame
once, detects persons once (or loads the detections a project cached), matches every person of the frame
to at most one box
(:mod:`humanseg_core.proposals.association`), and turns each match of a chosen person into a clean mask
(:mod:`humanseg_core.proposals.person_mask`). Every annotated (frame, pid) ends as a Proposal or a Skip with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..inputs.blank_frames import content_reader, holds_nobody
from ..jobs import CancelToken, EtaClock, Progress
from ..records import Detection, Proposal, Skip, frame_problem
from ..wording import plural
from .association import (
    DEFAULT_THRESHOLD_PX,
    Match,
    default_threshold,
    distance_matrix,
    estimate_anchor,
    match_frame,
    point_box_distance,
    relative_height,
)
from .blob_split import split_blob
from .body_prior import HeightModel
from .detectors import make_detector
from .detectors.base import Detector
from .methods import DEFAULT_METHOD, PARENT_METHODS
from .person_mask import box_of, clean_person_mask, colour_histogram, fill_blob

JOINT_METHODS = ("bgs-owned", *PARENT_METHODS)  # proposals of all persons of a frame at once (joint.py)
ANCHOR_SAMPLE_FRAMES = 8
# a split part is flagged "shared" (uncertain split, to check in review) above this share of contested pixels
SHARED_AMBIGUITY = 0.3


def plan_targets(tracks: Mapping[int, tuple], extra_frames: int = 0,
                 position: Callable[[int, int], tuple | None] | None = None,
                 valid_frames: Iterable[int] | None = None) -> dict[int, dict[int, list]]:
    """{frame: {pid: flags}} to propose: every annotated frame of every track (``tracks[pid] = (frames,
    uv)``), the last included, plus ``extra_frames`` neighbours each side (flagged ``"interpolated"``) in the
    frames of ``valid_frames``: where ``position(pid, frame)`` gives a point (the scene's span, extended at the
    trajectory file's own ends: ``Scene.span``), or without ``position`` between the first and last annotation."""
    valid = None if valid_frames is None else set(int(f) for f in valid_frames)
    # annotated frames past either end of the video are not planned (a clip of a longer recording: a walk's 120-frame
    # clip counted 113 "not in the video" skips and read "frame 283" in its progress); a frame missing inside it is,
    # and is said to be missing
    lo, hi = (min(valid), max(valid)) if valid else (None, None)
    plan: dict[int, dict[int, list]] = {}
    for pid, (frames, _uv) in tracks.items():
        frames = [int(f) for f in np.asarray(frames).reshape(-1)]
        for f in frames:
            if lo is None or lo <= f <= hi:
                plan.setdefault(f, {})[pid] = []
        if extra_frames <= 0 or not frames:
            continue
        first, last, annotated = min(frames), max(frames), set(frames)
        for f in frames:
            for g in range(f - extra_frames, f + extra_frames + 1):
                if g in annotated or (valid is not None and g not in valid):
                    continue
                if position is None and not first <= g <= last:
                    continue
                if position is not None and position(pid, g) is None:  # its span (Scene.span) decides
                    continue
                plan.setdefault(g, {}).setdefault(pid, ["interpolated"])
    return dict(sorted(plan.items()))


Heights = float | Mapping[int, float]  # expected person height in px: one number, or {pid: px}


def _height_of(height: Heights, pid: int) -> float:
    return float(height[pid]) if isinstance(height, Mapping) else float(height)


def split_merged(detection: Detection, persons: Mapping[int, tuple], threshold: float, anchor: str,
                 height: Heights, image: np.ndarray | None = None, appearance: Mapping | None = None,
                 ) -> tuple[np.ndarray, list | None, list, list[float], list[float]]:
    """Split each blob that is the nearest box of two or more persons among them (background subtraction
    merges people who touch), nearer persons first, by position and colour (:func:`split_blob`).

    ``height``: expected person height in px, one number or {pid: px}. Returns (boxes (N, 4), masks or
    None, owners, ambiguity, scores): ``owners[i]`` is the pid a split part was made for (None for an
    untouched detection), ``ambiguity[i]`` the share of its pixels another person could almost as well
    have had, ``scores[i]`` the detection score of the box (of the blob, for a split part)."""
    boxes = np.asarray(detection.boxes, np.float64).reshape(-1, 4)
    masks = list(detection.masks) if detection.masks is not None else None
    det_scores = np.asarray(detection.scores, np.float64).reshape(-1)
    det_scores = det_scores if len(det_scores) == len(boxes) else np.zeros(len(boxes))
    owners: list = [None] * len(boxes)
    if masks is None or len(boxes) == 0 or len(persons) < 2:
        return boxes, masks, owners, [0.0] * len(boxes), list(det_scores)
    pids = list(persons)
    dist = distance_matrix(np.array([persons[p] for p in pids]), boxes, anchor)
    nearest = dist.argmin(axis=1)
    claim: dict[int, list] = {}
    for r, b in enumerate(nearest):
        if dist[r, b] <= threshold:
            claim.setdefault(int(b), []).append(pids[r])
    new_boxes: list = []
    new_masks: list = []
    new_owners: list = []
    new_amb: list[float] = []
    new_scores: list[float] = []
    for b in range(len(boxes)):
        owner_pids = claim.get(b, [])
        if len(owner_pids) < 2 or masks[b] is None:
            new_boxes.append(boxes[b])
            new_masks.append(masks[b])
            new_owners.append(None)
            new_amb.append(0.0)
            new_scores.append(float(det_scores[b]))
            continue
        heights = {p: _height_of(height, p) for p in owner_pids}
        blob = fill_blob(masks[b], boxes[b], max(heights.values()))
        split = split_blob(blob, {p: persons[p] for p in owner_pids}, anchor, heights, image,
                           appearance=appearance)
        for p in owner_pids:
            pb = box_of(split.parts[p])
            if pb is not None:
                new_boxes.append(pb)
                new_masks.append(split.parts[p])
                new_owners.append(p)
                new_amb.append(split.ambiguity[p])
                new_scores.append(float(det_scores[b]))
    return np.asarray(new_boxes, np.float64).reshape(-1, 4), new_masks, new_owners, new_amb, new_scores


def propose_on_frame(frame_index: int, image_size: tuple[int, int], detection: Detection,
                     persons: Mapping[int, tuple], wanted: Mapping[int, list], source: str,
                     threshold: float, anchor: str, height: Heights, image: np.ndarray | None = None,
                     appearance: Mapping | None = None) -> tuple[list[Proposal], list[Skip]]:
    """Proposals and skips of the ``wanted`` persons ({pid: flags}) on one frame, from its detection.

    ``persons``: {pid: (u, v)} of every person of the frame (for the one-to-one match and the split);
    ``height``: expected person height in px, one number or {pid: px} covering ``persons``;
    ``image``: the frame (BGR), used to split merged blobs by colour; ``appearance``: {pid: colour
    counts} of persons seen alone before (see :func:`split_blob`)."""
    persons = {int(p): (float(uv[0]), float(uv[1])) for p, uv in persons.items()}
    w, h = image_size
    near = {p: uv for p, uv in persons.items()
            if -threshold <= uv[0] < w + threshold and -threshold <= uv[1] < h + threshold}
    boxes, masks, owners, ambiguity, box_scores = split_merged(detection, near, threshold, anchor, height, image,
                                                               appearance)
    # split parts belong to the person they were made for; the rest is matched one-to-one
    pre = {p: i for i, p in enumerate(owners) if p is not None}
    free = [i for i, p in enumerate(owners) if p is None]
    rest = {p: uv for p, uv in persons.items() if p not in pre}
    matches, reasons = match_frame(rest, boxes[free], threshold, anchor,
                                   image_size=(w + 2 * threshold, h + 2 * threshold))
    for match in matches.values():
        match.box_index = free[match.box_index]
    for p, i in pre.items():
        matches[p] = Match(p, i, point_box_distance(persons[p], boxes[i], anchor), ["split"])
    for p, reason in reasons.items():
        if reason.startswith("point outside the image"):
            u, v = persons[p]
            reasons[p] = f"point outside the image ({u:.0f}, {v:.0f})"
    proposals: list[Proposal] = []
    skips: list[Skip] = []
    for pid, flags in wanted.items():
        if pid not in persons:
            skips.append(Skip(frame_index, pid, "no position on this frame"))
            continue
        m = matches.get(pid)
        if m is None:
            skips.append(Skip(frame_index, pid, reasons.get(pid, "no match")))
            continue
        box = boxes[m.box_index]
        raw = masks[m.box_index] if masks is not None else None
        if raw is None:
            mask = np.zeros((h, w), bool)
            x0, y0, x1, y1 = (int(round(c)) for c in box)
            mask[max(0, y0):y1, max(0, x0):x1] = True
        else:
            mask = clean_person_mask(raw, box, persons[pid], anchor, _height_of(height, pid))
        tight = box_of(mask)
        if tight is None:
            skips.append(Skip(frame_index, pid, "matched detection left an empty mask"))
            continue
        pflags = list(flags) + list(m.flags)
        # a split part scores its blob's score times how sure the split is
        score = float(box_scores[m.box_index]) * (1.0 - float(ambiguity[m.box_index]))
        if ambiguity[m.box_index] > SHARED_AMBIGUITY:
            pflags.append("shared")
        proposals.append(Proposal(frame=int(frame_index), pid=int(pid), box=tuple(int(c) for c in tight),
                                  mask=mask, source=source, score=score, distance=float(m.distance),
                                  flags=pflags, status="pending"))
    return proposals, skips


def _near_box(uv: Sequence[float], box: Sequence[float], height: float) -> bool:
    x0, y0, x1, y1 = box
    pad = height * 0.5
    return x0 - pad <= uv[0] <= x1 + pad and y0 - pad <= uv[1] <= y1 + pad


def learn_heights(model: HeightModel, boxes: np.ndarray, persons: Mapping, anchor: str,
                  threshold: float) -> None:
    """Feed ``model`` the heights of boxes holding exactly one person's point where it should sit (within
    2 px), saying whether another person's point lies inside the box: a blob of a column of people walking
    one behind the other has the first one's head at its top and is the whole column tall (held-out
    eth_soft: heights learnt 2x too tall, median IoU 0.596 against the parent's 0.726); once enough boxes
    were alone only those count (:data:`.body_prior.ALONE_MIN_SHARE`)."""
    if len(boxes) == 0 or not persons:
        return
    pids = list(persons)
    points = np.array([persons[p] for p in pids], np.float64).reshape(-1, 2)
    dist = distance_matrix(points, boxes, anchor)
    within = dist <= min(threshold, 2.0)
    for b in range(len(boxes)):
        if within[:, b].sum() == 1:
            r = int(np.argmax(within[:, b]))
            x0, y0, x1, y1 = boxes[b]
            inside = (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)
            inside[r] = False
            model.add(pids[r], persons[pids[r]][1], float(y1 - y0), u=persons[pids[r]][0], alone=not inside.any())


def generate_proposals(scene: Any, pids: Iterable[int], method: str = DEFAULT_METHOD,
                       bgs_algorithm: str | None = None, threshold_px: float | None = None, extra_frames: int = 0,
                       anchor: str = "auto", project: Any = None, weights: Any = None,
                       cancel: CancelToken | None = None, detector: Detector | None = None,
                       ) -> Generator[Progress, None, tuple[list[Proposal], list[Skip]]]:
    """Job: proposals for persons ``pids`` of ``scene``; returns ``(list[Proposal], list[Skip])``.

    ``method``: one of :data:`.methods.METHOD_NAMES` (default :data:`.methods.DEFAULT_METHOD`):
    ``"bgs-owned"``, ``"parent"``, ``"bgs+parent"`` run :func:`.joint.generate_joint` (``weights``: the
    parent file); ``"bgs"`` (offline, weight-free; ``bgs_algorithm`` picks the background model) or
    ``"maskrcnn"`` (needs weights: see :mod:`humanseg_core.weights`). ``threshold_px``: match
    threshold at this video's size (default 40 px at 720x576, scaled by the diagonal). ``anchor``: where
    the track point sits on a body (``"head"``, ``"feet"``, ``"centre"``, ``"auto"`` estimates it).
    ``project``: cache of detections (``load_detections`` / ``save_detections``). ``detector``: an
    already built detector (tests, benches); otherwise one is made from ``method``.
    """
    if method in JOINT_METHODS and detector is None:  # weights: the parent file
        from .joint import generate_joint
        return (yield from generate_joint(scene, pids, method, bgs_algorithm=bgs_algorithm,
                                          threshold_px=threshold_px, extra_frames=extra_frames, anchor=anchor,
                                          parent_path=weights, cancel=cancel))
    frames = scene.frames
    width, height = int(frames.width), int(frames.height)
    threshold = float(threshold_px) if threshold_px is not None else default_threshold(width, height)
    pids = [int(p) for p in pids]
    tracks = {p: scene.pixel_track(p) for p in pids}
    plan = plan_targets(tracks, extra_frames, scene.position_px, frames.indices)
    if detector is None:
        if method == "maskrcnn":  # the COCO weights fetched with progress when online and not here yet
            from ..weights import fetch_job

            yield from fetch_job(weights, cancel)
        detector = make_detector(method, read_frame=frames.read, indices=frames.indices,
                                 bgs_algorithm=bgs_algorithm, weights=weights)
    source = detector.method
    cache: dict[int, tuple] = {}
    read = content_reader(frames)  # a black frame (a camera dropout) holds nobody

    def detect(f: int) -> tuple[Detection | str, np.ndarray | None]:
        """(detection of frame f or the reason it failed (str), the frame or None); detected once."""
        if f in cache:
            return cache.pop(f)
        try:
            img = read(f)
        except Exception as exc:  # FrameError and friends: the frame is skipped, with the reason
            img, problem = None, frame_problem(frames, f, exc)
            if holds_nobody(problem):  # not a detection cached by an earlier run either
                return problem, None
        det = project.load_detections(f, source) if project is not None else None
        if det is not None:
            return det, img
        if img is None:
            return problem, None
        det = detector.detect(img, f)
        if project is not None:
            project.save_detections(det)
        return det, img

    if anchor == "auto":
        sample = list(plan)[:: max(1, len(plan) // ANCHOR_SAMPLE_FRAMES)][:ANCHOR_SAMPLE_FRAMES]
        rel = []
        for i, f in enumerate(sample):
            yield Progress(i, len(sample), f"preparing: sample frame {i + 1} of {len(sample)}",
                           data={"stage": "prepare"})
            if cancel is not None:
                cancel.raise_if_cancelled()
            cache[f] = det, _img = detect(f)
            if isinstance(det, str):
                continue
            persons = scene.persons_at(f)
            matches, _ = match_frame(persons, det.boxes, threshold, "box", image_size=(width, height))
            rel += [relative_height(persons[p], det.boxes[m.box_index]) for p, m in matches.items()
                    if not m.flags and m.distance <= threshold / 4]
        anchor = estimate_anchor(rel)
    heights = HeightModel(height)
    appearance: dict[int, np.ndarray] = {}
    proposals: list[Proposal] = []
    skips: list[Skip] = []
    clock = EtaClock()
    total = len(plan)
    for done, (f, wanted) in enumerate(plan.items(), start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        det, img = detect(f)
        if isinstance(det, str):
            skips += [Skip(f, p, det) for p in wanted]
        else:
            persons = dict(scene.persons_at(f))
            for p in wanted:
                if p not in persons:
                    uv = scene.position_px(p, f)
                    if uv is not None:
                        persons[p] = uv
            learn_heights(heights, np.asarray(det.boxes, np.float64).reshape(-1, 4), persons, anchor, threshold)
            expected = {p: heights.height(p, uv[1]) for p, uv in persons.items()}
            props, sk = propose_on_frame(f, (width, height), det, persons, wanted, source, threshold,
                                         anchor, expected, image=img, appearance=appearance)
            if img is not None:
                for prop in props:  # learn what each person looks like where they stand alone
                    if "split" not in prop.flags and "ambiguous" not in prop.flags:
                        appearance[prop.pid] = appearance.get(prop.pid, 0) + colour_histogram(img, prop.mask)
            proposals += props
            skips += sk
        yield Progress(done, total, f"frame {f}: {plural(len(proposals), 'proposal')} so far, {len(skips)} skipped",
                       data={"frame": f, "anchor": anchor, "proposals": len(proposals), "skips": len(skips)},
                       eta_s=clock.eta(done, total))
    return proposals, skips


__all__ = ["generate_proposals", "plan_targets", "propose_on_frame", "split_merged", "DEFAULT_THRESHOLD_PX"]
