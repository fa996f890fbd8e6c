"""MOTS txt export (MOTSChallenge / KITTI-MOTS): one line per visible person and frame,

``time_frame id class_id img_height img_width rle`` with ``id = 2000 + instance`` (class 2, pedestrian),
instance the person id where it is 1..999 (the others: the lowest instances left, in pid order), and the COCO
compressed RLE string from pycocotools. MOTS needs
masks that do not overlap: where two persons overlap the nearer one wins (``overlap.resolve_overlaps``):
by default the person whose mask reaches lower in the image (the feet row), or by the depth keys the
caller gives (the whole-scene run: feet rows from the track points); ``depth=None`` keeps the palette
export's rule (the larger pid wins).  ``instances.txt`` holds the lines, ``pids.json`` maps MOTS ids to pids.

``time_frame`` is the video frame index by default; ``first_frame`` numbers the video's frames from it instead,
its first frame (``origin``) being ``first_frame`` (0: KITTI MOTS, 1: MOTSChallenge, whose sequences count their
images from there; every export of a video numbers a frame alike), and the summary's ``time_frame_shift``
(in ``export.json``) says what was added, so a reader (:func:`humanseg_core.scene_metrics.mots_sets`) gets the
video frames back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import cast

import numpy as np

from .. import rle
from ..jobs import CancelToken, EtaClock, Job, Progress
from ..overlap import resolve_overlaps
from . import atomic
from .atomic import ExportError
from .blob_masks import BlobMasks

PEDESTRIAN = 2
ID_BASE = 2000
# a MOTS id is class * 1000 + instance (readers take the class as id // 1000): instances 1..999
MAX_INSTANCES = 999


def instance_ids(pids: Iterable[int]) -> dict[int, int]:
    """{pid: instance}: the person id itself where it is 1..999, so that a person keeps its MOTS id from one export
    to the next whatever else is exported (a review: person 7 was 2002 in one export, 2001 in another); the others
    (0, 1000 and up), in increasing pid order, the lowest instances left (``pids.json`` names them; the palette
    export's 255 does not bind here: a MOTS id needs no 8-bit index; a review found a 300-person scene refused)."""
    pids = sorted(int(p) for p in pids)
    if len(pids) > MAX_INSTANCES:
        raise ExportError(f"a MOTS export holds at most {MAX_INSTANCES} persons (ids {ID_BASE + 1}-{ID_BASE + 999}: "
                          f"readers take the class from id // 1000), {len(pids)} were chosen: export fewer persons "
                          "at a time, or use --format davis")
    out = {pid: pid for pid in pids if 1 <= pid <= MAX_INSTANCES}
    free = (k for k in range(1, MAX_INSTANCES + 1) if k not in out)  # the others (0, 1000 and up): the lowest
    out.update({pid: next(free) for pid in pids if pid not in out})  # instances no exported person has
    return out


DepthFn = Callable[[int], Mapping[int, float]]  # frame -> {pid: depth key, larger = nearer}


def feet_rows(masks: Mapping[int, np.ndarray]) -> dict[int, float]:
    """{pid: lowest image row of the mask} (the feet row: larger = nearer the camera)."""
    out = {}
    for pid, m in masks.items():
        rows = np.flatnonzero(np.asarray(m, bool).any(axis=1))
        if len(rows):
            out[pid] = float(rows[-1])
    return out


class FrameBlobs(Mapping[int, np.ndarray]):
    """{pid: mask} of one frame: the masks ``decoded`` (those resolved where persons overlap), the others read from
    their compressed masks when asked; :meth:`coco_rle` gives either as COCO RLE, the compressed ones not decoded
    (what MOTS writes)."""

    def __init__(self, held: Mapping[int, BlobMasks], frame: int, decoded: Mapping[int, np.ndarray]) -> None:
        self._held, self._frame, self._decoded = held, frame, decoded

    def __getitem__(self, pid: int) -> np.ndarray:
        return self._decoded[pid] if pid in self._decoded else self._held[pid][self._frame]

    def __contains__(self, pid: object) -> bool:  # (Mapping's would decode the mask)
        return pid in self._held

    def __iter__(self) -> Iterator[int]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def resolved(self) -> Mapping[int, np.ndarray]:
        """The masks decoded and resolved (those whose boxes meet another's)."""
        return self._decoded

    def coco_rle(self, pid: int) -> dict | None:
        """The mask as COCO RLE, None when it has no pixel."""
        if pid in self._decoded:
            return rle.encode(self._decoded[pid]) if np.any(self._decoded[pid]) else None
        blobs = self._held[pid]
        return blobs.coco_rle(self._frame) if blobs.extent(self._frame)[0] else None


def meeting(held: Mapping, frame: int) -> set[int] | None:
    """The persons of ``frame`` whose mask's box meets another's, read from their compressed masks
    (:class:`BlobMasks`) without decoding them: only these can share a pixel. None for masks held decoded or of
    different sizes (decode them all)."""
    if not all(isinstance(m, BlobMasks) for m in held.values()) or len({m.size(frame) for m in held.values()}) > 1:
        return None
    boxes = {pid: box for pid, m in held.items() if (box := m.extent(frame)[1]) is not None}
    if len(boxes) < 2:
        return set()
    b = np.array(list(boxes.values()))  # (n, 4) inclusive x0 y0 x1 y1; all pairs at once (87 persons a frame)
    meet = ((b[:, None, 0] <= b[None, :, 2]) & (b[None, :, 0] <= b[:, None, 2])
            & (b[:, None, 1] <= b[None, :, 3]) & (b[None, :, 1] <= b[:, None, 3]))
    np.fill_diagonal(meet, False)
    pids = list(boxes)
    return {pids[i] for i in np.flatnonzero(meet.any(axis=1))}


LABEL_FIRST = 1e9  # added to the depth key of an analyst's mask: it keeps its pixels against networks' results


def _resolved(masks_by_pid: dict, depth: DepthFn | str | None, cancel: CancelToken | None,
              labelled: Mapping[int, set[int]] | None = None) -> Iterator[tuple[int, Mapping, int]]:
    """(frame, {pid: mask}, overlapping pixels) with at most one person per pixel; ``labelled`` ({pid: frames}):
    the masks the analyst accepted or drew, which win over the others (then nearer wins among each kind)."""
    for frame in sorted({f for masks in masks_by_pid.values() for f in masks}):
        if cancel is not None:
            cancel.raise_if_cancelled()
        held = {pid: m for pid, m in sorted(masks_by_pid.items()) if frame in m}
        if (meet := meeting(held, frame)) is not None:  # compressed masks: only those that may overlap decoded
            masks: dict[int, np.ndarray] = {pid: np.asarray(held[pid][frame], bool) for pid in sorted(meet)}
        else:
            masks = {pid: np.asarray(m[frame], bool) for pid, m in held.items()}
        keys = ({p: float(p) for p in masks} if depth is None  # the palette export's rule: the larger pid wins
                else dict(feet_rows(masks) if depth == "feet" else cast(DepthFn, depth)(frame)))
        if labelled:  # a walk's hand-painted person lost 152 of 514 pixels to a neighbour's unreviewed result
            keys = {p: (k + LABEL_FIRST if frame in labelled.get(p, ()) else k) for p, k in keys.items()
                    if k is not None}
        resolved, extra = (resolve_overlaps(cast(Mapping[Hashable, np.ndarray], masks),
                                            cast(Mapping[Hashable, float | None], keys)) if masks else ({}, 0))
        yield frame, (resolved if meet is None else FrameBlobs(held, frame, resolved)), extra


def one_owner(masks_by_pid: dict, depth: DepthFn | str | None = "feet",
              cancel: CancelToken | None = None,
              labelled: Mapping[int, set[int]] | None = None) -> Job[tuple[dict, int]]:
    """Job: ({pid: {frame: mask}} with at most one person per pixel, pixels taken from the farther persons): what
    every export writes, so that each format gives an overlapping pixel to the same person (a walk scored a
    DAVIS export with 538 pixels on two persons against a MOTS export of the same results). ``labelled``
    ({pid: frames}): the analyst's masks among them, which keep their pixels against the others. Reports its
    frames (a re-walk's export said nothing for the 17-30 s of this pass over 1000 frames of 87 persons)."""
    if len(masks_by_pid) < 2:
        return masks_by_pid, 0
    out: dict = {pid: masks.copy() for pid, masks in masks_by_pid.items()}  # compressed ones stay so (BlobMasks)
    total = 0
    n = len({f for masks in masks_by_pid.values() for f in masks})
    clock = EtaClock()
    for k, (frame, masks, extra) in enumerate(_resolved(masks_by_pid, depth, cancel, labelled), 1):
        if extra:
            total += extra
            changed = masks.resolved() if isinstance(masks, FrameBlobs) else masks  # (not the others: a review)
            for pid, mask in changed.items():
                out[pid][frame] = mask
        if k % 20 == 0 or k == n:
            yield Progress(k, n, f"one owner per pixel where persons overlap: frame {frame}", eta_s=clock.eta(k, n))
    return out, total


def _as_stored(masks_by_pid: dict, cancel: CancelToken | None) -> Iterator[tuple[int, Mapping, int]]:
    for frame in sorted({f for masks in masks_by_pid.values() for f in masks}):
        if cancel is not None:
            cancel.raise_if_cancelled()
        yield frame, FrameBlobs({pid: m for pid, m in sorted(masks_by_pid.items()) if frame in m}, frame, {}), 0


def write_mots(out: Path, masks_by_pid: dict, cancel: CancelToken | None = None,
               depth: DepthFn | str | None = "feet", first_frame: int | None = None,
               origin: int | None = None, owned: bool = False) -> Job[dict]:
    """``owned``: the masks have one owner per pixel already (:func:`one_owner`), not resolved again; compressed
    ones (:class:`BlobMasks`) are then written as stored, none decoded."""
    ids = instance_ids(masks_by_pid)
    frames = {f for masks in masks_by_pid.values() for f in masks}
    total = len(frames)
    if first_frame is not None and origin is None:
        raise ValueError("first_frame needs the video's first frame index (origin)")
    shift = 0 if first_frame is None else int(first_frame) - int(cast(int, origin))
    clock = EtaClock()
    lines = []
    done = overlap = 0
    stored = owned and all(isinstance(m, BlobMasks) for m in masks_by_pid.values())
    for frame, masks, extra in (_as_stored(masks_by_pid, cancel) if stored else _resolved(masks_by_pid, depth, cancel)):
        overlap += extra
        for pid, instance in ids.items():
            if pid not in masks:
                continue
            if isinstance(masks, FrameBlobs):  # those no other person's box meets: not decoded
                if (coded := masks.coco_rle(pid)) is None:
                    continue
            else:
                mask = masks[pid]
                if not np.any(mask):
                    continue
                coded = rle.encode(mask)
            h, w = (int(v) for v in coded["size"])
            counts = coded["counts"].decode("ascii")
            lines.append(f"{int(frame) + shift} {ID_BASE + instance} {PEDESTRIAN} {h} {w} {counts}")
        done += 1
        yield Progress(done, total, f"frame {frame}", eta_s=clock.eta(done, total))
    atomic.write_text(Path(out) / "instances.txt", "".join(line + "\n" for line in lines))
    mapping = {str(ID_BASE + i): pid for pid, i in ids.items()}
    atomic.write_text(Path(out) / "pids.json", json.dumps(mapping, indent=1) + "\n")
    return {"frames": done, "lines": len(lines), "overlap_pixels": overlap, "time_frame_shift": shift}
