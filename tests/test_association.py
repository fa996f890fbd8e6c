"""Association of track points to detection boxes: one-to-one, threshold, anchors, ambiguity."""

import numpy as np
import pytest

from humanseg_core.proposals.association import (
    default_threshold,
    estimate_anchor,
    match_frame,
    point_box_distance,
    relative_height,
)
from humanseg_core.proposals.generate import plan_targets

SIZE = (720, 576)


def test_distance_is_zero_inside_and_edge_distance_outside():
    box = (100, 100, 130, 180)
    assert point_box_distance((110, 150), box) == 0.0
    assert point_box_distance((90, 150), box) == pytest.approx(10.0)
    assert point_box_distance((133, 184), box) == pytest.approx(5.0)


def test_one_to_one_two_people_never_claim_the_same_box():
    boxes = np.array([[100, 100, 130, 180]], float)
    matches, skips = match_frame({1: (110, 150), 2: (125, 150)}, boxes, 40, "box", SIZE)
    assert len(matches) == 1
    (loser,) = skips
    assert "taken by person" in skips[loser]


def test_assignment_is_global_not_greedy():
    # person 1 is nearest to box A, but giving A to person 2 lets both be matched
    boxes = np.array([[100, 100, 120, 180], [60, 100, 80, 180]], float)
    matches, skips = match_frame({1: (95, 140), 2: (110, 140)}, boxes, 40, "box", SIZE)
    assert not skips
    assert matches[2].box_index == 0 and matches[1].box_index == 1


def test_threshold_and_reason_name_the_nearest_distance():
    boxes = np.array([[100, 100, 130, 180]], float)
    matches, skips = match_frame({7: (193, 140)}, boxes, 40, "box", SIZE)
    assert not matches
    assert skips[7] == "no detection within 40 px (nearest 63 px)"
    matches, _ = match_frame({7: (193, 140)}, boxes, 70, "box", SIZE)
    assert matches[7].distance == pytest.approx(63.0)


def test_no_detections_and_points_outside_the_image():
    matches, skips = match_frame({1: (10, 10), 2: (-5, 40)}, np.zeros((0, 4)), 40, "box", SIZE)
    assert not matches
    assert skips[1] == "no detections on this frame"
    assert skips[2].startswith("point outside the image")


def test_threshold_scales_with_the_image_diagonal():
    assert default_threshold(720, 576) == pytest.approx(40.0)
    assert default_threshold(1440, 1152) == pytest.approx(80.0)
    assert default_threshold(360, 288, base=30) == pytest.approx(15.0)


@pytest.mark.parametrize("anchor, point", [("head", (115, 102)), ("feet", (115, 178)), ("centre", (115, 140))])
def test_anchor_picks_the_box_whose_matching_part_holds_the_point(anchor, point):
    # two people one above the other (a near one partly below a far one): the anchor decides
    upper = [100, 40, 130, 120]
    lower = [100, 100, 130, 180]
    boxes = np.array([upper, lower], float)
    matches, _ = match_frame({1: point}, boxes, 40, anchor, SIZE)
    # a head/feet/centre point at the top/bottom/middle of `lower` belongs to `lower`
    assert matches[1].box_index == 1
    assert matches[1].distance == 0.0


def test_head_anchor_penalises_a_point_at_the_feet():
    box = (100, 100, 130, 180)
    assert point_box_distance((115, 178), box, "head") > 50
    assert point_box_distance((115, 178), box, "feet") == 0.0
    assert point_box_distance((115, 102), box, "feet") > 50


def test_ambiguity_flag_when_a_second_box_is_almost_as_close():
    boxes = np.array([[100, 100, 130, 180], [150, 100, 180, 180]], float)
    m, _ = match_frame({1: (140, 140)}, boxes, 40, "box", SIZE)
    assert "ambiguous" in m[1].flags
    m, _ = match_frame({1: (131, 140)}, boxes, 40, "box", SIZE)
    assert "ambiguous" not in m[1].flags


def test_estimate_anchor_from_relative_heights():
    box = (0, 100, 30, 200)
    assert estimate_anchor([relative_height((10, 105 + i), box) for i in range(5)]) == "head"
    assert estimate_anchor([relative_height((10, 195 - i), box) for i in range(5)]) == "feet"
    assert estimate_anchor([0.5, 0.45, 0.55]) == "centre"
    assert estimate_anchor([0.1]) == "centre"  # too little data


def test_plan_includes_the_last_frame_and_interpolated_neighbours():
    tracks = {3: (np.array([0, 10, 20]), np.zeros((3, 2)))}
    plan = plan_targets(tracks)
    assert sorted(plan) == [0, 10, 20]
    plan = plan_targets(tracks, extra_frames=2, position=lambda pid, f: (1.0, 1.0), valid_frames=range(0, 19))
    # clipped to the track and to existing frames; annotated frame 20 lies past the video's end (a clip of a longer
    # recording): not planned, where a walk's clip counted 113 such "not in the video" skips
    assert sorted(plan) == [0, 1, 2, 8, 9, 10, 11, 12, 18]
    assert plan[9][3] == ["interpolated"] and plan[10][3] == []
    gap = plan_targets(tracks, valid_frames=[0, 1, 2, 20])  # a missing frame inside the video is planned (and said)
    assert sorted(gap) == [0, 10, 20]
    # the person's span (Scene.span) decides where a point exists: past the last row when the file stopped
    # while the person was in view
    in_span = lambda pid, f: (1.0, 1.0) if 0 <= f <= 24 else None  # noqa: E731
    plan = plan_targets(tracks, extra_frames=2, position=in_span, valid_frames=range(0, 30))
    assert {21, 22} <= set(plan) and -1 not in plan and 23 not in plan
