"""Play and Project ▸ Export Masks offer the person's runs with results and play / export the one picked.

Play, Quality and Export used the newest run with results only: after a whole-scene run cancelled half-way
(its 1 frame the newest) the earlier, complete run could not be played nor exported.  Since then a run cut
short is not the default while the person has a finished run (ADR 0011); a newer finished run of fewer frames
(Segment on part of the video) is, and the earlier one is picked, or offered by Export Masks.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _runs(project, gen, cancelled=False):
    """Person 1: a complete run (frames 0..4, masks at x 30..50), then a whole-scene run that segmented frame 0
    only (mask at x 80..100), the newest: finished there, or cancelled after it (``cancelled``).  Returns
    (complete, newest, their masks)."""
    older_mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    older_mask[40:80, 30:50] = True
    newer_mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    newer_mask[40:80, 80:100] = True
    older = project.add_run(1, "osvos-lite", params={"steps": 60}, metrics={"steps": 60, "seconds": 14.0})
    project.save_results(1, older, {f: older_mask for f in range(5)})
    ended = {"stopped": "cancelled"} if cancelled else {"segmented_frames": 1}
    newer = project.add_run(1, "osvos-parent", params={"scene_run": True}, metrics={"steps": 30, **ended})
    project.save_results(1, newer, {0: newer_mask})
    return older, newer, older_mask, newer_mask


def _play(opened, scene_project, gen, cancelled=False):
    """Play (the segmentation controller) on person 1 at frame 0 with the runs of :func:`_runs`; returns
    (controller, its Run box, _runs' tuple)."""
    from app.segmentation.install import install_segmentation

    runs = _runs(scene_project, gen, cancelled)
    c = install_segmentation(opened, scene_project)
    opened.select_person(1)
    opened.set_frame(0)
    return c, c.playback.run_box, runs


def test_play_offers_the_runs_and_plays_the_older_one_picked(opened, qtbot, scene_project, gen):
    c, box, (older, newer, older_mask, newer_mask) = _play(opened, scene_project, gen)
    play = c.playback
    assert [box.itemData(i) for i in range(box.count())] == [newer, older] and box.run_id() == newer
    assert "· 1 frame · 30 steps · newest" in box.itemText(0) and "cancelled" not in box.itemText(0)
    assert f"run #{older}" in box.itemText(1) and "5 frames · 60 steps · 14 s" in box.itemText(1)
    assert play.run_box.isVisibleTo(play)
    assert len(play._masks["results"]) == 1 and np.array_equal(play.current_mask(), newer_mask)

    assert box.pick(older)  # as the analyst picks it
    results = play._masks["results"]
    assert len(results) == 5 and play.info.text().startswith("Person 1 · 5 frames with masks")  # names whose
    assert np.array_equal(play.current_mask(), older_mask)  # the frame on screen shows run 'older'
    assert results.decoded <= 2  # the GUI thread decoded the frame shown, not the run
    assert play.playback_frames()[-1] == 4
    assert c.picked_runs() == {1: older}
    qtbot.waitUntil(lambda: not c.scoring(), timeout=5000)
    assert c.quality.summary.text().startswith(f"#{older} osvos-lite")  # Quality scores the run Play shows
    _frames, masks, _indices, _fps = c.export_inputs("results")  # Export MP4 draws the run Play shows
    assert len(masks) == 5
    opened.set_frame(3)
    assert np.array_equal(play.current_mask(), older_mask)
    c.refresh()  # a refresh (another tab's change) keeps the pick
    assert box.run_id() == older and len(play._masks["results"]) == 5

    play.set_source("accepted")
    assert not play.run_box.isVisibleTo(play)  # the Run row belongs to results
    opened.select_person(None)
    assert play.info.text().startswith("No person selected")


def test_the_export_dialog_exports_the_run_picked(qtbot, scene_project, gen, tmp_path):
    from app.review.export_dialog import ExportDialog
    from humanseg_core.records import Proposal

    older, newer, older_mask, _newer_mask = _runs(scene_project, gen)
    scene_project.add_proposals([Proposal(frame=0, pid=1, box=(30, 40, 50, 80), mask=older_mask, source="bgs:test",
                                          status="accepted")])  # the persons listed: those with proposals
    dlg = ExportDialog(scene_project, selected_pid=1)
    qtbot.addWidget(dlg)
    assert dlg.source_box.currentData() == "results"
    assert [dlg.run_box.itemData(i) for i in range(dlg.run_box.count())] == [newer, older]
    assert dlg.person_list.item(0).text() == f"person 1: 5 result frames (run #{older})"  # the fuller, by default
    dlg.fuller_check.setChecked(False)
    assert dlg.person_list.item(0).text() == "person 1: 1 result frame"
    assert dlg.run_box.pick(older)
    assert dlg.person_list.item(0).text() == f"person 1: 5 result frames (run #{older})"
    assert dlg.out_edit.text().endswith(f"pid1_results_davis_run{older}")
    dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))
    dlg.out_edit.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dlg.exported, timeout=10000) as done:
        dlg.start()
    assert done.args[0]["masks"] == 5 and done.args[0]["runs"] == {1: older}
    lines = (tmp_path / "out" / "instances.txt").read_text().splitlines()
    assert sorted({int(line.split()[0]) for line in lines}) == [0, 1, 2, 3, 4]

    newest = ExportDialog(scene_project, selected_pid=1)  # the newest run, 1 frame of 5, when asked for
    qtbot.addWidget(newest)
    assert newest.fuller_check.isChecked() and f"run {older}, 5 frames, not run {newer}'s 1" in \
        newest.fuller_check.text()
    assert newest.chosen_runs() == {1: older}  # by default the fuller earlier run, said before the export
    newest.fuller_check.setChecked(False)
    newest.format_box.setCurrentIndex(newest.format_box.findData("mots"))
    newest.out_edit.setText(str(tmp_path / "newest"))
    with qtbot.waitSignal(newest.exported, timeout=10000):
        newest.start()
    assert (f"Person 1: the newest run with results, run {newer}, has 1 frame and was exported; the older run "
            f"{older} has 5 (pick it in the Run box)") in newest.progress_label.text()

    again = ExportDialog(scene_project, selected_pid=1, runs={1: older})  # as Play's pick starts it
    qtbot.addWidget(again)
    assert again.run_box.run_id() == older and again.chosen_runs() == {1: older}
    assert again.run_box.pick(newer) and again.chosen_runs() == {1: older}  # the newest: the fuller run's box
    again.fuller_check.setChecked(False)
    assert again.chosen_runs() == {}  # the newest itself


