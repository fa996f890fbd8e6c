"""``train_person`` and ``segment_person``: one person's training run and its segmentation, stored in the
project the same way whoever calls them (the CLI, the studio, the whole-scene run).

* A checkpoint is ``<project>/checkpoints/pid{pid}_{model}_{YYYYmmdd-HHMMSS}.pt`` (:func:`checkpoint_path`).
* Every run stores its :class:`~humanseg_core.osvos.config.TrainConfig` (``to_params()``) plus
  ``train_frames``, ``holdout_frames`` and ``accepted_masks`` as params, and ``steps``, ``seconds``,
  ``final_loss``, ``holdout_J``, ``threshold``, ``backbone``, ``from_scratch``, ``warnings``,
  ``setup_seconds``, ``closing_seconds`` and ``curve`` (the learning curve,
  :attr:`~humanseg_core.osvos.train.TrainResult.curve`) as metrics; ``seconds`` is the whole training
  job, as a seconds budget counts it.
* A segmentation stores, in its run's metrics, ``unreadable_frames`` ({frame: the problem}) of the frames it
  could not read (:func:`record_unreadable`): they have no result, and an export names them.
* Masks accepted as proposed are cleaned with GrabCut before training (``config.refine_labels``); masks
  corrected by hand are trained on as drawn.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import HumansegError
from ..inputs.blank_frames import content_reader
from ..jobs import CancelToken, Job, JobWarning, Progress
from ..osvos.config import TrainConfig
from ..project.job_marks import job_mark
from ..project.runs import utc_now
from ..run_state import stopped_early
from ..wording import shell_arg, unknown_person
from .agreement import record_agreement
from .nearer import trim_to_nearer
from .neighbours import neighbour_networks
from .parent_choice import (
    PARENT_CHOICE,
    parent_file_of,
    recorded_parent,
    resumed_parent,
    run_parent,
    used_parent,
)
from .propose import project_anchor
from .scene_units import missing_frames

if TYPE_CHECKING:  # torch stays unimported until a job runs
    from ..inputs.scene import Scene
    from ..osvos.segment import SegmentResult
    from ..osvos.train import TrainResult
    from ..project import Project
    from .scene_config import AcceptPolicy

CHECKPOINTS = "checkpoints"


def checkpoint_path(project_folder: str | Path, pid: int, model: str) -> Path:
    """A new checkpoint file name for ``pid`` in the project's ``checkpoints/`` folder, claimed at once (an empty
    file, which the training's save replaces): two trainings of one person started in the same second, in two
    processes, had chosen one name, and one network was lost (an audit). An empty claim left by a training that
    never saved holds nothing: never adopted, removed once old (``project.paths.clean_debris``)."""
    folder = Path(project_folder).resolve() / CHECKPOINTS
    folder.mkdir(parents=True, exist_ok=True)
    t = time.time()
    while True:
        path = folder / f"pid{int(pid)}_{model}_{time.strftime('%Y%m%d-%H%M%S', time.localtime(t))}.pt"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return path
        except FileExistsError:
            t += 1.0


def _drop_empty(path: Path) -> None:
    """Remove ``path`` when it is still the empty claim of :func:`checkpoint_path` (nothing was saved in it)."""
    try:
        if path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass


@dataclass
class TrainedRun:
    """What :func:`train_person` returns: the stored run's id and the training result."""

    run_id: int
    result: TrainResult
    parent: str = ""  # the parent network's file the fine-tuning started from ("" when none: another model)
    parent_warning: str = ""  # why it is not the project's choice (a copy gone missing), or ""

    @property
    def checkpoint(self) -> str | None:
        return self.result.checkpoint

    @property
    def steps(self) -> int:
        return self.result.steps

    @property
    def holdout_J(self) -> float | None:  # the metric's name
        return self.result.holdout_J

    @property
    def warnings(self) -> list[str]:
        return self.result.warnings

    @property
    def notices(self) -> list:
        return self.result.notices


def run_params(config: TrainConfig, result: TrainResult, n_masks: int) -> dict[str, Any]:
    params = config.to_params()
    params.pop("refine_frames", None)  # derived from the project's statuses; long
    params.update(train_frames=list(result.train_frames), holdout_frames=list(result.holdout_frames),
                  accepted_masks=int(n_masks))
    return params


