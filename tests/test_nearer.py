"""A person segmented on its own gives up the pixels a nearer person's stored results hold (a whole-scene run's
rule); a farther person's are left to it, and nobody else's stored results change."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.workflows.nearer import trim_to_nearer

H, W = 60, 80


def _box(x0, y0, x1, y1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


class _Scene:
    def __init__(self, points):
        self.points = points  # {pid: (u, v)} on every frame

    def position_px(self, pid, frame):
        return self.points.get(pid)

    def persons_at(self, frame):
        return dict(self.points)


@pytest.fixture
def project(bare_project):
    return bare_project


def test_the_nearer_persons_pixels_are_given_up_and_theirs_kept(project):
    near = _box(30, 20, 50, 50)  # person 2, its point lower in the image: nearer
    far = _box(0, 0, 12, 10)  # person 3, farther up and away from person 1
    for q, mask in ((2, near), (3, far)):
        project.save_results(q, project.add_run(q, "fast"), {0: mask, 1: mask})
    scene = _Scene({1: (30.0, 40.0), 2: (40.0, 49.0), 3: (5.0, 9.0)})
    new = {0: _box(20, 10, 40, 45), 1: _box(60, 10, 70, 40), 2: None}  # frame 1 clear of person 2
    trimmed, taken = trim_to_nearer(project, scene, 1, new)
    assert taken == int((new[0] & near).sum()) > 0
    assert np.array_equal(trimmed[0], new[0] & ~near)
    assert np.array_equal(trimmed[1], new[1]) and trimmed[2] is None
    assert np.array_equal(project.results(2)[0], near)  # the nearer person's stored results untouched
    farther = _Scene({1: (30.0, 49.5), 2: (40.0, 49.0)})  # now person 1 is the nearer: it keeps every pixel
    kept, none = trim_to_nearer(project, farther, 1, new)
    assert none == 0 and np.array_equal(kept[0], new[0])


def test_nothing_to_trim_without_other_results(project):
    new = {0: _box(20, 10, 40, 45)}
    assert trim_to_nearer(project, _Scene({1: (30.0, 40.0)}), 1, new) == (new, 0)
