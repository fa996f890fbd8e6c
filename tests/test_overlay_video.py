"""The overlay video helper: blending, outlines, side-by-side and the MP4 writer job."""

import cv2
import numpy as np
import pytest
from fakes import FlatFrames, rect_mask

from humanseg_core.errors import Cancelled, InputError
from humanseg_core.export import video_writer
from humanseg_core.export.mp4 import CODEC_FALLBACK, export_overlay_video, render_overlay, side_by_side
from humanseg_core.export.video_writer import probe_codec
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.metrics import mask_outline


def grey_frames(n=6, w=64, h=48):
    """A frame source of flat grey frames whose brightness encodes the index."""
    return FlatFrames(n, h, w, base=20, step=30)


def square_mask(h=48, w=64, x0=16, y0=12, size=20):
    return rect_mask((h, w), x0, y0, x0 + size, y0 + size)


def test_render_overlay_blends_only_inside_the_mask():
    frame = np.full((48, 64, 3), 100, np.uint8)
    mask = square_mask()
    out = render_overlay(frame, mask, color=(0, 0, 255), opacity=0.5, outline=False)
    assert (out[~mask] == 100).all()
    inside = out[mask]
    assert (inside[:, 2] == 178).all() and (inside[:, 0] == 50).all()
    assert (frame == 100).all(), "the input frame must not be modified"


def test_render_overlay_outline_is_full_colour_on_the_boundary_only():
    frame = np.zeros((48, 64, 3), np.uint8)
    mask = square_mask()
    out = render_overlay(frame, mask, color=(0, 255, 0), opacity=0.0, outline=True, outline_width=1)
    edge = mask_outline(mask, 1)
    assert edge.sum() == 4 * 20 - 4
    assert (out[edge] == (0, 255, 0)).all()
    assert (out[mask & ~edge] == 0).all()


def test_render_overlay_rejects_a_mask_of_the_wrong_size():
    with pytest.raises(ValueError):
        render_overlay(np.zeros((10, 10, 3), np.uint8), np.zeros((5, 5), bool))


def test_side_by_side_keeps_both_images():
    a = np.full((8, 10, 3), 1, np.uint8)
    b = np.full((8, 10, 3), 2, np.uint8)
    out = side_by_side(a, b, gap=3)
    assert out.shape == (8, 23, 3)
    assert (out[:, :10] == 1).all() and (out[:, 13:] == 2).all()


def test_export_writes_a_readable_mp4_with_every_frame(tmp_path):
    src = grey_frames()
    masks = {f: square_mask() for f in (1, 2, 4)}
    path = tmp_path / "out.mp4"
    reports = []
    result = run_job(export_overlay_video(src, masks, path, frames=src.indices, color=(0, 0, 255), opacity=0.8),
                     reports.append)
    assert result.path == path and path.stat().st_size > 0
    assert result.codec == "h264" and result.note is None and result.frames == 6
    assert [p.done for p in reports] == [1, 2, 3, 4, 5, 6] and reports[-1].total == 6
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    reds = []
    for _ in range(6):
        ok, img = cap.read()
        assert ok and img.shape == (48, 64, 3)
        centre = img[22, 26].astype(int)
        reds.append(centre[2] - centre[0])
    cap.release()
    # frames with a mask are clearly red in the middle, the others stay grey (lossy codec: loose bounds)
    assert [r > 60 for r in reds] == [False, True, True, False, True, False]


def test_export_default_frames_are_the_masked_ones_and_side_by_side_doubles_width(tmp_path):
    src = grey_frames()
    path = tmp_path / "sbs.mp4"
    run_job(export_overlay_video(src, {3: square_mask(), 1: square_mask()}, path, side_by_side_view=True))
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 2 * 64 + 4
    cap.release()


def test_export_cancelled_removes_the_partial_file(tmp_path):
    src = grey_frames()
    token = CancelToken()
    path = tmp_path / "cancel.mp4"
    path.write_bytes(b"an earlier export")  # kept: the new video replaces it only once complete
    job = export_overlay_video(src, {f: square_mask() for f in src.indices}, path, cancel=token)
    next(job)
    next(job)
    # while it is written, the file under its name is the earlier one (a walk saw a growing 1.3 MB file)
    assert path.read_bytes() == b"an earlier export"
    token.cancel()
    with pytest.raises(Cancelled):
        next(job)
    assert path.read_bytes() == b"an earlier export" and sorted(p.name for p in tmp_path.iterdir()) == ["cancel.mp4"]
    result = run_job(export_overlay_video(src, {f: square_mask() for f in src.indices}, path))
    assert result.path == path and path.stat().st_size > 1000 and sorted(p.name for p in tmp_path.iterdir()) == [
        "cancel.mp4"]


def test_export_rejects_bad_requests(tmp_path):
    src = grey_frames()
    with pytest.raises(InputError, match="mp4"):
        run_job(export_overlay_video(src, {0: square_mask()}, tmp_path / "x.avi"))
    with pytest.raises(InputError, match="no frames"):
        run_job(export_overlay_video(src, {}, tmp_path / "x.mp4"))