def run_metrics(result: TrainResult) -> dict[str, Any]:
    from ..project.lock import this_process

    return {"process": this_process(),  # a run neither finished nor marked stopped: killed once it is gone
            "steps": result.steps, "seconds": round(result.seconds, 3), "final_loss": result.final_loss,
            "holdout_J": result.holdout_J, "threshold": result.meta.get("threshold"),
            "backbone": result.meta.get("backbone"), "from_scratch": result.from_scratch,
            "warnings": list(result.warnings), "setup_seconds": result.meta.get("setup_seconds"),
            "closing_seconds": result.meta.get("closing_seconds"),
            "curve": result.curve, "kept_step": result.kept_step,
            **({"geometry": result.meta["geometry"]} if result.meta.get("geometry") else {})}


def _check(cancel: CancelToken | None) -> None:
    """Stop here when the user cancelled (between the parts of loading what a training needs)."""
    if cancel is not None:
        cancel.raise_if_cancelled()


def _height_fn(project: Project, scene: Scene, pid: int) -> Callable[[int], float | None] | None:
    """frame -> the scene's expected height of ``pid`` (the heights taught by every person's accepted label
    boxes, a listing without masks decoded, taken in turn from every person as the whole-scene run takes
    them); None when nothing was accepted."""
    from ..proposals.body_prior import labelled_height_model, person_height_fn, spread_boxes
    from ..records import ACCEPTED

    listed: dict[int, dict[int, tuple]] = {}
    for p in project.proposals(status=ACCEPTED, with_masks=False):
        if p.box is not None:
            listed.setdefault(int(p.pid), {})[int(p.frame)] = tuple(p.box)
    boxes = spread_boxes(listed, box=lambda b: b)
    return person_height_fn(scene, labelled_height_model(scene, boxes), pid) if boxes else None


def train_person(project: Project, pid: int, config: TrainConfig, cancel: CancelToken | None = None, *,
                 scene: Scene | None = None, accept: AcceptPolicy | None = None) -> Job[TrainedRun]:
    """Job: train person ``pid`` of ``project`` on its accepted masks with ``config``, save the checkpoint
    and record the run (nothing is recorded when cancelled); returns a :class:`TrainedRun`.  ``scene``:
    the project's scene when the caller has it open (else it is loaded and closed here).  ``accept``: a
    ``scene_config.AcceptPolicy`` that picks the labels instead (``all``: the proposals not rejected too, as a
    whole-scene run with ``--accept all`` trained on them; the run records it).  A seconds budget
    counts from here (loading torch, the scene and the masks included); a cancel is checked between those
    loading steps as well as in the training's preparation, so it stops within one of them."""
    started = time.monotonic()
    _check(cancel)
    from ..osvos.label_refine import refinable_frames
    from ..osvos.others import others_from_scene
    from ..osvos.train import train_job

    _check(cancel)  # the first import of torch takes seconds
    pid = int(pid)
    counts = project.counts(pid)
    if accept is None and not counts.get("accepted") and not counts.get("edited"):
        scene_runs = [r for r in project.runs(pid) if (r.get("params") or {}).get("scene_run")]
        if scene_runs:  # a whole-scene run trained it on proposals nobody accepted (a walk was told to accept)
            r, params = scene_runs[-1], scene_runs[-1].get("params") or {}
            took = (f"{params['unreviewed_labels']} unreviewed" if params.get("unreviewed_labels") is not None
                    else "unreviewed")  # recorded since 5 Dec
            raise HumansegError(
                f"no accepted masks for person {pid}: its whole-scene run #{r['id']} trained on the proposals "
                f"Accept {params.get('accept', 'all')} took ({took}); accept or fix some (the studio's Review tab, "
                f"or humanseg decide --project {shell_arg(project.folder)} --pid {pid} --accept-all), or retrain on "
                "what that run took with the Fix tab's Retrain from here")
    parent_said = ""
    if config.model == "osvos-parent" and config.parent is None and config.resume is None and not config.from_scratch:
        chosen, said = parent_file_of(project)  # the project's own parent network when one was chosen
        config, parent_said = replace(config, parent=chosen), said
        if said:
            yield Progress(0, 0, "the parent network: see the warning", warnings=(JobWarning(PARENT_CHOICE, said),))
    own_scene = scene is None
    sc: Scene = project.load_scene() if scene is None else scene
    try:
        _check(cancel)  # the trajectories read, the video opened
        if pid not in {int(p) for p in sc.pids}:
            raise HumansegError(unknown_person(sc, pid))
        refinable = None
        labels_at = utc_now()  # what status compares later label changes with (ADR 0044)
        if accept is None:  # an empty mask of the analyst's says "not visible here": never a label (as a run's)
            masks = {f: m for f, m in project.accepted_masks(pid).items() if np.any(m)}
        else:
            from .scene_config import labels_from_proposals

            masks, refinable = labels_from_proposals(project.proposals(pid), accept, project.decided_ids(pid))
        if not masks and pid not in project.pids():  # nothing to accept: decide --accept-all cannot help
            from .labels import skipped_clause

            raise HumansegError(f"no proposals for person {pid}" + (skipped_clause(project, pid) or (
                ": generate them first (humanseg propose, or the studio's Generate Proposals)")))
        _check(cancel)  # every accepted mask decoded; train_job checks again per frame it reads
        if config.refine_labels:
            config = replace(config, refine_frames=frozenset(refinable_frames(project, pid) if refinable is None
                                                             else refinable))
        ckpt = checkpoint_path(project.folder, pid, config.model)
        try:
            with job_mark(project.folder, [pid], "training"):  # seen at work before its run is stored (a note)
                result = yield from train_job(content_reader(sc.frames), lambda f: sc.position_px(pid, f), masks,
                                              config, pid=pid, others_px=others_from_scene(sc, pid),
                                              checkpoint_path=ckpt, cancel=cancel, started=started,
                                              expected_height=_height_fn(project, sc, pid))
        except BaseException:  # refused or cancelled before saving: its empty claim goes (a walk found 0-byte files)
            _drop_empty(ckpt)
            raise
    finally:
        if own_scene:
            sc.close()
    params = run_params(config, result, len(masks))
    if config.model == "osvos-parent" and config.resume is None:
        params["parent"] = recorded_parent(project, config.parent)  # inside the project: relative, it moves with it
    elif config.model == "osvos-parent" and (inherited := resumed_parent(project, config.resume)):
        params["parent"] = inherited  # the parent the resumed network was fine-tuned from
    if accept is not None:
        params["accept"] = str(accept)
    params["labels_at"] = labels_at
    run_id = project.add_run(pid, config.model, params, result.checkpoint, run_metrics(result))
    parent = used_parent(run_parent(project, {"id": run_id, "params": params})[0]) if "parent" in params else ""
    return TrainedRun(run_id, result, parent, parent_said)


