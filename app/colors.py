"""Stable, well separated colours per person id: the same pid gets the same colour everywhere in the studio.

With a scene open (:func:`use_scene`), its persons get colours chosen together: persons whose annotated
spans overlap in time (they can be in view together) get colours far apart (greedy, most crowded persons
first, from 24 hues in three tones), a colour nobody has yet preferred when it gives up at most
``SHARE_TOLERANCE`` or stays ``FAR_ENOUGH`` from them. The golden-ratio hues of the person id alone put
persons 21, 34, 55 or 144 ids apart on nearly the same hue: zara02_center's 70 and 91 in two greens (CIE76
difference 11.5), students03's 142, 286 and 430 in one pink (2.0); chosen together the closest pair of
persons in view together differs by 25-56 (CIE76) on zara01, zara01_feet, zara01_small, zara02_center,
students03, eth_dense and eth_big, and no two persons share a colour but one pair in eth_dense (41 persons)
and one in students03 (36) (2-12 pairs shared before the preference, closest pairs 28-56). Ids outside the
open scene keep their golden-ratio hue.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import cv2
import numpy as np
from PySide6.QtGui import QColor, QIcon, QPixmap

_GOLDEN = 0.618033988749895
_TONES = ((230, 255), (255, 170), (120, 255))  # (saturation, value): bright, deep, pale
_HUES = 24
MAX_CHOSEN = 1000  # more persons than this: the golden-ratio hues (the choice is quadratic in persons)
_palette: dict[int, tuple[int, int, int]] = {}  # the open scene's persons: pid -> (r, g, b)
# CIE76 units of separation from the persons in view together given up for a colour no other person has
SHARE_TOLERANCE = 8.0
FAR_ENOUGH = 40.0  # CIE76 from every person in view together: plenty, whatever a shared colour would give


@lru_cache(maxsize=4096)
def _golden_rgb(pid: int) -> tuple[int, int, int]:
    """An (r, g, b) colour for ``pid`` alone: hues spread by the golden ratio, saturated and bright."""
    hue = (0.11 + _GOLDEN * int(pid)) % 1.0
    # alternate the value a little so neighbouring hues stay apart on a dark or light background
    value = 255 if int(pid) % 2 == 0 else 225
    c = QColor.fromHsv(int(hue * 359), 230, value)
    return c.red(), c.green(), c.blue()


def person_rgb(pid: int) -> tuple[int, int, int]:
    """The (r, g, b) colour of ``pid``: its colour in the open scene, else its golden-ratio hue."""
    return _palette.get(int(pid)) or _golden_rgb(int(pid))


@lru_cache(maxsize=1)
def _candidates() -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """The colours to choose from and their pairwise CIE76 differences."""
    rgb = []
    for s, v in _TONES:
        for k in range(_HUES):
            c = QColor.fromHsv(int(round(360 * (k + 0.5 * (s < 200)) / _HUES)) % 360, s, v)
            rgb.append((c.red(), c.green(), c.blue()))
    lab = cv2.cvtColor(np.uint8([rgb]), cv2.COLOR_RGB2LAB)[0].astype(np.float64) * [100 / 255, 1, 1]
    return rgb, np.linalg.norm(lab[:, None, :] - lab[None, :, :], axis=2)


def scene_palette(spans: Mapping[int, tuple[int, int]]) -> dict[int, tuple[int, int, int]]:
    """{pid: (r, g, b)} for persons annotated over ``spans`` ({pid: (first frame, last frame)}): persons whose
    spans overlap get colours as different as the candidates allow. Deterministic; empty beyond MAX_CHOSEN."""
    pids = sorted(int(p) for p in spans)
    if not pids or len(pids) > MAX_CHOSEN:
        return {}
    rgb, dist = _candidates()
    first = np.array([spans[p][0] for p in pids])
    last = np.array([spans[p][1] for p in pids])
    together = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
    np.fill_diagonal(together, False)
    chosen = np.full(len(pids), -1)
    for i in sorted(range(len(pids)), key=lambda i: (-int(together[i].sum()), pids[i])):
        near = chosen[together[i] & (chosen >= 0)]
        score = dist[:, near].min(axis=1) if len(near) else np.zeros(len(rgb))
        used = chosen[chosen >= 0]
        if len(used):  # ties: the colour least like any chosen so far
            score = score + 1e-3 * dist[:, used].min(axis=1)
            free = np.ones(len(rgb), bool)
            free[used] = False
            # a colour nobody has yet, when one is nearly as far from the persons in view together: two rows
            # of a table in one colour read as one person twice (a walk: persons 14 and 21 both yellow)
            if free.any() and score[free].max() >= min(score.max() - SHARE_TOLERANCE, FAR_ENOUGH):
                score = np.where(free, score, -np.inf)
        chosen[i] = int(np.argmax(score))
    return {p: rgb[int(c)] for p, c in zip(pids, chosen, strict=True)}


def use_scene(scene) -> None:
    """Colour the persons of ``scene`` (a core Scene, or None) together; called when the window opens it."""
    global _palette
    tracks = getattr(getattr(scene, "trajectories", None), "tracks", None) or {}
    # the persons of the video, their spans within it: the same persons get the same colours whichever file
    # of the recording they come from (a walk's person 130 was teal with obsmat.txt's 360 persons, pink with a
    # truncated copy, salmon with the clip's own file)
    inside = getattr(scene, "pids_in_video", None)
    shown = set(inside() if inside is not None else ()) or set(tracks)
    indices = getattr(getattr(scene, "frames", None), "indices", None)
    lo, hi = (int(indices[0]), int(indices[-1])) if indices is not None and len(indices) else (None, None)

    def span(t) -> tuple[int, int]:
        first, last = int(t.frames[0]), int(t.frames[-1])
        return (first, last) if lo is None or hi is None else (max(first, lo), min(last, hi))

    _palette = scene_palette({int(p): span(t) for p, t in tracks.items() if len(t.frames) and p in shown})


def person_color(pid: int, alpha: int = 255) -> QColor:
    """The person's colour as a QColor (optionally translucent)."""
    r, g, b = person_rgb(pid)
    return QColor(r, g, b, alpha)


def contrast_text(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()
    return QColor(0, 0, 0) if luminance > 150 else QColor(255, 255, 255)


@lru_cache(maxsize=4096)
def _swatch_rgb(rgb: tuple[int, int, int]) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(QColor(*rgb))
    return QIcon(pm)


def person_swatch(pid: int) -> QIcon:
    """A small square of the person's colour, for lists and boxes that name persons by id."""
    return _swatch_rgb(person_rgb(pid))