def _fourcc(path) -> str:
    cap = cv2.VideoCapture(str(path))
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    cap.release()
    return code.to_bytes(4, "little").decode("ascii", "replace").lower()


def test_the_video_is_h264_read_back_by_pyav_and_opencv(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "h264.mp4"
    reports = []
    result = run_job(export_overlay_video(grey_frames(n=3), {0: square_mask()}, path, frames=[0, 1, 2]), reports.append)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 48)
        assert sum(1 for _ in container.decode(stream)) == 3
    assert _fourcc(path) in ("avc1", "h264") and probe_codec(path) == "h264"
    assert result.codec == "h264" and not any(p.warnings for p in reports)


def test_odd_frame_sizes_are_padded_to_even_for_h264(tmp_path):
    pytest.importorskip("av")
    path = tmp_path / "odd.mp4"
    src = grey_frames(n=2, w=63, h=47)
    result = run_job(export_overlay_video(src, {0: square_mask(47, 63)}, path, frames=[0, 1]))
    assert result.size == (64, 48) and probe_codec(path) == "h264"
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 64 and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    cap.release()


def test_without_pyav_the_video_falls_back_to_opencv_mp4v_with_a_note(tmp_path, monkeypatch):
    def missing():
        raise ImportError("No module named 'av'")

    monkeypatch.setattr(video_writer, "_import_av", missing)
    path = tmp_path / "fallback.mp4"
    reports = []
    result = run_job(export_overlay_video(grey_frames(n=3), {1: square_mask()}, path, frames=[0, 1, 2]),
                     reports.append)
    assert result.codec == "mp4v" and "not H.264" in result.note and "PyAV is not installed" in result.note
    assert reports[0].warnings and reports[0].warnings[0].kind == CODEC_FALLBACK
    assert _fourcc(path) in ("mp4v", "fmp4") and probe_codec(path) == "mpeg4"
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
    cap.release()


def test_a_truncated_mp4v_file_is_a_failed_export_not_a_saved_one(tmp_path, monkeypatch):
    """A review: OpenCV reports no write error, so a full disk left a truncated video renamed into place."""
    monkeypatch.setattr(video_writer, "_import_av", lambda: (_ for _ in ()).throw(ImportError("no av")))
    real = video_writer.OpenCvWriter.close

    def full_disk(self):
        real_release = self._writer.release
        self._writer = type("W", (), {"release": lambda w: (real_release(), self.path.write_bytes(b"\0" * 64))})()
        real(self)

    monkeypatch.setattr(video_writer.OpenCvWriter, "close", full_disk)
    path = tmp_path / "full.mp4"
    with pytest.raises(InputError, match=r"full\.mp4.*reads back 0 of the 3 frames written \(a full disk"):
        run_job(export_overlay_video(grey_frames(n=3), {1: square_mask()}, path, frames=[0, 1, 2]))
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_an_mp4v_file_one_frame_short_is_a_failed_export(tmp_path, monkeypatch):
    monkeypatch.setattr(video_writer, "_import_av", lambda: (_ for _ in ()).throw(ImportError("no av")))
    real = cv2.VideoCapture

    class Short:  # reads back one frame fewer than written, counted or read
        def __init__(self, path):
            self._cap, self._read = real(path), 0

        def isOpened(self):
            return self._cap.isOpened()

        def get(self, prop):
            return self._cap.get(prop) - (1 if prop == cv2.CAP_PROP_FRAME_COUNT else 0)

        def grab(self):
            self._read += 1
            return self._read < 3 and self._cap.grab()

        def release(self):
            self._cap.release()

    monkeypatch.setattr(video_writer.cv2, "VideoCapture", Short)
    with pytest.raises(InputError, match=r"reads back 2 of the 3 frames"):
        run_job(export_overlay_video(grey_frames(n=3), {1: square_mask()}, tmp_path / "short.mp4", frames=[0, 1, 2]))


def test_a_frame_count_the_build_misreads_is_counted_by_reading(tmp_path, monkeypatch):
    """A review: some OpenCV builds estimate the count (or say -1): every mp4v export would have failed."""
    monkeypatch.setattr(video_writer, "_import_av", lambda: (_ for _ in ()).throw(ImportError("no av")))
    real = cv2.VideoCapture

    class Unsure:
        def __init__(self, path):
            self._cap = real(path)

        def isOpened(self):
            return self._cap.isOpened()

        def get(self, prop):
            return -1.0 if prop == cv2.CAP_PROP_FRAME_COUNT else self._cap.get(prop)

        def grab(self):
            return self._cap.grab()

        def release(self):
            self._cap.release()

    monkeypatch.setattr(video_writer.cv2, "VideoCapture", Unsure)
    path = tmp_path / "unsure.mp4"
    result = run_job(export_overlay_video(grey_frames(n=3), {1: square_mask()}, path, frames=[0, 1, 2]))
    assert result.codec == "mp4v" and path.is_file()


