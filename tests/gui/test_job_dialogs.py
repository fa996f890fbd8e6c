"""The Export dialog's refusal before a job replaces its status line (a re-walk read the earlier attempt's
"Cancelled"); Esc over a running job: test_review_dialogs."""

from __future__ import annotations

import pytest
from test_review import review_project

pytestmark = pytest.mark.gui


@pytest.fixture
def project(tmp_path):
    yield from review_project(tmp_path)


def test_a_refusal_before_the_job_replaces_the_status_line(qtbot, project, tmp_path):
    from app.review.export_dialog import ExportDialog

    ids = [p.id for p in project.proposals(1, with_masks=False)]
    project.set_statuses(ids[:2], "accepted")
    dlg = ExportDialog(project, selected_pid=1)
    qtbot.addWidget(dlg)
    dlg.progress_label.setText("Cancelled: nothing was written.")
    target = tmp_path / "H.txt"
    target.write_text("1")
    dlg.out_edit.setText(str(target))
    failed: list = []
    dlg.show_failure = failed.append
    dlg.start()
    assert failed and "not a folder" in dlg.progress_label.text()
