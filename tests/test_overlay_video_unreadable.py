"""The overlay MP4 with a frame whose image cannot be read: a dark frame says so, the rest is written.

Walked on the demo with frames/00005.jpg truncated: the MP4 tab's "every frame of the masks' span" export of
person 3 failed as a whole ("MP4 export failed: .../00005.jpg: frame 5: damaged JPEG (...); the frame is
skipped"): one damaged frame cost the whole video.
"""

import cv2
import pytest
from fakes import FlatFrames, rect_mask

from humanseg_core.errors import FrameError, InputError
from humanseg_core.export.mp4 import UNREADABLE_FRAMES, export_overlay_video
from humanseg_core.jobs import run_job


class Damaged(FlatFrames):
    """Flat grey frames (level 100 + 20 i) of which ``bad`` cannot be read."""

    def __init__(self, bad, n=6):
        super().__init__(n, 48, 64, base=100, step=20)
        self.bad = set(bad)

    def read(self, index):
        if index in self.bad:
            raise FrameError(f"/v/{index:05d}.jpg", "damaged JPEG (Premature end of JPEG file)", index)
        return super().read(index)


def _levels(path):
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        out.append(int(img[40, 60].mean()))  # a corner away from the mask and the text
    cap.release()
    return out


@pytest.mark.parametrize("bad", [{2}, {0, 3}])
def test_an_unreadable_frame_is_a_dark_frame_and_named(tmp_path, bad):
    src = Damaged(bad)
    path = tmp_path / "o.mp4"
    reports = []
    result = run_job(export_overlay_video(src, {1: rect_mask((48, 64), 10, 10, 30, 30)}, path, frames=src.indices),
                     reports.append)
    assert result.frames == 6 and sorted(result.skipped) == sorted(bad)
    assert all("damaged JPEG" in why for why in result.skipped.values())
    levels = _levels(path)
    assert len(levels) == 6  # the timing is kept
    for f, level in enumerate(levels):  # lossy codec: loose bounds
        assert (level < 45) if f in bad else abs(level - (100 + 20 * f)) < 12, (f, level)
    kinds = [w.kind for w in reports[-1].warnings]
    assert kinds == [UNREADABLE_FRAMES] and "could not be read" in reports[-1].warnings[0].text


def test_a_video_with_no_readable_frame_fails_and_says_why(tmp_path):
    src = Damaged(range(3), n=3)
    with pytest.raises(InputError, match="none of the 3 frames could be read .*damaged JPEG"):
        run_job(export_overlay_video(src, {}, tmp_path / "o.mp4", frames=src.indices))
    assert not (tmp_path / "o.mp4").exists()
