"""The same video opened again with another homography or trajectory file keeps the frame looked at (a walk's File ▸
Estimate Homography ▸ Save and Use went back to the first annotated frame); another video, or another frame offset,
starts on the first annotated frame."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_same_video_read_another_way_keeps_its_frame(opened, scene_dir, tmp_path):
    window = opened
    first = window.current_frame
    later = window.frames.indices[len(window.frames.indices) // 2]
    assert later != first
    window.set_frame(later)
    other_h = tmp_path / "H2.txt"
    other_h.write_text((scene_dir / "H.txt").read_text())
    assert window.open_inputs(dataclasses.replace(window.inputs, homography=str(other_h)))
    assert window.current_frame == later
    assert window.open_inputs(dataclasses.replace(window.inputs, frame_offset=1))  # the annotations move: first
    assert window.current_frame != later
