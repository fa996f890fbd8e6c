"""The backgrounds' per-pixel median found bit by bit equals numpy's median of the stack, odd or even."""

import numpy as np
import pytest

from humanseg_core.inputs.stack_median import lower_median_where, stack_median


@pytest.mark.parametrize("samples", [1, 2, 3, 12, 25])
def test_the_median_equals_numpys(samples):
    rng = np.random.default_rng(samples)
    data = rng.integers(0, 256, (samples, 19, 13, 3), dtype=np.uint8)
    data[:, 3] = rng.choice(np.array([0, 1, 127, 128, 254, 255], np.uint8), (samples, 13, 3))
    got = stack_median(data)
    assert got.dtype == np.uint8
    assert np.array_equal(got, np.median(data, axis=0).astype(np.uint8))


def test_an_even_stack_takes_the_two_middle_samples_mean_rounded_down():
    data = np.array([[10], [11], [200], [255]], np.uint8)
    assert stack_median(data).tolist() == [105]  # (11 + 200) / 2 = 105.5


def test_left_out_samples_never_count_even_at_255():
    data = np.array([255, 255, 255, 3, 4], np.uint8).reshape(5, 1, 1, 1)
    keep = np.array([True, True, True, False, False]).reshape(5, 1, 1)
    assert lower_median_where(data, keep).ravel().tolist() == [255]
    keep = np.array([False, False, True, True, True]).reshape(5, 1, 1)
    assert lower_median_where(data, keep).ravel().tolist() == [4]  # 3, 4, 255: the middle one
    assert lower_median_where(data, np.zeros((5, 1, 1), bool)).ravel().tolist() == [0]


def test_other_types_fall_back_to_numpy():
    data = np.array([[1.5], [2.5], [9.0]])
    assert stack_median(data).tolist() == [2]
