"""The whole-scene job: every chosen person proposed, labelled by a policy, trained, segmented, stored.

``scene_run_job(project, config, cancel)`` is one generator job shared by ``humanseg run`` and the
studio's Whole scene action:

0. with ``config.keep_trained``, persons with results are not proposed, trained, segmented nor exported (``kept``);
1. persons without any proposal get proposals (``config.method``) unless only reviewed masks are wanted;
2. the acceptance policy picks each person's labels (:class:`AcceptPolicy`); persons with fewer than
   ``config.min_labels`` are reported in ``skipped`` and left out (never a crash);
3. each person's network is fine-tuned within the per-person budget and stored as a run with its
   checkpoint (locally, or on Ray workers: ``backend="ray"``, see :mod:`.scene_ray`); locally with
   ``config.reuse_trained``, a person whose last run was cancelled after training it is not trained again:
   that stored network segments, as a new run reported in ``reused`` (:mod:`.scene_reuse`);
4. every frame of every person's span is segmented in batches (``osvos.batch``), overlaps resolved once
   per frame by depth (feet row from the track points), results stored per person and exported; with
   ``config.refine == "evidence"`` through the proposals' joint step with each person's network blended
   into the parent (:mod:`.scene_evidence`).

Progress ``data`` carries ``stage`` (start/propose/train/segment/export; ``start`` names the resolved
``device``, then the chosen ``pids`` before any proposal), the current ``pid`` and
``person_frames`` ({pid: frames done}) for per-person progress.  A person whose training or segmentation
fails is reported in ``failed``; the others go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import replace

from ..errors import Cancelled, DiskFullError, HumansegError
from ..inputs.blank_frames import content_reader
from ..inputs.edge_motion import measure_edge_motion
from ..inputs.file_notes import folder_gaps
from ..jobs import CancelToken, Job, JobWarning, Progress
from ..mask_crops import CroppedMasks
from ..prior.paths import DEFAULT_PARENT
from ..project.job_marks import job_mark
from ..project.runs import utc_now
from ..proposals.methods import PARENT_METHODS
from ..wording import id_list, plural, unknown_person
from .agreement import agree_kept, agreement_drops, record_agreement
from .at_work import at_work_progress
from .labels import why_no_labels
from .neighbours import with_kept_networks
from .parent_choice import PARENT_CHOICE, check_parent_file, parent_file_of
from .propose import PIXEL_ORDER, PLACED_OFF_FLAGS, project_anchor, run_anchor
from .scene_config import SceneRunConfig, edited_share, labels_from_proposals, on_best_alone
from .scene_manifest import run_made, write_run_manifest
from .scene_records import mark_stopped, note_few_steps, record_run, reuse_run
from .scene_redo import redo_text, reuse_text, stopped_runs, stopped_text
from .scene_result import SceneRunResult, no_mask_metric, note_no_mask, split_ranges
from .scene_reuse import reusing_networks
from .scene_sink import (
    ResultWriter,
    analyst_labels,
    check_count,
    check_out,
    davis_stage,
    export_results,
    labelled_frames,
    labels_on_frames,
    with_kept_depth,
    write_davis_gaps,
    write_kept,
)
from .scene_units import expected_frames, missing_frames, span_frames, train_person_job
from .video_check import standing_warning


def _pick_pids(scene, config: SceneRunConfig) -> list[int]:
    known = [int(p) for p in scene.pids]
    if config.pids is None:  # everyone in the video (of a longer recording's file: those in this clip)
        return [int(p) for p in scene.pids_in_video()] or known
    missing = sorted(set(config.pids) - set(known))
    if missing:
        raise HumansegError(unknown_person(scene, missing))
    return list(config.pids)


def _propose(project, scene, pids, config: SceneRunConfig, cancel, result: SceneRunResult) -> Job[float]:
    """Proposals (``propose_into``) for the persons without any, or placed otherwise before (:mod:`.placed_reading`)."""
    from .placed_reading import placed_otherwise
    from .propose import ProposeConfig, propose_into

    t0, have = time.monotonic(), set(project.pids())
    again = placed_otherwise(project, [p for p in pids if p in have])  # placed by a homography read otherwise then
    todo = [p for p in pids if p not in have or p in again]
    if again and config.accept.kind != "reviewed" and config.propose:
        yield Progress(0, 1, f"proposals: {plural(len(again), 'person')} ({id_list(again, 8)}) proposed again: "
                       "their pending proposals were placed by the inputs as they were read before",
                       data={"stage": "propose"})
    if config.accept.kind == "reviewed" or not config.propose or not todo:
        anchor = config.anchor if config.anchor not in ("", "auto") else project_anchor(project)
        result.anchor = "" if anchor == "auto" else anchor
        standing = standing_warning(project)  # nobody proposed, so nobody checked: the last check's word stands
        if standing:
            yield Progress(0, 1, "proposals: none made (the persons have theirs)", data={"stage": "propose"},
                           warnings=(JobWarning(PIXEL_ORDER, standing),))
        return 0.0
    weights = config.parent if config.method in PARENT_METHODS else None
    gen = propose_into(project, todo, ProposeConfig(method=config.method, anchor=config.anchor, weights=weights,
                                                    project_parent=False,  # resolved by the run
                                                    estimate_homography=None), cancel, scene=scene)  # done before
    last, done = None, None
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            result.anchor = str(getattr(stop.value, "anchor", "") or "")
            done = stop.value
            break
        step = {"step": "prepare"} if p.data.get("stage") == "prepare" else {}  # its i of 8 is not the frames'
        last = Progress(p.done, p.total, f"proposals: {p.message}", data={"stage": "propose", **step}, eta_s=p.eta_s,
                        warnings=p.warnings)  # (a moving camera, no parent file: said by `run` and the studio too)
        yield last
    if done is not None and last is not None:  # what was stored, as `propose` ends (a walk read "174 so far" last,
        yield replace(last, message=f"proposals: {proposals_done_text(done)}", eta_s=None,  # and 198 were stored)
                      data={**last.data, "summary": True})
    return time.monotonic() - t0


PLACED_OFF = "placed-off"  # JobWarning kind: persons whose proposals' points may lie off them


def placed_off_text(pids: list[int]) -> str:
    """Says that persons' proposals were placed by the extent fit or a homography that does not fit the video (a
    walk's `run` trained on another scene's matrix without a word and scored J 0.000)."""
    return (f"the proposals of {plural(len(pids), 'person')} ({id_list(pids, 8)}) were placed by a homography "
            "that does not fit the video, or by the trajectories' extent (no homography): their masks may lie on "
            "other persons or on nothing (scores capped at 0.45). Check the homography and the frame offset (File ▸ "
            "Open, `humanseg relocate --homography` or `--frame-offset`), then propose again")


def proposals_done_text(done) -> str:
    """What a proposal job stored (a ``propose_into`` result): proposals, persons, skips and why, score bands."""
    from ..proposals.score_bands import band_counts_text

    return done.stored_text() + (f"; scores: {band_counts_text(done.score_bands)}" if done.score_bands else "")


def _train_local(project, scene, plan: dict, config: SceneRunConfig, result: SceneRunResult, cancel,
                 reuse: Mapping[int, dict]) -> Job[dict]:
    """{pid: TrainResult} of the persons that trained, and the stored networks of ``reuse`` ({pid: cancelled run},
    :func:`.scene_reuse.reusable_networks`) for theirs; failures go to ``result.failed``."""
    from ..proposals.body_prior import spread_boxes
    from .person import checkpoint_path
    from .scene_units import scene_heights

    models = {}
    heights = scene_heights(scene, spread_boxes({p: labels for p, (labels, _) in plan.items()}))
    started = time.monotonic()
    for k, (pid, (labels, refinable)) in enumerate(plan.items()):
        if pid in reuse:  # trained by a cancelled run, never used: segment with it
            old = reuse[pid]
            result.reused[pid] = int(old["id"])
            result.run_ids[pid] = reuse_run(project, pid, config, len(labels), old, result.unreviewed.get(pid))
            models[pid] = old["checkpoint"]
            yield Progress(k, len(plan), f"person {pid} ({k + 1}/{len(plan)}): the network of stopped run "
                           f"{old['id']} is used, not trained again", data={"stage": "train", "pid": pid,
                                                                           "reused": int(old["id"])})
            continue
        ckpt = checkpoint_path(project.folder, pid, config.model)
        t0 = time.monotonic()
        try:
            gen = train_person_job(scene, pid, labels, refinable, config, ckpt, cancel, heights)
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    trained = stop.value
                    break
                yield Progress(k, len(plan), f"person {pid} ({k + 1}/{len(plan)}): {p.message}",
                               data={"stage": "train", "pid": pid, "step": p.done, "steps": p.total, **p.data},
                               eta_s=_training_eta(started, k + (p.done / p.total if p.total else 0.0), len(plan)))
        except (Cancelled, DiskFullError):  # a full disk fails every later person the same way: the run stops
            raise
        except HumansegError as exc:
            result.failed[pid] = f"training: {exc}"
            continue
        finally:
            result.train_seconds += time.monotonic() - t0
        result.run_ids[pid] = record_run(project, pid, config, len(labels), trained.checkpoint, trained,
                                         result.unreviewed.get(pid), result.labels_at)
        models[pid] = trained
        note_few_steps(result, config, pid, trained.steps)
    return models


def _training_eta(started: float, persons_done: float, persons: int) -> float | None:
    """Seconds of training left, from the time so far over the persons (and share of a person) done: None
    before a tenth of a person (a walk watched 13 persons train for 6 minutes with no time left said)."""
    if persons_done < 0.1 or persons <= 0:
        return None
    return (time.monotonic() - started) / persons_done * max(0.0, persons - persons_done)


def _segment_local(project, scene, models: dict, config: SceneRunConfig, result: SceneRunResult,
                   cancel) -> Job[ResultWriter]:
    import torch

    from ..osvos.batch import BatchConfig, BatchStats, load_nets, segment_persons_job
    from ..osvos.device import resolve_device
    from .export_depth import feet_key

    # on a CPU, the persons of a chunk run in parallel, one torch thread each (BatchConfig.workers)
    cpu = resolve_device(config.device).type == "cpu"
    bc = BatchConfig(batch_size=config.batch_size, chunk_frames=config.chunk_frames, device=config.device,
                     mixed_precision=config.mixed_precision, workers=max(1, torch.get_num_threads()) if cpu else 1)
    nets = load_nets(models, bc, load_stats := BatchStats())
    anchor = run_anchor(project, config.anchor, result.anchor)

    def depth(pid: int, frame: int):
        point = scene.position_px(pid, frame)
        return None if point is None else feet_key(nets[pid], point, anchor)

    writer = ResultWriter(project, {p: result.run_ids[p] for p in nets}, depth, config.out, config.fmt,
                          labels=analyst_labels(project, nets) if config.labels_in_output and config.out else None)
    spans = span_frames if config.refine == "evidence" else expected_frames  # the network alone: not where the
    frames_by_pid = {pid: spans(scene, pid) for pid in nets}  # person left the view (it masked the edge there)
    stats = BatchStats(device=str(config.device))  # filled as the job goes: what it met survives a cancel
    if config.refine == "evidence":
        from .scene_evidence import network_share, segment_evidence_job

        shares = {pid: network_share(result.edited.get(pid, 0.0)) for pid in nets}  # hand-made labels: trusted more
        joint, frames, sink = with_kept_networks(project, lambda q: span_frames(scene, q), result.kept, nets,
                                                 frames_by_pid, writer, bc)  # the kept persons share pixels out too
        gen = segment_evidence_job(scene, joint, frames, sink, bc, cancel, stats, anchor=anchor,
                                   weights=shares, parent_file=config.parent)
    else:
        read = content_reader(scene.frames)  # a black frame: no mask (a camera dropout)
        gen = segment_persons_job(models, read, scene.persons_at, frames_by_pid, writer, bc, cancel, nets, stats)
    try:
        while True:
            try:
                p = next(gen)
            except StopIteration:
                break
            yield segment_progress(p, config.refine)
    except BaseException:  # a cancel, Ctrl-C or a failure: who was segmented to the end of the span, once stored
        try:
            writer.flush()
        finally:
            reached = max(writer.stored, default=None)  # (frames come in order: those stored are the first ones)
            result.finished = {pid for pid, fs in frames_by_pid.items()
                               if reached is not None and (not fs or max(fs) <= reached)}
        raise
    finally:
        t0 = time.monotonic()
        writer.flush()  # what was segmented is stored, also when cancelled
        gaps = folder_gaps(scene.frames)  # the folder's, read once for every person
        _record_unreadable(project, result, frames_by_pid, stats.unreadable,  # also when cancelled
                           {pid: missing_frames(scene, fs, gaps) for pid, fs in frames_by_pid.items()})
        result.store_seconds += time.monotonic() - t0
    result.segment_seconds += stats.seconds
    result.store_seconds += stats.sink_seconds
    for pid, why in {**load_stats.failures, **stats.failures}.items():
        result.failed[pid] = why
    return writer


def _record_unreadable(project, result: SceneRunResult, frames_by_pid: Mapping[int, list[int]],
                       unreadable: Mapping[int, str], missing: Mapping[int, Mapping[int, str]]) -> None:
    """The frames of the persons' spans that could not be read, and those the folder has no image for
    (``missing``, {pid: {frame: why}}): in the result and in each person's run."""
    from .person import record_unreadable

    spans = set().union(*map(set, frames_by_pid.values())) if frames_by_pid else set()
    met = {int(f): why for f, why in unreadable.items() if int(f) in spans}
    for pid, frames in frames_by_pid.items():
        gaps = dict(missing.get(pid) or {})
        result.unreadable.update({**met, **gaps})
        if met or gaps:
            record_unreadable(project, pid, result.run_ids[pid], [*frames, *gaps], {**met, **gaps})


