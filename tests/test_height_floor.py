"""A person seen only in part through its labels gets crops of the scene's height (osvos.guidance.height_floor).

The fine-tuning crop is 2.0 x the height fitted on the labels' boxes, centred on the track point. A person
standing behind another through a whole clip has labels of its upper body only; with a feet point its crops
were sized for that part and missed the very pixels it was taught (zara02_jitter persons 69 and 70: crops
0.58x their height, a fine-tuned loss of 0.56 against 0.07-0.14 for the others)."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.osvos.guidance import HEIGHT_FLOOR, CropGeometry, fit_geometry, height_floor, mask_box
from humanseg_core.proposals.body_prior import HeightModel, person_height_fn, spread_boxes


def _upper_part(mask: np.ndarray, share: float) -> np.ndarray:
    """The top ``share`` of a mask's rows (what is seen of a person whose lower body is hidden)."""
    ys = np.flatnonzero(mask.any(axis=1))
    cut = ys[0] + int(round(share * (ys[-1] + 1 - ys[0])))
    out = mask.copy()
    out[cut:] = False
    return out


def _person(h: int, top: int, shape=(240, 320), x=150) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[top:top + h, x - h // 6:x + h // 6] = True
    return m


def test_a_person_seen_in_part_gets_the_scenes_height():
    frames = range(5)
    full = {f: _person(60, 100 + 4 * f) for f in frames}
    track = {f: (150.0, 160.0 + 4 * f) for f in frames}  # the feet point, at the bottom of the body
    seen = {f: _upper_part(m, 0.55) for f, m in full.items()}
    g = fit_geometry(seen, track.get)
    assert g.box_h == pytest.approx(33, abs=2)
    floored, ratio = height_floor(g, frames, track.get, lambda f: 60.0)
    assert ratio == pytest.approx(0.55, abs=0.03)
    assert floored.expected_box(track[2])[3] == pytest.approx(60, abs=1)
    assert (floored.dx, floored.dy, floored.box_w) == (g.dx, g.dy, g.box_w)  # where it sits: the labels'
    # a person whose labels are (nearly) whole keeps its geometry, the very object
    g_full = fit_geometry(full, track.get)
    same, r = height_floor(g_full, frames, track.get, lambda f: 62.0)
    assert same is g_full and r > HEIGHT_FLOOR
    # nothing to compare with: unchanged
    assert height_floor(g, frames, lambda f: None, lambda f: 60.0) == (g, None)
    assert height_floor(g, frames, track.get, lambda f: None) == (g, None)


def test_the_slope_scales_with_the_height():
    g = CropGeometry(dx=0, dy=-20, box_w=10, box_h=30, v_ref=100, slope=0.2)
    floored, ratio = height_floor(g, [0], lambda f: (50.0, 100.0), lambda f: 60.0)
    assert ratio == pytest.approx(0.5)
    for v in (80.0, 100.0, 140.0):  # the same perspective, twice the height
        assert floored.expected_box((0, v))[3] == pytest.approx(2 * g.expected_box((0, v))[3])


def test_spread_boxes_takes_every_person_in_turn():
    labels = {7: {f: _person(40, 10 + f) for f in range(6)}, 3: {0: _person(50, 20)}, 9: {}}
    boxes = spread_boxes(labels, limit=4)
    assert [(p, f) for p, f, _ in boxes] == [(3, 0), (7, 0), (7, 1), (7, 2)]
    assert boxes[0][2] == (142, 20, 158, 70)  # x0, y0, x1 (exclusive), y1 (exclusive)
    assert mask_box(labels[3][0])[3] == boxes[0][2][3] - boxes[0][2][1]


def test_spread_boxes_takes_listed_boxes_in_turn_too():
    """The studio's training lists accepted proposals' boxes (no masks decoded): in turn like the masks, so
    that one person with many labels does not teach the scene's heights alone."""
    listed = {1: {f: (0, 0, 10, 50) for f in range(0, 500, 10)}, 2: {5: (0, 0, 10, 80)}}
    boxes = spread_boxes(listed, limit=3, box=lambda b: b)
    assert [(p, f, b[3]) for p, f, b in boxes] == [(1, 0, 50), (2, 5, 80), (1, 10, 50)]


def test_no_height_reference_without_boxes(small_demo):
    from humanseg_core.inputs.scene import load_scene
    from humanseg_core.proposals.body_prior import labelled_height_model

    scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt")
    try:
        assert not HeightModel(288).calibrated
        assert person_height_fn(scene, labelled_height_model(scene, []), 1) is None  # the default guess: none
        u, v = scene.position_px(1, 4)
        boxes = [(p, f, (0, int(v) - 80, 10, int(v))) for p in (1, 2) for f in (0, 4, 8)]
        fn = person_height_fn(scene, labelled_height_model(scene, boxes), 1)
        assert fn is not None and fn(4) == pytest.approx(80, rel=0.1) and fn(10_000) is None
    finally:
        scene.close()


def test_training_sizes_the_crops_of_a_person_seen_in_part(tmp_path):
    """train_job with the scene's heights: the crops of labels cut to their upper half (a feet point) hold
    the label again (a crop of 2 heights centred on the feet reaches just the head), the anchor stays the
    labels' and the run says what it did."""
    pytest.importorskip("torch")
    from fakes import demo_point, most_seen_person, tiny_parent_file

    from humanseg_core.demo import make_demo
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.parent_crops import ParentCropConfig, person_box
    from humanseg_core.osvos.train import train_job
    from humanseg_core.prior.parent_net import DEFAULT_CONFIG

    d = make_demo(seed=0, n_frames=30, n_walkers=3)
    pid = most_seen_person(d)

    def track(f):
        return demo_point(d, pid, f)

    full = {f: d.gt[pid][f] for f in range(0, 30, 5) if f in d.gt[pid] and d.gt[pid][f].sum() > 50}
    assert all(mask_box(m)[1] < track(f)[1] for f, m in full.items())  # the point is below the box centre
    seen = {f: _upper_part(m, 0.5) for f, m in full.items()}
    heights = {f: mask_box(m)[3] for f, m in full.items()}
    parent, _ = tiny_parent_file(tmp_path, {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 64})
    config = TrainConfig(model="osvos-parent", steps=1, parent=parent, refine_labels=False)
    plain = run_job(train_job(d.frames, track, seen, config, pid=pid))
    floored = run_job(train_job(d.frames, track, seen, config, pid=pid, expected_height=heights.get))
    assert plain.meta["parent_config"]["anchor"] == floored.meta["parent_config"]["anchor"] == "feet"
    assert floored.meta["height_ratio"] == pytest.approx(0.5, abs=0.08) and "height_ratio" not in plain.meta
    assert any("seen in part" in w for w in floored.warnings)

    def inside(meta, f):
        """The share of the label's pixels inside its crop box."""
        g = CropGeometry.from_dict(meta["geometry"])
        x0, y0, x1, y1 = person_box(g, track(f), ParentCropConfig.from_config(meta["parent_config"]))
        return seen[f][max(0, y0):max(0, y1), max(0, x0):max(0, x1)].sum() / seen[f].sum()

    def side(meta, f):
        g = CropGeometry.from_dict(meta["geometry"])
        x0, _y0, x1, _y1 = person_box(g, track(f), ParentCropConfig.from_config(meta["parent_config"]))
        return x1 - x0

    assert min(inside(floored.meta, f) for f in seen) > 0.9
    # the crop holds its labels' box in any case (parent_crops.CONTAIN; before, under 0.3 of it without the
    # floor), and the floor sizes it for the whole person
    assert min(inside(plain.meta, f) for f in seen) > 0.9
    assert all(side(floored.meta, f) > 1.15 * side(plain.meta, f) for f in seen)


@pytest.mark.parametrize("cut_legs", [0, 13])
def test_the_crop_holds_every_label_even_when_their_legs_were_cut(cut_legs):
    """A standing person of a held-out scene (zara02_still, person 69): labels 55 px tall whose box ended 13
    px above the feet point (the proposals lost the feet), so their top lay 67 px above the point; a crop of
    2.0 x 55 px centred on the point ended 55 px above it, and the trained network cut every head there."""
    from humanseg_core.osvos.parent_crops import ParentCropConfig, finetune_config, person_box

    point = (285.0, 359.0)
    labels = {f: _person(55, int(point[1]) - cut_legs - 55, shape=(576, 720), x=285) for f in range(5)}
    g = fit_geometry(labels, lambda f: point)
    cfg = ParentCropConfig.from_config(finetune_config({"size": 128, "factor": 2.6}, g))
    x0, y0, x1, y1 = person_box(g, point, cfg)
    top = point[1] - cut_legs - 55
    assert y0 <= top - 0.03 * 55 and y1 >= point[1]  # the whole label, with a margin above the head
    assert (y1 - y0) <= 2.0 * 1.05 * (cut_legs + 55) + 2  # and not much more
