"""Frames a run could not read, said once a problem: a walk's video cut short printed 122 lines, one a frame, each
naming the same file and problem."""

from __future__ import annotations

from humanseg_core.cli.run import say_person_notes
from humanseg_core.wording import frame_problems
from humanseg_core.workflows.scene_result import SceneRunResult


def test_frames_with_one_problem_make_one_line(capsys):
    why = "cannot decode this frame (corrupt or truncated video)"
    cut = {f: f"/v/trunc.avi: frame {f}: {why}" for f in range(128, 250)}
    odd = {5: "/v/00005.png: frame 5 is not a readable image", 9: "/v/00009.png: frame 9 is not a readable image"}
    groups = frame_problems({**cut, **odd})
    assert [(g[0], g[1]) for g in groups] == [([(5, 5)], 1), ([(9, 9)], 1), ([(128, 249)], 122)]
    assert groups[2][2] == "/v/trunc.avi: cannot decode this frame (corrupt or truncated video)"
    assert frame_problems({3: "a", 4: "a", 6: "a"}) == [([(3, 4), (6, 6)], 3, "a")]
    say_person_notes(SceneRunResult(unreadable={**cut, 5: odd[5]}))
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "humanseg: warning: frame 5 has no masks, its image could not be read: /v/00005.png: is not a readable image",
        "humanseg: warning: frames 128-249 (122) have no masks, their images could not be read: /v/trunc.avi: cannot "
        "decode this frame (corrupt or truncated video)"]
