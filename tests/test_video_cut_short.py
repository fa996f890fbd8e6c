"""A video file cut short: its header still declares every frame. A walk's AVI declared 250 frames, 128 decoded,
and `tracks` said 250 while `run` printed 122 "cannot decode" lines. The video is now taken to end where the frames
stop decoding, and that is said."""

from __future__ import annotations

import cv2
import numpy as np

from humanseg_core.inputs.file_notes import file_notes
from humanseg_core.inputs.frames import open_frames

H, W = 48, 64


def _avi(path, n=30):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (W, H))
    rng = np.random.default_rng(0)
    for _ in range(n):
        writer.write(rng.integers(0, 255, (H, W, 3), np.uint8))
    writer.release()
    return path


def test_a_cut_avi_ends_where_its_frames_stop_decoding(tmp_path):
    whole = _avi(tmp_path / "whole.avi")
    with open_frames(whole) as src:
        assert src.declared == 30 and list(src.indices) == list(range(30))
        assert not [n for n in file_notes(src, None, "t.txt") if "declares" in n]
    data = whole.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])  # cut mid-file: the index at the end is gone too
    with open_frames(cut) as src:
        n = len(src.indices)
        assert src.declared == 30 and 5 < n < 30
        src.read(n - 1)  # the last one kept decodes, the next does not: the end found exactly
        assert not src._decodes(n)
        [note] = [n for n in file_notes(src, None, "t.txt") if "declares" in n]
    assert note == (f"cut.avi: its header declares 30 frames, but the frames after {n - 1} do not decode: a file cut "
                    f"short? The video is taken to end at frame {n - 1}")


def test_a_count_a_frame_over_is_no_news(tmp_path):
    """Containers estimate their frame count: one or two frames over are taken off without a note (a review: an
    AVI whose last frame was damaged read "a file cut short?")."""

    class Short:
        declared, indices, path = 30, list(range(28)), tmp_path / "v.mp4"

    assert not [n for n in file_notes(Short(), None, "t.txt") if "declares" in n]
    Short.indices = list(range(26))
    assert [n for n in file_notes(Short(), None, "t.txt") if "declares" in n]
