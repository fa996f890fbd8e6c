"""The Export dialog's memory and defaults across windows and choices: a read-only window's own last export, and
the Masks default that follows the persons chosen until the analyst picks one."""

from __future__ import annotations

import numpy as np

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 40, 60


def _mask(x0=10, y0=10, x1=30, y1=30):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def test_a_read_only_dialog_starts_from_its_own_last_export(qtbot, tmp_path, settings):
    from app.review.export_dialog import ExportDialog
    from humanseg_core.export import LAST_EXPORT, remember_export

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                 status="accepted") for pid in (1, 2) for f in (0, 10)])

    def job(project, pids, fmt, out, remember=True, **kw):
        summary = {"format": fmt, "persons": list(pids), "source": "accepted", "out": str(out),
                   "mots_first_frame": kw.get("first_frame")}
        if remember:
            remember_export(project, summary)
        return summary
        yield  # a generator job

    try:
        remember_export(proj, {"format": "mots", "persons": [1], "source": "accepted", "out": "m",
                               "mots_first_frame": 1})  # the other window's export
        dlg = ExportDialog(proj, selected_pid=2, export_job=job, settings=settings, read_only=True)
        qtbot.addWidget(dlg)
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("coco"))
        dlg.out_edit.setText(str(tmp_path / "coco"))
        dlg.start()
        qtbot.waitUntil(lambda: dlg.summary is not None and not dlg.running, timeout=5000)
        assert proj.setting(LAST_EXPORT)["format"] == "mots"  # the project's memory untouched
        again = ExportDialog(proj, selected_pid=2, export_job=job, settings=settings, read_only=True)
        qtbot.addWidget(again)
        assert again.format_box.currentData() == "coco" and again.pids() == [2]
        writer = ExportDialog(proj, selected_pid=1, export_job=job, settings=settings)  # the window holding it
        qtbot.addWidget(writer)
        assert writer.format_box.currentData() == "mots" and writer.mots_frames.currentData() == 1
        writer.format_box.setCurrentIndex(writer.format_box.findData("palette"))  # it exports since, in the
        writer.out_edit.setText(str(tmp_path / "pal"))  # studio-wide settings too (a review)
        writer.start()
        qtbot.waitUntil(lambda: writer.summary is not None, timeout=5000)
        third = ExportDialog(proj, selected_pid=2, export_job=job, settings=settings, read_only=True)
        qtbot.addWidget(third)
        assert third.format_box.currentData() == "coco"  # still its own
    finally:
        proj.close()


