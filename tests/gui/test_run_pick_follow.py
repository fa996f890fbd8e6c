"""The Whole scene overlay, the Scene table's notes and the Fix tab's ranking follow the run picked in Play's
Run box (they used the newest run with results whatever Play showed), and the Scene table lists persons by id.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_result_runs import _runs, open_two_run_studio  # noqa: E402  (the same two runs of person 1)

from humanseg_core.jobs import Progress


def test_the_scene_table_lists_persons_by_id(qtbot):
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel._progress(Progress(0, 1, "", data={"stage": "start", "pids": [7, 3], "kept": {5: 12}}))
    panel._progress(Progress(0, 1, "", data={"stage": "start", "skipped": {1: "no labels"}}))
    ids = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert ids == ["1", "3", "5", "7"]
    assert panel.state(7) == "waiting" and panel.state(1) == "skipped: no labels"
    assert panel.state(5).startswith("kept: its results (run 12)")
    with qtbot.waitSignal(panel.person_chosen) as chosen:
        panel._row_clicked(1, 0)
    assert chosen.args == [3]


@pytest.fixture
def studio(window, scene_dir, tmp_path, gen):
    """The studio with every panel, a project whose person 1 has two runs, person 1 selected."""
    return window, open_two_run_studio(window, scene_dir, tmp_path, gen)


def test_the_scene_overlay_and_note_follow_plays_pick(studio):
    window, (older, newer, older_mask, _) = studio
    window.set_frame(0)
    scene = window.scene_run
    scene.show_all.setChecked(True)
    (pid, mask), = scene.overlay.masks_at(0)
    assert pid == 1 and not mask[60, 40]  # the newest run by default (its mask is at x 80..100)
    assert scene.state(1).startswith(f"results of run {newer} (Play")

    assert window.segmentation.playback.run_box.pick(older)  # as the analyst picks it
    (pid, mask), = scene.overlay.masks_at(0)
    assert pid == 1 and np.array_equal(mask, older_mask)  # the overlay draws the run Play shows
    assert scene.overlay.runs == {1: older}
    assert scene.state(1).startswith(f"results of run {older} (picked in Play")
    scene.show_all.setChecked(False)
    scene.show_all.setChecked(True)
    assert np.array_equal(scene.overlay.masks_at(0)[0][1], older_mask)  # read again with the pick


def test_fix_ranks_the_run_picked_in_play(studio, qtbot):
    window, (older, newer, _older_mask, _) = studio
    assert window.segmentation.playback.run_box.pick(older)
    fix = window.review.correction
    window.review.panel.set_person(1)
    fix.refresh()  # Rank
    qtbot.waitUntil(lambda: not fix.busy(), timeout=10000)
    assert fix.list.count() == 5  # the picked run's 5 frames are ranked, not the newest run's 1
    assert f"Person 1, run {older} (not the newest, run {newer}" in fix.status.text()
    assert fix._results.decoded <= 2


def test_a_cancel_note_names_the_run_play_uses(scene_project, gen):
    from app.scene_summary import partial_states

    now_used = "now the newest, which Play shows"

    older, newer, _, _ = _runs(scene_project, gen, cancelled=True)
    before = {1: older}  # the scene run (newer) was cancelled after one frame
    scene_project.update_run(newer, metrics={"stopped": "cancelled"})  # as the scene run job marks it
    assert f"Play and Export keep run {older}'s 5 frames" in partial_states(scene_project, before, [1])[1]
    assert now_used in partial_states(scene_project, before, [1], {1: newer})[1]  # picked: Play shows it
    text = partial_states(scene_project, before, [1], {1: older})[1]
    assert now_used not in text
    assert f"(run {newer}); Play and Export use run {older}, picked in Play's Run box" in text


def test_a_retrain_from_the_fix_tab_shows_in_plays_run_box(studio):
    """A new-user walk: after Fix ▸ Retrain from here stored run 2, Play's Run box still offered run #1 only
    (and MP4 and Export Masks follow Play) until another person was selected and 76 again."""
    from types import SimpleNamespace

    window, (older, newer, older_mask, _) = studio
    project = window.review.project
    box = window.segmentation.playback.run_box
    assert [box.itemData(i) for i in range(box.count())] == [newer, older]
    assert window.scene_run.state(1).startswith(f"results of run {newer} (Play")
    fixed = project.add_run(1, "osvos-parent", {"steps": 5}, None, {"steps": 5})
    project.save_results(1, fixed, {0: older_mask, 1: older_mask})
    window.review.correction.retrained.emit(SimpleNamespace(run=SimpleNamespace(run_id=fixed), span=(0, 1),
                                                            previous_run=newer, pid=1))
    assert [box.itemData(i) for i in range(box.count())] == [fixed, newer, older] and box.run_id() == fixed
    # the Scene table names it too (a walk read "results of run 8" there while Play and Export used run 12)
    assert window.scene_run.state(1).startswith(f"results of run {fixed} (Play")


def test_plays_person_shown_from_its_labels_is_left_out_of_every_persons_results(studio, qtbot):
    """A walk: Play on Accepted masks said "no mask on this frame" while the Whole scene overlay drew that person's
    result over it. While Play is in front on labels or proposals, its person's masks on the video are Play's."""
    from PySide6.QtWidgets import QDockWidget

    from app.scene_overlay import LAYER

    window, _runs_made = studio
    window.set_frame(0)
    scene = window.scene_run
    scene.show_all.setChecked(True)
    view, overlay = window.frame_view, scene.overlay

    def drawn(expected: bool) -> None:
        qtbot.waitUntil(lambda: overlay.wait_idle() and (LAYER in view.mask_overlay_names()) == expected,
                        timeout=5000)
        qtbot.wait(50)  # and stays so
        assert overlay.wait_idle() and (LAYER in view.mask_overlay_names()) == expected

    drawn(True)  # person 1's result, Play not in front
    play = window.segmentation.playback
    dock = next(d for d in window.findChildren(QDockWidget) if d.widget() is play)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: play._on_screen, timeout=2000)
    drawn(True)  # Play on results: drawn
    play.set_source("accepted")
    drawn(False)  # on its labels: person 1 (the only one with results) left out
    play.set_source("results")
    drawn(True)
