"""Defects a new analyst met walking the whole chain on the demo and zara01_feet (open, propose, review,
train, segment, play, export): messages, the review zoom on a new person, the two players, the Open dialog
with a scene folder, the empty window."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from fakes import BoxScene, rect_mask
from PySide6.QtGui import QColor

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 120, 160


def _project(tmp_path, boxes, status="pending"):
    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=box, mask=rect_mask((H, W), *box), source="bgs:test",
                                 status=status) for (pid, f), box in boxes.items()])
    return proj


def test_the_export_message_names_the_persons_in_words(qtbot, tmp_path):
    from app.review.export_dialog import ExportDialog

    boxes = {(pid, f): (40 + 4 * pid, 30, 64 + 4 * pid, 90) for pid in (3, 7) for f in (10, 20)}  # side by side
    proj = _project(tmp_path, boxes, status="accepted")
    try:
        dlg = ExportDialog(proj, selected_pid=3)
        qtbot.addWidget(dlg)
        failures = []
        dlg.show_failure = failures.append  # a message box would wait for a click
        dlg.format_box.setCurrentIndex(dlg.format_box.findData("palette"))  # no frames to read
        dlg.start()
        qtbot.waitUntil(lambda: not dlg.running, timeout=20000)
        text = dlg.progress_label.text()
        assert not failures
        assert text.startswith("Exported 2 masks of person 3 to "), text
        assert "[" not in text
        dlg.person_list.item(1).setSelected(True)
        dlg.confirm_overwrite = lambda path: True
        dlg.start()
        qtbot.waitUntil(lambda: not dlg.running, timeout=20000)
        assert dlg.progress_label.text().startswith("Exported 4 masks of persons 3, 7 to ")
    finally:
        proj.close()


def test_a_new_person_is_fitted_unless_the_analyst_zoomed(qtbot, tmp_path):
    """The demo's person 1 enters far away (a 48 px proposal): the zoom fitted to it cropped person 3 to
    the shirt when the analyst switched to person 3."""
    from app.review.review_panel import ReviewPanel

    small, large = (70, 20, 80, 32), (30, 10, 90, 110)
    boxes = {(1, f): small for f in (10, 20)} | {(2, f): large for f in (10, 20)}
    proj = _project(tmp_path, boxes)
    try:
        panel = ReviewPanel(proj, BoxScene(boxes, (H, W), feet=True))
        qtbot.addWidget(panel)
        panel.resize(700, 600)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_person(1)
        fitted_small = panel.view.zoom
        panel.set_person(2)
        shown = panel.view.zoom
        panel.view.zoom_by(1.3)
        panel.fit_zoom()  # what the Fit button gives after a zoom by hand: the person
        fitted_large = panel.view.zoom
        assert fitted_large < 0.6 * fitted_small
        assert shown == pytest.approx(fitted_large)  # was fitted_small: person 2 cropped to the chest
        panel.set_person(1)

        def seen():
            return panel.view.mapToScene(panel.view.viewport().rect()).boundingRect()

        assert seen().width() < W / 2  # the small person's fit shows a part of the frame
        panel.fit_zoom()  # at the person's fit already: the whole frame, for context (it did nothing)
        assert seen().width() >= W - 1 and seen().height() >= H - 1, (seen(), W, H)
        panel.fit_zoom()  # and back to the person
        assert panel.view.zoom == pytest.approx(fitted_small)
        panel.set_person(2)
        panel.set_person(1)
        assert panel.view.zoom == pytest.approx(fitted_small)
        panel.view.zoom_by(1.5)  # chosen by hand: kept for the next person (test_review)
        chosen = panel.view.zoom
        panel.set_person(2)
        assert panel.view.zoom == pytest.approx(chosen)
    finally:
        proj.close()


def test_the_play_tab_and_the_timeline_never_play_at_once(opened):
    """Both had their own timer: started together, the frame advanced at twice the speed, and pausing one
    left the other running."""
    from app.segmentation.install import install_segmentation

    c = install_segmentation(opened)
    timeline, panel = opened.timeline, c.playback
    panel.play()
    assert panel.playing()
    timeline.play()
    assert timeline.playing and not panel.playing()
    panel.play()
    assert panel.playing() and not timeline.playing
    panel.pause()
    assert not panel.playing() and not timeline.playing


def test_the_whole_scene_summary_counts_one_person_in_the_singular():
    from app.scene_panel import summary
    from humanseg_core.workflows.scene_run import SceneRunResult

    one = SceneRunResult(persons=[3], person_frames=191, seconds=12.0, segment_seconds=1.0)
    assert summary(one).startswith("1 person segmented on cpu in float32, 0 skipped, 0 failed · 191 person-frames")
    assert summary(SceneRunResult(persons=[1, 2])).startswith("2 persons segmented")
    # the persons to look at first, by their results' agreement with their labels
    agreed = SceneRunResult(persons=[1, 2, 3], agreement={1: 0.9, 2: 0.45, 3: 0.8})
    assert summary(agreed).endswith(" · Lowest agreement with their labels: person 2 0.45, 3 0.80, 1 0.90 (look at "
                                    "these first); the Persons tab's Agree column")
    assert "agreement" not in summary(SceneRunResult(persons=[1], agreement={1: 0.9}))


def test_a_scene_folder_chosen_in_the_open_dialog_fills_the_other_fields(qtbot, scene_dir, tmp_path):
    """The README's scene folder (frames/, trajectories.txt, H.txt) typed or chosen as the video opened as a
    folder of frames and failed: 'the folder holds no images'."""
    from app.open_dialog import OpenDialog

    dialog = OpenDialog()
    qtbot.addWidget(dialog)
    dialog.video.edit.setText(str(scene_dir))
    assert dialog.trajectories.text() == str(scene_dir / "trajectories.txt")
    assert dialog.homography.text() == str(scene_dir / "H.txt")
    got = dialog.inputs()
    assert (got.video, got.trajectories, got.homography) == (
        str(scene_dir / "frames"), str(scene_dir / "trajectories.txt"), str(scene_dir / "H.txt"))
    mine = tmp_path / "mine.txt"  # what the analyst chose stays
    other = OpenDialog()
    qtbot.addWidget(other)
    other.trajectories.edit.setText(str(mine))
    other.video.edit.setText(str(scene_dir))
    assert other.inputs().trajectories == str(mine) and other.inputs().video == str(scene_dir / "frames")
    plain = OpenDialog()  # a folder of frames stays the video; its scene's files beside it are filled in (a walk)
    qtbot.addWidget(plain)
    plain.video.edit.setText(str(scene_dir / "frames"))
    assert plain.inputs().video == str(scene_dir / "frames")
    assert plain.trajectories.text() == str(scene_dir / "trajectories.txt")
    (tmp_path / "clip").mkdir()  # frames with nothing beside them: nothing filled
    plain.video.edit.setText(str(tmp_path / "clip"))
    assert plain.inputs().video == str(tmp_path / "clip") and plain.trajectories.text() == ""


def test_typing_a_scene_folder_through_another_one_keeps_only_the_last(qtbot, tmp_path):
    """Typed letter by letter, '.../zara01_feet' passes through the scene '.../zara01': its files must not stay."""
    from app.open_dialog import OpenDialog

    for name, with_h in (("zara01", True), ("zara01_feet", True), ("zara01_feet_noh", False)):
        (tmp_path / name / "frames").mkdir(parents=True)
        (tmp_path / name / "trajectories.txt").write_text("0 1 1.0 1.0\n")
        if with_h:
            (tmp_path / name / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    dialog = OpenDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.video.edit, str(tmp_path / "zara01_feet"))
    assert dialog.trajectories.text() == str(tmp_path / "zara01_feet" / "trajectories.txt")
    assert dialog.homography.text() == str(tmp_path / "zara01_feet" / "H.txt")
    qtbot.keyClicks(dialog.video.edit, "_noh")
    assert dialog.homography.text() == "" and dialog.trajectories.text().endswith("zara01_feet_noh/trajectories.txt")
    qtbot.keyClicks(dialog.video.edit, "/frames")  # the scene's frames: its files stay
    assert dialog.homography.text() == "" and dialog.trajectories.text().endswith("zara01_feet_noh/trajectories.txt")
    qtbot.keyClicks(dialog.video.edit, "_x")  # no such folder: the filled-in files go
    assert dialog.trajectories.text() == "" and dialog.homography.text() == ""


def _bright_pixels(widget) -> int:
    img = widget.grab().toImage()
    return sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
               if QColor(img.pixel(x, y)).lightness() > 150)


def test_the_empty_studio_says_what_to_open(window, qtbot):
    """Started without inputs (humanseg-studio) the video area was a blank dark field."""
    view = window.frame_view
    assert "File ▸ Open" in view.empty_text and "Open Demo" in view.empty_text
    assert _bright_pixels(view) > 50  # the hint is drawn
    view.empty_text = ""
    assert _bright_pixels(view) == 0
    view.empty_text = "hint"
    view.set_frame(np.zeros((H, W, 3), np.uint8))  # a frame: no hint over the video
    assert _bright_pixels(view) == 0


def test_spin_boxes_show_their_arrows_under_the_studio_style(qtbot):
    """The style sheet gave QSpinBox a border, which made Qt drop its up/down arrows (budget, hold-out,
    frame numbers): buttons that worked but could not be seen."""
    from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QVBoxLayout, QWidget

    from app.main import STYLE

    box = QWidget()
    qtbot.addWidget(box)
    box.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    lay = QVBoxLayout(box)
    spins = [QSpinBox(), QDoubleSpinBox()]
    for s in spins:
        lay.addWidget(s)
    box.resize(240, 90)
    box.show()
    qtbot.waitExposed(box)
    for s in spins:
        img = s.grab().toImage()
        arrows = sum(1 for y in range(img.height()) for x in range(img.width() - 18, img.width())
                     if QColor(img.pixel(x, y)).lightness() > 120)
        assert arrows > 8, (type(s).__name__, arrows)


def test_the_whole_scene_table_shows_each_persons_colour(qtbot):
    """The results are drawn in each person's marker colour; the table named the persons without it."""
    from PySide6.QtCore import Qt

    from app.colors import person_color
    from app.scene_panel import ScenePanel
    from humanseg_core.jobs import Progress

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel._progress(Progress(0, 2, "2 persons to train", data={"stage": "train", "pids": [3, 7]}))
    for row, pid in enumerate((3, 7)):
        item = panel.table.item(row, 0)
        assert item.text() == str(pid)
        assert item.data(Qt.ItemDataRole.DecorationRole) == person_color(pid)


