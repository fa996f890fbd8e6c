"""The frame offset of a clip cut from a longer recording, found in the video when no annotated frame is in it.

A walk opened an .mp4 clip (frames 0..159) of ETH with the recording's whole ``obsmat.txt`` (frames
780..12381): "none of the annotated frames is in the video", and no offset to try, since the annotations
span far more than the clip (:func:`.scene.suggested_offset` offers one only when they fit in it). The video
tells where the clip lies: at the right offset the annotated persons stand on its moving people, and account
for them.

:func:`estimate_offset` takes a median background and the foreground of a few frames spread over the clip
(as :mod:`.order_check` does). For every offset that puts some annotated frame in the video it sums the
foreground share of a narrow body column at each annotated person's point (head, feet or centre, the best of
the three), from integral images, all persons' points at once (about a second for ETH's 360 persons, 14 s
for a file of 20 000). The :data:`CANDIDATES` offsets of the highest share (over its points and
:data:`PRIOR_POINTS` more of none), more than :data:`APART` frames apart, are then checked for recall: the
share of the clip's foreground inside some person's body box. The best by share x recall is offered when its
recall reaches :data:`MIN_RECALL`, most persons in view there stand on moving people (:data:`MIN_AGREEMENT`)
and it stands :data:`CLEAR` of the other candidates.

Measured (BENCHMARKS "A clip's frame offset found in the video"): each scene's frames with its place's whole
trajectory file read 20 000-40 000 frames off, found within 2 frames on 9 of 11 scenes (the walk's ETH clip:
-6829 for -6830), nothing offered on the other two (eth_huge's 170 px people, zara01_tiny's 24 px ones); no
offset offered for 66 files of a demo clip's own walks re-timed (a review's, and more), where the share alone
had offered a wrong one for 9 of 18. The peak is then refined on 48 frames (:func:`_refined`, BENCHMARKS "The frame
offset to the frame"): to the frame on 9 of 11 clips, one frame off on the other two (before: 8, and 2 frames).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..jobs import CancelToken, Job, Progress
from .foreground import difference
from .order_check import HALF_WIDTH, HEIGHT_SHARE, THRESHOLD, _read, median_background

SAMPLE_FRAMES = 12  # frames of the clip whose foreground is measured
MIN_POINTS = 8  # an offset is scored on at least this many points inside the image
# points of no foreground added to every offset's: an offset that puts a few points on people by chance (8-20
# points near a recording's end scored 0.40 against the right offset's 0.51 over 99 points) scores low
PRIOR_POINTS = 30
MIN_COVER = 0.15  # the best offset's share (right offsets on 11 test scenes: 0.21-0.55 with the prior points)
APART = 25  # frames: offsets nearer than this to the best are the same walk seen a moment apart
CLEAR = 1.25  # the found offset's share x recall over the next candidate's (right ones: 1.5-12x)
ANCHORS = ("head", "feet", "centre")
CANDIDATES = 4  # offsets of the highest share, more than APART frames apart, checked for recall ...
# ... the share of the clip's foreground inside some annotated person's body box at that offset: right offsets on
# 11 test scenes 0.76-0.98 (eth_huge's 170 px people 0.42: their boxes, sized for the image, are too small), the
# best wrong ones 0.35-0.68, also where walks of other times crossed the clip's (a review's re-timed walks: its
# share test alone had offered a wrong offset for 9 of 18 files)
MIN_RECALL = 0.75
# ... and the share of the persons in view there whose body columns are PERSON_COVER foreground on average: the
# annotations not only account for the clip's people, most of them stand on one (right offsets 0.54-1.0;
# files of the scene's own walks re-timed 4-8 times over within 400 frames: recall 0.76-0.86 by their numbers,
# this 0.23-0.43)
PERSON_COVER = 0.3
MIN_AGREEMENT = 0.5
BOX_WIDTH = 3.0  # the recall's box: this many body-column widths wide, ...
BOX_MARGIN = 0.2  # ... and this share of the height longer at each end
# the body column's height, a share of the image's rows: the order check's first; where it finds no offset, small
# people's (a walk's zara02 clip of 45 px people on 576 rows: the right offset's columns were 0.12 foreground, under
# MIN_COVER, and none of its persons stood on moving people by PERSON_COVER; with 0.08 found to the frame; zara01_tiny's
# 24 px people with 0.05, eth_huge's 170 px people with 0.3: BENCHMARKS "A clip whose frame numbers overlap")
HEIGHTS = HEIGHTS_DEFAULT = (HEIGHT_SHARE, 0.08, 0.05, 0.3)
REFINE_FRAMES = 48  # frames whose foreground puts the offset found to the frame (_refined)
MAX_REFINE = 3  # frames the refinement may move it


@dataclass(frozen=True)
class OffsetFound:
    offset: int  # the frame offset in all (the one the file was read with, plus the shift found)
    cover: float  # the foreground share of the body columns at that offset
    runner_up: float  # share x recall of the next candidate (the found one's must be CLEAR of it)
    points: int  # points scored at that offset
    recall: float = 1.0  # the share of the clip's foreground inside the persons' body boxes there (_recall)
    agreement: float = 1.0  # the share of the persons in view there standing on moving people (_agreement)


def _foregrounds(scene, cancel: CancelToken | None, count: int = SAMPLE_FRAMES,
                 background: np.ndarray | None = None) -> list[tuple[int, np.ndarray]]:
    """[(frame, integral image of its foreground)] of ``count`` frames spread over the clip (against
    ``background``, by default a median background); the foreground itself is the integral image's differences
    (:func:`_foreground`)."""
    indices = list(scene.frames.indices)
    if len(indices) < 3:
        return []
    if background is None:
        background = median_background(scene, cancel)
    if background is None:
        return []
    out = []
    sample = sorted({indices[i] for i in np.linspace(0, len(indices) - 1,
                                                      min(count, len(indices))).astype(int)})
    for f in sample:
        if cancel is not None:
            cancel.raise_if_cancelled()
        img = _read(scene, f)
        if img is None or img.shape[:2] != background.shape[:2]:
            continue
        fg = (difference(img, background) > THRESHOLD).astype(np.int32)  # a brightness drift taken off
        integral = np.zeros((fg.shape[0] + 1, fg.shape[1] + 1), np.int32)  # a frame's pixel count fits in int32
        integral[1:, 1:] = fg.cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)
        out.append((int(f), integral))
    return out


def _box_share(integral: np.ndarray, x0, x1, y0, y1) -> np.ndarray:
    area = np.maximum((x1 - x0) * (y1 - y0), 1)
    total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return total / area


@dataclass
class _Points:
    """Every person's position on every frame of its annotated span, placed in the image (inside it only)."""

    t: np.ndarray  # track frame (the video's numbering as the file is read now)
    u: np.ndarray
    v: np.ndarray
    person: np.ndarray  # index of the person


