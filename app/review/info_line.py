"""The Review panel's info line under the proposal: person, frame, status, method, score, distance, area."""

from __future__ import annotations

import numpy as np

from humanseg_core.proposals.methods import JOINT_METHODS
from humanseg_core.proposals.moving_camera import MOVING_FLAG
from humanseg_core.proposals.score_bands import (
    bands_of,
    is_certainty,
    is_factor_flag,
    score_band_text,
    score_factors,
)
from humanseg_core.workflows.labels import CORRECTION_SOURCE, HAND_SOURCE, IMPORT_SOURCE

from .status_counts import STATUS_COLORS, text_on


def score_text(p) -> str:
    """The proposal's score; the joint methods' score said in words (a walk saw 'score 1.00' on every
    proposal and could not tell what counts as low)."""
    if str(p.source) == CORRECTION_SOURCE:  # 'score 0.00' read as the worst there is (a walk): it has none
        return "no&nbsp;score (a&nbsp;result put up by Fix frame)"
    if str(p.source) == HAND_SOURCE:
        return "no&nbsp;score (drawn by hand)"
    if p.status == "edited":  # the proposal's score, of the mask before the edit (a walk read it as the edit's)
        return f"score&nbsp;{p.score:.2f} before your edit"
    if str(p.source).split(":")[0] not in JOINT_METHODS:
        return f"score&nbsp;{p.score:.2f}"
    # below the top band, how often proposals so scored were wrong or poor (a walk could not tell what counts
    # as doubtful)
    band = f"; {score_band_text(float(p.score), p.flags)}" if p.score < bands_of(p.flags)[0][0] else ""
    factors = score_factors(p.flags)
    if factors is not None:  # two factors (bgs+parent since 4 Dec, the parent alone since 5 Dec): both said
        contested, agrees = factors
        shared = "no pixel contested" if contested < 0.005 else f"{contested:.0%}&nbsp;nearly another person's"
        second = (f"the parent's certainty {agrees:.2f}" if is_certainty(p.flags)  # of the mask (since 5 Dec)
                  else f"the parent's own mask agrees {agrees:.2f}")
        return f"score&nbsp;{p.score:.2f} ({shared}; {second}{band})"
    contested = 1.0 - float(p.score)
    if contested < 0.005:
        return f"score&nbsp;{p.score:.2f} (no pixel contested)"
    return f"score&nbsp;{p.score:.2f} ({contested:.0%}&nbsp;nearly another person's{band})"


def in_front_of(p, point, others, others_masks=None) -> list[int]:
    """The nearer persons (their track point lower: ``others`` {pid: (u, v)}) whose proposal on the frame
    (``others_masks`` {pid: bool mask}) touches the mask of ``p``'s person, most contact first; without other
    proposals on the frame, those whose points lie on its body (the Fix tab's "behind person N").

    Measured against the exact masks (BENCHMARKS "Who stands in front, in Review"): of the persons a nearer one
    touches, the touching proposals name one rightly for 90-95 %, the points for 46-74 %."""
    if point is None or not others:
        return []
    others = {q: uv for q, uv in others.items() if q != p.pid and uv is not None}
    nearer = {q for q, (_u, v) in others.items() if v > point[1]}
    masks = {q: m for q, m in (others_masks or {}).items() if q in others and m is not None}
    mask = getattr(p, "mask", None)
    if masks and mask is not None and np.any(mask):
        return [q for q, _n in sorted(_contacts(np.asarray(mask, bool), {q: masks[q] for q in nearer if q in masks})
                                      .items(), key=lambda kv: -kv[1])]
    from humanseg_core.workflows.correction import all_nearer_on_body

    box = getattr(p, "box", None)
    if box is None or box[3] <= box[1]:
        return []
    # a quarter of a height to either side: half (the Fix tab's) named four persons for one of a crowd (a look)
    return all_nearer_on_body(point, float(box[3] - box[1]), others, width=0.25)


