"""``humanseg run``: the whole scene (every chosen person) proposed, trained, segmented, stored, exported.

With ``--format davis`` (the default) writes ``--out/<pid>/%05d.png`` (full frame, 0/255) for every
segmented frame; ``mots``/``palette`` write the project's export of the results into ``--out``.  The last
stdout line is JSON: ``persons``, ``skipped``, ``kept``, ``reused``, ``failed``, ``frames``,
``person_frames``, ``seconds``, ``propose_seconds``, ``train_seconds``, ``segment_seconds``, ``store_seconds``,
``ms_per_person_frame``
(segmentation time divided by person-frames), ``device``, ``precision`` (bfloat16 or float32), ``backend``,
``model``, ``run_ids``, ``overlap_px``, ``unreadable_frames`` (frames whose image could not be read: no
person has a mask there), ``agreement`` ({pid: mean IoU of its results with its labels on the annotated
frames}: the persons lowest in it are named on stderr as the ones to look at first).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HumansegError
from ..jobs import run_job
from ..proposals.methods import DEFAULT_METHOD, METHOD_NAMES
from ..wording import id_list, plural, shell_arg
from ..workflows.agreement import drops_text, lowest_text
from ..workflows.scene_config import DEFAULT_SECONDS, DEFAULT_STEPS, REFINES
from .common import (
    ANCHOR_CHOICES,
    add_frame_args,
    add_mots_first_frame,
    add_skip_bad_lines,
    add_unnamed_walkers,
    anchor_arg,
    geometry_job_warning,
    last_said,
    print_json,
    say_new_warnings,
    say_scene_warnings,
)

BUDGET = f"{DEFAULT_STEPS} steps, or {DEFAULT_SECONDS:g} s if those end first"  # the default (ADR 0026)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="segment every chosen person of a scene (propose, accept, train, segment, export)",
        description="The whole-scene job: proposals for persons without any, an acceptance policy, a training "
                    "budget per person, batched segmentation of every frame of each person's span, overlaps "
                    "resolved by depth, results stored in the project and exported to --out.")
    p.add_argument("--project", required=True, help="project folder (created from --video/--trajectories when new)")
    add_scene_inputs(p)
    add_run_args(p)
    p.set_defaults(func=run)


def add_scene_inputs(p: argparse.ArgumentParser) -> None:
    """The scene options of ``add_input_args`` with the trajectory format as ``--traj-format`` (``--format``
    is the export format here)."""
    p.add_argument("--video", help="video file or folder of frames (when the project is new)")
    p.add_argument("--trajectories", help="trajectory file (4-column or ETH obsmat)")
    p.add_argument("--homography", help="3x3 homography file (pixel->world by default)")
    p.add_argument("--h-order", choices=["uv", "rowcol"], default=None, help="default uv")  # None: not given
    p.add_argument("--h-direction", choices=["pixel-to-world", "world-to-pixel"], default=None,
                   help="default pixel-to-world")
    p.add_argument("--traj-format", choices=["auto", "trajnet", "obsmat"], default="auto")
    add_frame_args(p)
    add_skip_bad_lines(p)
    add_unnamed_walkers(p)


# the labels a run takes unless told: as the studio's Whole scene. Against `all`, one set of proposals each
# (BENCHMARKS "Accept score>=0.7 keeps each person's best"): eth_dense mean J 0.631 -> 0.640, HOTA 0.633 ->
# 0.641; davis_shop 0.733 / 0.716 -> 0.733 / 0.717; zara01_feet 0.779 / 0.774 -> 0.779 / 0.775
DEFAULT_ACCEPT = "score>=0.7"


def add_run_args(p: argparse.ArgumentParser, with_out: bool = True) -> None:
    """The options shared by ``run`` and ``batch``."""
    p.add_argument("--pids", default="all", help="'all' or a comma list of person ids, e.g. 3,7")
    p.add_argument("--accept", default=DEFAULT_ACCEPT,
                   help="which proposals the networks train on (their review status stays as it is): all "
                        "(unreviewed), reviewed, or 'score>=X', quoted in a shell "
                        f"(default {DEFAULT_ACCEPT}, as the studio's Whole scene: a person none of whose proposals "
                        "reaches X trains on its best one)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--seconds-per-person", type=float, default=None,
                        help=f"training seconds per person (default: {BUDGET})")
    budget.add_argument("--steps-per-person", type=int, default=None,
                        help=f"training steps per person, however long they take (default: {BUDGET})")
    if with_out:
        p.add_argument("--out", required=True, help="export folder (davis: <pid>/%%05d.png)")
    p.add_argument("--format", dest="out_format", choices=["davis", "mots", "palette"], default="davis",
                   type=_output_format, help="the output's format (the trajectories': --traj-format). davis: "
                   "OUT/<pid>/%%05d.png, a full-frame 0/255 PNG per person and frame (`humanseg export --format davis` "
                   "writes the DAVIS benchmark's JPEGImages/Annotations folders instead); mots, palette: as "
                   "`humanseg export` writes them")
    add_mots_first_frame(p)
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                   help="where the networks run (auto: CUDA, then MPS, then CPU)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="bfloat16 inference on CUDA and on CPUs with native bfloat16 (AVX512-BF16/AMX)")
    p.add_argument("--backend", choices=["local", "ray"], default="local")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray)")
    p.add_argument("--workers", type=int, default=None,
                   help=("Ray CPUs (local Ray); locally: torch threads for training, and persons segmented in "
                         "parallel on a CPU, one thread each"))
    p.add_argument("--keep-trained", action="store_true",
                   help="persons that already have segmentation results keep them (not trained or segmented "
                        "again, written to --out as stored; reported in 'kept'); by default they are retrained "
                        "and a new run is added")
    p.add_argument("--reuse-trained", action="store_true",
                   help="persons whose last run here was cancelled after training them, before segmenting all "
                        "their frames, are segmented with that stored network instead of training again (reported "
                        "in 'reused'; local backend)")
    p.add_argument("--min-labels", type=int, default=1, help="persons with fewer labels are skipped (1)")
    p.add_argument("--batch-size", type=int, default=32, help="crops per forward pass (1 = no batching)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", choices=["auto", "osvos-parent", "osvos-lite"], default="auto",
                   help="auto: osvos-parent when its parent file is installed, else osvos-lite")
    p.add_argument("--parent-weights", metavar="FILE", default=None,
                   help="the parent network for this run's proposals, fine-tuning and evidence step (default: the "
                        "project's own, `humanseg parent use`, else the shipped one)")
    p.add_argument("--no-label-refine", dest="refine_labels", action="store_false",
                   help="train on the labels as they are (default: GrabCut cleans unedited ones first)")
    p.add_argument("--refine", choices=list(REFINES), default="auto",
                   help="evidence: every frame goes through the proposals' joint step (background model, parent, "
                        "pixel ownership across all persons) with each person's network blended into the parent "
                        "(J +0.03..+0.07, about 10x the segmentation time); none: each person's network segments "
                        "every frame alone (the fast path); auto (default): evidence locally, none on Ray")
    p.add_argument("--train-encoder", action="store_true",
                   help="osvos-parent: fine-tune the parent's encoder too (about 1.7x the training time; by default "
                        "each person's network trains its decoder alone, with the same J: ADR 0028)")
    p.add_argument("--results-only", action="store_true",
                   help="the export holds the networks' results on every frame; by default a frame where the "
                        "analyst accepted or edited a person's mask (or imported one) holds that mask, as the "
                        "studio's Export with source 'any' (the project's stored results are the networks' either "
                        "way)")
    p.add_argument("--no-estimate", action="store_true",
                   help="without a homography, the positions come from the trajectories' extent alone instead of "
                        "a homography estimated from the video and saved in the project (the default: ADR 0022)")
    p.add_argument("--anchor", choices=ANCHOR_CHOICES, type=anchor_arg, default=None,
                   help="where the track points sit on the bodies, for the proposals and the per-frame evidence "
                        "step (default: the project's; a new project: auto, estimated from sample frames)")
    p.add_argument("--method", choices=list(METHOD_NAMES), default=DEFAULT_METHOD,
                   help=f"proposal method for persons without proposals (default {DEFAULT_METHOD}, as "
                        "`humanseg propose`)")


def config_from_args(args: argparse.Namespace, out=None, pids=None):
    from ..workflows.scene_config import SCENE_FROZEN_BLOCKS, SceneRunConfig

    seconds, steps = args.seconds_per_person, args.steps_per_person  # neither: the config's default budget
    return SceneRunConfig(pids=pids, accept=args.accept, steps_per_person=steps,
                          seconds_per_person=seconds, min_labels=args.min_labels,
                          out=Path(out) if out is not None else None, fmt=args.out_format,
                          mots_first_frame=getattr(args, "mots_first_frame", None), device=args.device,
                          mixed_precision=args.mixed_precision, batch_size=args.batch_size, backend=args.backend,
                          address=args.address, workers=args.workers, seed=args.seed,
                          model=getattr(args, "model", "auto"), parent=_absolute(getattr(args, "parent_weights", None)),
                          refine_labels=getattr(args, "refine_labels", True),
                          method=getattr(args, "method", DEFAULT_METHOD), refine=getattr(args, "refine", "auto"),
                          keep_trained=bool(getattr(args, "keep_trained", False)),
                          reuse_trained=bool(getattr(args, "reuse_trained", False)),
                          anchor=getattr(args, "anchor", None) or "",
                          estimate_homography=not getattr(args, "no_estimate", False),
                          labels_in_output=not getattr(args, "results_only", False),
                          frozen_blocks=0 if getattr(args, "train_encoder", False) else SCENE_FROZEN_BLOCKS)


def _absolute(path: str | None) -> str | None:
    """A file named on the command line as an absolute path: a Ray worker elsewhere, and the run's JSON, read it."""
    return None if path is None else str(Path(path).expanduser().resolve())


