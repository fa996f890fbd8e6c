"""The mask's edge decided by its matting alpha against the known background (proposals/boundary.py).

Small people have feathered, blurred edges: a fixed background-difference threshold makes a person fat on
a contrasting background and thin on a similar one. Synthetic frames, milliseconds each."""

import cv2
import numpy as np
from fakes import TrackScene

from humanseg_core.errors import FrameError
from humanseg_core.jobs import run_job
from humanseg_core.proposals.boundary import BoundaryConfig, refine_edges
from humanseg_core.proposals.detectors.bgs import shadow_free_difference
from humanseg_core.proposals.joint import JointConfig, generate_joint

ON = BoundaryConfig()


def _iou(a, b):
    return float((a & b).sum()) / max(1.0, float((a | b).sum()))


def _body(shape, u, v, h):
    """A hard person silhouette (head disc, torso, two legs) whose feet are at (u, v), ``h`` px tall."""
    m = np.zeros(shape, np.uint8)
    cv2.circle(m, (int(u), int(v - 0.9 * h)), max(2, int(0.08 * h)), 1, -1)
    cv2.rectangle(m, (int(u - 0.1 * h), int(v - 0.82 * h)), (int(u + 0.1 * h), int(v - 0.45 * h)), 1, -1)
    cv2.rectangle(m, (int(u - 0.09 * h), int(v - 0.45 * h)), (int(u - 0.03 * h), int(v)), 1, -1)
    cv2.rectangle(m, (int(u + 0.03 * h), int(v - 0.45 * h)), (int(u + 0.09 * h), int(v)), 1, -1)
    return m > 0