def test_the_proposal_line_keeps_each_value_with_its_unit(qtbot, tmp_path):
    """At the studio's width the line wrapped as '... · 952' / 'px' (a bare number, its unit alone below)."""
    from app.review.review_panel import ReviewPanel

    box = (40, 30, 64, 90)
    proj = _project(tmp_path, {(1, 10): box})
    try:
        panel = ReviewPanel(proj, BoxScene({(1, 10): box}, (H, W), feet=True))
        qtbot.addWidget(panel)
        panel.set_person(1)
        text = panel.info.text()
        area = 24 * 60
        assert f"mask&nbsp;{area}&nbsp;px" in text and "&nbsp;px from track" in text and "score&nbsp;" in text
    finally:
        proj.close()


def test_import_masks_is_in_one_menu_only(window):
    """'Import Masks…' was in both File and Project: it stays in File (before Quit), where one looks first;
    Ctrl+I still reaches it."""
    from app.panels import install_panels

    install_panels(window)
    bar = window.menuBar()
    found = [(m.menu().title().replace("&", ""), a.text().replace("&", "")) for m in bar.actions() if m.menu()
             for a in m.menu().actions() if "Import Masks" in a.text()]
    assert found == [("File", "Import Masks…")]
    file_menu = next(m.menu() for m in bar.actions() if m.text() == "&File")
    names = [a.text().replace("&", "") for a in file_menu.actions() if not a.isSeparator()]
    assert names[-2:] == ["Import Masks…", "Quit"]
    assert window.review.act_import.shortcut().toString() == "Ctrl+I"


