"""Defects a new analyst met on a held-out scene (zara02_center, then students03): the Open dialog kept the
previous scene's files, the Whole scene panel's texts and table during a run."""

from __future__ import annotations

import pytest
from fakes import OneFrameScene

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _scene_folder(folder):
    (folder / "frames").mkdir(parents=True)
    (folder / "trajectories.txt").write_text("0 1 1.0 1.0\n")
    (folder / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    return folder


def test_another_scene_folder_replaces_the_open_scenes_files(qtbot, tmp_path):
    """File ▸ Open with zara02_center open, students03 typed as the video: the dialog kept zara02_center's
    trajectories and H.txt (filled in from the open inputs, not chosen in the dialog), and the studio
    opened students03's frames with zara02's tracks ('all annotated frames (5010..5200) are not in the
    video')."""
    from app.open_dialog import OpenDialog, scene_folder_inputs

    first, second = _scene_folder(tmp_path / "zara02_center"), _scene_folder(tmp_path / "students03")
    dialog = OpenDialog(scene_folder_inputs(first))  # what the window passes: the open inputs
    qtbot.addWidget(dialog)
    dialog.video.edit.selectAll()
    qtbot.keyClicks(dialog.video.edit, str(second))  # typed over, letter by letter
    got = dialog.inputs()
    assert got.video == str(second / "frames")
    assert got.trajectories == str(second / "trajectories.txt")
    assert got.homography == str(second / "H.txt")


def test_the_open_scenes_files_stay_for_a_plain_video(qtbot, tmp_path):
    """Another video of the same scene (not a scene folder) keeps the open trajectories and homography."""
    from app.open_dialog import OpenDialog, scene_folder_inputs

    first = _scene_folder(tmp_path / "zara02_center")
    other = tmp_path / "other_frames"
    other.mkdir()
    dialog = OpenDialog(scene_folder_inputs(first))
    qtbot.addWidget(dialog)
    dialog.video.edit.setText(str(other))
    assert dialog.trajectories.text() == str(first / "trajectories.txt")
    assert dialog.homography.text() == str(first / "H.txt")
    mine = tmp_path / "mine.txt"  # chosen in the dialog: a scene folder typed afterwards leaves it
    dialog.trajectories.edit.setText(str(mine))
    dialog.video.edit.setText(str(_scene_folder(tmp_path / "students03")))
    assert dialog.trajectories.text() == str(mine)
    assert dialog.homography.text() == str(tmp_path / "students03" / "H.txt")


def _label_pixels(img, pid, columns, rows) -> int:
    """Pixels of ``pid``'s label fill (its colour, drawn at alpha 215 over the grey frame) in a region."""
    from app.colors import person_color

    want = person_color(pid)
    n = 0
    for x in columns:
        for y in rows:
            if 0 <= x < img.width() and 0 <= y < img.height():
                c = img.pixelColor(x, y)
                n += abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 70
    return n


def test_labels_at_the_image_edge_stay_readable(window, qtbot, tmp_path, gen):
    """students03: persons at the right edge had their number cut ('36', '17'), at the top drawn above the
    frame. A label that would leave the view goes to the marker's other side."""
    from app.open_dialog import scene_folder_inputs

    folder = tmp_path / "edge"
    gen.write_scene(folder, n_frames=2)
    w, s = gen.WIDTH, gen.SCALE
    rows = [f"{f}\t{pid}\t{u * s:.4f}\t{v * s:.4f}" for f in (0, 1)
            for pid, (u, v) in ((7, (w - 4, 120)), (8, (100, 3)), (9, (60, 120)))]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    assert window.open_inputs(scene_folder_inputs(folder))
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    window.set_frame(0)
    img = window.frame_view.render_image()
    # an ordinary person: label right of and above the marker
    assert _label_pixels(img, 9, range(70, 80), range(105, 117)) > 20
    # at the right edge: left of the marker (its right side lies outside the frame)
    assert _label_pixels(img, 7, range(w - 30, w - 12), range(105, 117)) > 20
    # at the top: below the marker
    assert _label_pixels(img, 8, range(110, 120), range(8, 22)) > 20


def test_generate_proposals_without_a_project_offers_one(window, scene_dir, tmp_path, monkeypatch):
    """A scene open, no project yet: Project ▸ Generate Proposals was greyed and Ctrl+G did nothing, with no
    word why. It now asks to make a project for the open video, then opens the Generate dialog."""
    import app.review.project_dialogs as project_dialogs
    from app.open_dialog import scene_folder_inputs
    from app.panels import install_panels
    from app.review.generate_dialog import GenerateDialog

    install_panels(window)
    ctrl = window.review
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    assert ctrl.project is None and ctrl.act_generate.isEnabled() and not ctrl.act_export.isEnabled()
    answers = [False, True]
    monkeypatch.setattr(ctrl, "ask_new_project", lambda: answers.pop(0))
    monkeypatch.setattr(project_dialogs, "ask_new_folder", lambda parent, suggested: str(tmp_path / "proj"))
    assert ctrl.generate() is None and ctrl.project is None  # "No": nothing made
    dialog = ctrl.generate()
    assert isinstance(dialog, GenerateDialog)
    assert ctrl.project is not None and str(ctrl.project.folder) == str(tmp_path / "proj")
    dialog.close()


def test_the_mask_area_follows_the_edit(qtbot, tmp_path):
    """Brushing or refining, the line under the review view kept the proposal's 'mask 823 px': the analyst
    could not see what a Refine click did to the size."""
    import re

    import numpy as np
    from fakes import BoxScene, rect_mask
    from PySide6.QtWidgets import QMessageBox

    from app.review.review_panel import ReviewPanel
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    shape, box = (120, 160), (40, 30, 64, 90)
    proj = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    proj.add_proposals([Proposal(frame=f, pid=1, box=box, mask=rect_mask(shape, *box), source="bgs:test")
                        for f in (10, 20)])
    try:
        panel = ReviewPanel(proj, BoxScene({(1, 10): box, (1, 20): box}, shape))
        qtbot.addWidget(panel)
        panel.resize(700, 600)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_person(1)

        def area() -> int:
            return int(re.search(r"mask&nbsp;(\d+)&nbsp;px", panel.info.text()).group(1))

        before = area()
        panel.toggle_edit()  # E
        assert panel.editing
        panel.editor.mask[30:90, 40:52] = 0  # what a stroke of the eraser leaves; the editor then says so
        panel.editor.mask_changed.emit()
        edited = panel.editor.mask
        assert area() == int(np.count_nonzero(edited)) < before
        panel.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
        panel.toggle_edit()  # leave, discarding the stroke: the proposal's area again
        assert not panel.editing and area() == before
    finally:
        proj.close()


def test_clicking_a_person_in_the_generate_dialog_chooses_it(qtbot):
    """students03, no person selected: the dialog opens on 'All persons' and its list looked ready, but a
    click on '174 (15)' did nothing (the list was disabled). A click now chooses 'These:' and the person."""
    from PySide6.QtCore import Qt

    from app.review.generate_dialog import GenerateDialog

    dlg = GenerateDialog(OneFrameScene([142, 174, 282], frames=(10, 20)), None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.all_radio.isChecked() and dlg.pids() == [142, 174, 282]
    view = dlg.person_list
    for row in (1, 2):
        rect = view.visualItemRect(view.item(row))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.some_radio.isChecked() and dlg.pids() == [174, 282]
    dlg.all_radio.setChecked(True)  # back to everybody: the choice is cleared, not kept hidden
    assert dlg.pids() == [142, 174, 282] and not view.selectedItems()


def _delta_e(a, b) -> float:
    """CIE76 colour difference of two (r, g, b) colours."""
    import cv2
    import numpy as np

    lab = cv2.cvtColor(np.uint8([[a, b]]), cv2.COLOR_RGB2LAB)[0].astype(float) * [100 / 255, 1, 1]
    return float(np.linalg.norm(lab[0] - lab[1]))


def test_persons_in_view_together_get_colours_far_apart(window, qtbot, tmp_path, gen):
    """zara02_center: 70 and 91 walk side by side in two greens (hues 21 pids apart on the golden-ratio
    wheel, CIE76 difference 11.5); in students03 142, 286 and 430 were one pink (2.0). The open scene's
    persons now get colours chosen so that persons whose tracks overlap in time are far apart."""
    from app.colors import person_rgb, use_scene
    from app.open_dialog import scene_folder_inputs

    use_scene(None)  # the golden-ratio hues of the ids alone
    assert _delta_e(person_rgb(70), person_rgb(91)) < 15 and _delta_e(person_rgb(142), person_rgb(286)) < 5
    folder = tmp_path / "together"
    gen.write_scene(folder, n_frames=2)
    s = gen.SCALE
    together = (70, 91, 142, 286, 430)
    rows = [f"{f}\t{pid}\t{(40 + 50 * k) * s:.4f}\t{120 * s:.4f}" for f in (0, 1) for k, pid in enumerate(together)]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    assert window.open_inputs(scene_folder_inputs(folder))
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    worst = min(_delta_e(person_rgb(a), person_rgb(b)) for k, a in enumerate(together) for b in together[k + 1:])
    assert worst > 30, worst
    img = window.frame_view.render_image()  # the markers are drawn in those colours
    assert _delta_e(tuple(img.pixelColor(90, 120).getRgb()[:3]), person_rgb(91)) < 12


def test_the_mp4_overlay_has_the_colour_play_shows(window, qtbot, scene_dir):
    """Play drew person 94 in its marker's colour (or the colour picked under Look); the MP4 of the same
    results came out amber, a colour shown nowhere."""
    from PySide6.QtGui import QColor

    from app.colors import person_color
    from app.open_dialog import scene_folder_inputs
    from app.panels import install_panels

    install_panels(window)
    seg = window.segmentation
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    window.select_person(2)
    assert seg.playback.color() == person_color(2)
    assert seg.export._color == seg.playback.color()
    seg.playback._color_picked = True  # what Look's colour button does after the dialog
    seg.playback.set_color(QColor(10, 200, 30))
    assert seg.export._color == QColor(10, 200, 30)


def test_the_mp4_panel_names_the_person_it_exports(window, qtbot, scene_dir, tmp_path):
    """The Train and Segment tabs start with 'Person 94 · …'; the MP4 tab said nothing of whose video
    'Export MP4…' writes."""
    import numpy as np

    from app.open_dialog import scene_folder_inputs
    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    inputs = scene_folder_inputs(scene_dir)
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=inputs.video, trajectories=inputs.trajectories,
                                                           homography=inputs.homography))
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    proj.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=mask, source="bgs:test",
                                 status="accepted") for f in (10, 20)])
    proj.close()
    install_panels(window)
    export = window.segmentation.export
    assert window.open_inputs(inputs)
    assert "no person" in export.person_label.text().lower()
    assert window.review.open_project(folder=str(tmp_path / "proj"))
    window.select_person(1)
    assert export.person_label.text() == "Person 1 · 0 result frames · 2 accepted masks"


