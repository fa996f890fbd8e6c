"""``humanseg relocate``: point a project at its inputs' new places (the video, the trajectory file or the
homography moved or was renamed), as the studio's Locate… does; every decision, edit and result is kept."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from ..errors import HumansegError, RowsBeforeVideo
from .common import note_studio_holder, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "relocate", help="point a project at its moved video, trajectory file or homography",
        description="Point a project at the new place of its video (a file or a frames folder), trajectory file "
                    "and/or homography, after they moved or were renamed. The project keeps the new places; its "
                    "decisions, edits and results stay as they are. A new video must have the frame size of the "
                    "project's masks.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--video", default=None, help="the video's new place (a file or a folder of frames)")
    p.add_argument("--trajectories", default=None, help="the trajectory file's new place")
    p.add_argument("--homography", default=None, help="the homography's new place")
    p.add_argument("--h-order", choices=["uv", "rowcol"], default=None,
                   help="read the homography in this pixel order from now on (rowcol: the original ETH H.txt)")
    p.add_argument("--h-direction", choices=["pixel-to-world", "world-to-pixel"], default=None,
                   help="read the homography in this direction from now on")
    p.add_argument("--frame-offset", type=int, default=None,
                   help="read the trajectories with this frame offset from now on (video frame = offset + step x "
                        "annotation frame)")
    p.add_argument("--force", action="store_true",
                   help="take a --video whose frames look unlike the project's video's (another video of the same "
                        "size and numbering is refused without it)")
    p.add_argument("--frame-step", type=int, default=None, help="read the trajectories with this frame step from "
                                                                 "now on")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..inputs.moved import found_beside
    from ..project import Project
    from ..project.paths import put_back_damaged_inputs
    from ..project.relocate import NAMES, check_new_video, moved_inputs
    from ..workflows.placed_reading import placed_otherwise

    new = {k: v for k in NAMES if (v := getattr(args, k)) is not None}
    reading = {k: v for k in READING if (v := getattr(args, k, None)) is not None}
    if not new and not reading:
        raise HumansegError("relocate: give --video, --trajectories and/or --homography (the new places), or "
                            "--h-order / --h-direction (how the homography is read), --frame-offset / --frame-step "
                            "(how the trajectories' frames meet the video's)")
    if reading.get("frame_step", 1) < 1:
        raise HumansegError(f"--frame-step {reading['frame_step']}: must be 1 or more (nothing was changed)")
    for key, path in new.items():
        if not Path(path).exists():
            raise HumansegError(f"--{key}: {path}: no such file or folder (nothing was changed)")
    folder = Path(args.project)
    note_studio_holder(folder)
    damaged = _rewrite_damaged(folder, new, reading)
    try:  # a refusal below leaves damaged inputs as they were (a review: the refused video was stored)
        with Project.open(folder) as project:
            beside = found_beside(moved_inputs(project.inputs), new) if new else {}
            for key, path in beside.items():  # (a walk relocated its video and still had to give the files beside)
                print(f"humanseg: note: the {NAMES[key]} was found where it stood beside the new "
                      f"{' and '.join(NAMES[k] for k in new)}: {path}", file=sys.stderr)
            new.update(beside)
            why, shorter, unlike = check_new_video(project, new["video"]) if "video" in new else (None, "", "")
            if why is not None:
                raise HumansegError(f"{why} (nothing was changed)")
            if unlike and not args.force:  # (a walk's Locate… took another video of the same size unsaid)
                raise HumansegError(f"{unlike} (nothing was changed; `--force` takes it as the project's video)")
            _check_readable(project, new, reading)
            damaged = False  # checked: the inputs stored now stay
            was = {k: getattr(project.inputs, k) for k in (*new, *reading)}
            if new:
                project.relocate_inputs(**new)
            if unlike:  # taken with --force: the project's video is that one from now on
                project.forget_video_fingerprint()
            if reading:  # (a walk's rerun with --h-direction on its project was told "not used", no way to change it)
                project.use_reading(dataclasses.replace(project.inputs, **reading))
            still = moved_inputs(project.inputs)
            now = {k: getattr(project.inputs, k) for k in (*new, *reading)}
            # whom the next run proposes again, as it decides it (moved files alike place nobody anew: an audit)
            placed = bool(placed_otherwise(project, project.pids()))
            checked = "homography" in new or "trajectories" in new or bool(reading)  # against the video, if they fit
            fit = _fit_warning(project) if not still and checked else ""
            if not still and checked:  # this reading's verdict, as proposals keep theirs (a review: a misfit
                from ..workflows.video_check import record_check  # relocated to another misfit ran on unsaid)

                record_check(project, fit)
    except BaseException:
        if damaged:
            put_back_damaged_inputs(folder)
        raise
    for key in (*new, *reading):
        print(f"humanseg: {NAMES.get(key, key.replace('_', ' '))}: {was[key]} -> {now[key]}", file=sys.stderr)
    if placed:
        print("humanseg: note: the next `humanseg propose` or `run` proposes its persons again (their pending "
              "proposals were placed the old way; decided ones stay)", file=sys.stderr)
    if still:
        print("humanseg: still not found: " + "; ".join(f"{NAMES[k]} {p}" for k, p in still), file=sys.stderr)
    if shorter:
        print(f"humanseg: warning: {shorter}", file=sys.stderr)
    if unlike:
        print(f"humanseg: warning: {unlike} (taken: --force)", file=sys.stderr)
    if fit:  # another scene's file is taken as given, and said (a walk's was taken without a word)
        print(f"humanseg: warning: {fit}", file=sys.stderr)
    print_json({"project": str(folder), "relocated": now, "was": was, "still_missing": dict(still)})
    return 0


READING = ("h_order", "h_direction", "frame_offset", "frame_step")  # how the inputs are read (Project.use_reading)


def _check_readable(project, new: dict[str, str], reading: dict[str, str] | None = None) -> None:
    """Refuse new places the project could not read (a walk's trajectory file with a bad row was taken, and the
    next `propose` failed on it): the scene is read with them first, when every input is then found."""
    from ..inputs.scene import load_scene_of
    from ..project.relocate import moved_inputs

    moved = {k: str(Path(v).expanduser().resolve()) for k, v in new.items()}
    candidate = dataclasses.replace(project.inputs, **moved, **(reading or {}))
    if moved_inputs(candidate):  # another input still missing: nothing to read the scene with yet
        return
    try:
        with load_scene_of(candidate) as scene:
            nobody = not scene.pids_in_video()
    except RowsBeforeVideo:  # the offset puts every row before the video
        nobody = True
    except HumansegError as exc:
        raise HumansegError(f"{exc} (nothing was changed: the project keeps its places)") from None
    if nobody and {"frame_offset", "frame_step"} & set(reading or {}):
        raise HumansegError(f"--frame-offset {candidate.frame_offset} and --frame-step {candidate.frame_step} put no "
                            f"annotated frame of {candidate.trajectories} in the video (nothing was changed: the "
                            f"project keeps frame offset {project.inputs.frame_offset}, step "
                            f"{project.inputs.frame_step})")


def _fit_warning(project) -> str:
    """What the video check says of the project's homography and trajectories as they are now ("" when they fit,
    or when the scene cannot be read to check)."""
    from ..inputs.order_check import swapped_order_warning

    try:
        scene = project.load_scene()
    except HumansegError:
        return ""
    try:
        return swapped_order_warning(scene, project.inputs.h_order, direction=project.inputs.h_direction)
    finally:
        scene.close()


def _rewrite_damaged(folder: Path, new: dict, reading: dict) -> bool:
    """The project's stored inputs, when unreadable, replaced by the --video and --trajectories given and what of
    the stored ones still reads (a damaged row had locked every command out, this one too: a data-safety review);
    said on stderr. True when they were."""
    from ..project.paths import rewrite_unreadable_inputs

    if "video" not in new or "trajectories" not in new or not (folder / "project.sqlite").is_file():
        return False
    dropped = rewrite_unreadable_inputs(folder, {**new, **reading})
    if dropped is None:
        return False
    lost = f"; these could not be read and are the defaults now: {', '.join(dropped)}" if dropped else ""
    print(f"humanseg: note: {folder}: its stored inputs were unreadable; the places given now are stored with what "
          f"of the rest still reads{lost} (the damaged text is kept in the project as inputs_damaged)",
          file=sys.stderr)
    return True
