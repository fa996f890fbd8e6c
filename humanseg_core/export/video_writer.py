"""Streaming MP4 writers: H.264 through PyAV (its wheel ships FFmpeg with libx264), else OpenCV's ``mp4v``.

:func:`open_video_writer` returns a writer that takes BGR frames one at a time (nothing is held in memory
beyond the encoder's own look-ahead) and says which codec it writes and, when it had to fall back, why
(``note``). H.264 plays everywhere (browsers, slide decks, phones); OpenCV's MPEG-4 Part 2 (``mp4v``,
"FMP4") does not, so the fallback is reported to the user, never silent.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

H264 = "h264"
MP4V = "mp4v"
#: x264 constant rate factor: 18 is visually lossless for overlays (sharp outlines), files stay small
H264_CRF = 18
H264_PRESET = "veryfast"


class VideoWriter(Protocol):
    codec: str  # "h264" or "mp4v"
    note: str | None  # why the preferred codec was not used (None when it was)
    size: tuple[int, int]  # (width, height) written (H.264 needs even sides: odd ones get one edge column/row)

    def write(self, bgr: np.ndarray) -> None: ...

    def close(self) -> None: ...


def _import_av() -> Any:
    """PyAV, or ImportError (a seam for tests that simulate a missing encoder)."""
    import av

    return av


def _even(n: int) -> int:
    return n + (n % 2)


def fps_fraction(fps: float) -> Fraction:
    """The frame rate as the exact fraction containers store (29.97 -> 30000/1001)."""
    return Fraction(float(fps)).limit_denominator(1001)


class H264Writer:
    """H.264 (libx264, yuv420p, ``+faststart``) in an MP4 container through PyAV."""

    codec = H264
    note: str | None = None

    def __init__(self, av, path: Path, fps: float, width: int, height: int, crf: int = H264_CRF):
        self.size = (_even(width), _even(height))
        self._av = av
        self._container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream("libx264", rate=fps_fraction(fps))
            stream.width, stream.height = self.size
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(int(crf)), "preset": H264_PRESET}
        except Exception:
            self._container.close()
            raise
        self._stream = stream

    def write(self, bgr: np.ndarray) -> None:
        h, w = bgr.shape[:2]
        if (w, h) != self.size:  # odd sides: repeat the last column/row (yuv420p halves the chroma)
            bgr = np.pad(bgr, ((0, self.size[1] - h), (0, self.size[0] - w), (0, 0)), mode="edge")
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        try:
            for packet in self._stream.encode():  # flush the encoder's delayed frames
                self._container.mux(packet)
        finally:
            self._container.close()


class OpenCvWriter:
    """MPEG-4 Part 2 (``mp4v``) through OpenCV: the fallback when PyAV or its H.264 encoder is missing."""

    codec = MP4V

    def __init__(self, path: Path, fps: float, width: int, height: int, note: str | None = None):
        self.size = (int(width), int(height))
        self.note = note
        self.path, self.written = Path(path), 0
        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
        self._writer = cv2.VideoWriter(str(path), fourcc, float(fps), self.size)
        if not self._writer.isOpened():
            raise OSError("OpenCV cannot open the file for writing (mp4v codec unavailable)")

    def write(self, bgr: np.ndarray) -> None:
        self._writer.write(bgr)
        self.written += 1

    def close(self) -> None:
        """Release the file and read it back: OpenCV reports no write error, so a full disk would otherwise leave a
        truncated video said to be saved (a review)."""
        self._writer.release()
        if not self.written:
            return
        reader = cv2.VideoCapture(str(self.path))
        try:
            found = int(reader.get(cv2.CAP_PROP_FRAME_COUNT)) if reader.isOpened() else 0
            if reader.isOpened() and found < self.written:  # some builds estimate the count, or say none:
                found = 0  # counted by reading the frames (a review)
                while reader.grab():
                    found += 1
        finally:
            reader.release()
        if found < self.written:
            raise OSError(f"the file reads back {found} of the {self.written} frames written (a full disk, or "
                          "frames the encoder dropped)")


def open_video_writer(path: str | Path, fps: float, width: int, height: int,
                      codec: str = H264) -> VideoWriter:
    """A writer for ``path``: H.264 when asked and available, else ``mp4v`` with a ``note`` saying why."""
    path = Path(path)
    if codec == MP4V:
        return OpenCvWriter(path, fps, width, height)
    try:
        av = _import_av()
    except ImportError as exc:
        why = f"PyAV is not installed ({exc})"
    else:
        try:
            return H264Writer(av, path, fps, width, height)
        except Exception as exc:  # no libx264 in this FFmpeg build, or it refused the settings
            why = f"the H.264 encoder is unavailable ({type(exc).__name__}: {exc})"
            if path.exists():
                path.unlink()
    return OpenCvWriter(path, fps, width, height,
                        note=f"Written as MPEG-4 Part 2 (mp4v) with OpenCV, not H.264: {why}. Some players "
                             "(browsers, slide software) cannot play it; install the 'av' package for H.264.")


def probe_codec(path: str | Path) -> str:
    """The video codec name of the first video stream of ``path`` ("h264", "mpeg4", ...), read with OpenCV."""
    cap = cv2.VideoCapture(str(path))
    try:
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC))
    finally:
        cap.release()
    name = fourcc.to_bytes(4, "little").decode("ascii", "replace").strip("\x00 ").lower()
    return {"avc1": H264, "h264": H264, "fmp4": "mpeg4", "mp4v": "mpeg4"}.get(name, name)
