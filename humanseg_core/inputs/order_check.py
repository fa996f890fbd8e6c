"""Whether the video agrees with the homography's pixel order (uv or rowcol), or with the other one.

The original ETH ``H.txt`` takes the pixel as (row, col); read as (u, v) it maps the world elsewhere, and in
ETH's 640x480 frames every point may still fall inside the image, so the inside-share check of
:func:`.scene._check` says nothing. A new-user walk proposed masks that way: 21 proposals scored 0.75-1.00,
J 0.000 against the truth, no warning. The video tells: at the right positions the annotated persons stand
on moving foreground.

:func:`swapped_order_warning` reads a few annotated frames and a median background, places a narrow body
column at each point (head, feet or centre: :mod:`humanseg_core.proposals.anchor_fit`'s test) under the
given matrix and under its columns swapped, and compares the best anchor's foreground coverage. Measured on
the eleven composed scenes (BENCHMARKS "The homography's pixel order checked against the video"; 8 frames, 20
for the background, 0.3-0.8 s): the right order covers 0.14-0.71 of the columns, the swapped one 0.06-0.32 of
that; each scene's matrix given swapped is found, the swapped order covering 3.1-16.6x the given one.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import FrameError, HomographyError
from ..jobs import CancelToken, Job, Progress
from .blank_frames import content_reader
from .foreground import difference
from .homography import Homography
from .stack_median import stack_median

SAMPLE_FRAMES = 8  # annotated frames whose foreground is measured
BACKGROUND_FRAMES = 20  # frames spread over the video for the median background
THRESHOLD = 25.0  # grey levels from the background that count as a change
HEIGHT_SHARE = 0.13  # the body column's height, a share of the image height (the same for both orders)
HALF_WIDTH = 0.12  # the column's half-width, a share of that height
RATIO = 1.5  # the swapped order must cover this many times the given one ...
MIN_COVER = 0.1  # ... and at least this share of the columns to be offered where neither order fits
# ... and this share to be called the wrong pixel order where the reading is not called a misfit (7 Dec: 24 px people
# read the wrong way round cover 0.100-0.101 swapped, on either side of 0.1 from one version to the next; no right
# reading of 26 covers 0.08 swapped and 1.5 times as read)
SWAP_COVER = 0.08
# as read, under this share nobody seems to stand at the points (right matrices: 0.14-0.71; another scene's
# matrix, a walk's: 0.05-0.08) ... unless the swapped order covers this share or more, as right ones do
LOW = 0.1
GOOD = 0.3
MIN_MOVING = 0.005  # ... in a video where this share of the sampled frames moves at least
# under GOOD, a right reading covers at least this many times what the other order covers (measured on the 22
# composed scenes: 11.7-45.6 for the six under GOOD; a crowd of 30 px people composed later, 4.9); another scene's
# matrix, read either way, 2.3-3.2 (a walk clicked "read as (row, col)" on one, and every warning went while the
# points lay on the wrong people)
DISTINCT = 4.0
# under GOOD, a right reading covers more than this many times what the same matrix covers by chance: each
# sampled frame's foreground with the points of the other sampled frames (:func:`_chance`). BENCHMARKS "Another
# scene's homography near the people": right matrices 1.6-13.9 (under GOOD 1.7-11.8, the lowest a crowd of
# 32 px people); another scene's matrix 0.7-1.6 (a walk's zara01 matrix over an ETH clip, its points near the
# clip's standing people: 10.7 % of a body as read, 1.2 % swapped, 1.0x chance, passed the rules above and its
# proposals on the wrong people scored up to 0.93)
CHANCE = 1.35
# ... where the camera stands still: a camera that follows a person keeps that person at other moments' points
# too (DAVIS lucia: 58 % as read, 57 % by chance), and most of each frame changes (moving: 0.24-0.60 on the real
# DAVIS sequences, 0.01-0.07 on the surveillance scenes; the proposals' moving-camera share is 0.4)
STILL_CAMERA = 0.2
# a reading at least SURE times what chance gives (and at least SURE_MIN) is not called weak by LOW nor DISTINCT:
# right matrices in dense crowds of 25-40 px people read 3.0-3.6 times their swapped order (under DISTINCT) at 2.1-2.3
# times chance, tiny people's 9 % at 2.4-4.4 times; another place's matrix 0.7-1.75 (BENCHMARKS "A false-alarm
# hunt")
SURE = 2.0
SURE_MIN = 0.05


def _read(scene, f: int) -> np.ndarray | None:
    try:  # an unreadable frame only thins the sample; so does a black one (it reads as moving everywhere)
        return content_reader(scene.frames)(f)
    except (FrameError, OSError):
        return None


def median_background(scene, cancel: CancelToken | None = None) -> np.ndarray | None:
    """The median of :data:`BACKGROUND_FRAMES` frames spread over the video (int16), or None when fewer than
    three could be read."""
    indices = list(scene.frames.indices)
    spread = [indices[i] for i in np.linspace(0, len(indices) - 1, min(BACKGROUND_FRAMES, len(indices))).astype(int)]
    stack = []
    for f in spread:
        if cancel is not None:
            cancel.raise_if_cancelled()
        img = _read(scene, f)
        if img is not None:
            stack.append(img)
    if len(stack) < 3:
        return None
    return stack_median(np.stack(stack)).astype(np.int16)


def _coverage(cover: list[tuple[np.ndarray, dict]], homography: Homography, h: float) -> float:
    """The best anchor's mean foreground coverage of the body columns at the points ``homography`` gives."""
    totals = {a: [0.0, 0] for a in ("head", "feet", "centre")}
    for fg, world in cover:
        rows, cols = fg.shape
        pids = list(world)
        uv = homography.world_to_pixel(np.array([world[p] for p in pids], np.float64).reshape(-1, 2))
        for u, v in uv:
            if not (np.isfinite(u) and np.isfinite(v) and 0 <= u < cols and 0 <= v < rows):
                continue
            x0, x1 = int(max(0, u - HALF_WIDTH * h)), int(min(cols, u + HALF_WIDTH * h + 1))
            for anchor, (top, bottom) in (("head", (v, v + h)), ("feet", (v - h, v)),
                                          ("centre", (v - h / 2, v + h / 2))):
                y0, y1 = int(max(0, top)), int(min(rows, bottom + 1))
                if x1 > x0 and y1 - y0 >= 0.5 * h:
                    totals[anchor][0] += float(fg[y0:y1, x0:x1].mean())
                    totals[anchor][1] += 1
    means = [s / n for s, n in totals.values() if n]
    return max(means) if means else 0.0


