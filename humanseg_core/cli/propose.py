"""``humanseg propose``: make mask proposals for chosen persons and store them in a project.

When ``--project`` does not exist yet it is created from ``--video``/``--trajectories``/... (checked
first: a project is only created from inputs that load).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..checks import positive
from ..errors import HumansegError, ProjectError, RowsBeforeVideo
from ..jobs import run_job
from ..prior.paths import is_shipped
from ..proposals.methods import DEFAULT_METHOD, METHOD_NAMES, METHODS
from ..records import ProjectInputs
from ..wording import persons_text, shell_arg
from .common import (
    ANCHOR_CHOICES,
    ThrottledProgress,
    add_input_args,
    add_unnamed_walkers,
    anchor_arg,
    geometry_job_warning,
    load_scene_from_args,
    note_studio_holder,
    parse_pids,
    print_json,
    same_file,
    say_scene_warnings,
    take_unnamed_walkers,
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "propose", help="propose masks of chosen persons into a project",
        description="Detect persons on the annotated frames of the chosen persons, match them to the "
                    "trajectory and store one mask proposal per (frame, person) in the project; frames with "
                    "no match are stored as skips with the reason. Creates the project when it does not exist.")
    p.add_argument("--project", required=True, help="project folder (created when it does not exist)")
    add_input_args(p, required=False)
    p.add_argument("--anchor", choices=ANCHOR_CHOICES, type=anchor_arg, default=None,
                   help="where the track point sits on a person (default: the project's, else auto)")
    p.add_argument("--pids", default="all", help="'all' or a comma list of person ids, e.g. 3,7")
    p.add_argument("--method", choices=list(METHOD_NAMES), default=DEFAULT_METHOD,
                   help=f"default {DEFAULT_METHOD} (the best measured median IoU over the shared scenes, ADR 0006); "
                        + "; ".join(f"{name}: {text}" for name, text in METHODS))
    p.add_argument("--bgs-algorithm", default=None, help="background model name (pybgs/OpenCV)")
    p.add_argument("--threshold", type=float, default=None,
                   help="match threshold in pixels (default 40 px at 720x576, scaled to the video)")
    p.add_argument("--extra-frames", type=int, default=0,
                   help="also propose K interpolated frames on each side of every annotated frame")
    p.add_argument("--weights", default=None,
                   help="Mask R-CNN weights file (--method maskrcnn), or the parent network file (--method "
                        "parent, bgs+parent; default: the project's, `humanseg parent use`, else the shipped one)")
    p.add_argument("--no-estimate", action="store_true",
                   help="without a homography, the positions come from the trajectories' extent alone instead of "
                        "a homography estimated from the video and saved in the project (the default: ADR 0022)")
    add_unnamed_walkers(p)
    p.set_defaults(func=run)


def _scene_folder(args: argparse.Namespace) -> None:
    """``--video`` naming a scene folder (frames/, trajectories.txt, optional H.txt), as the studio opens it: its
    files fill the options not given (a walk's `run --video scene` read "the folder holds no images")."""
    video = Path(args.video) if getattr(args, "video", None) else None
    if video is None or not (video / "frames").is_dir() or not (video / "trajectories.txt").is_file():
        return
    args.video = str(video / "frames")
    args.trajectories = args.trajectories or str(video / "trajectories.txt")
    if getattr(args, "homography", None) is None and (video / "H.txt").is_file():
        args.homography = str(video / "H.txt")
    print(f"humanseg: note: {video} is a scene folder: its frames/, trajectories.txt"
          + (" and H.txt" if args.homography == str(video / "H.txt") else "") + " are used", file=sys.stderr)


def _open_or_create(args: argparse.Namespace, check=None, refuse_reading: bool = False):
    """(project, scene): the existing project and its scene, or a new project from the input options;
    ``check(scene)`` (raising HumansegError) runs before a new project is written: a command refused for its
    options leaves no project behind."""
    from ..project import FILENAME, Project

    folder = Path(args.project)
    if (folder / FILENAME).exists():
        note_studio_holder(folder)
        project, scene = _open_existing(args, folder, refuse_reading=refuse_reading)
        if check is not None:  # persons never in the video refused as for a new project (a walk's existing
            try:  # project said "0 proposals stored", exit 0, and `run` "0 usable labels")
                check(scene)
            except BaseException:
                scene.close()
                project.close()
                raise
        return project, scene
    _scene_folder(args)
    if not args.video or not args.trajectories:
        missing = " and ".join(f for f, v in (("--video", args.video), ("--trajectories", args.trajectories)) if not v)
        raise HumansegError(f"{folder}: no project there yet; give {missing} to create it")
    scene = load_scene_from_args(args)  # validates the inputs before anything is written
    try:
        other_direction_fits(scene)  # a new project's alone: an existing one's reading is relocate's (a review)
        if check is not None:
            check(scene)
    except BaseException:
        scene.close()
        raise
    inputs = ProjectInputs(video=args.video, trajectories=args.trajectories, homography=args.homography,
                           h_order=args.h_order or "uv", h_direction=args.h_direction or "pixel-to-world",
                           traj_format=args.traj_format,
                           frame_offset=args.frame_offset or 0, frame_step=args.frame_step,
                           anchor=args.anchor or "auto", skip_bad_lines=bool(args.skip_bad_lines),
                           unnamed_walkers=bool(getattr(args, "unnamed_walkers", None)))
    try:
        return Project.create(folder, inputs), scene
    except BaseException as exc:
        scene.close()
        if isinstance(exc, ProjectError) and (folder / FILENAME).exists():  # another command created it a
            return _open_existing(args, folder, note=False)  # moment ago (two runs started together): open it
        raise


def pids_check(pids: str, order: str = "uv"):
    """A ``check`` for :func:`_open_or_create`: unknown persons are refused before a new project is written (a
    walk's `propose --pids 2,3` was refused but left a project that then read its inputs with a wrong offset)."""
    def check(scene) -> None:
        from ..inputs.scene import offset_hint

        hint = offset_hint(scene) or found_offset_hint(scene, order)
        if pids.strip().lower() == "all":
            if not scene.pids_in_video():  # a walk's MP4 read without its offset: a project of 0 proposals
                idx = scene.frames.indices
                check = "check the frame offset and step: video frame = --frame-offset + --frame-step x annotated frame"
                raise HumansegError(f"no person of {scene.trajectories.path} is annotated on a frame of the video "
                                    f"(its frames are {idx[0]}..{idx[-1]}); {hint or check}")
            return
        before = scene.trajectories.before_start
        try:
            chosen = parse_pids(pids, scene.pids)
        except HumansegError as exc:  # a person annotated only before the clip: its rows were left out
            if not before:
                raise
            raise HumansegError(f"{exc} (rows before the video's first frame are left out, {before} here: a person "
                                "annotated only there is not in this video)") from None
        inside = set(scene.pids_in_video())
        outside = [p for p in chosen if p not in inside]
        if outside:  # a re-walk's --pids 120, annotated only after the clip: a project of 0 proposals
            idx = scene.frames.indices
            verb = "is" if len(outside) == 1 else "are"
            raise HumansegError(f"{persons_text(outside)} {verb} never in the video (the video's frames are "
                                f"{idx[0]}..{idx[-1]}): no annotated frame of theirs lies in it; nothing was proposed; "
                                + (f"{hint}, or choose others" if hint else "check the frame offset, or choose others"))
    return check


def other_direction_fits(scene) -> None:
    """Refuse, before anything is proposed or trained, a homography read in the wrong direction: every annotated
    point falls in one spot of the image, and read the other way round they spread over it (a walk's `run` said so,
    then trained on the one proposal left and segmented 250 frames for nothing, exit 1 after 53 s)."""
    from ..inputs.scene import STUDIO_DIRECTION

    flag = getattr(scene, "fitting_direction", None)
    said = next((w for w in getattr(scene, "warnings", ()) if f"--h-direction {flag}" in w), None) if flag else None
    if said is None:
        return
    raise HumansegError(f"{said.replace(STUDIO_DIRECTION, '')}. Nothing was proposed or trained, and no project made: "
                        f"give --h-direction {flag} (h_direction in a batch manifest)")  # (the studio's words left out)


def found_offset_hint(scene, order: str = "uv") -> str:
    """An offset found in the video when none of the annotated frames is in it and they do not fit in it (a
    clip of a longer recording: a walk's mp4 of ETH read "check the frame offset" and nothing more), with the
    homography's pixel order swapped when only that finds one (``order``: the order it was read in), else ""."""
    from ..inputs.offset_estimate import estimate_offset_either_order, found_offset_text
    from ..jobs import run_job

    if any(f in scene.frames for f in scene.annotated_frames()):
        return ""
    print("humanseg: none of the annotated frames is in the video: looking in it for the frame offset of the clip "
          "(about a second; longer for a file of thousands of persons)", file=sys.stderr, flush=True)
    found, swapped = run_job(estimate_offset_either_order(scene))
    if found is None:
        return ""
    return found_offset_text(found, swapped_to=("uv" if order == "rowcol" else "rowcol") if swapped else None)


def _parent_for_this_call(project, args) -> str:
    """Said when ``--weights`` gave a parent network the project does not use: for this call alone (a walk made its
    project with its own parent's proposals, and then had fine-tuning start from the shipped one)."""
    from ..workflows.parent_choice import file_sha256, project_parent

    if args.weights is None or args.method not in ("parent", "bgs+parent"):
        return ""
    used = project_parent(project)
    try:
        if file_sha256(Path(args.weights)) == file_sha256(used.file):  # the same network (its copy, or the shipped)
            return ""
    except OSError:
        return ""
    return (f"--weights {args.weights} made these proposals alone; the project's training, segmentation and the "
            f"studio use {used.name()}: `humanseg parent use --project "
            f"{shell_arg(args.project)} {shell_arg(args.weights)}` makes it the project's")


def _estimated(homography: str | None) -> bool:
    """Whether ``homography`` is a file ``humanseg calibrate`` estimated from the video."""
    from ..inputs.homography import estimate_note

    return bool(homography) and estimate_note(str(homography)) is not None


def _estimated_or_none(homography: str | None) -> bool:
    """Whether a project's homography is none, or one estimated from the video (``humanseg calibrate``)."""
    return not homography or _estimated(homography)


def _open_existing(args: argparse.Namespace, folder: Path, note: bool = True, refuse_reading: bool = False):
    """(project, scene) of the project in ``folder``, read with its stored inputs (``note``: the options that
    would read them otherwise are named; ``refuse_reading``: refused, :func:`_note_stored_inputs`)."""
    from ..project import Project

    project = Project.open(folder)
    try:
        if note:
            _note_stored_inputs(args, project, refuse_reading)
        take_unnamed_walkers(args, project)
        return project, project.load_scene()
    except BaseException:
        project.close()
        raise


def _lost_without_work(project) -> bool:
    """Whether the project holds no proposal, label or run yet: made with a wrong frame offset, it may take another.
    (Until 6 Dec only where no annotated frame lay in its video: a walk's clip of a longer recording, whose frame
    numbers overlapped the file's, got 0 proposals, was told the offset, and the offset was "not used".)"""
    return not sum(project.counts().values()) and not project.runs()


def _persons_in_video(project) -> bool | None:
    """Whether a person of the project's trajectories is annotated on a frame of its video, as the project reads
    them; None when its inputs do not read (the command then says why)."""
    try:
        with project.load_scene() as scene:
            return bool(scene.pids_in_video())
    except RowsBeforeVideo:  # the offset puts every row before the video: no person in it either
        return False
    except HumansegError:
        return None


def _take_offset(project, offset: int) -> None:
    """``project`` reads its trajectories with ``offset`` from now on, when that puts a person in its video; else
    it keeps its own and the command is refused (a second wrong offset had been stored without a word)."""
    was = project.inputs.frame_offset
    project.use_frame_offset(offset)  # as the studio's "Use frame offset"
    if not _persons_in_video(project):
        project.use_frame_offset(was)
        raise HumansegError(f"--frame-offset {offset} puts no annotated frame of {project.inputs.trajectories} in the "
                            f"video either; {project.folder} keeps frame offset {was}")
    print(f"humanseg: note: {project.folder} holds no work yet and reads its trajectories with frame offset "
          f"{offset} from now on (it was {was})", file=sys.stderr)


def _take_reading(args: argparse.Namespace, project) -> bool:
    """The homography's pixel order or direction given, other than the project's, is taken where the analyst
    decided nothing yet (proposals pending only, no run) and the scene reads so; said. (A walk proposed with the
    ETH matrix read as (u, v), was warned "Check it: --h-order rowcol", ran propose again with it, and read that
    --h-order was not used, then the same warning.)"""
    import dataclasses

    from ..inputs.scene import load_scene_of

    i = project.inputs
    reading = {key: value for key in ("h_order", "h_direction")  # None: not given (a mutation audit: the default
               if (value := getattr(args, key, None)) is not None and value != getattr(i, key)}  # uv undid rowcol)
    counts = project.counts()
    other_file = getattr(args, "homography", None) and not same_file(args.homography, i.homography)
    if (not reading or not i.homography or other_file or _estimated_or_none(i.homography)  # (a reading given with
            or sum(counts.values()) > counts["pending"] or project.runs()):  # another file is that file's: a review)
        return False
    candidate = dataclasses.replace(i, **reading)
    try:
        load_scene_of(candidate).close()
    except HumansegError:
        return False  # said as before: not used
    project.use_reading(candidate)
    said = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in reading.items())
    pending = ("; the persons proposed now get their pending proposals made again (others keep theirs as the old "
               "reading placed them)") if counts["pending"] else ""
    print(f"humanseg: note: {project.folder} holds no decision yet and reads its homography with {said} from now on"
          f"{pending}", file=sys.stderr)
    return True