def _points(scene, rows: int, cols: int, chunk: int = 1000) -> _Points:
    """All the persons' interpolated points, projected a thousand persons at a time (a 20 000-person file took
    55 s scored person by person and frame by frame, a review), kept compact (16 bytes a point)."""
    parts: list[tuple[np.ndarray, ...]] = []
    tracks = list(scene.trajectories.tracks.values())
    for start in range(0, len(tracks), chunk):
        ts, worlds, persons = [], [], []
        for k, track in enumerate(tracks[start:start + chunk], start):
            t = np.arange(track.first, track.last + 1, dtype=np.int64)
            ts.append(t)
            worlds.append(np.stack([np.interp(t, track.frames, track.world[:, 0]),
                                    np.interp(t, track.frames, track.world[:, 1])], axis=1))
            persons.append(np.full(len(t), k, np.int32))
        uv = scene.homography.world_to_pixel(np.concatenate(worlds))
        u, v = uv[:, 0], uv[:, 1]
        ok = np.isfinite(u) & np.isfinite(v) & (u >= 0) & (u < cols) & (v >= 0) & (v < rows)
        parts.append((np.concatenate(ts)[ok].astype(np.int32), u[ok].astype(np.float32), v[ok].astype(np.float32),
                      np.concatenate(persons)[ok]))
    if not parts:
        empty = np.zeros(0, np.int32)
        return _Points(empty, empty.astype(np.float32), empty.astype(np.float32), empty)
    return _Points(*(np.concatenate([p[i] for p in parts]) for i in range(4)))