def say_done(result, out, prefix: str = "") -> None:
    """The closing lines a reader looks for (as propose prints one): what was segmented, where, and the
    persons lowest in agreement with their labels (the Persons tab's Agree column; no ground truth needed)."""
    kept = dict(getattr(result, "kept", {}) or {})
    where = f"; masks in {out}" if out and (result.persons or kept) else ""
    # the persons kept (--keep-trained) are written from their stored results (a walk read "0 persons segmented"
    # while its kept person was written)
    also = f", {len(kept)} kept with {'its' if len(kept) == 1 else 'their'} stored results" if kept else ""
    print(f"humanseg: {prefix}{len(result.persons)} person{'' if len(result.persons) == 1 else 's'} segmented "
          f"({result.person_frames} person-frames on {result.frames} frames) in {result.seconds:.0f} s{also}{where}",
          file=sys.stderr)
    if getattr(result, "anchor", "") and result.persons:  # a wrong estimate halves every mask: said, with the way
        print(f"humanseg: {prefix}the proposals took the track points on the {result.anchor} (--anchor sets it)",
              file=sys.stderr)
    lowest = lowest_text(result.agreement, frames=getattr(result, "agreement_frames", None),
                         edited=getattr(result, "edited", None), trained=getattr(result, "labels", None))
    if lowest:
        print(f"humanseg: {prefix}{lowest}", file=sys.stderr)
    from ..workflows.scene_result import cut_short_text, few_steps_text, guessed_frames_text, labelled_text

    held = labelled_text(getattr(result, "labelled", {}) or {})
    if held and out:
        print(f"humanseg: {prefix}{held} (--results-only: the networks' alone)", file=sys.stderr)
    guessed = guessed_frames_text(getattr(result, "guessed", {}) or {}, getattr(result, "guessed_missing", None))
    if guessed:  # a walk's person 163 drifted onto a neighbour there, and its agreement (one label) said 0.94
        print(f"humanseg: {prefix}{guessed}", file=sys.stderr)

    few = few_steps_text(getattr(result, "few_steps", {}) or {}, "give --steps-per-person alone (the default: "
                         f"{BUDGET}), which a busy machine does not shorten, or more --seconds-per-person")
    if few:
        print(f"humanseg: {prefix}warning: {few}", file=sys.stderr)
    cut = getattr(result, "cut_short", {}) or {}
    if cut and getattr(result, "budget", ()):
        print(f"humanseg: {prefix}note: {cut_short_text(cut, *result.budget)}; --steps-per-person alone lets them "
              "finish", file=sys.stderr)
    drops = getattr(result, "drops", {}) or {}
    runs = ",".join(f"{p}:{run}" for p, (run, _was, _now) in sorted(drops.items()))
    # (a walk was told `export --run` for two persons; it takes one, --runs several)
    worse = drops_text(drops, f"`humanseg export --pids {next(iter(drops))} --run {next(iter(drops.values()))[0]}` "
                              "exports the earlier run" if len(drops) == 1 else
                       f"`humanseg export --runs {runs}` exports the earlier runs")
    if worse:
        print(f"humanseg: {prefix}warning: {worse}", file=sys.stderr)