def _note_stored_inputs(args: argparse.Namespace, project, refuse_reading: bool = False) -> None:
    """An existing project reads its stored inputs: options that would read them otherwise are said to be
    unused (a walk passed --frame-offset, as a warning advised, and it was dropped without a word);
    --skip-bad-lines is taken (a bad row added to the file later refused the project for every command). Another
    video or trajectory file than the project's is refused before anything is changed (a walk's `run --video` of
    another video was told "not used", and exported the project's own video's masks under the new name)."""
    for option, key, what in (("--video", "video", "video"), ("--trajectories", "trajectories", "trajectory file")):
        value, made = getattr(args, key, None), getattr(project.inputs, key, None)
        if value and not same_file(value, made):
            raise HumansegError(f"{project.folder} was made with the {what} {made}, not {value}: give this {what} "
                                f"a project of its own (another --project folder); if it is the project's {what} "
                                f"moved, `humanseg relocate --project {shell_arg(project.folder)} {option} "
                                f"{shell_arg(value)}` (nothing was changed)")
    took_skip = getattr(args, "skip_bad_lines", False) and not project.inputs.skip_bad_lines
    if took_skip:  # first: the offset taken below reads the file
        project.skip_bad_lines()
        print(f"humanseg: note: {project.folder} reads its trajectory file without its bad rows from now on "
              "(--skip-bad-lines)", file=sys.stderr)
    i, given = project.inputs, []
    offset = getattr(args, "frame_offset", None)  # None: not given (0 given sets a wrong offset back to 0)
    if offset is not None and offset != i.frame_offset and _lost_without_work(project):
        _take_offset(project, offset)  # made with a wrong offset, nothing placed yet (a walk's 0 proposals)
        i = project.inputs
    if _take_reading(args, project):  # the homography's pixel order or direction, where nothing was decided yet
        i = project.inputs
    for option, key, default in (("--homography", "homography", None), ("--h-order", "h_order", None),
                                 ("--h-direction", "h_direction", None),
                                 ("--frame-offset", "frame_offset", None), ("--frame-step", "frame_step", 1)):
        value = getattr(args, key, default)
        same = same_file(value, getattr(i, key)) if key == "homography" and value else value == getattr(i, key)
        if value != default and not same:  # (a homography named relative to here: the same file, a review)
            given.append(f"{option} {shell_arg(value)}")
    fmt = getattr(args, "traj_format", "auto")
    if fmt != "auto" and fmt != i.traj_format:
        given.append(f"--traj-format {fmt}")  # (in run --format is the output's: a review)
    if given:
        reading = [g for g in given if g.split()[0] in ("--homography", "--h-order", "--h-direction",
                                                         "--frame-offset", "--frame-step")]
        # (a walk's rerun with the advised flag kept the old reading; another's wrong offset could not be changed)
        how = (f"; `humanseg relocate --project {shell_arg(project.folder)} {' '.join(reading)}` makes this one "
               "read them so") if reading else ""
        if reading and refuse_reading:  # (a walk's `run` with the offset it had been advised: the whole job redone
            # at the project's own offset, its export replaced, "not used" said in passing)
            raise HumansegError(f"{project.folder} reads its inputs with frame offset {i.frame_offset}, step "
                                f"{i.frame_step}, homography {i.homography or 'none'} ({i.h_order}, {i.h_direction}), "
                                f"not as {' '.join(reading)} would; nothing was run or changed"
                                f"{' but --skip-bad-lines, taken' if took_skip else ''}{how} (its persons are "
                                "then proposed again; decisions stay), or leave those options out to use the "
                                "project's reading, or give another --project")
        print(f"humanseg: note: {project.folder} exists and reads the inputs it was made with (video "
              f"{i.video}, frame offset {i.frame_offset}, step {i.frame_step}); not used: {', '.join(given)}. "
              f"A new project (another --project folder) reads them otherwise{how}", file=sys.stderr)
    homography = getattr(args, "homography", None)
    if homography and not same_file(homography, i.homography) and _estimated_or_none(i.homography):
        # a CLI walk gave the scene's homography to a project made without one and read only "not used"
        print(f"humanseg: note: {project.folder} places the persons by "
              + ("a homography estimated from the video" if i.homography else "no homography (the extent fit)")
              + f"; `humanseg relocate --project {shell_arg(project.folder)} --homography {shell_arg(homography)}` "
              "makes it read yours (what was proposed or segmented so far stays as it is: propose again to remake it)",
              file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..workflows import ProposeConfig, propose_into

    if args.extra_frames < 0:
        raise HumansegError(f"--extra-frames: must be 0 or more, got {args.extra_frames}")
    if args.threshold is not None:
        positive(args.threshold, "--threshold")
    if args.weights is not None and args.method in ("parent", "bgs+parent"):  # a file named by the user:
        from ..proposals.parent_masks import load_parent_or_none  # refused, not a warning and a fallback

        problem = load_parent_or_none(args.weights)[1]
        if problem is not None:
            raise HumansegError(f"--weights: {problem} (nothing was proposed)")
    if args.method == "maskrcnn":  # its weights found (or downloaded) before a project is made (a walk's refusal
        from .. import weights  # left a new project folder behind)

        run_job(weights.fetch_job(args.weights), ThrottledProgress())
        weights.resolve(args.weights)
    t0 = time.monotonic()
    project, scene = _open_or_create(args, pids_check(args.pids, args.h_order or "uv"),  # another reading refused as
                                     refuse_reading=True)  # run's (a re-walk's propose made 150 at the old offset)
    try:
        geometry = say_scene_warnings(scene)  # the homography's warnings, in the JSON as run's
        file_hints = list(scene.file_hints)
        pids = parse_pids(args.pids, scene.pids)
        if args.pids.strip().lower() == "all":  # everyone in the video (a clip's file: those in the clip)
            pids = scene.pids_in_video() or pids
        config = ProposeConfig(method=args.method, bgs_algorithm=args.bgs_algorithm,
                               threshold_px=args.threshold or 0.0, extra_frames=args.extra_frames,
                               anchor=args.anchor or "", weights=args.weights,
                               estimate_homography=not args.no_estimate)
        progress = ThrottledProgress()  # the job's warnings (e.g. no parent file: the fallback) once each
        from ..workflows.at_work import at_work_text

        if busy := at_work_text(project, pids, "this proposes beside it, and both store their proposals"):
            print(f"humanseg: warning: {busy}", file=sys.stderr)
        # what a script needs to know of the inputs (a CLI walk found neither in the JSON): the rows
        # --skip-bad-lines left out, and whether the positions rest on no homography or an estimate
        bad_lines = [{"line": int(n), "problem": str(why)} for n, why in scene.trajectories.skipped]
        approximate = bool(scene.homography.approximate)
        done = run_job(propose_into(project, pids, config, scene=scene), progress)
        geometry += [w.text for w in progress.warnings  # the video check's, as run's (a review)
                     if geometry_job_warning(w) and w.text not in geometry]
        once = _parent_for_this_call(project, args) if done.parent else ""
    finally:
        scene.close()
        project.close()
    used = f"; method {done.method}" + (f", anchor {done.anchor}" if done.anchor else "")
    print(f"humanseg: {done.stored_text()}{used}", file=sys.stderr)
    if once:
        print(f"humanseg: note: {once}", file=sys.stderr)
    if args.weights is not None and done.parent:  # a weak parent said here too, as `parent use` says it (a re-walk)
        from .common import say_quality

        say_quality(args.weights)
    if done.score_bands:  # how many to look at first (a walk found no quality summary)
        from ..proposals.score_bands import band_counts_text

        own = bool(done.parent) and not is_shipped(done.parent)  # bands: measured with it
        print(f"humanseg: scores: {band_counts_text(done.score_bands)}"
              + ("; these bands were measured with the shipped parent network, yours may read otherwise"
                 if own else ""),
              file=sys.stderr)
    for line in done.unreadable[:10]:
        print(f"humanseg: warning: {line}", file=sys.stderr)
    if len(done.unreadable) > 10:
        print(f"humanseg: warning: and {len(done.unreadable) - 10} more unreadable frames", file=sys.stderr)
    print_json({"proposals": done.proposals, "skipped": done.skips, "skip_reasons": done.skip_reasons,
                "method": done.method, "anchor": done.anchor, "persons": done.persons,
                "homography_estimated": done.homography or None,
                "approximate": approximate or bool(done.homography or _estimated(project.inputs.homography)),
                "bad_lines": bad_lines, "homography_warnings": geometry, "trajectory_warnings": file_hints,
                "score_bands": {band: n for band, n, _text in done.score_bands},
                "seconds": round(time.monotonic() - t0, 2), "project": str(Path(args.project).absolute()),
                "parent": done.parent or None, "parent_warning": done.parent_warning or None})
    if geometry:  # a script tells proposals placed off the persons by the exit status, as run's (a walk's
        # propose over another scene's homography, or one read the wrong way round, exited 0)
        print("humanseg: error: the homography or the frame offset does not fit this video (the warnings above say "
              "which): the proposals are not on the persons", file=sys.stderr)
        return 1
    return 0