def _shares(integral: np.ndarray, u: np.ndarray, v: np.ndarray, h: float) -> np.ndarray:
    """(3, N): each anchor's (head, feet, centre) foreground share of the body column at the points."""
    rows, cols = integral.shape[0] - 1, integral.shape[1] - 1
    half = HALF_WIDTH * h
    x0 = np.clip(u - half, 0, cols).astype(int)
    x1 = np.clip(u + half + 1, 0, cols).astype(int)
    out = np.zeros((len(ANCHORS), len(u)))
    for a, (top, bottom) in enumerate(((v, v + h), (v - h, v), (v - h / 2, v + h / 2))):
        y0 = np.clip(top, 0, rows).astype(int)
        y1 = np.clip(bottom + 1, 0, rows).astype(int)
        out[a] = np.where((x1 > x0) & (y1 > y0), _box_share(integral, x0, x1, y0, y1), 0.0)
    return out


def _scores(scene, shown: list[tuple[int, np.ndarray]], cancel: CancelToken | None = None,
            points: _Points | None = None, height: float = HEIGHT_SHARE) -> tuple[int, np.ndarray, np.ndarray]:
    """(the first shift d scored, each anchor's summed column shares per shift, the points per shift): shift
    ``lo + k`` moves the annotations to video frame = track frame + d."""
    annotated, indices = scene.annotated_frames(), list(scene.frames.indices)
    rows, cols = shown[0][1].shape[0] - 1, shown[0][1].shape[1] - 1
    pts = points if points is not None else _points(scene, rows, cols)
    lo, hi = indices[0] - annotated[-1], indices[-1] - annotated[0]  # shifts d: video frame = track frame + d
    n = hi - lo + 1
    sums = np.zeros((len(ANCHORS), n))
    counts = np.zeros(n)
    for f, integral in shown:
        if cancel is not None:
            cancel.raise_if_cancelled()
        d = f - pts.t
        keep = (d >= lo) & (d <= hi)
        k = d[keep] - lo
        shares = _shares(integral, pts.u[keep], pts.v[keep], height * rows)
        counts += np.bincount(k, minlength=n)
        for a in range(len(ANCHORS)):
            sums[a] += np.bincount(k, weights=shares[a], minlength=n)
    return lo, sums, counts


def _agreement(shown: list[tuple[int, np.ndarray]], points: _Points, d: int, anchor: int,
               height: float = HEIGHT_SHARE) -> float:
    """The share of the persons in view at shift ``d`` whose body columns (of ``anchor``) are at least
    :data:`PERSON_COVER` foreground on average over the sampled frames."""
    rows = shown[0][1].shape[0] - 1
    size = int(points.person.max()) + 1 if len(points.person) else 0
    total, seen = np.zeros(size), np.zeros(size)
    for f, integral in shown:
        at = points.t == f - d
        if at.any():
            shares = _shares(integral, points.u[at], points.v[at], height * rows)[anchor]
            total += np.bincount(points.person[at], weights=shares, minlength=size)
            seen += np.bincount(points.person[at], minlength=size)
    means = total[seen > 0] / seen[seen > 0]
    return float(np.mean(means >= PERSON_COVER)) if len(means) else 0.0


def _foreground(integral: np.ndarray) -> np.ndarray:
    return np.diff(np.diff(integral, axis=0), axis=1) > 0


def _recall(shown: list[tuple[int, np.ndarray]], points: _Points, d: int, anchor: int,
            height: float = HEIGHT_SHARE, own_span: bool = False) -> float:
    """The share of the sampled frames' foreground inside some person's body box at shift ``d`` (the box of
    ``anchor``, widened: :data:`BOX_WIDTH`, :data:`BOX_MARGIN`): at the right offset the annotations account for
    the people moving in the clip; where walks of other times cross it by chance, for a few of them."""
    rows, cols = shown[0][1].shape[0] - 1, shown[0][1].shape[1] - 1
    h = height * rows
    half = HALF_WIDTH * h * BOX_WIDTH
    inside = total = counted = 0
    for f, integral in shown:
        at = points.t == f - d
        if own_span and not at.any():  # no annotation at all there: the file's span ends (a clip a second out of
            continue  # step with its own rows: its first second has none, and its people cannot be accounted for)
        counted += 1
        fg = _foreground(integral)
        cover = np.zeros_like(fg)
        for u, v in zip(points.u[at].tolist(), points.v[at].tolist()):
            top, bottom = ((v, v + h), (v - h, v), (v - h / 2, v + h / 2))[anchor]
            x0, x1 = int(max(0, u - half)), int(min(cols, u + half + 1))
            y0, y1 = int(max(0, top - BOX_MARGIN * h)), int(min(rows, bottom + BOX_MARGIN * h + 1))
            cover[y0:y1, x0:x1] = True
        inside += int(np.count_nonzero(fg & cover))
        total += int(np.count_nonzero(fg))
    if 3 * counted < len(shown):  # two thirds of the clip unannotated at this shift: it accounts for too little
        return 0.0
    return inside / total if total else 0.0


