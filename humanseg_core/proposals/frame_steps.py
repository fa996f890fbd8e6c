"""The joint step's helpers that read a frame's background model: its image, its gain, the matting edges and
the motion towards a neighbouring frame (split out of :mod:`.joint`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..errors import FrameError
from .boundary import refine_edges
from .camera_shake import shaken_position
from .clean_background import TrackMaskedBackground
from .motion import Motion, frame_motion
from .person_mask import box_of

if TYPE_CHECKING:
    from .joint import _FrameState


def motion_of(state: _FrameState, img: np.ndarray, f: int, persons: Mapping, solid: np.ndarray) -> Motion | None:
    """The frame's motion towards a neighbouring frame (the one read before when it is the previous), where
    the foreground ``solid`` is."""
    cfg = state.config.motion
    box = box_of(solid)
    if not cfg.enabled or state.method not in cfg.methods or len(persons) < 2 or box is None:
        return None
    last = state.last

    def read(index: int) -> np.ndarray | None:
        if last is not None and last[0] == index:
            return last[1]
        try:
            return state.scene.frames.read(index)
        except (FrameError, OSError, IndexError, ValueError):
            return None

    return frame_motion(img, f, read, shaken_position(state.background, state.scene.position_px, read), persons, cfg,
                        previous_first=last is not None and last[0] == f - 1, region=box)


def background_image(state: _FrameState, f: int) -> np.ndarray | None:
    """The background image of frame ``f`` when the background model is one (the track-masked median)."""
    bg = state.background
    if bg is None or not isinstance(bg, TrackMaskedBackground) or bg.method != "bgs:median-tracks":
        return None
    return bg.background(f)


def edges(state: _FrameState, img: np.ndarray, f: int, solid: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """``solid`` with its edge band decided by the matting alpha (``JointConfig.boundary``), when the
    background model is a background image (the track-masked median); ``fg``: the uint8 foreground
    (127: shadow)."""
    cfg = state.config.boundary
    background = background_image(state, f)
    if not cfg.enabled or state.method not in cfg.methods or background is None:
        return solid
    return refine_edges(img, background, solid, cfg, shadow=fg == 127, gain=frame_gain_of(state, img, f))


def frame_gain_of(state: _FrameState, img: np.ndarray, f: int) -> float | None:
    """Frame ``f``'s brightness gain against its background, measured once per frame by the track-masked
    median (None for other background models: the callee measures it)."""
    bg = state.background
    return bg.gain(img, f) if isinstance(bg, TrackMaskedBackground) and bg.method == "bgs:median-tracks" else None