class StageProgress:
    """Progress on stderr: each new message of the start; a line per person trained and then every ``every_s``
    seconds of its training (its step and loss); in the other stages (proposals, segmentation, export) the
    first report, then one every ``every_s`` seconds, and the last (a walk's log held a line for each of 200
    frames exported and 250 segmented)."""

    def __init__(self, every_s: float = 5.0, clock=time.monotonic, where: str = "") -> None:
        self.where = where  # the warnings' prefix (batch: "scene 2: ")
        self.last: tuple | None = None
        self.said: set[str] = set()
        self.every_s = every_s
        self.clock = clock
        self.printed_at = 0.0
        self.done_said: tuple | None = None
        self.geometry: list[str] = []  # the video check's words on the homography (JSON, exit status)

    def __call__(self, p) -> None:
        for w in p.warnings:  # the homography's, for the JSON and the exit status
            if geometry_job_warning(w) and w.text not in self.geometry:
                self.geometry.append(w.text)
        say_new_warnings(p.warnings, self.said, self.where)  # the job's warnings, once each
        stage = p.data.get("stage", "")
        now = self.clock()
        if stage == "train":
            key: tuple = (stage, p.data.get("pid"))
            if key == self.last and now - self.printed_at < self.every_s:
                return
        elif stage == "start":
            key = (stage, p.done, p.message)
            if key == self.last:
                return
        else:
            key = (stage, p.data.get("step"))  # a stage's steps count different things (sample frames, frames)
            last = p.total is not None and p.done >= p.total
            if key == self.last and not last and now - self.printed_at < self.every_s:
                return
            if key == self.last and last and self.done_said == (stage, p.done) and not p.data.get("summary"):
                return  # a stage's closing summary (what the proposals stored) is said whatever came before
            self.done_said = (stage, p.done)
        self.last, self.printed_at = key, now
        # the stage's time left: a walk read "[labels 16/17] … eta 0s" as the run's, a minute before its end
        eta = f" eta {p.eta_s:.0f}s for this stage" if p.eta_s is not None and not last_said(p) else ""
        step = p.data.get("step")  # "[segment prepare 8/8]" then "[segment 31/250]" (a walk read one counter)
        label = f"{stage} {step}" if isinstance(step, str) and step and step != stage else stage
        # a step of no known length, or the start's one step, has no counter (a fresh-clone walk read "[start 0/1]" and
        # "[propose prepare 0/0]")
        count = f" {p.done}/{p.total}" if p.total and (p.total > 1 or p.done) and stage != "start" else ""
        head = f"{label}{count}".strip()  # (export's stages have no name: "[ 0/0]")
        print(f"[{head}] " * bool(head) + f"{p.message}{eta}", file=sys.stderr, flush=True)


