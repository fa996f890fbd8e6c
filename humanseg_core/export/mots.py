"""MOTS txt export (MOTSChallenge / KITTI-MOTS): one line per visible person and frame,

``time_frame id class_id img_height img_width rle`` with ``id = 2000 + instance`` (class 2, pedestrian),
instance 1..n in increasing pid order, and the COCO compressed RLE string from pycocotools. MOTS needs
masks that do not overlap: where two persons overlap the later (larger pid) wins, as in the palette
export. ``instances.txt`` holds the lines, ``pids.json`` maps MOTS ids to pids.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..jobs import CancelToken, EtaClock, Job, Progress
from .. import rle
from . import atomic
from .palette import index_maps, instance_ids

PEDESTRIAN = 2
ID_BASE = 2000


def write_mots(out: Path, masks_by_pid: dict, cancel: CancelToken | None = None) -> Job[dict]:
    ids = instance_ids(masks_by_pid)
    total = len({f for masks in masks_by_pid.values() for f in masks})
    clock = EtaClock()
    lines = []
    done = overlap = 0
    for frame, index, extra in index_maps(masks_by_pid, cancel):
        overlap += extra
        h, w = index.shape
        for pid, instance in ids.items():
            mask = index == instance
            if not np.any(mask):
                continue
            counts = rle.encode(mask)["counts"].decode("ascii")
            lines.append(f"{int(frame)} {ID_BASE + instance} {PEDESTRIAN} {h} {w} {counts}")
        done += 1
        yield Progress(done, total, f"frame {frame}", eta_s=clock.eta(done, total))
    atomic.write_text(Path(out) / "instances.txt", "".join(line + "\n" for line in lines))
    mapping = {str(ID_BASE + i): pid for pid, i in ids.items()}
    atomic.write_text(Path(out) / "pids.json", json.dumps(mapping, indent=1) + "\n")
    return {"frames": done, "lines": len(lines), "overlap_pixels": overlap}