def test_leaving_play_shows_the_whole_frame_again(window, zoomed_play, qtbot, gen):
    """Zoom on person ticked in Play, then the Scene tab: 'Show every person's result' showed one person's
    close-up, and only Play could undo it. Zoom on person is Play's view: other tabs see the whole frame,
    and Play follows the person again when it is back."""
    play, panel = zoomed_play
    view = window.frame_view
    assert view.visible_image_rect().height() < gen.HEIGHT / 2
    window.scene_run.dock.raise_()  # the Scene tab: Play's dock is covered, not hidden (isVisible stays True)
    qtbot.waitUntil(lambda: play.visibleRegion().isEmpty(), timeout=2000)
    assert view.visible_image_rect().height() >= gen.HEIGHT - 1
    window.set_frame(20)  # and Play, off screen, does not zoom it again
    assert view.visible_image_rect().height() >= gen.HEIGHT - 1
    play.raise_()
    qtbot.waitUntil(lambda: not play.visibleRegion().isEmpty(), timeout=2000)
    assert panel.zoom.isChecked() and view.visible_image_rect().height() < gen.HEIGHT / 2


def test_the_proposals_preparation_is_named_on_the_scene_bar(qtbot):
    """students03: the Scene bar read 'Proposals 87%' while the run sampled frames for the background
    (7 of 8), then fell to 'Proposals 0%' at the first frame."""
    from app.scene_panel import ScenePanel
    from humanseg_core.jobs import Progress

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel._progress(Progress(7, 8, "proposals: preparing: sample frame 7 of 8",
                             data={"stage": "propose", "step": "prepare"}))
    assert panel.progress.format() == "Proposals: preparing %p%"
    panel._progress(Progress(1, 141, "proposals: frame 4000: 3 proposals, 0 skipped", data={"stage": "propose"}))
    assert panel.progress.format() == "Proposals %p%"


