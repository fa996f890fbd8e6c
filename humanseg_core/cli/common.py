"""Helpers shared by the subcommands: input options, JSON output, progress on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..jobs import Progress


def add_input_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    """The options that name a scene: video, trajectories, homography and their conventions."""
    p.add_argument("--video", required=required, help="video file or folder of frames")
    p.add_argument("--trajectories", required=required, help="trajectory file (4-column or ETH obsmat)")
    p.add_argument("--homography", help="3x3 homography file (pixel->world by default)")
    # defaults None, read as uv and pixel-to-world: an existing project tells a value given from none (a review:
    # --h-order uv, as a warning advised, could not be given to a rowcol project)
    p.add_argument("--h-order", choices=["uv", "rowcol"], default=None,
                   help="pixel order the homography uses (default uv; rowcol for the original ETH H.txt)")
    p.add_argument("--h-direction", choices=["pixel-to-world", "world-to-pixel"], default=None,
                   help="default pixel-to-world")
    p.add_argument("--format", "--traj-format", dest="traj_format", choices=["auto", "trajnet", "obsmat"],
                   default="auto", help="trajectory file format (--traj-format as in `run`, where --format is the "
                                        "output's)")
    add_frame_args(p)
    add_skip_bad_lines(p)


def add_frame_args(p: argparse.ArgumentParser) -> None:
    """--frame-offset (None when not given: an existing project keeps its own) and --frame-step."""
    p.add_argument("--frame-offset", type=int, default=None,
                   help="video frame = offset + step * annotation frame (default 0; an existing project keeps its own "
                        "unless it holds no work yet)")
    p.add_argument("--frame-step", type=int, default=1)


def add_mots_first_frame(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mots-first-frame", type=int, default=None, metavar="N",
                   help="mots: time_frame counts the video's frames from N, its first frame being N (0: KITTI MOTS, "
                        "1: MOTSChallenge), instead of the video frame index; export.json records the shift, and "
                        "eval-scene takes it back")


def add_skip_bad_lines(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="leave out bad rows of the trajectory file (a warning names them) instead of refusing it")


def add_unnamed_walkers(p: argparse.ArgumentParser) -> None:
    """--unnamed-walkers / --no-unnamed-walkers (None when neither: a project keeps its own, a new one is off)."""
    p.add_argument("--unnamed-walkers", action=argparse.BooleanOptionalAction, default=None,
                   help="the trajectory file leaves some of the video's walkers out: the proposals look for them "
                        "in the foreground so that they keep their own pixels (ADR 0059; off by default: it costs "
                        "dense crowds where everyone is named); a project keeps the choice")


def take_unnamed_walkers(args: argparse.Namespace, project) -> None:
    """A given --(no-)unnamed-walkers stored in ``project`` (said when it changes); its proposals and runs read it
    from there."""
    import sys

    given = getattr(args, "unnamed_walkers", None)
    if given is not None and bool(given) != bool(project.inputs.unnamed_walkers):
        project.set_unnamed_walkers(bool(given))
        print(f"humanseg: note: {project.folder} {'looks for' if given else 'no longer looks for'} walkers the "
              f"trajectory file leaves out, from now on (--{'' if given else 'no-'}unnamed-walkers)", file=sys.stderr)


def load_scene_from_args(args: argparse.Namespace):
    from ..inputs.scene import load_scene

    return load_scene(
        video=args.video,
        trajectories=args.trajectories,
        homography=args.homography,
        h_order=args.h_order or "uv",
        h_direction=args.h_direction or "pixel-to-world",
        fmt=args.traj_format,
        frame_offset=args.frame_offset or 0,
        frame_step=args.frame_step,
        skip_bad_lines=bool(getattr(args, "skip_bad_lines", False)),
    )


ANCHOR_CHOICES = ["auto", "head", "feet", "centre"]


def anchor_arg(text: str) -> str:
    """--anchor's word; "center" (the composer's and US spelling, a walk's) is "centre"."""
    return "centre" if text.strip().lower() == "center" else text


def bound_arg(text: str) -> float | None:
    """``--bound-th``: a number, or 'person' (None: the tolerance scaled to each person's height)."""
    if text.strip().lower() == "person":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'person', got {text!r}") from None


