"""A project that another studio window holds opens read-only here: warned once, no decision is taken."""

from __future__ import annotations

import json
import socket
import subprocess

import numpy as np
import pytest
from PySide6.QtCore import Qt

from humanseg_core.project import Project
from humanseg_core.project.lock import LOCK_NAME
from humanseg_core.records import ProjectInputs, Proposal

pytestmark = pytest.mark.gui

H, W = 120, 160


def _window(qtbot):
    from app.main_window import MainWindow
    from app.review.install import install_review

    window = MainWindow()
    qtbot.addWidget(window)
    ctrl = install_review(window)
    window.show()
    qtbot.waitExposed(window)
    return window, ctrl


def _job_panels(window, ctrl):
    """The Training and Segment panels (segmentation controller) and the Whole scene panel, as the studio
    installs them (app/panels.py)."""
    from app.scene_install import install_scene_panel
    from app.segmentation.install import install_segmentation

    window.review = ctrl  # as install_panels does
    seg = install_segmentation(window)
    ctrl.project_changed.connect(seg.set_project)
    scene_panel = install_scene_panel(window)
    ctrl.project_changed.connect(scene_panel.set_project)
    return seg, scene_panel


def _no_jobs_start(seg, scene_panel):
    """In a read-only window no panel starts a job: the buttons are off, a direct start is refused, and each
    panel says why with the Whole scene panel's message."""
    from app.job_footer import READ_ONLY_LOCKED as READ_ONLY  # another window holds it: the reason said

    started = []
    assert READ_ONLY in scene_panel.status.text() and not scene_panel.run_button.isEnabled()
    training, segment = seg.training, seg.segment
    training.set_factory(lambda params, cancel: started.append(params) or iter(()))
    training.set_person(1, n_accepted=2, resume_checkpoint="/nowhere/a.pt")  # as if it had labels and a run
    assert not training.start_btn.isEnabled() and not training.resume_btn.isEnabled()
    assert READ_ONLY in training.status.text()
    training.start()
    training.start(resume=True)
    assert not training.is_running() and READ_ONLY in training.status.text()
    segment.set_factory(lambda request, cancel: started.append(request) or iter(()))
    segment.set_person(1, (10, 20), [{"id": 1, "model": "osvos-lite", "params": {}, "metrics": {}}])
    assert segment.request() is not None and not segment.start_btn.isEnabled()
    segment.start()
    assert not segment.is_running() and READ_ONLY in segment.footer.status.text()
    assert started == []


def _statuses(folder):
    with Project.open(folder) as reopened:
        return {p.frame: p.status for p in reopened.proposals(1, with_masks=False)}


