"""eval-scene's frame offset near the one a run's export.json records: a run whose offset was found in the video a
frame off names its masks by the video's frames; the masks' overlap with the ground truth puts it right."""

import numpy as np


def _square(x):
    """A 20x12 box at column ``x`` of a 40x120 frame: a person walking along."""
    m = np.zeros((40, 120), bool)
    m[10:30, x:x + 12] = True
    return m


def test_a_recorded_offset_a_frame_off_is_put_right_by_the_masks_overlap():
    """A walk's run found its offset in the video a frame off (-4225 for -4224): its masks, named by the video's
    frames, were scored a frame apart, J 0.480 for 0.597, with the recorded offset named as if right."""
    from humanseg_core.cli.eval_scene import _nearby_offset

    pred = {1: {f: _square(4 * f) for f in range(20)}}  # a person walking 4 px a frame
    gt = {1: {f + 100: _square(4 * f) for f in range(20)}}  # the same, named by trajectory frame (offset -100)
    assert _nearby_offset(pred, gt, -100) == -100
    assert _nearby_offset(pred, gt, -101) == -100 and _nearby_offset(pred, gt, -98) == -100
    assert _nearby_offset(pred, gt, -110) == -110  # no overlap anywhere within reach: as recorded
    still = {1: {f: _square(40) for f in range(20)}}  # standing: every nearby offset alike, the recorded one kept
    assert _nearby_offset(still, {1: {f + 100: _square(40) for f in range(20)}}, -101) == -101
    slow = {1: {f: _square(f // 8) for f in range(20)}}  # a person all but still: a frame apart barely differs
    assert _nearby_offset(slow, {1: {f + 100: _square(f // 8) for f in range(20)}}, -101) == -101


def test_eval_scene_takes_the_nearby_offset_and_says_so(capsys):
    from pathlib import Path

    from humanseg_core.cli.eval_scene import _recorded_offset

    pred = {1: {f: _square(4 * f) for f in range(20)}}
    gt = {1: {f + 100: _square(4 * f) for f in range(20)}}
    assert _recorded_offset({"inputs": {"frame_offset": -101}}, pred, gt, Path("out/export.json")) == -100
    said = capsys.readouterr().err  # (a helper's offset was given, not found in the video: the note blamed that)
    assert "frame offset -100: the masks line up with the ground truth there, not at the -101 out/export.json " \
           "records: the ground truth is numbered 1 frame off the trajectories as the run read them" in said
    assert _recorded_offset({"inputs": {"frame_offset": -100}}, pred, gt, Path("out/export.json")) == -100
    assert "frame offset -100, as out/export.json records" in capsys.readouterr().err
    # a few masks lined up decide nothing (a review: one pair could win)
    from humanseg_core.cli.eval_scene import _nearby_offset, _offset_origin

    short = {1: {f: _square(4 * f) for f in range(5)}}
    assert _nearby_offset(short, {1: {f + 100: _square(4 * f) for f in range(5)}}, -101) == -101
    ten = {1: {f: _square(4 * f) for f in range(10)}}  # the recorded offset lines up 7, a nearby one 10: kept
    assert _nearby_offset(ten, {1: {f + 100: _square(4 * f) for f in range(10)}}, -103) == -103

    doc = {"inputs": {"frame_offset": -101}}
    assert _offset_origin(doc, None, -100) == {"frame_offset_from": "overlap", "frame_offset_recorded": -101}
    assert _offset_origin(doc, None, -101) == {"frame_offset_from": "export.json"}
    assert _offset_origin(doc, -7, -7) == {"frame_offset_from": "given"}
    assert _offset_origin({}, None, 0) == {"frame_offset_from": "none"}


def test_ground_truth_on_frames_missing_inside_the_video_is_said_so(tmp_path, capsys):
    """A walk's folder lacked frames 17, 42 and 43: eval-scene said their ground truth lay "on frames outside the
    video (1..100)". Masks beyond the video's ends and on frames missing inside it are told apart."""
    import cv2
    import numpy as np

    from humanseg_core.cli.eval_scene import _within_video

    video = tmp_path / "frames"
    video.mkdir()
    for f in [n for n in range(1, 11) if n not in (4, 7)]:
        cv2.imwrite(str(video / f"{f:05d}.png"), np.zeros((8, 8, 3), np.uint8))
    gt = {3: {f: f"m{f}" for f in range(1, 14)}, 5: {7: "m"}}
    kept = _within_video({"inputs": {"video": str(video)}}, gt, 0, tmp_path / "export.json")
    assert sorted(kept[3]) == [1, 2, 3, 5, 6, 8, 9, 10] and 5 not in kept
    assert capsys.readouterr().err == (
        "humanseg: note: 6 ground-truth masks (of every person there) lie on frames the video "
        f"{tmp_path / 'export.json'} names does not have: 3 beyond its frames 1..10, 3 on frames missing inside "
        "them (4, 7); not scored (--all-gt-frames scores them)\n")


def test_a_given_offset_the_masks_line_up_worse_with_than_the_recorded_one_is_said(capsys):
    """A walk gave --frame-offset -5299 where export.json recorded -5300: J 0.646 for 0.783, without a word."""
    from pathlib import Path

    from humanseg_core.cli.eval_scene import _given_offset_note

    pred = {1: {f: _square(4 * f) for f in range(20)}}
    gt = {1: {f + 100: _square(4 * f) for f in range(20)}}
    doc = {"inputs": {"frame_offset": -100}}
    _given_offset_note(doc, pred, gt, -101, Path("out/export.json"))
    err = capsys.readouterr().err
    assert "--frame-offset -101 is used; the masks line up better with the ground truth at the -100 that " \
           "out/export.json records (mean IoU 1.00 against" in err, err
    for given, recorded in ((-100, -100), (-101, None)):  # the same one, or none recorded: nothing to say
        _given_offset_note({"inputs": {"frame_offset": recorded}}, pred, gt, given, Path("out/export.json"))
        assert capsys.readouterr().err == ""
    still = {1: {f: _square(40) for f in range(20)}}  # alike at every offset: nothing to say
    _given_offset_note(doc, still, {1: {f + 100: _square(40) for f in range(20)}}, -101, Path("out/export.json"))
    assert capsys.readouterr().err == ""
