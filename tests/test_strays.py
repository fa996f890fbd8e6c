"""Walkers the trajectory file does not name compete for pixels (proposals/strays.py, ADR 0059): a named
person walking beside one no longer takes its body."""

from __future__ import annotations

import numpy as np
from test_joint_proposals import PH, PW, CrowdScene, _person_box

from humanseg_core.jobs import run_job
from humanseg_core.proposals.joint import JointConfig, generate_joint
from humanseg_core.proposals.strays import UNNAMED, StrayConfig, occluder_name, stray_points


class SpreadingParent:
    """Stands in for the parent network: 0.9 on the person's rectangle at the point, and 0.4 on a margin half
    a body wide on either side (the real network's probability spreads onto a neighbour it has no negative
    point for)."""

    factor = 2.6

    def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
        out = []
        for (u, v), _others, _h in items:
            prob = np.zeros(frame_bgr.shape[:2], np.float32)
            x0, y0, x1, y1 = _person_box(u, v)
            prob[max(0, y0):y1, max(0, x0 - PW // 2):x1 + PW // 2] = 0.4
            prob[max(0, y0):y1, max(0, x0):x1] = 0.9
            out.append(prob)
        return out


def _pair_scene():
    """Person 1, named, walks with person 7 one body width and 2 px to its right; 7 is drawn but absent from
    the trajectories."""
    tracks = {1: lambda f: (40.0 + 1.5 * f, 120.0), 7: lambda f: (40.0 + 1.5 * f + PW + 2, 120.0)}
    scene = CrowdScene(tracks, {1: (200, 40, 40), 7: (40, 40, 200)}, {1: [30, 40, 50]})
    scene.tracks = {1: tracks[1]}  # the trajectory file names person 1 only ...
    scene.frames.tracks = tracks  # ... the video shows both
    return scene


ON = JointConfig(strays=StrayConfig(enabled=True))


def _spill(scene, config=ON):
    """Pixels of person 7 in person 1's proposals, per proposal."""
    props, _ = run_job(generate_joint(scene, [1], "bgs+parent", anchor="feet", parent=SpreadingParent(),
                                      config=config))
    assert len(props) == 3
    return [int((p.mask & scene.frames.gt(p.frame)[7]).sum()) for p in props]


def test_a_named_person_does_not_take_an_unnamed_walkers_body():
    scene = _pair_scene()
    assert all(s == 0 for s in _spill(scene)), _spill(scene)
    off = _spill(scene, JointConfig())  # the default: off
    assert all(s >= PH * PW // 4 for s in off), off  # without: the near half of the walker beside it


def test_stray_points_take_unexplained_pieces_the_size_of_a_person():
    fg = np.zeros((200, 200), np.uint8)
    fg[50:90, 20:34] = 255  # a walker, 40 px tall, nobody's
    fg[50:90, 100:114] = 255  # a walker the named person's probability explains
    fg[150:154, 150:154] = 255  # a speck
    fg[110:150, 160:174] = 255  # unexplained, but where a named person's body is expected (its hidden part)
    top = np.zeros(fg.shape, np.float32)
    top[40:100, 95:120] = 0.8
    axes = {3: (107.0, 50.0, 90.0), 5: (167.0, 110.0, 150.0)}  # (u, top, bottom)
    heights = {3: 40.0, 5: 40.0}
    on = StrayConfig(enabled=True)
    points, sizes = stray_points(fg, top, axes, heights, lambda v, u: 40.0, "feet", on)
    assert list(points) == [-1] and sizes == {-1: 40.0}
    u, v = points[-1]
    assert abs(u - 27) <= 1 and abs(v - 90) <= 1  # its feet
    head, _ = stray_points(fg, top, {-2: axes[3], 4: axes[5]}, {-2: 40.0, 4: 40.0}, lambda v, u: 40.0, "head", on)
    assert list(head) == [-3] and abs(head[-3][1] - 52) <= 1
    anywhere, _ = stray_points(fg, top, axes, heights, lambda v, u: 40.0, "feet",
                               StrayConfig(enabled=True, max_inside=1.0))
    assert len(anywhere) == 2  # the hidden part too, when bodies do not count
    assert stray_points(fg, top, axes, heights, lambda v, u: 40.0, "feet", StrayConfig()) == ({}, {})


def test_a_person_hidden_behind_an_unnamed_walker_says_so():
    assert occluder_name(-1, {-1: (0.0, 0.0)}) == UNNAMED and occluder_name(4, {-1: (0.0, 0.0)}) == 4


def _frame_results(monkeypatch):
    """The joint step's per-frame results ({pid: part}, ambiguity, hidden), recorded as they are returned."""
    from humanseg_core.proposals import joint

    seen, real = [], joint._frame_masks

    def recording(*args, **kwargs):
        out = real(*args, **kwargs)
        seen.append(out)
        return out

    monkeypatch.setattr(joint, "_frame_masks", recording)
    return seen


def test_named_persons_not_asked_for_are_never_strays(monkeypatch):
    from humanseg_core.proposals import joint

    found, real = [], joint.stray_points
    monkeypatch.setattr(joint, "stray_points", lambda *a, **k: found.append(real(*a, **k)[0]) or real(*a, **k))
    tracks = {1: lambda f: (40.0 + 1.5 * f, 120.0), 2: lambda f: (200.0 + 1.5 * f, 200.0)}  # far apart, both named
    scene = CrowdScene(tracks, {1: (200, 40, 40), 2: (40, 40, 200)}, {1: [30, 40, 50], 2: [30, 40, 50]})
    props, _ = run_job(generate_joint(scene, [1], "bgs+parent", anchor="feet", parent=SpreadingParent(), config=ON))
    assert len(props) == 3 and len(found) == 3 and not any(found)  # person 2 is named, not a stray


def test_strays_stay_out_of_the_results_whichever_way_the_parent_combines(monkeypatch):
    from humanseg_core.proposals.parent_masks import ParentConfig

    seen = _frame_results(monkeypatch)
    gate = JointConfig(strays=StrayConfig(enabled=True), parent=ParentConfig(mode="gate"))
    for config in (ON, gate):
        seen.clear()
        assert _spill(_pair_scene(), config) is not None
        assert seen and all(min(parts, default=0) >= 0 and min(amb, default=0) >= 0 for parts, amb, _ in seen)


def test_a_hidden_persons_occluder_stays_its_number(monkeypatch):
    from test_behind_nearer import _run

    seen = _frame_results(monkeypatch)
    _run(JointConfig())
    hidden = [h for _, _, h in seen if h]
    assert hidden and all(isinstance(o, int) for h in hidden for o in h.values())
