"""The track-masked background's median, found bit by bit, equals the median over the whole stack: the free
samples' lower median, and the plain median where fewer than MIN_FREE are free."""

import numpy as np
import pytest

from humanseg_core.proposals.clean_background import MIN_FREE, masked_median


def _whole_stack(data: np.ndarray, free: np.ndarray) -> np.ndarray:
    plain = np.median(data, axis=0).astype(np.uint8)
    out = plain.copy()
    for y, x in zip(*np.nonzero(free.sum(axis=0) >= MIN_FREE), strict=True):
        kept = np.sort(data[free[:, y, x], y, x], axis=0)
        out[y, x] = kept[(len(kept) - 1) // 2]
    return out


@pytest.mark.parametrize("samples", [25, 8, 4])
def test_bits_equal_the_whole_stack(samples):
    rng = np.random.default_rng(samples)
    data = rng.integers(0, 256, (samples, 23, 17, 3), dtype=np.uint8)
    data[:, 7] = rng.choice(np.array([0, 1, 254, 255], np.uint8), (samples, 17, 3))  # the ends of the range
    free = rng.random((samples, 23, 17)) < 0.6
    free[:, :4, :5] = False  # nobody free: the plain median
    free[:, 5, :] = False
    free[:2, 5, :] = True  # two free samples: still the plain median
    expected = _whole_stack(data, free)
    assert np.array_equal(masked_median(data, free), expected)


def test_a_person_standing_in_most_samples_is_left_out():
    data = np.full((9, 4, 4, 3), 100, np.uint8)
    data[:6, 1, 1] = 20  # a dark coat in six of nine samples: the plain median is the coat
    free = np.ones((9, 4, 4), bool)
    free[:6, 1, 1] = False
    assert np.median(data[:, 1, 1], axis=0)[0] == 20
    assert masked_median(data, free)[1, 1].tolist() == [100, 100, 100]
