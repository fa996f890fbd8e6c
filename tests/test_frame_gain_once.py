"""A frame's brightness gain against its background is measured once: the foreground, the deep foot shadows
and the matting edges of one frame share it (clean_background.TrackMaskedBackground.gain)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from fakes import FloorFrames, rect_mask

from humanseg_core.proposals import clean_background
from humanseg_core.proposals.boundary import BoundaryConfig, refine_edges
from humanseg_core.proposals.clean_background import TrackMaskedBackground
from humanseg_core.proposals.detectors.bgs import frame_gain, shadow_free_difference


class DriftingFloor(FloorFrames):
    """The floor brightening 2 % a frame, a dark person at the same place from frame 14 on, its side columns
    half person, half floor (where the matting alpha decides)."""

    def read(self, index: int) -> np.ndarray:
        img = np.clip(self.bg.astype(np.float32) * (1 + 0.02 * index), 0, 255).astype(np.uint8)
        if index >= 14:
            img[20:60, 39] = img[20:60, 39] // 2 + 20
            img[20:60, 55] = img[20:60, 55] // 2 + 20
            img[20:60, 40:55] = 40
        return img


def _background(n: int = 20) -> TrackMaskedBackground:
    scene = SimpleNamespace(frames=DriftingFloor(n, 80, 100, seed=3), persons_at=lambda f: {})
    return TrackMaskedBackground(scene, SimpleNamespace(height=lambda *a: 40.0), samples=9)


def test_the_gain_is_measured_once_per_frame(monkeypatch):
    calls = []
    monkeypatch.setattr(clean_background, "frame_gain", lambda f, b: calls.append(1) or frame_gain(f, b))
    bg = _background()
    img = bg.scene.frames.read(16)
    fg = bg.foreground(img, 16)
    assert bg.gain(img, 16) == bg.gain(img, 16) == frame_gain(img, bg.background(16)) and len(calls) == 1
    assert (fg == shadow_free_difference(img, bg.background(16), bg.threshold)).all()  # as measured in place
    bg.gain(bg.scene.frames.read(17), 17)
    assert len(calls) == 2


def test_the_edges_use_the_gain_they_are_given():
    bg = _background()
    img = bg.scene.frames.read(16)
    background = bg.background(16)
    mask = rect_mask(img.shape[:2], 39, 19, 56, 61)
    config = BoundaryConfig(min_contrast=1.0)
    measured = refine_edges(img, background, mask, config)
    assert (refine_edges(img, background, mask, config, gain=frame_gain(img, background)) == measured).all()
    assert (refine_edges(img, background, mask, config, gain=1.5) != measured).any()