def segment_progress(p: Progress, refine: str = "none") -> Progress:
    """A segmentation report as the run gives it: stage ``segment`` whatever the inner job calls its steps
    (the joint step's ``prepare`` made the studio say 'Prepare 0%' while it segmented); with the per-frame
    evidence step it says so (it takes most of a run's time, more per person the fewer persons are chosen)."""
    how = " with per-frame evidence" if refine == "evidence" else ""
    step = {"step": "prepare"} if p.data.get("stage") == "prepare" else {}  # sample frames, not the frames
    return Progress(p.done, p.total, f"segmenting{how}: {p.message}", data={**p.data, "stage": "segment", **step},
                    eta_s=p.eta_s)


class _NothingWritten(Exception):
    """Ends the davis stage without putting it in place: no person was segmented or kept."""


def _estimate(project, scene, cancel, result: SceneRunResult, estimate: bool = True):
    """Job: the scene to run on: with a homography estimated from the video when the project has none (the
    given scene closed), else the given one; the file in ``result``, the outcome said as a warning
    (``estimate`` False: the extent fit is kept, and said)."""
    from .estimate import estimate_step

    estimated, warned = yield from estimate_step(project, scene, cancel, estimate)
    if estimated is not None:
        scene.close()
        scene, result.homography = estimated, str(project.inputs.homography)
    if warned is not None:
        said = ("estimated one from the video" if estimated is not None else
                "none could be estimated from the video" if estimate else "the extent fit kept (--no-estimate)")
        yield Progress(0, 1, f"no homography given: {said}", data={"stage": "start"}, warnings=(warned,))
    return scene