def pid_arg(text: str) -> int:
    """``--pid``: a whole id, "54" or "p54" as the trajectory file wrote it (--pids took both, --pid one)."""
    from ..inputs.trajectory_rows import typed_pid

    try:
        return typed_pid(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a person id like 54 or p54, got {text!r}") from None


PRINTED: list[bool] = [False]  # the command's final JSON is out: an interrupt from now on cuts nothing short


def print_json(doc, indent: int | None = None) -> None:
    """Print the final JSON document (the last line of stdout unless indent is given): the command's work is done,
    said before the line goes out (a re-walk's Ctrl-C between the line and the mark read "cut short")."""
    text = json.dumps(doc, indent=indent, default=_default) + "\n"
    PRINTED[0] = True
    sys.stdout.write(text)
    sys.stdout.flush()


def _default(o):
    try:
        import numpy as np

        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return float(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def last_said(p: Progress) -> bool:
    """Whether the report is its stage's last (done == total): no time left to say (a walk read "[segment 80/80] …
    eta 5s")."""
    return p.total is not None and p.total > 0 and p.done >= p.total


def stderr_progress(p: Progress) -> None:
    """Progress callback for run_job: one line per report on stderr."""
    eta = f" eta {p.eta_s:.0f}s" if p.eta_s is not None and not last_said(p) else ""
    count = f"[{p.done}/{p.total}] " if p.total else ""  # a step of no known length: no "[0/0]" (a walk)
    print(f"{count}{p.message}{eta}", file=sys.stderr, flush=True)


class ThrottledProgress:
    """Progress on stderr, a line per report but not more than one every ``every_s`` seconds within a stage
    (reports of the same ``data["stage"]`` and total): a stage's first and last reports are always said, and
    each job warning once (a walk's 8-second `propose` wrote 126 lines, 101 of them one frame each of the
    homography's estimate)."""

    def __init__(self, every_s: float = 2.0, clock=None) -> None:
        import time

        self.every_s = every_s
        self.clock = clock or time.monotonic
        self.key: tuple | None = None
        self.printed_at = 0.0
        self.said: set[str] = set()
        self.warnings: list = []  # the job's warnings (JobWarning), each once, in order

    def __call__(self, p: Progress) -> None:
        self.warnings += say_new_warnings(p.warnings, self.said)
        key = (p.data.get("stage"), p.total)
        now = self.clock()
        last = bool(p.total) and p.done >= p.total
        if key == self.key and not last and now - self.printed_at < self.every_s:
            return
        self.key, self.printed_at = key, now
        stderr_progress(p)


def say_new_warnings(warnings, said: set[str], where: str = "") -> list:
    """Print each of a job's ``warnings`` (JobWarning) not said yet (``said``: their texts, kept here); returns
    those newly said. The commands' progress printers say each warning once; ``where``: its prefix (batch:
    "scene 2: ", as its other lines have: a re-walk)."""
    new = []
    for w in warnings:
        if w.text not in said:
            said.add(w.text)
            new.append(w)
            print(f"humanseg: warning: {where}{w.text}", file=sys.stderr, flush=True)
    return new


def scene_warnings(scene) -> list[str]:
    """The scene's warnings as `propose` and `run` say them: without the one for a missing homography, since
    these commands estimate one from the video first, or say that they did not (--no-estimate), in words of
    the command line (a walk read the extent fit and a studio menu before the estimate it then made)."""
    from ..inputs.scene import APPROXIMATE_WARNING, PLACED_WARNING

    return [w for w in scene.warnings if w not in (APPROXIMATE_WARNING, PLACED_WARNING)]


def say_scene_warnings(scene, where: str = "") -> list[str]:
    """Print the scene's warnings on stderr as `propose`, `run` and `batch` say them (``where``: e.g. "scene 2: "),
    and return those that say the homography does not place the points on the video, for the JSON and the exit
    status (a walk's batch had said nothing of a homography that did not fit; a re-walk's propose JSON had none)."""
    geometry = []
    for warning in scene_warnings(scene):
        print(f"humanseg: warning: {where}{warning}", file=sys.stderr)
        if geometry_warning(warning):
            geometry.append(warning)
    return geometry


def same_file(given, stored) -> bool:
    """Whether ``given`` names the file ``stored`` names (resolved: relative paths, ``~`` and links the same)."""
    if not given or not stored:
        return False
    try:
        return Path(str(given)).expanduser().resolve() == Path(str(stored)).expanduser().resolve()
    except (OSError, RuntimeError):
        return str(given) == str(stored)


def geometry_warning(text: str) -> bool:
    """Whether a scene warning says the homography does not place the points on the video (most outside the image,
    the other pixel order fitting, or every point in one speck): a run's exit status and JSON name those."""
    return "check the homography" in text or "check its order" in text or "does not fit this video" in text


def geometry_job_warning(warning) -> bool:
    """Whether a job's warning (a JobWarning) says the homography does not place the points: the video check's
    by its kind, any other by its words; `propose`, `run` and `batch` keep the same ones (a review: run kept
    them by kind only)."""
    from ..workflows.propose import PIXEL_ORDER

    return warning.kind == PIXEL_ORDER or geometry_warning(warning.text)


def parse_pids(text: str, available, where: str = "the trajectories") -> list[int]:
    """``all`` or a comma list like ``3,7``; unknown pids are an error naming ``where`` they were looked for."""
    from ..errors import HumansegError
    from ..inputs.trajectory_rows import typed_pid

    avail = sorted(int(p) for p in available)
    if text.strip().lower() == "all":
        return avail
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    if not tokens:
        raise HumansegError("--pids: no ids given; 'all' or a comma list of ids, e.g. 3,7")
    try:  # '2.9' was person 2 and 'inf' a traceback; "p54" as the trajectory file wrote it (a walk: refused)
        pids = [typed_pid(t) for t in tokens]
    except ValueError:
        raise HumansegError(f"--pids: expected 'all' or a comma list of whole ids, got {text!r}") from None
    missing = [p for p in pids if p not in set(avail)]
    if missing:
        from ..wording import id_list

        raise HumansegError(f"--pids: no person with id {id_list(missing)} in {where} (known: {id_list(avail)})")
    return list(dict.fromkeys(pids))  # each once ('54,54' was listed, and run, twice: a walk)


def note_studio_holder(folder) -> None:
    """A note on stderr when a studio window holds ``folder`` (its lock): this command writes to it anyway
    (the store stays consistent), and the studio shows the changes within seconds (once its own jobs have ended)."""
    import socket

    from ..project.lock import holder

    who = holder(folder)
    if who is not None:
        where = f" on {who.host}" if who.host and who.host != socket.gethostname() else ""
        print(f"humanseg: note: {folder} is open in a studio window (process {who.pid}{where}); this command "
              "writes to it, and the studio shows the changes within seconds (once its own jobs have ended)",
              file=sys.stderr)


# options that name files or folders: a leading ~ is the home folder in every one of them (a walk: --out took
# it, --project made a folder named '~', a manifest's paths kept it literally)
PATH_OPTIONS = ("project", "video", "trajectories", "homography", "out", "manifest", "gt_root", "pred", "gt",
                "data", "backgrounds", "weights", "init", "parent_weights", "backbone_weights", "file", "images")


def expand_home(args):
    """``args`` (a Namespace) with ``~`` expanded in the path options (strings or lists of them)."""
    import os

    for name in PATH_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value.startswith("~"):
            setattr(args, name, os.path.expanduser(value))
        elif isinstance(value, list):
            setattr(args, name, [os.path.expanduser(v) if isinstance(v, str) and v.startswith("~") else v
                                 for v in value])
    return args


def say_quality(path) -> None:
    """The note a parent file given on a command line gets when its own held-out measurement lies well below the
    shipped one's (``parent_choice.quality_note``), on stderr (an ML walk's weak parent was named by propose and
    `parent use`, not by run and train)."""
    from ..workflows.parent_choice import quality_note

    note = quality_note(Path(path))
    if note:
        print(f"humanseg: note: {note}", file=sys.stderr)
