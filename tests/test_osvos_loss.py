"""Class-balanced BCE against a hand computation."""

import math

import pytest
import torch

from humanseg_core.osvos.loss import class_balanced_bce


def _bce(x, y):
    p = 1 / (1 + math.exp(-x))
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def test_loss_matches_hand_computation():
    logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
    labels = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    # 1 positive, 3 negatives: positives weighted 3/4, negatives 1/4.
    pos = _bce(2.0, 1)
    neg = _bce(-1.0, 0) + _bce(0.5, 0) + _bce(-3.0, 0)
    expected_sum = 0.75 * pos + 0.25 * neg
    assert class_balanced_bce(logits, labels, "sum").item() == pytest.approx(expected_sum, rel=1e-5)
    assert class_balanced_bce(logits, labels, "mean").item() == pytest.approx(expected_sum / 4, rel=1e-5)


def test_sum_averages_over_the_batch_and_labels_are_binarised():
    logits = torch.tensor([[[[1.0, -2.0]]], [[[0.3, 0.7]]]])
    labels = torch.tensor([[[[0.9, 0.2]]], [[[0.6, 0.4]]]])  # binarised: 1 0 / 1 0
    pos = _bce(1.0, 1) + _bce(0.3, 1)
    neg = _bce(-2.0, 0) + _bce(0.7, 0)
    expected = (0.5 * pos + 0.5 * neg) / 2  # two images
    assert class_balanced_bce(logits, labels, "sum").item() == pytest.approx(expected, rel=1e-5)


def test_loss_is_stable_for_large_logits_and_rejects_bad_input():
    logits = torch.tensor([[[[80.0, -80.0]]]])
    labels = torch.tensor([[[[0.0, 1.0]]]])
    assert class_balanced_bce(logits, labels, "sum").item() == pytest.approx(80.0, rel=1e-4)
    with pytest.raises(ValueError):
        class_balanced_bce(logits, labels[..., :1])
    with pytest.raises(ValueError):
        class_balanced_bce(logits, labels, "median")


def test_ignored_pixels_count_neither_in_the_loss_nor_in_the_class_balance():
    logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
    labels = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]]]])
    ignore = torch.tensor([[[[0.0, 0.0], [0.0, 1.0]]]])  # the second positive is not trusted
    # kept: 1 positive, 2 negatives -> positives weighted 2/3, negatives 1/3
    expected = 2 / 3 * _bce(2.0, 1) + 1 / 3 * (_bce(-1.0, 0) + _bce(0.5, 0))
    assert class_balanced_bce(logits, labels, "sum", ignore=ignore).item() == pytest.approx(expected, rel=1e-5)
    assert class_balanced_bce(logits, labels, "sum", ignore=torch.zeros_like(ignore)).item() == pytest.approx(
        class_balanced_bce(logits, labels, "sum").item(), rel=1e-6)
