"""Exports of a project's masks: DAVIS folders, indexed palette PNGs, COCO JSON and MOTS txt.

``export_job`` is a job (generator yielding Progress, returning a summary dict). Every export is atomic
(see :mod:`.atomic`): written beside the target and renamed into place when complete.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import HumansegError
from ..jobs import CancelToken, Job, Progress
from . import atomic
from .atomic import ExportError, atomic_folder, check_target, recover_target, sanitise_name, unique_names
from .blob_masks import BlobMasks
from .runs import check_runs, unsegmented_networks
from .skipped import stage_gaps, write_skipped

FORMATS = ("davis", "palette", "coco", "mots")
#: accepted: accepted + edited proposals; results: segmentation results; any: accepted, else results
SOURCES = ("accepted", "results", "any")
# a whole-scene run's own export (ADR 0027): the results, with the analyst's masks on the frames that have results
RUN_SOURCE = "results+labels"

__all__ = ["FORMATS", "SOURCES", "ExportError", "collect_masks", "export_job", "sanitise_name", "source_frames"]


def collect_masks(project, pid: int, source: str = "accepted", run_id: int | None = None) -> dict:
    """{frame: bool mask} of one person from the chosen source; results are those of run ``run_id``
    (default: the run :meth:`Project.result_runs` names; see :mod:`.runs` to check a chosen one). The analyst's
    labels win over results on a frame of both (source ``any`` and a run's)."""
    return dict(collect_blob_masks(project, pid, source, run_id).items())


def collect_blob_masks(project, pid: int, source: str = "accepted", run_id: int | None = None) -> BlobMasks:
    """:func:`collect_masks`, kept compressed (:class:`.blob_masks.BlobMasks`): what an export writes from, a mask
    decoded when its frame is written (an export of 25 000 masks decoded at once took 11 GB)."""
    _check_source(source, run_id)
    labels = BlobMasks(project.mask_blobs(pid, "accepted", checked=True)) if source != "results" else BlobMasks()
    if source == "accepted":
        return labels
    run_id = run_id if run_id is not None else project.used_run(int(pid))
    results = BlobMasks(project.mask_blobs(pid, "results", run_id, checked=True)) if run_id is not None else BlobMasks()
    if source == "results":
        return results
    if source == RUN_SOURCE:  # the run's frames only (a label beyond them was not segmented: a review)
        labels = labels.only(results)
    results.update_from(labels)
    return results


def _check_source(source: str, run_id: int | None) -> None:
    if source not in SOURCES and source != RUN_SOURCE:
        raise ExportError(f"unknown mask source {source!r} (expected one of {', '.join(SOURCES)})")
    if run_id is not None and source == "accepted":
        raise ExportError(f"run {run_id} chosen with mask source 'accepted': a run applies to segmentation results "
                          "(source 'results' or 'any')")


def source_frames(project, pid: int, source: str = "accepted", run_id: int | None = None) -> tuple[set[int], set[int]]:
    """(accepted frames, result frames) of one person that :func:`collect_masks` would draw on for
    ``source``, read without decoding a mask (for counts in a dialog); the set a source does not use is
    empty. Results are run ``run_id``'s, else the default run's (:meth:`Project.result_runs`), as :func:`collect_masks`
    picks them."""
    _check_source(source, run_id)
    accepted: set[int] = set()
    results: set[int] = set()
    if source in ("accepted", "any", RUN_SOURCE):
        accepted = project.accepted_frame_sets().get(int(pid), set())
    if source in ("results", "any", RUN_SOURCE):
        run_id = run_id if run_id is not None else project.used_run(int(pid))
        results = project.result_frame_sets({int(pid): run_id})[int(pid)] if run_id is not None else set()
    if source == RUN_SOURCE:
        accepted &= results
    return accepted, results


def _holds_pixels(masks, f: int) -> bool:
    """Whether person's mask of frame ``f`` has a pixel (a stored blob's extent: nothing decoded)."""
    return bool(masks.extent(f)[0] if isinstance(masks, BlobMasks) else np.any(masks[f]))


def export_job(project, pids, fmt: str, out, force: bool = False, source: str = "accepted",
               names: dict | None = None, frames=None, with_images: bool = False,
               cancel: CancelToken | None = None, depth="feet", runs: dict[int, int] | None = None,
               first_frame: int | None = None, remember: bool = True, extra: dict | None = None) -> Job[dict]:
    """Export the masks of ``pids`` in ``fmt`` to the folder ``out``; returns a summary dict.

    ``runs`` ({pid: run id}, sources ``results`` and ``any``): the training run whose results are exported
    for that person (default, and for persons not in it: :meth:`Project.result_runs`); each is checked
    (a known run of that person with results, else ExportError naming the project and the run). The
    summary's ``runs`` says which run each exported person's results came from.

    ``depth``: who wins a pixel two persons' masks share, in every format (:func:`.mots.one_owner`; nearer
    wins, by default the mask reaching lower in the image); the summary's ``overlap_pixels`` counts them.

    ``first_frame`` (MOTS only): ``time_frame`` counts the video's frames from it (0: KITTI MOTS, 1:
    MOTSChallenge), the video's first frame being ``first_frame``, instead of the video frame index
    (:mod:`.mots`); the video (``frames``, else the project's) must open, to know its first frame.

    ``extra``: more of the summary, in ``export.json`` too (a run's ``made``: how its masks were made).

    ``remember``: keep the export's format and persons in the project (:func:`remember_export`; False from a
    studio window that holds the project read-only).

    ``names`` ({pid: name}) names DAVIS sequences (sanitised; default ``person_<pid>``). ``frames`` is a
    FrameSource for formats that write images (DAVIS, COCO ``with_images``); by default the project's
    video is opened. Raises ExportError when there is nothing to export or the target cannot be written.
    ``skipped_frames`` in the summary lists the frames left out because their image cannot be read (now, or
    when the proposals were made or the person was segmented), each with its file and the problem (see :mod:`.skipped`).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if first_frame is not None and (fmt != "mots" or first_frame < 0):
        raise ExportError(f"{out}: a first frame number ({first_frame}) is for the MOTS format, from 0 up")
    recovered = recover_target(out)  # an earlier export of this target killed half-way: finish or undo it
    check_target(out, force, protect=[project.folder])  # fail before any work
    pids = sorted({int(p) for p in pids})
    _check_source(source, next(iter(runs.values())) if runs else None)
    chosen = check_runs(project, pids, runs)
    read_at = _utc_now()  # the labels as they are now: a change made while it writes is not in it (ADR 0044)
    yield Progress(0, 0, f"reading the masks of {len(pids)} person{'s' if len(pids) != 1 else ''}")
    masks_by_pid: dict = {}
    for pid in pids:  # each checked once, decoded and let go: a cancel is heard between persons
        if cancel is not None:
            cancel.raise_if_cancelled()
        masks_by_pid[pid] = collect_blob_masks(project, pid, source, chosen.get(pid))
    empty = [pid for pid, m in masks_by_pid.items() if not m]
    masks_by_pid = {pid: m for pid, m in masks_by_pid.items() if m}
    if not masks_by_pid:
        from ..wording import persons_text

        what = {"accepted": "accepted or edited proposals", "results": "segmentation results",
                "any": "accepted or edited proposals, nor segmentation results"}.get(source, f"masks from {source!r}")
        hint = ""
        if source == "accepted" and set(pids) & set(project.result_runs()):
            hint = "; they have segmentation results: export those with --source results"
        elif source in ("accepted", "any") and any(project.proposals(pid, status="pending", with_masks=False)
                                                     for pid in pids):
            # a walk exported --source any from a project of pending proposals only and was told nothing more
            hint = ("; their proposals wait for review (pending proposals are not exported: accept them in the "
                    "Review tab, or write a person's proposals with `humanseg masks --pid N --status any`)")
        raise ExportError(f"{out}: nothing to export: no {what} for {persons_text(pids)}{hint}")
    from .mots import one_owner

    # one owner per pixel in every format, by the same rule (the analyst's masks first, then nearer wins), before
    # any is written
    hand = project.accepted_frame_sets() if source in ("any", RUN_SOURCE) else {}  # one query, no mask read
    held = {pid: {f for f in masks if _holds_pixels(masks, f)} for pid, masks in masks_by_pid.items()}
    labelled = {pid: hand.get(pid, set()) & set(masks_by_pid[pid])
                for pid in masks_by_pid} if source in ("any", RUN_SOURCE) else None
    masks_by_pid, overlap = yield from one_owner(masks_by_pid, depth if depth is not None else "feet", cancel,
                                                 labelled)
    yield Progress(0, 0, "looking for empty masks")  # (no "[0/1]": a re-walk)
    # a mask with no pixel (the person hidden or gone, or a nearer one's on every pixel) is left out of every
    # format and named: a walk found zero-area COCO annotations (COCOeval, Mask R-CNN loaders reject them)
    # and masks counted 250 in DAVIS but 244 in MOTS with no word why
    blank: dict[int, list[int]] = {}
    for pid, masks in masks_by_pid.items():
        for f in masks:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if not _holds_pixels(masks, f):  # none decoded
                blank.setdefault(pid, []).append(int(f))
    blank = {pid: sorted(frames) for pid, frames in blank.items()}
    kept = {pid: masks.without(blank.get(pid, ())) for pid, masks in masks_by_pid.items()}
    # masks that had pixels, every one given to a nearer person or the analyst's mask (a walk's imported masks of
    # one person for two read "empty ... the person hidden or gone")
    taken = {pid: [f for f in frames if f in held.get(pid, ())] for pid, frames in blank.items()}
    taken = {pid: frames for pid, frames in taken.items() if frames}
    blank = {pid: [f for f in frames if f not in held.get(pid, ())] for pid, frames in blank.items()}
    unseen = project.label_frame_sets(hidden=True) if blank else {}  # the analyst's V there (a walk read "empty")
    marked = {pid: [f for f in frames if f in unseen.get(pid, ())] for pid, frames in blank.items()}
    marked = {pid: frames for pid, frames in marked.items() if frames}
    blank = {pid: [f for f in frames if f not in unseen.get(pid, ())] for pid, frames in blank.items()}
    blank = {pid: frames for pid, frames in blank.items() if frames}
    empty += [pid for pid in masks_by_pid if not kept[pid]]
    masks_by_pid = {pid: masks for pid, masks in kept.items() if masks}
    if not masks_by_pid:
        raise ExportError(f"{out}: nothing to export: every mask of these persons is empty")
    names = unique_names({pid: (names or {}).get(pid) for pid in masks_by_pid})
    needs_frames = fmt == "davis" or (fmt == "coco" and with_images) or first_frame is not None
    own_frames = None
    if needs_frames and frames is None:
        try:
            frames = own_frames = _project_frames(project)
        except HumansegError as exc:
            if first_frame is None:  # the video is needed for the images: its own message
                raise
            raise ExportError(f"{out}: MOTS frames counted from {first_frame} need the video's first frame, and the "
                              f"video does not open: {exc}. Without --mots-first-frame (the dialog's 'Video frame "
                              "index') the export needs no video") from exc
    # the frames of these masks no earlier stage could read (results drawn on: their segmentation's too)
    gaps = stage_gaps(project, masks_by_pid, chosen, results=source != "accepted")
    try:
        with atomic_folder(out, force=force, protect=[project.folder]) as tmp:
            if fmt == "davis":
                from .davis import write_davis

                detail = yield from write_davis(tmp, masks_by_pid, names, frames, cancel)
            elif fmt == "palette":
                from .palette import write_palette

                detail = yield from write_palette(tmp, masks_by_pid, cancel)
            elif fmt == "coco":
                from .coco import write_coco

                detail = yield from write_coco(tmp, masks_by_pid, project.inputs.video,
                                               frames if with_images else None, cancel)
            else:
                from .mots import write_mots

                origin = int(frames.indices[0]) if first_frame is not None and len(frames.indices) else None
                if first_frame is not None and origin is None:
                    raise ExportError(f"{out}: the video has no frame to number MOTS frames from")
                detail = yield from write_mots(tmp, masks_by_pid, cancel, depth, first_frame, origin, owned=True)
            # inside the export too, so whoever reads it later sees the gaps
            skipped = write_skipped(tmp, [*detail.pop("skipped_frames", []), *gaps])
            summary = {"format": fmt, "out": str(Path(out).absolute()), "source": source,
                       **({"mots_first_frame": first_frame} if fmt == "mots" else {}),
                       "persons": sorted(masks_by_pid), "persons_without_masks": empty,
                       **({"trained_not_segmented": unsegmented} if (unsegmented := unsegmented_networks(
                           project, empty)) else {}),
                       "masks": sum(len(m) for m in masks_by_pid.values()), **detail, "overlap_pixels": overlap,
                       "blank_masks_left_out": {str(pid): frames for pid, frames in blank.items()},
                       "marked_not_visible": {str(pid): frames for pid, frames in marked.items()},
                       "masks_taken_by_others": {str(pid): frames for pid, frames in taken.items()},
                       "skipped_frames": skipped, **({"recovered": recovered} if recovered else {}),
                       **(_runs_summary(project, masks_by_pid, chosen) if source != "accepted" else {})}
            if clash := sorted(set(extra or {}) & set(summary)):  # more of the summary, never in place of it
                raise ValueError(f"export_job: extra would replace the summary's {', '.join(clash)}")
            summary.update(extra or {})
            write_manifest(tmp, project, summary)
    finally:
        if own_frames is not None:
            own_frames.close()
    if remember:
        remember_export(project, summary, read_at)
    return summary


LAST_EXPORT = "last_export"  # project setting: what the last export wrote, from the CLI or the studio
EXPORTED = "exported_runs"  # project setting: {pid: {"run", "out"}} of the latest export that wrote each person


def _identity(project) -> str:
    """The project's :meth:`~humanseg_core.project.Project.identity` ("" for a stand-in without one)."""
    try:
        return str(project.identity())
    except Exception:  # a stand-in project (tests), or a store that cannot be read: the folder alone is recorded
        return ""


def _utc_now() -> str:
    """Now, as the project store writes its times (UTC ISO, microseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def remember_export(project, summary: dict, read_at: str | None = None) -> None:
    """Keep the format, persons, source and folder of a finished export in the project (setting
    :data:`LAST_EXPORT`), so the studio's Export dialog starts from them, after a `humanseg run` or `humanseg
    export` as after its own exports; ``read_at``: when it read the masks (default: now). Best effort: a project
    that cannot be written to (read-only) has still exported."""
    chosen = sorted({int(p) for p in [*(summary.get("persons") or []), *(summary.get("persons_without_masks") or [])]})
    first = summary.get("mots_first_frame")
    if summary.get("format") != "mots":  # another format (a run's own layout: None): the MOTS numbering stays (reviews)
        try:
            last = project.setting(LAST_EXPORT)
        except HumansegError:
            last = None
        first = last.get("mots_first_frame") if isinstance(last, dict) else None
    try:
        before = project.setting(LAST_EXPORT)
        before = before if isinstance(before, dict) else None
    except HumansegError:
        before = None
    try:  # the persons chosen, those without masks too (the dialog had started with person 2 alone, a review)
        runs = {str(int(p)): int(r) for p, r in (summary.get("runs") or {}).items()}  # the results exported, each
        stamps = project.results_stamp(runs.values())  # as written then (label_changes.exports compares)
        project.set_setting(LAST_EXPORT, {"format": summary.get("format"), "persons": chosen,  # its run's
                                          "source": summary.get("source"), "out": summary.get("out"),
                                          "mots_first_frame": first, "runs": runs,
                                          "stamps": {p: stamps.get(r) for p, r in runs.items()}})
        # each person's own latest export: one export of some persons leaves the others' as they were (a walk: a
        # one-person run, or two runs ending in another order, sent everyone else back to "export")
        known = project.setting(EXPORTED)
        if not isinstance(known, dict) and isinstance(last_runs := (before or {}).get("runs"), dict):
            known = {str(k): {"run": r, "out": (before or {}).get("out")} for k, r in last_runs.items()}  # (before 6
        known = dict(known) if isinstance(known, dict) else {}  # Dec: the last export's, as status read it)
        now = read_at or _utc_now()  # status compares later label changes with it (ADR 0044)
        known.update({pid: {"run": run, "out": summary.get("out"), "at": now, "source": summary.get("source"),
                            "stamp": stamps.get(run)} for pid, run in runs.items()})
        for pid in chosen:  # exported without results this time (the labels): not the run's results any more
            if str(pid) not in runs:
                known.pop(str(pid), None)
        project.set_setting(EXPORTED, known)
    except HumansegError:
        pass


def _project_frames(project):
    """The project's video, opened; a moved one is named as the project's, with the way back (a re-walk's
    DAVIS export said only "no such video file or folder")."""
    import os

    from ..errors import HumansegError, ProjectError
    from ..inputs.frames import open_frames
    from ..inputs.moved import moved_message

    try:
        return open_frames(project.inputs.video)
    except HumansegError as exc:
        if os.path.lexists(project.inputs.video):
            raise
        raise ProjectError(moved_message(Path(project.folder), [("video", str(project.inputs.video))])) from exc


MANIFEST = "export.json"  # in every export: what it holds and where it came from (a walk found only file names)


def write_manifest(folder: Path, project, summary: dict) -> None:
    """``folder``/export.json: the summary (format, source, persons, the run each person's results came from,
    what each run trained on — ``reviewed`` labels or an Accept policy such as ``all`` — and its agreement with
    them), the files it holds, and its provenance: the project, its inputs, their frame offset and step (file
    names are video frame indices), the time and the version."""
    import json
    import time

    from .. import __version__

    inputs = project.inputs
    runs = summary.get("runs") or {}
    if runs:  # what each exported run trained on and how it agrees with its labels (a colleague asked, a walk)
        rows = {int(r["id"]): r for r in project.runs(ids={int(r) for r in runs.values()})}
        summary = {**summary, "run_labels": {}, "agreement": {}}
        for pid, run_id in runs.items():
            row = rows.get(int(run_id)) or {}
            params, metrics = row.get("params") or {}, row.get("metrics") or {}
            summary["run_labels"][str(pid)] = str(params.get("accept") or "reviewed")
            if isinstance(metrics.get("agreement"), (int, float)):
                summary["agreement"][str(pid)] = metrics["agreement"]
    files = {"mots": "instances.txt (MOTS ids 2000 + the person id for ids 1-999; pids.json maps them to person "
                     "ids)",
             "palette": "%05d.png indexed per frame (pids.json maps indices to person ids)",
             "davis": "Annotations/<height>p/person_<pid>/%05d.png and JPEGImages/…", "coco": "annotations.json"}
    doc = {**{k: v for k, v in summary.items() if k not in ("out", "skipped_frames")},
           "files": summary.get("files") or files.get(str(summary.get("format")), ""),
           "project": str(Path(project.folder).absolute()),
           "project_created": _identity(project),  # the same in a copy or moved folder: a run's own export
           # how the files were read as well (a walk: an ETH H.txt read as (row, col) was named without it)
           "inputs": {"video": inputs.video, "trajectories": inputs.trajectories, "homography": inputs.homography,
                      "h_order": inputs.h_order, "h_direction": inputs.h_direction,
                      "traj_format": inputs.traj_format, "positions": positions_text(inputs.homography),
                      "frame_offset": inputs.frame_offset, "frame_step": inputs.frame_step,
                      "anchor": inputs.anchor, "skip_bad_lines": inputs.skip_bad_lines},
           "frame_names": _frame_names(summary),
           "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "humanseg_version": __version__}
    atomic.write_text(Path(folder) / MANIFEST, json.dumps(doc, indent=1, default=str) + "\n")


def positions_text(homography: str | None) -> str:
    """Where the track points the masks were made at came from, for export.json: the scene's own homography, one
    estimated from the video (``humanseg calibrate``, with how well it matched), or none (a CLI walk: a
    dataset made from an estimate said so only in the run's stdout, not in the folder a reader gets)."""
    from ..inputs.homography import estimate_note

    if not homography:
        return "approximate: no homography, the points fitted to the trajectories' extent"
    note = estimate_note(homography)
    if note is not None:
        return f"approximate: a homography estimated from the video ({note[0]})"
    return "the homography given"


def _frame_names(summary: dict) -> str:
    """How the export names its frames, in words (export.json): MOTS numbered from 0 or 1 says so (a review: it
    said "video frame index" beside a time_frame_shift of 1)."""
    video = "video frame index (trajectory frame f is video frame frame_offset + frame_step * f)"
    shift = int(summary.get("time_frame_shift") or 0)
    if not shift:
        return video
    return (f"MOTS time_frame = {video} + time_frame_shift ({shift:+d}), counted from the video's first frame as "
            f"{summary.get('mots_first_frame')}")


def _runs_summary(project, masks_by_pid: dict, chosen: dict[int, int]) -> dict:
    """The summary's ``runs`` ({pid: run exported}) and, when some default run is thinner than an older
    one, ``partial_runs`` ({pid: note}); ``stopped_runs`` ({pid: note}) of runs that stopped part-way;
    ``newer_networks`` ({pid: run}) of newer runs whose networks segmented nothing."""
    from .runs import fuller_older_runs, newer_networks, stopped_exported

    used = used_runs(project, masks_by_pid, chosen)
    partial = fuller_older_runs(project, used, chosen)
    stopped = stopped_exported(project, used)
    newer = newer_networks(project, used, chosen)
    return {"runs": used, **({"partial_runs": partial} if partial else {}),
            **({"stopped_runs": stopped} if stopped else {}), **({"newer_networks": newer} if newer else {})}


def used_runs(project, masks_by_pid: dict, chosen: dict[int, int]) -> dict[int, int]:
    """{pid: the run whose results an export of results drew on} (the chosen one, else the newest)."""
    newest = project.result_runs()
    return {pid: chosen.get(pid, newest[pid]) for pid in sorted(masks_by_pid) if pid in chosen or pid in newest}
