"""A clip of a longer recording whose people are small (16-24 px on 576 rows) or large (150 px): the offset is found
with other body columns (`offset_estimate.HEIGHTS`; zara01_tiny's 24 px and eth_huge's 170 px people had no offset
offered, a walk's 45 px clip none until the second column height)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from humanseg_core.inputs import offset_estimate
from humanseg_core.inputs.offset_estimate import estimate_offset
from humanseg_core.inputs.scene import load_scene
from humanseg_core.jobs import run_job

ROWS, COLS, FRAMES = 576, 720, 60


def _walkers(seed: int = 5) -> dict[int, list[tuple[int, float, float]]]:
    """{pid: [(frame, u, v)]}: eight people walking straight across the image, feet at (u, v)."""
    rng = np.random.default_rng(seed)
    out = {}
    for pid in range(1, 9):
        u0, v0 = rng.uniform(60, COLS - 60), rng.uniform(150, ROWS - 40)
        du, dv = rng.uniform(-3, 3), rng.uniform(-1, 1)
        out[pid] = [(f, u0 + du * f, v0 + dv * f) for f in range(FRAMES)]
    return out


def small_clip(folder: Path, tall: int = 24) -> tuple[Path, Path, Path]:
    """Frames of ``tall`` px people (a third as wide) on a textured floor, and the recording's file: their walks at
    frames 3000.. and decoy walks at other times (the same walks backwards at 1000.., moved at 5000..); H: world =
    pixel / 10."""
    rng = np.random.default_rng(0)
    floor = (rng.normal(120, 6, (ROWS, COLS, 3))).clip(0, 255).astype(np.uint8)
    walkers = _walkers()
    (folder / "frames").mkdir(parents=True)
    for f in range(FRAMES):
        img = floor.copy()
        for steps in walkers.values():
            _, u, v = steps[f]
            cv2.rectangle(img, (int(u) - tall // 6, int(v) - tall), (int(u) + tall // 6, int(v)), (30, 40, 60), -1)
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.bmp"), img)  # (uncompressed: fast to write and read)
    rows = []
    for pid, steps in walkers.items():
        for f, u, v in steps[::10]:
            x, y = u / 10, v / 10
            rows += [f"{f + 3000}\t{pid}\t{x:.3f}\t{y:.3f}", f"{1050 - f}\t{pid + 100}\t{x:.3f}\t{y:.3f}",
                     f"{f + 5000}\t{pid + 200}\t{x + 9:.3f}\t{y - 7:.3f}"]
    (folder / "recording.txt").write_text("\n".join(rows) + "\n")
    (folder / "H.txt").write_text("0.1 0 0\n0 0.1 0\n0 0 1\n")
    return folder / "frames", folder / "recording.txt", folder / "H.txt"


def test_small_and_large_peoples_offset_is_found_with_other_body_columns(tmp_path, monkeypatch):
    usual, *smaller = offset_estimate.HEIGHTS
    # 24 px: the second column height finds it; 16 px: the third; 150 px (eth_huge's size): the fourth
    for tall, needs in ((24, 2), (16, 3), (150, 4)):
        frames, tracks, h = small_clip(tmp_path / str(tall), tall)
        with load_scene(frames, tracks, h) as scene:
            found = run_job(estimate_offset(scene))
            assert found is not None and abs(found.offset + 3000) <= 1, (tall, found)
            monkeypatch.setattr(offset_estimate, "HEIGHTS", offset_estimate.HEIGHTS_DEFAULT[:needs - 1])
            assert run_job(estimate_offset(scene)) is None, tall  # without it: nothing offered
            monkeypatch.setattr(offset_estimate, "HEIGHTS", offset_estimate.HEIGHTS_DEFAULT)
