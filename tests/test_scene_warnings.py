"""The warning about annotated frames outside the video reads cleanly (issue 9: no "frames: frames")."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from humanseg_core.inputs.scene import load_scene


def _scene(folder: Path, first_frame: int, annotated: list[int]) -> Path:
    (folder / "frames").mkdir(parents=True)
    image = np.full((48, 64, 3), 90, np.uint8)
    for i in range(first_frame, first_frame + 5):
        cv2.imwrite(str(folder / "frames" / f"{i:05d}.png"), image)
    rows = [f"{f}\t1\t{1.0 + 0.1 * k:.2f}\t1.00" for k, f in enumerate(annotated)]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    (folder / "H.txt").write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    return folder


def test_frames_outside_the_video_name_the_ranges_once(tmp_path):
    d = _scene(tmp_path, 3700, [100000, 100010])
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    try:
        text = next(w for w in scene.warnings if "annotated frames" in w)
    finally:
        scene.close()
    assert text.startswith("all annotated frames (100000..100010)")
    assert "3700..3704" in text and "frames/" in text and "frame offset" in text
    assert not re.search(r"\b(\w+)\W+\1\b", text), f"a doubled word: {text!r}"
    assert "frames: frames" not in text


def test_some_frames_outside_the_video_give_the_share(tmp_path):
    d = _scene(tmp_path, 0, [0, 2, 4, 40])
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    try:
        text = next(w for w in scene.warnings if "annotated frames" in w)
    finally:
        scene.close()
    assert text.startswith("1 of 4 (25%) annotated frames (0..40)") and "(its frames are 0..4, in frames/)" in text
