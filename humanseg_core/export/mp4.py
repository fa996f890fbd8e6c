"""Render a person's masks over the video and write them as an H.264 MP4 file (PyAV; OpenCV ``mp4v`` fallback).

No Qt here: the studio runs :func:`export_overlay_video` in its worker, the CLI drains it with
``run_job``. Frames without a mask are written plain (the video keeps its timing); side-by-side mode
writes ``frame | frame + mask`` so the raw pixels stay visible next to the result. A frame whose image
cannot be read is written as a dark frame saying so (the timing is kept) and named in
``WrittenVideo.skipped`` and a ``mp4.unreadable_frames`` warning: one damaged JPEG no longer fails the
whole video. Frames are encoded as they are rendered (:mod:`.video_writer`): the video is never held in
memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FrameError, InputError
from ..jobs import CancelToken, EtaClock, Job, JobWarning, Progress
from ..metrics import mask_outline
from .video_writer import H264, VideoWriter, open_video_writer

#: the default overlay colour, BGR (amber reads well on asphalt, grass and clothes)
DEFAULT_BGR = (0, 190, 255)
#: JobWarning kind when the video could not be written as H.264 (the OpenCV mp4v fallback was used)
CODEC_FALLBACK = "mp4.codec_fallback"
#: JobWarning kind when frames could not be read (each written as a dark frame saying so)
UNREADABLE_FRAMES = "mp4.unreadable_frames"


@dataclass(frozen=True)
class WrittenVideo:
    """What :func:`export_overlay_video` wrote: the file, its codec, its frame count and size, the
    fallback note (None when the video is H.264 as intended) and the frames whose image could not be read
    ({frame: problem}; each is a dark frame in the video)."""

    path: Path
    codec: str
    frames: int
    size: tuple[int, int]
    note: str | None = None
    skipped: dict[int, str] = field(default_factory=dict)


def unreadable_image(shape: tuple[int, ...], frame: int) -> np.ndarray:
    """A dark BGR image of ``shape`` that says frame ``frame`` could not be read (it keeps the video's timing)."""
    import cv2

    out = np.full((int(shape[0]), int(shape[1]), 3), 32, np.uint8)
    scale = max(0.3, min(1.5, shape[1] / 900))
    cv2.putText(out, f"frame {frame} cannot be read", (max(2, int(shape[1] * 0.05)), int(shape[0] / 2)),
                cv2.FONT_HERSHEY_SIMPLEX, scale, (200, 200, 200), max(1, int(round(scale * 2))), cv2.LINE_AA)
    return out


def render_overlay(
    frame: np.ndarray,
    mask: np.ndarray | None,
    color: tuple[int, int, int] = DEFAULT_BGR,
    opacity: float = 0.45,
    outline: bool = True,
    outline_width: int = 2,
) -> np.ndarray:
    """A copy of the BGR ``frame`` with ``mask`` blended in ``color`` (BGR) and, optionally, outlined."""
    out = np.array(frame, dtype=np.uint8, copy=True)
    if mask is None:
        return out
    mask = np.asarray(mask).astype(bool)
    if mask.shape != out.shape[:2]:
        raise ValueError(f"mask shape {mask.shape} does not match frame shape {out.shape[:2]}")
    opacity = float(min(1.0, max(0.0, opacity)))
    col = np.asarray(color, np.float32)
    if opacity > 0 and mask.any():
        blended = out[mask].astype(np.float32) * (1.0 - opacity) + col * opacity
        out[mask] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    if outline:
        out[mask_outline(mask, outline_width)] = np.asarray(color, np.uint8)
    return out


@dataclass(frozen=True)
class Layer:
    """One person's mask on a frame of a video of every person: drawn in ``color`` (BGR), ``label`` (its id)
    written above it."""

    mask: np.ndarray
    color: tuple[int, int, int]
    label: str = ""


class SceneLayers(Mapping[int, list[Layer]]):
    """``{frame: [Layer, ...]}`` of several persons' masks, kept as RLE blobs and decoded when a frame is
    drawn (in the export's worker): ``blobs`` {pid: {frame: blob}}, ``colors`` {pid: BGR}.  A damaged blob
    leaves that person out of its frame."""

    def __init__(self, blobs: Mapping[int, Mapping[int, bytes]], colors: Mapping[int, tuple[int, int, int]]):
        self._blobs = {int(p): dict(b) for p, b in blobs.items() if b}
        self._colors = dict(colors)
        self._frames = sorted({f for b in self._blobs.values() for f in b})
        self.pids = sorted(self._blobs)

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[int]:
        return iter(self._frames)

    def __contains__(self, frame: object) -> bool:
        return any(frame in b for b in self._blobs.values())

    def __getitem__(self, frame: int) -> list[Layer]:
        from .. import rle

        layers = []
        for pid in self.pids:
            blob = self._blobs[pid].get(int(frame))
            if blob is None:
                continue
            try:
                mask = rle.from_blob(blob).astype(bool)
            except ValueError:
                continue
            layers.append(Layer(mask, self._colors.get(pid, DEFAULT_BGR), str(pid)))
        if not layers and not any(int(frame) in b for b in self._blobs.values()):
            raise KeyError(frame)
        return layers


def render_layers(frame: np.ndarray, layers: Iterable[Layer], opacity: float = 0.45, outline: bool = True,
                  outline_width: int = 2) -> np.ndarray:
    """``frame`` with every layer's mask blended and outlined in its colour, and its label above the mask."""
    import cv2

    out = np.array(frame, dtype=np.uint8, copy=True)
    drawn = list(layers)
    for layer in drawn:
        out = render_overlay(out, layer.mask, layer.color, opacity, outline, outline_width)
    scale = max(0.35, min(0.8, out.shape[0] / 900))
    placed: list[tuple[int, int, int, int]] = []  # (x0, y0, x1, y1) of the labels written so far
    for layer in drawn:
        if not layer.label:
            continue
        rows = np.flatnonzero(layer.mask.any(axis=1))
        if not len(rows):
            continue
        x = int(np.flatnonzero(layer.mask[rows[0]]).mean())  # above the top of the mask, centred on it
        (tw, th), _ = cv2.getTextSize(layer.label, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        w, h = tw + 4, th + 4  # a filled box in the person's colour, as the studio draws its labels (thin
        org = _free_spot(placed, x, int(rows[0]), int(rows[-1]), w, h, out.shape)  # coloured digits vanished on
        placed.append((org[0], org[1] - h, org[0] + w, org[1]))  # a dark floor and ran together, a walk)
        color = tuple(int(c) for c in layer.color)
        cv2.rectangle(out, (org[0], org[1] - h), (org[0] + w - 1, org[1]), color, -1)
        ink = (0, 0, 0) if 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2] > 140 else (255, 255, 255)
        cv2.putText(out, layer.label, (org[0] + 2, org[1] - 2), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, 1,
                    cv2.LINE_AA)
    return out


def _free_spot(placed: list[tuple[int, int, int, int]], x: int, top: int, bottom: int, w: int, h: int,
               shape: tuple[int, ...]) -> tuple[int, int]:
    """Where a label of ``w`` x ``h`` goes: above the mask, else beside that spot (left, right), else on the mask's
    top, else stacked higher, else below it, the first spot clear of the labels ``placed`` (a crowd's ids piled up,
    a walk: "2 267"; stacked first, a later walk's id stood 120 px above its person); the first when none is."""
    rows, cols = int(shape[0]), int(shape[1])

    def at(cx: int) -> int:
        return min(max(0, cx), max(0, cols - w))

    left = at(x - w // 2)
    spots = [(left, top - 3), (at(x - w - 2), top - 3), (at(x + 2), top - 3), (left, top + h + 3)]
    spots += [(left, top - 3 - k * (h + 3)) for k in (1, 2)] + [(left, bottom + h + 3)]
    spots = [(sx, min(max(h + 1, sy), rows - 1)) for sx, sy in spots]
    for sx, sy in spots:
        if all(sx + w < a or sx > c or sy < b or sy - h > d for a, b, c, d in placed):
            return sx, sy
    return spots[0]


def side_by_side(left: np.ndarray, right: np.ndarray, gap: int = 4) -> np.ndarray:
    """``left | right`` with a dark gap between them (both BGR, same height)."""
    if left.shape[0] != right.shape[0]:
        raise ValueError("side_by_side needs images of the same height")
    sep = np.full((left.shape[0], gap, 3), 24, np.uint8)
    return np.concatenate([left, sep, right], axis=1)


def export_overlay_video(
    frames_reader: Any,
    masks: Mapping[int, np.ndarray] | Mapping[int, list[Layer]] | Callable[[int], np.ndarray | None],
    out_path: str | Path,
    frames: Iterable[int] | None = None,
    fps: float | None = None,
    color: tuple[int, int, int] = DEFAULT_BGR,
    opacity: float = 0.45,
    outline: bool = True,
    side_by_side_view: bool = False,
    cancel: CancelToken | None = None,
    codec: str = H264,
) -> Job[WrittenVideo]:
    """Write ``frames`` (default: every frame that has a mask) with their masks overlaid to ``out_path``.

    ``frames_reader`` is a frame source (``read(index)``, ``fps``; see ``frames.open_frames``) or any
    object with a ``read`` method. ``masks`` maps frame -> bool mask, or is a callable returning the mask
    (or None). ``codec``: "h264" (default; falls back to OpenCV's "mp4v" with a note and a JobWarning
    when PyAV or its encoder is missing) or "mp4v". Yields one Progress per frame; returns a
    :class:`WrittenVideo`. The video is written to a hidden ``.<name>.partial.mp4`` beside ``out_path`` and
    renamed when complete; it is removed when the job is cancelled or fails (an earlier ``out_path`` is kept).
    """
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".mp4":
        raise InputError(out_path, "the overlay video must be an .mp4 file")
    lookup = masks if callable(masks) else masks.get
    if frames is None:
        if callable(masks):
            frames = getattr(frames_reader, "indices", None)
            if frames is None:
                raise InputError(out_path, "no frames to export: give the frame list")
        else:
            frames = sorted(masks)
    frames = [int(f) for f in frames]
    if not frames:
        raise InputError(out_path, "no frames to export (no masks in the chosen range)")
    if fps is None or fps <= 0:
        fps = float(getattr(frames_reader, "fps", 0) or 25.0)

    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(out_path, f"cannot make its folder: {exc}") from exc
    # written beside it under a hidden name and renamed when complete: a video being written or cut short is
    # never taken for the export (a walk saw a 1.3 MB file at 134 of 200 frames), and an earlier one survives
    part = out_path.with_name(f".{out_path.stem}.partial{out_path.suffix}")
    writer: VideoWriter | None = None
    codec_warning: tuple[JobWarning, ...] = ()
    skip_warning: tuple[JobWarning, ...] = ()  # made again only when a frame cannot be read, not every frame
    skipped: dict[int, str] = {}  # {frame: problem}: frames whose image could not be read
    shape: tuple[int, ...] = ()  # of the images written (a dark frame for an unreadable one has it too)
    clock = EtaClock()
    ok = False

    def write(image: np.ndarray) -> None:
        assert writer is not None
        try:
            writer.write(image)
        except OSError as exc:  # PyAV opens the file at the first packet: /proc, a full disk, no rights
            raise InputError(out_path, f"cannot write the video: {exc}") from exc

    try:
        for i, f in enumerate(frames):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                frame = frames_reader.read(f)
            except FrameError as exc:  # named, and a dark frame keeps the timing (once the size is known)
                skipped[f] = str(exc)
                skip_warning = (JobWarning(UNREADABLE_FRAMES, unreadable_note(skipped)),)
                if writer is not None:
                    write(unreadable_image(shape, f))
            else:
                mask = lookup(f)
                shown = (render_layers(frame, mask, opacity, outline) if isinstance(mask, list)  # every person
                         else render_overlay(frame, mask, color, opacity, outline))
                image = side_by_side(frame, shown) if side_by_side_view else shown
                if writer is None:
                    shape = image.shape
                    h, w = image.shape[:2]
                    try:
                        writer = open_video_writer(part, float(fps), w, h, codec)
                    except OSError as exc:
                        raise InputError(out_path, f"cannot open the file for writing: {exc}") from exc
                    if writer.note:
                        codec_warning = (JobWarning(CODEC_FALLBACK, writer.note),)
                    for early in skipped:  # unreadable before the first readable frame
                        write(unreadable_image(shape, early))
                write(image)
            yield Progress(i + 1, len(frames), f"frame {f}", {"frame": f, "codec": writer.codec if writer else ""},
                           clock.eta(i + 1, len(frames)), codec_warning + skip_warning)
        if writer is None:
            first = next(iter(skipped.values()), "")
            raise InputError(out_path, f"none of the {len(frames)} frames could be read ({first})")
        try:
            writer.close()  # flushes the encoder: a failure here is a failed export
            os.replace(part, out_path)  # whole, under its name: an earlier video there is kept until now
        except OSError as exc:
            raise InputError(out_path, f"cannot write the video: {exc}") from exc
        ok = True
    finally:
        if writer is not None and not ok:
            try:
                writer.close()
            except Exception:  # already failing or cancelled: the partial file goes below
                pass
        if not ok and part.exists():
            part.unlink()
    assert writer is not None
    return WrittenVideo(out_path, writer.codec, len(frames), writer.size, writer.note, skipped)


def unreadable_note(skipped: Mapping[int, str], limit: int = 3) -> str:
    """'1 frame could not be read (a dark frame in the video): <problem>' for ``{frame: problem}``."""
    frames = sorted(skipped)
    named = "; ".join(str(skipped[f]) for f in frames[:limit]) + (f"; and {len(frames) - limit} more"
                                                                    if len(frames) > limit else "")
    n = f"{len(frames)} frame{'' if len(frames) == 1 else 's'}"
    return f"{n} could not be read (a dark frame in the video says so): {named}"
