"""Mask R-CNN (torchvision ``maskrcnn_resnet50_fpn``, COCO) person detector on the CPU.

Only the person class (COCO label 1) above ``score_threshold`` (0.5) is kept; each instance gives its box,
score and binary mask (probability > 0.5). Weights come from :mod:`.weights` (never downloaded silently).
"""

from __future__ import annotations

import numpy as np

from ...records import Detection
from ...weights import load_state_dict, resolve
from .base import Detector

PERSON_LABEL = 1


def build_model(state_dict=None):
    """The torchvision architecture, randomly initialised unless ``state_dict`` is given."""
    from torchvision.models.detection import maskrcnn_resnet50_fpn
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model.eval()


class MaskRCNNDetector(Detector):
    method = "maskrcnn"

    def __init__(self, weights=None, score_threshold: float = 0.5, mask_threshold: float = 0.5,
                 model=None, sha256: str | None = None):
        """``weights``: a file path, or None for the torchvision cache; ``model``: an already built model
        (tests pass a randomly initialised one) which skips the weight resolution."""
        self.score_threshold = float(score_threshold)
        self.mask_threshold = float(mask_threshold)
        if model is None:
            model = build_model(load_state_dict(resolve(weights, sha256)))
        self.model = model.eval()

    def detect(self, frame_bgr: np.ndarray, frame_index: int) -> Detection:
        import torch
        rgb = np.ascontiguousarray(frame_bgr[..., ::-1])
        tensor = torch.from_numpy(rgb).permute(2, 0, 1).float().div_(255.0)
        with torch.inference_mode():
            out = self.model([tensor])[0]
        keep = (out["labels"] == PERSON_LABEL) & (out["scores"] >= self.score_threshold)
        boxes = out["boxes"][keep].numpy().astype(np.float32).reshape(-1, 4)
        scores = out["scores"][keep].numpy().astype(np.float32)
        masks = [m for m in (out["masks"][keep][:, 0] > self.mask_threshold).numpy()]
        return Detection(frame=int(frame_index), method=self.method, boxes=boxes, scores=scores, masks=masks)
