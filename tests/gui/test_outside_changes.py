"""A humanseg command writing to the project a studio window has open: every panel shows it (app.outside_changes)."""

from __future__ import annotations

import numpy as np

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def _mask() -> np.ndarray:
    m = np.zeros((120, 160), bool)
    m[40:100, 30:50] = True
    return m


def _project(tmp_path, scene_dir) -> Project:
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                            trajectories=str(scene_dir / "trajectories.txt"),
                                                            homography=str(scene_dir / "H.txt")))
    proj.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=_mask(), source="bgs:test")
                        for f in (0, 10, 20)])
    return proj


def _opened(window, tmp_path, scene_dir, monkeypatch):
    from app import outside_changes
    from app.panels import install_panels

    monkeypatch.setattr(outside_changes, "POLL_MS", 3_600_000)  # the test polls by hand
    install_panels(window)
    _project(tmp_path, scene_dir).close()
    assert window.review.open_project(str(tmp_path / "proj"))
    window.select_person(1, jump=False)
    watch = window.outside_changes
    watch.timer.stop()
    assert not watch.poll()  # the project as opened: nothing to read again
    return watch


def test_decisions_and_results_a_command_writes_are_shown_where_the_analyst_is(window, scene_dir, tmp_path,
                                                                              qtbot, monkeypatch):
    watch = _opened(window, tmp_path, scene_dir, monkeypatch)
    panel, seg = window.review.panel, window.segmentation
    by_frame = {p.frame: p.id for p in panel._props}
    panel._show(by_frame[20])  # the analyst looks at frame 20's proposal
    assert not watch.poll()  # nothing changed
    other = Project.open(tmp_path / "proj")  # `humanseg decide` / `humanseg run` in another process
    other.set_status(by_frame[0], "rejected")
    run = other.add_run(1, "osvos-lite", checkpoint="a.pt")
    other.save_results(1, run, {f: _mask() for f in range(5)})
    other.close()
    assert {p.frame: p.status for p in panel._props}[0] == "pending"  # what the panel read at first
    qtbot.waitUntil(watch.poll, timeout=10000)  # once the window's own jobs (thumbnails, scores) have ended
    assert {p.frame: p.status for p in panel._props}[0] == "rejected"
    assert panel.current_id == by_frame[20]  # still on the proposal it showed, not the first pending one
    assert len(seg.playback._masks["results"]) == 5  # the run's results in Play
    assert "changed by another program" in window.statusBar().currentMessage()
    assert not watch.poll()  # read once


def test_an_open_edit_and_the_windows_own_jobs_put_the_reading_off(window, scene_dir, tmp_path, qtbot,
                                                                  monkeypatch):
    from app import outside_changes

    watch = _opened(window, tmp_path, scene_dir, monkeypatch)
    panel = window.review.panel
    jobs: list = ["a job"]
    monkeypatch.setattr(outside_changes, "running_workers", lambda project_only=False: list(jobs))
    first = min(panel._props, key=lambda p: p.frame)
    panel._show(first.id)
    panel.toggle_edit()
    assert panel.editing
    other = Project.open(tmp_path / "proj")
    other.set_status(first.id, "accepted")
    assert not watch.poll()  # a job of this window's writes too: its end reads what it wrote
    jobs.clear()
    assert watch.poll()
    assert panel.editing  # the strokes are kept; the panel reads the project once the edit is left
    assert panel._reread
    assert {p.id: p.status for p in panel._props}[first.id] == "pending"
    panel._leave_edit(ask=False)
    qtbot.waitUntil(lambda: {p.id: p.status for p in panel._props}[first.id] == "accepted", timeout=3000)
    other.set_status(first.id, "rejected")
    other.close()
    window.review.close_project()
    assert not watch.poll()  # no project: nothing to read


def test_inputs_a_command_relocated_are_followed_or_named(window, scene_dir, tmp_path, qtbot, monkeypatch):
    import dataclasses
    import shutil

    watch = _opened(window, tmp_path, scene_dir, monkeypatch)
    assert window.inputs.h_order == "uv"
    other = Project.open(tmp_path / "proj")  # `humanseg relocate --h-order rowcol`
    other.use_reading(dataclasses.replace(other.inputs, h_order="rowcol"))
    qtbot.waitUntil(watch.poll, timeout=10000)
    qtbot.waitUntil(lambda: window.inputs.h_order == "rowcol", timeout=5000)  # the same files, read the new way
    assert window.review.project is not None and window.review.project.inputs.h_order == "rowcol"
    assert not watch.poll()
    moved = tmp_path / "moved.txt"  # `humanseg relocate --trajectories elsewhere`
    shutil.copy(scene_dir / "trajectories.txt", moved)
    other.relocate_inputs(trajectories=str(moved))
    other.close()
    qtbot.waitUntil(watch.poll, timeout=10000)  # once the window's jobs (the scene read again) have ended
    assert "inputs were moved (trajectories)" in window.statusBar().currentMessage()
    assert window.review.project.inputs.trajectories == str(moved.resolve())
    assert window.inputs.trajectories == str(scene_dir / "trajectories.txt")  # the files open stay open