def _output_format(text: str) -> str:
    """--format's value; a trajectory format there is refused with the option it belongs to (a walk's
    `--format obsmat` got argparse's bare list of choices)."""
    if text in ("obsmat", "trajnet", "auto"):
        raise argparse.ArgumentTypeError(f"{text} is a trajectory format: --traj-format {text}; --format is the "
                                         "output's (davis, mots, palette)")
    return text


def _note_replaced(out, pids: list[int] | None, project_folder=None) -> None:
    """Before the run: the persons of an earlier export in ``out`` this run's will not hold (it replaces the
    folder whole: a walk re-ran 3 persons into its 12 persons' folder and was left with 3)."""
    if out is None or pids is None:
        return
    try:
        doc = json.loads((Path(out) / "export.json").read_text(encoding="utf-8"))
        gone = sorted({int(p) for p in (doc.get("persons") or [])} - set(pids))
        source = doc.get("source") if doc.get("source") in ("results", "any", "accepted") else "results"
        fmt = doc.get("format") if doc.get("format") in ("davis", "mots", "palette", "coco") else "FORMAT"
    except (OSError, ValueError, TypeError, AttributeError):
        return
    project = f" --project {shell_arg(project_folder)}" if project_folder is not None else ""
    if gone:  # the export's own source: "results" would leave out the analyst's masks an "any" export held
        print(f"humanseg: note: {out} holds an earlier export; this run replaces it, and "
              f"{plural(len(gone), 'person')} not chosen now ({id_list(gone, 10)}) will not be in it. Their "
              f"masks stay in the project (humanseg export{project} --pids {','.join(map(str, gone))} --source "
              f"{source} --format {fmt} --out DIR)" + ("; Ctrl-C now keeps the folder as it is" if sys.stdin.isatty()
                                                        else ""),  # (a script
              file=sys.stderr)  # has no one to press it: a walk)


