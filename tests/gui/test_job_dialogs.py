"""The Export and Generate dialogs' shared running (app/job_dialog.py): Esc over a running job cancels it and says
so; a refusal before a job replaces the status line (a re-walk read the earlier attempt's "Cancelled")."""

from __future__ import annotations

import threading

import pytest
from fakes import OneFrameScene
from test_review import review_project

pytestmark = pytest.mark.gui


@pytest.fixture
def project(tmp_path):
    yield from review_project(tmp_path)


def test_esc_while_generating_cancels_and_says_so(qtbot, project):
    from app.review.generate_dialog import GenerateDialog
    from humanseg_core.jobs import Progress

    started = threading.Event()

    def slow_generate(scene, pids, method, cancel=None, **kw):
        for i in range(10000):
            started.set()
            cancel.raise_if_cancelled()
            yield Progress(i, 10000, "working")
            threading.Event().wait(0.005)
        return [], []

    dlg = GenerateDialog(OneFrameScene([7]), project, generate=slow_generate)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    assert started.wait(10)
    dlg.reject()  # Esc, or the window's close
    assert dlg.isVisible() and dlg.progress_label.text() == "Cancelling…"  # not closed over a running job
    qtbot.waitUntil(lambda: not dlg.running, timeout=10000)
    assert "Cancelled" in dlg.progress_label.text() and project.proposals(7) == []


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