def _refined(scene, shown, points: _Points, d: int, anchor: int, background, cancel: CancelToken | None,
             height: float = HEIGHT_SHARE) -> int:
    """Shift ``d`` moved to where the best anchor's column share peaks on :data:`REFINE_FRAMES` frames, within
    :data:`MAX_REFINE` frames of it: the search's 12 frames leave the flat peak a frame or two off (a walk's ETH clip
    got -6879 for -6880, its exported masks then named a frame early: J 0.84 read as 0.62). Measured (BENCHMARKS
    "The frame offset to the frame"): exact on 9 of 11 clips against 8, never more than a frame off against 2."""
    dense = _foregrounds(scene, cancel, REFINE_FRAMES, background) if REFINE_FRAMES > len(shown) else shown
    if not dense:
        return d
    rows = dense[0][1].shape[0] - 1
    best, best_share = d, -1.0
    for shift in range(d - MAX_REFINE, d + MAX_REFINE + 1):
        total, n = 0.0, 0
        for f, integral in dense:
            at = points.t == f - shift
            if at.any():
                total += float(_shares(integral, points.u[at], points.v[at], height * rows)[anchor].sum())
                n += int(at.sum())
        share = total / n if n >= MIN_POINTS else -1.0
        if share > best_share or (share == best_share and abs(shift - d) < abs(best - d)):
            best, best_share = shift, share
    return best


@dataclass
class _Video:
    """What :func:`estimate_offset` measured of the video alone (the median background, the sampled frames'
    foregrounds): the same whichever way the homography is read, so measured once for both pixel orders."""

    background: np.ndarray | None = None
    shown: list | None = None


def estimate_offset(scene, cancel: CancelToken | None = None, video: _Video | None = None,
                    in_video_too: bool = False) -> Job[OffsetFound | None]:
    """Job: the frame offset that puts the annotated persons on the video's moving people (see the module), or
    None: no homography (the points are not placed), annotated frames in the video already, too little
    foreground, or no offset standing clear of the others. ``video``: the video's measurements, filled here when
    empty and taken as they are when not. ``in_video_too``: looked for also when some annotated frames are in
    the video (the homography check found the points off the people there: :func:`.order_check.order_verdict`);
    None when the offset found is the one read now (within :data:`MAX_REFINE` frames)."""
    annotated, indices = scene.annotated_frames(), list(scene.frames.indices)
    if scene.homography.approximate or not annotated or not indices:
        return None
    if not in_video_too and any(f in scene.frames for f in annotated):
        return None
    yield Progress(0, 2, "finding the clip's frame offset: the video's moving people", data={"stage": "prepare"})
    video = video if video is not None else _Video()
    if video.shown is None:
        if video.background is None and len(indices) >= 3:  # (given by a homography check that measured it)
            video.background = median_background(scene, cancel)
        video.shown = _foregrounds(scene, cancel, background=video.background) if video.background is not None else []
    background, shown = video.background, video.shown
    if not shown:
        return None
    yield Progress(1, 2, "finding the clip's frame offset: the annotated points laid over them",
                   data={"stage": "prepare"})
    points = _points(scene, shown[0][1].shape[0] - 1, shown[0][1].shape[1] - 1)
    found, anchor, height = None, None, HEIGHTS[0]
    for height in HEIGHTS:  # the usual body column first; small people's where it finds nothing
        found, anchor = _at_height(scene, shown, points, cancel, height)
        if found is not None:
            break
    if found is None or anchor is None:
        return None
    yield Progress(2, 3, "finding the clip's frame offset: to the frame", data={"stage": "prepare"})
    shift = found.offset - int(getattr(scene.trajectories, "frame_offset", 0))
    d = _refined(scene, shown, points, shift, anchor, background, cancel, height)
    yield Progress(3, 3, "finding the clip's frame offset: done", data={"stage": "prepare"})
    if in_video_too and abs(d) <= MAX_REFINE:  # the offset read now, give or take the refinement's reach: the
        return None  # points are off the people for another reason
    return dataclasses.replace(found, offset=found.offset + d - shift)