def test_export_masks_of_several_persons_takes_the_fuller_runs_before_not_after(qtbot, scene_project, gen,
                                                                                tmp_path):
    """A walk: a cancelled Whole scene left persons 1 and 2 a 15-frame newest run beside their complete ones;
    Export Masks of both (the Run box off: several persons) exported the 15 frames, then said to pick the
    fuller run in the Run box, which it could not. The fuller runs are offered before, for every person."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.records import Proposal

    older, newer, older_mask, _ = _runs(scene_project, gen)
    other = scene_project.add_run(2, "osvos-lite")
    scene_project.save_results(2, other, {f: older_mask for f in range(3)})
    scene_project.add_proposals([Proposal(frame=0, pid=p, box=(30, 40, 50, 80), mask=older_mask, source="bgs:test",
                                          status="accepted") for p in (1, 2)])
    dlg = ExportDialog(scene_project)
    qtbot.addWidget(dlg)
    for i in range(dlg.person_list.count()):
        dlg.person_list.item(i).setSelected(True)
    assert sorted(dlg.pids()) == [1, 2]
    assert dlg.fuller_check.isChecked() and "person 1" in dlg.fuller_check.text()
    assert "person 2" not in dlg.fuller_check.text()  # its one run is whole
    dlg.out_edit.setText(str(tmp_path / "both"))
    with qtbot.waitSignal(dlg.exported, timeout=10000) as done:
        dlg.start()
    assert done.args[0]["runs"][1] == older and not done.args[0].get("partial_runs")
    assert "pick it in the Run box" not in dlg.progress_label.text()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)  # (the signal comes before the job's end)
    dlg.format_box.setCurrentIndex(dlg.format_box.findData("mots"))  # another choice: the last export's words go
    assert dlg.progress_label.text() == "" and not dlg.open_button.isVisible()


def open_two_run_studio(window, scene_dir, tmp_path, gen, accepted: bool = False):
    """The studio with every panel, a project whose person 1 has the two runs of :func:`_runs` (and, with
    ``accepted``, an accepted proposal on frame 0), person 1 selected; returns _runs' tuple."""
    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    install_panels(window)
    folder = tmp_path / "proj"
    with Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                              trajectories=str(scene_dir / "trajectories.txt"),
                                              homography=str(scene_dir / "H.txt"))) as project:
        runs = _runs(project, gen)
        if accepted:
            project.add_proposals([Proposal(frame=0, pid=1, box=(30, 40, 50, 80), mask=runs[2], source="bgs:test",
                                            status="accepted")])
    assert window.review.open_project(str(folder))
    window.select_person(1)
    return runs


