"""What a whole-scene run did (:func:`.scene_run.scene_run_job`'s result): the persons segmented, skipped, kept,
reused or failed, the time of each stage, and the notes for the analyst; ``to_json`` is ``humanseg run``'s last
stdout line."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..wording import plural, ranges_text


@dataclass
class SceneRunResult:
    persons: list = field(default_factory=list)  # segmented pids
    skipped: dict = field(default_factory=dict)  # {pid: why} (too few labels)
    kept: dict = field(default_factory=dict)  # {pid: run id}: earlier results kept (config.keep_trained)
    reused: dict = field(default_factory=dict)  # {pid: run id}: a cancelled run's network used (reuse_trained)
    failed: dict = field(default_factory=dict)  # {pid: what went wrong}
    frames: int = 0  # distinct frames with at least one mask
    person_frames: int = 0
    seconds: float = 0.0
    propose_seconds: float = 0.0
    train_seconds: float = 0.0
    segment_seconds: float = 0.0
    store_seconds: float = 0.0  # overlaps resolved, results stored, DAVIS PNGs written
    device: str = "cpu"
    precision: str = "float32"  # what segmentation ran in: "bfloat16" (mixed precision applied) or "float32"
    precision_note: str | None = None  # mixed precision asked for and not applied here: why
    backend: str = "local"
    run_ids: dict = field(default_factory=dict)
    model: str = ""
    parent: str = ""  # the parent network's file the run used (its proposals, fine-tuning and evidence)
    parent_warning: str = ""  # why it is not the project's choice (a copy gone missing), or ""
    overlap_px: int = 0
    export_overlap_px: int = 0  # davis: pixels the written masks gave a nearer person, the analyst's labels included
    export: dict | None = None
    unreadable: dict = field(default_factory=dict)  # {frame: problem}: frames segmentation could not read
    # the homography file estimated from the video for a project without one (``workflows.estimate``), or ""
    homography: str = ""
    refine: str = "none"  # how every frame was segmented: "evidence" (the joint step) or "none" (networks alone)
    # persons whose whole span was segmented before a cancel (segmentation is frame-major: the writer reached
    # their last frame); their runs are complete, the others' runs say "cancelled"
    finished: set = field(default_factory=set)
    # {pid: mean IoU of its results with its labels on the annotated frames} (``agreement``): the persons lowest
    # in it are the ones to look at first
    agreement: dict = field(default_factory=dict)
    agreement_frames: dict = field(default_factory=dict)  # {pid: label frames it was measured on}
    # {pid: steps} of the persons whose budget bought fewer than FEW_STEPS training steps (a walk's 5 s per
    # person gave 1-2 steps to 22 of 40 persons, and only a row that went away during segmentation said so)
    few_steps: dict = field(default_factory=dict)
    # {pid: steps} of the persons, not in few_steps, whose time bound ended their training before its steps
    cut_short: dict = field(default_factory=dict)
    budget: tuple = ()  # (steps, seconds) per person, as the run took them
    # {pid: (replaced run, its agreement, the new one)}: retrained persons whose results agree less with the labels
    drops: dict = field(default_factory=dict)
    anchor: str = ""  # where the proposals took the track points to sit ("" when no proposal was made)
    labels_at: str = ""  # when the labels were read (UTC ISO): status counts later changes to them (ADR 0044)
    labels: dict = field(default_factory=dict)  # {pid: labels it trained on} (a walk found them on stderr only)
    # {pid: share of those labels the analyst drew, fixed or imported (edited)}: its network's weight in the
    # per-frame evidence follows it (scene_evidence.network_share, ADR 0029)
    edited: dict = field(default_factory=dict)
    unreviewed: dict = field(default_factory=dict)  # {pid: labels taken from proposals nobody reviewed}
    best_alone: list = field(default_factory=list)  # persons on their best proposal alone (Accept score>=x)
    # persons whose proposals were placed by the extent fit or by a homography the video check found not to fit
    placed_off: list = field(default_factory=list)
    # persons trained left with no pixel on any frame (found nowhere, or nearer persons took every pixel): no mask
    # written (a walk's person annotated once, on its best proposal alone, was in none of persons, skipped, failed)
    found_nowhere: list = field(default_factory=list)
    # {pid: [(first, last), ...]}: frames segmented beyond the only annotation of a person annotated once, where
    # its position follows the motion measured in the video, or stands still (a walk's person 163 drifted onto a
    # neighbour)
    guessed: dict = field(default_factory=dict)
    # {pid: [(first, last), ...]}: of those guessed frames, the ones with no mask (not found where guessed: a walk
    # was told 3771-3779 where 3772-3779 were never written)
    guessed_missing: dict = field(default_factory=dict)
    # {pid: frames} where the export holds the person's label (a mask the analyst accepted or edited) instead of
    # the network's result (``SceneRunConfig.labels_in_output``, ADR 0027)
    labelled: dict = field(default_factory=dict)
    # {pid: [(first, last), ...]}: frames of the person's span (a track position there, the image read) with no mask:
    # the step found it hidden or too little visible (a walk's person 252 lost 21 of 71 frames, named nowhere)
    no_mask: dict = field(default_factory=dict)

    @property
    def ms_per_person_frame(self) -> float:
        return 1000.0 * self.segment_seconds / max(self.person_frames, 1)

    def to_json(self) -> dict:
        return {"persons": sorted(self.persons), "skipped": {str(k): v for k, v in sorted(self.skipped.items())},
                "failed": {str(k): v for k, v in sorted(self.failed.items())},
                "kept": {str(k): v for k, v in sorted(self.kept.items())},
                "reused": {str(k): v for k, v in sorted(self.reused.items())}, "frames": self.frames,
                "person_frames": self.person_frames, "seconds": round(self.seconds, 3),
                "propose_seconds": round(self.propose_seconds, 3), "train_seconds": round(self.train_seconds, 3),
                "segment_seconds": round(self.segment_seconds, 3), "store_seconds": round(self.store_seconds, 3),
                # null when nothing was segmented (every person kept: 0.001 read as a time, a walk)
                "ms_per_person_frame": round(self.ms_per_person_frame, 3) if self.person_frames else None,
                "device": self.device,
                "precision": self.precision, "backend": self.backend, "model": self.model,
                "parent": self.parent or None, "parent_warning": self.parent_warning or None, "refine": self.refine,
                "run_ids": {str(k): v for k, v in self.run_ids.items()},
                "overlap_px": self.overlap_px, "export_overlap_px": self.export_overlap_px,
                "agreement": {str(k): round(v, 4) for k, v in sorted(self.agreement.items())},
                "few_steps": {str(k): v for k, v in sorted(self.few_steps.items())}, "anchor": self.anchor,
                "cut_short": {str(k): v for k, v in sorted(self.cut_short.items())},
                "labels": {str(k): v for k, v in sorted(self.labels.items())}, "best_alone": sorted(self.best_alone),
                "placed_off": sorted(self.placed_off), "found_nowhere": sorted(self.found_nowhere),
                "homography_estimated": self.homography or None,
                "guessed_frames": {str(k): [list(r) for r in v] for k, v in sorted(self.guessed.items())},
                "guessed_not_found": {str(k): [list(r) for r in v] for k, v in sorted(self.guessed_missing.items())},
                "labels_in_output": {str(k): v for k, v in sorted(self.labelled.items()) if v},
                "agreement_drops": {str(k): {"replaced_run": r, "was": round(a, 4), "now": round(b, 4)}
                                    for k, (r, a, b) in sorted(self.drops.items())},
                "no_mask_frames": {str(k): [list(r) for r in v] for k, v in sorted(self.no_mask.items())},
                "unreadable_frames": [{"frame": f, "reason": why} for f, why in sorted(self.unreadable.items())]}


def split_ranges(ranges, written, exist=None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(the runs of frames of ``ranges`` [(first, last), ...] in ``written``, the runs of those not in it); ``exist``:
    the frame numbers the video has (a folder with gaps: the others are neither)."""
    from ..wording import frame_runs as runs

    every = [f for a, b in ranges for f in range(int(a), int(b) + 1) if exist is None or f in exist]
    return runs([f for f in every if f in written]), runs([f for f in every if f not in written])


