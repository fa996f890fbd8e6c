"""A homography estimated from the video when the scene has none (``humanseg calibrate``).

Without a homography the scene places the trajectories by their world extent alone
(:meth:`.homography.Homography.fit_to_extent`): same scale on both axes, no perspective, world y up. On a
held-out scene that cost the proposals half their quality (zara01_harsh: median IoU 0.787 with its
homography, 0.476 without). The video shows where people are, so the world positions can be matched to it:

1. a median background of frames spread over the video, and on sampled annotated frames the blobs of
   what differs from it (moving people);
2. for each of the body points a track may mark (feet, head, centre: the blob's bottom middle, top middle
   or centroid) and each of the 8 ways the world axes may lie in the image (the extent fit, mirrored and
   swapped), an iterative closest point fit: project the frame's world positions, pair them one-to-one
   with the blob points (the least total distance) within a shrinking radius, fit the map robustly
   (RANSAC: a similarity first, then a homography);
3. the fit with the most pairs agreeing within a few pixels wins.

The result is marked approximate; the CLI writes it as a pixel -> world ``H.txt`` to pass as
``--homography``. It needs people who move and are seen apart on some frames: when under
``CalibrateConfig.min_share`` of the positions in view match, a clear error says so rather than return a
wrong fit (measured: the zara01 and students03 scenes and the demo calibrate, matching 36-65 % of their
positions; ETH's crowds and zara02, whose still holds real people, matched 8-26 % and are refused).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from ..errors import FrameError, HomographyError
from ..jobs import CancelToken, Job, Progress
from .foreground import difference
from .homography import ESTIMATED_MARK, Homography
from .stack_median import stack_median

ANCHORS = ("feet", "head", "centre")
# the share of the positions in view a reliable fit matches: the held-out scenes that calibrated well matched
# 36-47 %, the wrong fits (ETH crowds, zara02 with real people in the still) 8-26 %
RELIABLE_SHARE = 0.3
UNMATCHED_MIN = 3  # sampled frames in the image before a person never matched is named (Calibration.unmatched)


@dataclass(frozen=True)
class CalibrateConfig:
    sample_frames: int = 60  # frames (within the annotated span) whose blobs are matched
    background_frames: int = 40  # frames spread over the video for the median background
    rounds: int = 8  # closest-point rounds per start
    min_pairs: int = 12  # agreeing (position, blob) pairs needed to trust a fit
    min_share: float = RELIABLE_SHARE  # ... and the share of the positions in view they must be
    threshold: float = 25.0  # grey levels from the background that count as a change


class WeakCalibration(HomographyError):
    """A fit was found but matched under ``CalibrateConfig.min_share`` of the positions in view (a lower
    share can be asked for: ``humanseg calibrate --min-share``). ``found``: that fit, and ``needed``: the share
    it missed, for a caller that shows it (the studio: its points on a frame, to be kept anyway or not)."""

    def __init__(self, path, problem: str, line: int | None = None, found: Calibration | None = None,
                 needed: float = RELIABLE_SHARE) -> None:
        super().__init__(path, problem, line)
        self.found = found
        self.needed = needed


@dataclass
class Calibration:
    homography: Homography  # pixel -> world, approximate
    anchor: str  # the body point the positions matched best: feet, head or centre
    pairs: int  # positions whose projection lies within the tolerance of a blob point
    residual_px: float  # their median distance
    frames: int  # sampled frames with blobs
    positions: int = 0  # the positions on those frames inside the image as fitted (the share matched: pairs / this)
    # persons in the image on UNMATCHED_MIN sampled frames or more whose positions matched no moving person on
    # any: standing still (in the median background) or hidden; their points rest on the fit alone (a walk: a
    # standing group's points landed on each other, J 0.00 for one of them, and nothing named them)
    unmatched: tuple[int, ...] = ()


def _blobs(img: np.ndarray, background: np.ndarray, threshold: float, min_area: int) -> dict[str, np.ndarray]:
    """{anchor: (N, 2) points} of the blobs where ``img`` differs from ``background``."""
    fg: np.ndarray = (difference(img, background) > threshold).astype(np.uint8)  # a brightness drift taken off
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, _labels, stats, centroids = cv2.connectedComponentsWithStats(fg, connectivity=8)
    keep = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= min_area]
    if not keep:
        return {a: np.zeros((0, 2)) for a in ANCHORS}
    s = stats[keep].astype(np.float64)
    middle = s[:, cv2.CC_STAT_LEFT] + s[:, cv2.CC_STAT_WIDTH] / 2.0
    return {"feet": np.column_stack([middle, s[:, cv2.CC_STAT_TOP] + s[:, cv2.CC_STAT_HEIGHT] - 1]),
            "head": np.column_stack([middle, s[:, cv2.CC_STAT_TOP]]),
            "centre": centroids[keep].astype(np.float64)}


def _project(m: np.ndarray, xy: np.ndarray) -> np.ndarray:
    h = np.column_stack([xy, np.ones(len(xy))]) @ m.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return h[:, :2] / h[:, 2:3]


def _pairs(m: np.ndarray, samples: list, anchor: str, radius: float, matched: list | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(world points, blob points, distances) of each position's nearest blob point within ``radius``;
    ``matched``: given a list, each sample's matched position rows are appended to it (one array a sample)."""
    world, image, dist = [], [], []
    sizes = [len(positions) for positions, _blobs in samples]  # every sample's positions projected at once
    every = _project(m, np.concatenate([positions for positions, _blobs in samples])) if sum(sizes) else None
    ends = np.cumsum(sizes)
    for (positions, blobs), end, size in zip(samples, ends, sizes, strict=True):
        if matched is not None:
            matched.append(np.zeros(0, int))
        pts = blobs[anchor]
        if not len(pts) or not size or every is None:
            continue
        uv = every[end - size:end]
        step = uv[:, None, :] - pts[None, :, :]
        d = np.sqrt(step[..., 0] ** 2 + step[..., 1] ** 2)
        d[~np.isfinite(d)] = 1e9
        rows, cols = linear_sum_assignment(np.minimum(d, radius * 2))  # one blob point per position
        ok = d[rows, cols] <= radius
        if matched is not None:
            matched[-1] = rows[ok]
        world.append(positions[rows[ok]])
        image.append(pts[cols[ok]])
        dist.append(d[rows, cols][ok])
    if not world:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0)
    return np.concatenate(world), np.concatenate(image), np.concatenate(dist)