def test_export_masks_starts_with_the_run_picked_in_play(window, scene_dir, tmp_path, gen):
    older, _newer, _older_mask, _ = open_two_run_studio(window, scene_dir, tmp_path, gen, accepted=True)
    assert window.windowTitle().startswith("project proj — ")  # a walk: the title named the input files only
    assert window.windowTitle().count(" — ") == 2 and " · " in window.windowTitle()  # (and "—  —": a fresh clone's)
    assert window.segmentation.playback.run_box.pick(older)
    dlg = window.review.export()
    try:
        assert dlg.run_box.run_id() == older and dlg.chosen_runs() == {1: older}
        assert dlg.person_list.item(0).text() == f"person 1: 5 result frames (run #{older})"
    finally:
        dlg.close()


def test_the_export_dialog_shows_the_run_picked_whole(qtbot, scene_project, gen):
    """Project ▸ Export Masks: the Run box reads the picked run's label in full (it was cut after '60 steps · 1'
    at the dialog's width, the Format box's)."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.records import Proposal

    older, newer, older_mask, _ = _runs(scene_project, gen)
    scene_project.add_proposals([Proposal(frame=0, pid=1, box=(30, 40, 50, 80), mask=older_mask, source="bgs:test",
                                          status="accepted")])  # the persons listed: those with proposals
    dlg = ExportDialog(scene_project, selected_pid=1, runs={1: older})
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    box = dlg.run_box
    for run in (older, newer):
        assert box.pick(run)
        qtbot.waitUntil(lambda: box.width() >= box.fontMetrics().horizontalAdvance(box.currentText()) + 20,
                        timeout=2000)


def test_picking_the_newest_again_in_play_is_the_default_again(window, scene_dir, tmp_path, gen):
    """Older, then the newest again in Play's Run box: no pick is left (as in the Export dialog's own Run box);
    Export Masks started with '(run #N)' and a '_run<N>' folder for the default run, the Scene row 'picked'."""
    older, newer, _older_mask, _ = open_two_run_studio(window, scene_dir, tmp_path, gen, accepted=True)
    box = window.segmentation.playback.run_box
    assert box.pick(older) and window.segmentation.picked_runs() == {1: older}
    assert box.pick(newer) and window.segmentation.picked_runs() == {}
    assert box.run_id() == newer
    dlg = window.review.export()
    try:
        dlg.fuller_check.setChecked(False)  # (by default the fuller earlier run of a run cut short)
        assert dlg.chosen_runs() == {}
        assert dlg.person_list.item(0).text() == "person 1: 1 result frame"
        assert not dlg.out_edit.text().endswith(f"_run{newer}")
    finally:
        dlg.close()


def test_quality_of_a_whole_scene_run_says_why_nothing_is_held_out(window, scene_dir, tmp_path, gen, qtbot):
    """A new user opened Quality after a Whole scene run: 'train with a hold-out count above 0' (the Scene
    panel has no hold-out) and 'also show training frames' showed nothing. A scene run trains on every
    proposal: the accepted masks are its training frames (optimistic), and the panel says so."""
    import json
    import sqlite3

    from app.segmentation.quality_panel import SCENE_RUN_NO_HOLDOUT, SCENE_RUN_UNSEEN

    _older, newer, _, newer_mask = open_two_run_studio(window, scene_dir, tmp_path, gen, accepted=True)
    seg = window.segmentation
    assert seg.shown_run(1) == newer
    qtbot.waitUntil(lambda: not seg.scoring(), timeout=10000)
    quality = seg.quality
    # the label was accepted after the run read its labels: the run never saw it, an honest check (a re-walk's 200
    # masks imported after a Whole scene run all read "training, optimistic")
    (score,) = quality._scores
    assert score.frame == 0 and score.heldout and f"{SCENE_RUN_UNSEEN} · 1 held-out frame" in quality.summary.text()
    assert "against 1 label accepted as proposed" in quality.summary.text()  # its own errors count (a review)
    conn = sqlite3.connect(tmp_path / "proj" / "project.sqlite")  # the run read its labels after that one
    conn.execute("UPDATE runs SET params = ? WHERE id = ?", (json.dumps({"scene_run": True, "labels_at": "9999"}),
                                                              newer))
    conn.commit()
    conn.close()
    seg.refresh()
    qtbot.waitUntil(lambda: not seg.scoring() and not quality._scores[0].heldout, timeout=10000)
    assert SCENE_RUN_NO_HOLDOUT.format(accept="all") in quality.summary.text()  # (the run recorded no Accept)
    assert "trains on the labels its Accept (all) took" in quality.summary.text()  # not "the proposals" (a walk)
    (score,) = quality._scores  # frame 0, accepted, scored as a training frame: grey, optimistic
    assert score.frame == 0 and not score.heldout and score.j == 0.0  # the accepted mask is at x 30..50


def test_quality_without_accepted_masks_says_what_to_do(window, scene_dir, tmp_path, gen, qtbot):
    """A walk's person had a Whole scene run and no accepted mask: Quality asked to tick 'also show training
    frames', which showed nothing, and nothing said why."""
    open_two_run_studio(window, scene_dir, tmp_path, gen, accepted=False)
    seg = window.segmentation
    qtbot.waitUntil(lambda: not seg.scoring(), timeout=10000)
    text = seg.quality.summary.text()
    assert "Person 1 has no accepted or edited mask" in text and "accept or fix some" in text


