"""A proposal's score, and what it says about it, measured: the share of proposals in each score band whose
mask is wrong or poor (IoU < 0.5 with the person's exact mask).

The ``bgs+parent`` score (since 4 Dec 2026) is the product of two shares, each said in the proposal's flags:

- 1 - the share of the mask another person nearly had (the ownership's ambiguity, :mod:`.joint`);
- the mask's agreement with the parent network's own mask of the person on that frame (IoU with its
  probability >= 0.5): where the final mask, made from background subtraction, pixel ownership and the
  neighbouring frames, parts from what the network sees, one of them is wrong.

Measured on six composed scenes with exact ground truth (eth_big, zara02_still, eth_dense, students03,
zara01_small, zara01_tiny; 1435 proposals; BENCHMARKS "A proposal's score from two signals"), detecting IoU
< 0.5: AUC 0.862 with the first share alone, 0.902 with the product (zara01_tiny, whose 86 proposals all
scored 1.00 before: 0.500 → 0.810). Bands of the product, measured again on all seventeen composed scenes
(3655 proposals, the parent's crop of 4 Dec; BENCHMARKS "The parent's crop for persons taller than its
input"): under 0.5, 139 of 209 wrong or poor (67 %); 0.5-0.7, 132 of 600 (22 %); 0.7 and up, 33 of 2846
(1.2 %). In the densest crowd (davis_audience) 0.5-0.7 is one in two and 0.7 and up one in nine; on a walk's
fresh ETH scene of 4-11 people in view (5 Dec), 14 of 25 in 0.5-0.7 and 2 of 101 from 0.7: the middle band is
said as "1 in 4 to 1 in 2", the scenes' spread.

The ``parent`` method's score (since 5 Dec 2026; also the moving camera's, :mod:`.moving_camera`) has the same
first factor; its mask is the parent's, so its second is how sure the parent was of it: the soft IoU of the mask
with the parent's probabilities (low where many pixels lie near 0.5), divided by ``SURE_FULL`` and capped at 1.
Every proposal of a person alone had scored 1.00. Measured on eight composed scenes and DAVIS real video (1979
proposals; BENCHMARKS "A score for the parent alone"), detecting IoU < 0.5: AUC 0.847 with the first factor alone,
0.93 with the product; ``SURE_FULL`` makes its bands read as the ``bgs+parent`` score's (under 0.5, 68 % wrong or
poor; 0.5-0.7, 23 %; 0.7 and up, 1.4 %).

Since 5 Dec 2026 the ``bgs+parent`` score's second factor is that certainty too, of the final mask against the
parent's probabilities (``joint._keep_probs``): AUC for IoU < 0.5 0.925 → 0.948, for IoU < 0.65 0.887 → 0.925, on
2211 proposals of nine composed scenes, higher on eight (BENCHMARKS "The parent's certainty scores the default
proposals too"); its bands read as before (69 %, 27 %, 1.2 % wrong or poor) and whole-scene J is unchanged.
``bgs-owned`` keeps the first share alone (it has no parent); proposals made before keep the score they were given
(a ``parent agrees`` factor: the IoU with the parent's mask, read by the same bands).
"""

from __future__ import annotations

import numpy as np

# (lowest score of the band, share of its proposals wrong or poor, how that reads)
SCORE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.7, 0.012, "1 in 100 so scored is wrong or poor"),
    (0.5, 0.22, "1 in 4 to 1 in 2 so scored are wrong or poor"),
    (0.0, 0.67, "2 in 3 so scored are wrong or poor"),
)
# a score of the first factor alone (the other joint methods; proposals made before 4 Dec): measured on seven
# scenes, 2057 proposals (BENCHMARKS "What the proposal score says"): under 0.85, 40 of 75 wrong or poor;
# 0.85-0.95, 91 of 381; 0.95 and up, 37 of 1601
ONE_FACTOR_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.95, 0.02, "1 in 50 so scored is wrong or poor"),
    (0.85, 0.24, "1 in 4 so scored is wrong or poor"),
    (0.0, 0.53, "1 in 2 so scored is wrong or poor"),
)
AGREE_LEVEL = 0.5  # the parent's probability from which a pixel is the person's, for the agreement
CONTESTED = "contested "  # flags: "contested 0.04" (the share another person nearly had) ...
AGREES = "parent agrees "  # ... and "parent agrees 0.81" (IoU with the parent's own mask)
SURE = "parent sure "  # ... or, the parent alone, "parent sure 0.93" (its certainty of the mask, see above)
# the soft IoU taken as full certainty: with it the parent alone's bands read as the bgs+parent score's (measured:
# the median soft IoU of its proposals with IoU >= 0.8 is 0.74)
SURE_FULL = 0.85


def bands_of(flags) -> tuple[tuple[float, float, str], ...]:
    """The bands that read a score with these flags: of two factors, or of the first alone."""
    return SCORE_BANDS if score_factors(flags) is not None else ONE_FACTOR_BANDS


def score_band_text(score: float, flags=None) -> str:
    """How often proposals of ``score`` were wrong or poor (IoU < 0.5): "1 in 2 so scored is wrong or poor"
    under 0.5; ``flags``: the proposal's, when given (a score of one factor is read by its own bands)."""
    bands = SCORE_BANDS if flags is None else bands_of(flags)
    for low, _share, text in bands:
        if score >= low:
            return text
    return bands[-1][2]