def note_no_mask(result, span_of, frames_of: dict, project=None) -> None:
    """``result.no_mask``: each segmented or kept person's frames of its span (``span_of(pid)``) without a mask in
    ``frames_of`` ({pid: frames written}; a kept person's stored results read from ``project``), leaving out frames
    unread and those said as guessed (a re-walk's kept person with 20 frames unmasked went unsaid)."""
    from ..wording import frame_runs

    if project is not None:
        frames_of = {**project.result_frame_sets(result.kept), **frames_of}  # one query, no mask read

    for pid in [*result.persons, *(p for p in result.kept if p not in result.persons)]:
        said = {f for a, b in result.guessed_missing.get(pid, ()) for f in range(int(a), int(b) + 1)}
        gaps = [f for f in span_of(pid) if f not in frames_of.get(pid, ()) and f not in result.unreadable
                and f not in said]
        if gaps:
            result.no_mask[pid] = frame_runs(gaps)


NO_MASK = "no_mask_frames"  # a run's metric: frames of the person's span it gave no pixel (status names them)


def no_mask_metric(result, pid: int) -> dict[str, int]:
    """{:data:`NO_MASK`: frames} of person ``pid``'s span without a mask in ``result`` (``note_no_mask``), for its
    run's metrics: 0 when it has a mask on every frame (a walk: `status` read "exported: done" of a person with 21
    frames unmasked)."""
    return {NO_MASK: sum(int(b) - int(a) + 1 for a, b in result.no_mask.get(pid, ()))}