def note_workers(args) -> None:
    """Says when --workers asks for more than this machine's cores: threads locally (a walk: 64 threads on 2 cores
    trained 2.7x slower, without a word), persons at a time on a local Ray (a batch walk); a cluster's are its own."""
    cores = os.cpu_count() or 1
    if not args.workers or args.workers <= cores or (args.backend == "ray" and args.address):
        return
    what = "more threads than cores slow the run down" if args.backend == "local" else \
        f"a local Ray runs {args.workers} persons at a time on them, each the slower"
    print(f"humanseg: note: --workers {args.workers} on {cores} CPU cores: {what}; --workers {cores} or leave it out",
          file=sys.stderr)


def run_scene(project, args, out, pids_text: str, progress: StageProgress | None = None):
    """Run the scene job on an open project with the options of ``args``; returns the SceneRunResult.
    ``progress``: the reports' printer (its ``geometry`` then holds the homography check's warnings)."""
    import torch

    from ..workflows.scene_run import scene_run_job
    from .common import parse_pids

    note_workers(args)
    if args.workers and args.backend == "local":
        torch.set_num_threads(int(args.workers))
    if args.address and args.backend != "ray":
        print("humanseg: note: --address is for --backend ray; this run is local", file=sys.stderr)
    if getattr(args, "reuse_trained", False) and args.backend == "ray":
        print("humanseg: note: --reuse-trained works on the local backend only; Ray units train afresh",
              file=sys.stderr)
    scene = project.load_scene()
    try:
        pids: list[int] | None = None if pids_text.strip().lower() == "all" else parse_pids(pids_text, scene.pids)
        everyone = len(scene.pids_in_video())  # those of this clip (a walk read "of the scene's 11" for 6 in it)
    finally:
        scene.close()
    config = config_from_args(args, out, pids)
    check_device(args)
    _note_replaced(out, pids, project.folder)
    if pids is not None and config.keep_trained:  # those kept are not segmented (a walk read the note for none)
        kept = project.result_runs()
        pids = [p for p in pids if p not in kept]
    if pids and config.refine == "evidence" and len(pids) * 2 <= everyone:
        # a walk: 3 persons of 13 took 338 s to segment (585 ms per person-frame) where the README's whole
        # scenes read 30-45 ms: the joint step's cost is per frame, whoever is chosen (BENCHMARKS "Scaling")
        print(f"humanseg: note: the per-frame evidence step (--refine evidence) costs about the same per video "
              f"frame whatever the number of persons (up to 0.5-1.5 s per frame in a crowd on 2 cores): for "
              f"{len(pids)} of the {everyone} persons in the video --refine none is many times faster, at a lower J",
              file=sys.stderr)
    return run_job(scene_run_job(project, config), progress or StageProgress())