def test_a_project_held_by_another_window_opens_read_only(qtbot, tmp_path, monkeypatch):
    import cv2

    monkeypatch.setenv("HUMANSEG_KEYS", str(tmp_path / "keys.json"))
    folder = tmp_path / "scene"
    (folder / "frames").mkdir(parents=True)
    for f in (10, 20):
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.png"), np.full((H, W, 3), 100, np.uint8))
    (folder / "trajectories.txt").write_text("10\t1\t2.0\t3.0\n20\t1\t3.0\t3.0\n")
    inputs = ProjectInputs(video=str(folder / "frames"), trajectories=str(folder / "trajectories.txt"))

    first, ctrl = _window(qtbot)  # the first window makes the project and gives it up
    assert first.open_inputs(inputs)
    assert ctrl.new_project(folder=tmp_path / "proj")
    mask = np.zeros((H, W), bool)
    mask[40:90, 30:50] = True
    ctrl.project.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 90), mask=mask, source="bgs:test")
                                for f in (10, 20)])
    ctrl.close_project()
    assert not (tmp_path / "proj" / LOCK_NAME).exists()

    other = subprocess.Popen(["sleep", "60"])  # stands for the studio process of another window
    try:
        (tmp_path / "proj" / LOCK_NAME).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname()}))
        window, second = _window(qtbot)
        seg, scene_panel = _job_panels(window, second)
        warned = []
        monkeypatch.setattr(second, "warn_locked", lambda folder, holder: warned.append(holder.pid))
        assert window.open_inputs(inputs)
        assert second.open_project(folder=tmp_path / "proj")
        assert warned == [other.pid] and second.read_only and second.panel.read_only
        second.panel.set_person(1)
        messages = []
        second.panel.message.connect(messages.append)
        window.activateWindow()
        window.frame_view.setFocus()
        qtbot.waitUntil(window.frame_view.hasFocus)
        qtbot.keyClick(window.frame_view, Qt.Key.Key_A)  # the review key decides nothing here, and says why
        assert _statuses(tmp_path / "proj") == {10: "pending", 20: "pending"}
        assert messages and messages[-1] == "Read-only: this project is open in another window"
        # the keys browse (a walk's J, K, W and Ctrl+PgDown were dead in a second window)
        assert second.review_actions and all(a.isEnabled() for a in second.review_actions)
        shown = second.panel.current_id
        qtbot.keyClick(window.frame_view, Qt.Key.Key_J)
        assert second.panel.current_id != shown
        qtbot.keyClick(window.frame_view, Qt.Key.Key_E)
        assert not second.panel.editing
        # it looks read-only (a walk's buttons looked live, the title said nothing)
        buttons = second.panel.buttons
        assert not any(buttons[k].isEnabled() for k in ("accept", "reject", "accept_rest", "edit"))
        assert "(read-only: open in another window)" in window.windowTitle()
        assert not second.act_label_here.isEnabled()  # Label This Frame by Hand too (a walk)
        assert not second.act_generate.isEnabled() and not second.act_import.isEnabled()
        second.panel._decide("accepted")  # any other path to a decision is refused, and says why
        assert _statuses(tmp_path / "proj") == {10: "pending", 20: "pending"}
        assert any("Read-only" in m for m in messages)
        _no_jobs_start(seg, scene_panel)
        from app.review.lock_follow import take_over

        assert second.lock_follow.isActive() and not take_over(second)  # the other window still holds it
        assert second.read_only
        second.close_project()  # never drops the other window's lock
        assert json.loads((tmp_path / "proj" / LOCK_NAME).read_text())["pid"] == other.pid
        assert not second.lock_follow.isActive()
        assert second.open_project(folder=tmp_path / "proj") and second.read_only
        other.kill()
        other.wait()  # the other window closed (a walk's second window stayed read-only until reopened)
        second.panel.go_to(shown)
        assert take_over(second) and not second.read_only and not second.panel.read_only
        assert json.loads((tmp_path / "proj" / LOCK_NAME).read_text())["pid"] != other.pid
        assert "read-only" not in window.windowTitle() and second.act_generate.isEnabled()
        assert second.panel.current_id == shown and second.panel.buttons["accept"].isEnabled()
        assert scene_panel.run_button.isEnabled()
        second.panel._decide("accepted")
        assert _statuses(tmp_path / "proj")[second.panel._record(shown).frame] == "accepted"
        qtbot.waitUntil(lambda: not second.lock_follow.isActive(), timeout=1000)
        second.close_project()
        assert not (tmp_path / "proj" / LOCK_NAME).exists()
    finally:
        other.kill()
        other.wait()


def test_a_project_in_a_read_only_folder_opens_read_only(qtbot, tmp_path, monkeypatch):
    """A walk: a project on a read-only mount could not be opened at all, not even to look at or export."""
    import os

    import cv2

    from humanseg_core.project import store as store_mod

    scene = tmp_path / "scene"
    (scene / "frames").mkdir(parents=True)
    for f in (10, 20):
        cv2.imwrite(str(scene / "frames" / f"{f:05d}.png"), np.full((H, W, 3), 100, np.uint8))
    (scene / "trajectories.txt").write_text("10\t1\t2.0\t3.0\n20\t1\t3.0\t3.0\n")
    folder = tmp_path / "proj"
    mask = np.zeros((H, W), bool)
    mask[40:90, 30:50] = True
    with Project.create(folder, ProjectInputs(video=str(scene / "frames"),
                                              trajectories=str(scene / "trajectories.txt"))) as project:
        project.add_proposals([Proposal(frame=10, pid=1, box=(30, 40, 50, 90), mask=mask, source="bgs:test")])
    real = os.access
    monkeypatch.setattr(store_mod.os, "access", lambda p, mode: False if mode == os.W_OK and str(p).startswith(
        str(folder)) else real(p, mode))  # as a read-only mount shows it (tests run as root)
    window, ctrl = _window(qtbot)
    warned = []
    monkeypatch.setattr(ctrl, "warn_locked", lambda *a: warned.append(a))
    assert ctrl.open_project(folder=folder)
    assert ctrl.read_only and ctrl.panel.read_only and ctrl.project.read_only and warned == []
    assert "(read-only: its folder cannot be written to)" in window.windowTitle()
    assert not (folder / LOCK_NAME).exists()
    assert not any(ctrl.panel.buttons[k].isEnabled() for k in ("accept", "reject", "accept_rest", "edit"))
    said = []
    ctrl.panel.message.connect(said.append)
    ctrl.panel.set_person(1)
    ctrl.panel._decide("accepted")  # its keys say which of the two (a walk read "another window, or ...")
    assert said[-1] == "Read-only: its folder cannot be written to"
    from app.review.export_dialog import ExportDialog

    dialog = ExportDialog(ctrl.project, 1, window)  # its export goes where it can be written (a review)
    qtbot.addWidget(dialog)
    assert folder not in dialog.suggested_out().parents and "HumanSeg exports" in str(dialog.suggested_out())
    ctrl.close_project()
    assert not ctrl.read_only and not ctrl.read_only_folder
