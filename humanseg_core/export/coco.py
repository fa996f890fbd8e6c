"""COCO instance-segmentation JSON: ``annotations.json`` with RLE masks (pycocotools), one category
``person``; each annotation carries the person's ``track_id`` (= pid) and ``attributes.pid``.
Images are named ``%05d.jpg`` by frame index; ``with_images`` also writes them to ``images/``. With images,
a frame whose source image cannot be read is left out (its image entry and its annotations: an annotation
without its image is of no use) and named in ``skipped_frames`` (see :mod:`.skipped`); the rest is written.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import rle
from ..errors import FrameError
from ..jobs import CancelToken, EtaClock, Job, Progress
from . import atomic
from .skipped import read_problem

CATEGORY = {"id": 1, "name": "person", "supercategory": "person"}


def write_coco(out: Path, masks_by_pid: dict, video: str = "", frames: Any = None,
               cancel: CancelToken | None = None) -> Job[dict]:
    """Write ``out/annotations.json`` (and ``out/images/%05d.jpg`` when ``frames`` is given)."""
    all_frames = sorted({f for masks in masks_by_pid.values() for f in masks})
    clock = EtaClock()
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for k, frame in enumerate(all_frames):
        if cancel is not None:
            cancel.raise_if_cancelled()
        name = f"{int(frame):05d}.jpg"
        if frames is not None:
            try:
                image = frames.read(frame)
            except FrameError as exc:  # a truncated or missing source frame: left out, never silently
                entry = read_problem(exc, frames, int(frame))
                entry["persons"] = sorted(int(p) for p in masks_by_pid if frame in masks_by_pid[p])
                skipped.append(entry)
                yield Progress(k + 1, len(all_frames), f"frame {frame}: cannot be read, left out",
                               eta_s=clock.eta(k + 1, len(all_frames)))
                continue
            atomic.write_jpg(Path(out) / "images" / name, image)
        image_id = len(images) + 1
        size: list[int] | None = None
        for pid in sorted(masks_by_pid):
            mask = masks_by_pid[pid].get(frame)
            if mask is None:
                continue
            encoded = rle.encode(mask)
            size = [int(s) for s in encoded["size"]]
            annotations.append({
                "id": len(annotations) + 1,
                "image_id": image_id,
                "category_id": CATEGORY["id"],
                "segmentation": {"size": size, "counts": encoded["counts"].decode("ascii")},
                "area": rle.area(encoded),
                "bbox": rle.bbox(encoded),
                "iscrowd": 0,
                "track_id": int(pid),
                "attributes": {"pid": int(pid), "track_id": int(pid)},
            })
        assert size is not None  # every frame listed has a mask
        images.append({"id": image_id, "file_name": name, "height": size[0], "width": size[1],
                       "frame_index": int(frame)})
        yield Progress(k + 1, len(all_frames), f"frame {frame}", eta_s=clock.eta(k + 1, len(all_frames)))
    doc = {
        "info": {"description": "HumanSeg Studio export", "video": str(video),
                 "date_created": datetime.now(timezone.utc).isoformat(timespec="seconds")},
        "images": images,
        "annotations": annotations,
        "categories": [CATEGORY],
    }
    atomic.write_text(Path(out) / "annotations.json", json.dumps(doc) + "\n")
    return {"frames": len(images), "annotations": len(annotations), "skipped_frames": skipped}
