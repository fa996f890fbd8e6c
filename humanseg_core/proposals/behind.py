"""Mostly behind a nearer person: a farther person whose part a nearer person may be seen at gets no proposal.

In a crowd a person often walks beside or just behind another (a pair, a pram pusher, a child): the
nearer one hides most of the farther one. The parent, prompted at the farther person's point, then
segments whatever body is seen there, which is the nearer person's (its pram, its companion, a dancer's
limbs), and the ownership step gives it to the farther person: its own probability there is the higher,
because the nearer person's crop sees that part only faintly (its prompt sits a third of a height away).
Diagnosed on eth_dense (ADR 0006 "Mostly behind a nearer person"): of 47 wrong-person proposals, 41
targets had less than half of their body visible, every proposal with less than 40 % visible was wrong,
and in 46 the farther person's probability beat the nearer person's on the pixels it took; the nearer
person's probability there was faint (often 0.1-0.5) but not zero.

Rule (:func:`mostly_behind`): a pixel where a nearer person's own parent probability reaches ``seen``
(0.3, the level from which the parent calls a foreground pixel a person's, ``ParentConfig.low``) is a
pixel that person may be seen at; a farther person with ``share`` (half) or more of its part on such
pixels is mostly behind it and gets no proposal ("hidden behind person N"), provided a nearer person is
surely seen (0.5) on ``sure_share`` (0.3) of that part: a faint halo alone hides nobody. A wrong proposal poisons
fine-tuning; a missing one costs recall, which is far above its target, so a mostly hidden person gets
nothing rather than a guess (as the existing occlusion rule, :func:`.parent_masks.parent_occlusion`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from .body_prior import body_axes


@dataclass(frozen=True)
class BehindConfig:
    enabled: bool = True
    seen: float = 0.3  # a nearer person may be seen where its own parent probability reaches this ...
    share: float = 0.5  # ... and a farther person with this share of its part there is mostly behind it ...
    # ... when the nearer person is also surely seen (probability ``sure``) on ``sure_share`` of that part: a
    # wide nearer person's faint halo (a stroller's pusher) covered a 96 % visible person of a walk
    # (zara02_still, 0.3 on 54 % of its part, 0.5 on 4 %); 0: off
    sure: float = 0.5
    sure_share: float = 0.3
    methods: tuple[str, ...] = ("bgs+parent",)  # the joint methods it runs in (measured there)
    # a person counts as nearer only with its feet this share of the farther one's height lower: two persons
    # side by side are at one depth, their feet rows apart by noise (a walk's person 202, 100 % visible in
    # front of a pram, was "hidden behind" its pusher, feet 0.24 px lower). Measured, not adopted (BENCHMARKS
    # "Depth ties in the mostly-behind rule"): 0.03 gives recall and mean IoU, costs median IoU and wrong
    # persons on every crowd (eth_big 0.690 / 0.592 / 1.6 % -> 0.678 / 0.616 / 2.5 %)
    tie: float = 0.0
    # the same margin where the track points are heads or body centres: there the feet row is the point plus an
    # expected height, not seen (a walk's person in front, fully visible, was "hidden behind" the one it hid: heads
    # on one row, feet rows 1.4 px apart by the expected heights). Measured (BENCHMARKS "Depth ties where the feet
    # are not seen"): on 11 head- or centre-anchored scenes, 9 unchanged; eth_huge recall 97.0 -> 100 %, wrong
    # persons 4.2 -> 4.0 %; the walk's ETH scene recall 97.9 -> 98.6 %; median IoU -0.001 on those two
    tie_unseen_feet: float = 0.05
    # two persons standing still, one behind the other (a chatting pair): the verdict would hold on every frame and
    # the farther one would get no proposal at all, where a walker behind another is hidden for a few frames. A
    # helper's scene with every other person of biwi_eth frozen: recall 87.0 -> 97.0 %, mean IoU 0.676 -> 0.719,
    # wrong person 0.6 -> 2.1 %; eth_dense, eth_big, zara02_still, students03 unchanged, davis_audience +0.002 mean
    # (BENCHMARKS "Two persons standing still, one behind the other")
    spare_standing_pairs: bool = True


def mostly_behind(parts: Mapping, probs: Mapping, persons: Mapping, anchor: str, heights: Mapping,
                  config: BehindConfig = BehindConfig(), standing: Collection = ()) -> dict:
    """{pid: the nearer person it is mostly behind} for the persons of ``parts`` ({pid: bool mask}) whose
    part lies ``config.share`` or more where a nearer person's probability (``probs``: {pid: full-frame
    probability}) reaches ``config.seen``. Nearer: lower feet in the image (``persons`` {pid: (u, v)},
    ``heights`` {pid: px}). ``standing``: the persons standing still; one behind another standing one is kept
    (``config.spare_standing_pairs``). Empty when off."""
    if not config.enabled:
        return {}
    known = [p for p in persons if p in heights]
    axes = body_axes({p: persons[p] for p in known}, anchor, heights)
    out: dict = {}
    for p, part in parts.items():
        ys, xs = np.nonzero(part)
        if p not in axes or len(xs) == 0:
            continue
        margin = (config.tie if anchor == "feet" else config.tie_unseen_feet) * float(heights[p])
        nearer = [q for q in probs if q != p and q in axes and axes[q][2] > axes[p][2] + margin]
        if not nearer:
            continue
        near_probs = np.stack([probs[q][ys, xs] for q in nearer])
        seen = near_probs >= config.seen
        if float(seen.any(axis=0).mean()) < config.share:
            continue
        if config.sure_share > 0 and float((near_probs >= config.sure).any(axis=0).mean()) < config.sure_share:
            continue
        out[p] = nearer[int(seen.sum(axis=1).argmax())]
    if config.spare_standing_pairs:
        out = {p: q for p, q in out.items() if not (p in standing and q in standing)}
    return out


__all__ = ["BehindConfig", "mostly_behind"]
