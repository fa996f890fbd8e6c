"""The review side on the studio's main window: install_review, opening and reopening projects, the status
bar's project messages, project errors in a message box."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import rect_mask
from PySide6.QtCore import Qt

from humanseg_core.records import ProjectInputs, Proposal

pytestmark = pytest.mark.gui

from test_review import GREY, H, W, _frame, _statuses  # noqa: E402

# -- the studio: install_review on the real main window ------------------------------------------------


@pytest.fixture
def tiny_scene(tmp_path):
    """A scene folder: three grey frames (10, 20, 30) and two persons walking, no homography."""
    import cv2

    folder = tmp_path / "scene"
    (folder / "frames").mkdir(parents=True)
    for f in (10, 20, 30):
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.png"), np.full((H, W, 3), GREY, np.uint8))
    rows = [f"{f}\t{pid}\t{x + f / 10:.2f}\t{y:.2f}" for f in (10, 20, 30) for pid, x, y in ((1, 2.0, 3.0),
                                                                                              (2, 6.0, 3.5))]
    (folder / "trajectories.txt").write_text("\n".join(rows) + "\n")
    return ProjectInputs(video=str(folder / "frames"), trajectories=str(folder / "trajectories.txt"))


@pytest.fixture
def studio(qtbot, tiny_scene, tmp_path):
    from app.main_window import MainWindow
    from app.review.install import install_review

    window = MainWindow()
    qtbot.addWidget(window)
    ctrl = install_review(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_inputs(tiny_scene)
    assert ctrl.new_project(folder=tmp_path / "proj")
    props = []
    for pid in (1, 2):
        for f in (10, 20, 30):
            u, v = window.scene.position_px(pid, f)
            box = (int(u) - 8, int(v), int(u) + 8, int(v) + 30)
            box = (max(0, box[0]), max(0, box[1]), min(W, box[2]), min(H, box[3]))
            props.append(Proposal(frame=f, pid=pid, box=box, mask=rect_mask((H, W), *box), source="bgs:test"))
    ctrl.project.add_proposals(props)
    ctrl.panel.refresh()
    return window, ctrl


def test_install_review_follows_the_window(qtbot, studio):
    window, ctrl = studio
    panel = ctrl.panel
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Project" in menus and "&Review" in menus
    assert ctrl.act_generate.isEnabled() and ctrl.act_export.isEnabled()
    panel.set_person(2)
    assert window.selected_pid == 2 and window.current_frame == 10  # the window follows the panel
    window.activateWindow()
    panel.setFocus()
    qtbot.waitUntil(lambda: panel.hasFocus() or panel.view.hasFocus())
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)  # the panel's key, not the timeline's shortcut
    assert _frame(panel) == 20 and window.current_frame == 20
    assert "review" in window.frame_view._masks  # the proposal drawn on the main view too
    qtbot.keyClick(panel.view, Qt.Key.Key_A)
    assert _statuses(ctrl.project.folder, 2)[20] == "accepted"
    window.select_person(1)
    assert panel.pid == 1


def test_the_panel_follows_the_timeline(qtbot, studio):
    """A walk clicked the main timeline on an annotated frame and the Review panel stayed on another frame's
    proposal; it follows now, except while the editor holds an edit or the video plays."""
    window, ctrl = studio
    panel = ctrl.panel
    panel.set_person(2)
    assert _frame(panel) == 10
    window.set_frame(30)
    assert _frame(panel) == 30 and "review" in window.frame_view._masks
    window.set_frame(20)
    assert _frame(panel) == 20
    panel.toggle_edit()  # the editor is open: its edit is never left by a timeline click
    assert panel.editing
    window.set_frame(10)
    assert _frame(panel) == 20 and panel.editing
    panel.toggle_edit()
    window.timeline.play()  # playing: the panel stays (a mask read per annotated frame, for nothing) ...
    window.set_frame(30)
    assert _frame(panel) == 20
    window.timeline.pause()  # ... until the video stops (a walk's paused video and panel showed two frames)
    assert _frame(panel) == 30
    window.set_frame(20)
    window.select_person(1, jump=False)
    panel.set_person(2)
    assert window.selected_pid == 2 and _frame(panel) == 10
    window.select_person(7, jump=False)  # no such person here: nobody selected in the window
    window.set_frame(30)
    assert window.selected_pid is None and _frame(panel) == 10  # the panel does not pick person 2 again


def test_the_proposal_is_drawn_in_the_persons_colour(qtbot, studio):
    """On the main view, in the review zoom and on the filmstrip, as Play draws the person: in one amber for
    everyone, a proposal beside a person coloured yellow read as that person's."""
    from app.colors import person_rgb

    window, ctrl = studio
    seen = {}
    for pid in (1, 2):
        ctrl.panel.set_person(pid)
        rec = ctrl.panel.current_record()
        x0, y0, x1, y1 = rec.box
        image = window.frame_view._masks["review"].pixmap().toImage()
        c = image.pixelColor(int((x0 + x1) / 2), int((y0 + y1) / 2))
        seen[pid] = (c.red(), c.green(), c.blue())
        assert seen[pid] == person_rgb(pid) == ctrl.panel.view.mask_color
        b, g, r = ctrl.panel.filmstrip.tint_bgr
        assert (r, g, b) == person_rgb(pid)
    assert seen[1] != seen[2]