def estimated_file(path: str | None) -> str | None:
    """``path`` when it is a homography ``humanseg calibrate`` estimated (its comment says so), else None."""
    from ..inputs.homography import estimate_note

    return str(path) if path and estimate_note(path) is not None else None


def nothing_segmented(result, approximate: bool, estimated: str | None) -> str:
    """Why a run that segmented nobody is a failure ("" when it segmented or kept someone, or had no person to
    skip nor found nowhere): every chosen person was skipped (a script reads the exit status)."""
    if result.persons or result.kept or not (result.skipped or result.found_nowhere):
        return ""
    if not result.skipped:  # trained, found nowhere (a walk's rerun of such a person exited 0)
        return f"no person was segmented: {plural(len(result.found_nowhere), 'person')} found on no frame"
    if result.found_nowhere:
        return (f"no person was segmented: {len(result.skipped)} skipped (the notes above say why), "
                f"{plural(len(result.found_nowhere), 'person')} found on no frame")
    hint = (" The positions are approximate (no homography): a person placed by the trajectories' extent alone "
            "may not stand where the video shows them; give --homography, or estimate one with humanseg "
            "calibrate.") if approximate and not estimated else (
            f" The positions come from a homography estimated from the video ({estimated}): check that the points "
            "sit on the people; the scene's own homography is better.") if estimated else ""
    return f"no person was segmented: {len(result.skipped)} skipped (the notes above say why).{hint}"


MISFIT_WRITTEN = ("the masks were written, but the homography or the frame offset does not fit this video (the "
                  "warnings above say which): they are likely on the wrong people or places. Check them (--h-order, "
                  "--h-direction, --frame-offset; for a project made with them, `humanseg relocate`) and run again")


def check_device(args: argparse.Namespace) -> None:
    """A --device this machine lacks refused before any work or note (a walk read the evidence step's note first,
    and the project was made); not for Ray, whose workers may have the device the driver lacks."""
    if getattr(args, "backend", "local") == "local" and getattr(args, "device", None):
        from ..osvos.device import resolve_device

        resolve_device(args.device)


@dataclass
class SceneOutcome:
    """One scene's run as `run` and `batch` report it: the job's result, the homography's warnings, and whether the
    positions rest on no homography or an estimate."""

    result: Any
    geometry: list[str]
    approximate: bool
    estimated: str | None
    file_hints: list[str] = field(default_factory=list)  # the trajectory file may not be this video's (scene_hints)

    def failure(self) -> str:
        """Why the run counts as failed ("" when not): nobody segmented, or masks written over a homography that
        does not fit the video (a walk's unattended runs on a homography read the wrong way, J 0.02, exited 0)."""
        r = self.result
        return nothing_segmented(r, self.approximate, self.estimated) or (
            MISFIT_WRITTEN if self.geometry and (r.persons or r.kept) else "")

    def to_json(self) -> dict:
        # positions from no homography: said, as tracks does (a walk's JSON said "homography_estimated": null,
        # "approximate": false over an estimated file)
        return {**self.result.to_json(), "approximate": bool(self.approximate or self.estimated),
                "homography_estimated": self.estimated, "homography_warnings": self.geometry,
                "trajectory_warnings": self.file_hints}


