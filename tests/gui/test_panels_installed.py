"""The assembled studio: review and segmentation panels installed together on the main window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


@pytest.fixture
def studio(window):
    from app.panels import fit_to_screen, install_panels

    install_panels(window)
    fit_to_screen(window)
    return window


def _project_for(scene_dir, folder):
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"))
    proj = Project.create(folder, inputs)
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    proj.add_proposals([Proposal(frame=10, pid=1, box=(30, 40, 50, 100), mask=mask, source="bgs:test")])
    proj.close()
    return folder


def test_every_workflow_panel_is_docked_and_the_window_fits_the_screen(studio):
    names = {d.objectName() for d in studio.findChildren(QDockWidget)}
    for title in ("Persons", "Review", "Training", "Segment", "Playback", "Quality", "Export MP4"):
        assert f"dock_{title}" in names
    avail = studio.screen().availableGeometry()
    assert studio.height() <= avail.height()
    hint = studio.minimumSizeHint()  # a 1280x720 laptop screen holds the whole studio
    assert hint.width() <= 1280 and hint.height() <= 720
    menus = [a.text().replace("&", "") for a in studio.menuBar().actions()]
    assert {"Project", "Review", "Segmentation"} <= set(menus)


def test_opening_a_project_reaches_the_segmentation_panels(studio, scene_dir, tmp_path):
    folder = _project_for(scene_dir, tmp_path / "proj")
    assert studio.segmentation.project is None
    assert studio.review.open_project(str(folder))
    assert studio.segmentation.project is studio.review.project
    assert studio.scene is not None and studio.scene.pids == [1, 2, 3]
    studio.review.close_project()
    assert studio.segmentation.project is None


def test_review_decisions_reach_the_training_panel_without_reselecting(studio, scene_dir, tmp_path, qtbot):
    folder = tmp_path / "proj"
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(scene_dir / "trajectories.txt"),
                           homography=str(scene_dir / "H.txt"))
    proj = Project.create(folder, inputs)
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    proj.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=mask, source="bgs:test")
                        for f in (0, 5, 10, 20, 25, 30)])
    proj.close()
    assert studio.review.open_project(str(folder))
    studio.select_person(1)
    training = studio.segmentation.training
    assert "0 accepted masks" in training.person_label.text()
    assert not training.start_btn.isEnabled()
    studio.review.panel.accept()
    qtbot.waitUntil(lambda: "1 accepted mask" in training.person_label.text(), timeout=2000)
    assert training.start_btn.isEnabled()
    studio.review.panel.not_visible()  # an empty mask of the analyst's: no label to train on (a walk: counted)
    qtbot.wait(300)
    assert "1 accepted mask" in training.person_label.text()
    studio.review.panel.confirm_bulk = lambda n: True  # the dialog asking once
    studio.review.panel.accept_remaining()  # a burst of decisions: one refresh afterwards
    qtbot.waitUntil(lambda: "5 accepted masks" in training.person_label.text(), timeout=2000)
    # unless the user chooses, 3 held out and at most a quarter: 1 of 5 (a walk's 7 labels trained on 4)
    assert training.holdout.value() == 1


def test_new_project_with_a_video_but_no_trajectories_asks_for_them(studio, scene_dir, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: shown.append(text))
    assert studio.open_inputs(ProjectInputs(video=str(scene_dir / "frames"), trajectories=""))
    assert not studio.review.new_project(str(tmp_path / "proj"))
    assert shown and "trajectory" in shown[-1] and "Open a video first" not in shown[-1]


def test_the_persons_tab_is_in_front_until_a_project_opens(qtbot, settings, scene_dir, tmp_path):
    from app.main_window import MainWindow
    from app.panels import fit_to_screen, install_panels

    studio = install_panels(MainWindow(settings=settings))  # in the order app/main.py builds it
    qtbot.addWidget(studio)
    studio.show()
    fit_to_screen(studio)
    qtbot.waitExposed(studio)
    persons = studio.findChild(QDockWidget, "dock_Persons")
    assert not persons.visibleRegion().isEmpty() and studio.review.dock.visibleRegion().isEmpty()
    assert studio.review.open_project(str(_project_for(scene_dir, tmp_path / "proj")))
    qtbot.waitUntil(lambda: not studio.review.dock.visibleRegion().isEmpty(), timeout=2000)
    studio.close()


def _right_dock_min_width(studio) -> int:
    return max(d.minimumSizeHint().width() for d in studio.findChildren(QDockWidget)
               if studio.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea and not d.isFloating())


def test_the_right_dock_stays_narrow_and_the_video_gets_most_of_a_wide_window(studio, scene_dir, tmp_path, qtbot):
    from app.panels import share_right_dock

    assert studio.review.open_project(str(_project_for(scene_dir, tmp_path / "proj")))
    studio.select_person(1)
    panel = studio.review.panel
    assert panel.current_id is not None and panel.counts.total_label.text() == "0/1 reviewed"
    assert _right_dock_min_width(studio) <= 460  # the review rows wrap instead of widening the dock
    panel.toggle_edit()  # the edit tool bar wraps too
    assert panel.editing and _right_dock_min_width(studio) <= 460
    panel.toggle_edit()
    studio.resize(1400, 900)
    share_right_dock(studio)
    qtbot.waitUntil(lambda: studio.frame_view.width() >= 700, timeout=2000)
    assert studio.review.dock.width() < studio.frame_view.width()
    # wrapped, every button of the review row is still fully shown (none clipped under its text)
    qtbot.waitUntil(lambda: all(b.width() >= b.minimumSizeHint().width() for b in panel.buttons.values()),
                    timeout=2000)


def test_the_status_bar_tells_the_new_proposal_count_when_generation_finishes(studio, scene_dir, tmp_path):
    folder = tmp_path / "proj"
    proj = Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                                trajectories=str(scene_dir / "trajectories.txt"),
                                                homography=str(scene_dir / "H.txt")))
    proj.close()
    assert studio.review.open_project(str(folder))
    assert ": 0 proposals" in studio.statusBar().currentMessage()
    dlg = studio.review.generate()
    mask = np.zeros((240, 320), bool)
    mask[40:100, 30:50] = True
    studio.review.project.add_proposals([Proposal(frame=10, pid=1, box=(30, 40, 50, 100), mask=mask,
                                                  source="bgs:test")])
    dlg.generated.emit(1, 1)  # what the dialog emits when its job has stored them
    assert ": 1 proposal (1 new, 1 frame skipped)" in studio.statusBar().currentMessage()
    assert studio.review.panel.current_id is not None
    dlg.close()


def test_a_reread_behind_another_tab_leaves_the_video_where_the_analyst_stepped(studio, scene_dir, tmp_path, qtbot):
    """A studio walk stepped five frames on while its training ran in the Train tab; when it ended, the project's
    re-read took the video back to the proposal Review held, behind that tab."""
    folder = _project_for(scene_dir, tmp_path / "proj")
    assert studio.review.open_project(str(folder))
    studio.select_person(1)
    studio.segmentation.docks["training"].raise_()  # the Train tab in front of Review
    qtbot.waitUntil(studio.review.panel._covered, timeout=2000)
    studio.set_frame(13)
    studio.review.panel.reread_in_place()  # as a job's end re-reads the project
    assert studio.current_frame == 13


def test_quality_tells_a_trained_person_without_results_to_segment_it(studio, scene_dir, tmp_path):
    """A studio walk's person, trained four times and never segmented, was told to train it in the Quality tab."""
    from app.segmentation.quality_panel import NO_RESULTS, NO_RESULTS_TRAINED

    folder = _project_for(scene_dir, tmp_path / "proj")
    assert studio.review.open_project(str(folder))
    studio.select_person(1)
    quality = studio.segmentation.quality
    assert quality.summary.text() == NO_RESULTS
    studio.review.panel.project.add_run(1, "osvos-parent", {}, str(folder / "a.pt"))
    studio.segmentation.refresh()
    assert quality.summary.text() == NO_RESULTS_TRAINED and "segment it (Segment tab)" in NO_RESULTS_TRAINED