def _starts(world: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    """World -> pixel matrices of the extent fit for the 8 ways the world axes may lie in the image."""
    out = []
    for swap, fx, fy in itertools.product((False, True), (1.0, -1.0), (1.0, -1.0)):
        t = np.array([[0.0, fx, 0.0], [fy, 0.0, 0.0], [0, 0, 1.0]]) if swap else \
            np.array([[fx, 0.0, 0.0], [0.0, fy, 0.0], [0, 0, 1.0]])
        moved = _project(t, world)
        fit = Homography.fit_to_extent(moved, width, height)
        out.append(fit.inverse @ t)
    return out


def _refine(m: np.ndarray, samples: list, anchor: str, diag: float, config: CalibrateConfig
            ) -> tuple[np.ndarray, int, float]:
    """Closest-point rounds from ``m``: (world -> pixel matrix, agreeing pairs, their median distance)."""
    tolerance = _tolerance(diag)
    for k in range(config.rounds):
        radius = diag * max(0.03, 0.15 * (0.6 ** k))
        world, image, _d = _pairs(m, samples, anchor, radius)
        if len(world) < config.min_pairs:
            return m, 0, float("inf")
        if k < 2:  # a similarity first: stable from a rough start
            a, _inl = cv2.estimateAffinePartial2D(world.astype(np.float32), image.astype(np.float32),
                                                   method=cv2.RANSAC, ransacReprojThreshold=radius / 2)
            if a is None:
                return m, 0, float("inf")
            new = np.vstack([a, [0.0, 0.0, 1.0]])
        else:
            new, _inl = cv2.findHomography(world, image, cv2.RANSAC, tolerance)
            if new is None:
                return m, 0, float("inf")
        m = new
    _w, _i, dist = _pairs(m, samples, anchor, tolerance)
    return m, int(len(dist)), float(np.median(dist)) if len(dist) else float("inf")


def _ground_below_horizon(m: np.ndarray, samples: list, width: int, height: int) -> bool:
    """Whether world -> pixel ``m`` keeps the ground plane on one side of its horizon from the positions it places
    in the image down to the image's bottom edge, as a camera looking down at people sees it. A fit whose horizon
    crosses below the people (the ground there seen from behind) is a wrong one that happened to match: a walk's
    80-frame clip matched 161 of 387 positions within 3 px with such a fit, 94 px off the true points."""
    try:
        row = np.linalg.inv(m)[2]  # pixel -> world: its third coordinate changes sign across the horizon
    except np.linalg.LinAlgError:
        return False
    placed = [_project(m, positions) for positions, _b in samples if len(positions)]
    uv = np.concatenate(placed) if placed else np.zeros((0, 2))
    uv = uv[np.isfinite(uv).all(axis=1)]
    uv = uv[(uv[:, 0] >= 0) & (uv[:, 0] < width) & (uv[:, 1] >= 0) & (uv[:, 1] < height)]
    bottom = np.array([[0.0, height - 1.0], [(width - 1) / 2.0, height - 1.0], [width - 1.0, height - 1.0]])
    w = np.concatenate([uv, bottom]) @ row[:2] + row[2]
    return bool(np.all(w > 0) or np.all(w < 0))


def _tolerance(diag: float) -> float:
    """Pixels within which a projected position agrees with a blob point."""
    return max(3.0, 0.012 * diag)


def _in_view(m: np.ndarray, samples: list, owners: list, anchor: str, diag: float, width: int,
             height: int) -> tuple[int, tuple[int, ...]]:
    """(the positions on the sampled frames inside the image as fitted; the persons in the image on
    UNMATCHED_MIN sampled frames or more whose positions never matched)."""
    matched: list = []
    _pairs(m, samples, anchor, _tolerance(diag), matched)
    inside_total = 0
    seen: dict[int, int] = {}
    hit: set[int] = set()
    for (positions, _b), pids, rows in zip(samples, owners, matched):
        if not len(positions):
            continue
        uv = _project(m, positions)
        inside = (uv[:, 0] >= 0) & (uv[:, 0] < width) & (uv[:, 1] >= 0) & (uv[:, 1] < height)
        inside_total += int(inside.sum())
        for pid in pids[inside]:
            seen[int(pid)] = seen.get(int(pid), 0) + 1
        hit.update(int(pid) for pid in pids[rows])
    return inside_total, tuple(sorted(pid for pid, n in seen.items() if n >= UNMATCHED_MIN and pid not in hit))


def calibrate_job(scene, config: CalibrateConfig = CalibrateConfig(),
                  cancel: CancelToken | None = None) -> Job[Calibration]:
    """Job: a homography for ``scene`` (whatever its own) from its video and trajectories; reports the
    frames read, then the fits. Raises HomographyError naming the trajectory file when too few positions
    match the video."""
    frames = scene.frames
    width, height = int(frames.width), int(frames.height)
    diag = float(np.hypot(width, height))
    indices = list(frames.indices)
    in_video = set(indices)
    annotated = [f for f in scene.annotated_frames() if f in in_video]
    if not annotated:
        from .scene import offset_hint

        hint = offset_hint(scene)
        raise HomographyError(scene.trajectories.path, "no annotated frame is in the video: nothing to calibrate on"
                              + (f"; {hint}" if hint else "; check the frame offset and step"))
    spread = [indices[i] for i in np.linspace(0, len(indices) - 1, min(config.background_frames, len(indices))
                                              ).astype(int)]
    # every frame between the first and last annotation has positions (interpolated between annotations)
    spanned = [f for f in indices if annotated[0] <= f <= annotated[-1]]
    picked = [spanned[i] for i in np.linspace(0, len(spanned) - 1, min(config.sample_frames, len(spanned))
                                              ).astype(int)]
    total = len(spread) + len(picked) + 1
    stack, done = [], 0
    for f in spread:
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            stack.append(frames.read(f))
        except (FrameError, OSError):  # an unreadable frame only thins the background's sample
            pass
        done += 1
        yield Progress(done, total, f"background: frame {f}", data={"stage": "background"})
    if not stack:
        raise HomographyError(scene.trajectories.path, "no frame of the video could be read to calibrate on")
    background = stack_median(np.stack(stack))
    del stack
    min_area = max(12, int(2e-4 * width * height))
    samples: list = []
    owners: list = []  # each sample's persons, in its positions' order
    tracks = scene.trajectories.tracks
    for f in sorted(set(picked)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            img = frames.read(f)
        except (FrameError, OSError):
            img = None
        if img is not None:
            placed = [(pid, t.position(f)) for pid, t in tracks.items() if t.first <= f <= t.last]
            placed = [(pid, p) for pid, p in placed if p is not None]
            pos = np.array([p for _pid, p in placed], np.float64).reshape(-1, 2)
            samples.append((pos, _blobs(img, background, config.threshold, min_area)))
            owners.append(np.array([pid for pid, _p in placed], np.int64))
        done += 1
        yield Progress(done, total, f"people seen on frame {f}", data={"stage": "blobs"})
    world = scene.trajectories.all_world()
    best: tuple | None = None
    starts = _starts(world, width, height)
    for anchor in ANCHORS:
        for start in starts:
            if cancel is not None:
                cancel.raise_if_cancelled()
            m, n, residual = _refine(start, samples, anchor, diag, config)
            if n and not _ground_below_horizon(m, samples, width, height):
                n, residual = 0, float("inf")  # the ground seen from behind below the people: not a camera's view
            if best is None or (n, -residual) > (best[1], -best[2]):
                best = (m, n, residual, anchor)
    yield Progress(total, total, "fitted", data={"stage": "fit"})
    if best is None or best[1] < config.min_pairs:
        got = 0 if best is None else best[1]
        raise HomographyError(scene.trajectories.path,
                              f"only {got} positions matched moving people in the video (at least {config.min_pairs} "
                              f"needed): no homography could be estimated"
                              f"{_too_short(annotated, samples, len(indices), config) or ';'} use the scene's own "
                              "homography file (`--homography` of propose and run)")
    m, n, residual, anchor = best
    inside, unmatched = _in_view(m, samples, owners, anchor, diag, width, height)
    try:
        pixel_to_world = np.linalg.inv(m)
    except np.linalg.LinAlgError:
        raise HomographyError(scene.trajectories.path, "the estimated homography cannot be inverted") from None
    h = Homography(pixel_to_world / pixel_to_world[2, 2], approximate=True).with_reference(width / 2.0, height - 1.0)
    found = Calibration(h, anchor, n, residual, len(samples), inside, unmatched)
    if n < config.min_share * max(inside, 1):
        raise WeakCalibration(scene.trajectories.path,
                              f"only {n} of {inside} positions ({n / max(inside, 1):.0%}) matched moving people in "
                              f"the video (at least {config.min_share:.0%} needed): no homography could be estimated "
                              "reliably (people seen together, standing still, hidden or leaving few traces on the "
                              "background); use the scene's own homography file (`--homography` of propose and "
                              "run), or go on without one (the positions then come from the tracks' extent: "
                              "approximate, flagged)",
                              found=found, needed=config.min_share)
    return found


SHORT_CLIP = 50  # frames under which the background (their median) may keep the people who moved little in them


def _too_short(annotated: list[int], samples: list, frames: int, config: CalibrateConfig) -> str:
    """Why a short clip could not match, or "": too few positions on its annotated frames for a fit, or too few
    frames for a background without its people (a walk's clip holding one annotated frame read "0 positions
    matched" alone)."""
    from ..wording import plural

    positions = sum(len(pos) for pos, _blobs in samples)
    if positions < config.min_pairs:
        return (f" (the video holds {plural(len(annotated), 'annotated frame')} with {plural(positions, 'position')} "
                "in all); give a longer stretch of the video, with more annotated frames, or")
    if frames < SHORT_CLIP:
        return (f" (the video holds {plural(frames, 'frame')}, too few for a background without its people: their "
                "median keeps those who moved little); give a longer stretch of the video, or")
    return ""


def unmatched_text(found: Calibration, limit: int = 12) -> str:
    """What to check first: the persons whose positions matched nobody moving (``Calibration.unmatched``);
    "" when there are none."""
    if not found.unmatched:
        return ""
    shown = ", ".join(map(str, found.unmatched[:limit]))
    more = f" and {len(found.unmatched) - limit} more" if len(found.unmatched) > limit else ""
    one = len(found.unmatched) == 1
    return (f"{'person' if one else 'persons'} {shown}{more} never matched anyone moving in the video (standing "
            f"still, or hidden): {'its' if one else 'their'} points rest on the fit alone, so check "
            f"{'it' if one else 'them'} first")


def preview(scene, found: Calibration) -> tuple[int, np.ndarray, tuple[int, int]] | None:
    """(frame, BGR image, its top-left corner in the frame): the annotated frame with the most persons in view
    under the estimate, cut to where they are, each person's point drawn where the estimate puts it with its
    id; green for persons who matched someone moving, orange for those who never did
    (``Calibration.unmatched``). What the analyst looks at before keeping the estimate (a walk could not see
    the points before choosing). None when no annotated frame can be read."""
    frames = scene.frames
    width, height = int(frames.width), int(frames.height)
    in_video = set(frames.indices)
    tracks = scene.trajectories.tracks
    best: tuple[int, int, list] | None = None
    for f in scene.annotated_frames():
        if f not in in_video:
            continue
        placed = []
        for pid, t in tracks.items():
            xy = t.position(f) if t.first <= f <= t.last else None
            if xy is None:
                continue
            u, v = found.homography.world_to_pixel(np.asarray(xy, float))
            if np.isfinite(u) and np.isfinite(v) and 0 <= u < width and 0 <= v < height:
                placed.append((int(pid), float(u), float(v)))
        if best is None or len(placed) > best[1]:
            best = (int(f), len(placed), placed)
    if best is None:
        return None
    try:
        image = np.ascontiguousarray(frames.read(best[0]))
    except (FrameError, OSError):
        return None
    radius = max(3, round(0.006 * np.hypot(width, height)))
    unmatched = set(found.unmatched)
    for pid, u, v in best[2]:
        colour = (0, 140, 255) if pid in unmatched else (60, 220, 60)
        centre = (int(round(u)), int(round(v)))
        cv2.circle(image, centre, radius + 2, (0, 0, 0), -1)
        cv2.circle(image, centre, radius, colour, -1)
        cv2.putText(image, str(pid), (centre[0] + radius + 2, centre[1] - radius), cv2.FONT_HERSHEY_SIMPLEX,
                    0.45, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(image, str(pid), (centre[0] + radius + 2, centre[1] - radius), cv2.FONT_HERSHEY_SIMPLEX,
                    0.45, colour, 1, cv2.LINE_AA)
    # cut to the points and a margin, so that small people show at a readable size
    us = [u for _p, u, _v in best[2]] or [width / 2.0]
    vs = [v for _p, _u, v in best[2]] or [height / 2.0]
    margin = max(0.15 * max(width, height), 40.0)
    x0, x1 = max(0, int(min(us) - margin)), min(width, int(max(us) + margin) + 1)
    y0, y1 = max(0, int(min(vs) - margin)), min(height, int(max(vs) + margin) + 1)
    return best[0], np.ascontiguousarray(image[y0:y1, x0:x1]), (x0, y0)


def homography_text(found: Calibration, video: str | Path) -> str:
    """The file text of a calibration: the pixel -> world matrix, and how it was made (``#`` comments)."""
    rows = "\n".join(" ".join(f"{v:.10g}" for v in row) for row in np.asarray(found.homography.matrix))
    share = found.pairs / max(1, found.positions)
    # a fit forced below the share a reliable one matches says so wherever its note is quoted (a walk forced
    # 13 %: projections off by 71 px, and the proposals' warning read like a good fit's)
    low = (f", {share:.0%}: under the {RELIABLE_SHARE:.0%} a reliable fit matches, its positions may be far off"
           if share < RELIABLE_SHARE else "")
    return (f"# pixel (u, v, 1) -> world metres, {ESTIMATED_MARK} from {video}\n"
            f"# approximate: {found.pairs} of {found.positions} positions matched moving people "
            f"(median {found.residual_px:.1f} px{low}), the track points taken as the {found.anchor}\n{rows}\n")


def save_homography(path: str | Path, found: Calibration, video: str | Path) -> None:
    """Write :func:`homography_text` to ``path`` whole or not at all (a temporary file beside it, renamed);
    HomographyError naming the file when it cannot be written."""
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(homography_text(found, video), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise HomographyError(path, f"cannot write the homography ({exc.strerror or exc})") from None