def run_one_scene(args: argparse.Namespace, where: str = "") -> SceneOutcome:
    """Open or create ``args.project`` (persons never in the video refused before a project is written), say the
    scene's warnings, run the scene job; ``where``: the warnings' prefix (batch: "scene 2: ")."""
    from ..workflows.scene_sink import check_out
    from .propose import _open_or_create, pids_check

    if args.out is not None:  # before a project is made (a walk's refused folder left a project behind, whose
        check_out(Path(args.out), args.out_format, Path(args.project))  # inputs a corrected rerun then kept)
    if getattr(args, "parent_weights", None):  # so is an unusable parent file (a walk's left an empty project)
        from ..workflows.parent_choice import check_parent_file
        from .common import say_quality

        check_parent_file(args.parent_weights)
        say_quality(args.parent_weights)
    project, scene = _open_or_create(args, pids_check(str(args.pids), getattr(args, "h_order", None) or "uv"),
                                     refuse_reading=True)  # not a whole run on another reading than asked
    geometry = say_scene_warnings(scene, where)  # as propose and tracks say them: a homography the wrong way round
    approximate, file_hints = bool(scene.homography.approximate), list(scene.file_hints)
    scene.close()
    progress = StageProgress(where=where)
    try:
        result = run_scene(project, args, args.out, str(args.pids), progress)
        geometry += [w for w in progress.geometry if w not in geometry]
        # an estimate made by an earlier propose is used as much as one made now
        estimated = result.homography or estimated_file(project.inputs.homography)
    finally:
        project.close()
    return SceneOutcome(result, geometry, approximate, estimated, file_hints)


def say_person_notes(result, where: str = "") -> None:
    """Each person skipped, kept, reused, failed or found nowhere, and each unreadable frame, on stderr."""
    for pid, why in sorted(result.skipped.items()):
        print(f"humanseg: note: {where}person {pid} skipped: {why}", file=sys.stderr)
    for pid, run_id in sorted(result.kept.items()):
        print(f"humanseg: note: {where}person {pid} kept its results (run {run_id}): not trained again, written as "
              "stored", file=sys.stderr)
    for pid, run_id in sorted(result.reused.items()):
        print(f"humanseg: note: {where}person {pid} segmented with the network of stopped run {run_id} (not "
              "trained again)", file=sys.stderr)
    for pid, why in sorted(result.failed.items()):
        print(f"humanseg: warning: {where}person {pid} failed: {why}", file=sys.stderr)
    for pid in result.found_nowhere:
        print(f"humanseg: warning: {where}person {pid} has no pixel on any frame (its network, run "
              f"{result.run_ids[pid]}, found it nowhere, or nearer persons took its pixels): no mask written; review "
              "its proposals, or label it by hand", file=sys.stderr)
    from ..inputs.blank_frames import holds_nobody
    from ..wording import frame_problems, ranges_text
    from ..workflows.scene_result import no_mask_text

    if getattr(result, "no_mask", None):  # (a walk's person lost 21 of its 71 frames, named nowhere)
        print(f"humanseg: warning: {where}{no_mask_text(result.no_mask)}", file=sys.stderr)

    for ranges, n, why in frame_problems(result.unreadable):  # one line a problem (a walk's cut video: 122 lines)
        frames = f"frame {ranges[0][0]} has" if n == 1 else f"frames {ranges_text(ranges[:8])}" + (
            f", … ({n} in all) have" if len(ranges) > 8 else f" ({n}) have")
        read = "" if holds_nobody(why) else f", {'its image' if n == 1 else 'their images'} could not be read"
        print(f"humanseg: warning: {where}{frames} no masks{read}: {why}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    check_device(args)
    outcome = run_one_scene(args)
    result = outcome.result
    say_person_notes(result)
    if not result.persons and not result.skipped and result.failed:
        raise HumansegError(f"{args.project}: no person could be segmented")
    say_done(result, args.out)
    # the folder absolute, as batch gives it (a walk)
    print_json({**outcome.to_json(), "out": str(Path(args.out).absolute()) if args.out else None})
    failure = outcome.failure()
    if failure:
        why = (" The homography or the frame offset does not fit this video (the warnings above say which): the "
               "persons' points are not on them, "
               "which the skips above count as too little of a person visible.") if outcome.geometry and \
            failure != MISFIT_WRITTEN else ""
        print(f"humanseg: error: {failure}{why}", file=sys.stderr)
        return 1
    return 0