def test_an_encoder_that_refuses_falls_back_too(tmp_path, monkeypatch):
    class BrokenAv:
        @staticmethod
        def open(*a, **k):
            raise ValueError("unknown encoder 'libx264'")

    monkeypatch.setattr(video_writer, "_import_av", lambda: BrokenAv)
    result = run_job(export_overlay_video(grey_frames(n=2), {0: square_mask()}, tmp_path / "b.mp4", frames=[0, 1]))
    assert result.codec == "mp4v" and "libx264" in result.note


@pytest.mark.parametrize("fails_in", ["write", "close"])
def test_a_place_that_cannot_be_written_names_the_file(tmp_path, monkeypatch, fails_in):
    """Export MP4 to /proc/x.mp4 (students03 walk): PyAV's FileNotFoundError reached the studio as
    'MP4 export failed: FileNotFoundError: [Errno 2] No such file or directory' with a traceback, naming no
    file; now an InputError names the path and says what failed."""
    from humanseg_core.export import mp4

    class Failing:
        codec, note, size = "h264", None, (64, 48)

        def write(self, bgr):
            if fails_in == "write":
                raise FileNotFoundError(2, "No such file or directory")

        def close(self):
            if fails_in == "close":
                raise OSError(28, "No space left on device")

    monkeypatch.setattr(mp4, "open_video_writer", lambda *a, **k: Failing())
    src = grey_frames()
    path = tmp_path / "out.mp4"
    with pytest.raises(InputError, match=r"out\.mp4: cannot write the video"):
        run_job(export_overlay_video(src, {f: square_mask() for f in src.indices}, path))
    assert not path.exists()


def test_a_folder_that_cannot_be_made_names_the_file(tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(InputError, match=r"x\.mp4: cannot make its folder"):
        run_job(export_overlay_video(grey_frames(), {0: square_mask()}, tmp_path / "a_file" / "sub" / "x.mp4"))


def test_every_persons_video_draws_each_in_its_colour_with_its_id():
    """A walk wanted the Scene view (every person, coloured) as a video; the MP4 tab wrote one person only."""
    from humanseg_core import rle
    from humanseg_core.export.mp4 import Layer, SceneLayers, render_layers

    left, right = rect_mask((48, 64), 4, 20, 20, 44), rect_mask((48, 64), 40, 20, 56, 44)
    layers = SceneLayers({3: {1: rle.to_blob(left)}, 7: {1: rle.to_blob(right), 2: rle.to_blob(right)}, 9: {}},
                         {3: (0, 0, 255), 7: (255, 0, 0)})
    assert list(layers) == [1, 2] and 1 in layers and 5 not in layers and layers.pids == [3, 7]
    assert layers.get(5) is None  # a frame nobody has: drawn plain
    drawn = layers[1]
    assert [(d.label, d.color) for d in drawn] == [("3", (0, 0, 255)), ("7", (255, 0, 0))]
    frame = np.full((48, 64, 3), 100, np.uint8)
    out = render_layers(frame, drawn, opacity=0.5, outline=False)
    assert out[32, 12, 2] > 150 and out[32, 12, 0] < 80  # person 3 red (BGR)
    assert out[32, 48, 0] > 150 and out[32, 48, 2] < 80  # person 7 blue
    assert (out[2:8, 24:36] == 100).all()  # away from both, untouched
    label_rows = out[:20, 4:20]
    assert (label_rows != 100).any()  # the id is written above person 3's mask
    plain = render_layers(frame, [Layer(left, (0, 0, 255))], outline=False)
    assert (plain[:20] == 100).all()  # no label: nothing written above


def test_an_every_person_video_is_written(tmp_path):
    from humanseg_core import rle
    from humanseg_core.export.mp4 import SceneLayers

    src = grey_frames()
    layers = SceneLayers({3: {f: rle.to_blob(square_mask()) for f in (1, 2)}}, {3: (0, 0, 255)})
    result = run_job(export_overlay_video(src, layers, tmp_path / "all.mp4", opacity=0.8))
    assert result.frames == 2  # the frames anyone has a mask on


def test_labels_of_persons_side_by_side_do_not_overlap():
    """In a crowd the ids piled on each other ("2 267", a walk): each label goes to a spot clear of the others."""
    from humanseg_core.export.mp4 import _free_spot

    placed = []
    for x in (50, 56, 62):  # three persons a few pixels apart, their tops level
        sx, sy = _free_spot(placed, x, 40, 90, 20, 10, (120, 160))
        assert all(sx + 20 < a or sx > c or sy < b or sy - 10 > d for a, b, c, d in placed)
        placed.append((sx, sy - 10, sx + 20, sy))
    # near their persons: beside one another first, then on the mask, not stacked far up (a walk: 120 px away)
    assert all(abs((a + c) / 2 - x) <= 30 and 40 - 3 - 10 - 3 <= d <= 40 + 10 + 3 for (a, _b, c, d), x in
               zip(placed, (50, 56, 62)))