@dataclass(frozen=True)
class SegmentConfig:
    """Which frames to segment: ``first``..``last`` (inclusive, either open); neither: every frame on
    which the person has a track position (every frame of the video when it has none)."""

    first: int | None = None
    last: int | None = None
    # "evidence": every frame through the proposals' joint step with the network blended in, as whole-scene
    # runs do by default (ADR 0010: better in crowds and on heads, ~30-900 ms a frame instead of ~10);
    # "none": the network alone
    refine: str = "none"


@dataclass
class SegmentedRun:
    """What :func:`segment_person` returns: the run used and its masks (``masks.notes``: skipped frames)."""

    run_id: int
    masks: SegmentResult
    refine: str = "none"  # how the masks were made: "evidence", or "none" (asked, or chosen: hand_checked)
    # the person's hand-made masks on the frames segmented against the two ways' results: (frames, IoU of the
    # evidence step, of the network alone) when both were measured, else None (:func:`_hand_check`)
    hand_checked: tuple[int, float, float] | None = None
    parent: str = ""  # the parent network's file the evidence blended into ("" when not used)
    parent_warning: str = ""  # why it is not the one the run was fine-tuned from, or ""


def pick_run(project: Project, pid: int, run_id: int | None) -> dict:
    """The run ``run_id`` of ``pid`` (default: the newest) that has a checkpoint."""
    runs = [r for r in project.runs(pid) if r.get("checkpoint")]
    if run_id is not None:
        runs = [r for r in runs if r["id"] == run_id]
        if not runs:
            raise HumansegError(f"{project.path}: no training run {run_id} with a checkpoint for person {pid}")
    if not runs and not project.runs(pid) and int(pid) not in project.pids():  # a typo: said as one (a walk)
        from ..wording import id_list

        known = project.pids()
        raise HumansegError(f"{project.path}: no person with id {pid} in this project"
                            + (f" (its persons: {id_list(known)})" if known else " (it has no proposals yet)"))
    if not runs:
        raise HumansegError(f"{project.path}: person {pid} has no trained run: run `humanseg train` first")
    return runs[-1]


