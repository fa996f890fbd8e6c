"""Export dialogs start inside the project (``<project>/exports``, made on demand) with names that carry the
person; the MP4 panel says which codec it wrote and, when it had to fall back from H.264, why."""

import importlib.util

import numpy as np
import pytest
from fakes import FlatFrames, rect_mask

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.export.names import masks_name, pids_tag, video_name
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 40, 60


def _mask(x0=10, y0=10, x1=30, y1=30):
    return rect_mask((H, W), x0, y0, x1, y1)


def test_default_names_carry_the_persons():
    assert video_name(7, "results") == "pid7_results_overlay.mp4"
    assert video_name(7, "accepted", side_by_side=True) == "pid7_accepted_side_by_side.mp4"
    assert masks_name([9, 3, 7], "davis", "accepted") == "pid3-7-9_accepted_davis"
    assert pids_tag(range(1, 9)) == "8-persons" and pids_tag([]) == "no-person"


def test_the_mp4_dialog_starts_in_the_project_exports_folder_with_the_person_in_the_name(studio_with_project):
    studio, folder = studio_with_project
    assert not (folder / "exports").exists()
    panel = studio.segmentation.export
    asked = []
    panel.ask_path = lambda suggested: asked.append(suggested) or ""  # the analyst cancels the dialog
    assert not panel.export_btn.isEnabled()  # person 1 has no result yet: nothing to write (a walk)
    panel._choose_and_export()  # what the button does once there are results
    assert asked == [folder / "exports" / "pid1_results_overlay.mp4"]
    assert (folder / "exports").is_dir()  # made on demand, so the dialog can open there
    panel.source.setCurrentIndex(panel.source.findData("accepted"))
    panel.sbs.setChecked(True)
    assert panel.suggested_path() == folder / "exports" / "pid1_accepted_side_by_side.mp4"


def test_the_mask_export_dialog_proposes_a_folder_inside_the_project_named_after_the_persons(qtbot, tmp_path):
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                        for pid in (1, 2) for f in (0, 10)])
    try:
        dlg = ExportDialog(proj, selected_pid=2)
        qtbot.addWidget(dlg)
        exports = tmp_path / "proj" / "exports"
        assert dlg.out_edit.text() == str(exports / "pid2_accepted_davis")
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("coco"))
        dlg.person_list.item(0).setSelected(True)  # persons 1 and 2
        assert dlg.out_edit.text() == str(exports / "pid1-2_accepted_coco")
        qtbot.keyClicks(dlg.out_edit, "_mine")  # typed by the analyst: kept from now on
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))
        assert dlg.out_edit.text() == str(exports / "pid1-2_accepted_coco_mine")
    finally:
        proj.close()


def test_the_mp4_panel_reports_h264_or_the_fallback_note(qtbot, tmp_path, monkeypatch):
    from app.segmentation.mp4_export import Mp4ExportPanel
    from humanseg_core.export import video_writer

    frames = FlatFrames(6, H, W)
    masks = {1: _mask(), 2: _mask()}
    panel = Mp4ExportPanel(lambda source: (frames, masks, frames.indices, frames.fps))
    qtbot.addWidget(panel)
    if importlib.util.find_spec("av") is not None:  # H.264 when PyAV is there (a pinned dependency)
        with qtbot.waitSignal(panel.exported, timeout=10000):
            assert panel.export_to(tmp_path / "a.mp4")
        assert "H.264" in panel.status.text() and panel.last_written.codec == "h264"
        qtbot.waitUntil(panel.export_btn.isEnabled)

    def missing():
        raise ImportError("No module named 'av'")

    monkeypatch.setattr(video_writer, "_import_av", missing)
    with qtbot.waitSignal(panel.exported, timeout=10000):
        assert panel.export_to(tmp_path / "b.mp4")
    assert panel.last_written.codec == "mp4v" and video_writer.probe_codec(tmp_path / "b.mp4") == "mpeg4"
    assert "not H.264" in panel.status.text() and "PyAV is not installed" in panel.status.text()


