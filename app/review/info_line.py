"""The Review panel's info line under the proposal: person, frame, status, method, score, distance, area."""

from __future__ import annotations

from humanseg_core.proposals.methods import JOINT_METHODS
from humanseg_core.workflows.labels import CORRECTION_SOURCE

from .status_counts import STATUS_COLORS


def score_text(p) -> str:
    """The proposal's score; the joint methods' score said in words (a walk saw 'score 1.00' on every
    proposal and could not tell what counts as low)."""
    if str(p.source) == CORRECTION_SOURCE:  # 'score 0.00' read as the worst there is (a walk): it has none
        return "no&nbsp;score (a&nbsp;result put up by Fix frame)"
    if str(p.source).split(":")[0] not in JOINT_METHODS:
        return f"score&nbsp;{p.score:.2f}"
    contested = 1.0 - float(p.score)
    return f"score&nbsp;{p.score:.2f} " + ("(no pixel contested)" if contested < 0.005 else
                                          f"({contested:.0%}&nbsp;nearly another person's)")


def info_text(p, area: int, no_point: bool) -> str:
    """The rich-text line for proposal ``p`` whose mask has ``area`` pixels now (the editor's, while it
    edits); ``no_point``: the track has no point on its frame."""
    c = STATUS_COLORS[p.status].name()
    parts = [f"<b>Person {p.pid}</b> · frame <b>{p.frame}</b>",
             f"<span style='background:{c}; color:white'>&nbsp;{p.status}&nbsp;</span>",
             f"{p.source}", score_text(p), f"{p.distance:.0f}&nbsp;px from track",
             f"mask&nbsp;{area}&nbsp;px"]  # no break inside a value: '952' and 'px' wrapped apart
    if p.flags:
        parts.append("<span style='color:#d08000'>⚑ " + ", ".join(p.flags) + "</span>")
    if no_point:
        parts.append("<i>no track point on this frame</i>")
    if area == 0:
        parts.append("<span style='color:#d03030'>empty mask</span>")
    return " · ".join(parts)
