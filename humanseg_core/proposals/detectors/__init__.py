"""Person detectors: background subtraction blobs (offline, weight-free) and Mask R-CNN (torchvision)."""

from .base import Detector, empty_detection
from .bgs import BGSDetector

METHODS = ("bgs", "maskrcnn")


def make_detector(method: str, read_frame=None, indices=None, bgs_algorithm=None, weights=None,
                  score_threshold: float = 0.5, warmup=None) -> Detector:
    """A detector by method name. ``bgs`` needs ``read_frame`` and ``indices`` for its warm-up;
    ``maskrcnn`` resolves its weights (raising :class:`~humanseg_core.errors.WeightsError`)."""
    if method == "bgs":
        kwargs = {} if warmup is None else {"warmup": warmup}
        return BGSDetector(read_frame, indices, algorithm=bgs_algorithm, **kwargs)
    if method == "maskrcnn":
        from .maskrcnn import MaskRCNNDetector
        return MaskRCNNDetector(weights=weights, score_threshold=score_threshold)
    raise ValueError(f"unknown detection method {method!r}; choose one of {', '.join(METHODS)}")


__all__ = ["Detector", "BGSDetector", "empty_detection", "make_detector", "METHODS"]
