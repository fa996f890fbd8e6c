"""What a proposal's score says about it, measured: the share of proposals in each score band whose mask is
wrong or poor (IoU < 0.5 with the person's exact mask).

The score is 1 - the share of the mask another person nearly had (:mod:`.joint`). Measured on the default
``bgs+parent`` proposals of seven composed scenes with exact ground truth (zara01, zara01_feet, eth_dense,
zara02_still, students03, eth_big, zara02_center; 2057 proposals, 3 Dec 2026, BENCHMARKS "What the proposal
score says"): under 0.85, 40 of 75 (53 %) were wrong or poor; 0.85-0.95, 91 of 381 (24 %); 0.95 and up, 37
of 1601 (2 %). The score separates them with AUC 0.88; the mask's size and height against the person's other
frames, the track point's distance and the pieces add nothing over it (AUC 0.55-0.68 alone).
"""

from __future__ import annotations

# (lowest score of the band, share of its proposals wrong or poor, how that reads)
SCORE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.95, 0.02, "1 in 50 so scored is wrong or poor"),
    (0.85, 0.24, "1 in 4 so scored is wrong or poor"),
    (0.0, 0.53, "1 in 2 so scored is wrong or poor"),
)


def score_band_text(score: float) -> str:
    """How often proposals of ``score`` were wrong or poor (IoU < 0.5): "1 in 2 so scored is wrong or poor"
    under 0.85."""
    for low, _share, text in SCORE_BANDS:
        if score >= low:
            return text
    return SCORE_BANDS[-1][2]
