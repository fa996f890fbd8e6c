"""A video file cut short: its header still declares every frame. A walk's AVI declared 250 frames, 128 decoded,
and `tracks` said 250 while `run` printed 122 "cannot decode" lines. The video is now taken to end where the frames
stop decoding, and that is said."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from humanseg_core.errors import FrameError
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


def test_a_decoder_that_repeats_its_last_frame_is_caught(tmp_path):
    """A re-walk's H.264 file cut short: every seek past frame 127 gave back about frame 128's image, with the
    decoder's position stuck there, and those stale images were segmented and exported as frames 140-249."""
    import cv2

    src = open_frames(_avi(tmp_path / "v.avi"))
    real = src._cap

    class Stuck:  # decodes frames 0-9; past them, its last image again and its position stuck at 10
        def __init__(self):
            self.pos = 0

        def set(self, prop, value):
            self.pos = int(value)
            return real.set(prop, min(int(value), 9))

        def grab(self):
            self.pos += 1
            return True

        def read(self):
            ok, img = real.read()
            self.pos = min(self.pos + 1, 10)
            return True, img

        def get(self, prop):
            return float(self.pos) if prop == cv2.CAP_PROP_POS_FRAMES else real.get(prop)

        def release(self):
            real.release()

    src._cap, src._next = Stuck(), None
    src.read(9)
    with pytest.raises(FrameError, match="frame 15: cannot decode this frame"):
        src._decode(15)
    assert src._decodable_end(30) == 10
    src.close()
