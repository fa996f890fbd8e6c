"""The review's Generate and Export dialogs: results stored, a cancel stores nothing, overwriting asked."""

from __future__ import annotations

import pytest
from fakes import OneFrameScene, rect_mask
from test_review import H, W, review_project

from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui


@pytest.fixture
def project(tmp_path):
    yield from review_project(tmp_path)


def _run_dialog(qtbot, dlg):
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=20000)


def test_generate_dialog_stores_results_and_offers_bgs_without_weights(qtbot, project):
    from app.review.generate_dialog import GenerateDialog
    from humanseg_core.errors import WeightsError
    from humanseg_core.jobs import Progress

    calls = []

    def fake_generate(scene, pids, method, cancel=None, **kw):
        calls.append((list(pids), method, kw))
        if method == "maskrcnn":
            raise WeightsError("no Mask R-CNN weights in the torchvision cache")
        yield Progress(1, 2, "frame 50")
        box = (0, 0, 10, 10)
        return [Proposal(frame=50, pid=p, box=box, mask=rect_mask((H, W), *box), source="bgs:fake") for p in pids], []

    dlg = GenerateDialog(OneFrameScene([1, 2, 3], frames=(10, 20)), project, selected_pid=3, generate=fake_generate)
    qtbot.addWidget(dlg)
    assert dlg.pids() == [3]
    offered = []
    dlg.ask_use_bgs = lambda msg: offered.append(msg) or True
    dlg.method_box.setCurrentIndex(dlg.method_box.findData("maskrcnn"))
    _run_dialog(qtbot, dlg)
    assert offered and "weights" in offered[0]
    assert dlg.method_box.currentData() == "bgs-owned"  # switched for the analyst (offline, no weights)
    assert [p.frame for p in project.proposals(3)] == []
    with qtbot.waitSignal(dlg.generated, timeout=20000):
        dlg.start()
    qtbot.waitUntil(lambda: not dlg.running)
    assert calls[-1][1] == "bgs-owned" and calls[-1][2]["project"] is project
    assert [p.frame for p in project.proposals(3)] == [50]
    assert dlg.progress_label.text() == "Done: 1 proposal stored, 0 person-frames skipped."  # proper plurals


@pytest.mark.parametrize("how", ["button", "esc"])
def test_generate_dialog_cancel_stores_nothing(qtbot, project, how):
    """Cancel, or Esc over the running job (app/job_dialog.py: it cancels and says so, never closes the dialog
    over the job; a re-walk's Esc left the last stage's words up)."""
    import threading

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
    assert dlg.cancel_button.text() == "Cancel"
    if how == "button":
        dlg.cancel_button.click()
    else:
        dlg.reject()  # Esc, or the window's close
        assert dlg.isVisible() and dlg.progress_label.text() == "Cancelling…"
    qtbot.waitUntil(lambda: not dlg.running, timeout=10000)
    assert "Cancelled" in dlg.progress_label.text()
    assert project.proposals(7) == []


