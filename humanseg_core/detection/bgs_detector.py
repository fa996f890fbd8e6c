"""Weight-free, offline person detection: foreground blobs of background subtraction.

The foreground (shadows excluded) is median-filtered to drop specks, closed with a tall kernel so a person's
parts join, and split into connected components; components too small for a person are dropped. Each
remaining blob gives a box, a score (its foreground fill) and its mask (the raw foreground inside it).
The background model is warmed up on the frames preceding each frame (see :mod:`humanseg_core.bgs`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import cv2
import numpy as np

from ..bgs import DEFAULT_WARMUP, BackgroundSubtractor
from ..records import Detection
from .base import Detector

REF_AREA = 720 * 576


class BGSDetector(Detector):
    def __init__(self, read_frame: Callable[[int], np.ndarray], indices: Sequence[int],
                 algorithm: str | None = None, warmup: int = DEFAULT_WARMUP, min_area: float = 60.0,
                 min_height: float = 10.0):
        self.subtractor = BackgroundSubtractor(algorithm, read_frame, indices, warmup=warmup)
        self.method = self.subtractor.method
        self.min_area = min_area  # px at 720x576, scaled with the image area
        self.min_height = min_height  # px at 576 rows, scaled with the image height
        self.last_foreground: np.ndarray | None = None

    def detect(self, frame_bgr: np.ndarray, frame_index: int) -> Detection:
        fg = self.subtractor.foreground(frame_bgr, frame_index)
        self.last_foreground = fg
        return blobs_to_detection(fg, frame_index, self.method, self.min_area, self.min_height)


def blobs_to_detection(fg: np.ndarray, frame_index: int, method: str, min_area: float = 60.0,
                       min_height: float = 10.0) -> Detection:
    """Boxes and masks of the person-sized foreground blobs of ``fg`` (uint8, 255 = foreground)."""
    h, w = fg.shape[:2]
    scale = np.sqrt(h * w / REF_AREA)
    solid = (fg == 255).astype(np.uint8)
    solid = cv2.medianBlur(solid, 3)  # drops specks without shifting edges
    kx, ky = max(3, int(round(5 * scale)) | 1), max(3, int(round(9 * scale)) | 1)
    joined = cv2.morphologyEx(solid, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kx, ky)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes, scores, masks = [], [], []
    for c in range(1, n):
        x, y, bw, bh, area = stats[c]
        if area < min_area * scale * scale or bh < min_height * scale:
            continue
        m = np.zeros((h, w), bool)
        region = labels[y:y + bh, x:x + bw] == c
        m[y:y + bh, x:x + bw] = region & (solid[y:y + bh, x:x + bw] > 0)
        boxes.append((x, y, x + bw, y + bh))
        scores.append(float(m[y:y + bh, x:x + bw].sum()) / float(bw * bh))
        masks.append(m)
    return Detection(frame=int(frame_index), method=method,
                     boxes=np.asarray(boxes, np.float32).reshape(-1, 4),
                     scores=np.asarray(scores, np.float32), masks=masks)