def test_the_masks_default_follows_the_persons_chosen_until_the_analyst_picks_one(qtbot, tmp_path):
    """A walk opened Export Masks on person 50 (results only), added person 48, who has a hand-fixed frame, and
    exported the network's mask there: the default had been taken once, from the person selected."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.workflows.labels import CORRECTION_SOURCE

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                            for pid in (1, 2)])
        for pid in (1, 2):
            proj.save_results(pid, proj.add_run(pid, "osvos-lite", {}, None), {f: _mask() for f in range(3)})
        proj.add_proposals([Proposal(frame=1, pid=2, box=(10, 10, 30, 30), mask=_mask(), source=CORRECTION_SOURCE,
                                     status="edited")])
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        assert dlg.source_box.currentData() == "results" and dlg.pids() == [1]
        assert dlg.run_button.text() == "Export 1 person"  # how many it writes, on the button (a walk)
        dlg.person_list.item(1).setSelected(True)  # person 2, fixed by hand, added
        assert dlg.run_button.text() == "Export 2 persons"
        assert dlg.pids() == [1, 2] and dlg.source_box.currentData() == "any"
        assert dlg.progress_label.text() == ("Masks follow the persons chosen: the accepted and edited labels where "
                                             "there are some, else the segmentation results (masks of yours "
                                             "(drawn, fixed or imported) for 2)")  # said: a walk's Masks changed
        dlg.person_list.item(1).setSelected(False)
        assert dlg.source_box.currentData() == "results"  # followed back
        assert dlg.progress_label.text().startswith("Masks follow the persons chosen: the segmentation results")
        dlg.person_list.item(0).setSelected(False)
        dlg.person_list.item(0).setSelected(True)  # no switch: nothing stale left
        assert dlg.progress_label.text() == ""
        proj.add_proposals([Proposal(frame=0, pid=3, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                     status="accepted")])  # a person without results
        again = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(again)
        again.person_list.item(2).setSelected(True)  # each person its own: not proposals alone (a review)
        assert again.source_box.currentData() == "any" and again.person_list.item(0).text().startswith(
            "person 1: 3 frames")
        dlg.source_box.setCurrentIndex(dlg.source_box.findData("accepted"))  # the analyst's own pick stays
        dlg.person_list.item(1).setSelected(True)
        assert dlg.source_box.currentData() == "accepted"
    finally:
        proj.close()


def test_the_dialog_counts_every_persons_frames_without_reading_a_mask(qtbot, tmp_path, settings, monkeypatch):
    """A stall audit: opening the dialog on 94 persons took 0.3 s on the GUI thread, each person's result blobs read
    to count its frames (1134 queries). Counted in a few queries now, the same texts."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core import rle

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                 status="accepted" if f < 20 else "pending") for pid in (1, 2, 3) for f in (0, 10, 20)])
    for pid, frames in ((1, (0, 5, 10, 15)), (2, (30,))):
        proj.save_results(pid, proj.add_run(pid, "osvos-lite"), {f: _mask() for f in frames})
    cut = proj.add_run(2, "osvos-parent", params={"scene_run": True}, metrics={"stopped": "cancelled"})
    proj.save_results(2, cut, {40: _mask()})

    def refused(*_a, **_k):
        raise AssertionError("a mask read to count frames")

    monkeypatch.setattr(rle, "from_blob", refused)
    monkeypatch.setattr(Project, "mask_blobs", refused)
    try:
        dlg = ExportDialog(proj, selected_pid=1, settings=settings)
        qtbot.addWidget(dlg)
        texts = {}
        for src in ("results", "any", "accepted"):
            dlg.source_box.setCurrentIndex(dlg.source_box.findData(src))
            texts[src] = [dlg.person_list.item(i).text() for i in range(dlg.person_list.count())]
    finally:
        proj.close()
    assert texts["results"] == ["person 1: 4 result frames", "person 2: 1 result frame", "person 3: 0 result frames"]
    assert texts["any"] == ["person 1: 4 frames (2 labels, 2 from results)",
                            "person 2: 3 frames (2 labels, 1 from results)", "person 3: 2 frames (2 labels, 0 "
                                                                               "from results)"]
    assert texts["accepted"] == [f"person {p}: 2 labels, 1 pending" for p in (1, 2, 3)]


def test_the_counts_take_edited_labels_and_say_a_run_cut_short(tmp_path):
    """A mutation audit: counting only 'accepted' left a person whose labels are all edited at 0 (unchosen, out of
    the export), and the "cancelled part-way" words could go unsaid."""
    from app.review.export_choices import source_counts

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        proj.add_proposals([Proposal(frame=0, pid=5, box=(10, 10, 30, 30), mask=_mask(), source="hand",
                                     status="edited"),
                            Proposal(frame=1, pid=5, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")])
        cut = proj.add_run(5, "osvos-parent", params={"scene_run": True}, metrics={"stopped": "cancelled"})
        proj.save_results(5, cut, {2: _mask(), 3: _mask()})
        assert source_counts(proj, [5], "accepted", {}) == {5: ("person 5: 1 label, 1 pending", 1)}
        assert source_counts(proj, [5], "results", {}) == {
            5: (f"person 5: 2 result frames (newest run #{cut}, cancelled part-way)", 2)}
        assert source_counts(proj, [5], "any", {5: cut}) == {
            5: (f"person 5: 3 frames (1 label, 2 from results, run #{cut}, cancelled part-way)", 3)}
        with proj._tx("a damaged row") as conn:  # a text frame (a damaged row): never counted
            conn.execute("INSERT INTO results (run_id, pid, frame, mask) VALUES (?, 5, 'x', ?)", (cut, b"\0"))
        assert proj.result_frame_sets({5: cut}) == {5: {2, 3}}
    finally:
        proj.close()


def test_after_a_whole_scene_run_the_dialog_starts_with_its_persons(qtbot, tmp_path, settings):
    """A studio walk's Export after a Whole scene run of 8 persons offered the selected person alone."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        for pid in (1, 2, 3):
            proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")])
            run = proj.add_run(pid, "osvos-parent", {"scene_run": pid != 3}, checkpoint=f"{pid}.pt")
            proj.save_results(pid, run, {0: _mask()})
        dlg = ExportDialog(proj, selected_pid=2, export_job=None, settings=settings)
        qtbot.addWidget(dlg)
        assert dlg.pids() == [1, 2]  # the run's persons; person 3 trained on its own in the Train tab
        alone = ExportDialog(proj, selected_pid=3, export_job=None, settings=settings)
        qtbot.addWidget(alone)
        assert alone.pids() == [3]
    finally:
        proj.close()
