"""A camera whose white balance changes (the channels' gains apart): the background follows each frame's balance
(a hunt's drifting cast had left 25-73 % of the empty ground foreground, median IoU 0.808 -> 0.505)."""

import numpy as np

from humanseg_core.proposals.clean_background import masked_median
from humanseg_core.proposals.detectors.bgs import shadow_free_difference
from humanseg_core.proposals.uneven_light import balanced_samples, channel_balance, relit

CASTS = [np.array(g, np.float32) for g in ((0.8, 0.95, 1.2), (1.0, 1.0, 1.0), (1.2, 1.0, 0.8), (0.9, 1.05, 1.1),
                                           (1.15, 0.95, 0.85), (1.0, 1.0, 1.0), (0.85, 1.0, 1.15))]


def _scene():
    rng = np.random.default_rng(4)
    ground = np.clip(rng.normal(110, 30, (96, 128, 3)), 20, 200).astype(np.float32)
    samples, frees = [], []
    for k, cast in enumerate(CASTS):
        samples.append(np.clip(np.rint(ground * cast), 0, 255).astype(np.uint8))
        free = np.ones((96, 128), bool)
        free[10:60, 8 + 16 * k:30 + 16 * k] = False  # a person's place, another on every sample
        frees.append(free)
    return ground, np.stack(samples), frees


def test_the_balance_is_found_and_none_where_it_is_the_same():
    ground, data, frees = _scene()
    frame = data[0]
    same = channel_balance(frame, frame, frees[0])
    assert same is None
    gains = channel_balance(frame, data[1], frees[0])  # neutral background, a cast frame
    assert gains is not None
    np.testing.assert_allclose(gains, CASTS[0] / CASTS[0].mean(), atol=0.02)
    grey = np.repeat(data[1][..., :1], 3, axis=2)
    assert channel_balance(grey, grey, frees[0]) is None


def test_a_changing_white_balance_leaves_the_empty_ground_background():
    _ground, data, frees = _scene()
    frame = data[-1]  # the last frame's cast
    free = np.ones(frame.shape[:2], bool)
    as_before = masked_median(data, np.stack(frees))  # samples of several casts: a patchwork
    before = shadow_free_difference(frame, as_before) == 255
    even, n = balanced_samples(data, frees)
    assert n >= 4
    background = masked_median(even, np.stack(frees))
    balance = channel_balance(frame, background, free)
    assert balance is not None
    now = shadow_free_difference(frame, relit(background, balance)) == 255
    assert before.mean() > 0.2 and now.mean() < 0.01


def test_samples_of_one_balance_are_left_as_they_are():
    _ground, data, frees = _scene()
    one = np.stack([data[1]] * 5)
    out, n = balanced_samples(one, frees[:5])
    assert n == 0 and out is one
