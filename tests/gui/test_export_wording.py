"""Export Masks' words for a project of one person (a re-walk read "All 1 persons")."""

from __future__ import annotations

import pytest
from fakes import rect_mask

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_all_persons_button_of_a_one_person_project(qtbot, tmp_path):
    from app.review.export_dialog import ExportDialog
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    one = Project.create(tmp_path / "one", ProjectInputs(video="v", trajectories="t"))
    one.add_proposals([Proposal(frame=0, pid=4, box=(10, 10, 30, 30), mask=rect_mask((40, 60), 10, 10, 30, 30),
                                source="bgs:test")])
    try:
        dlg = ExportDialog(one, selected_pid=4)
        qtbot.addWidget(dlg)
        assert dlg.all_btn.text() == "The one person"
    finally:
        one.close()


def test_the_all_persons_button_of_a_project_without_persons(qtbot, tmp_path):
    """A review read "All 0 persons" on a project with nobody in it yet: the button says so and does nothing."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    empty = Project.create(tmp_path / "empty", ProjectInputs(video="v", trajectories="t"))
    try:
        dlg = ExportDialog(empty)
        qtbot.addWidget(dlg)
        assert dlg.all_btn.text() == "No persons yet" and not dlg.all_btn.isEnabled()
    finally:
        empty.close()


def test_a_not_visible_mark_is_no_label_to_export(qtbot, tmp_path):
    """A walk pressed V (not visible) on a person's frame: Export Masks listed "1 label" and offered the export,
    which then failed ("every mask of these persons is empty"); the Persons table said 0 labels."""
    import numpy as np

    from app.review.export_dialog import ExportDialog
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    p = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    try:
        p.add_proposals([Proposal(frame=0, pid=4, box=(10, 10, 30, 30), mask=np.zeros((40, 60), bool),
                                  source="hand", status="edited"),
                         Proposal(frame=1, pid=5, box=(10, 10, 30, 30), mask=rect_mask((40, 60), 10, 10, 30, 30),
                                  source="bgs:test", status="accepted")])
        assert p.label_frame_sets() == {5: {1}} and p.label_frame_counts() == {5: 1}
        dlg = ExportDialog(p, selected_pid=4)
        qtbot.addWidget(dlg)
        texts = [dlg.person_list.item(i).text() for i in range(dlg.person_list.count())]
        assert texts[0].startswith("person 4: 0 labels") and texts[1].startswith("person 5: 1 label")
    finally:
        p.close()


def test_results_under_a_not_visible_mark_are_not_counted_for_any_source(tmp_path):
    """A review: results on frames 0-9 and V marks on 0-2 read "10 frames (0 labels, 10 from results)" where the
    export wrote 7 (a V mark blanks its frame)."""
    import numpy as np

    from app.review.export_choices import source_counts
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    p = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    try:
        run = p.add_run(1, "osvos-lite", {}, None, {})
        p.save_results(1, run, {f: rect_mask((40, 60), 10, 10, 30, 30) for f in range(10)})
        p.add_proposals([Proposal(frame=f, pid=1, box=(0, 0, 1, 1), mask=np.zeros((40, 60), bool), source="hand",
                                  status="edited") for f in range(3)])
        assert source_counts(p, [1], "any", {})[1] == ("person 1: 7 frames (0 labels, 7 from results)", 7)
    finally:
        p.close()


def test_open_folder_says_where_the_export_is_when_no_file_manager_answers(qtbot, tmp_path, monkeypatch):
    """A walk's Open Folder did nothing on a machine without a file manager (only a log line said so)."""
    from PySide6.QtGui import QDesktopServices

    from app.review.export_dialog import ExportDialog
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    p = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    try:
        dlg = ExportDialog(p)
        qtbot.addWidget(dlg)
        dlg.summary = {"out": str(tmp_path / "exported")}
        dlg.progress_label.setText("Exported 10 masks. Skipped, no masks: person 7.")  # the export's notes stay
        monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
        assert dlg.open_folder() is False and dlg.open_folder() is False  # (said once)
        assert dlg.progress_label.text() == ("Exported 10 masks. Skipped, no masks: person 7.<br>No file manager "
                                             f"answered; the export is in {tmp_path / 'exported'}")
    finally:
        p.close()


def test_a_whole_scene_persons_retrained_one_is_still_exported_with_them(tmp_path):
    """A re-walk: after a Retrain from here of one Whole scene person, Export Masks chose that person alone (its run
    in use, the retrain's, is no Whole scene run: it keeps the Whole scene run's other frames, kept_from)."""
    from app.review.export_choices import scene_run_persons
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    p = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    try:
        mask = rect_mask((40, 60), 10, 10, 30, 30)
        for pid in (1, 2, 3):
            run = p.add_run(pid, "osvos-parent", {"scene_run": True}, None, {})
            p.save_results(pid, run, {0: mask})
        retrain = p.add_run(2, "osvos-parent", {}, None, {"kept_from": run - 1})  # person 2's Whole scene run
        p.save_results(2, retrain, {0: mask, 1: mask})
        whole = p.add_run(1, "osvos-parent", {}, None, {"retrained_from": 1})  # its whole span re-segmented: none
        p.save_results(1, whole, {0: mask, 1: mask})  # kept, kept_from unset (a review)
        trained = p.add_run(3, "osvos-parent", {}, None, {})  # a Train tab run: not the Whole scene's
        p.save_results(3, trained, {0: mask, 1: mask})
        assert p.result_runs()[2] == retrain
        assert scene_run_persons(p, 2) == [1, 2] and scene_run_persons(p, 1) == [1, 2]
        assert scene_run_persons(p, 3) is None
    finally:
        p.close()