def _contacts(mask: np.ndarray, masks: dict, ring: int = 2, least: int = 10) -> dict[int, int]:
    """{pid: pixels of its mask within ``ring`` px outside ``mask``} for those touching at least ``least``."""
    import cv2

    ys, xs = np.nonzero(mask)
    y0, y1 = max(0, ys.min() - ring), min(mask.shape[0], ys.max() + ring + 1)
    x0, x1 = max(0, xs.min() - ring), min(mask.shape[1], xs.max() + ring + 1)
    crop = mask[y0:y1, x0:x1]
    near = (cv2.dilate(crop.astype(np.uint8), np.ones((2 * ring + 1, 2 * ring + 1), np.uint8)) > 0) & ~crop
    out = {}
    for q, m in masks.items():
        if m.shape == mask.shape and (n := int((near & np.asarray(m[y0:y1, x0:x1], bool)).sum())) >= least:
            out[q] = n
    return out


# labels made by hand, by a fix or imported have no distance to the track measured (it read "0 px", a walk)
UNPLACED_SOURCES = (HAND_SOURCE, CORRECTION_SOURCE, IMPORT_SOURCE)
# flags said in words (a walk read "⚑ shared" and found it nowhere in the README)
FLAG_WORDS = {
    "shared": "shared: a third or more of its pixels were contested with another person, check the split",
    "ambiguous": "ambiguous: another detection lay about as near the track point",
}


def info_text(p, area: int, no_point: bool, in_front: list[int] | None = None, editing: bool = False) -> str:
    """The rich-text line for proposal ``p`` whose mask has ``area`` pixels now (the editor's, while it
    edits); ``no_point``: the track has no point on its frame; ``in_front``: the nearer persons that may
    stand in front of it (:func:`in_front_of`); ``editing``: ``area`` is the editor's mask's."""
    c, ink = STATUS_COLORS[p.status].name(), text_on(STATUS_COLORS[p.status])
    hidden = area == 0 and p.status == "edited" and not editing  # Review ▸ Not Visible Here (V): the analyst's
    parts = [f"<b>Person {p.pid}</b> · frame <b>{p.frame}</b>",  # (a walk read "edited" and a red "empty mask")
             f"<span style='background:{c}; color:{ink}'>&nbsp;{'not visible' if hidden else p.status}&nbsp;</span>",
             f"{p.source}" + (" (the parent alone: a moving camera)" if MOVING_FLAG in (p.flags or ()) else ""),
             score_text(p),
             *([] if p.source in UNPLACED_SOURCES else [f"{p.distance:.0f}&nbsp;px from track"]),
             f"mask&nbsp;{area}&nbsp;px"]  # no break inside a value: '952' and 'px' wrapped apart
    warned = [FLAG_WORDS.get(f, f) for f in p.flags if not is_factor_flag(f)]  # the score's factors: with the score
    if warned:
        parts.append("<span style='color:#d08000'>⚑ " + ", ".join(warned) + "</span>")
    if in_front and p.status != "edited":  # a walk saw a mask mostly another's with only a share said contested
        # (not on a mask the analyst edited: its pixels are the analyst's answer to that question, a walk)
        who = (f"person {in_front[0]} stands" if len(in_front) == 1
               else f"persons {', '.join(map(str, in_front[:4]))} stand")
        parts.append(f"<span style='color:#d08000'>⚑ {who} in front: are these pixels this person's?</span>")
    if no_point:
        parts.append("<i>no track point on this frame</i>")
    if hidden:
        parts.append("marked not visible here: no mask written, no training label (Ctrl+Z or E to undo)")
    elif area == 0:
        parts.append("<span style='color:#d03030'>empty mask</span>")
    return " · ".join(parts)


def pieces_note(mask) -> str:
    """': 2 pieces. …' for a saved mask in more than one piece of at least 2 % of it (a brush
    stroke apart from the person was saved without a word, a walk), else ''."""
    import cv2
    import numpy as np

    m = np.asarray(mask, np.uint8) if mask is not None else None
    if m is None or not m.any():
        return ""
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(m, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    pieces = int(np.count_nonzero(areas >= 0.02 * areas.sum()))
    # short: the status bar cut the longer note in its middle (a walk read "2 separ...part from the person")
    # a person split by another in front is in pieces too (a walk's right lasso mask read as a mistake)
    # (and shorter again: 613 px of a 630 px message cut "…erson in front", a walk at 1280 wide)
    # (E opens the edit, N is its eraser: a walk read "E: eraser" and pressed E for the brush)
    return f": {pieces} pieces. A person in front or a stray stroke? (E, N erases)" if pieces > 1 else ""