def _not_at_work(run: dict) -> None:
    """Refuses a run another process is still making (a whole-scene run or a retrain before it is whole): segmenting
    would write into it and mark it finished while that process writes on (a review)."""
    from .scene_reuse import at_work, made_here

    if not at_work(run) or made_here(run):  # (this process's own: a test, or the studio finishing its run)
        return
    process = (run.get("metrics") or {}).get("process") or {}
    raise HumansegError(f"run {run['id']} of person {run.get('pid')} is still at work in another window or command "
                        f"(process {process.get('pid', '?')}): wait for it to end, "
                        "or cancel it (--run picks another run)")


def segment_person(project: Project, pid: int, run_id: int | None, config: SegmentConfig,
                   cancel: CancelToken | None = None, *, scene: Scene | None = None) -> Job[SegmentedRun]:
    """Job: segment person ``pid`` with training run ``run_id`` (None: the newest with a checkpoint) on the
    frames ``config`` names and store the masks as that run's results (nothing is stored when
    cancelled); returns a :class:`SegmentedRun`.  ``scene`` as for :func:`train_person`."""
    pid = int(pid)
    run = pick_run(project, pid, run_id)
    _not_at_work(run)
    with job_mark(project.folder, [pid], "segmentation"):  # seen at work until its results are stored (a walk)
        return (yield from _segment_run(project, pid, run, config, cancel, scene))


def _segment_run(project: Project, pid: int, run: dict, config: SegmentConfig, cancel: CancelToken | None,
                 scene: Scene | None) -> Job[SegmentedRun]:
    """:func:`segment_person` with its run chosen."""
    from ..osvos.others import others_from_scene
    from ..osvos.segment import segment_job

    own_scene = scene is None
    sc: Scene = project.load_scene() if scene is None else scene
    try:
        _edge_motion(project, sc, pid)
        outside: list[str] = []
        from ..wording import frame_runs, ranges_text
        from .scene_units import left_view
        from .segment_range import kept_count, segment_frames, span_metrics

        frames = segment_frames(sc, pid, config, outside)
        whole = config.first is None and config.last is None
        span = frames if whole else segment_frames(sc, pid, replace(config, first=None, last=None))  # (its counts)
        gone = left_view(sc, pid)  # no mask is expected where the person left the view
        span = [f for f in span if f not in gone]
        in_view = [f for f in frames if f not in gone]  # the network alone: not there (it masked the image's edge)
        def alone(at: list[int]) -> Job[SegmentResult]:  # the network alone on frames ``at``
            return segment_job(run["checkpoint"], content_reader(sc.frames),
                               lambda f: sc.position_px(pid, f), at,
                               cancel=cancel, others_px=others_from_scene(sc, pid))

        refine, checked = config.refine, None
        parent, parent_said = "", ""
        if config.refine == "evidence":
            chosen, said = run_parent(project, run)  # the parent the evidence blends into: the run's own
            parent, parent_said = used_parent(chosen), said
            if said:
                yield Progress(0, 0, "the parent network: see the warning", warnings=(JobWarning(PARENT_CHOICE, said),))
            masks = yield from _evidence_masks(sc, pid, run["checkpoint"], frames, cancel,
                                               project_anchor(project), edited_share(project, pid, run), chosen,
                                               neighbour_networks(project, sc, pid, frames))
            checked = yield from _hand_check(project, pid, masks, alone)
            if checked is not None and checked[1] < HAND_FLOOR and checked[2] >= checked[1] + HAND_MARGIN:
                refine = "none"  # the analyst's own masks say the network alone is nearer (a walk, ADR 0032)
                masks = yield from alone(in_view)
        else:
            masks = yield from alone(in_view)
        if refine == "none" and (left := sorted(gone & set(frames))):  # said (a review: a range of them gave nothing)
            outside.append(f"frames {ranges_text(frame_runs(left), sep=', ')}: person {pid} has left the view "
                           "there (past its annotations): no mask")
        # one owner per pixel, as a whole-scene run: nearer persons' stored results keep theirs
        trimmed, given = trim_to_nearer(project, sc, pid, {f: m for f, m in masks.items() if m is not None})
        missing = missing_frames(sc, frames)  # the folder's gaps in the span: named as unreadable ones are
    finally:
        if own_scene:
            sc.close()
    masks.update(trimmed)
    masks.notes += outside
    way = "the per-frame evidence" if refine == "evidence" else "the network alone"  # what replaces them (ADR 0052)
    masks.kept_set = project.save_results(pid, run["id"], trimmed, f"a segmentation through {way}")
    masks.kept_count = kept_count(project, masks.kept_set)
    if given:
        project.update_run(int(run["id"]), metrics={"given_to_nearer_px": given})
    record_unreadable(project, pid, int(run["id"]), [*frames, *missing], {**masks.unreadable, **missing})
    record_agreement(project, pid, int(run["id"]))
    if whole and stopped_early(run):
        # a Whole scene run cancelled before or while segmenting, now segmented over the person's whole span:
        # it finished after all, and is the run Play and Export use (Project.result_runs)
        done = project.result_counts(pid).get(int(run["id"]), 0)
        project.update_run(int(run["id"]),
                           metrics={"segmented_frames": done, "stopped": None, "completed_by": "segment",
                                    "retraining": None})
    # what was used, beside the mode asked (``refine``, which a retrain of this run reads: retrain_policy, written
    # by the retrain; the check runs again at each segmentation, a review), and the check of this one
    # how the run's masks were made: this way where it made them all (or the run's were made so), else unknown (a
    # walk's 10-frame evidence segment labelled a run of 140 network-alone masks "evidence")
    every = project.result_frame_sets({pid: int(run["id"])})[pid] <= set(trimmed)
    same = (run.get("metrics") or {}).get("refined_with", (run.get("params") or {}).get("refine")) == refine
    project.update_run(int(run["id"]), metrics={"refined_with": refine if every or same else None,
                                                "hand_check": None if checked is None else
                                                {"frames": checked[0], "evidence": round(checked[1], 4),
                                                 "network": round(checked[2], 4)},
                                                **span_metrics(project, pid, run, span, [*masks.unreadable, *missing])})
    return SegmentedRun(int(run["id"]), masks, refine, checked, parent if refine == "evidence" else "", parent_said)