def test_open_project_reopens_the_decisions(qtbot, studio, tmp_path):
    window, ctrl = studio
    qtbot.keyClick(ctrl.panel, Qt.Key.Key_X)
    folder = ctrl.project.folder
    seen = []
    ctrl.project_changed.connect(seen.append)
    ctrl.close_project()
    assert ctrl.project is None and not ctrl.act_export.isEnabled()
    assert ctrl.act_generate.isEnabled()  # the scene is still open: Generate offers a new project
    assert ctrl.open_project(folder=folder)
    assert seen[0] is None and seen[-1] is ctrl.project
    assert ctrl.project.counts(1)["rejected"] == 1
    assert ctrl.panel.counts.counts["rejected"] == 1


def test_inputs_open_without_a_project_say_where_the_work_starts(qtbot, studio, tmp_path):
    """A walk opened a scene folder: the last-used tab came back with every button greyed and nothing said
    that a project was needed. Opening a project says nothing of the kind."""
    from app.review.install import NO_PROJECT_HINT

    window, ctrl = studio
    folder = ctrl.project.folder
    ctrl.close_project()
    inputs = window.inputs
    window.statusBar().clearMessage()
    assert window.open_inputs(inputs)  # the same inputs again, with no project open
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == NO_PROJECT_HINT, timeout=2000)
    window.statusBar().clearMessage()
    assert ctrl.open_project(folder=folder)
    qtbot.wait(50)
    assert window.statusBar().currentMessage() != NO_PROJECT_HINT


def test_other_inputs_say_the_project_was_closed_and_saved(qtbot, studio, tmp_path):
    """A walk opened another scene over an open project: the status bar said only 'No project open: …', as if
    the project had been dropped; the 'closed … (all is saved …)' line was overwritten at once."""
    import dataclasses
    import shutil


    window, ctrl = studio
    name = ctrl.project.folder.name
    other = tmp_path / "other"
    shutil.copytree(window.inputs.video, other / "frames")
    shutil.copy(window.inputs.trajectories, other / "trajectories.txt")
    assert window.open_inputs(dataclasses.replace(window.inputs, video=str(other / "frames"),
                                                  trajectories=str(other / "trajectories.txt")))
    assert ctrl.project is None
    qtbot.wait(50)
    text = window.statusBar().currentMessage()
    assert text == (f"Project {name} closed (other inputs opened; all is saved) · no project open: Project ▸ New "
                    "Project… (Ctrl+Shift+N)")  # short: the status bar cut the longer one in its middle (a walk)


def test_a_reopened_project_shows_the_person_reviewed_last(qtbot, studio):
    """A walk worked on person 3 of the demo; reopening the project showed person 1 again."""
    window, ctrl = studio
    folder = ctrl.project.folder
    ctrl.panel.set_person(2)
    ctrl.close_project()
    assert ctrl.open_project(folder=folder)
    assert ctrl.panel.pid == 2
    ctrl.panel.set_person(1)
    ctrl.close_project()
    assert ctrl.open_project(folder=folder) and ctrl.panel.pid == 1
    # and on the proposal shown last, not the person's first pending one frames away (a walk)
    first = ctrl.panel.current_id
    later = [p for p in ctrl.panel._shown if p.id != first][-1]
    ctrl.panel.go_to(later.id)
    ctrl.close_project()
    assert ctrl.open_project(folder=folder) and ctrl.panel.current_id == later.id
    assert window.current_frame == later.frame
    ctrl.panel.go_to(first)
    ctrl.panel.refresh()  # a re-read of the open project never goes back to the place kept at the last closing
    assert ctrl.panel.current_id == first
    from app.review.review_panel import LAST_PROPOSAL

    assert all(guard() for guard in window.close_guards)  # the window closing keeps the place too
    assert ctrl.project.setting(LAST_PROPOSAL) == first


