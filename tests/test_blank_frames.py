"""Black frames (a camera's dropout) hold nobody: no proposal and no mask is made on them, and why is said. A walk's
video began with 30 black frames; the proposals found "persons" there (scored 0.6, then trained on) and the run
wrote a 1000-pixel mask for each person on every one of them."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
from scene_run_setup import config, inputs

from humanseg_core.errors import FrameError
from humanseg_core.inputs.blank_frames import content_reader, is_blank
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.workflows import ProposeConfig, propose_into
from humanseg_core.workflows.scene_run import scene_run_job

BLACK = range(0, 6)  # frames 0-5 of the demo, its first annotated frame 0 among them


def test_a_black_frame_is_told_from_a_dark_or_flat_one():
    black = np.zeros((60, 80, 3), np.uint8)
    assert is_blank(black) and is_blank(black + 12)  # a dropout's dark grey too
    night = black.copy()
    night[30:40, 10:20] = 200  # a night scene has its lights
    assert not is_blank(night) and not is_blank(np.full((60, 80, 3), 128, np.uint8))  # a test's flat grey frame
    dim = np.random.default_rng(0).integers(0, 25, (60, 80, 3), dtype=np.uint8)  # dark, with detail: not one colour
    assert not is_blank(dim)
    read = content_reader(type("Video", (), {"read": staticmethod(lambda i: black), "path": "v.mp4"})())
    with pytest.raises(FrameError, match=r"v.mp4: frame 3: the frame is black"):
        read(3)


def test_a_no_signal_screen_is_told_from_a_flat_grey_or_a_real_frame(small_demo):
    """A recorder's "no signal" screen (one blue, a line of text) decodes and holds nobody, as a black frame."""
    from humanseg_core.inputs.blank_frames import NO_SIGNAL_TEXT, holds_nobody, is_no_signal

    blue = np.zeros((288, 360, 3), np.uint8)
    blue[:] = (200, 40, 10)  # BGR
    cv2.putText(blue, "NO SIGNAL", (110, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    assert is_no_signal(blue) and not is_blank(blue)
    assert not is_no_signal(np.full((288, 360, 3), 128, np.uint8))  # a test's flat grey frame
    real = cv2.imread(str(next((small_demo / "frames").glob("00010.*"))))
    assert not is_no_signal(real) and not is_no_signal(real[..., 0])  # (a grey image: three channels or none)
    striped = blue.copy()
    striped[::4] = (20, 200, 20)  # a quarter of the rows another colour: a picture, not a screen
    assert not is_no_signal(striped)
    read = content_reader(type("Video", (), {"read": staticmethod(lambda i: blue), "path": "v.mp4"})())
    with pytest.raises(FrameError, match=r"v.mp4: frame 7: the frame is one flat colour") as caught:
        read(7)
    assert NO_SIGNAL_TEXT in str(caught.value) and holds_nobody(str(caught.value))


@pytest.mark.usefixtures("one_thread")
def test_no_proposal_and_no_mask_on_black_frames(small_demo, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    for f in BLACK:
        frame = next((demo / "frames").glob(f"{f:05d}.*"))
        cv2.imwrite(str(frame), np.zeros((288, 360, 3), np.uint8))
    project = Project.create(tmp_path / "proj", inputs(demo))
    try:
        with pytest.raises(FrameError, match=r"00003\.\w+: frame 3: the frame is black"):  # a folder's image named
            content_reader(project.load_scene().frames)(3)
        run_job(propose_into(project, [1, 2], ProposeConfig()))
        run_job(propose_into(project, [1, 2], ProposeConfig(method="bgs")))  # a box method too
        assert not any(p.frame in BLACK for pid in (1, 2) for p in project.proposals(pid, with_masks=False))
        skipped = [s for s in project.skips() if s.frame in BLACK]
        assert skipped and all("the frame is black" in s.reason for s in skipped)
        # the evidence step, and a person without a parent network segmented alone within it (a review)
        for refine, model in (("none", "auto"), ("evidence", "auto"), ("evidence", "osvos-lite")):
            result = run_job(scene_run_job(project, config(refine=refine, model=model)))
            assert set(result.persons) == {1, 2} and set(BLACK) <= set(result.unreadable)
            assert "the frame is black" in result.unreadable[0]
            for pid in (1, 2):
                assert not set(project.results(pid)) & set(BLACK) and 10 in project.results(pid)
    finally:
        project.close()


@pytest.mark.usefixtures("one_thread")
def test_cached_detections_and_a_segment_skip_frames_gone_black(small_demo, tmp_path):
    """Detections an earlier run cached on a frame that is black now are not used there; Segment (one person, the
    network alone) makes no mask on black frames and says why."""
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import SegmentConfig, segment_person, train_person

    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    project = Project.create(tmp_path / "proj", inputs(demo))
    try:
        run_job(propose_into(project, [1], ProposeConfig(method="bgs")))  # frame 0's detections cached
        assert 0 in {p.frame for p in project.proposals(1, with_masks=False)}
        project.set_statuses([p.id for p in project.proposals(1, with_masks=False)], "accepted")
        for f in BLACK:
            frame = next((demo / "frames").glob(f"{f:05d}.*"))
            cv2.imwrite(str(frame), np.zeros((288, 360, 3), np.uint8))
        run_job(propose_into(project, [2], ProposeConfig(method="bgs")))
        assert 0 not in {p.frame for p in project.proposals(2, with_masks=False)}
        run = run_job(train_person(project, 1, TrainConfig(model="osvos-lite", steps=1, allow_download=False)))
        seg = run_job(segment_person(project, 1, run.run_id, SegmentConfig(first=0, last=8)))
        assert set(seg.masks.unreadable) == set(BLACK) and "the frame is black" in seg.masks.unreadable[0]
        assert not set(project.results(1)) & set(BLACK) and {6, 7, 8} <= set(project.results(1))
    finally:
        project.close()