def in_lowest_band(score: float, flags=None) -> bool:
    """Whether ``score`` reads in its bands' lowest (under 0.5 for two factors: "1 in 2 … wrong or poor")."""
    bands = SCORE_BANDS if flags is None else bands_of(flags)
    return float(score) < bands[-2][0]


def band_counts(proposals) -> list[tuple[str, int, str]]:
    """[(band, proposals in it, how that reads)], best band first, for proposals of the joint methods (a score
    in words; others are left out): what `humanseg propose` says of the scores (a walk found no quality summary).
    The band reads "0.7 and up", "0.5-0.7" or "under 0.5" (a score of one factor: its own bands)."""
    from .methods import JOINT_METHODS

    counts: dict[tuple, dict[int, int]] = {}  # {the proposals' bands: {band index: proposals}}
    for p in proposals:
        if str(p.source).split(":")[0] not in JOINT_METHODS:
            continue
        bands = bands_of(p.flags)
        i = next((k for k, (low, _s, _t) in enumerate(bands) if float(p.score) >= low), len(bands) - 1)
        counts.setdefault(bands, {})[i] = counts.setdefault(bands, {}).get(i, 0) + 1
    out = []
    for bands, by_band in counts.items():
        for i in sorted(by_band):
            low = bands[i][0]
            label = (f"{low:g} and up" if i == 0 else f"under {bands[i - 1][0]:g}" if i == len(bands) - 1
                     else f"{low:g}-{bands[i - 1][0]:g}")
            out.append((label, by_band[i], bands[i][2]))
    return out


def band_counts_text(counts, readings: bool = True) -> str:
    """``band_counts`` in words: "33 at 0.7 and up (1 in 100 so scored is wrong or poor); 2 under 0.5 (…)"."""
    return "; ".join(f"{n} {band if band.startswith('under') else 'at ' + band}" + (f" ({text})" if readings else "")
                     for band, n, text in counts)


def proposal_score(ambiguity: float, mask: np.ndarray, parent: np.ndarray | None,
                   sure: float | None = None) -> tuple[float, list[str]]:
    """(score, the flags saying its two factors) of a proposal whose mask another person nearly had on
    ``ambiguity`` of it; ``parent``: the parent's own mask of the person (full frame, bool); ``sure``: instead,
    the parent alone's certainty of the mask (:func:`parent_certainty`); neither: the first factor alone (no
    flags)."""
    first = 1.0 - float(ambiguity)
    if sure is not None:
        return first * sure, [f"{CONTESTED}{1.0 - first:.2f}", f"{SURE}{sure:.2f}"]
    if parent is None:
        return first, []
    union = int(np.count_nonzero(mask | parent))
    agrees = float(np.count_nonzero(mask & parent)) / union if union else 0.0
    return first * agrees, [f"{CONTESTED}{1.0 - first:.2f}", f"{AGREES}{agrees:.2f}"]


def parent_certainty(mask: np.ndarray, x0: int, y0: int, probs: np.ndarray) -> float:
    """How sure the parent was of ``mask`` (full frame, bool), its probabilities ``probs`` a crop whose top-left
    pixel is (x0, y0), zero outside: the soft IoU sum(min(p, m)) / sum(max(p, m)) over ``SURE_FULL``, at most 1."""
    h, w = probs.shape
    inside = mask[y0:y0 + h, x0:x0 + w]
    p = probs[:inside.shape[0], :inside.shape[1]].astype(np.float32)
    m = inside.astype(np.float32)
    outside = int(np.count_nonzero(mask)) - int(np.count_nonzero(inside))  # mask pixels the crop missed (p = 0)
    union = float(np.maximum(p, m).sum()) + outside
    return min(1.0, float(np.minimum(p, m).sum()) / union / SURE_FULL) if union > 0 else 0.0


def score_factors(flags) -> tuple[float, float] | None:
    """(contested share, the second factor: agreement with the parent's mask, or the parent alone's
    certainty) from a proposal's flags, or None (a score of one factor)."""
    got: dict[str, float] = {}
    for flag in flags or ():
        for key in (CONTESTED, AGREES, SURE):
            if isinstance(flag, str) and flag.startswith(key):
                try:
                    got[key] = float(flag[len(key):])
                except ValueError:
                    return None
    second = got.get(AGREES, got.get(SURE))
    return (got[CONTESTED], second) if CONTESTED in got and second is not None else None


def is_factor_flag(flag) -> bool:
    """Whether ``flag`` is one of the score's factors (said with the score, not among the warnings)."""
    return isinstance(flag, str) and flag.startswith((CONTESTED, AGREES, SURE))


def is_certainty(flags) -> bool:
    """Whether the score's second factor is the parent alone's certainty (not its agreement)."""
    return any(isinstance(f, str) and f.startswith(SURE) for f in flags or ())


__all__ = ["AGREE_LEVEL", "ONE_FACTOR_BANDS", "SCORE_BANDS", "SURE_FULL", "band_counts", "band_counts_text",
           "bands_of", "is_certainty", "is_factor_flag", "parent_certainty", "proposal_score", "score_band_text",
           "score_factors"]