def _at_height(scene, shown, points: _Points, cancel: CancelToken | None,
               height: float) -> tuple[OffsetFound | None, int | None]:
    """(the offset found with body columns ``height`` of the rows tall, the anchor it was found with) or (None,
    None): no offset stands clear of the others (the module's tests)."""
    lo, sums, counts = _scores(scene, shown, cancel, points, height)
    scored = counts >= MIN_POINTS
    if not scored.any():
        return None, None
    share = np.where(scored, sums.max(axis=0) / (counts + PRIOR_POINTS), -1.0)
    picked: list[int] = []  # the offsets of the highest share, more than APART frames apart
    for k in np.argsort(-share).tolist():
        if share[k] <= 0 or len(picked) >= CANDIDATES:
            break
        if all(abs(k - j) > APART for j in picked):
            picked.append(int(k))
    if not picked:
        return None, None
    own = all(f in scene.frames for f in scene.annotated_frames())  # the clip's own file, out of step with it
    recalls = {k: _recall(shown, points, lo + k, int(np.argmax(sums[:, k])), height, own) for k in picked}
    score = {k: float(share[k]) * recalls[k] for k in picked}  # on the people, and accounting for them
    best = max(picked, key=lambda k: score[k])
    runner_up = max((score[k] for k in picked if k != best), default=0.0)
    anchor = int(np.argmax(sums[:, best]))
    agreement = _agreement(shown, points, lo + best, anchor, height)
    found = OffsetFound(int(getattr(scene.trajectories, "frame_offset", 0)) + lo + best, float(share[best]),
                        runner_up, int(counts[best]), recalls[best], agreement)
    if found.cover < MIN_COVER or found.recall < MIN_RECALL or score[best] < CLEAR * runner_up:
        return None, None
    if found.agreement < MIN_AGREEMENT:
        return None, None
    return found, anchor


class _Swapped:
    """The scene with its homography's pixel order swapped (everything else is the scene's own)."""

    def __init__(self, scene) -> None:
        from .homography import Homography

        self._scene = scene
        h = scene.homography
        self.homography = Homography(h.matrix[:, [1, 0, 2]], path=h.path, reference_pixel=h.reference_pixel)

    def __getattr__(self, name: str):
        return getattr(self._scene, name)


def estimate_offset_either_order(scene, cancel: CancelToken | None = None, in_video_too: bool = False,
                                 background: np.ndarray | None = None) -> Job[tuple[OffsetFound | None, bool]]:
    """Job: (:func:`estimate_offset`, whether it was found with the homography's pixel order swapped): the order
    given first; where it finds no offset, the other one (a walk's original ETH ``H.txt``, which takes (row, col),
    read as (u, v) with a clip's ``obsmat.txt``: each check needed the other's answer first, and neither came).
    ``background``: the video's median background where the caller measured it already."""
    video = _Video(background=background)
    found = yield from estimate_offset(scene, cancel, video, in_video_too)
    homography = getattr(scene, "homography", None)
    if found is not None or homography is None or homography.approximate:
        return found, False
    swapped = yield from estimate_offset(_Swapped(scene), cancel, video, in_video_too)  # the video measured once
    return swapped, swapped is not None


def found_offset_text(found: OffsetFound, command: bool = True, swapped_to: str | None = None) -> str:
    """The estimate said as a next step: where the annotations meet the video's moving people (``swapped_to``: the
    pixel order, uv or rowcol, the homography must be read in for that: found with the order swapped)."""
    said = (f"there {found.agreement:.0%} of the annotated persons in view stand on moving people, and their bodies "
            f"hold {found.recall:.0%} of the moving pixels")
    if swapped_to is not None:
        how = "(row, col)" if swapped_to == "rowcol" else "(u, v)"
        return (f"with the homography read in the other pixel order, {how} (the original ETH H.txt takes (row, col)), "
                f"the video's moving people match the annotations at frame offset {found.offset} ({said}); "
                + (f"try --h-order {swapped_to} --frame-offset {found.offset} and check that the points then sit on "
                   "the people" if command else "read the homography that way first; the offset is offered then"))
    return (f"the video's moving people match the annotations at frame offset {found.offset} (found in the video: "
            f"{said}); check that the points then sit on the people"
            + (f" (--frame-offset {found.offset})" if command else ""))
