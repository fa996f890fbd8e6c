"""Segmentation ▸ Restore Replaced Masks… (ADR 0052): the masks a segmentation replaced come back in the studio, Play
shows them, and the Segment tab says where they are kept."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _two_segmentations(project, gen):
    """Person 1's run segmented twice: the first masks at x 30..50 (frames 0-4), the second at x 80..100 (0-2)."""
    first, second = (np.zeros((gen.HEIGHT, gen.WIDTH), bool) for _ in range(2))
    first[40:80, 30:50] = True
    second[40:80, 80:100] = True
    run = project.add_run(1, "osvos-lite", params={"steps": 60}, metrics={"steps": 60})
    project.save_results(1, run, {f: first for f in range(5)})
    assert project.save_results(1, run, {f: second for f in range(3)}) == 1
    return run, first, second


def test_the_menu_restores_the_set_and_play_shows_it(opened, qtbot, scene_project, gen, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from app.segmentation.install import install_segmentation

    run, first, second = _two_segmentations(scene_project, gen)
    c = install_segmentation(opened, scene_project)
    opened.select_person(1)
    opened.set_frame(1)
    assert np.array_equal(c.playback.current_mask(), second)
    monkeypatch.setattr(QDialog, "exec", lambda self: 0)  # shown modal: looked at here instead
    [action] = [a for a in c.menu.actions() if a.text() == "&Restore Replaced Masks…"]
    action.trigger()
    dialog = c._restore_dialog
    qtbot.addWidget(dialog)
    assert dialog.sets.count() == 1 and dialog.sets.currentRow() == 0
    assert dialog.sets.item(0).text().startswith(f"set 1: person 1, run {run}, 3 masks (frames 0, 1, 2), replaced ")
    assert dialog.restore_btn.isEnabled()
    with qtbot.waitSignal(c.results_changed, timeout=2000) as told:  # the overlay and Persons table follow it
        dialog.restore_btn.click()
    assert told.args == [1]
    assert dialog.status.text().startswith(f"Restored set 1: person 1, run {run}") and \
        "What it replaced is kept as set 2." in dialog.status.text()
    assert [dialog.sets.item(i).text()[:6] for i in range(dialog.sets.count())] == ["set 2:", "set 1:"]
    assert dialog.sets.currentRow() == 1  # the set restored, not its undo: a second click changes nothing
    assert np.array_equal(c.playback.current_mask(), first)  # Play followed
    assert all(np.array_equal(m, first) for m in scene_project.results(1, run).values())


def test_a_busy_person_or_a_read_only_project_is_not_restored(qtbot, scene_project, gen):
    from app.segmentation.restore_dialog import RestoreDialog

    run, _first, second = _two_segmentations(scene_project, gen)
    restored = []
    dialog = RestoreDialog(scene_project, 1, lambda pid: f"Person {pid}: this window's segmentation is at work on it",
                           restored.append)
    qtbot.addWidget(dialog)
    dialog.restore_btn.click()
    assert dialog.status.text() == ("Person 1: this window's segmentation is at work on it: restore once it has "
                                    "ended. Nothing was changed.")
    assert restored == [] and np.array_equal(scene_project.results(1, run)[0], second)
    locked = RestoreDialog(scene_project, 1, lambda pid: "", restored.append, read_only=True)
    qtbot.addWidget(locked)
    assert not locked.restore_btn.isEnabled() and "Read-only" in locked.status.text()


def test_the_segment_tab_says_where_the_replaced_masks_are_kept(qtbot):
    from app.segmentation.segment_panel import SegmentPanel
    from humanseg_core.jobs import Progress
    from humanseg_core.osvos.segment import SegmentResult

    def factory(request, cancel):
        out = SegmentResult()
        out.update({f: np.ones((4, 4), bool) for f in range(request["first"], request["last"] + 1)})
        out.kept_set, out.kept_count = 7, 5
        yield Progress(1, 1, "done")
        return out

    panel = SegmentPanel(factory)
    qtbot.addWidget(panel)
    panel.set_person(3, (4, 9), [{"id": 1, "model": "osvos-parent", "params": {}, "metrics": {}, "checkpoint": "a"}])
    with qtbot.waitSignal(panel.results_saved, timeout=5000):
        panel.start_btn.click()
    assert panel.status.text().endswith("the Play tab shows them. The 5 masks they replaced are kept as set 7 "
                                        "(Segmentation ▸ Restore Replaced Masks…)")
    qtbot.waitUntil(lambda: not panel.is_running())


def test_an_older_project_updated_or_held_is_said_as_such(qtbot, tmp_path, monkeypatch):
    """A re-walk: the update read as "1 problem" (damaged rows), and a project an older studio held opened in a second
    window as "read-only: its folder cannot be written to", with advice to copy it."""

    from test_replaced_results import _as_version_1
    from test_review_loop import make_studio

    from humanseg_core.project import lock
    from humanseg_core.project.lock import LockHolder

    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch)
    folder = ctrl.project.folder
    ctrl.close_project()
    _as_version_1(folder)
    real = lock.holder
    monkeypatch.setattr(lock, "holder", lambda f: LockHolder(4242, "elsewhere"))  # an older studio holds it
    monkeypatch.setattr(lock, "acquire", lambda f: LockHolder(4242, "elsewhere"))
    assert ctrl.open_project(folder=folder)
    assert ctrl.read_only and not ctrl.read_only_folder and ctrl.project.read_only
    assert "read-only: open in another window" in window.windowTitle()
    from app.review.lock_follow import take_over

    assert ctrl.lock_follow.isActive() and not take_over(ctrl)
    monkeypatch.setattr(lock, "holder", real)
    monkeypatch.undo()  # the older window closed: this one updates the project and edits it (it stayed read-only)
    from app.worker import running_workers

    qtbot.waitUntil(lambda: not running_workers(project_only=True), timeout=5000)  # (the thumbnails read it)
    assert take_over(ctrl) and not ctrl.read_only and not ctrl.project.read_only
    assert "read-only" not in window.windowTitle() and not ctrl.project.warnings  # not as a problem
    said = window.statusBar().currentMessage()
    assert "editable here now" in said and "updated from schema 1 to 2" in said
    with sqlite3.connect(folder / "project.sqlite") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    ctrl.close_project()
    _as_version_1(folder)
    assert ctrl.open_project(folder=folder)  # held by nobody: updated at once, said in the status bar
    assert not ctrl.read_only and not ctrl.project.warnings
    assert "updated from schema 1 to 2" in window.statusBar().currentMessage()
