"""Issue 7: the GUI thread never decodes masks in bulk. The filmstrip's thumbnails, the Quality panel's
scores and playback's side-by-side frames are built by jobs on worker threads; after a decision only the
changed filmstrip item is repainted. Counted by wrapping the one mask decoder (``rle.from_blob``)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import Qt

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

N = 20  # proposals of person 1, one per frame of the generated scene (it has 40)
MAIN_BOUND = 6  # decodes the GUI thread may do for what is on screen (the proposal, the frame's overlay)


def _project(scene_dir, folder) -> Project:
    project = Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                                   trajectories=str(scene_dir / "trajectories.txt"),
                                                   homography=str(scene_dir / "H.txt")))
    masks = {}
    for f in range(N):
        m = np.zeros((240, 320), bool)
        m[60 + f % 5:110, 30 + f:50 + f] = True
        masks[f] = m
    project.add_proposals([Proposal(frame=f, pid=1, box=(30 + f, 60, 50 + f, 110), mask=m, source="bgs:test",
                                    status="accepted" if f % 2 else "pending") for f, m in masks.items()])
    run = project.add_run(1, "osvos-lite", {"holdout_frames": list(range(0, N, 4)),
                                            "train_frames": [f for f in range(N) if f % 4]}, None, {})
    project.save_results(1, run, masks)
    project.close()
    return folder


def test_the_gui_thread_decodes_only_what_is_on_screen(window, qtbot, scene_dir, tmp_path, decodes):
    from app.panels import install_panels

    install_panels(window)
    folder = _project(scene_dir, tmp_path / "proj")
    seg, review = window.segmentation, window.review
    seg.playback.sbs.setChecked(True)  # side by side on: rendered by a job too
    assert review.open_project(str(folder))
    window.select_person(1)
    strip = review.panel.filmstrip
    shown = strip.count()
    assert shown >= N // 2
    assert strip.render_all(timeout_s=20)  # every thumbnail arrived from the job
    assert strip.renders == shown
    qtbot.waitUntil(lambda: not seg.scoring() and not seg.playback.sbs_pending(), timeout=20000)
    assert len(seg.quality.scores()) == N // 2  # the accepted frames scored (off the GUI thread)
    assert decodes["worker"] >= shown + N  # thumbnails and scores were decoded on workers...
    assert decodes["main"] <= MAIN_BOUND, decodes  # ...and not on the GUI thread

    # a decision: no thumbnail is rendered again (the item's colour changes), nothing is decoded in bulk
    decodes.clear()
    renders = strip.renders
    review.panel.setFocus()
    qtbot.keyClick(review.panel, Qt.Key.Key_A)
    assert review.project.counts(1)["accepted"] == N // 2 + 1
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not seg.scoring(), timeout=20000)
    assert strip.thumbnails_pending() == 0 and strip.renders == renders
    assert decodes["main"] <= MAIN_BOUND, decodes


def test_an_edited_mask_renders_only_its_thumbnail_again(qtbot, scene_dir, tmp_path, decodes):
    from app.review.review_panel import ReviewPanel
    from humanseg_core.inputs.scene import load_scene

    project = Project.open(_project(scene_dir, tmp_path / "proj"))
    scene = load_scene(scene_dir / "frames", scene_dir / "trajectories.txt", scene_dir / "H.txt")
    panel = ReviewPanel(project, scene)
    qtbot.addWidget(panel)
    strip = panel.filmstrip
    shown = strip.count()
    assert strip.render_all(timeout_s=20) and strip.renders == shown
    first = strip.item(0).icon().pixmap(strip.iconSize()).toImage()
    pid = panel.current_id
    edited = np.zeros((240, 320), bool)
    edited[0:200, 0:200] = True
    panel._commit_mask(pid, edited)  # the editor's save: one undoable command
    assert strip.thumbnails_pending() == 1
    assert strip.render_all(timeout_s=20) and strip.renders == shown + 1  # that one only
    assert strip.item(0).icon().pixmap(strip.iconSize()).toImage() != first
    project.close()
