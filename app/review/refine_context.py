"""What click-to-refine knows besides the clicks: the frame, the other persons' points, the body prior.

The body prior (``humanseg_core.proposals.refine.RefinePrior``) places every person's expected body on the
frame from its track point, where the point sits on a body (the project's anchor; "auto": estimated once
from the proposals' boxes) and the expected height (``labelled_height_model``: the homography's ground scale
calibrated with the proposals' boxes);
the other persons' proposals on the frame say where they are: accepted or edited ones surely, pending ones
probably. Everything here is small and per click; the height model and the anchor are computed once per
scene and project.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from humanseg_core.proposals.refine import RefinePrior, refine_prior

if TYPE_CHECKING:
    from humanseg_core.proposals.body_prior import HeightModel

SURE = ("accepted", "edited")
ANCHOR_SAMPLES = 300  # proposals' boxes looked at to estimate where the points sit on bodies


class RefineContext:
    def __init__(self) -> None:
        self._key: tuple | None = None
        self._heights: HeightModel | None = None
        self._anchor = "centre"

    def _prepare(self, project, scene, boxes: Mapping[int, list]) -> None:
        key = (id(project), id(scene))
        if key == self._key:
            return
        from humanseg_core.proposals.association import estimate_anchor, relative_height
        from humanseg_core.proposals.body_prior import labelled_height_model

        self._key = key  # heights calibrated with the proposals' boxes (the homography alone: a default height)
        self._heights = labelled_height_model(scene, [(pid, frame, box) for frame, entries in boxes.items()
                                                      for pid, _id, box in entries])
        anchor = getattr(getattr(project, "inputs", None), "anchor", "auto") or "auto"
        if anchor == "auto":
            rel = []
            for frame, entries in boxes.items():
                for pid, _id, box in entries:
                    uv = scene.position_px(pid, frame)
                    if uv is not None and box is not None:
                        rel.append(relative_height(uv, box))
                if len(rel) >= ANCHOR_SAMPLES:
                    break
            anchor = estimate_anchor(rel)
        self._anchor = anchor

    def prior(self, project, scene, boxes: Mapping[int, list], pid: int, frame: int,
              others: Sequence[tuple[float, float]], others_masks: Sequence[tuple[np.ndarray, str]],
              shape: tuple[int, int]) -> RefinePrior:
        """The body prior of ``pid`` on ``frame``: ``others`` are the other persons' points, ``others_masks``
        their proposals on this frame as (mask, status); ``boxes``: frame -> [(pid, id, box)]."""
        self._prepare(project, scene, boxes)
        heights = self._heights
        point = scene.position_px(pid, frame)

        def height(p: tuple[float, float]) -> float:
            return float(heights.height(None, p[1], p[0])) if heights is not None else 0.13 * shape[0]

        sure = np.zeros(shape, bool)
        likely = np.zeros(shape, bool)
        for mask, status in others_masks:
            if mask is None or mask.shape != shape or status == "rejected":
                continue
            (sure if status in SURE else likely)[...] |= mask.astype(bool)
        return refine_prior(point, others, self._anchor, height, sure if sure.any() else None,
                            likely if likely.any() else None)
