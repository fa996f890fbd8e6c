"""The CLI's progress lines on stderr."""

from __future__ import annotations

from humanseg_core.cli.common import stderr_progress
from humanseg_core.jobs import Progress


def test_a_step_of_no_known_length_has_no_zero_count(capsys):
    """A walk read '[0/0] preparing: ...' as nothing to do."""
    stderr_progress(Progress(0, 0, "preparing: the homography checked against the video"))
    stderr_progress(Progress(2, 8, "preparing: sample frame 2 of 8", eta_s=3.0))
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["preparing: the homography checked against the video",
                     "[2/8] preparing: sample frame 2 of 8 eta 3s"]


def test_a_batch_scenes_job_warnings_carry_its_prefix(capsys):
    """A re-walk: in `batch`, the video check's warning lacked the "scene N: " its other lines have."""
    from humanseg_core.cli.run import StageProgress
    from humanseg_core.jobs import JobWarning, Progress

    printer = StageProgress(where="scene 2: ")
    warning = JobWarning("pixel-order", "the homography H.txt does not fit this video")
    for _ in range(2):
        printer(Progress(0, 1, "proposals", data={"stage": "propose"}, warnings=(warning,)))
    err = capsys.readouterr().err
    assert err.count("humanseg: warning: scene 2: the homography H.txt does not fit this video") == 1
    assert printer.geometry == [warning.text]
