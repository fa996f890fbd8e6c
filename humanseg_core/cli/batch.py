"""``humanseg batch``: whole-scene runs over many scenes listed in a TOML manifest (its format:
``MANIFEST_HELP`` below, which ``humanseg batch --help`` shows).

Relative paths are relative to the manifest's folder.  Scenes run one after the other; with
``--backend ray`` the persons of each scene run in parallel on the Ray workers (one Ray connection for the
whole batch), and the driver alone writes each project.  The last stdout line is JSON
``{"scenes": [{"project", "out", ...the run summary...}], "failed": [...], "seconds"}``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import textwrap
import time
from pathlib import Path

from ..errors import HumansegError
from ..wording import shell_arg
from .common import expand_home, print_json, same_file
from .run import add_run_args

PATH_KEYS = ("project", "video", "trajectories", "homography", "out")
SCENE_KEYS = {"project", "video", "trajectories", "homography", "h_order", "h_direction", "traj_format",
              "frame_offset", "frame_step", "skip_bad_lines", "unnamed_walkers", "out", "pids", "accept",
              "steps_per_person", "seconds_per_person",
              "format", "min_labels", "seed", "batch_size", "method"}


MANIFEST_HELP = """manifest (TOML; relative paths are relative to the manifest's folder):

  [defaults]                       # optional
  steps_per_person = 100

  [[scene]]
  project = "projects/zara01"      # created from video/trajectories/homography when new
  video = "/data/zara01/frames"
  trajectories = "/data/zara01/trajectories.txt"
  homography = "/data/zara01/H.txt"
  out = "out/zara01"

""" + textwrap.fill("keys of [defaults] and [[scene]] (a scene's own keys win): " + ", ".join(sorted(SCENE_KEYS))
                    + ". The other options (--device, --backend, --model, --refine, --workers, ...) come from the "
                    "command line only.", 100)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="whole-scene runs over the scenes of a TOML manifest (locally or on Ray)",
        description="Run `humanseg run` on every [[scene]] of a TOML manifest (format below); command-line\n"
                    "options are the defaults that [defaults] and each scene override.",
        epilog=MANIFEST_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--manifest", required=True, help="TOML file with [defaults] and [[scene]] tables")
    add_run_args(p, with_out=False)
    p.set_defaults(func=run, option_defaults={a.dest: a.default for a in p._actions})


def read_manifest(path) -> tuple[dict, list[dict]]:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        raise HumansegError("humanseg batch needs Python 3.11 or later (tomllib)") from None
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HumansegError(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HumansegError(f"{path}: not a valid TOML manifest: {exc}") from None
    scenes = doc.get("scene")
    if not isinstance(scenes, list) or not scenes:
        near = difflib.get_close_matches("scene", [k for k in doc if k != "defaults"], n=1)
        raise HumansegError(f"{path}: no [[scene]] tables" + (f" (it has [[{near[0]}]]: did you mean [[scene]]?)"
                                                             if near else ""))
    defaults = doc.get("defaults", {})
    problems: list[str] = []  # every problem of the manifest at once (a walk's took four rounds to clear)

    def check(call, *a) -> None:
        try:
            call(*a)
        except HumansegError as exc:
            problems.append(str(exc).removeprefix(f"{path}: "))

    for k, entry in enumerate([defaults, *scenes]):
        where = "[defaults]" if k == 0 else f"scene {k}"
        for key in sorted(set(entry) - SCENE_KEYS):
            near = difflib.get_close_matches(key, sorted(SCENE_KEYS), n=1)
            problems.append(f"{where}: unknown key {key!r}" + (f" (did you mean {near[0]!r}?)" if near else
                                                                 f" (known: {', '.join(sorted(SCENE_KEYS))})"))
    for k, s in enumerate(scenes, 1):
        problems += [f"scene {k} has no {key!r}" for key in ("project", "out") if key not in s and key not in defaults]
    for k, entry in enumerate([defaults, *scenes]):  # every value, before the first scene runs (a walk: a
        check(_check_values, entry, f"{path}: {'[defaults]' if k == 0 else f'scene {k}'}")  # traceback in scene 3)
    base = path.resolve().parent
    fixed = [{k: (os.path.normpath(str(base / os.path.expanduser(v))) if k in PATH_KEYS and isinstance(v, str)
                  else v) for k, v in s.items()} for s in [defaults, *scenes]]  # (a walk read ".../batch/../in")
    for k, entry in enumerate(fixed):
        if "pids" in entry:
            try:
                entry["pids"] = _pids_text(entry["pids"], path, "[defaults]" if k == 0 else f"scene {k}")
            except HumansegError as exc:
                problems.append(str(exc).removeprefix(f"{path}: "))
    for key, why in (("out", "export to"), ("project", "use the project")):
        seen: dict[str, int] = {}
        for k, s in enumerate(fixed[1:], 1):  # two scenes exporting into one folder would overwrite each other;
            # two sharing a project would run the first one's video twice (a project holds one video, a walk)
            if s.get(key, fixed[0].get(key)) is None:
                continue  # said above
            value = str(Path(str(s.get(key, fixed[0].get(key)))).resolve())
            if value in seen:
                problems.append(f"scenes {seen[value]} and {k} both {why} {value}; give each its own {key}")
            seen[value] = k
    projects = {k: Path(str(s.get("project", fixed[0].get("project")))).resolve() for k, s in enumerate(fixed[1:], 1)
                if s.get("project", fixed[0].get("project")) is not None}
    for k, s in enumerate(fixed[1:], 1):  # an export over a scene's project (a walk's scene 2 exported into scene
        out = s.get("out", fixed[0].get("out"))  # 1's project: found only once scene 1 had run)
        if out is None:
            continue
        target = Path(str(out)).resolve()
        for j, project in projects.items():
            if target == project or target in project.parents:  # (inside a project: allowed, as run allows it)
                problems.append(f"scene {k} exports to {target}, {'which holds' if target != project else 'which is'}"
                                f" scene {j}'s project {project}: an export replaces its folder whole; give it "
                                "another out")
    outs = {k: Path(str(s.get("out", fixed[0].get("out")))).resolve() for k, s in enumerate(fixed[1:], 1)
            if s.get("out", fixed[0].get("out")) is not None}
    for k, out in outs.items():  # one export inside another's folder (a walk's: passed the check, as run allows it)
        for j, other in outs.items():
            if other in out.parents:
                problems.append(f"scene {k} exports to {out}, inside scene {j}'s export {other}: an export replaces "
                                "its folder whole; give each an out of its own beside the other")
    for k, s in enumerate(fixed[1:], 1):  # every scene's inputs before the first runs (a walk lost scene 1's run
        if "project" in {**fixed[0], **s}:  # to a typo in scene 2's video path)
            check(_check_inputs, path, k, {**fixed[0], **s})
    if problems:
        raise HumansegError(f"{path}: " + (problems[0] if len(problems) == 1 else f"{len(problems)} problems:\n  - "
                                           + "\n  - ".join(problems)))
    return fixed[0], fixed[1:]


def _check_inputs(path: Path, k: int, scene: dict) -> None:
    """Scene ``k``'s input files exist; an existing project given other inputs than it was made with is refused
    (``humanseg run`` notes it and uses the project's: in a batch that ran another scene's video unseen)."""
    for key in ("video", "trajectories", "homography"):
        value = scene.get(key)
        if value and not Path(str(value)).expanduser().exists():
            raise HumansegError(f"{path}: scene {k}: its {key} {value}: no such file or folder")
    from ..project import FILENAME, Project

    folder = Path(str(scene["project"])).expanduser()
    if folder.exists() and not folder.is_dir():  # (a walk's: found only when its scene came to run)
        raise HumansegError(f"{path}: scene {k}: its project {folder} is a file, not a project folder")
    made = None
    if (folder / FILENAME).exists():
        try:
            project = Project.open(folder, reading=True, tidy=False, update=False)
        except HumansegError:
            return  # said when the scene runs
        try:
            made = project.inputs
        finally:
            project.close()
    if not scene.get("video") or made is None:
        return
    for key in ("video", "trajectories", "homography"):  # a walk's changed homography alone ran the old one
        given, kept = scene.get(key), getattr(made, key, None)
        if given and kept and not same_file(given, kept):
            relocate = (f", or `humanseg relocate --project {shell_arg(folder)} --homography {shell_arg(given)}` "
                        "first") if key == "homography" else ""  # (an estimate's project given the scene's H.txt)
            raise HumansegError(f"{path}: scene {k}: the project {folder} was made with the {key} {kept}, not "
                                f"{given}; give this scene a project of its own{relocate}")
        if given and not kept:  # a project made without a homography, given one (a walk: refused when it came to run)
            raise HumansegError(f"{path}: scene {k}: the project {folder} was made without a {key}, not with "
                                f"{given}; give this scene a project of its own, or `humanseg relocate --project "
                                f"{shell_arg(folder)} --{key} {shell_arg(given)}` first")


CHOICES = {"h_order": ("uv", "rowcol"), "h_direction": ("pixel-to-world", "world-to-pixel"),
           "traj_format": ("auto", "trajnet", "obsmat")}
TEXTS = ("project", "video", "trajectories", "homography", "out", "accept", "format", "method")
WHOLE = {"frame_offset": None, "frame_step": 1, "steps_per_person": 1, "min_labels": 1, "seed": 0, "batch_size": 1}


def _check_values(entry: dict, where: str) -> None:
    """The manifest's values of the types and ranges the command line's options take."""
    from ..checks import flag, positive, whole
    from ..proposals.methods import METHOD_NAMES
    from ..workflows.scene_config import FORMATS, AcceptPolicy

    try:
        for key, value in entry.items():
            if key in TEXTS and not isinstance(value, str):
                raise HumansegError(f"{key} must be text, got {value!r}")
            if key in CHOICES and value not in CHOICES[key]:
                raise HumansegError(f"{key} must be one of {', '.join(CHOICES[key])}, got {value!r}")
            if key in WHOLE:
                whole(value, key, WHOLE[key])
        if "seconds_per_person" in entry:
            positive(entry["seconds_per_person"], "seconds_per_person")
        for key in ("skip_bad_lines", "unnamed_walkers"):
            if key in entry:
                flag(entry[key], key)
        if "steps_per_person" in entry and "seconds_per_person" in entry:
            raise HumansegError("give steps_per_person or seconds_per_person, not both (as on the command line)")
        if "accept" in entry:
            AcceptPolicy.parse(entry["accept"])
        if entry.get("format", "davis") not in FORMATS:
            raise HumansegError(f"format must be one of {', '.join(FORMATS)}, got {entry['format']!r}")
        if entry.get("method") is not None and entry["method"] not in METHOD_NAMES:
            raise HumansegError(f"method must be one of {', '.join(METHOD_NAMES)}, got {entry['method']!r}")
    except HumansegError as exc:
        raise HumansegError(f"{where}: {exc}") from None


def _pids_text(value, path: Path, where: str) -> str:
    """A manifest's ``pids`` as the run takes it: "all", "3,7", a TOML list [3, 7] or one id 3."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)  # ["p54", "p7"] as the trajectory file writes them (--pids reads them)
    if isinstance(value, str) and value.strip():
        return value
    raise HumansegError(f"{path}: {where}: pids must be \"all\", ids as a list [3, 7] (or [\"p3\", \"p7\"]) "
                        f"or a string \"3,7\"; got {value!r}")


def _scene_args(args: argparse.Namespace, defaults: dict, scene: dict) -> argparse.Namespace:
    merged = vars(args).copy()
    merged.update(video=None, trajectories=None, homography=None, h_order=None, h_direction=None,
                  traj_format="auto", frame_offset=None, frame_step=1, skip_bad_lines=False, unnamed_walkers=None,
                  anchor=getattr(args, "anchor", None))
    for key, value in {**defaults, **scene}.items():
        merged["out_format" if key == "format" else key] = value
    # a scene's own budget wins over [defaults]' other kind (steps and seconds exclude each other)
    if "steps_per_person" in scene or ("steps_per_person" in defaults and "seconds_per_person" not in scene):
        merged["seconds_per_person"] = None
    elif "seconds_per_person" in scene or "seconds_per_person" in defaults:
        merged["steps_per_person"] = None
    return expand_home(argparse.Namespace(**merged))


def _note_overridden(args: argparse.Namespace, effective: list[argparse.Namespace]) -> None:
    """A note for each command-line option the manifest overrides in some scene (a walk's --steps-per-person 2 ran
    20 steps, the manifest's [defaults], without a word; a budget of the other kind drops the option too)."""
    given = getattr(args, "option_defaults", None) or {}
    for key in sorted(SCENE_KEYS - set(PATH_KEYS)):
        dest = "out_format" if key == "format" else key
        if dest not in given or getattr(args, dest, None) == given[dest]:
            continue  # not given on the command line
        where = [k for k, sargs in enumerate(effective, 1) if getattr(sargs, dest, None) != getattr(args, dest)]
        if where:
            scenes_text = "every scene" if len(where) == len(effective) else "scene " + ", ".join(map(str, where))
            print(f"humanseg: note: --{dest.replace('_', '-') if key != 'format' else 'format'} "
                  f"{getattr(args, dest)} is overridden by the manifest in {scenes_text} (its values win over the "
                  "command line's)", file=sys.stderr)


def _check_persons(sargs: argparse.Namespace) -> None:
    """The scene's persons (its pids, the manifest's or the command line's) as its run checks them: known, and in
    the video (a walk's person 9999, or one annotated only outside the clip, failed once scene 1 had run whole).
    Inputs that cannot be read are said when the scene runs."""
    from ..project import FILENAME, Project
    from .common import load_scene_from_args
    from .propose import other_direction_fits, pids_check

    folder = Path(str(sargs.project))
    new = not (folder / FILENAME).exists()
    try:
        if not new:
            with Project.open(folder, reading=True, tidy=False, update=False) as project:
                scene = project.load_scene()
        elif sargs.video and sargs.trajectories:
            scene = load_scene_from_args(sargs)
        else:
            return
    except HumansegError:
        return
    try:
        if new:  # (as `run` refuses it: a project made already reads as relocate or the manifest's reading says)
            other_direction_fits(scene)
        pids_check(str(sargs.pids), getattr(sargs, "h_order", None) or "uv")(scene)
    finally:
        scene.close()


def _say_cut(k: int, sargs: argparse.Namespace, done: list[dict], failed: list[dict]) -> None:
    """What a batch cut short in scene ``k`` had finished (its masks written), failed, and not begun."""
    whole = "; ".join(f"{d['project']} (masks in {d['out']})" for d in done) or "none"
    print(f"humanseg: batch cut short in scene {k} ({sargs.project}); scenes finished before it: {whole}"
          + (f"; failed: {', '.join(str(f['project']) for f in failed)}" if failed else ""), file=sys.stderr)


def _check_scene_options(args: argparse.Namespace, effective: list[argparse.Namespace]) -> None:
    """Each scene's options as its run takes them, and its export folder, before the first scene runs (a walk's
    `--backend ray` with `refine = "evidence"` started Ray, then failed every scene; a ground-truth folder as a
    later scene's out failed after the earlier scenes had run)."""
    from ..workflows.parent_choice import check_parent_file
    from ..workflows.scene_sink import check_out
    from .run import config_from_args

    found: dict[str, list[str]] = {}  # problem -> the scenes it is found in
    for k, sargs in enumerate(effective, 1):
        out = Path(sargs.out) if sargs.out is not None else None
        parent = getattr(sargs, "parent_weights", None)  # a broken file failed every scene, one by one (a review)
        checks = ((config_from_args, (sargs, out)), (check_out, (out, sargs.out_format, sargs.project)),
                  *(((check_parent_file, (parent,)),) if parent else ()))
        for check, given in (*checks, (_check_persons, (sargs,))):
            try:
                check(*given)
            except HumansegError as exc:
                found.setdefault(str(exc), []).append(f"scene {k} ({sargs.project})")
    # a problem of every scene is the command line's options' (a review: it was pinned on scene 1)
    problems = [f"the options of every scene: {said}" if len(where) == len(effective) > 1 else
                f"{', '.join(where)}: {said}" for said, where in found.items()]
    if problems:
        raise HumansegError(f"{args.manifest}: " + (problems[0] if len(problems) == 1 else
                                                    f"{len(problems)} problems:\n  - " + "\n  - ".join(problems)))


def run(args: argparse.Namespace) -> int:
    from .run import run_one_scene, say_done, say_person_notes

    t0 = time.monotonic()
    defaults, scenes = read_manifest(args.manifest)
    effective = [_scene_args(args, defaults, scene) for scene in scenes]  # each scene's options, as it runs
    _check_scene_options(args, effective)
    if args.backend == "ray":
        from ..workflows.scene_ray import ensure_ray

        ensure_ray(args.address, args.workers)
    _note_overridden(args, effective)
    done: list[dict] = []
    failed: list[dict] = []
    for k, sargs in enumerate(effective, 1):
        print(f"humanseg: scene {k}/{len(scenes)}: {sargs.project}", file=sys.stderr, flush=True)
        try:
            outcome = run_one_scene(sargs, f"scene {k}: ")  # as `run` runs it
        except KeyboardInterrupt:  # which scenes are whole, said before the interrupt's own message (a walk's
            _say_cut(k, sargs, done, failed)  # script could not tell that scene 1 had finished)
            raise
        except HumansegError as exc:  # one bad scene does not stop the batch
            print(f"humanseg: error: scene {k} ({sargs.project}): {exc}", file=sys.stderr)
            failed.append({"project": sargs.project, "error": str(exc)})
            continue
        say_person_notes(outcome.result, f"scene {k}: ")  # as `run` says them (a review: failed persons unsaid)
        say_done(outcome.result, sargs.out, f"scene {k}: ")  # as `run` says it (a walk's batch said neither line)
        failure = outcome.failure()  # every chosen person skipped, or masks on the wrong people: a failed scene
        if failure:  # as `run` exits 1 for it
            print(f"humanseg: error: scene {k} ({sargs.project}): {failure}", file=sys.stderr)
            failed.append({"project": sargs.project, "error": failure, **outcome.to_json()})
            continue
        done.append({"project": sargs.project, "out": sargs.out, **outcome.to_json()})
    print_json({"scenes": done, "failed": failed, "seconds": round(time.monotonic() - t0, 3)})
    if failed:  # the others went on; a script still learns that some scene failed (a walk: exit 0)
        print(f"humanseg: error: {len(failed)} of {len(scenes)} scene{'s' if len(scenes) != 1 else ''} failed "
              "(listed in the JSON's failed)", file=sys.stderr)
        return 1
    return 0
