"""eval-scene says when F's boundary tolerance is a large share of the persons' height (a walk: 24 px persons,
the default 0.008 of the diagonal is 7 px, and J 0.38 read as J&F 0.65)."""

from __future__ import annotations

import numpy as np

from humanseg_core.cli.eval_scene import lenient_f_note
from humanseg_core.scene_metrics import evaluate_scene


def _person(shape, top, height, left=100, width=None):
    m = np.zeros(shape, bool)
    m[top:top + height, left:left + (width or max(2, height // 3))] = True
    return m


def test_small_persons_get_the_note_and_tall_ones_do_not():
    shape = (576, 720)  # diagonal 922 px: the default tolerance is 8 px
    small = {1: {0: _person(shape, 100, 24), 1: _person(shape, 102, 24)}}
    res = evaluate_scene(small, small)
    assert res["scene"]["median_height_px"] == 24 and res["scene"]["bound_px"] == 8
    note = lenient_f_note(res["scene"])
    assert "8 px, 33% of these persons' median height (24 px)" in note and "--bound-th person" in note
    tall = {1: {0: _person(shape, 100, 120)}}
    assert lenient_f_note(evaluate_scene(tall, tall)["scene"]) == ""
    crowd = {1: {0: _person(shape, 100, 65)}}  # 8 px is 12 % of 65 px: F 1.000 at J 0.883 there (a walk)
    assert "12% of these persons' median height (65 px)" in lenient_f_note(evaluate_scene(crowd, crowd)["scene"])
    assert evaluate_scene(small, small, bound_th=None)["scene"]["bound_px"] is None  # scaled per person
    assert lenient_f_note(evaluate_scene(small, small, bound_th=None)["scene"]) == ""
