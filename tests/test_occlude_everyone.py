"""Once the mostly-behind rule has spoken, a nearer person hides whoever stands behind it where the parent
is fairly sure of it, even where its body does not cover the farther person's point (ADR 0006, "Later:
nearer persons occlude everyone"). A small synthetic pair, a stand-in parent; seconds in all."""

import numpy as np
from fakes import FloorFrames, TrackScene, rect_mask

from humanseg_core.jobs import run_job
from humanseg_core.proposals.joint import JointConfig, generate_joint
from humanseg_core.proposals.motion import MotionConfig
from humanseg_core.proposals.ownership import OwnershipConfig
from humanseg_core.proposals.parent_masks import ParentConfig

W, H = 300, 300  # the default expected height (75/576 of the image) is then 39 px
PH, PW = 39, 20  # both persons' height and width in px; the track point is the feet
SHIFT = 11  # the farther person stands this far right of the nearer one: 9 of its 20 columns are hidden


def _body(u, v):
    return round(u - PW / 2), round(v - PH), round(u + PW / 2), round(v)


class PairFrames(FloorFrames):
    """Person 1 walks right; person 2 walks 4 px farther away, SHIFT px to its right, so that person 1
    hides the left part of person 2's body but not its point. Both dressed alike (a crowd's dark coats),
    on a textured grey floor."""

    def __init__(self, n=80):
        super().__init__(n, H, W, seed=2, path="pair")

    @staticmethod
    def points(f):
        x = 40.0 + 1.5 * f
        return {1: (x, 150.0), 2: (x + SHIFT, 146.0)}

    def read(self, index):
        self.frame = index
        img = self.bg.copy()
        for pid in (2, 1):  # far to near
            x0, y0, x1, y1 = _body(*self.points(index)[pid])
            img[y0:y1, x0:x1] = (50, 50, 60)
        return img

    def gt(self, index):
        near = rect_mask((H, W), *_body(*self.points(index)[1]))
        return {1: near, 2: rect_mask((H, W), *_body(*self.points(index)[2])) & ~near}


class SurerOfTheFarther:
    """Stands in for the parent as the crowd diagnosis found it: each person's whole upright body, the
    farther person's at 0.9 (the hidden part included), the nearer person's at 0.75."""

    factor = 2.6

    def __init__(self, frames):
        self.frames = frames

    def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
        points = self.frames.points(self.frames.frame)
        out = []
        for (u, v), _others, _h in items:
            pid = min(points, key=lambda q: np.hypot(points[q][0] - u, points[q][1] - v))
            prob = np.zeros((H, W), np.float32)
            prob[rect_mask((H, W), *_body(*points[pid]))] = 0.9 if pid == 2 else 0.75
            out.append(prob)
        return out


def _ious(level):
    frames = PairFrames()
    scene = TrackScene({p: (lambda f, p=p: PairFrames.points(f)[p]) for p in (1, 2)}, {p: [30, 40, 50] for p in (1, 2)})
    scene.frames = frames
    # alike colours (no colour cost) and flat bodies (no flow to tell motions apart): the parent decides
    config = JointConfig(parent=ParentConfig(occludes_everyone=level), ownership=OwnershipConfig(colour_weight=0.0),
                         motion=MotionConfig(enabled=False))
    props, _skips = run_job(generate_joint(scene, [1, 2], "bgs+parent", anchor="feet", config=config,
                                           parent=SurerOfTheFarther(frames)))
    out: dict = {1: [], 2: []}
    for p in props:
        g = frames.gt(p.frame)[p.pid]
        out[p.pid].append(float((p.mask & g).sum()) / float((p.mask | g).sum()))
    return out


def test_a_nearer_person_keeps_its_body_where_a_farther_one_is_surer_of_it():
    before = _ious(0.0)  # the farther person's higher probability takes the nearer body's right part
    assert len(before[1]) == len(before[2]) == 3
    assert max(before[1]) < 0.8 and max(before[2]) < 0.7
    after = _ious(0.7)
    assert len(after[1]) == len(after[2]) == 3
    assert min(after[1]) > 0.95 and min(after[2]) > 0.95
    # below the nearer person's probability nothing is hidden: as before
    assert _ious(0.8) == before
