"""The overlay video helper: blending, outlines, side-by-side and the MP4 writer job."""

import cv2
import numpy as np
import pytest

from humanseg_core.errors import Cancelled, InputError
from humanseg_core.export.mp4 import export_overlay_video, mask_outline, render_overlay, side_by_side
from humanseg_core.jobs import CancelToken, run_job


class FakeFrames:
    """A frame source of flat grey frames whose brightness encodes the index."""

    def __init__(self, n=6, w=64, h=48, fps=10.0):
        self.indices = list(range(n))
        self.width, self.height, self.fps = w, h, fps

    def read(self, index):
        return np.full((self.height, self.width, 3), 20 + 30 * index, np.uint8)


def square_mask(h=48, w=64, x0=16, y0=12, size=20):
    m = np.zeros((h, w), bool)
    m[y0 : y0 + size, x0 : x0 + size] = True
    return m


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
    src = FakeFrames()
    masks = {f: square_mask() for f in (1, 2, 4)}
    path = tmp_path / "out.mp4"
    reports = []
    result = run_job(export_overlay_video(src, masks, path, frames=src.indices, color=(0, 0, 255), opacity=0.8),
                     reports.append)
    assert result == path and path.stat().st_size > 0
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
    src = FakeFrames()
    path = tmp_path / "sbs.mp4"
    run_job(export_overlay_video(src, {3: square_mask(), 1: square_mask()}, path, side_by_side_view=True))
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 2 * 64 + 4
    cap.release()


def test_export_cancelled_removes_the_partial_file(tmp_path):
    src = FakeFrames()
    token = CancelToken()
    path = tmp_path / "cancel.mp4"
    job = export_overlay_video(src, {f: square_mask() for f in src.indices}, path, cancel=token)
    next(job)
    next(job)
    token.cancel()
    with pytest.raises(Cancelled):
        next(job)
    assert not path.exists()


def test_export_rejects_bad_requests(tmp_path):
    src = FakeFrames()
    with pytest.raises(InputError, match="mp4"):
        run_job(export_overlay_video(src, {0: square_mask()}, tmp_path / "x.avi"))
    with pytest.raises(InputError, match="no frames"):
        run_job(export_overlay_video(src, {}, tmp_path / "x.mp4"))
