"""Indexed-PNG export: all chosen persons in one palette PNG per frame (DAVIS-2017 style).

Index 0 is background; person ``i`` (1..n) is the i-th chosen pid in increasing order, the same on every
frame; ``pids.json`` maps indices to pids (``{"0": "background", "1": "54", ...}``, as the shared scenes'
``gt_index``). ``export_job`` resolves overlaps before any format is written (nearer wins, ``mots.one_owner``);
called on overlapping masks directly, the later (larger pid) wins and the summary counts them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..jobs import CancelToken, EtaClock, Job, Progress
from . import atomic
from .atomic import ExportError

MAX_PERSONS = 255


def davis_palette() -> list[int]:
    """The 256-colour palette of DAVIS 2017 / PASCAL VOC annotations, as 768 ints (R, G, B, ...)."""
    palette = []
    for i in range(256):
        r = g = b = 0
        c = i
        for bit in range(8):
            r |= ((c >> 0) & 1) << (7 - bit)
            g |= ((c >> 1) & 1) << (7 - bit)
            b |= ((c >> 2) & 1) << (7 - bit)
            c >>= 3
        palette += [r, g, b]
    return palette


def instance_ids(pids) -> dict[int, int]:
    """{pid: index 1..n} in increasing pid order."""
    pids = sorted(int(p) for p in pids)
    if len(pids) > MAX_PERSONS:
        raise ExportError(f"a palette export holds at most {MAX_PERSONS} persons (8-bit indices), {len(pids)} were "
                          "chosen: export fewer persons at a time, or use --format davis or mots")
    return {pid: k + 1 for k, pid in enumerate(pids)}


def index_maps(masks_by_pid: dict, cancel: CancelToken | None = None):
    """Yield ``(frame, index_map uint8 (H, W), overlap_pixels)`` for every frame any person has a mask on."""
    ids = instance_ids(masks_by_pid)
    frames = sorted({f for masks in masks_by_pid.values() for f in masks})
    for frame in frames:
        if cancel is not None:
            cancel.raise_if_cancelled()
        index = None
        overlap = 0
        for pid in sorted(masks_by_pid):
            mask = masks_by_pid[pid].get(frame)
            if mask is None:
                continue
            mask = np.asarray(mask, dtype=bool)
            if index is None:
                index = np.zeros(mask.shape, np.uint8)
            elif index.shape != mask.shape:
                raise ExportError(f"frame {frame}: masks of different sizes {index.shape} and {mask.shape}")
            overlap += int(np.count_nonzero(mask & (index > 0)))
            index[mask] = ids[pid]
        yield frame, index, overlap


def pids_json(masks_by_pid: dict) -> str:
    ids = instance_ids(masks_by_pid)
    return json.dumps({"0": "background", **{str(i): str(pid) for pid, i in ids.items()}}, indent=1) + "\n"


def write_palette(out: Path, masks_by_pid: dict, cancel: CancelToken | None = None) -> Job[dict]:
    """``out/%05d.png`` (indexed) per frame and ``out/pids.json``."""
    palette = davis_palette()
    total = len({f for masks in masks_by_pid.values() for f in masks})
    clock = EtaClock()
    overlap = 0
    done = 0
    for frame, index, extra in index_maps(masks_by_pid, cancel):
        atomic.write_palette_png(Path(out) / f"{int(frame):05d}.png", index, palette)
        overlap += extra
        done += 1
        yield Progress(done, total, f"frame {frame}", eta_s=clock.eta(done, total))
    atomic.write_text(Path(out) / "pids.json", pids_json(masks_by_pid))
    return {"frames": done, "overlap_pixels": overlap}
