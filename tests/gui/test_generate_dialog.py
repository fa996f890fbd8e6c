"""The Generate dialog's job: a weights file the analyst chose is loaded before anything is proposed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_weights_file_the_analyst_chose_that_does_not_load_is_refused(tmp_path):
    """A walk's truncated parent file fell back to background subtraction in the studio (22 proposals stored) where
    the command line refuses it."""
    from app.review.generate_dialog import proposal_job
    from humanseg_core.errors import HumansegError
    from humanseg_core.jobs import run_job

    bad = tmp_path / "trunc.pt"
    bad.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(HumansegError, match=r"Weights file: .*trunc\.pt.*\(nothing was proposed\)"):
        run_job(proposal_job(None, [1], None, "bgs+parent", "median", None, 0, weights=str(bad)))