@pytest.fixture
def studio_with_project(window, scene_dir, tmp_path):
    from app.panels import install_panels

    install_panels(window)
    folder = tmp_path / "proj"
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"))
    Project.create(folder, inputs).close()
    assert window.review.open_project(str(folder))
    window.select_person(1)
    return window, folder


def test_the_mask_export_dialog_counts_follow_the_chosen_source(qtbot, tmp_path):
    """With "Segmentation results" each person reads its number of result frames, not its accepted ones."""
    from PySide6.QtCore import Qt

    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=1, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                        for f in (0, 10, 20)])
    for p in proj.proposals(1, with_masks=False)[:2]:
        proj.set_status(p.id, "accepted")
    old = proj.add_run(1, "osvos-lite", checkpoint="a.pt")
    proj.save_results(1, old, {f: _mask() for f in range(3)})
    run = proj.add_run(1, "osvos-lite", checkpoint="b.pt")
    proj.save_results(1, run, {f: _mask() for f in range(5)})  # the latest run: 5 result frames
    try:
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        dlg.show()
        item = dlg.person_list.item(0)
        assert dlg.source_box.currentData() == "results"  # person 1 has results: they are the default
        assert item.text() == "person 1: 5 result frames"
        dlg.source_box.setFocus()
        qtbot.keyClick(dlg.source_box, Qt.Key.Key_Up)  # the analyst picks "Accepted and edited proposals"
        assert dlg.source_box.currentData() == "accepted"
        assert item.text() == "person 1: 2 labels, 1 pending"
        dlg.source_box.setCurrentIndex(dlg.source_box.findData("any"))
        assert item.text() == "person 1: 6 frames (2 labels, 4 from results)"
        assert dlg.out_edit.text().endswith("pid1_accepted-else-results_davis")  # not "any" (a walk)
        dlg.run_box.pick(old)  # an older run picked: named inside the parentheses (it nested a second pair)
        assert item.text() == f"person 1: 4 frames (2 labels, 2 from results, run #{old})", item.text()
    finally:
        proj.close()


def test_the_mask_export_dialog_defaults_to_results_for_persons_that_have_them(qtbot, tmp_path):
    """Person 1 has segmentation results: they are what its export starts with; person 2 has none: its
    accepted proposals (as before); with no person chosen, results only when every person has them, and each
    person's own (accepted, else results) when only some have (a review: proposals alone had dropped person 1's
    results)."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                        for pid in (1, 2) for f in (0, 10)])
    run = proj.add_run(1, "osvos-lite", checkpoint="a.pt")
    proj.save_results(1, run, {f: _mask() for f in range(4)})
    try:
        for pid, source, named in ((1, "results", "results"), (2, "accepted", "accepted"),
                                   (None, "any", "accepted-else-results")):
            dlg = ExportDialog(proj, selected_pid=pid)
            qtbot.addWidget(dlg)
            assert dlg.source_box.currentData() == source
            assert dlg.out_edit.text().endswith(f"_{named}_davis")
        run2 = proj.add_run(2, "osvos-lite", checkpoint="b.pt")
        proj.save_results(2, run2, {0: _mask()})
        dlg = ExportDialog(proj)
        qtbot.addWidget(dlg)
        assert dlg.source_box.currentData() == "results"  # every person has results now
        assert dlg.person_list.item(0).text() == "person 1: 4 result frames"
    finally:
        proj.close()


def test_a_file_as_the_export_folder_is_refused_at_once_in_words_of_the_dialog(qtbot, tmp_path):
    """students03 walk: a file typed as the folder first asked 'Replace the folder? ... already exists and is
    not empty', and after Yes failed with '... exists and is not a folder; choose another --out' (a command
    line option the dialog does not have)."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=0, pid=1, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                 status="accepted")])
    try:
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        target = tmp_path / "H.txt"
        target.write_text("1 0 0\n")
        dlg.out_edit.setText(str(target))
        asked, failed = [], []
        dlg.confirm_overwrite = lambda path: asked.append(path) or True
        dlg.show_failure = failed.append
        dlg.start()
        assert not asked and dlg.worker is None and target.read_text() == "1 0 0\n"
        assert failed and "H.txt" in failed[0] and "not a folder" in failed[0] and "--out" not in failed[0]
    finally:
        proj.close()