def order_coverages(scene, cancel: CancelToken | None = None) -> tuple[float, float] | None:
    """(given, swapped): how much of the body columns the video's foreground covers at the annotated points,
    under the scene's homography and under its pixel order swapped; None when the scene's homography is an
    approximation or too little of the video could be read."""
    found = _measure(scene, cancel)
    return None if found is None else found[:2]


class _Measured(NamedTuple):
    given: float  # the body columns' foreground coverage under the matrix as read
    swapped: float  # ... with its pixel order swapped
    moving: float  # the share of the sampled frames that moves at all
    chance: float  # as read, by chance (:func:`_chance`): other frames' points
    background: np.ndarray  # the median background (the offset search after a misfit takes it: one, not two)
    cover: list  # [(foreground, {pid: world point})] of the sampled frames (:func:`rescaled_fit` weighs them again)
    h: float  # the body column's height in pixels


def _chance(cover: list[tuple[np.ndarray, dict]], homography: Homography, h: float) -> float:
    """The coverage a matrix gets by chance: each sampled frame's foreground with the points of every other
    sampled frame, averaged (0 with one frame)."""
    n = len(cover)
    shifted = [_coverage([(cover[i][0], cover[(i + k) % n][1]) for i in range(n)], homography, h)
               for k in range(1, n)]
    return float(np.mean(shifted)) if shifted else 0.0