def test_export_dialog_asks_before_overwriting(qtbot, project, tmp_path):
    from app.review.export_dialog import ExportDialog

    ids = [p.id for p in project.proposals(1, with_masks=False)]
    project.set_statuses(ids[:2], "accepted")
    dlg = ExportDialog(project, selected_pid=1)
    qtbot.addWidget(dlg)
    dlg.format_box.setCurrentIndex(dlg.format_box.findData("palette"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")  # not an export (no stamp): refused before any question (a walk)
    dlg.out_edit.setText(str(out))
    asked, failed = [], []
    dlg.show_failure = failed.append
    dlg.confirm_overwrite = lambda path: asked.append(path) or True
    dlg.start()
    assert not asked and dlg.worker is None and (out / "keep.txt").read_text() == "old"
    assert failed and ".humanseg-export stamp" in failed[0]
    (out / "keep.txt").unlink()
    _run_dialog(qtbot, dlg)  # empty: written without a question
    assert not asked and dlg.summary is not None and dlg.summary["masks"] == 2
    first = sorted(p.name for p in out.iterdir())
    dlg.confirm_overwrite = lambda path: asked.append(path) or False
    dlg.start()
    assert asked and dlg.worker is None and sorted(p.name for p in out.iterdir()) == first  # said no: untouched
    dlg.confirm_overwrite = lambda path: True
    _run_dialog(qtbot, dlg)  # an earlier export: replaced
    assert dlg.summary is not None and dlg.summary["persons"] == [1] and dlg.summary["masks"] == 2
    # a folder holding what no export writes (an MP4 saved there) is refused before the question, not after
    # a Yes (a new-user walk lost an MP4 that way)
    holder = tmp_path / "exports"
    holder.mkdir()
    (holder / "pid1_results_overlay.mp4").write_bytes(b"video")
    dlg.out_edit.setText(str(holder))
    asked.clear()
    dlg.confirm_overwrite = lambda path: asked.append(path) or True
    dlg.start()
    assert not asked and dlg.worker is None and (holder / "pid1_results_overlay.mp4").read_bytes() == b"video"
    assert failed and ".humanseg-export stamp" in failed[-1]


def test_generating_again_says_what_it_replaces_and_what_it_keeps(qtbot, project):
    """A walk: "All persons" replaced a person's pending proposals without a word, and generating a reviewed
    person again said "21 proposals stored" while all 21 frames kept their earlier decisions."""
    from app.review.generate_dialog import GenerateDialog

    for p in project.proposals(1, with_masks=False):
        project.set_status(p.id, "accepted")

    def fake_generate(scene, pids, method, cancel=None, **kw):
        box = (40, 30, 64, 90)
        return [Proposal(frame=f, pid=p, box=box, mask=rect_mask((H, W), *box), source="bgs:test")
                for p in pids for f in (10, 20)], []
        yield  # a job

    dlg = GenerateDialog(OneFrameScene([1, 2], frames=(10, 20)), project, selected_pid=2, generate=fake_generate)
    qtbot.addWidget(dlg)
    assert not dlg.replace_note.isHidden()
    assert dlg.replace_note.text().startswith("Generating again replaces the 4 pending proposals of 1 person (2)")
    dlg.all_radio.setChecked(True)  # person 1's proposals are all decided: the note names person 2's
    assert "of 1 person (2)" in dlg.replace_note.text() and not dlg.replace_note.isHidden()
    dlg.some_radio.setChecked(True)  # nobody chosen: nothing to replace (a review found the note left up)
    assert dlg.pids() == [] and dlg.replace_note.isHidden()
    dlg.person_list.item(0).setSelected(True)  # person 1 alone: nothing pending to replace
    assert dlg.pids() == [1] and dlg.replace_note.isHidden()
    with qtbot.waitSignal(dlg.generated, timeout=20000) as said:
        dlg.start()
    qtbot.waitUntil(lambda: not dlg.running)
    assert said.args[0] == 0  # nothing new to review
    assert dlg.progress_label.text().startswith("Done: 0 new proposals to review; 2 on frames you decided earlier "
                                                "keep your decision")


def test_open_project_starts_in_the_projects_folder_when_none_is_remembered(qtbot, tmp_path, monkeypatch):
    """A walk's Open Project started in the folder the studio was started from."""
    from app.review import project_dialogs

    asked = []
    monkeypatch.setattr(project_dialogs, "documents_folder", lambda: tmp_path)
    monkeypatch.setattr(project_dialogs.QFileDialog, "getExistingDirectory",
                        lambda parent, title, start, *a: asked.append(start) or "")
    assert project_dialogs.open_project(None) is None
    (tmp_path / project_dialogs.PROJECTS_DIR).mkdir()
    assert project_dialogs.open_project(None) is None
    assert project_dialogs.open_project(None, start="/remembered") is None
    assert asked == [str(tmp_path), str(tmp_path / project_dialogs.PROJECTS_DIR), "/remembered"]