def test_the_mask_export_dialog_starts_with_the_last_exports_format_and_persons(qtbot, tmp_path, settings):
    """A walk exported every person as MOTS, then found DAVIS and one person chosen at the next opening."""
    from PySide6.QtCore import Qt

    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                        for pid in (1, 2, 3) for f in (0, 10)])
    calls = []

    def job(project, pids, fmt, out, **kw):
        calls.append((list(pids), fmt))
        return {"persons": list(pids), "masks": 2 * len(pids), "out": str(out)}
        yield  # a generator job

    try:
        dlg = ExportDialog(proj, selected_pid=2, export_job=job, settings=settings)
        qtbot.addWidget(dlg)
        assert dlg.format_box.currentData() == "davis" and dlg.pids() == [2]  # nothing remembered yet
        assert dlg.focusWidget() is dlg.person_list  # Ctrl+A chooses every person at once
        fm = dlg.person_list.fontMetrics()  # every line whole, no horizontal scrollbar to find them behind
        assert all(dlg.person_list.minimumWidth() > fm.horizontalAdvance(dlg.person_list.item(i).text())
                   for i in range(dlg.person_list.count()))
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))
        for i in range(dlg.person_list.count()):
            dlg.person_list.item(i).setSelected(dlg.person_list.item(i).data(256) in (1, 2))
        dlg.start()
        qtbot.waitUntil(lambda: dlg.summary is not None and not dlg.running, timeout=5000)
        assert calls == [([1, 2], "mots")]
        # Enter after an export closes the dialog (it exported the same again); another choice: Enter exports
        assert dlg.close_button.isDefault() and not dlg.run_button.isDefault()
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("davis"))
        assert dlg.run_button.isDefault() and not dlg.close_button.isDefault()
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))
        dlg.show()
        dlg.start()  # again, and Enter with the focus on the folder's "…" (where it lands while the list is off)
        qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
        qtbot.waitUntil(lambda: dlg.focusWidget() is dlg.close_button, timeout=2000)  # Space closes too
        chosen, dlg._choose_out = [], lambda: chosen.append(1)
        dlg.browse_btn.setFocus()
        qtbot.keyClick(dlg.browse_btn, Qt.Key.Key_Return)
        assert chosen == [] and not dlg.isVisible()  # closed, no folder chooser (a re-walk)
        again = ExportDialog(proj, selected_pid=2, export_job=job, settings=settings)
        qtbot.addWidget(again)
        assert again.format_box.currentData() == "mots" and again.pids() == [1, 2]
        other = ExportDialog(proj, selected_pid=3, export_job=job, settings=settings)  # another person since
        qtbot.addWidget(other)
        assert other.format_box.currentData() == "mots" and other.pids() == [3]
        plain = ExportDialog(proj, selected_pid=2, export_job=job)  # no settings: nothing remembered
        qtbot.addWidget(plain)
        assert plain.format_box.currentData() == "davis" and plain.pids() == [2]
    finally:
        proj.close()