def _measure(scene, cancel: CancelToken | None = None) -> _Measured | None:
    """:func:`order_coverages`' (given, swapped) and what else the verdict weighs (:class:`_Measured`)."""
    homography = scene.homography
    if homography.approximate:
        return None
    indices = list(scene.frames.indices)
    in_video = set(indices)
    annotated = [f for f in scene.annotated_frames() if f in in_video]
    if len(annotated) < 2 or len(indices) < 3:
        return None
    sample = [annotated[i] for i in np.linspace(0, len(annotated) - 1, min(SAMPLE_FRAMES, len(annotated))).astype(int)]
    background = median_background(scene, cancel)
    if background is None:
        return None
    cover = []
    tracks = scene.trajectories.tracks
    for f in sorted(set(sample)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        img = _read(scene, f)
        world = {p: t.position(f) for p, t in tracks.items() if t.first <= f <= t.last}
        world = {p: w for p, w in world.items() if w is not None}
        if img is not None and world and img.shape[:2] == background.shape[:2]:
            cover.append((difference(img, background) > THRESHOLD, world))  # a brightness drift taken off (a
            # helper's wrong pixel order passed unsaid, J 0.006: the drift read as people everywhere)
    if not cover:
        return None
    try:
        swapped = Homography(homography.matrix[:, [1, 0, 2]], reference_pixel=homography.reference_pixel)
    except HomographyError:
        return None
    h = HEIGHT_SHARE * float(scene.height)
    moving = float(np.mean([fg.mean() for fg, _world in cover]))
    return _Measured(_coverage(cover, homography, h), _coverage(cover, swapped, h), moving,
                     _chance(cover, homography, h), background, cover, h)


SCALES = (0.5, 2 / 3, 0.75, 0.8, 1.25, 4 / 3, 1.5, 2.0)  # a resized copy's size against the original's
# the best scale's coverage must be this many times as read's, chance's and the swapped order's (demo copies at
# 0.5-2x: 0.63-0.70 at the right scale, at most 0.20 as read and 0.20 by chance)
RESCALE_RATIO = 2.5
RESCALE_MIN = 0.45  # ... and reach this; true copies 0.54-0.70, another scene's matrix at best 0.36 (a broad bump)
RESCALE_PEAK = 1.5  # ... and this many times the next best scale's (true copies 1.8-3.8x)


def rescaled_fit(homography: Homography, found: _Measured) -> tuple[float, float] | None:
    """(scale, coverage) when the video looks like a copy of the one the homography was made for, resized by
    ``scale``: the points, their pixels scaled so, cover the moving people well and far better than as read (a
    walk's half-size copy of a recording was told only that the matrix "does not fit"); else None."""
    matrix = getattr(homography, "matrix", None)
    if matrix is None:
        return None
    fits = []
    for s in SCALES:
        try:  # pixel -> world of the resized copy: the original's pixels are the copy's divided by s
            scaled = Homography(np.asarray(matrix) @ np.diag([1 / s, 1 / s, 1.0]),
                                reference_pixel=homography.reference_pixel)
        except HomographyError:
            continue
        fits.append((_coverage(found.cover, scaled, found.h), s))
    if not fits:
        return None
    fits.sort(reverse=True)
    best, s = fits[0]
    runner_up = fits[1][0] if len(fits) > 1 else 0.0
    floor = RESCALE_RATIO * max(found.given, found.chance, found.swapped, 0.01)  # far above as read and chance
    if best < RESCALE_MIN or best < floor or best < RESCALE_PEAK * runner_up:  # one scale stands out, clearly
        return None
    return s, best


def _offset_now(scene) -> str:
    """'read with frame offset 0 (video frame = offset + 1 x annotation frame)' for the scene's trajectories."""
    traj = scene.trajectories
    return (f"read with {int(getattr(traj, 'frame_offset', 0))} (video frame = offset + "
            f"{int(getattr(traj, 'frame_step', 1))} x annotation frame; --frame-offset, Frame offset in the Open "
            "dialog)")


def _other_direction(direction: str) -> str:
    return "pixel-to-world" if direction == "world-to-pixel" else "world-to-pixel"


# what a right homography reads, in the misfit's text (the studio's banner leaves it out: a re-walk's ran 140 px)
BASIS = " (a right homography: 10-79 %; under 30 %, at least 4 times the swapped order's and 1.35 times chance's)"
NOT_FITTING = "does not fit this video"  # in the warning when neither pixel order puts the points on moving people


def does_not_fit(said: str) -> bool:
    """Whether a :func:`swapped_order_warning` says that the homography does not fit the video at all (not only
    that the other pixel order fits better)."""
    return NOT_FITTING in said


def swapped_order_warning(scene, order: str, cancel: CancelToken | None = None,
                          direction: str = "pixel-to-world") -> str:
    """A warning when the video agrees far better with the homography's pixel order swapped (``order``: the
    one it was read with, uv or rowcol), else ''."""
    return order_verdict(scene, order, cancel, direction)[0]


def order_verdict(scene, order: str, cancel: CancelToken | None = None,
                  direction: str = "pixel-to-world") -> tuple[str, bool]:
    """(:func:`swapped_order_warning`'s text, whether the swapped pixel order fits the video better: the
    studio offers it as one click)."""
    text, worth, _offset = verdict_and_offset(scene, order, cancel, direction)
    return text, worth


def _misfit_offset(scene, cancel: CancelToken | None, background: np.ndarray | None = None):
    """(the frame offset found in the video, whether found with the pixel order swapped) for a homography that
    does not fit the video: a clip of a longer recording whose frame numbers happen to overlap the file's (a walk's
    zara02 clip, frames 0..149, read with the recording's file: its frames 10..140 in the clip, 0 proposals, "check
    the frame offset" and no offset), or a clip a second or more out of step with its own file (a hunt's: every
    annotated frame in the video, 0.000 median IoU, and only "check the frame offset"). (None, False) when no other
    offset stands out (:func:`.offset_estimate.estimate_offset`)."""
    from ..jobs import run_job
    from .offset_estimate import estimate_offset_either_order

    if getattr(scene, "frames", None) is None:
        return None, False
    return run_job(estimate_offset_either_order(scene, cancel, in_video_too=True, background=background))


def misfit_reason(scene) -> str:
    """Why a trajectory file whose offset the video shows does not fit as read: every annotated frame in the video
    (a hunt's clip a second out of step with its own file), or frames beyond it (a clip of a longer recording)."""
    if all(f in scene.frames for f in scene.annotated_frames()):
        return "its frames are out of step with the video's"
    return "it annotates a longer recording than this clip"


def verdict_and_offset(scene, order: str, cancel: CancelToken | None = None,
                       direction: str = "pixel-to-world") -> tuple[str, bool, tuple | None]:
    """:func:`order_verdict`, and (the frame offset found, whether it needs the other pixel order) when the
    homography does not fit the video and the video shows where the annotations meet it (the text says so)."""
    found = _measure(scene, cancel)
    if found is None:
        return "", False, None
    given, swapped, moving, chance, background = found[:5]
    other = "uv" if order == "rowcol" else "rowcol"
    name = f" {scene.homography.path.name}" if scene.homography.path is not None else ""
    # a walk gave another scene's matrix and was told to swap its order (a video where nothing moves says nothing)
    better = swapped >= SWAP_COVER and swapped >= RATIO * given
    still = moving < STILL_CAMERA
    # far above chance: a right reading in a dense crowd (its swapped order on other people) or of tiny people
    # (a fixed column mostly background), which the two rules below had called a misfit (a false-alarm hunt)
    sure = still and given >= SURE_MIN and given >= SURE * chance
    weak = given < GOOD and given < DISTINCT * swapped and not better and not sure  # neither reading stands out
    weak = weak or (given < GOOD and given < CHANCE * chance and still and not better)  # nor well above chance
    if ((given < LOW and swapped < GOOD and not sure) or weak) and moving >= MIN_MOVING:
        worth = swapped >= MIN_COVER and swapped >= DISTINCT * given  # the other order stands out: offered
        offset, offset_swapped = _misfit_offset(scene, cancel, background)
        if offset is not None:  # the frames, not the homography
            from .offset_estimate import found_offset_text

            said = found_offset_text(offset, swapped_to=other if offset_swapped else None)
            why = misfit_reason(scene)
            return (f"the trajectory file {NOT_FITTING} as its frames are {_offset_now(scene)}: the annotated "
                    f"points are off the moving people; {why}, and {said}"), \
                offset_swapped, (offset, offset_swapped)
        resized = rescaled_fit(scene.homography, found)
        if resized is not None:
            s, fits = resized
            w, hgt = int(scene.width), int(scene.height)
            return (f"the homography{name} {NOT_FITTING} at its size ({w}x{hgt}): it fits a video of about "
                    f"{w / s:.0f}x{hgt / s:.0f}, this one resized by {s:.3g} (the annotated points cover moving "
                    f"people over {fits:.0%} of a body with the pixels scaled so, {given:.0%} as they are). A resized "
                    "copy of the recording? Give the video at the size the homography was made for, or leave the "
                    "homography out (one is estimated from the video); the masks will not be on the persons"), \
                False, None
        return (f"the homography{name} {NOT_FITTING}: at the annotated points the video shows moving "
                f"people over only {given:.0%} of a body as read ({order}), {swapped:.0%} with the order swapped, "
                f"{chance:.0%} by chance with other moments' points{BASIS}. "
                + (f"The swapped order fits better: try --h-order {other} (Homography pixel order in the Open "
                   "dialog); if the masks are still off the persons, it" if worth else "It")
                # (the studio's way to give the right one, a walk found none once its project had work)
                + " may be another scene's (then give the scene's own, File ▸ Use a Homography File… or `relocate "
                "--homography`, or leave it out: one is estimated from the video), or map the other way "
                "(--h-direction "
                f"{_other_direction(direction)}, Homography direction in the Open dialog); or the trajectories' "
                "frames are not this video's (a clip cut from "
                f"a longer video: check the frame offset, {_offset_now(scene)}); the masks will not be on the "
                "persons"), worth, None
    if not better:
        return "", False, None
    return (f"the homography{name} looks read in the wrong pixel order: at the annotated points the video shows "
            f"moving people over {swapped:.0%} of a body with the order swapped, {given:.0%} as read ({order}). "
            f"Check it: --h-order {other} (Homography pixel order in the Open dialog); the original ETH H.txt takes "
            "(row, col), i.e. rowcol"), True, None


def fit_check_job(scene, order: str, direction: str = "pixel-to-world",
                  cancel: CancelToken | None = None) -> Job[tuple[str, bool, tuple | None]]:
    """Job: :func:`verdict_and_offset` (the warning or '', whether the other pixel order fits better, the frame
    offset found in the video where the trajectories' frames are off), for the studio
    to run off the GUI thread when it opens inputs with a homography (a walk opened another scene's matrix and
    saw no warning; the CLI said it)."""
    yield Progress(0, 1, "the homography checked against the video", data={"stage": "prepare"})
    return verdict_and_offset(scene, order, cancel, direction)