# the network alone replaces the per-frame evidence for a person when the evidence step's masks agree with the
# analyst's hand-made masks under HAND_FLOOR and the network's this much better (mean IoU over the hand-made frames
# segmented): a walk's retrained standing person, next to a nearer one whose probability reached over it, got 13
# empty frames from the evidence step (IoU 0.24 with its six fixed masks) where its network alone gave 0.78. On
# eth_dense with exact labels on every annotated frame (its networks trained on them, so ahead there) the two
# were 0.60-0.92 and 0.64-0.91 for six persons: the evidence is kept where it does its work
HAND_MARGIN = 0.2
HAND_FLOOR = 0.5


def _hand_check(project: Project, pid: int, masks: SegmentResult, alone: Callable[[list[int]], Job[SegmentResult]]
                ) -> Job[tuple[int, float, float] | None]:
    """(frames, mean IoU of ``masks`` with the person's hand-made masks there, of the network alone): the masks
    the analyst drew, fixed or imported (status edited) on frames segmented; None when there is none."""
    from ..metrics import jaccard

    hand = {p.frame: p.mask for p in project.proposals(pid, status="edited")  # (a mask of another frame size, a
            if p.mask is not None and masks.get(p.frame) is not None  # video replaced since: left out, a review)
            and p.mask.shape == masks[p.frame].shape}
    if not hand:
        return None
    net = yield from alone(sorted(hand))
    frames = [f for f in hand if net.get(f) is not None]
    if not frames:
        return None
    evidence = float(np.mean([jaccard(masks[f], hand[f]) for f in frames]))
    network = float(np.mean([jaccard(net[f], hand[f]) for f in frames]))
    return len(frames), evidence, network


def _edge_motion(project: Project, scene: Scene, pid: int) -> None:
    """A person annotated once where the file starts or stops: its motion past it measured in the video from
    its accepted mask there (``inputs.edge_motion``; a person annotated more often has its track's)."""
    from ..inputs.edge_motion import measure_edge_motion

    track = scene.trajectories.tracks.get(int(pid))
    if track is not None and len(track) == 1:
        measure_edge_motion(scene, {int(pid): project.accepted_masks(int(pid))})