def test_the_mask_export_dialog_starts_from_the_projects_last_export_from_the_command_line(qtbot, tmp_path,
                                                                                          settings):
    """An export made outside the studio (`humanseg export`, `humanseg run --format mots`) is what the dialog
    starts with, over this studio's own memory; it had started from the studio's last export alone."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.export import LAST_EXPORT, export_job
    from humanseg_core.jobs import run_job

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(10 * pid, 10, 10 * pid + 8, 30),
                                 mask=_mask(10 * pid, 10, 10 * pid + 8, 30), source="bgs:test",
                                 status="pending" if pid == 4 else "accepted")
                        for pid in (1, 2, 3, 4) for f in (0, 10)])
    try:
        settings.setValue("export/format", "palette")  # the studio's own last export: another format
        run_job(export_job(proj, [1, 3, 4], "mots", tmp_path / "out"))  # 4 has no accepted mask: chosen still
        assert proj.setting(LAST_EXPORT)["format"] == "mots" and proj.setting(LAST_EXPORT)["persons"] == [1, 3, 4]
        dlg = ExportDialog(proj, selected_pid=4, settings=settings)
        qtbot.addWidget(dlg)
        assert dlg.format_box.currentData() == "mots" and dlg.pids() == [1, 3, 4]
        other = ExportDialog(proj, selected_pid=2, settings=settings)  # a person not in it: that person alone
        qtbot.addWidget(other)
        assert other.format_box.currentData() == "mots" and other.pids() == [2]
        # a window that holds the project read-only (another has it) exports without writing into it
        other.read_only = True
        other.out_edit.setText(str(tmp_path / "ro"))
        other.start()
        qtbot.waitUntil(lambda: other.summary is not None, timeout=5000)
        assert proj.setting(LAST_EXPORT)["persons"] == [1, 3, 4]
    finally:
        proj.close()


def test_the_mask_export_dialog_numbers_mots_frames_from_0_or_1_when_asked(qtbot, tmp_path):
    """KITTI MOTS counts from 0 and MOTSChallenge from 1; the studio wrote video frame indices only. The
    count starts at the video's first frame (38 here), not at the first frame exported."""
    import cv2

    from app.review.export_dialog import ExportDialog

    video = tmp_path / "frames"
    video.mkdir()
    for f in range(38, 53):
        cv2.imwrite(str(video / f"{f:05d}.png"), np.zeros((H, W, 3), np.uint8))
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(video), trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=1, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                 status="accepted") for f in (40, 50)])
    try:
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        assert not dlg.mots_frames.isEnabled()  # DAVIS: no MOTS numbering to choose
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))
        assert dlg.mots_frames.isEnabled() and dlg.mots_frames.currentData() is None  # the video's, by default
        dlg.mots_frames.setCurrentIndex(dlg.mots_frames.findData(1))
        dlg.out_edit.setText(str(tmp_path / "mots"))
        dlg.start()
        qtbot.waitUntil(lambda: dlg.summary is not None and not dlg.running, timeout=5000)
        lines = (tmp_path / "mots" / "instances.txt").read_text().splitlines()
        assert sorted(int(line.split()[0]) for line in lines) == [3, 13]
        again = ExportDialog(proj, selected_pid=1)  # the next opening numbers them the same (a walk's went back)
        qtbot.addWidget(again)
        assert again.format_box.currentData() == "mots" and again.mots_frames.currentData() == 1
        from humanseg_core.export import remember_export

        remember_export(proj, {"format": None, "persons": [1], "source": "results", "out": "o"})  # a run since
        after_run = ExportDialog(proj, selected_pid=1)  # keeps the numbering (a review: back to the video's)
        qtbot.addWidget(after_run)
        assert after_run.mots_frames.currentData() == 1
        remember_export(proj, {"format": "palette", "persons": [1], "source": "accepted", "out": "p"})
        after_palette = ExportDialog(proj, selected_pid=1)  # an export in another format keeps it too (a review)
        qtbot.addWidget(after_palette)
        assert after_palette.format_box.currentData() == "palette" and after_palette.mots_frames.currentData() == 1
        # another format after the export: its 100 % and line go, and the rows stay where they were (they spread
        # out by up to 32 px, and a walk's next click landed on a blank row)
        dlg.show()
        qtbot.waitExposed(dlg)
        qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
        rows = [w.geometry().y() for w in (dlg.format_box, dlg.person_list, dlg.mots_frames, dlg.out_edit)]
        dlg.mots_frames.setCurrentIndex(dlg.mots_frames.findData(0))  # another numbering: the 100 % goes too
        qtbot.wait(20)
        assert not dlg.progress.isVisible() and dlg.progress_label.text() == ""
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("palette"))
        qtbot.wait(20)
        assert not dlg.progress.isVisible()
        assert [w.geometry().y() for w in (dlg.format_box, dlg.person_list, dlg.mots_frames, dlg.out_edit)] == rows
    finally:
        proj.close()