def test_the_weights_hint_reads_in_full(qtbot):
    """The Generate dialog's weights field showed 'the shipped parent networ…': the '(default)' that says
    nothing needs choosing was cut off."""

    from app.review.generate_dialog import GenerateDialog


    dlg = GenerateDialog(OneFrameScene(), None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.advanced_btn.setChecked(True)  # the weights field sits with the expert settings
    edit = dlg.weights_edit
    assert edit.isVisible()
    hint = edit.placeholderText()
    assert "default" in hint
    assert edit.fontMetrics().horizontalAdvance(hint) <= edit.contentsRect().width() - 8, (hint, edit.width())


def test_another_persons_number_sits_on_its_mask(qtbot):
    """zara02_center: in the review view the cyan '71' floated at the corner of 71's box, far from its
    outline, and '94' sat on the legs of the person under review. The number goes above the mask's top."""
    import numpy as np

    from app.review.proposal_view import ProposalView

    view = ProposalView()
    qtbot.addWidget(view)
    frame = np.full((120, 160, 3), 90, np.uint8)
    other = np.zeros((120, 160), bool)
    other[70:110, 100:112] = True  # a small body low in a large box
    view.set_content(frame, np.zeros((120, 160), bool), (10, 10, 30, 60), None,
                     [(71, other, (40, 20, 150, 115))])
    (label,) = view._labels
    x, y = label.pos().x(), label.pos().y()
    assert 95 <= x <= 112 and 55 <= y <= 70, (x, y)  # above the mask's top row, over its middle


def test_a_reopened_project_lists_the_persons_with_results(qtbot, scene_project):
    """Reopening zara02_center after a Whole scene run: the Scene table was empty although 4 persons had
    results (the box below it said so)."""
    import numpy as np

    from app.scene_panel import ScenePanel

    mask = np.zeros((240, 320), bool)
    mask[100:140, 50:70] = True
    run = scene_project.add_run(2, "osvos-lite", {"steps": 5}, None, {"steps": 5})
    scene_project.save_results(2, run, {10: mask, 20: mask})
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(scene_project)
    assert panel.state(2) == f"results of run {run} (Play, Quality, Export)"
    assert panel.state(1) is None
    panel.set_project(None)
    assert panel.state(2) is None


def test_a_reopened_project_names_a_whole_scene_run_cancelled_before_segmenting(qtbot, scene_project):
    """A new-user walk closed the studio during a Whole scene run of person 3: reopened, the Scene table
    left person 3 out (its run had a network and no results) and the Train tab did not say cancelled."""
    import numpy as np

    from app.scene_panel import ScenePanel
    from app.segmentation.training_panel import TrainingPanel

    mask = np.zeros((240, 320), bool)
    mask[100:140, 50:70] = True
    params = {"scene_run": True, "accept": "all", "labels": 20}
    done = scene_project.add_run(2, "osvos-parent", params, None, {"steps": 5, "segmented_frames": 2})
    scene_project.save_results(2, done, {10: mask, 20: mask})
    later = scene_project.add_run(2, "osvos-parent", params, None, {"steps": 1, "stopped": "cancelled"})
    alone = scene_project.add_run(1, "osvos-parent", params, None, {"steps": 1, "stopped": "cancelled"})
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(scene_project)
    assert panel.state(1).startswith(f"run {alone} cancelled before any frame was segmented")
    assert panel.state(2).startswith(f"run {later} cancelled before any frame was segmented")
    assert panel.state(2).endswith(f"results of run {done} (Play, Quality, Export)")
    train = TrainingPanel(lambda params, cancel: iter(()))
    qtbot.addWidget(train)
    train.set_person(1, n_accepted=0, last_run=scene_project.runs(1)[-1])
    assert f"Last run #{alone}" in train.status.text() and "1 step ·" in train.status.text()
    assert "cancelled" in train.status.text()


def test_other_persons_are_drawn_in_their_own_colours_and_labelled_once(qtbot):
    """eth_dense: every neighbour in one cyan fused into a blob, and a person with a proposal and an import
    on the frame was labelled twice. Each is now drawn in its marker colour, one label per person."""
    import numpy as np

    from app.colors import person_rgb
    from app.review.proposal_view import ProposalView

    view = ProposalView()
    qtbot.addWidget(view)
    frame = np.full((120, 160, 3), 90, np.uint8)
    a, b, a2 = (np.zeros((120, 160), bool) for _ in range(3))
    a[40:80, 20:30] = True
    b[40:80, 34:44] = True  # shoulder to shoulder with a
    a2[60:90, 22:28] = True  # person 265 again (an imported label on the same frame)
    view.set_content(frame, np.zeros((120, 160), bool), (100, 10, 120, 60), None,
                     [(265, a, None), (266, b, None), (265, a2, None)])
    assert sorted(label.text() for label in view._labels) == ["265", "266"]
    img = view._others_item.pixmap().toImage()
    for pid, (x, y) in ((265, (25, 60)), (266, (39, 60))):
        c = img.pixelColor(x, y)  # faint inside: the colour comes back within rounding of its alpha
        assert max(abs(u - v) for u, v in zip((c.red(), c.green(), c.blue()), person_rgb(pid))) <= 4, pid
    assert person_rgb(265) != person_rgb(266)