def edited_share(project: Project, pid: int, run: dict) -> float:
    """The share of ``pid``'s labels the analyst drew, fixed or imported (the per-frame evidence weighs its network
    by it, ADR 0029, as a whole-scene run does): edited over accepted and edited, and over the pending ones too
    when ``run`` was a whole-scene run that took them (Accept all or score>=; counted whole, scores aside)."""
    counts = project.counts(int(pid))
    edited = int(counts.get("edited", 0))
    total = edited + int(counts.get("accepted", 0))
    params = run.get("params") or {}
    if params.get("scene_run") and str(params.get("accept", "reviewed")) != "reviewed":
        total += int(counts.get("pending", 0))
    return edited / total if total else 0.0


def _evidence_masks(scene: Scene, pid: int, checkpoint: Any, frames: list[int], cancel: CancelToken | None,
                    anchor: str = "auto", edited: float = 0.0, parent_file: str | None = None,
                    neighbours: Mapping[int, tuple[Any, list]] | None = None) -> Job[SegmentResult]:
    """The person's masks on ``frames`` from the per-frame evidence step (:mod:`.scene_evidence`); a frame
    where the step gives the person nothing (hidden, too little visible) gets an empty mask, an unreadable
    one none."""
    import numpy as np

    from ..osvos.batch import BatchConfig, BatchStats, load_nets
    from ..osvos.segment import SegmentResult
    from .scene_evidence import EvidenceConfig, evidence_masks_job, network_share

    t0 = time.monotonic()
    stats = BatchStats()
    nets = load_nets({pid: checkpoint}, BatchConfig(), stats)
    if pid not in nets:
        raise HumansegError(f"run of person {pid}: {stats.failures.get(pid, 'the network could not be loaded')}")
    if getattr(nets[pid].seg, "parent_crop", None) is None:
        raise HumansegError(f"person {pid}: per-frame evidence needs a network fine-tuned from the parent "
                            f"(osvos-parent); this run is {nets[pid].seg.meta.get('model', 'another model')}: "
                            "segment without it, or train with the osvos-parent model")
    nets.update(load_nets({int(q): c for q, (c, _f) in (neighbours or {}).items() if int(q) != pid}, BatchConfig(),
                          BatchStats()))  # (one that fails to load is left out)
    unreadable: dict[int, str] = {}
    config = EvidenceConfig(anchor=anchor, weights={pid: network_share(edited)},  # hand-made labels: trusted more
                            parent_file=parent_file)
    # the neighbours' masks are made too (then left), where they are near: the step shares pixels out among them
    others = {int(q): fs for q, (_c, fs) in (neighbours or {}).items() if int(q) in nets and fs}
    got, _blend = yield from evidence_masks_job(scene, nets, {pid: frames, **others}, config=config, cancel=cancel,
                                                unreadable=unreadable)
    out = SegmentResult()
    empty = np.zeros((int(scene.frames.height), int(scene.frames.width)), bool)
    for f in frames:
        if int(f) in unreadable:
            out.unreadable[int(f)] = unreadable[int(f)]
            out.notes.append(f"frame {f}: {unreadable[int(f)]}")
        else:
            out[int(f)] = got.get(pid, {}).get(int(f), empty)
    out.seconds = time.monotonic() - t0
    return out


def record_unreadable(project: Project, pid: int, run_id: int, frames: Iterable[int],
                      unreadable: Mapping[int, str]) -> None:
    """Keep in the metrics of ``pid``'s run ``run_id`` (``unreadable_frames``: {frame: problem}) which of
    ``frames``, just segmented, could not be read; what an earlier segmentation of the run said of other
    frames stays."""
    done = {int(f) for f in frames}
    run = next((r for r in project.runs(pid) if int(r["id"]) == int(run_id)), None)
    old = (run or {}).get("metrics", {}).get("unreadable_frames") or {}
    kept = {str(f): str(why) for f, why in (old.items() if isinstance(old, dict) else ())
            if str(f).lstrip("-").isdigit() and int(f) not in done}
    now = {str(int(f)): str(why) for f, why in unreadable.items() if int(f) in done}
    if old or now:
        project.update_run(int(run_id), metrics={"unreadable_frames": {**kept, **now}})
