"""The detector interface: person boxes (and masks when the method gives them) on one frame."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from ...records import Detection


class Detector(ABC):
    """Finds persons on a frame. Called once per frame; the result is shared by every person.

    ``method`` names the detector and its variant (e.g. ``"maskrcnn"``, ``"bgs:median"``); it keys the
    detections cached in a project.
    """

    method: str = "detector"

    @abstractmethod
    def detect(self, frame_bgr: np.ndarray, frame_index: int) -> Detection:
        """Detections on ``frame_bgr`` (BGR uint8 HxWx3), which is frame ``frame_index`` of the video."""


def empty_detection(frame_index: int, method: str, with_masks: bool = True) -> Detection:
    return Detection(frame=int(frame_index), method=method, boxes=np.zeros((0, 4), np.float32),
                     scores=np.zeros((0,), np.float32), masks=[] if with_masks else None)
