"""Frames a run could not read, said once a problem: a walk's video cut short printed 122 lines, one a frame, each
naming the same file and problem."""

from __future__ import annotations

from humanseg_core.cli.run import say_person_notes
from humanseg_core.errors import FrameError
from humanseg_core.wording import frame_problems
from humanseg_core.workflows.scene_result import SceneRunResult


def test_frames_with_one_problem_make_one_line(capsys):
    why = "cannot decode this frame (corrupt or truncated video)"
    cut = {f: str(FrameError("/v/trunc.avi", why, f)) for f in range(128, 250)}
    odd = {f: str(FrameError(f"/v/frames/{f:05d}.png", "not a readable image", f)) for f in (5, 9)}
    groups = frame_problems({**cut, **odd})  # a folder's images: one group, each image's name aside (a review)
    assert groups == [([(5, 5), (9, 9)], 2, "/v/frames/<its image>: not a readable image"),
                      ([(128, 249)], 122, f"/v/trunc.avi: {why}")]
    assert frame_problems({7: odd[5].replace("00005", "00007").replace("frame 5", "frame 7")}) == [
        ([(7, 7)], 1, "/v/frames/00007.png: not a readable image")]  # one frame: its own file named
    assert frame_problems({3: "a", 4: "a", 6: "a"}) == [([(3, 4), (6, 6)], 3, "a")]
    dated = {f: str(FrameError("/v/20240501.avi", "cannot decode", f)) for f in range(10)}  # a video's name is
    assert frame_problems(dated) == [([(0, 9)], 10, "/v/20240501.avi: cannot decode")]  # no frame's image
    # a number like the frame's in the path itself is left alone
    assert frame_problems({12: "/data/frame 12 copy/v.mp4: frame 12: no"}) == [([(12, 12)], 1,
                                                                                 "/data/frame 12 copy/v.mp4: no")]
    say_person_notes(SceneRunResult(unreadable={**cut, 5: odd[5]}))
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "humanseg: warning: frame 5 has no masks, its image could not be read: /v/frames/00005.png: not a readable "
        "image",
        f"humanseg: warning: frames 128-249 (122) have no masks, their images could not be read: /v/trunc.avi: {why}"]


def test_an_exports_skipped_frames_are_said_in_runs():
    """A re-walk's export of a video opening on 30 black frames printed 20 lines, one a frame, then "and 13 more"."""
    from humanseg_core.export.skipped import skipped_lines

    black = "the frame is black (one dark colour over the whole image: a camera dropout?); no mask is made on it"
    skipped = ([{"frame": f, "persons": [54, 55], "at": "segmentation", "reason": f"/v/b.mp4: frame {f}: {black}"}
                for f in range(30)]
               + [{"frame": f, "persons": [54], "at": "export", "reason": "no such frame (frames 0..99)"}
                  for f in range(120, 125)])
    assert skipped_lines(skipped) == [
        f"frames 0-29 (30) (persons 54, 55) have no mask: /v/b.mp4: {black}",
        "frames 120-124 (5) (person 54) left out: no such frame (frames 0..99)"]
    assert skipped_lines(skipped, limit=1)[1] == "and 5 more frames"
