"""Issue 10: bad input files never crash, hang or exhaust memory: devices, FIFOs, size limits, header bombs,
damaged frames, and the fitted homography of absurd positions. Each case must end in a typed error."""

from __future__ import annotations

import os
import random
import struct
import threading
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from humanseg_core.errors import FrameError, HomographyError, InputError, TrajectoryError
from humanseg_core.input_files import read_input_bytes
from humanseg_core.inputs.frames import open_frames
from humanseg_core.inputs.homography import Homography, load_homography
from humanseg_core.inputs.trajectories import load_trajectories


def finishes(fn, timeout: float = 5.0, release: Path | None = None):
    """Run ``fn`` in a thread; fail (not hang) when it does not return within ``timeout`` seconds.

    ``release``: a FIFO to open for writing after a time-out, so a blocked reader thread ends."""
    box: dict = {}

    def work():
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["exc"] = exc

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        if release is not None:
            fd = os.open(release, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        pytest.fail(f"{fn} blocked for more than {timeout} s")
    if "exc" in box:
        raise box["exc"]
    return box.get("value")


# -- devices and FIFOs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_as_trajectories_or_homography(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} is absent")
    with pytest.raises(TrajectoryError, match="is a device, not a trajectory file") as err:
        finishes(lambda: load_trajectories(device))
    assert device in str(err.value)
    with pytest.raises(HomographyError, match="is a device"):
        finishes(lambda: load_homography(device))
    with pytest.raises(FrameError, match="is a device"):
        finishes(lambda: open_frames(device))


def test_a_fifo_never_blocks(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for load, error in [(load_trajectories, TrajectoryError), (load_homography, HomographyError),
                        (open_frames, FrameError)]:
        with pytest.raises(error, match="FIFO") as err:
            finishes(lambda load=load: load(fifo), release=fifo)
        assert str(fifo) in str(err.value)


def test_a_fifo_in_a_project_s_stored_inputs_never_blocks(tmp_path):
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    fifo = tmp_path / "video.mp4"
    os.mkfifo(fifo)
    with Project.create(tmp_path / "p", ProjectInputs(video=str(fifo), trajectories=str(fifo))) as project:
        with pytest.raises(InputError, match="FIFO"):
            finishes(project.load_scene, release=fifo)


def test_size_limit_names_the_file_and_how_to_lift_it(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"1 2 3.0 4.0\n" * 1000)
    with pytest.raises(TrajectoryError, match="more than the 0.0 MB limit.*HUMANSEG_MAX_INPUT_MB") as err:
        read_input_bytes(big, TrajectoryError, "a trajectory file", max_bytes=100)
    assert str(big) in str(err.value)
    monkeypatch.setenv("HUMANSEG_MAX_INPUT_MB", "1")
    assert len(read_input_bytes(big, TrajectoryError, "a trajectory file", max_bytes=100)) == 12000


# -- header bombs -----------------------------------------------------------------------------------------
def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height (the pixel data is a few bytes of zeros)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


def _frames_folder(tmp_path: Path, first: bytes | None, n: int = 3, suffix: str = ".png") -> Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    ok, good = cv2.imencode(".png", np.full((20, 30, 3), 77, np.uint8))
    for i in range(n):
        (folder / f"{i:05d}.png").write_bytes(good.tobytes())
    if first is not None:
        (folder / f"{0:05d}.png").unlink()
        (folder / f"{0:05d}{suffix}").write_bytes(first)
    return folder


@pytest.mark.parametrize("size", [(50000, 50000), (30000, 30000), (70000, 10), (0, 5)])
def test_a_header_bomb_first_frame_is_refused_and_does_not_fix_the_size(tmp_path, size):
    folder = _frames_folder(tmp_path, png_declaring(*size))
    src = finishes(lambda: open_frames(folder))
    assert (src.width, src.height) == (30, 20)  # the first *readable* frame sets the size
    with pytest.raises(FrameError, match="frame 0: .*declares") as err:
        src.read(0)
    assert "00000.png" in str(err.value)
    assert src.read(1).shape == (20, 30, 3)
    src.close()


def test_only_bombs_gives_a_clear_error(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "00000.png").write_bytes(png_declaring(50000, 50000))
    with pytest.raises(FrameError, match="none of the first images can be read.*declares 50000x50000"):
        open_frames(folder)


def test_a_mask_blob_declaring_huge_dims_is_refused_before_allocating():
    from humanseg_core import rle

    blob = b"RLE1" + struct.pack("<II", 100000, 100000) + b"1"
    assert len(blob) == 13
    with pytest.raises(rle.MaskDataError, match="100000x100000"):
        rle.from_blob(blob)
    with pytest.raises(rle.MaskDataError, match="declares"):
        rle.decode({"size": [100000, 100000], "counts": "1"})
    with pytest.raises(rle.MaskDataError, match="declares 30000x30000"):  # each side allowed, not their product
        rle.from_blob(b"RLE1" + struct.pack("<II", 30000, 30000) + b"1")


def test_mask_run_lengths_are_checked_before_pycocotools_writes():
    """pycocotools decodes without bounds checks: counts adding up past h*w wrote past its buffer (a heap
    corruption the fuzz bench found as crashes in later, unrelated code)."""
    from humanseg_core import rle

    good = rle.to_blob(np.eye(6, 8, dtype=bool))
    runs = rle.run_lengths(good[12:], 6, 8)
    assert runs.sum() == 48 and (runs >= 0).all()
    for counts in [b"0" + b"o" * 30, b"\x7f", b"1", b"`", b"35" + b"_" * 5]:  # too long, bad char, short, cut, ...
        with pytest.raises(rle.MaskDataError, match="damaged mask data"):
            rle.from_blob(b"RLE1" + struct.pack("<II", 6, 8) + counts)


def test_a_link_loop_as_any_input_is_a_typed_error(tmp_path):
    from humanseg_core.export.guard import protected_problem
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    with pytest.raises(TrajectoryError):
        load_trajectories(loop)
    with pytest.raises(FrameError):
        open_frames(loop)
    with Project.create(tmp_path / "p", ProjectInputs(video=str(loop), trajectories=str(loop))) as project:
        with pytest.raises(InputError):
            project.load_scene()
    assert protected_problem(loop) is None  # resolving the loop raised RuntimeError before


# -- damaged frames ---------------------------------------------------------------------------------------
def _textured(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8), (320, 240), interpolation=cv2.INTER_CUBIC)
    return cv2.GaussianBlur(img, (5, 5), 0)


def test_truncated_jpegs_are_reported_and_skipped(tmp_path):
    ok, buf = cv2.imencode(".jpg", _textured(), [cv2.IMWRITE_JPEG_QUALITY, 90])
    data = buf.tobytes()
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "00000.jpg").write_bytes(data)
    cuts = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
    for i, share in enumerate(cuts, start=1):
        (folder / f"{i:05d}.jpg").write_bytes(data[: int(len(data) * share)])
    src = open_frames(folder)
    assert src.read(0).shape == (240, 320, 3)
    for i in range(1, len(cuts) + 1):
        with pytest.raises(FrameError, match=f"frame {i}: "):
            src.read(i)
    src.close()


