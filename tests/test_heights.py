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


def test_a_box_holding_several_persons_teaches_no_height():
    """A blob of a column of people walking one behind the other has the first one's head at its top: it is
    the whole column tall and must not teach that person's height (held-out eth_soft learnt 2x)."""
    import numpy as np

    from humanseg_core.proposals.body_prior import HeightModel
    from humanseg_core.proposals.generate import learn_heights

    column = {1: (100.0, 50.0), 2: (104.0, 90.0), 3: (98.0, 130.0)}  # heads 40 px apart, 60 px people
    alone = {4: (300.0, 60.0)}
    model = HeightModel(480, min_samples=1)
    for _ in range(5):
        learn_heights(model, np.array([[85.0, 50.0, 115.0, 190.0]]), column, "head", 40.0)  # the column's blob
    assert model.samples == []
    learn_heights(model, np.array([[285.0, 60.0, 315.0, 120.0]]), {**column, **alone}, "head", 40.0)
    assert model.samples == [(60.0, 60.0)]
