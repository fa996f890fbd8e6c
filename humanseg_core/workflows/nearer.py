"""A person segmented on its own (the Segment tab, ``humanseg segment``, a retrain) gives up the pixels that a
nearer person's stored results hold, as a whole-scene run resolves them (``scene_sink``: nearer wins).

A walk retrained one person after a whole-scene run: its new masks spread into two neighbours, its DAVIS
export kept 538 pixels on two persons, and the MOTS export (which resolves overlaps) gave some of them to it,
lowering a neighbour's J on three frames with nothing said.  Only the new person's masks change here; the
other persons' stored results are never touched (where the new person is the nearer, exports give it the
shared pixels, :func:`export.mots.one_owner`).

Nearer is lower in the image by the track points (the scene's anchor is one for all persons, so the order of
their rows is the order of their feet rows).  Only the persons whose track point lies near the new mask on a
frame are decoded there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import rle
from ..proposals.person_mask import box_of


def trim_to_nearer(project, scene, pid: int, masks: Mapping[int, np.ndarray | None]) -> tuple[dict, int]:
    """(``masks`` less the pixels nearer persons' stored results hold, pixels taken away)."""
    used = {q: run for q, (run, _n) in project.result_frames().items() if int(q) != int(pid)}
    if not used:
        return dict(masks), 0
    blobs: dict[int, dict[int, bytes]] = {}
    out: dict = {}
    removed = 0
    for frame, mask in masks.items():
        out[frame] = mask
        point = scene.position_px(pid, frame) if mask is not None else None
        if point is None or not np.any(mask):
            continue
        bx0, by0, bx1, by1 = box_of(np.asarray(mask, bool))  # type: ignore[misc]  # (not empty: checked)
        reach = float(by1 - by0)  # a body's height around the mask
        x0, x1, y0, y1 = bx0 - reach, bx1 - 1 + reach, by0 - reach, by1 - 1 + reach
        trimmed = None
        for q, (u, v) in scene.persons_at(frame).items():
            if q not in used or v <= point[1] or not (x0 <= u <= x1 and y0 <= v <= y1):
                continue  # farther (or level), or too far off to touch it
            if q not in blobs:
                blobs[q] = project.mask_blobs(q, "results", used[q])
            blob = blobs[q].get(int(frame))
            if blob is None:
                continue
            try:
                theirs = rle.from_blob(blob).astype(bool)
            except Exception:  # a damaged blob: the store says so where it is read; nothing taken here
                continue
            current = np.asarray(mask if trimmed is None else trimmed, bool)
            if theirs.shape != current.shape:
                continue
            clash = current & theirs
            n = int(np.count_nonzero(clash))
            if n:
                trimmed = current & ~theirs
                removed += n
        if trimmed is not None:
            out[frame] = trimmed
    return out, removed