def scene_run_job(project, config: SceneRunConfig, cancel: CancelToken | None = None) -> Job[SceneRunResult]:
    """The whole-scene run on an open ``project`` (see the module docstring); returns SceneRunResult."""
    from ..osvos.device import describe, precision_note, precision_used, resolve_device

    t_start = time.monotonic()
    model_note, parent_said = "", ""
    if config.parent is not None:  # a file given for this run (--parent-weights) is used or refused, never passed over
        check_parent_file(config.parent)
    else:  # the project's own parent network when one was chosen (said when it cannot be)
        chosen, parent_said = parent_file_of(project)
        config = replace(config, parent=chosen)
        if parent_said:
            yield Progress(0, 1, "the project's parent network: see the warning", data={"stage": "start"},
                           warnings=(JobWarning(PARENT_CHOICE, parent_said),))
    if config.model == "auto":
        from ..osvos.nets_parent import default_model

        model, why = default_model(config.parent)
        config, model_note = replace(config, model=model), why or ""
    device = resolve_device(config.device)
    result = SceneRunResult(device=describe(device), backend=config.backend,
                            precision=precision_used(device, config.mixed_precision),
                            precision_note=precision_note(device, config.mixed_precision))
    result.model = config.model
    result.parent, result.parent_warning = str(config.parent or DEFAULT_PARENT), parent_said
    result.refine = config.refine
    if config.backend == "ray":  # the workers resolve their own device (a walk read the driver's "cpu (1 thread)")
        result.device = f"Ray workers ({'auto: each its own' if config.device == 'auto' else config.device})"
    check_out(config.out, config.fmt, project.folder)
    scene, marks = project.load_scene(), ExitStack()
    try:
        yield Progress(0, 1, f"starting on {result.device}", data={"stage": "start", "device": result.device})
        pids = _pick_pids(scene, config)
        check_count(config.out, config.fmt, len(pids))
        if (busy := at_work_progress(project, pids)) is not None:  # (a re-walk's second run worked beside the first)
            yield busy
        have = project.result_runs()
        redo = {}
        # results a run left part-way (a walk's interrupted run kept 86 of 221 frames "as stored"; without
        # --keep-trained they read "already have results"), and the persons a stopped run's network segments
        stopped = stopped_runs(project, {p: have[p] for p in pids if p in have})
        if config.keep_trained:  # their stored results stay the newest: nothing of theirs is redone, unless the run
            result.kept = {p: have[p] for p in pids if p in have and p not in stopped}  # stopped part-way
            pids = [p for p in pids if p not in result.kept]
        else:
            redo = {p: have[p] for p in pids if p in have}
        marks.enter_context(job_mark(project.folder, pids))  # seen at work before it stores a run (a note)
        reusing = reusing_networks(project, pids, config)  # of those segmented (a review: a kept person's was said too)
        chosen = f"{len(pids)} person{'' if len(pids) == 1 else 's'} chosen"  # listed at once, before proposals
        if result.kept:  # "0 persons chosen" read as if nobody was (a walk's resumed batch: all 11 kept)

            chosen = (f"{plural(len(pids) + len(result.kept), 'person')} chosen: {len(result.kept)} keeping their "
                      f"results (--keep-trained), {len(pids)} to segment")
        if told := {p: r for p, r in redo.items() if p not in stopped and p not in reusing}:
            chosen += f"; {redo_text(told)}"
        if told := {p: r for p, r in stopped.items() if p not in reusing}:
            chosen += f"; {stopped_text(told)}"
        if reusing:  # said once, not also "trained again" (a walk read both of one person)
            chosen += f"; {reuse_text(reusing)}"
        yield Progress(0, 1, chosen, data={"stage": "start", "pids": list(pids), "kept": dict(result.kept),
                                           "redo": redo})
        if config.propose and config.accept.kind != "reviewed":
            scene = yield from _estimate(project, scene, cancel, result, config.estimate_homography)
        result.propose_seconds = yield from _propose(project, scene, pids, config, cancel, result)
        result.budget = (config.steps_per_person, config.seconds_per_person)
        plan = {}
        result.labels_at = utc_now()
        best_alone = []  # persons none of whose proposals reached Accept score>=x: on their best one alone
        unreviewed = []  # Accept reviewed: persons with no more labels than proposals left pending
        for pid in pids:
            proposals = project.proposals(pid)
            labels, refinable = labels_from_proposals(proposals, config.accept, project.decided_ids(pid))
            if config.accept.kind == "reviewed" and 0 < len(labels) <= sum(p.status == "pending" for p in proposals):
                unreviewed.append(pid)
            if on_best_alone(proposals, config.accept):
                best_alone.append(pid)
            if len(labels) < config.min_labels:
                result.skipped[pid] = (f"{plural(len(labels), 'usable label')} under Accept {config.accept} "
                                       f"(at least {config.min_labels} needed)") + (
                                       "" if labels else why_no_labels(project, pid, proposals, config.accept))
            else:
                plan[pid] = (CroppedMasks(labels), refinable)  # HD: 139 full-frame labels had held 0.4 GB
                if any(f in PLACED_OFF_FLAGS for q in proposals if q.frame in labels and q.status != "rejected"
                       for f in q.flags):  # trained on proposals placed off the persons (said; a review: not others)
                    result.placed_off.append(pid)
                result.labels[pid] = len(labels)
                result.edited[pid] = edited_share(proposals, labels)  # fixed, drawn or imported
                decided = {int(p.frame) for p in proposals if p.status in ("accepted", "edited")}
                result.unreviewed[pid] = len(set(labels) - decided)  # the Train tab says whether any were
        # persons annotated once where the file starts or stops: their motion past it measured in the video
        measure_edge_motion(scene, {p: labels for p, (labels, _) in plan.items()})
        # ... and the frames that follow such a guess (or stand still where nothing was measured), named
        result.guessed = {p: r for p in sorted(plan) if (r := scene.guessed_frames(p))}
        kept = f", {len(result.kept)} kept" if result.kept else ""
        low = result.best_alone = [p for p in best_alone if p in plan]
        kept += f"; {plural(len(low), 'person')} on the best proposal alone ({id_list(low, 8)})" if low else ""
        few = [p for p in unreviewed if p in plan]  # a walk's one careful label lost to eight unreviewed (J -0.06)
        kept += (f"; {plural(len(few), 'person')} with no more reviewed labels than proposals still pending "
                 f"({id_list(few, 8)}): few labels can train worse than many unreviewed") if few else ""
        # networks a cancelled run trained, segmenting instead of training (a walk read "5 persons to train" with 2
        reuse = reusing_networks(project, list(plan), config)  # of them reused)
        kept = (f", {len(reuse)} with a stored network ({id_list(sorted(reuse), 8)})" if reuse else "") + kept
        yield Progress(0, len(plan), f"{plural(len(plan) - len(reuse), 'person')} to train ({config.model}), "
                       f"{len(result.skipped)} skipped{kept}" + (f"; {model_note}" if model_note else ""),
                       data={"stage": "train", "skipped": dict(result.skipped), "model": config.model,
                             "pids": list(plan), "kept": dict(result.kept)},
                       warnings=(JobWarning(PLACED_OFF, placed_off_text(result.placed_off)),)
                       if result.placed_off else ())
        # davis is written frame by frame into a folder beside --out that takes its place whole at the end: a
        # cancel, a failure or Ctrl-C leaves --out as it was, and no earlier run's file stays in it (a walk)
        with davis_stage(config.out, config.fmt, project.folder) as stage:
            staged = replace(config, out=stage) if stage is not None else config
            try:
                if config.backend == "ray":
                    from .scene_ray import ray_train_segment

                    writer = yield from ray_train_segment(project, scene, plan, staged, result, cancel)
                else:
                    models = yield from _train_local(project, scene, plan, config, result, cancel, reuse)
                    writer = yield from _segment_local(project, scene, models, staged, result, cancel)
            except BaseException as exc:  # the runs so far say so (partial results kept); Ctrl-C too:
                # --reuse-trained looks for these marks (a walk found none after Ctrl-C); a failure as well (a
                # review: persons segmented whole before an error were called partial)
                mark_stopped(project, result, "cancelled" if isinstance(exc, (Cancelled, KeyboardInterrupt,
                                                                               GeneratorExit)) else "failed")
                raise
            result.persons = sorted(p for p, n in writer.person_frames.items() if n > 0 and p not in result.failed)
            result.found_nowhere = sorted(p for p in result.run_ids if p not in result.persons
                                          and p not in result.failed)
            split = {p: split_ranges(r, writer.frames_of.get(p, set()), scene.frames) for p, r in result.guessed.items()
                     if p in result.persons}
            result.guessed = {p: w for p, (w, _m) in split.items() if w}
            result.guessed_missing = {p: m for p, (_w, m) in split.items() if m}
            note_no_mask(result, lambda pid: expected_frames(scene, pid), writer.frames_of, project)
            result.frames = len(writer.frames)
            result.person_frames = sum(writer.person_frames.values())
            result.overlap_px = writer.overlap_px
            result.export_overlap_px = writer.export_overlap_px
            for pid in result.persons:  # whole, all of them first (a kill in the slower loop below left some
                project.update_run(result.run_ids[pid], metrics={"segmented_frames": writer.person_frames[pid],
                                                                 **no_mask_metric(result, pid)})
            for pid, run in result.kept.items():  # a kept run's maskless frames, as this run counted them
                project.update_run(int(run), metrics=no_mask_metric(result, pid))
            for pid in result.found_nowhere:  # whole too, and empty; a failure marked (neither is a kill: a review)
                project.update_run(result.run_ids[pid], metrics={"segmented_frames": 0})
            for pid in (p for p in result.failed if p in result.run_ids):
                project.update_run(result.run_ids[pid], metrics={"stopped": "failed"})
            for i, pid in enumerate(result.persons):  # named: a walk read "Segmenting 100 %" for 40 s here
                yield Progress(i, len(result.persons), f"storing: person {pid}'s results measured against its labels",
                               data={"stage": "store", "pid": pid})
                agreed = record_agreement(project, pid, result.run_ids[pid])
                if agreed is not None:
                    result.agreement[pid], result.agreement_frames[pid] = agreed.mean, agreed.frames
            agree_kept(project, result)  # the kept persons' too: the closing line names the lowest of all
            result.drops = agreement_drops(project, redo, result.agreement, new_runs=result.run_ids)
            written = sorted({*result.persons, *result.kept})  # kept persons' stored results are exported too
            kept_labels = analyst_labels(project, result.kept) if config.labels_in_output and config.out else None
            if config.out is not None and config.labels_in_output:
                result.labelled = labelled_frames(project, result.persons, writer, config.fmt, result.kept,
                                                  kept_labels)
            # the kept persons' depth too (their checkpoints read for it: only when something is written)
            depth = with_kept_depth(writer.depth, project, scene, result.kept) if config.out is not None else None
            if config.out is not None and config.fmt != "davis" and written and depth is not None:
                taken = config.labels_in_output and labels_on_frames(project, result.persons, writer, result.kept,
                                                                     kept_labels)  # empty ones too (a review)
                result.export = yield from export_results(project, written, config.fmt, config.out, depth, cancel,
                                                          config.mots_first_frame, taken, run_made(project, config,
                                                                                                   result))
            elif stage is not None and result.persons:  # davis, written frame by frame: its gaps named too
                write_davis_gaps(project, {p: writer.frames_of[p] for p in result.persons},
                                 {p: result.run_ids[p] for p in result.persons}, stage)
            if stage is not None:
                result.export_overlap_px += (yield from write_kept(project, result.kept, stage, cancel, kept_labels,
                                                                   depth, writer.labels))[1]
                if not written:  # nobody to write: --out stays as it was (not replaced by an empty folder)
                    raise _NothingWritten
                write_run_manifest(project, stage, config, result, written)
        if stage is not None:  # in its place now: the Export dialog starts from its persons (its folder-per-person
            from ..export import RUN_SOURCE, remember_export  # layout is none of the dialog's formats: format None)

            remember_export(project, {"format": None, "persons": written, "runs": {**result.kept, **{
                p: result.run_ids[p] for p in result.persons}}, "source": RUN_SOURCE if result.labelled else "results",
                                      "out": os.path.abspath(str(config.out))})
    except _NothingWritten:
        pass
    finally:
        marks.close()
        scene.close()
    result.seconds = time.monotonic() - t_start
    return result
