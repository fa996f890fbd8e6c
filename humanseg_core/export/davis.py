"""DAVIS-style export: per person, ``JPEGImages/<H>p/<seq>/%05d.jpg`` and ``Annotations/<H>p/<seq>/%05d.png``.

Masks are single-channel PNGs with values 0 and 255, named by video frame index. Frames keep their native
size, and the resolution folder is named after it as DAVIS does (``480p`` for 854x480, ``576p`` for 720x576).

Each video frame is written once per export: a JPEG source file is copied byte for byte (no second JPEG
generation), other sources are encoded at quality 95; the sequences of the other persons seen on that
frame get a hard link to that file (a copy where the file system has no hard links), so a whole scene of
40 persons costs the disk one copy of the video, not 40.

A frame whose source image cannot be read (truncated, missing) is left out, image and mask, for every person;
the rest is written, and the summary's ``skipped_frames`` (and ``skipped_frames.json`` in the export) names
each such frame, its file and the problem (see :mod:`.skipped`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from ..errors import FrameError
from ..jobs import CancelToken, EtaClock, Job, Progress
from . import atomic
from .atomic import ExportError, inside
from .skipped import read_problem


def mask_png(mask: np.ndarray) -> np.ndarray:
    """A bool mask -> uint8 0/255 single-channel image."""
    return np.where(np.asarray(mask, dtype=bool), 255, 0).astype(np.uint8)


def write_mask_pngs(folder: Path, masks: dict, cancel: CancelToken | None = None) -> Job[int]:
    """``folder/%05d.png`` (0/255, named by frame index) for each {frame: mask}. Returns the count."""
    clock = EtaClock()
    frames = sorted(masks)
    for k, frame in enumerate(frames):
        if cancel is not None:
            cancel.raise_if_cancelled()
        atomic.write_png(Path(folder) / f"{int(frame):05d}.png", mask_png(masks[frame]))
        yield Progress(k + 1, len(frames), f"mask {frame}", eta_s=clock.eta(k + 1, len(frames)))
    return len(frames)


def resolution_folder(masks_by_pid: dict, frames) -> str:
    """DAVIS's resolution folder for these frames: ``<height>p`` (480p, 576p, 1080p...)."""
    height = getattr(frames, "height", None)
    if not height:
        height = next((np.asarray(m).shape[0] for ms in masks_by_pid.values() for m in ms.values()), 480)
    return f"{int(height)}p"


def write_davis(out: Path, masks_by_pid: dict, names: dict, frames,
                cancel: CancelToken | None = None) -> Job[dict]:
    """Write one DAVIS sequence per person. ``frames.read(index)`` gives the BGR frame.

    ``masks_by_pid`` is {pid: {frame: mask}}, ``names`` {pid: sanitised sequence name}.
    """
    total = sum(len(m) for m in masks_by_pid.values())
    clock = EtaClock()
    done = step = 0
    sequences = {}
    res = resolution_folder(masks_by_pid, frames)
    written: dict[int, tuple[Path, tuple[int, int]]] = {}  # frame -> (its first file here, (height, width))
    unreadable: dict[int, dict] = {}  # frame -> its skipped-frame entry: left out, said in the summary
    for pid in sorted(masks_by_pid):
        seq = names[pid]
        images = inside(out, "JPEGImages", res, seq)
        annotations = inside(out, "Annotations", res, seq)
        images.mkdir(parents=True, exist_ok=True)
        annotations.mkdir(parents=True, exist_ok=True)
        for frame in sorted(masks_by_pid[pid]):
            if cancel is not None:
                cancel.raise_if_cancelled()
            step += 1
            mask = np.asarray(masks_by_pid[pid][frame])
            target = images / f"{int(frame):05d}.jpg"
            if frame not in written and frame not in unreadable:
                try:
                    written[frame] = (target, _write_frame(frames, int(frame), target))
                except FrameError as exc:  # a truncated or missing source frame: left out, never silently
                    unreadable[frame] = read_problem(exc, frames, int(frame))
            if frame in unreadable:
                unreadable[frame]["persons"].append(int(pid))
                yield Progress(step, total, f"person {pid} frame {frame}: cannot be read, left out",
                               eta_s=clock.eta(step, total))
                continue
            if target != written[frame][0]:
                _link_or_copy(written[frame][0], target)
            size = written[frame][1]
            if size != mask.shape[:2]:
                raise ExportError(f"frame {frame}: the mask of person {pid} is {mask.shape[1]}x{mask.shape[0]} but "
                                  f"the video frame is {size[1]}x{size[0]}; the project's video changed?")
            atomic.write_png(annotations / f"{int(frame):05d}.png", mask_png(mask))
            done += 1
            yield Progress(step, total, f"person {pid} frame {frame}", eta_s=clock.eta(step, total))
        sequences[str(pid)] = seq
    skipped = [unreadable[f] for f in sorted(unreadable)]
    atomic.write_text(out / "sequences.json", _json(sequences))
    return {"sequences": sequences, "masks": done, "skipped_frames": skipped}


def _write_frame(frames, frame: int, target: Path) -> tuple[int, int]:
    """Frame ``frame`` as the JPEG ``target``; returns its (height, width). The frame is always decoded (a
    damaged file fails here, naming it); a JPEG source file is then copied as it is, unless an EXIF tag
    rotates it: the project decodes the stored pixels (OpenCV ignores the tag), so the masks follow them, and
    a copy would carry the tag, which EXIF-aware viewers apply to the frame but not to the mask PNGs. Such a
    frame is encoded again, without the tag."""
    image = frames.read(frame)
    source = Path(frames.file_of(frame)) if hasattr(frames, "file_of") else None
    if source is not None and source.suffix.lower() in (".jpg", ".jpeg") and _upright(source):
        try:
            data = source.read_bytes()
        except OSError as exc:  # gone or unreadable since it was decoded: a read problem, not a write one
            raise FrameError(source, f"cannot read the file ({exc})", frame) from exc
        atomic.write_bytes(target, data)
    else:
        atomic.write_jpg(target, image)
    return int(image.shape[0]), int(image.shape[1])


def _upright(jpeg: Path) -> bool:
    """Whether the JPEG's pixels are shown as stored (no EXIF orientation other than 1; header read only)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(jpeg) as im:
            return int(im.getexif().get(0x0112, 1) or 1) == 1
    except (OSError, UnidentifiedImageError, ValueError):
        return False


def _link_or_copy(first: Path, target: Path) -> None:
    """``target`` as a hard link to ``first`` (same export folder), or a copy where links are refused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(first, target)
    except OSError:
        shutil.copyfile(first, target)


def _json(doc) -> str:
    import json

    return json.dumps(doc, indent=1) + "\n"