def _composite(bg, hard, colour, feather=1.0):
    """``hard`` pasted in ``colour`` over ``bg`` with a blurred (feathered) alpha, as a camera sees edges."""
    alpha = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), feather)[..., None]
    out = alpha * np.asarray(colour, np.float32) + (1 - alpha) * bg.astype(np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def test_the_edge_band_goes_where_the_person_covers_half_the_pixel_on_any_contrast():
    rng = np.random.default_rng(3)
    bg = rng.integers(95, 105, (120, 160, 3)).astype(np.uint8)  # a grey floor, a little texture
    gt = _body(bg.shape[:2], 50, 100, 70) | _body(bg.shape[:2], 115, 100, 70)
    left = np.zeros(gt.shape, bool)
    left[:, :80] = True
    # a white person (high contrast: the threshold takes pixels a fifth covered) and a dull one (low
    # contrast: it drops pixels four fifths covered)
    frame = _composite(bg, gt & left, (235, 235, 235))
    frame = _composite(frame, gt & ~left, (120, 118, 122))
    fg = shadow_free_difference(frame, bg) == 255
    fat, thin = fg & left, fg & ~left
    assert (fat & ~gt).sum() > 2 * (gt & left & ~fat).sum()  # the high-contrast mask is too fat ...
    assert (gt & ~left & ~thin).sum() > 2 * (thin & ~gt).sum()  # ... the low-contrast one too thin
    out = refine_edges(frame, bg, fg, ON)
    assert _iou(out & left, gt & left) >= _iou(fat, gt & left) + 0.08
    assert _iou(out & ~left, gt & ~left) >= _iou(thin, gt & ~left) + 0.05
    assert _iou(out & left, gt & left) >= 0.9 and _iou(out & ~left, gt & ~left) >= 0.85
    assert refine_edges(frame, bg, fg, BoundaryConfig(enabled=False)) is fg  # off: the mask as it was


def test_a_pixel_like_the_background_keeps_its_decision():
    bg = np.full((40, 40, 3), 100, np.uint8)
    frame = bg.copy()
    frame[10:30, 10:30] = (108, 104, 100)  # barely different from the floor: no contrast to decide by
    mask = np.zeros((40, 40), bool)
    mask[8:32, 8:32] = True
    assert (refine_edges(frame, bg, mask, ON) == mask).all()


def test_a_foot_shadow_beside_a_dark_person_is_not_taken_for_a_half_covered_edge():
    """A shadow is darker than the floor, so against dark clothing it looks half covered (alpha above one
    half); the pixels the background subtraction called shadow stay out."""
    rng = np.random.default_rng(2)
    bg = rng.integers(145, 155, (100, 100, 3)).astype(np.uint8)
    frame = bg.copy()
    frame[20:80, 40:52] = (40, 45, 40)  # a dark coat and trousers down to the feet (row 79)
    shadow = (slice(72, 82), slice(52, 72))
    frame[shadow] = (bg[shadow] * 0.6).astype(np.uint8)  # the foot shadow on the floor beside the feet
    fg = shadow_free_difference(frame, bg)
    assert (fg[shadow] == 127).mean() > 0.9
    mask = fg == 255
    taken = refine_edges(frame, bg, mask, ON)[shadow].sum()
    kept_out = refine_edges(frame, bg, mask, ON, shadow=fg == 127)[shadow].sum()
    assert taken >= 10 and kept_out == 0
    off = BoundaryConfig(shadows_stay_out=False)
    assert refine_edges(frame, bg, mask, off, shadow=fg == 127)[shadow].sum() == taken


class FeatheredFrames:
    """A grey floor; one white person walking right, feathered edges; ``gt(i)`` the hard silhouette."""

    def __init__(self, n=60):
        self.width, self.height, self.path = 200, 160, "feathered"
        self.indices = list(range(n))
        self.bg = np.random.default_rng(1).integers(95, 105, (160, 200, 3)).astype(np.uint8)

    def point(self, index):
        return 30.0 + 2.0 * index, 130.0

    def gt(self, index):
        return _body((self.height, self.width), *self.point(index), 80)

    def read(self, index):
        if index not in self.indices:
            raise FrameError(self.path, "missing", index)
        return _composite(self.bg, self.gt(index), (230, 230, 230))


def test_the_joint_proposals_decide_their_edges_by_alpha_when_asked():
    """bgs-owned (no parent file needed) with the refinement asked for; by default only bgs+parent uses it."""
    frames = FeatheredFrames()
    scene = TrackScene({1: frames.point}, {1: [20, 30, 40]})
    scene.frames = frames
    scene.homography = None
    scores = {}
    for on in (False, True):
        config = JointConfig(boundary=BoundaryConfig(enabled=on, methods=("bgs-owned",)))
        props, skips = run_job(generate_joint(scene, [1], "bgs-owned", anchor="feet", config=config))
        assert not skips and len(props) == 3
        scores[on] = min(_iou(p.mask, frames.gt(p.frame)) for p in props)
    assert scores[True] >= scores[False] + 0.05 and scores[True] >= 0.85



class OneSidedParent:
    """Stands in for the parent network: the person (the bright pixels of the crop) at 0.8, plus a false
    blob at 0.6 that sits at fixed crop coordinates, left of the point, whatever the crop shows (an
    error of one orientation: its mirror image puts it on the other side)."""

    factor, size = 2.6, 96

    def __init__(self):
        self.calls = []

    def inputs(self, frame, point, others, height):
        from humanseg_core.prior import crops

        box = crops.box_for(point, height, self.factor)
        maps = crops.point_maps(point, others, box, self.size, 3.0)
        return crops.to_input(crops.cut(frame, box, self.size), maps, crops.MEAN_RGB, crops.STD_RGB), box

    def crop_probs(self, x, anchor=None):
        self.calls.append(len(x))
        prob = np.where(x[:, 0] > 1.0, 0.8, 0.0).astype(np.float32)
        prob[:, 40:60, 20:35] = np.maximum(prob[:, 40:60, 20:35], 0.6)
        return prob

    def segment_batch(self, frame, items, anchor=None, flip=False):  # the real network's batching and mirror mean
        from humanseg_core.prior.parent import ParentSegmenter

        return ParentSegmenter.segment_batch(self, frame, items, anchor, flip)  # type: ignore[arg-type]


def test_the_mirror_mean_halves_an_error_the_parent_makes_in_one_orientation():
    from humanseg_core.proposals.parent_masks import ParentConfig, parent_probabilities

    frame = np.full((200, 200, 3), 90, np.uint8)
    gt = _body((200, 200), 100, 150, 80)
    frame[gt] = 240
    scores = {}
    for flip in (False, True):
        parent = OneSidedParent()
        prob = parent_probabilities(parent, frame, {1: (100.0, 150.0)}, {1: 80.0}, ParentConfig(flip=flip),
                                    "feet")[1]
        scores[flip] = _iou(prob >= 0.5, gt)
        assert parent.calls == ([2] if flip else [1])  # the crop and its mirror image in one batch
    assert scores[True] >= scores[False] + 0.3 and scores[True] >= 0.9
