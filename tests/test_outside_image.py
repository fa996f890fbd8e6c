"""A person's frames with its track point outside the image are named (a walk found a person leaving the image
unmasked for 12 frames, much of it still in view, and nothing said why): ``Scene.outside_image``."""

import cv2
import numpy as np

from humanseg_core.inputs.scene import load_scene


def test_the_stretches_with_the_point_outside_the_image(tmp_path):
    (tmp_path / "frames").mkdir()
    for i in range(10, 40):  # 160 x 120 frames 10..39
        cv2.imwrite(str(tmp_path / "frames" / f"{i:05d}.jpg"), np.full((120, 160, 3), 128, np.uint8))
    rows = [f"{f}\t1\t{1.0 + (f - 10) / 30:.4f}\t0.6" for f in (10, 20, 30, 40)]  # 100 px -> 200 px: leaves at 160
    rows += [f"{f}\t2\t0.5\t0.6" for f in (10, 20, 30, 40)]  # stands inside
    (tmp_path / "t.txt").write_text("\n".join(rows) + "\n")
    (tmp_path / "H.txt").write_text("0.01 0 0\n0 0.01 0\n0 0 1\n")  # pixel -> world: 100 px a metre
    scene = load_scene(tmp_path / "frames", tmp_path / "t.txt", tmp_path / "H.txt")
    try:
        out = [f for f in scene.frames.indices if scene.position_px(1, f)[0] >= 160]
        assert out and scene.outside_image(1) == [(out[0], 39)] and out[0] > 10
        assert scene.outside_image(2) == []
    finally:
        scene.close()

