"""A scene: frames, trajectories and the homography that places the trajectories on the frames.

``load_scene`` validates the inputs and composes them; problems the user should know about but that do
not stop the work (approximate homography, annotations outside the video, points outside the image) go
to :attr:`Scene.warnings` as plain sentences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import HomographyError
from .file_notes import file_notes, folder_gaps
from .frames import FrameSource, open_frames
from .homography import Homography, estimate_note, load_homography
from .scene_hints import clip_hint, columns_swapped, pixel_hint
from .trajectories import Trajectories, load_trajectories

APPROXIMATE_WARNING = ("No homography: positions are approximate (fitted to the trajectories' extent); a project's "
                       "proposals estimate one from the video first, and File ▸ Estimate Homography from the Video… "
                       "(humanseg calibrate) does it alone")
STUDIO_DIRECTION = " (Homography direction in the Open dialog)"  # the studio's place for --h-direction


def homography_notes(warnings: list[str], placed: bool) -> list[str]:
    """``warnings`` with the missing homography's line as a project stands: PLACED_WARNING once its work was placed
    by the extent (``placed``), else APPROXIMATE_WARNING (``Project.load_scene``, the studio's banner)."""
    old, new = (APPROXIMATE_WARNING, PLACED_WARNING) if placed else (PLACED_WARNING, APPROXIMATE_WARNING)
    return [new if w == old else w for w in warnings]


# APPROXIMATE_WARNING of a project whose work was placed so (ADR 0053: no estimate then; Project.load_scene)
PLACED_WARNING = ("No homography: positions are approximate (fitted to the trajectories' extent), and this "
                  "project's work was placed with them, so none is estimated now (the persons proposed next would "
                  "be placed elsewhere). File ▸ Estimate Homography from the Video… estimates one and gives it to "
                  "the whole project (humanseg calibrate, then humanseg relocate --homography H)")


def estimated_warning(name: str, note: str, anchor: str) -> str:
    """The note a homography ``humanseg calibrate`` estimated gets while a scene uses it."""
    plane = ("" if anchor == "feet" else
             f"; it maps the {anchor}s' pixels, so world positions computed from it are not the ground's")
    return (f"Estimated homography ({name}): {note}{plane}. Check that the track points sit on the people; "
            "a measured homography replaces it")


# Below this share of annotated points inside the image, the homography or its conventions are suspect.
ORDER_CHECK_SHARE = 0.95  # below this share inside (but above LOW_INSIDE_SHARE) the other pixel order is tried
LOW_INSIDE_SHARE = 0.5
# persons that walk at least this far (metres) but stay within this share of the image side: a wrong scale
MIN_WORLD_SPAN_M, SMALL_SPAN = 2.0, 0.05


class Scene:
    """Frames + trajectories + homography, with positions in pixels."""

    def __init__(self, frames: FrameSource, trajectories: Trajectories, homography: Homography,
                 warnings: list[str] | None = None):
        self.frames = frames
        self.trajectories = trajectories
        self.homography = homography
        self.warnings: list[str] = list(warnings or [])
        self.file_hints: list[str] = []  # those of them saying the trajectory file may not be this video's (load_scene)
        self.fitting_direction: str | None = None  # a misfit homography's other direction that fits (a warning says)
        self.unnamed_walkers = False  # the trajectory file leaves walkers out (ProjectInputs.unnamed_walkers)
        self._pixel_tracks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._spans: dict[int, tuple[int, int]] = {}  # Scene.span, per person
        self._outside: dict[int, list[tuple[int, int]]] = {}  # Scene.outside_image, per person
        # world velocity (units per frame) of persons annotated once, measured in the video (set_edge_velocity)
        self._edge_velocity: dict[int, np.ndarray] = {}
        self._in_video: list[int] | None = None  # pids_in_video, once

    @property
    def width(self) -> int:
        return self.frames.width

    @property
    def height(self) -> int:
        return self.frames.height

    @property
    def pids(self) -> list[int]:
        return self.trajectories.pids

    def pids_in_video(self) -> list[int]:
        """The persons with an annotated frame in the video: what "all" means for proposals and runs (a clip of a
        longer recording read with its whole file: 51 of a re-walk's 73 persons were never in it)."""
        if self._in_video is None:  # computed once (the studio asks from several panels: 0.16 s on 1 M rows)
            self._in_video = [p for p in self.pids
                              if any(int(f) in self.frames for f in self.trajectories.tracks[p].frames)]
        return list(self._in_video)

    def close(self) -> None:
        self.frames.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pixel_track(self, pid: int) -> tuple[np.ndarray, np.ndarray]:
        """The annotated points of ``pid`` in pixels: (frames (N,) int, uv (N, 2) float; NaN if no image)."""
        pid = int(pid)
        if pid not in self._pixel_tracks:
            track = self._track(pid)
            self._pixel_tracks[pid] = (track.frames, self.homography.world_to_pixel(track.world))
        frames, uv = self._pixel_tracks[pid]
        return frames.copy(), uv.copy()

    def span(self, pid: int) -> tuple[int, int]:
        """First and last video frame on which ``pid`` has a position: its annotated span, extended where
        the trajectory file starts or stops while the person is in view (:meth:`Trajectories.edge_reach`),
        as far as the video's frames go."""
        pid = int(pid)
        if pid not in self._spans:
            track = self._track(pid)
            before, after = self.trajectories.edge_reach(pid)
            first, last = track.first - before, track.last + after
            indices = self.frames.indices
            if len(indices):  # the extension stays on the video's frames; the annotated span is kept whole
                first = min(track.first, max(first, int(indices[0])))
                last = max(track.last, min(last, int(indices[-1])))
            self._spans[pid] = (first, last)
        return self._spans[pid]

    def span_in_video(self, pid: int) -> tuple[int, int] | None:
        """:meth:`span` within the video's frames: what segmenting the person's whole span covers (a walk's clip,
        its frames from 6830, read "whole track span 6797 – 6953 (157 frames)" and got 124); None when the
        person is never in the video."""
        first, last = self.span(pid)
        indices = self.frames.indices
        if len(indices):
            first, last = max(first, int(indices[0])), min(last, int(indices[-1]))
        return (first, last) if first <= last else None

    def guessed_frames(self, pid: int) -> list[tuple[int, int]]:
        """:meth:`beyond_annotations` of a person annotated once (its motion there is a guess: measured in the
        video, or standing), else []: what `humanseg run` names as ``guessed_frames`` and the Play tab shows."""
        return self.beyond_annotations(pid) if len(self._track(pid)) == 1 else []

    def outside_image(self, pid: int) -> list[tuple[int, int]]:
        """The frame ranges (first, last), inclusive, of ``pid``'s span in the video where its track point lies
        outside the image: no proposal there, and the masks segmented may stop short (a walk found a person
        leaving the image unmasked for 12 frames, much of it still in view, and nothing said why).
        Computed at once for the span's frames and kept (the Play tab asks on every selection and decision)."""
        pid = int(pid)
        if pid in self._outside:
            return self._outside[pid]
        span = self.span_in_video(pid)
        out: list[tuple[int, int]] = []
        if span is not None:
            idx = np.asarray(self.frames.indices, np.int64)
            idx = idx[(idx >= span[0]) & (idx <= span[1])]
            track = self._track(pid)
            inner = (idx >= track.first) & (idx <= track.last)
            outside = np.ones(len(idx), bool)
            if inner.any():  # the annotated span: one projection of every frame's position
                outside[inner] = ~self.is_inside(self.homography.world_to_pixel(track.positions(idx[inner])))
            for i in np.flatnonzero(~inner):  # the few frames extrapolated past the annotations
                at = self.position_px(pid, int(idx[i]))
                outside[i] = at is None or not bool(self.is_inside(np.array(at))[0])
            previous = None  # the video frame before (a folder may skip numbers): a stretch runs on over it
            for f, bad in zip(idx.tolist(), outside.tolist()):
                if bad:
                    if out and out[-1][1] == previous:
                        out[-1] = (out[-1][0], f)
                    else:
                        out.append((f, f))
                previous = f
        self._outside[pid] = out
        return out

    def beyond_annotations(self, pid: int) -> list[tuple[int, int]]:
        """The frame ranges (first, last), inclusive, of ``pid``'s span outside its annotated frames: where
        :meth:`span` reaches before the first annotation or past the last one and the position is
        extrapolated (at the track's end velocity; a person annotated once at the velocity measured in the
        video, else standing still)."""
        track = self._track(pid)
        first, last = self.span(pid)
        out = []
        if first < track.first:
            out.append((int(first), int(track.first) - 1))
        if last > track.last:
            out.append((int(track.last) + 1, int(last)))
        return out

    def position_px(self, pid: int, frame: int) -> tuple[float, float] | None:
        """Pixel (u, v) of ``pid`` at ``frame``, interpolated in world then projected (extrapolated at the
        file's own ends, see :meth:`span`); None outside its span."""
        track = self._track(pid)
        first, last = self.span(pid)
        world = track.extended_position(frame, track.first - first, last - track.last,
                                        self._edge_velocity.get(int(pid)))
        if world is None:
            return None
        u, v = self.homography.world_to_pixel(world)
        if not (np.isfinite(u) and np.isfinite(v)):
            return None
        return float(u), float(v)

    def set_edge_velocity(self, pid: int, velocity) -> None:
        """Where person ``pid``, annotated once, moves in the frames its span reaches past that annotation (the
        file starting or stopping there, :meth:`span`): ``velocity`` in world units per frame (None: standing
        still, as without). A track of two or more annotations keeps the velocity of its ends."""
        self._outside.pop(int(pid), None)  # its extrapolated positions move
        if velocity is None:
            self._edge_velocity.pop(int(pid), None)
        else:
            self._edge_velocity[int(pid)] = np.asarray(velocity, np.float64).reshape(2)

    def edge_velocities(self) -> dict[int, tuple[float, float]]:
        """{pid: (vx, vy)} set with :meth:`set_edge_velocity` (to hand to another copy of the scene)."""
        return {p: (float(v[0]), float(v[1])) for p, v in self._edge_velocity.items()}

    def persons_at(self, frame: int) -> dict[int, tuple[float, float]]:
        """{pid: (u, v)} of every person whose span (:meth:`span`) holds ``frame``."""
        out = {}
        for pid in self.trajectories.pids:
            first, last = self.span(pid)
            if first <= frame <= last:
                uv = self.position_px(pid, frame)
                if uv is not None:
                    out[pid] = uv
        return out

    def is_inside(self, uv) -> np.ndarray:
        """Which pixels (N, 2) lie inside the image (NaN counts as outside)."""
        uv = np.asarray(uv, dtype=float).reshape(-1, 2)
        with np.errstate(invalid="ignore"):
            return (uv[:, 0] >= 0) & (uv[:, 0] < self.width) & (uv[:, 1] >= 0) & (uv[:, 1] < self.height)

    def inside_share(self, pid: int) -> float:
        """Share of ``pid``'s annotated points that fall inside the image on a frame of the video (0..1)."""
        frames, uv = self.pixel_track(pid)
        return self.in_view_share(frames, uv)

    def in_view_share(self, frames, uv) -> float:
        """Share of the points ``uv`` (on ``frames``) on a frame of the video that lie inside the image; 0 when none
        is on a frame of the video (a walk read "Inside 100 %" for persons none of whose frames was in the video: a
        frame offset left out). A clip of a longer recording counts its own frames (another walk's persons, every
        point in the clip inside, read 4 % and orange: 15 of the file's 375 points)."""
        uv = np.asarray(uv, dtype=float).reshape(-1, 2)
        if not len(uv):
            return 0.0
        in_video = np.fromiter((int(f) in self.frames for f in np.asarray(frames).reshape(-1)), bool, len(uv))
        if not in_video.any():
            return 0.0
        return float(self.is_inside(uv[in_video]).mean())

    def annotated_frames(self) -> list[int]:
        """Sorted video frames with at least one annotation."""
        return self.trajectories.annotated_frames()

    def _track(self, pid: int):
        try:
            return self.trajectories.tracks[int(pid)]
        except KeyError:
            raise KeyError(f"no person with id {pid} in {self.trajectories.path}") from None


def load_scene(video, trajectories, homography=None, h_order: str = "uv", h_direction: str = "pixel-to-world",
               fmt: str = "auto", frame_offset: int = 0, frame_step: int = 1, skip_bad_lines: bool = False) -> Scene:
    """Open the frames, parse the trajectories and the homography (or fit one), check they fit together.

    Raises FrameError / TrajectoryError / HomographyError naming the bad file. ``skip_bad_lines``: bad rows
    of the trajectory file are left out (a warning names them) instead of refusing the file.
    """
    traj = load_trajectories(trajectories, fmt=fmt, frame_offset=frame_offset, frame_step=frame_step,
                             skip_bad=skip_bad_lines)
    if homography is not None and str(homography) != "":
        H = load_homography(homography, direction=h_direction, order=h_order)  # errors before opening a video
    else:
        H = None
    frames = open_frames(video)
    warnings: list[str] = []
    if H is None:
        world = traj.all_world()  # (every point: read once for the fit and the pixel check)
        try:
            H = Homography.fit_to_extent(world, frames.width, frames.height)
        except HomographyError as exc:  # absurd positions (e.g. +-1e308): name the file they come from
            frames.close()
            raise HomographyError(traj.path, f"no homography given, and {exc.problem}") from None
        warnings.append(APPROXIMATE_WARNING)
        hints = [w for w in (pixel_hint(traj.path, world, frames.width, frames.height),
                             clip_hint(traj.path, traj.annotated_frames(), list(frames.indices),
                                       (frame_offset, frame_step) != (0, 1))) if w]
        warnings += hints
    else:
        hints = []
        H = H.with_reference(frames.width / 2.0, frames.height - 1.0)  # the bottom centre is on the ground
        estimated = estimate_note(homography)  # said while it is used (a walk saw the estimate's flag vanish)
        if estimated is not None:
            warnings.append(estimated_warning(Path(homography).name, *estimated))
    if traj.skipped:
        warnings.append(skipped_warning(traj))
    scene = Scene(frames, traj, H, warnings)
    scene.file_hints = hints  # (propose's and run's JSON name them: a re-walk found them on stderr alone)
    scene.warnings.extend(_check(scene))
    return scene


def load_scene_of(inputs) -> Scene:
    """:func:`load_scene` of a project's inputs (a ``records.ProjectInputs``), read by its conventions."""
    i = inputs
    scene = load_scene(video=i.video, trajectories=i.trajectories, homography=i.homography, h_order=i.h_order,
                       h_direction=i.h_direction, fmt=i.traj_format, frame_offset=i.frame_offset,
                       frame_step=i.frame_step, skip_bad_lines=bool(getattr(i, "skip_bad_lines", False)))
    scene.unnamed_walkers = bool(getattr(i, "unnamed_walkers", False))
    return scene


def skipped_warning(traj) -> str:
    """What the skipped rows of ``traj`` were, said once: how many, and the first few by line."""
    shown = "; ".join(f"line {line}: {problem}" for line, problem in traj.skipped[:3])
    more = f"; and {len(traj.skipped) - 3} more" if len(traj.skipped) > 3 else ""
    n = len(traj.skipped)
    return f"{traj.path}: {n} bad line{'s' if n != 1 else ''} skipped ({shown}{more})"


def suggested_offset(scene: Scene) -> int | None:
    """The frame offset (in all: the one the file was read with included) that puts the first annotated frame
    on the video's first frame when none of them is in the video, else None (also when the annotations would
    not fit in the video that way either)."""
    frames, video = scene.annotated_frames(), list(scene.frames.indices)
    if not frames or not video or frames[-1] - frames[0] > video[-1] - video[0]:
        return None
    if any(f in scene.frames for f in frames):
        return None
    if columns_swapped(scene) is not None:  # the columns, not the offset (a walk's offset made its frames persons)
        return None
    if suggested_step(scene) is not None:  # a frame step fits too: no one-click offset (offset_hint says both)
        return None
    return int(getattr(scene.trajectories, "frame_offset", 0)) + video[0] - frames[0]


def file_numbering(scene: Scene | None) -> tuple[int, int]:
    """(offset, step) the trajectory file was read with: video frame = offset + step x file frame ((0, 1) without
    trajectories)."""
    traj = getattr(scene, "trajectories", None)
    return int(getattr(traj, "frame_offset", 0)), int(getattr(traj, "frame_step", 1))


STEPS_TRIED = (10, 6, 12, 5, 25)  # annotation cadences a file counting its rows 0, 1, 2, … may stand for


def suggested_step(scene: Scene) -> int | None:
    """A frame step that puts every annotated frame in the video when the file, read with step 1 and offset 0,
    annotates its persons on consecutive frame numbers outside the video (it counts annotation steps, not frames:
    a walk's 370..377 for frames 3700..3770 was offered a frame offset, and J 0.000), else None."""
    if file_numbering(scene) != (0, 1):
        return None
    frames, video = scene.annotated_frames(), list(scene.frames.indices)
    if not frames or not video or any(f in scene.frames for f in frames):
        return None
    gaps = [d for t in scene.trajectories.tracks.values() for d in np.diff(np.asarray(t.frames))]
    if not gaps or float(np.median(gaps)) != 1.0:
        return None
    for step in STEPS_TRIED:  # every annotated frame an actual frame of the video (a folder of every 10th frame)
        if all(step * f in scene.frames for f in frames):
            return step
    return None


def offset_hint(scene: Scene) -> str:
    """:func:`suggested_offset` (or :func:`suggested_step`) said as a next step ("" when there is none); columns
    read the wrong way round (:func:`columns_swapped`) first."""
    swapped = columns_swapped(scene)
    if swapped is not None:
        pids = sorted(int(p) for p in scene.pids)
        return (f"its persons' ids look like this video's frames ({pids[0]}, {pids[1]}, {pids[2]}, …, every "
                f"{swapped}): are its columns pid, frame, x, y? Then add the header line `pid frame x y` to the file "
                "(its rows are read in that order), rather than a frame offset")
    step = suggested_step(scene)
    if step is not None:
        frames, first = scene.annotated_frames(), scene.frames.indices[0]
        return (f"its persons' rows are one frame apart: if the file counts annotation steps, a frame step of {step} "
                f"puts them on the video's frames {step * frames[0]}..{step * frames[-1]} (Frame step in the Open "
                f"dialog; --frame-step {step} in a command); if it annotates every frame, a frame offset of "
                f"{first - frames[0]} puts its first on the video's first (--frame-offset {first - frames[0]})")
    offset = suggested_offset(scene)
    if offset is None:
        return ""
    return (f"if the file is this video's, a frame offset of {offset} puts its first annotated frame on the "
            f"video's first frame (Frame offset in the Open dialog; --frame-offset {offset} in a command)")


CLIP_NOTE = "runs beyond the video"  # in the warning on a file that annotates a longer recording than the clip


def is_clip_note(note: str) -> bool:
    """Whether a scene warning only says that the trajectory file annotates a longer recording than the video (a
    clip's whole file: read so on purpose once a frame offset was chosen; the studio then shows it in the status
    bar, not in the banner above the video, where a walk saw it on every screen of a project set up right)."""
    return CLIP_NOTE in note


def _other_direction_hint(scene: Scene, world: np.ndarray) -> str:
    """'; read the other way (--h-direction world-to-pixel) ...' when the matrix inverted puts nearly every point in
    the image, spread over it: a walk's inverted homography read "check the homography" with nothing to try."""
    h = scene.homography
    if h.path is None:
        return ""
    flag = "pixel-to-world" if h.direction == "world-to-pixel" else "world-to-pixel"
    try:
        uv = load_homography(h.path, direction=flag, order=h.order).with_reference(*h.reference_pixel) \
            .world_to_pixel(world)
    except HomographyError:
        return ""
    ok = np.isfinite(uv).all(axis=1)
    if ok.sum() < 2 or float(scene.is_inside(uv).mean()) < 0.9:
        return ""
    if float(np.ptp(uv[ok], axis=0).max()) < 4 * SMALL_SPAN * max(scene.width, scene.height):
        return ""
    scene.fitting_direction = flag
    return (f". Read the other way round, {float(scene.is_inside(uv).mean()):.0%} of them fall inside, spread over "
            f"the image: try --h-direction {flag}{STUDIO_DIRECTION}")


def _check(scene: Scene) -> list[str]:
    """Warnings about inputs that load but do not fit together."""
    out = []
    frames = scene.annotated_frames()
    outside = [f for f in frames if f not in scene.frames]
    idx = scene.frames.indices
    rows_before = scene.trajectories.before_start  # rows mapping before video frame 0: left out when read
    name = Path(scene.trajectories.path).name if scene.trajectories.path else "the trajectory file"
    if outside or rows_before:
        share = len(outside) / max(1, len(frames))
        source = Path(scene.frames.path)
        where = f"{source.name}/" if source.is_dir() else source.name
        span = (f"({frames[0]}..{frames[-1]})", f"(its frames are {idx[0]}..{idx[-1]}, in {where})")
        early, late = sum(1 for f in outside if f < idx[0]), sum(1 for f in outside if f > idx[-1])
        if early + late == len(outside) < len(frames):  # a clip cut from a longer recording, read with the whole
            # file: a walk read "check the frame offset"; then "596 annotated frames after its last frame, 1193
            # rows before frame 0 left out" mixed frames and rows, and what was left out
            said = [f"{late} annotated frame{'s' if late != 1 else ''} after the video's last"] if late else []
            early += scene.trajectories.frames_before_start  # (their rows were left out when read; counted in
            # frames like those after the end: "…, 4779 rows (person positions) before frame 0" mixed the units)
            said += [f"{early} before its first"] if early else []
            inside = len(frames) - len(outside)
            out.append(f"{name} {CLIP_NOTE} {span[1]}: {inside} of its annotated frames are in the video "
                       f"and used; left out: {', '.join(said)} (a clip of a longer recording reads so; otherwise "
                       "check the frame offset and step)")
        elif len(outside) == len(frames):  # another video's file, or this one's with another frame clock
            hint = offset_hint(scene)
            out.append(f"none of the annotated frames {span[0]} is in the video {span[1]}: is {name} this video's? "
                       + (hint[0].upper() + hint[1:] if hint else "Check the frame offset and step"))
        elif not set(outside) <= set(folder_gaps(scene.frames)):  # (gaps in a folder's numbering: said below, a
            # walk's missing 06050.jpg was first called a frame offset to check)
            out.append(f"{len(outside)} of {len(frames)} ({share:.0%}) annotated frames {span[0]} are not in the "
                       f"video {span[1]}; check the frame offset and step")
    out += file_notes(scene.frames, scene.trajectories, name)
    if not scene.homography.approximate:
        world = scene.trajectories.all_world()
        uv = scene.homography.world_to_pixel(world)
        hint = ""  # the other direction's offer, said once
        share = float(scene.is_inside(uv).mean()) if len(uv) else 1.0
        if share < LOW_INSIDE_SHARE:
            out.append(
                f"only {share:.0%} of the annotated points fall inside the {scene.width}x{scene.height} image: "
                "check the homography, its pixel order (uv/rowcol) and direction" + (hint := _other_direction_hint(
                    scene, world))
            )
        elif share < ORDER_CHECK_SHARE and len(uv):  # many inside, yet the other pixel order fits all of them
            m = scene.homography.matrix[:, [1, 0, 2]]
            try:
                other = Homography(m, reference_pixel=scene.homography.reference_pixel).world_to_pixel(world)
                other_share = float(scene.is_inside(other).mean())
            except HomographyError:
                other_share = 0.0
            if other_share >= 0.98 and other_share - share >= 0.1:
                out.append(
                    f"only {share:.0%} of the annotated points fall inside the {scene.width}x{scene.height} image, "
                    f"and {other_share:.0%} would with the homography's pixel order swapped: check its order "
                    "(uv or rowcol: the original ETH H.txt takes (row, col))"
                )
        ok = np.isfinite(uv).all(axis=1)
        if ok.sum() >= 2:  # inside, but every person in one speck: an identity or inverted matrix
            px_span = float(np.ptp(uv[ok], axis=0).max())
            world_span = float(np.ptp(world[ok], axis=0).max())
            if world_span >= MIN_WORLD_SPAN_M and px_span < SMALL_SPAN * max(scene.width, scene.height):
                out.append(
                    f"the persons walk over {world_span:.0f} m but all the annotated points together span only "
                    f"{px_span:.0f} px of the {scene.width}x{scene.height} image: check the homography"
                    f"{' ' + scene.homography.path.name if scene.homography.path else ''}: its scale and direction "
                    "(it maps pixel -> world)" + ("" if hint else _other_direction_hint(scene, world))
                )
    return out
