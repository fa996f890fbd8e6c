"""Edges the rest of the suite left open: the moving-camera switch and its flag, the score's bands at their
borders, the height sweep's crossing at a ratio of exactly 1 and its clip, the clip's frame offset found in the
video (measured once, refined, refused)."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import run_collecting

from humanseg_core.inputs.scene import load_scene
from humanseg_core.jobs import run_job

# --- the moving camera (joint.py, moving_camera.py) ---------------------------------------------------------


def test_the_parent_method_on_a_still_camera_does_not_flag_a_moving_one(small_demo, monkeypatch):
    """The proposals' "moving camera" flag says the job switched to the parent alone in its warm-up; a job asked
    for the parent method from the start on a still video must not carry it (Review would say the camera moved)."""
    import humanseg_core.proposals.joint as joint
    from humanseg_core.proposals.joint import MOVING_CAMERA, generate_joint
    from humanseg_core.proposals.moving_camera import MOVING_FLAG
    from humanseg_core.proposals.parent_masks import load_parent_or_none

    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    monkeypatch.setattr(joint, "ANCHOR_SAMPLE_FRAMES", 2)  # a short warm-up (the flag is decided in it)
    monkeypatch.setattr(joint, "sweep_heights", lambda *a, **k: None)
    with load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt") as scene:
        warned: set = set()
        proposals, _skips = run_collecting(generate_joint(scene, [scene.pids[0]], method="parent", parent=parent,
                                                           anchor="feet", frame_range=(0, 3)), warned)
    assert proposals
    assert MOVING_CAMERA not in warned
    assert not any(MOVING_FLAG in p.flags for p in proposals)


def test_without_a_parent_a_panning_camera_keeps_background_subtraction(demo60, tmp_path):
    """The switch to the parent alone needs a parent: bgs-owned (no parent at all) on a panning camera goes on
    with background subtraction, with no moving-camera warning or flag (switching would run a missing network)."""
    from test_moving_camera import _panned

    from humanseg_core.proposals.joint import MOVING_CAMERA, generate_joint
    from humanseg_core.proposals.moving_camera import MOVING_FLAG

    frames = _panned(demo60, tmp_path / "pan")
    with load_scene(frames, demo60 / "trajectories.txt", demo60 / "H.txt") as scene:
        warned: set = set()
        proposals, _skips = run_collecting(generate_joint(scene, [scene.pids[0]], method="bgs-owned",
                                                           frame_range=(0, 4)), warned)
    assert MOVING_CAMERA not in warned
    assert not any(MOVING_FLAG in p.flags for p in proposals)
    assert all(p.source == "bgs-owned" for p in proposals)


class _Shares:
    """A background model whose foreground of the i-th frame asked is ``masks[i]``."""

    def __init__(self, masks):
        self.masks = list(masks)

    def foreground(self, img, f):
        return self.masks.pop(0)


def _share_mask(share255: float, share127: float = 0.0, size: int = 100) -> np.ndarray:
    out = np.zeros(size * size, np.uint8)
    a, b = round(share255 * out.size), round((share255 + share127) * out.size)
    out[:a], out[a:b] = 255, 127
    return out.reshape(size, size)


def test_the_changed_share_is_the_median_of_the_sample_frames():
    """One frame all changed (a flash, a passing bus) among still ones is no moving camera: the median share,
    not the mean (which would read 0.4 here and switch to the parent alone)."""
    from humanseg_core.proposals.moving_camera import changed_share

    bg = _Shares([_share_mask(0.1), _share_mask(0.1), _share_mask(1.0)])
    assert changed_share(bg, lambda f: None, [0, 1, 2]) == pytest.approx(0.1)


def test_an_unreadable_frame_thins_the_sample_and_a_bug_is_raised():
    """A frame that cannot be read is left out of the sample; an error of another kind (a bug) is no such frame
    and is raised (a review: every exception thinned the sample in silence)."""
    from humanseg_core.errors import FrameError
    from humanseg_core.proposals.moving_camera import changed_share

    def read(f):
        if f == 1:
            raise FrameError("v.mp4", "cannot decode this frame", f)
        return None

    bg = _Shares([_share_mask(0.1), _share_mask(0.3)])
    assert changed_share(bg, read, [0, 1, 2]) == pytest.approx(0.2)

    def buggy(f):
        raise TypeError("a bug")

    with pytest.raises(TypeError):
        changed_share(_Shares([]), buggy, [0])


def test_shadow_pixels_are_not_counted_as_changed():
    """The background model marks shadows 127: only foreground (255) counts as changed; a scene of long shadows
    must not read as a moving camera."""
    from humanseg_core.proposals.moving_camera import changed_share

    bg = _Shares([_share_mask(0.1, 0.5) for _ in range(3)])
    assert changed_share(bg, lambda f: None, [0, 1, 2]) == pytest.approx(0.1)


@pytest.mark.parametrize("share, switches", [(0.39, False), (0.40, True), (0.6, True)])
def test_the_switch_to_the_parent_alone_starts_at_forty_percent(small_demo, monkeypatch, share, switches):
    """The warm-up switches to the parent alone from a changed share of MOVING_SHARE (0.4) on, not above it nor
    below it (surveillance scenes change by 0.2-7 %, DAVIS lucia by 73-78 %)."""
    import humanseg_core.proposals.joint as joint

    monkeypatch.setattr(joint, "changed_share", lambda *a: share)
    with load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt") as scene:
        state = joint._FrameState(scene, "bgs+parent", None, joint.JointConfig(), object())
        plan = {f: {} for f in range(10)}
        next(joint._warm_up(state, scene, plan, "feet", 20.0, None))  # the switch is decided before the first report
    assert (state.moved is not None) == switches
    assert (state.method == "parent") == switches
    assert (state.background is None) == switches
    if switches:
        assert state.moved == pytest.approx(share)


# --- the score's bands (score_bands.py) ---------------------------------------------------------------------


def test_the_parent_alone_half_sure_of_its_mask_scores_its_share_of_full_certainty():
    """The parent's certainty is the soft IoU over SURE_FULL (0.85): probabilities of 0.5 all over the mask are
    0.5 / 0.85 = 0.588 (a changed SURE_FULL moves every parent-alone score across the bands)."""
    from humanseg_core.proposals.score_bands import parent_certainty

    mask = np.zeros((20, 20), bool)
    mask[5:15, 5:15] = True
    probs = mask.astype(np.float32) * 0.5
    assert parent_certainty(mask, 0, 0, probs) == pytest.approx(0.588, abs=0.001)


def _proposal(score: float, flags):
    from humanseg_core.records import Proposal

    return Proposal(frame=0, pid=1, box=(0, 0, 2, 2), mask=np.ones((2, 2), bool), source="bgs+parent", score=score,
                    distance=0.0, flags=list(flags), status="pending")


TWO_FACTORS = ["contested 0.00", "parent agrees 0.70"]


def test_a_two_factor_score_of_exactly_the_band_floor_counts_in_that_band():
    """A score of exactly 0.7 is in "0.7 and up" (the band's floor belongs to it), 0.5 in "0.5-0.7"."""
    from humanseg_core.proposals.score_bands import band_counts

    assert [(b, n) for b, n, _t in band_counts([_proposal(0.7, TWO_FACTORS)])] == [("0.7 and up", 1)]
    assert [(b, n) for b, n, _t in band_counts([_proposal(0.5, TWO_FACTORS)])] == [("0.5-0.7", 1)]
    assert [(b, n) for b, n, _t in band_counts([_proposal(0.49, TWO_FACTORS)])] == [("under 0.5", 1)]


def test_the_lowest_band_is_under_the_second_lowest_floor():
    """Two factors: the lowest band is under 0.5 (0.6 is not in it, 0.4 is); one factor: under 0.85 (0.9 is not,
    0.8 is). Review's "lowest first" walks these."""
    from humanseg_core.proposals.score_bands import in_lowest_band

    assert not in_lowest_band(0.6, TWO_FACTORS)
    assert in_lowest_band(0.4, TWO_FACTORS)
    assert not in_lowest_band(0.5, TWO_FACTORS)
    assert not in_lowest_band(0.9, [])
    assert in_lowest_band(0.8, [])
    assert not in_lowest_band(0.85, [])


# --- the height sweep (height_sweep.py) ---------------------------------------------------------------------

FACTORS4 = (0.5, 1.0, 2.0, 4.0)


@pytest.mark.parametrize("ratios, expected", [
    ((0.6, 0.4, 0.3, 1.0), 4.0),  # the last ratio exactly 1: the person is the largest crop's height
    ((1.3, 0.5, 0.8, 1.0), 4.0),
    ((1.3, 1.0, 0.5, 0.8), 1.0),  # exactly 1 at 1.0, then below: the crossing is there
])
def test_a_ratio_of_exactly_one_counts_as_filling_the_crop(ratios, expected):
    """A mask exactly as tall as its crop's expected height fills it (the person is at least that tall)."""
    from humanseg_core.proposals.height_sweep import crossing

    assert crossing(FACTORS4, ratios) == pytest.approx(expected)


def _fake_sweep(monkeypatch, ratio_of):
    """height_sweep's network and mask measure replaced: at factor k every person's mask is ``ratio_of(k)``
    times its crop's expected height (five persons guessed 40 px tall)."""
    import humanseg_core.proposals.height_sweep as hs

    def probs(segmenter, image, points, heights, config, anchor):  # the crop's expected height, for mask_height
        return {p: float(heights[p]) for p in points}

    def height(expected, point):
        return expected * ratio_of(round(expected / 40.0, 3))

    monkeypatch.setattr(hs, "parent_probabilities", probs)
    monkeypatch.setattr(hs, "mask_height", height)
    return [(np.zeros((120, 160, 3), np.uint8), {p: (20.0 * p, 100.0, 40.0) for p in range(1, 6)})]


def test_a_person_far_taller_than_the_largest_crop_is_clipped_at_max_beyond(monkeypatch):
    """The largest crop's mask 5 times its expected height (4.0 x 5 = 20 times the guess) is read as MAX_BEYOND
    (2) times the largest factor: 8, not 20."""
    from humanseg_core.proposals.height_sweep import FACTORS, MAX_BEYOND, height_factor

    frames = _fake_sweep(monkeypatch, lambda k: 5.0)
    assert height_factor(object(), frames, "feet") == pytest.approx(FACTORS[-1] * MAX_BEYOND)
    assert FACTORS[-1] * MAX_BEYOND == pytest.approx(8.0)


def test_a_tiny_person_is_clipped_at_the_first_factor_times_the_seen_ratio(monkeypatch):
    """Masks never filling a crop, the smallest one's 0.1 of it: the height read (0.35 x 0.1) is raised to the
    first factor times SEEN_RATIO (0.35 x 0.25), the least a seen person may be."""
    from humanseg_core.proposals.height_sweep import FACTORS, SEEN_RATIO, height_factor

    frames = _fake_sweep(monkeypatch, lambda k: 0.1 if k == FACTORS[0] else 0.3)
    assert height_factor(object(), frames, "feet") == pytest.approx(FACTORS[0] * SEEN_RATIO)


def test_masks_of_about_a_crops_height_are_read_unclipped(monkeypatch):
    """Between the clip bounds the crossing is the answer: a mask filling crops up to 1.0 and half of larger ones
    reads a person of about 1.2 times the guess (the clip bounds do not move it)."""
    from humanseg_core.proposals.height_sweep import FACTORS, crossing, height_factor

    ratios = {0.35: 1.2, 0.5: 1.1, 0.7: 1.05, 1.0: 1.02, 1.4: 0.8, 2.0: 0.6, 2.8: 0.4, 4.0: 0.3}
    frames = _fake_sweep(monkeypatch, lambda k: ratios[k])
    assert height_factor(object(), frames, "feet") == pytest.approx(crossing(FACTORS, [ratios[k] for k in FACTORS]))


# --- the clip's frame offset (offset_estimate.py) -----------------------------------------------------------


def _rowcol(demo60, tmp_path):
    from test_offset_estimate import shifted_tracks

    tracks = shifted_tracks(demo60, tmp_path / "recording.txt")
    rowcol = tmp_path / "H_rowcol.txt"
    np.savetxt(rowcol, np.loadtxt(demo60 / "H.txt", comments="#")[:, [1, 0, 2]])
    return tracks, rowcol


def test_both_pixel_orders_share_one_measure_of_the_video(demo60, tmp_path, monkeypatch):
    """Trying the other pixel order takes the video's median background measured for the first (a second median
    of the clip doubles the wait for nothing)."""
    import humanseg_core.inputs.offset_estimate as oe

    tracks, rowcol = _rowcol(demo60, tmp_path)
    calls = []
    real = oe.median_background
    monkeypatch.setattr(oe, "median_background", lambda *a, **k: calls.append(1) or real(*a, **k))
    with load_scene(demo60 / "frames", tracks, rowcol) as scene:
        found, swapped = run_job(oe.estimate_offset_either_order(scene))
    assert swapped and found is not None and found.offset == -3000
    assert len(calls) == 1


def test_the_refined_shift_is_the_one_returned(demo60, tmp_path, monkeypatch):
    """The offset offered is the refinement's (to the frame), not the coarse search's."""
    from test_offset_estimate import shifted_tracks

    import humanseg_core.inputs.offset_estimate as oe

    tracks = shifted_tracks(demo60, tmp_path / "recording.txt")
    monkeypatch.setattr(oe, "_refined", lambda scene, shown, points, d, *a: d + 1)
    with load_scene(demo60 / "frames", tracks, demo60 / "H.txt") as scene:
        found = run_job(oe.estimate_offset(scene))
    assert found is not None and found.offset == -3000 + 1


def test_a_shift_with_too_few_points_does_not_win_the_refinement(monkeypatch):
    """A shift that puts only 3 points on the frames (fewer than MIN_POINTS), all on people, says nothing: the
    shift of 10 points half on people stays."""
    import humanseg_core.inputs.offset_estimate as oe

    rows, cols = 200, 400
    h = oe.HEIGHT_SHARE * rows
    fg = np.zeros((rows, cols), np.int32)
    us_many = np.arange(10) * 30.0 + 20.0
    us_few = np.arange(3) * 30.0 + 320.0
    half = int(oe.HALF_WIDTH * h)
    for u in us_many:  # half of each column foreground
        fg[100 - int(h / 2):100, int(u) - half - 1:int(u) + half + 2] = 1
    for u in us_few:  # the whole column
        fg[100 - int(h / 2) - 2:100 + int(h / 2) + 3, int(u) - half - 1:int(u) + half + 2] = 1
    integral = np.zeros((rows + 1, cols + 1), np.int64)
    integral[1:, 1:] = fg.cumsum(0).cumsum(1)
    t = np.concatenate([np.full(10, 100), np.full(3, 101)]).astype(np.int32)  # shift -100: 10 points; -101: 3
    u = np.concatenate([us_many, us_few]).astype(np.float32)
    points = oe._Points(t, u, np.full(13, 100.0, np.float32), np.arange(13, dtype=np.int32))
    monkeypatch.setattr(oe, "REFINE_FRAMES", 0)  # the frame given, no others read
    centre = oe.ANCHORS.index("centre")
    shown = [(0, integral)]
    assert oe._refined(None, shown, points, -100, centre, None, None) == -100
    assert oe._refined(None, shown, points, -101, centre, None, None) == -100


def test_an_approximate_homography_offers_no_offset_in_either_order(demo60, tmp_path):
    """Points placed by a homography fitted to the tracks' extent stand nowhere in particular: no offset is looked
    for, in the order given nor swapped (a swapped fit would still be the same guess)."""
    from humanseg_core.inputs.offset_estimate import estimate_offset, estimate_offset_either_order

    tracks, rowcol = _rowcol(demo60, tmp_path)
    with load_scene(demo60 / "frames", tracks, demo60 / "H.txt") as scene:  # (-3000 when not approximate)
        scene.homography.approximate = True
        assert run_job(estimate_offset(scene)) is None
    with load_scene(demo60 / "frames", tracks, rowcol) as scene:  # (-3000 swapped when not approximate)
        scene.homography.approximate = True
        assert run_job(estimate_offset_either_order(scene)) == (None, False)


@pytest.mark.parametrize("warm_up_taught", [True, False])
def test_heights_the_warm_up_could_not_learn_from_blobs_stay_the_parents(small_demo, monkeypatch, warm_up_taught):
    """A helper's scene (115 px people, a drifting light): no blob of the warm-up held one person alone, the
    parent's sweep gave the heights, and then every frame's merged blobs taught them again (median IoU 0.428; 0.726
    with the parent's kept). Where the warm-up's blobs taught the heights, the frames' blobs go on teaching."""
    import humanseg_core.proposals.joint as joint
    from humanseg_core.proposals.joint import generate_joint
    from humanseg_core.proposals.parent_masks import load_parent_or_none

    parent, problem = load_parent_or_none()
    assert parent is not None, problem
    real_learn, calls, swept = joint.learn_heights, [], []

    def learn(model, *a, **k):
        calls.append(bool(swept))  # True: after the sweep
        if warm_up_taught:
            real_learn(model, *a, **k)

    monkeypatch.setattr(joint, "ANCHOR_SAMPLE_FRAMES", 2)
    monkeypatch.setattr(joint, "learn_heights", learn)
    monkeypatch.setattr(joint, "sweep_heights", lambda *a, **k: swept.append(1) or 1.0)
    with load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt") as scene:
        proposals, _skips = run_collecting(generate_joint(scene, [scene.pids[0]], method="bgs+parent", parent=parent,
                                                           anchor="feet", frame_range=(0, 3)), set())
    assert proposals and calls
    if warm_up_taught:
        assert not swept and len(calls) > 2  # the warm-up's two sample frames, then every frame's
    else:
        assert swept and not any(calls)  # the sample frames' alone: none after the sweep
