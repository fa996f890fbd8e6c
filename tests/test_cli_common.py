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
