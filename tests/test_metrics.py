"""J (IoU), the DAVIS boundary F-measure and leakage: hand-checked cases, an independent oracle, folders."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import distance_transform_edt

from humanseg_core.errors import InputError
from humanseg_core.metrics import (
    bound_pixels,
    boundary_map,
    evaluate_dirs,
    evaluate_masks,
    f_boundary,
    f_boundary_prf,
    jaccard,
    leakage,
)


def rect(shape, r0, r1, c0, c1):
    m = np.zeros(shape, bool)
    m[r0:r1, c0:c1] = True
    return m


def test_jaccard_of_two_known_rectangles():
    a = rect((30, 30), 0, 10, 0, 10)  # 100 px
    b = rect((30, 30), 5, 15, 5, 15)  # 100 px, 25 shared
    assert jaccard(a, b) == pytest.approx(25 / 175)
    assert jaccard(a, a) == 1.0
    assert jaccard(a, rect((30, 30), 20, 25, 20, 25)) == 0.0
    assert jaccard(np.zeros((5, 5)), np.zeros((5, 5))) == 1.0
    assert jaccard(np.zeros((5, 5)), rect((5, 5), 0, 1, 0, 1)) == 0.0
    assert jaccard(a.astype(np.uint8) * 255, b) == pytest.approx(1 / 7)  # 0/255 masks work too


def test_boundary_of_a_left_half_is_its_last_column():
    m = rect((20, 20), 0, 20, 0, 10)
    b = boundary_map(m)
    assert b[:, 9].all() and b.sum() == 20
    # An interior square: outer ring of the square plus the pixels just above/left of it (lower-right rule).
    sq = boundary_map(rect((10, 10), 3, 6, 3, 6))
    assert sq[2, 2] and sq[2, 5] and sq[5, 3] and not sq[4, 4] and not sq[6, 6]


def test_f_boundary_hand_checked():
    shape = (20, 20)
    gt = rect(shape, 0, 20, 0, 10)  # boundary: column 9
    assert f_boundary(gt, gt, bound_th=2) == 1.0
    assert f_boundary(rect(shape, 0, 20, 0, 11), gt, bound_th=2) == 1.0  # 1 px off, within tolerance
    assert f_boundary(rect(shape, 0, 20, 0, 15), gt, bound_th=2) == 0.0  # 5 px off, beyond it
    # Upper half right on, lower half 5 px off. Predicted boundary: column 9 rows 0-9 (10 px), row 9
    # columns 10-14 (5 px), column 14 rows 10-19 (10 px); 12 of those 25 lie within 2 px of column 9.
    # Of the 20 true boundary pixels, rows 0-11 (12) lie within 2 px of the predicted boundary.
    pred = gt.copy()
    pred[10:, 10:15] = True
    F, P, R = f_boundary_prf(pred, gt, bound_th=2)
    assert (P, R) == (pytest.approx(12 / 25), pytest.approx(12 / 20))
    assert F == pytest.approx(8 / 15)


def test_f_boundary_drops_as_the_mask_shifts_and_handles_empty_masks():
    gt = rect((480, 854), 100, 300, 300, 400)
    assert bound_pixels(gt.shape) == int(np.ceil(0.008 * np.hypot(480, 854)))  # 8 px
    scores = [f_boundary(np.roll(gt, s, axis=1), gt) for s in (0, 4, 12, 30)]
    assert scores[0] == 1.0 and scores[1] == 1.0
    assert scores[1] > scores[2] > scores[3]
    assert scores[3] < 0.5
    empty = np.zeros_like(gt)
    assert f_boundary(empty, empty) == 1.0
    assert f_boundary(empty, gt) == 0.0 and f_boundary(gt, empty) == 0.0
    assert f_boundary(gt, rect(gt.shape, 400, 450, 700, 800)) == 0.0  # disjoint, far apart


def test_leakage():
    other = rect((20, 20), 0, 20, 0, 10)
    pred = rect((20, 20), 0, 10, 5, 15)  # 100 px, 50 on the other person
    assert leakage(pred, [other]) == 0.5
    assert leakage(pred, other) == 0.5  # a single mask is accepted
    assert leakage(pred, []) == 0.0
    assert leakage(np.zeros((20, 20)), [other]) == 0.0
    assert leakage(pred, [other, rect((20, 20), 0, 20, 0, 20)]) == 1.0


def oracle_f(pred, gt, r):
    """Independent F: same boundary rule via padding, matching via exact Euclidean distance <= r."""
    def bmap(m):
        p = np.pad(m, ((0, 1), (0, 1)))
        b = (m != p[:-1, 1:]) | (m != p[1:, :-1]) | (m != p[1:, 1:])
        b[-1, :] = m[-1, :] != p[-2, 1:]
        b[:, -1] = m[:, -1] != p[1:, -2]
        b[-1, -1] = False
        return b
    bp, bg = bmap(pred), bmap(gt)
    if not bp.any() and not bg.any():
        return 1.0
    if not bp.any() or not bg.any():
        return 0.0
    P = (distance_transform_edt(~bg)[bp] <= r).mean()
    R = (distance_transform_edt(~bp)[bg] <= r).mean()
    return 0.0 if P + R == 0 else 2 * P * R / (P + R)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 4))
def test_f_boundary_matches_an_independent_oracle(seed, r):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(8, 60)), int(rng.integers(8, 60)))

    def blob():
        m = np.zeros(shape, np.uint8)
        for _ in range(int(rng.integers(0, 4))):
            c = (int(rng.integers(-5, shape[1] + 5)), int(rng.integers(-5, shape[0] + 5)))
            ax = (int(rng.integers(1, 15)), int(rng.integers(1, 15)))
            cv2.ellipse(m, c, ax, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        return m.astype(bool)

    gt = blob()
    if rng.random() < 0.5:  # a near miss of the truth: partly matched boundaries
        pred = np.roll(gt, (int(rng.integers(-4, 5)), int(rng.integers(-4, 5))), axis=(0, 1))
    else:
        pred = blob()
    assert f_boundary(pred, gt, bound_th=r) == pytest.approx(oracle_f(pred, gt, r))


def write_masks(folder, masks: dict):
    folder.mkdir(parents=True, exist_ok=True)
    for t, m in masks.items():
        assert cv2.imwrite(str(folder / f"{t:05d}.png"), m.astype(np.uint8) * 255)
    return folder


def test_evaluate_dirs_on_written_pngs(tmp_path):
    shape = (60, 80)
    gt = {t: rect(shape, 10, 40, 10 + t, 30 + t) for t in range(4)}
    other = {t: rect(shape, 10, 40, 30 + t, 50 + t) for t in (0, 1, 3)}
    pred = {0: gt[0], 1: rect(shape, 10, 40, 21, 41), 3: rect(shape, 50, 55, 70, 75)}  # frame 2 missing
    g = write_masks(tmp_path / "gt", gt)
    o = write_masks(tmp_path / "other", other)
    p = write_masks(tmp_path / "pred", pred)
    (p / "notes.txt").write_text("ignored")
    res = evaluate_dirs(p, g, others=[o])
    assert res["frames"] == 4 and [r["frame"] for r in res["rows"]] == [0, 1, 2, 3]
    J = [r["J"] for r in res["rows"]]
    assert J == [1.0, pytest.approx(10 / 30), 0.0, 0.0]  # frame 1: 10 cols of 20 shared out of 30
    assert res["rows"][2]["missing_pred"] and res["missing_pred"] == 1
    assert res["J_mean"] == pytest.approx(np.mean(J))
    assert res["J_recall"] == 0.25
    assert res["F_mean"] == pytest.approx(np.mean([r["F"] for r in res["rows"]]))
    # Leakage pooled: frame 1 puts 300 of its 600 px on the other person (cols 31-40), others none.
    assert res["rows"][1]["leakage"] == pytest.approx(300 / 600)
    assert res["leakage"] == pytest.approx(300 / (600 + 600 + 25))
    assert evaluate_dirs(p, g)["leakage"] is None
    mem = evaluate_masks(pred, gt, others=[other])
    assert mem["J_mean"] == res["J_mean"] and mem["leakage"] == pytest.approx(res["leakage"])


def test_evaluate_dirs_names_bad_files(tmp_path):
    g = write_masks(tmp_path / "gt", {0: rect((20, 20), 0, 5, 0, 5), 1: rect((20, 20), 0, 5, 0, 5)})
    p = write_masks(tmp_path / "pred", {0: rect((20, 20), 0, 5, 0, 5)})
    (p / "00001.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="00001.png"):
        evaluate_dirs(p, g)
    write_masks(p, {1: rect((30, 20), 0, 5, 0, 5)})
    with pytest.raises(InputError, match="00001.png.*20x30"):
        evaluate_dirs(p, g)
    with pytest.raises(InputError, match="nowhere"):
        evaluate_dirs(tmp_path / "nowhere", g)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no ground-truth masks"):
        evaluate_dirs(p, tmp_path / "empty")
    write_masks(tmp_path / "scene_gt" / "7", {0: rect((20, 20), 0, 5, 0, 5)})  # a scene's gt/ (a walk's demo/gt)
    with pytest.raises(InputError, match=r"no ground-truth masks .* it holds per-person folders \(7\): pass one "
                                         r"person's folder, or score every person with `humanseg eval-scene`"):
        evaluate_dirs(write_masks(tmp_path / "fine", {0: rect((20, 20), 0, 5, 0, 5)}), tmp_path / "scene_gt")


def test_the_person_scaled_tolerance_and_the_recall_threshold():
    """The person's boundary tolerance is 2 % of its mask's height, rounded up (51 rows: 2 px; 50 rows: 1 px); J
    recall counts frames with J above 0.5, as DAVIS does (0.5 itself is not recalled)."""
    from humanseg_core.metrics import person_bound, summarize

    tall = np.zeros((80, 20), bool)
    tall[10:61, 5:9] = True  # rows 10..60: 51 rows
    assert person_bound(tall) == 2
    tall[60] = False
    assert person_bound(tall) == 1 and person_bound(np.zeros((5, 5), bool)) == 1
    assert summarize([{"J": 0.5, "F": 0.5}, {"J": 0.51, "F": 0.9}], False)["J_recall"] == 0.5
