"""Go ▸ Go to Frame takes the video's frame numbers and, on a clip read with a frame offset, the trajectory file's;
anything else is said, never clamped (a walk typed file frame 8040 on a clip of frames 0-159 and was put on 80)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtWidgets import QMainWindow

from app.timeline import Timeline, typed_frame

CLIP = list(range(0, 160))


def test_a_video_frame_is_its_own():
    assert typed_frame(" 42 ", CLIP) == (42, "")
    assert typed_frame(str(CLIP[-1]), CLIP) == (CLIP[-1], "") and typed_frame(str(CLIP[0]), CLIP) == (CLIP[0], "")
    assert typed_frame("42", CLIP, (-6830, 1)) == (42, "")


def test_a_frame_the_video_lacks_is_placed_at_the_one_before(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.set_frames([0, 2, 4, 8], 25.0)
    assert [timeline.position_of(f) for f in (0, 1, 2, 3, 7, 8, 99, -5)] == [0, 0, 1, 1, 2, 3, 3, 0]


def test_a_file_frame_on_a_clip_read_with_an_offset_lands_on_its_video_frame():
    frame, said = typed_frame("6900", CLIP, (-6830, 1))
    assert frame == 70 and "file frame 6900 is video frame 70" in said
    assert typed_frame("100", list(range(0, 400)), (10, 2)) == (100, "")  # the video's own frame first
    assert typed_frame("500", list(range(0, 400)), (-800, 2))[0] == 200  # step 2: -800 + 2 x 500
    frame, said = typed_frame("250", list(range(0, 600)), (10, 2))
    assert frame == 250  # the video's own
    frame, said = typed_frame("700", list(range(0, 1500)), (-400, 2))
    assert frame == 700


def test_a_number_in_neither_is_said_not_clamped():
    frame, said = typed_frame("8040", CLIP, (-6830, 1))
    assert frame is None and "8040 is not in the video (0–159)" in said and "video frame 1210" in said
    frame, said = typed_frame("8040", CLIP)
    assert frame is None and said == "Frame 8040 is not in the video (0–159)"
    assert typed_frame("eighty", CLIP) == (None, "Go to Frame: 'eighty' is not a frame number")


def test_the_timeline_goes_there_and_says_so_in_the_status_bar(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    tl = Timeline()
    window.setCentralWidget(tl)
    tl.set_frames(CLIP, 25.0, (-6830, 1))
    tl.frame_requested.connect(tl.set_frame)
    tl.go_to_typed("6900")
    assert tl.frame == 70 and "video frame 70" in window.statusBar().currentMessage()
    tl.go_to_typed("8040")
    assert tl.frame == 70 and "not in the video" in window.statusBar().currentMessage()
    tl.set_frames(CLIP, 25.0)  # another video, read without an offset: 6900 is no file frame any more
    tl.go_to_typed("6900")
    assert "not in the video (0–159)" in window.statusBar().currentMessage()
