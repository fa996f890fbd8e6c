"""The editor's brush size for a person, and what a Refine click that changed nothing says."""

from __future__ import annotations

import numpy as np

BRUSH_SHARE = 0.05  # the brush's radius as a share of the mask's height, until the analyst chooses one
UNCHANGED = ("That click changed nothing: GrabCut found no more of the person there (a part under another "
             "person's mask stays theirs); the brush (B) or the lasso (L) adds what you draw")
# ... and of a right click ("not the person"): the words of the left one explained the wrong action (a re-walk)
UNCHANGED_NOT = ("That click changed nothing: GrabCut kept the mask as it was there; the eraser (N) or the lasso "
                 "with the right button (L) cuts what you draw")


def brush_radius_for(mask: np.ndarray) -> int:
    """A brush radius for a person of this mask: 5 % of its height, 2 to 12 pixels (6 for an empty mask).
    A walk's short stroke with the fixed 6 px brush took a 70 px person's mask from 357 to 755 pixels."""
    ys = np.nonzero(np.asarray(mask).any(axis=1))[0]
    if not len(ys):
        return 6
    return int(min(12, max(2, round(BRUSH_SHARE * (ys[-1] - ys[0] + 1)))))