def test_a_person_fixed_by_hand_exports_the_fixes_by_default(tmp_path):
    """A walk fixed two frames in the Fix tab, exported 'Segmentation results' (the default) and its fixes
    were not in the export: with a hand fix, the default is accepted masks, else the results."""
    import numpy as np

    from app.review.export_choices import default_source
    from humanseg_core.workflows.labels import CORRECTION_SOURCE

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                            for pid in (1, 2)])
        assert default_source(proj, 1) == "accepted"  # no results yet
        for pid in (1, 2):
            run = proj.add_run(pid, "osvos-lite", {}, None)
            proj.save_results(pid, run, {f: _mask() for f in range(3)})
        assert default_source(proj, 1) == "results" and default_source(proj, None) == "results"
        fix = Proposal(frame=1, pid=2, box=(10, 10, 30, 30), mask=np.asarray(_mask()), source=CORRECTION_SOURCE,
                       status="edited")
        proj.add_proposals([fix])
        assert default_source(proj, 1) == "results" and default_source(proj, 2) == "any"
        assert default_source(proj, 1, [1, 2]) == "any"
        # a mask edited in the Review tab's editor counts too (a walk's export had the network's 0.47 over its
        # own 0.81 on the frame it had fixed)
        review = proj.proposals(1)[0]
        proj.set_mask(review.id, np.asarray(_mask()))
        assert default_source(proj, 1) == "any"
    finally:
        proj.close()


def test_the_mp4_tab_writes_every_persons_results_in_their_colours(window, scene_dir, tmp_path, qtbot):
    """A researcher's walk wanted the Scene view (every person, coloured) as a video: the MP4 tab wrote one
    person only. "Every person's results" writes each person's run Play shows, in its colour, labelled."""
    import cv2

    from app.colors import person_color
    from app.panels import install_panels
    from app.segmentation.mp4_export import ALL_RESULTS

    install_panels(window)
    folder = tmp_path / "proj"
    proj = Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                                trajectories=str(scene_dir / "trajectories.txt"),
                                                homography=str(scene_dir / "H.txt")))
    left, right = rect_mask((240, 320), 40, 60, 100, 200), rect_mask((240, 320), 200, 60, 260, 200)
    for pid, mask in ((1, left), (2, right)):
        proj.save_results(pid, proj.add_run(pid, "osvos-lite", checkpoint=f"{pid}.pt"), {f: mask for f in (3, 4, 5)})
    proj.close()
    assert window.review.open_project(str(folder))
    panel = window.segmentation.export
    panel.source.setCurrentIndex(panel.source.findData(ALL_RESULTS))
    assert panel.person_label.text().startswith("Every person with results")
    assert panel.suggested_path() == folder / "exports" / "every-person_results_overlay.mp4"
    out = tmp_path / "all.mp4"
    panel.opacity.setValue(80)
    with qtbot.waitSignal(panel.exported, timeout=20000):
        assert panel.export_to(out)
    assert "3 frames of 2 persons' results" in panel.status.text(), panel.status.text()
    cap = cv2.VideoCapture(str(out))
    ok, img = cap.read()
    cap.release()
    assert ok
    for pid, (x, y) in ((1, (70, 130)), (2, (230, 130))):  # each drawn in its own colour (lossy codec: loose)
        c = person_color(pid)
        got = img[y, x].astype(int)
        want = np.array([c.blue(), c.green(), c.red()]) * 0.8 + 128 * 0.2
        assert np.abs(got - want).max() < 40, (pid, got, want)