def test_a_decision_key_with_another_tab_of_its_group_in_front_decides_nothing(studio, scene_dir, tmp_path, qtbot):
    """A walk pressed Shift+W, then X, with Play in front of Review in the same tab group: the proposal it could not
    see was rejected (the guard read the panel as visible: a covered tab's widget is, its dock's region empty)."""
    folder = _project_for(scene_dir, tmp_path / "proj")
    assert studio.review.open_project(str(folder))
    ctrl = studio.review
    ctrl.panel.set_person(1)
    play = studio.findChild(QDockWidget, "dock_Playback")
    play.show()
    play.raise_()
    qtbot.waitUntil(lambda: ctrl.dock.visibleRegion().isEmpty(), timeout=5000)
    said = []
    ctrl.panel.message.connect(said.append)
    ctrl.panel.key_actions["reject"].trigger()
    assert [p.status for p in ctrl.project.proposals(1, with_masks=False)] == ["pending"]
    assert "press the key again to reject" in said[-1]
    assert said[-1].startswith("Review brought to the front on person 1, frame ") and len(said[-1]) < 90  # whole
    qtbot.waitUntil(lambda: not ctrl.dock.visibleRegion().isEmpty(), timeout=5000)  # in front now
    ctrl.panel.key_actions["reject"].trigger()
    assert [p.status for p in ctrl.project.proposals(1, with_masks=False)] == ["rejected"]