def test_the_fuller_runs_of_a_crowd_are_named_in_short(qtbot, scene_project, gen):
    from app.review.export_dialog import ExportDialog
    from humanseg_core.records import Proposal

    _runs(scene_project, gen)
    mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    mask[10:20, 10:20] = True
    for pid in (2, 3):
        full = scene_project.add_run(pid, "osvos-lite")
        scene_project.save_results(pid, full, {f: mask for f in range(4)})
        cut = scene_project.add_run(pid, "osvos-parent")  # a Segment of one frame
        scene_project.save_results(pid, cut, {0: mask})
    scene_project.add_proposals([Proposal(frame=0, pid=p, box=(10, 10, 20, 20), mask=mask, source="bgs:test",
                                          status="accepted") for p in (1, 2, 3)])
    dlg = ExportDialog(scene_project)
    qtbot.addWidget(dlg)
    for i in range(dlg.person_list.count()):
        dlg.person_list.item(i).setSelected(True)
    assert dlg.fuller_check.text().endswith("; and 1 more person)")
    assert dlg.fuller_check.toolTip().count("instead of run") == 3 and len(dlg.chosen_runs()) == 3


def test_a_run_cut_short_is_offered_not_played(opened, scene_project, gen):
    """A walk: a Whole scene run re-run and cancelled while segmenting became what Play showed (15 frames of
    195), in place of the complete run.  Play keeps the complete run; the cut one is listed, to pick."""
    c, box, (older, newer, older_mask, newer_mask) = _play(opened, scene_project, gen, cancelled=True)
    play = c.playback
    assert [box.itemData(i) for i in range(box.count())] == [older, newer] and box.run_id() == older
    assert box.itemText(0).endswith("5 frames · 60 steps · 14 s · used by default")
    assert "cancelled, 1 frame · 30 steps · newest" in box.itemText(1)
    assert len(play._masks["results"]) == 5 and np.array_equal(play.current_mask(), older_mask)
    assert box.pick(newer) and c.picked_runs() == {1: newer}
    assert len(play._masks["results"]) == 1 and np.array_equal(play.current_mask(), newer_mask)


def test_a_run_picked_in_the_export_dialog_wins_over_the_fuller_run(qtbot, scene_project, gen):
    """Three runs: the first (2 frames), the fuller (5) and the newest (1). With "fuller run" checked, a pick of the
    first run is what is exported, not the fuller one the box would take by itself."""
    from app.review.export_dialog import ExportDialog
    from humanseg_core.records import Proposal

    mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    mask[40:80, 10:25] = True
    first = scene_project.add_run(1, "osvos-lite", params={"steps": 60}, metrics={"steps": 60})
    scene_project.save_results(1, first, {0: mask, 1: mask})
    older, newer, older_mask, _newer_mask = _runs(scene_project, gen)
    scene_project.add_proposals([Proposal(frame=0, pid=1, box=(30, 40, 50, 80), mask=older_mask, source="bgs:test",
                                          status="accepted")])
    dlg = ExportDialog(scene_project, selected_pid=1)
    qtbot.addWidget(dlg)
    assert dlg.fuller_check.isChecked() and dlg.chosen_runs() == {1: older}
    assert dlg.run_box.pick(first)
    assert dlg.chosen_runs() == {1: first}
    assert dlg.person_list.item(0).text() == f"person 1: 2 result frames (run #{first})"
