"""Where a whole-scene run's masks go, frame by frame: overlaps resolved, stored, exported.

:class:`ResultWriter` receives each frame's masks ({pid: bool mask}), gives every pixel to at most one
person (:func:`overlap.resolve_overlaps`, depth keys from the track points), stores the masks as the
persons' results in the project (RLE, one transaction per ``FLUSH_FRAMES`` frames: a commit per person
and frame cost more than segmenting) and, for ``davis``, writes ``out/<pid>/%05d.png`` at once (memory
stays flat in video length).  ``mots``/``palette`` are written from the stored results at the end
(:func:`export_results`), through the project's export job (atomic folder).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np

from ..errors import HumansegError
from ..jobs import CancelToken, EtaClock, Job, Progress
from ..overlap import resolve_overlaps

DepthFn = Callable[[int, int], "float | None"]  # (pid, frame) -> feet row


FLUSH_FRAMES = 32  # frames whose results are stored in one transaction (the RLE blobs wait in memory)


class ResultWriter:
    """Call it with each frame's masks; call :meth:`flush` at the end (results of the last frames are
    stored then: one store transaction per ``flush_frames`` frames, not one per person and frame)."""

    def __init__(self, project, run_ids: Mapping[int, int], depth: DepthFn, out: Path | None = None,
                 fmt: str = "davis", flush_frames: int | None = None,
                 labels: Mapping[int, Mapping[int, bytes]] | None = None):
        """``labels``: {pid: {frame: RLE blob}} of the analyst's masks (:func:`analyst_labels`) that the
        ``davis`` export holds on their frames instead of the results (which are stored as they are)."""
        self.project, self.run_ids, self.depth = project, dict(run_ids), depth
        self.labels = {int(p): dict(b) for p, b in (labels or {}).items() if b}
        self.labelled: dict[int, int] = {}  # {pid: frames whose export holds the label}
        self.export_overlap_px = 0  # pixels the written masks gave a nearer person (labels in place included)
        self.out, self.fmt = (Path(out) if out is not None else None), fmt
        self.frames: set[int] = set()
        self.stored: set[int] = set()  # the frames whose results are in the project (a flush succeeded)
        self._unstored: set[int] = set()
        self.frames_of: dict[int, set[int]] = {int(p): set() for p in run_ids}  # the frames each person got
        self.overlap_px = 0
        self.flush_frames = max(1, int(flush_frames or FLUSH_FRAMES))
        self._rows: list[tuple[int, int, int, bytes]] = []
        self._pending_frames = 0
        self._folders: set[int] = set()

    def __call__(self, frame: int, masks: dict) -> None:
        from .. import rle

        keys = {pid: self.depth(pid, frame) for pid in masks}
        resolved, removed = resolve_overlaps(masks, keys)
        self.overlap_px += removed
        shown = resolved
        if self.out is not None and self.fmt == "davis":
            shown, removed = self._with_labels(int(frame), masks, resolved, keys, removed)
            self.export_overlap_px += removed
        for pid, m in resolved.items():
            self._rows.append((int(pid), int(self.run_ids[pid]), int(frame), rle.to_blob(m)))
            self.frames_of.setdefault(int(pid), set()).add(int(frame))
            if self.out is not None and self.fmt == "davis":
                from ..export.atomic import write_png

                folder = self.out / str(int(pid))
                if pid not in self._folders:
                    folder.mkdir(parents=True, exist_ok=True)
                    self._folders.add(pid)
                write_png(folder / f"{int(frame):05d}.png", shown[pid].view(np.uint8) * np.uint8(255))
        self.frames.add(int(frame))
        self._unstored.add(int(frame))
        self._pending_frames += 1
        if self._pending_frames >= self.flush_frames:
            self.flush()

    def _with_labels(self, frame: int, masks: dict, resolved: dict, keys: dict, removed: int) -> tuple[dict, int]:
        """(the frame's masks as the export shows them, the pixels given to nearer persons): a person's label
        where it has one on ``frame``, the overlaps resolved again, the labels first and then by depth (as
        :func:`..export.export_job` does: a walk's hand-painted person lost a third of its pixels to a neighbour's
        unreviewed result); ``resolved`` and its ``removed`` pixels where no label is."""
        from .. import rle

        here = {pid: self.labels[int(pid)][frame] for pid in masks
                if int(pid) in self.labels and frame in self.labels[int(pid)]}
        if not here:
            return resolved, removed
        shown = dict(masks)
        for pid, blob in here.items():
            label = rle.from_blob(blob)
            if label.shape != np.asarray(masks[pid]).shape:
                continue  # a label of another frame size (the video replaced): the result stays
            shown[pid] = label
            if label.any():  # an empty one says "not visible here" (Review's V): no mask, not counted as held
                self.labelled[int(pid)] = self.labelled.get(int(pid), 0) + 1
        return resolve_overlaps(shown, labels_first(keys, here))

    @property
    def person_frames(self) -> dict[int, int]:
        """{pid: frames stored for that person}."""
        return {pid: len(frames) for pid, frames in self.frames_of.items()}

    def flush(self) -> None:
        """Store the results received since the last flush (one transaction)."""
        rows, self._rows, self._pending_frames = self._rows, [], 0
        frames, self._unstored = self._unstored, set()
        self.project.save_result_blobs(rows)
        self.stored |= frames


def labels_first(keys: Mapping, labelled) -> dict:
    """Depth keys with the persons of ``labelled`` (whose mask is the analyst's) ahead of everyone (ADR 0027)."""
    from ..export.mots import LABEL_FIRST

    return {p: (d + LABEL_FIRST if p in labelled and d is not None else d) for p, d in keys.items()}


def analyst_labels(project, pids) -> dict[int, dict[int, bytes]]:
    """{pid: {frame: RLE blob}} of the masks the analyst accepted or edited (imported ones too), as
    :meth:`Project.accepted_masks` picks them per frame; not decoded (the export decodes a frame's when it
    writes it)."""
    out = {}
    for pid in pids:
        blobs = project.mask_blobs(int(pid), "accepted")
        if blobs:
            out[int(pid)] = dict(blobs)
    return out


Labels = Mapping[int, Mapping[int, bytes]]  # {pid: {frame: the analyst's mask as a blob}}


def _label_spans(project, pids, writer: ResultWriter, kept: Mapping[int, int] | None,
                 kept_labels: Labels | None) -> dict[int, tuple[Mapping[int, bytes], set[int]]]:
    """{pid: (the analyst's labels, the frames the run writes)}: ``pids`` from the writer, the ``kept`` persons ({pid:
    run}) by their ``kept_labels`` (:func:`analyst_labels`) on the frames of their stored results (no mask read)."""
    spans: dict[int, tuple[Mapping[int, bytes], set[int]]] = {
        int(p): (writer.labels.get(int(p), {}), set(writer.frames_of.get(int(p), ()))) for p in pids}
    if kept:
        stored = project.result_frame_sets({int(p): int(r) for p, r in kept.items()})
        spans.update({int(p): ((kept_labels or {}).get(int(p), {}), set(stored[int(p)])) for p in kept})
    return spans


def labelled_frames(project, pids, writer: ResultWriter, fmt: str, kept: Mapping[int, int] | None = None,
                    kept_labels: Mapping[int, Mapping[int, bytes]] | None = None) -> dict[int, int]:
    """{pid: frames of the run's export that hold the person's label}: counted as ``davis`` wrote them, else
    the writer's labels among the frames the person was segmented on (``export.RUN_SOURCE``); the ``kept``
    persons as :func:`_label_spans` reads them."""
    from .. import rle

    out = {int(p): n for p, n in writer.labelled.items() if n} if fmt == "davis" else {}
    spans = _label_spans(project, pids if fmt != "davis" else (), writer, kept, kept_labels)
    for pid, (labels, frames) in spans.items():  # an empty label holds no mask there (Review's V): not counted
        n = sum(1 for f in set(labels) & frames if rle.blob_holds_pixels(labels[f]))
        if n:
            out[pid] = n
    return out


def labels_on_frames(project, pids, writer: ResultWriter, kept: Mapping[int, int] | None = None,
                     kept_labels: Mapping[int, Mapping[int, bytes]] | None = None) -> bool:
    """Whether an analyst's label, empty ones too (Review's V: nobody there), lies on a frame the run writes for its
    person: then its export takes the labels there (``export.RUN_SOURCE``), else the results alone (a walk read two
    sources for the same masks; a review: an empty label dropped from MOTS put the network's mask back)."""
    return any(set(labels) & frames for labels, frames in _label_spans(project, pids, writer, kept,
                                                                      kept_labels).values())


def write_kept(project, kept: Mapping[int, int], out: Path, cancel: CancelToken | None = None,
               labels: Mapping[int, Mapping[int, bytes]] | None = None, depth: DepthFn | None = None,
               run_labels: Mapping[int, Mapping[int, bytes]] | None = None) -> Job[tuple[int, int]]:
    """Job: ``davis``: the stored results of the persons a run kept ({pid: run}, ``--keep-trained``) written
    into ``out`` as the run writes its own (``out/<pid>/%05d.png``), a frame at a time, so the folder holds
    every chosen person (a walk's resumed batch replaced the done scenes' folders with empty ones). Each
    frame's pixels go to one person with the masks the run wrote there (a walk's export shared 2398 pixels
    between a kept person and the run's, and its export.json said 0): the analyst's masks first (``labels`` of
    the kept persons, ``run_labels`` of the run's, as the run wrote them), then the nearer (``depth``, for every
    person; None: the kept masks written as stored); a run person's mask that loses pixels is written again.
    Reports each frame (stage ``export``), stops at a cancel; returns (masks written, pixels given away)."""
    from .. import rle
    from ..export.atomic import write_png
    from ..metrics import read_mask

    blobs = {int(p): project.mask_blobs(int(p), "results", int(r)) for p, r in sorted(kept.items())}
    frames = sorted({f for b in blobs.values() for f in b})
    others = [int(d.name) for d in out.iterdir() if d.is_dir() and d.name.isdigit() and int(d.name) not in blobs] \
        if depth is not None and out.is_dir() else []
    clock = EtaClock()
    n = removed = 0
    for k, frame in enumerate(frames, 1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        masks: dict = {}
        first: set[int] = set()
        for pid, b in blobs.items():
            if frame in b:
                label = (labels or {}).get(pid, {}).get(frame)  # the analyst's mask, as the run writes them
                masks[pid] = rle.from_blob(label if label is not None else b[frame]).astype(bool)
                first |= {pid} if label is not None else set()
        theirs = {p: out / str(p) / f"{frame:05d}.png" for p in others}
        for pid, png in theirs.items():
            if png.is_file():
                masks[pid] = read_mask(png)
                first |= {pid} if frame in (run_labels or {}).get(pid, {}) else set()
        shown = dict(masks)
        # masks of one size resolved together; another size (a label or result of a video replaced since) is
        # written as it is, never a crash after the training (a review: ValueError, the export lost)
        for size in {m.shape for m in masks.values()}:  # each size apart (two groups: each resolved, a review)
            alike = {p: m for p, m in masks.items() if m.shape == size}
            if depth is not None and len(alike) > 1:
                resolved, gone = resolve_overlaps(alike, labels_first({p: depth(p, frame) for p in alike}, first))
                shown.update(resolved)
                removed += gone
        for pid, m in shown.items():
            if pid in blobs or np.count_nonzero(m) != np.count_nonzero(masks[pid]):
                folder = out / str(pid)
                folder.mkdir(parents=True, exist_ok=True)
                write_png(folder / f"{frame:05d}.png", m.view(np.uint8) * np.uint8(255))
                n += pid in blobs
        yield Progress(k, len(frames), f"persons kept ({', '.join(str(p) for p in blobs)}): frame {frame}",
                       data={"stage": "export"}, eta_s=clock.eta(k, len(frames)))
    return n, removed


def write_davis_gaps(project, frames_of: Mapping[int, set[int]], runs: Mapping[int, int], out: Path) -> list[dict]:
    """The skipped frames of a ``davis`` export written frame by frame (:class:`ResultWriter`, whose
    ``frames_of`` says which frames each person got from run ``runs[pid]``): the frames no stage could read
    (proposals, segmentation), in ``out/skipped_frames.json`` as :func:`~humanseg_core.export.export_job`
    writes them for the other formats; returns them."""
    from ..export.skipped import stage_gaps, write_skipped

    return write_skipped(out, stage_gaps(project, frames_of, runs))


def check_out(out: Path | None, fmt: str, project_folder) -> None:
    """Fail before any work when the export target is unusable."""
    if out is None:
        return
    from ..export.atomic import check_target

    # every format replaces an earlier export in out whole (davis_stage, export_results); mots/palette had needed
    # it new or empty, and told to use --force, which `run` does not take (a walk re-ran into its folder)
    check_target(out, force=True, protect=[project_folder])
    if Path(out).exists() and not Path(out).is_dir():
        raise HumansegError(f"{out}: exists and is not a folder; choose another export folder")
    other = other_projects_export(Path(out), Path(project_folder))
    if other:  # a run replaces its folder whole, not another project's masks (a walk's run replaced one, and the
        # command it gave to get them back failed)
        raise HumansegError(f"{out}: holds an export of another project ({other}); a run replaces its folder "
                            "whole, so it does not replace another project's masks: choose another folder, or "
                            "move that export away first (nothing was changed)")


def check_count(out: Path | None, fmt: str, persons: int) -> None:
    """Fail before any work when the export format cannot hold ``persons`` (palette: 255, MOTS: 999; a review's
    `run --format mots` on a 300-person scene trained and segmented everyone, then was refused at the export)."""
    if out is None:
        return
    from ..export import mots, palette

    ids = {"palette": palette.instance_ids, "mots": mots.instance_ids}.get(fmt)
    if ids is not None:
        ids(range(persons))


def other_projects_export(out: Path, project_folder: Path) -> str:
    """The project folder ``out``'s export.json names, where that export is another project's ("" when it is this
    one's, names none or cannot be read): this project's folder, or a copy of the project or the project moved
    (the time it was made, recorded by newer exports)."""
    import json
    import os

    from ..project.identity import identity_of

    try:
        doc = json.loads((out / "export.json").read_text(encoding="utf-8"))
        named, made = doc.get("project"), doc.get("project_created")
    except (OSError, ValueError, AttributeError):
        return ""
    if not isinstance(named, str) or not named:
        return ""
    if os.path.normcase(os.path.realpath(named)) == os.path.normcase(os.path.realpath(project_folder)):
        return ""  # this folder's project, or one made again there (a review: a project started over was refused)
    return "" if isinstance(made, str) and made and made == identity_of(project_folder) else named


# a run stores its results chunk by chunk before the export folder takes its place (a walk's full disk read "the
# project [is] untouched" beside two new partial runs)
RUN_KEPT = ("The previous export, if any, is untouched; the project keeps the results stored so far, a run that "
            "stopped part-way: `humanseg run --keep-trained` segments its persons again, keeping the others.")


@contextmanager
def davis_stage(out: Path | None, fmt: str, project_folder) -> Iterator[Path | None]:
    """The folder a ``davis`` export is written into frame by frame (None without ``out`` or for another
    format): beside ``out``, it replaces ``out`` whole when the block ends without an error, and is deleted
    on any error, cancel or interrupt (``out`` is then left as it was)."""
    if out is None or fmt != "davis":
        yield None
        return
    from ..export.atomic import atomic_folder

    with atomic_folder(out, force=True, protect=[project_folder], after=RUN_KEPT) as tmp:
        yield tmp


def export_results(project, pids, fmt: str, out: Path, depth: DepthFn, cancel: CancelToken | None = None,
                   first_frame: int | None = None, labels: bool = True, made: dict | None = None) -> Job[dict]:
    """``mots``/``palette`` export of the run's stored (already non-overlapping) results; MOTS gets the
    run's depth keys (the same order that resolved the overlaps) and its ``first_frame`` numbering.
    ``labels``: the analyst's masks on their frames instead, on the frames with results (``export.RUN_SOURCE``,
    ADR 0027). ``made``: how the run made its masks, in ``export.json`` (as a davis output's)."""
    from ..export import RUN_SOURCE, export_job

    if Path(out).exists() and not any(Path(out).iterdir()):
        Path(out).rmdir()

    def keys(frame: int) -> dict:
        return {pid: d for pid in pids if (d := depth(pid, frame)) is not None}

    job = export_job(project, pids, fmt, out, force=True, source=RUN_SOURCE if labels else "results", cancel=cancel,
                     depth=keys, first_frame=first_frame, extra={"made": made} if made is not None else None)
    while True:  # its reports carry the run's stage, as every other step's do
        try:
            p = next(job)
        except StopIteration as stop:
            return cast(dict, stop.value)
        yield replace(p, data={**p.data, "stage": "export"})


def with_kept_depth(depth: DepthFn, project, scene, kept: Mapping[int, int]) -> DepthFn:
    """``depth`` of the run's persons, and of the ``kept`` persons ({pid: run}) from their stored networks' crop
    geometry, for the mots/palette export that writes both (a walk's ``run --keep-trained --format mots``
    failed with KeyError on the first kept person). A kept person whose network cannot be read counts as
    the farthest."""
    if not kept:
        return depth
    from .export_depth import network_feet, network_geometry
    from .propose import project_anchor

    feet = network_feet(scene, network_geometry(project, kept), project_anchor(project))

    def keyed(pid: int, frame: int) -> float | None:
        return depth(pid, frame) if pid not in kept else feet(pid, frame)

    return keyed
