"""A proposal is never a few stray pixels (a walk, another scene's homography: persons expected 5 px tall, a
2-pixel mask proposed with a score of 0.67 and "1 in 4 so scored is wrong or poor")."""

from humanseg_core.proposals.joint import MIN_AREA_SHARE
from humanseg_core.proposals.person_mask import MIN_PIXELS, too_small


def test_a_mask_of_a_few_pixels_is_never_proposed():
    assert too_small(2, 5.0, MIN_AREA_SHARE)  # the walk's case: 0.04 x 0.4 x 25 = 0.4 px expected
    assert too_small(MIN_PIXELS - 1, 10.0, MIN_AREA_SHARE) and not too_small(MIN_PIXELS, 10.0, MIN_AREA_SHARE)
    assert too_small(80, 75.0, MIN_AREA_SHARE) and not too_small(100, 75.0, MIN_AREA_SHARE)  # 90 px for 75 px tall
