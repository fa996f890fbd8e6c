"""Standing persons, whom background subtraction cannot see, and the persons whose parent maps meet theirs (the
joint proposals give a standing person the parent's own mask, competing with those alone)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..prior.guided_filter import support_box

if TYPE_CHECKING:
    from ..inputs.scene import Scene


def overlapping(probs: Mapping[int, np.ndarray], persons: Iterable[int]) -> dict[int, np.ndarray]:
    """The probabilities of ``persons`` and of every person whose map (its crop) meets one of theirs."""
    boxes = {p: b for p, pr in probs.items() if (b := support_box(pr)) is not None}
    mine = [boxes[p] for p in persons if p in boxes]
    return {p: pr for p, pr in probs.items() if p in persons or (p in boxes and any(
        b[0] <= boxes[p][1] and boxes[p][0] <= b[1] and b[2] <= boxes[p][3] and boxes[p][2] <= b[3] for b in mine))}


def standing(scene: Scene, persons: Iterable[int], f: int, speed: float) -> list[int]:
    """The persons whose track moves slower than ``speed`` m/s over the second around frame ``f`` (0: none)."""
    tracks = getattr(getattr(scene, "trajectories", None), "tracks", None)
    if speed <= 0 or tracks is None:
        return []
    fps = float(getattr(scene.frames, "fps", 25.0) or 25.0)
    half = max(1, round(fps / 2))
    out = []
    for p in persons:
        track = tracks.get(p)
        if track is None:
            continue
        a, b = max(track.first, f - half), min(track.last, f + half)
        if b <= a:
            continue
        pa, pb = track.position(a), track.position(b)
        if pa is not None and pb is not None and float(np.hypot(*(pb - pa))) * fps / (b - a) < speed:
            out.append(p)
    return out