def test_the_mask_export_list_shows_eleven_persons_whole(qtbot, tmp_path):
    """A walk saw 8 of zara01's 11 persons in Export Masks' list (140 px at most)."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test",
                                 status="accepted") for pid in range(50, 61)])
    try:
        dlg = ExportDialog(proj, selected_pid=50)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        lst = dlg.person_list
        need = 11 * lst.sizeHintForRow(0) + 2 * lst.frameWidth()
        assert lst.maximumHeight() >= need and lst.minimumHeight() >= 6 * lst.sizeHintForRow(0)
    finally:
        proj.close()


def test_a_read_only_window_exports_without_writing_into_the_project(studio_with_project):
    """Another window holds the project: its Export Masks must not keep the export in the project (a review),
    and its next opening starts from its own last export, not the project's (a review: it reopened on the format
    another window had exported)."""
    studio, _folder = studio_with_project
    studio.review.read_only = True
    dlg = studio.review.export()
    try:
        assert dlg is not None and dlg.read_only
    finally:
        dlg.close()
    studio.review.read_only = False
    dlg = studio.review.export()
    try:
        assert dlg is not None and not dlg.read_only
    finally:
        dlg.close()


def test_the_export_folders_whole_path_is_its_tooltip(qtbot, tmp_path):
    """A walk read "mp/walk1/P1/exports/…" in the Folder field: the field shows the path's end."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=0, pid=1, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")])
    try:
        dlg = ExportDialog(proj, selected_pid=1)
        qtbot.addWidget(dlg)
        want = str(tmp_path / "proj" / "exports" / "pid1_accepted_davis")
        assert dlg.out_edit.toolTip() == dlg.out_edit.text() == want
    finally:
        proj.close()


def test_every_person_is_one_click_away_in_the_export_dialog(qtbot, tmp_path):
    """A walk delivering every person opened Export on the last export's 4 of 26, with no "all" in sight."""
    from app.review.export_dialog import ExportDialog

    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=0, pid=pid, box=(10, 10, 30, 30), mask=_mask(), source="bgs:test")
                        for pid in (1, 2, 3)])
    try:
        dlg = ExportDialog(proj, selected_pid=2)
        qtbot.addWidget(dlg)
        assert dlg.pids() == [2] and dlg.all_btn.text() == "All 3 persons"
        dlg.all_btn.click()
        assert dlg.pids() == [1, 2, 3]
    finally:
        proj.close()


def test_a_name_typed_without_mp4_never_replaces_an_existing_video_unasked(qtbot, tmp_path):
    """An audit: `.mp4` was added after the save dialog's overwrite question, so typing `overlay` replaced an
    existing overlay.mp4 without one."""
    from app.segmentation.mp4_export import Mp4ExportPanel

    frames = FlatFrames(6, H, W)
    panel = Mp4ExportPanel(lambda source: (frames, {1: _mask()}, frames.indices, frames.fps))
    qtbot.addWidget(panel)
    (tmp_path / "overlay.mp4").write_bytes(b"an earlier video")
    asked, started = [], []
    panel.ask_path = lambda suggested: str(tmp_path / "overlay")
    panel.confirm_replace = lambda path: asked.append(path) or False  # the analyst keeps it
    panel.export_to = lambda path: started.append(path) or True
    panel._choose_and_export()
    assert asked == [str(tmp_path / "overlay.mp4")] and started == []
    panel.confirm_replace = lambda path: True
    panel._choose_and_export()
    assert started == [str(tmp_path / "overlay.mp4")]
    panel.ask_path = lambda suggested: str(tmp_path / "new")  # nothing there: not asked
    panel.confirm_replace = lambda path: pytest.fail("asked about a file that does not exist")
    panel._choose_and_export()
    assert started[-1] == str(tmp_path / "new.mp4")