def no_mask_text(no_mask: dict, limit: int = 6) -> str:
    """'2 persons have no mask on part of their span: 252 (21 frames: 10330-10350), 9 (3 frames: 40-42): hidden or
    too little visible there as the run saw it; check them in Play' for ``SceneRunResult.no_mask``, or ""."""
    if not no_mask:
        return ""
    count = {p: sum(int(b) - int(a) + 1 for a, b in r) for p, r in no_mask.items()}
    worst = sorted(no_mask, key=lambda p: -count[p])
    said = ", ".join(f"{p} ({count[p]} frame{'' if count[p] == 1 else 's'}: {ranges_text(no_mask[p][:3], sep='; ')}"
                     f"{'; …' if len(no_mask[p]) > 3 else ''})" for p in worst[:limit])
    n = len(no_mask)
    return (f"{n} person{' has' if n == 1 else 's have'} no mask on part of {'its' if n == 1 else 'their'} span: "
            f"{said}{', …' if n > limit else ''}: the run gave {'it' if n == 1 else 'them'} no pixel there (taken "
            f"for hidden or too little visible, maybe wrongly); check {'it' if n == 1 else 'them'} in Play")


def guessed_frames_text(guessed: dict, missing: dict | None = None) -> str:
    """Names the persons annotated once whose frames beyond that annotation follow a guessed motion
    ({pid: [(first, last), ...]}, ``SceneRunResult.guessed``; ``missing``: its ``guessed_missing``), or ""."""
    missing = missing or {}
    if not guessed and not missing:
        return ""
    said = ", ".join(f"{pid} (" + "; ".join(
        ([ranges_text(guessed[pid], sep="; ")] if guessed.get(pid) else [])
        + ([f"no mask on {ranges_text(missing[pid], sep='; ')}: not found where guessed"] if missing.get(pid) else []))
        + ")" for pid in sorted({*guessed, *missing}))
    return ("annotated once where the trajectory file starts or stops, followed beyond that annotation by the "
            f"motion measured in the video, or standing (check those frames): {said}")


def labelled_text(labelled: dict) -> str:
    """'the export holds the analyst's masks on 12 frames of 3 persons, the networks' results elsewhere' for
    ``SceneRunResult.labelled`` ({pid: frames}), or ""."""
    labelled = {p: n for p, n in labelled.items() if n}
    if not labelled:
        return ""
    n, k = sum(labelled.values()), len(labelled)
    return (f"the export holds the analyst's masks (accepted, edited or imported) on {n} frame{'' if n == 1 else 's'} "
            f"of {k} person{'' if k == 1 else 's'}, the networks' results elsewhere")


def few_steps_text(few: dict, where: str = "raise the seconds per person") -> str:
    """'3 persons trained fewer than 20 steps (person 262 1, 263 2, 270 1): too few to learn them; raise the
    seconds per person' for ``{pid: steps}``, or '' when there is none."""
    from ..osvos.config import FEW_STEPS

    if not few:
        return ""
    n = len(few)
    low = sorted(few)[:6]
    listed = ", ".join(f"{p} {few[p]}" for p in low) + (", …" if n > len(low) else "")
    return (f"{plural(n, 'person')} trained fewer than {FEW_STEPS} steps (person {listed}): too few to learn "
            f"{'it' if n == 1 else 'them'}; {where}")


def cut_short_text(cut: dict, steps: int | None, seconds: float | None) -> str:
    """'2 persons stopped at the 60 s bound before their 100 steps (43 at 27, 44 at 40)' for
    ``SceneRunResult.cut_short``, or ''."""
    if not cut:
        return ""
    low = sorted(cut)[:6]
    listed = ", ".join(f"{p} at {cut[p]}" for p in low) + (", …" if len(cut) > len(low) else "")
    whose = "its" if len(cut) == 1 else "their"
    return (f"{plural(len(cut), 'person')} stopped at the {seconds:g} s bound before {whose} {steps} steps "
            f"({listed}): a busy machine")