def test_each_persons_row_says_its_agreement_when_the_run_measured_it():
    from app.scene_summary import segmented_states

    class Runs:
        def runs(self):
            return [{"id": 7, "metrics": {"segmented_frames": 20, "agreement": 0.8125}},
                    {"id": 8, "metrics": {"segmented_frames": 5}}]

    assert segmented_states(Runs(), {1: 7, 2: 8}, [1, 2]) == {1: "segmented 20 frames, agreement 0.81",
                                                               2: "segmented 5 frames"}


def test_a_reopened_projects_scene_rows_say_each_runs_agreement(bare_project):
    """The Scene tab of a reopened project named each person's run; its agreement showed only after a run."""
    import numpy as np

    from app.scene_keep import result_states

    mask = np.zeros((20, 30), bool)
    mask[5:15, 5:10] = True
    for pid, agreed in ((1, 0.8125), (2, None)):
        run = bare_project.add_run(pid, "osvos-lite", checkpoint=f"{pid}.pt")
        bare_project.save_results(pid, run, {0: mask})
        if agreed is not None:
            bare_project.update_run(run, metrics={"agreement": agreed})
    states = result_states(bare_project)
    assert states[1] == "results of run 1 (Play, Quality, Export), agreement 0.81"
    assert states[2] == "results of run 2 (Play, Quality, Export)"


def test_a_cut_short_runs_scene_row_stays_partial_after_a_reread(bare_project):
    """A studio walk cancelled a Whole scene run while it segmented: its rows read "cancelled while segmenting: 49
    frames stored", then, six seconds later (the re-read), "results of run 1 (Play, Quality, Export)"."""
    import numpy as np

    from app.scene_keep import result_states

    mask = np.zeros((20, 30), bool)
    mask[5:15, 5:10] = True
    run = bare_project.add_run(1, "osvos-lite", {"scene_run": True}, checkpoint="1.pt",
                               metrics={"stopped": "cancelled"})
    bare_project.save_results(1, run, {0: mask, 1: mask})
    assert result_states(bare_project)[1].startswith(f"partial: run {run} cancelled after 2 frames; results of run "
                                                     f"{run} (Play, Quality, Export)")