def test_bit_flipped_jpegs_are_caught_where_the_decoder_notices(tmp_path):
    """Random bit flips in the entropy-coded data: the ones libjpeg warns about are FrameErrors (never an image
    with grey rows); the rest decode (undetectable damage). Counted over 40 flipped copies."""
    ok, buf = cv2.imencode(".jpg", _textured(1), [cv2.IMWRITE_JPEG_QUALITY, 90])
    data = buf.tobytes()
    rng = random.Random(0)
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "00000.jpg").write_bytes(data)
    for i in range(1, 41):
        b = bytearray(data)
        for _ in range(4):
            pos = rng.randrange(len(b) // 3, len(b) - 2)
            b[pos] ^= 1 << rng.randrange(8)
        (folder / f"{i:05d}.jpg").write_bytes(bytes(b))
    src = open_frames(folder)
    caught = 0
    for i in range(1, 41):
        try:
            src.read(i)
        except FrameError:
            caught += 1
    src.close()
    assert caught >= 10  # measured 20+ of 40; OpenCV's decoder reported none of them


def test_a_truncated_png_is_reported(tmp_path):
    ok, buf = cv2.imencode(".png", _textured(2))
    folder = _frames_folder(tmp_path, None)
    (folder / "00001.png").write_bytes(buf.tobytes()[:-20])
    with open_frames(folder) as src:
        with pytest.raises(FrameError, match="frame 1: "):
            src.read(1)


# -- homography -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("points", [[[1e308, 1e308], [-1e308, -1e308]], [[1e308, 0.0], [-1e308, 0.0]],
                                    [[0.0, 0.0], [1e300, 1e-300]]])
def test_fit_to_extent_of_absurd_positions_is_a_homography_error(points):
    with pytest.raises(HomographyError, match="homography"):
        Homography.fit_to_extent(points, 640, 480)


def test_a_text_file_named_mp4_gets_our_message_only(tmp_path):
    """FFmpeg printed '[mov,mp4,...] moov atom not found' on stderr before the clean error (a new-user walk)."""
    import subprocess
    import sys

    fake = tmp_path / "clip.mp4"
    fake.write_text("not a video\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}
    code = ("from humanseg_core.errors import FrameError\nfrom humanseg_core.inputs.frames import open_frames\n"
            f"try:\n    open_frames({str(fake)!r})\nexcept FrameError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert "clip.mp4" in done.stdout and "cannot open this file as a video" in done.stdout, done
    assert "moov atom" not in done.stderr, done.stderr


def test_an_mp4_cut_short_is_said_to_lack_its_index(tmp_path):
    """A walk's MP4 cut in half read only "OpenCV cannot open this file as a video"."""
    from humanseg_core.errors import FrameError
    from humanseg_core.inputs.frames import open_frames

    whole = tmp_path / "whole.mp4"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (64, 48))
    for k in range(10):
        writer.write(np.full((48, 64, 3), 20 * k, np.uint8))
    writer.release()
    open_frames(whole).close()  # whole, it opens
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(FrameError, match=r"cut\.mp4: OpenCV cannot open .*MP4/MOV file without its index"):
        open_frames(cut)
    empty = tmp_path / "nothing.mp4"
    empty.write_bytes(b"")
    with pytest.raises(FrameError, match=r"\(the file is empty\)"):
        open_frames(empty)
    text = tmp_path / "text.mp4"
    text.write_text("not a video\n")
    with pytest.raises(FrameError, match=r"as a video$"):  # no guess about a file that is no MP4 at all
        open_frames(text)
    # a whole, indexed MP4 OpenCV still cannot open (a codec it lacks): no guess about an index
    from humanseg_core.inputs import frames as frames_module

    real = cv2.VideoCapture

    class Refusing:
        def __init__(self, *a):
            self._cap = real(*a)

        def isOpened(self):
            return False

        def release(self):
            self._cap.release()

    import unittest.mock

    with unittest.mock.patch.object(frames_module.cv2, "VideoCapture", Refusing):
        with pytest.raises(FrameError, match=r"whole\.mp4: OpenCV cannot open this file as a video$"):
            frames_module._open_capture(whole)