def test_project_errors_go_to_a_message_box(qtbot, monkeypatch, tmp_path):
    from app.review import project_dialogs

    shown = []
    monkeypatch.setattr(project_dialogs.QMessageBox, "critical", lambda *a: shown.append(a[2]))
    assert project_dialogs.open_project(None, folder=tmp_path / "nowhere") is None
    assert shown and "nowhere" in shown[-1]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "project.sqlite").write_bytes(b"not a database at all" * 100)
    assert project_dialogs.open_project(None, folder=bad) is None
    assert "bad" in shown[-1]
    assert project_dialogs.new_project(None, ProjectInputs(video="", trajectories="")) is None
    assert "video" in shown[-1]


def test_the_person_box_shows_each_persons_colour(qtbot, studio):
    """A walk: the Review tab's person box listed bare numbers, with no colour to match the video's."""
    from app.colors import person_rgb

    _window, ctrl = studio
    box = ctrl.panel.person_box
    for i in range(box.count()):
        image = box.itemIcon(i).pixmap(12, 12).toImage()
        c = image.pixelColor(6, 6)
        assert (c.red(), c.green(), c.blue()) == person_rgb(int(box.itemData(i)))


def test_an_export_dialog_is_one_per_project_and_closes_with_it(qtbot, studio, tmp_path):
    """A walk left Export open across File ▸ Open: its project closed, Export then wrote nothing and said
    nothing (the error went to stderr); a second Ctrl+E had opened a second dialog."""
    window, ctrl = studio
    first = ctrl.export()
    assert first is not None and first.isVisible()
    assert ctrl.export() is first  # raised, not a second one
    folder = ctrl.project.folder
    assert window.windowTitle().startswith(f"project {folder.name}")
    ctrl.close_project()
    assert "project" not in window.windowTitle().split(" — ")[0]  # a walk's title named the closed project
    qtbot.waitUntil(lambda: first not in ctrl._dialogs)
    assert ctrl.open_project(folder=folder)
    second = ctrl.export()
    assert second is not first and second.project is ctrl.project


def test_a_person_picked_on_the_video_is_reviewed_on_that_frame(qtbot, studio):
    """A walk clicked a neighbour's marker on frame 30 and the video jumped to the neighbour's first pending
    proposal; the panel now shows the neighbour's proposal on the frame the video shows."""
    window, ctrl = studio
    panel = ctrl.panel
    panel.set_person(2)
    window.set_frame(30)
    assert _frame(panel) == 30
    window.select_person(1, jump=False)  # what a click on person 1's marker does
    assert panel.pid == 1 and _frame(panel) == 30 and window.current_frame == 30
    panel.set_person(2)  # set_person alone: from the first pending proposal, as before
    assert _frame(panel) == 10 and window.current_frame == 10


def test_the_person_box_and_go_to_person_keep_the_frame_on_screen(qtbot, studio, monkeypatch):
    """A crowd walk chose Go to Frame 10410, then person 272 in the Person box (by mouse: no key reached a person by
    id) and was shown 272's first pending proposal, ten annotated frames back."""
    from PySide6.QtWidgets import QInputDialog

    window, ctrl = studio
    panel = ctrl.panel
    panel.set_person(1)
    window.set_frame(30)
    panel.person_box.setCurrentIndex(panel.person_box.findData(2))
    assert panel.pid == 2 and _frame(panel) == 30 and window.current_frame == 30
    window.set_frame(20)
    said = []
    panel.message.connect(said.append)
    answers = iter([("1", True), ("99", True), ("x", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    panel.key_actions["go_person"].trigger()
    assert panel.pid == 1 and _frame(panel) == 20 and window.current_frame == 20
    assert panel.key_actions["go_person"].shortcut().toString() == "G"
    go = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Go")  # beside Go to Frame (a re-walk)
    assert panel.key_actions["go_person"] in go.actions()
    panel.key_actions["go_person"].trigger()
    assert panel.pid == 1 and said[-1] == "Go to Person: person 99 has no proposals in this project"
    panel.key_actions["go_person"].trigger()
    assert said[-1] == "Go to Person: 'x' is not a person id"
    window.set_frame(30)
    window.select_person(2)  # a Persons-table row (jump=True): kept on the frame inside its track (a re-walk's row
    assert panel.pid == 2 and _frame(panel) == 30 and window.current_frame == 30  # click went back to its first)



def test_the_person_in_review_picked_again_or_a_pause_brings_the_panel_to_the_video(qtbot, studio):
    """A walk played to another annotated frame, paused and clicked the marker of the person in Review: the video
    showed one frame, the panel another."""
    window, ctrl = studio
    panel = ctrl.panel
    panel.set_person(1)
    assert _frame(panel) == 10
    window.timeline.play()
    window.set_frame(30)  # playing: the panel stays
    assert _frame(panel) == 10
    window.select_person(1, jump=False)  # the same person's marker clicked
    assert _frame(panel) == 30 and window.current_frame == 30
    window.set_frame(20)
    window.timeline.pause()
    assert _frame(panel) == 20  # paused: it follows the frame the video stopped on
