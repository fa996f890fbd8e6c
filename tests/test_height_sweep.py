"""The persons' height from the parent network when no box taught it (``height_sweep``): a held-out scene of
170 px people walking as one group never had a box holding one person, kept the default 62 px, and every
proposal was cut at the waist (median IoU 0.351)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from humanseg_core.proposals.body_prior import HeightModel
from humanseg_core.proposals.height_sweep import crossing, height_factor, sweep_heights
from humanseg_core.proposals.parent_masks import load_parent_or_none

FACTORS = (0.5, 1.0, 2.0, 4.0)


@pytest.mark.parametrize("ratios, expected", [
    ((1.3, 1.2, 0.6, 0.3), 1.0 + 0.2 / 0.6),  # falls through 1 between 1.0 and 2.0, a third of the way
    ((0.4, 1.1, 1.05, 0.5), 2.0 + 2.0 * 0.05 / 0.55),  # a first rise below 1 is not the person's height
    ((0.6, 0.4, 0.3, 0.2), 0.3),  # never 1: smaller than the first factor (its mask, 0.6 x 0.5)
    ((1.2, 1.1, 1.3, 1.1), 4.4),  # always 1 or more: taller than the largest factor, its mask there measures it
    ((0.6, 0.2, 1.5, 1.3), 5.2),  # small crops saw noise, the large ones cut the body (DAVIS lucia: read as 5 px)
    ((1.1, 0.83, 0.85, 1.34), 4.0 * 1.34),  # the largest crop cuts the body: over an earlier fall (dance-twirl's)
])
def test_the_height_is_where_the_mask_stops_filling_the_crop(ratios, expected):
    assert crossing(FACTORS, ratios) == pytest.approx(expected)


def _lucia(shared_data, height_px: float, anchor: str) -> list:
    """Four frames of DAVIS lucia scaled so that she is ``height_px`` tall, on a grey canvas: (image,
    {1: (u, v, guess 62 px)}), the point on her ``anchor``."""
    out = []
    for i in (0, 15, 30, 45):
        image = cv2.imread(str(shared_data / f"davis/JPEGImages/480p/lucia/{i:05d}.jpg"))
        mask = cv2.imread(str(shared_data / f"davis/Annotations/480p/lucia/{i:05d}.png"), cv2.IMREAD_GRAYSCALE) > 127
        ys, xs = np.nonzero(mask)
        s = height_px / (ys.max() - ys.min() + 1)
        image = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        top, bottom = ys.min() * s, ys.max() * s
        v = {"head": top + 0.03 * height_px, "feet": bottom, "centre": (top + bottom) / 2}[anchor]
        canvas = np.full((max(480, image.shape[0] + 100), max(640, image.shape[1] + 100), 3), 120, np.uint8)
        canvas[:image.shape[0], :image.shape[1]] = image
        out.append((canvas, {1: (float(np.median(xs) * s), float(v), 62.0)}))
    return out


@pytest.mark.parametrize("anchor, height_px", [("head", 30), ("head", 180), ("feet", 120), ("centre", 180),
                                               ("centre", 340)])
def test_the_shipped_parent_tells_a_persons_height_from_a_wrong_guess(shared_data, anchor, height_px):
    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    factor = height_factor(parent, _lucia(shared_data, height_px, anchor), anchor)
    assert factor is not None
    assert 62.0 * factor == pytest.approx(height_px, rel=0.2)


def test_sweeping_scales_the_models_heights(shared_data):
    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    model = HeightModel(480)  # nothing learnt: 62 px everywhere
    frames = [(img, {p: uvh[:2] for p, uvh in persons.items()}) for img, persons in _lucia(shared_data, 150, "feet")]
    factor = sweep_heights(model, parent, frames, "feet")
    assert factor is not None and model.height(1, 300.0) == pytest.approx(150, rel=0.2)
    assert not model.calibrated  # a guess still: no box taught it


def test_too_few_persons_leave_the_model_as_it_was():
    model = HeightModel(480)
    assert sweep_heights(model, object(), [], "feet") is None
    assert model.height(1, 300.0) == pytest.approx(62.5)


class _Blind:
    """A network that never sees anybody."""

    def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
        return [np.zeros(frame_bgr.shape[:2], np.float32) for _ in items]


def test_a_network_that_sees_nobody_says_nothing():
    frames = [(np.zeros((120, 160, 3), np.uint8), {p: (20.0 * p, 100.0, 40.0) for p in range(1, 6)})]
    assert height_factor(_Blind(), frames, "feet") is None


def test_a_cancel_stops_the_sweep():
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import CancelToken

    token = CancelToken()
    token.cancel()
    frames = [(np.zeros((120, 160, 3), np.uint8), {p: (20.0 * p, 100.0, 40.0) for p in range(1, 6)})]
    with pytest.raises(Cancelled):
        height_factor(_Blind(), frames, "feet", cancel=token)
