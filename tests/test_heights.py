"""Expected heights calibrated with the persons' own label boxes (body_prior.labelled_height_model): the
homography alone gives a default height at the scene's median scale; a walk on 110 px people found the
studio's zoom on person sized for about 62 px."""

from __future__ import annotations

from humanseg_core.inputs.scene import load_scene
from humanseg_core.proposals.body_prior import labelled_height_model, scene_height_model


def test_label_boxes_set_the_scenes_height_scale(small_demo):
    scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt")
    try:
        plain = scene_height_model(scene)
        boxes, checks = [], []
        for pid in (1, 2):
            for frame in (0, 5, 10):
                u, v = scene.position_px(pid, frame)
                h = 2.0 * plain.height(pid, v, u)  # the persons are twice the default height
                boxes.append((pid, frame, (int(u) - 10, int(v - h), int(u) + 10, int(v))))
                checks.append((pid, u, v, h))
        model = labelled_height_model(scene, boxes)
        for pid, u, v, h in checks:
            assert abs(model.height(pid, v, u) - h) <= 0.05 * h
        assert labelled_height_model(scene, []).height(1, checks[0][2], checks[0][1]) == \
            plain.height(1, checks[0][2], checks[0][1])
    finally:
        scene.close()


def test_boxes_holding_several_persons_teach_heights_only_when_few_boxes_are_alone():
    """A blob of a column of people walking one behind the other has the first one's head at its top: it is
    the whole column tall (held-out eth_soft learnt 2x). Once lone boxes are a fair share of the matched ones
    only they teach the heights; where nearly every box holds several persons the few lone ones are taken
    for fragments (a 21-frame demo: 6 of 81, a quarter of the height) and every box counts."""
    import numpy as np

    from humanseg_core.proposals.body_prior import HeightModel
    from humanseg_core.proposals.generate import learn_heights

    column = {1: (100.0, 50.0), 2: (104.0, 90.0), 3: (98.0, 130.0)}  # heads 40 px apart, 60 px people
    column_box = np.array([[85.0, 50.0, 115.0, 190.0]])  # their blob: 140 px tall, person 1's head on top

    def alone(model, height):
        learn_heights(model, np.array([[285.0, 60.0, 315.0, 60.0 + height]]), {**column, 4: (300.0, 60.0)}, "head",
                      40.0)

    model = HeightModel(480)
    for _ in range(10):
        learn_heights(model, column_box, column, "head", 40.0)
    assert model.value == 140.0  # nothing better known yet
    for _ in range(5):
        alone(model, 60.0)  # 5 of 15 boxes alone: they teach
    assert model.value == 60.0
    fragments = HeightModel(480)
    for _ in range(20):
        learn_heights(fragments, column_box, column, "head", 40.0)
    for _ in range(2):
        alone(fragments, 15.0)  # 2 of 22 lone boxes, a quarter of a body: not taken alone
    assert fragments.value == 140.0
