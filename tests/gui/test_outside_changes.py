"""A humanseg command writing to the project a studio window has open: every panel shows it (app.outside_changes)."""

from __future__ import annotations

import types

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


def _opened(window, tmp_path, scene_dir, monkeypatch, qtbot):
    from app import outside_changes
    from app.panels import install_panels

    monkeypatch.setattr(outside_changes, "POLL_MS", 3_600_000)  # the test polls by hand
    install_panels(window)
    _project(tmp_path, scene_dir).close()
    assert window.review.open_project(str(tmp_path / "proj"))
    window.select_person(1, jump=False)
    watch = window.outside_changes
    watch.timer.stop()
    _settled(watch, qtbot)
    return watch


def _settled(watch, qtbot) -> None:
    """The window's own jobs (thumbnails, scores) ended and taken as theirs: a change seen next is another's."""
    from app.worker import project_jobs_live

    qtbot.waitUntil(lambda: not project_jobs_live(), timeout=10000)
    assert not watch.poll()


def test_decisions_and_results_a_command_writes_are_shown_where_the_analyst_is(window, scene_dir, tmp_path,
                                                                              qtbot, monkeypatch):
    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel, seg = window.review.panel, window.segmentation
    by_frame = {p.frame: p.id for p in panel._props}
    panel._show(by_frame[20])  # the analyst looks at frame 20's proposal, the video at frame 15
    window.set_frame(15)
    window.scene_run.show_all.setChecked(True)  # every person's results over the video
    followed: list[bool] = []
    monkeypatch.setattr(window.review, "follow_project_inputs", lambda: followed.append(True))
    _settled(watch, qtbot)
    other = Project.open(tmp_path / "proj")  # `humanseg decide` / `humanseg run` in another process
    other.set_status(by_frame[0], "rejected")
    run = other.add_run(1, "osvos-lite", checkpoint="a.pt")
    other.save_results(1, run, {f: _mask() for f in range(5)})
    other.close()
    assert {p.frame: p.status for p in panel._props}[0] == "pending"  # what the panel read at first
    assert watch.poll()
    assert {p.frame: p.status for p in panel._props}[0] == "rejected"
    assert panel.current_id == by_frame[20]  # still on the proposal it showed, not the first pending one
    assert window.current_frame == 15 and window.selected_pid == 1  # the window stays where it was (a review)
    assert len(seg.playback._masks["results"]) == 5  # the run's results in Play
    assert "changed by another program" in window.statusBar().currentMessage()
    assert window.scene_run.overlay.pids == [1] and "(1 person)" in window.scene_run.show_all.text()
    assert window.review.panel.person_box.currentData() == 1
    assert not followed  # the inputs did not change: not opened again
    assert not watch.poll()  # read once


def test_a_shown_proposal_decided_away_gives_way_to_the_next_pending_one(window, scene_dir, tmp_path, qtbot,
                                                                        monkeypatch):
    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel = window.review.panel
    panel.counts.set_shown({"pending"})
    by_frame = {p.frame: p.id for p in panel._props}
    panel._show(by_frame[10])
    _settled(watch, qtbot)
    with Project.open(tmp_path / "proj") as other:
        other.set_status(by_frame[10], "rejected")
    assert watch.poll()
    assert panel.current_id == by_frame[20]  # the next pending one from its frame
    with Project.open(tmp_path / "proj") as other:
        other.set_status(by_frame[20], "rejected")
    assert watch.poll()
    assert panel.current_id == by_frame[0]  # none after it: the one before


def test_a_shown_proposal_proposed_again_keeps_its_frame(window, scene_dir, tmp_path, qtbot, monkeypatch):
    """A walk looked at person 86's proposal of frame 5480 while a Whole scene run proposed it again (the old one
    dropped, a new one made): when the run ended, Review and the video went back to the person's first frame."""
    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel = window.review.panel
    by_frame = {p.frame: p.id for p in panel._props}
    panel._show(by_frame[10])
    _settled(watch, qtbot)
    with Project.open(tmp_path / "proj") as other:  # the run's proposals, of another method
        other.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=_mask(), source="bgs+parent")
                             for f in (0, 10, 20)])
        made = {p.frame: p.id for p in other.proposals(1, with_masks=False) if p.source == "bgs+parent"}
        other.drop_stale_pending(1, list(made.values()), ["bgs:test"])
    assert watch.poll()
    assert panel.current_id == made[10] and window.current_frame == 10


def test_the_windows_own_proposals_keep_review_where_it_was(window, scene_dir, tmp_path, qtbot, monkeypatch):
    """A review: Generate Proposals' end and a Whole scene run's (its proposals made again, as many) sent Review to
    the person's first frame, or left it on a proposal no longer stored."""
    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel, review = window.review.panel, window.review
    by_frame = {p.frame: p.id for p in panel._props}
    panel._show(by_frame[10])
    _settled(watch, qtbot)
    project = review.project
    project.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=_mask(), source="bgs+parent")
                           for f in (0, 10, 20)])
    made = {p.frame: p.id for p in project.proposals(1, with_masks=False) if p.source == "bgs+parent"}
    project.drop_stale_pending(1, list(made.values()), ["bgs:test"])
    review.proposals_added()  # as many as before: read again all the same
    assert panel.current_id == made[10]
    review._generated(3, 0)  # Generate Proposals' end
    assert panel.current_record().frame == 10


def test_a_change_seen_while_the_windows_own_job_writes_is_the_jobs(window, scene_dir, tmp_path, qtbot,
                                                                   monkeypatch):
    import threading

    from app.worker import JobWorker
    from humanseg_core.jobs import Progress

    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    project, gate = window.review.project, threading.Event()
    window.scene_run.show_all.setChecked(True)  # every person's results over the video

    def job(cancel):
        yield Progress(0, 1, "writing")
        run = project.add_run(2, "osvos-lite", checkpoint="b.pt")
        project.save_results(2, run, {0: _mask()})
        gate.wait(10)  # still running when the window looks
        return run

    worker = JobWorker(job, name="Segmentation", parent=window)
    worker.start()
    qtbot.waitUntil(lambda: project.data_version() != watch._seen, timeout=10000)
    assert not watch.poll()  # mid-run: the job's
    scene = window.scene_run
    scene._worker = types.SimpleNamespace(running=True)  # and the Whole scene table, held by a run, stays
    rows = scene.table.rowCount()
    scene.reread()
    assert scene.table.rowCount() == rows
    scene._worker = None
    first = min(window.review.panel._props, key=lambda p: p.frame)
    with Project.open(tmp_path / "proj") as other:  # `humanseg decide` and `humanseg run` while the job runs
        other.set_status(first.id, "rejected")
        run = other.add_run(1, "osvos-lite", checkpoint="a.pt")
        other.save_results(1, run, {f: _mask() for f in range(5)})
    assert not watch.poll()
    closing = "2 persons segmented … · lowest agreement with their labels: person 1 0.41 (look at these first)"
    scene.status.setText(closing)  # as a Whole scene run of this window ended, one person failing
    scene.result = types.SimpleNamespace(failed={3: "out of memory"}, skipped={})
    with qtbot.waitSignal(worker.done, timeout=10000):
        gate.set()
    assert not watch.poll()
    assert "another program" not in window.statusBar().currentMessage()
    # its closing line and failed person stay (a walk's summary was replaced by "ready" 1.5 s after each run)
    assert scene.status.text() == closing and scene.state(3) == "failed: out of memory"
    with Project.open(tmp_path / "proj") as other:  # segmented since (another tab): its results, not "failed"
        run3 = other.add_run(3, "osvos-lite", checkpoint="c.pt")
        other.save_results(3, run3, {0: _mask()})
    scene.reread(quiet=True)
    assert scene.state(3).startswith(f"results of run {run3}") and scene.status.text() == closing
    scene.reread()  # a command's write seen later (a walk's `humanseg export`): the run's summary stays too
    assert scene.status.text() == closing
    assert {p.id: p.status for p in window.review.panel._props}[first.id] == "rejected"  # read quietly: Review,
    assert len(window.segmentation.playback._masks["results"]) == 5  # the selected person's Play (a walk: missed
    assert 1 in window.scene_run.overlay.runs  # and the Whole scene overlay, until a next change)
    scene.set_project(None)  # another project (or none): the last one's run says nothing there (a review)
    assert scene.result is None


def test_an_open_edit_and_the_windows_own_jobs_put_the_reading_off(window, scene_dir, tmp_path, qtbot,
                                                                  monkeypatch):
    from app.worker import JobWorker
    from humanseg_core.jobs import Progress

    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel, project = window.review.panel, window.review.project

    def job(cancel):  # the window's own job, writing through its thread's connection (as Segment does)
        yield Progress(0, 1, "writing")
        run = project.add_run(2, "osvos-lite", checkpoint="b.pt")
        project.save_results(2, run, {0: _mask()})
        return run

    worker = JobWorker(job, name="Segmentation", parent=window)
    with qtbot.waitSignal(worker.done, timeout=10000):
        worker.start()
    assert not watch.poll()  # its own: not said as another program's, nor read twice (a review)
    assert "another program" not in window.statusBar().currentMessage()
    reader = JobWorker(lambda cancel: (yield from ()) or project.counts(), name="Quality scores", parent=window,
                       writes=False)  # a job that only reads (the re-read starts scores and thumbnails)
    with qtbot.waitSignal(reader.done, timeout=10000):
        reader.start()
    with Project.open(tmp_path / "proj") as other:  # a command's last write, after that job: not taken as its
        run = other.add_run(3, "osvos-lite", checkpoint="c.pt")  # (a walk's `humanseg run` stayed half-shown)
        other.save_results(3, run, {0: _mask()})
    assert watch.poll()
    scene = window.scene_run
    assert scene.state(3) is not None and scene.state(2) is not None  # the Whole scene table lists both
    first = min(panel._props, key=lambda p: p.frame)
    panel._show(first.id)
    panel.toggle_edit()
    assert panel.editing
    other = Project.open(tmp_path / "proj")
    other.set_status(first.id, "accepted")
    assert watch.poll()
    assert panel.editing  # the strokes are kept; the panel reads the project once the edit is left
    assert {p.id: p.status for p in panel._props}[first.id] == "pending"
    panel._leave_edit(ask=False)
    qtbot.waitUntil(lambda: {p.id: p.status for p in panel._props}[first.id] == "accepted", timeout=3000)
    assert panel.current_id == first.id  # on the proposal it showed (pending and accepted shown)
    other.set_status(first.id, "rejected")
    other.close()
    window.review.close_project()
    assert not watch.poll()  # no project: nothing to read


def test_inputs_inside_the_project_folder_are_not_taken_as_moved(window, scene_dir, tmp_path, qtbot, monkeypatch):
    """The project stores inputs inside its folder relative to it: read back they are the same files."""
    import shutil

    from app.panels import install_panels

    monkeypatch.setattr(__import__("app.outside_changes", fromlist=["x"]), "POLL_MS", 3_600_000)
    install_panels(window)
    folder = tmp_path / "proj"
    made = _project(tmp_path, scene_dir)
    shutil.copy(scene_dir / "trajectories.txt", folder / "trajectories.txt")
    made.relocate_inputs(trajectories=str(folder / "trajectories.txt"))  # stored relative to the folder
    made.close()
    assert window.review.open_project(str(folder))
    watch = window.outside_changes
    watch.timer.stop()
    _settled(watch, qtbot)
    with Project.open(folder) as other:
        other.set_status(other.proposals(1, with_masks=False)[0].id, "rejected")
    assert watch.poll()
    assert "moved" not in window.statusBar().currentMessage()


def test_another_windows_last_person_does_not_move_this_one(window, scene_dir, tmp_path, qtbot, monkeypatch):
    """A window open read-only (another holds the lock) followed the other window's person: the re-read took the
    project's last person, which that window writes."""
    from app.review.review_panel import LAST_PERSON

    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel = window.review.panel
    with Project.open(tmp_path / "proj") as other:
        other.add_proposals([Proposal(frame=0, pid=2, box=(30, 40, 50, 100), mask=_mask(), source="bgs:test")])
        other.set_setting(LAST_PERSON, 2)
    assert watch.poll()
    assert panel.pid == 1 and window.selected_pid == 1
    assert panel.person_box.count() == 2  # the new person is listed


def test_inputs_a_command_relocated_are_followed_or_named(window, scene_dir, tmp_path, qtbot, monkeypatch):
    import dataclasses
    import shutil

    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    assert window.inputs.h_order == "uv"
    other = Project.open(tmp_path / "proj")  # `humanseg relocate --h-order rowcol`
    other.use_reading(dataclasses.replace(other.inputs, h_order="rowcol"))
    assert watch.poll()
    qtbot.waitUntil(lambda: window.inputs.h_order == "rowcol", timeout=5000)  # the same files, read the new way
    assert window.review.project is not None and window.review.project.inputs.h_order == "rowcol"
    _settled(watch, qtbot)  # the scene read again: the window's own jobs
    moved = tmp_path / "moved.txt"  # `humanseg relocate --trajectories elsewhere`
    shutil.copy(scene_dir / "trajectories.txt", moved)
    other.relocate_inputs(trajectories=str(moved))
    other.close()
    assert watch.poll()
    assert "inputs were moved (trajectories)" in window.statusBar().currentMessage()
    assert window.review.project.inputs.trajectories == str(scene_dir / "trajectories.txt")  # until opened again
    assert window.inputs.trajectories == str(scene_dir / "trajectories.txt")  # the files open stay open


def test_a_frame_decided_elsewhere_stays_said_when_the_change_is_read(window, scene_dir, tmp_path, qtbot,
                                                                       monkeypatch):
    """A re-walk: the notice that the frame was rejected elsewhere meanwhile gave way within 3 s to "changed by
    another program", which says less."""
    watch = _opened(window, tmp_path, scene_dir, monkeypatch, qtbot)
    panel = window.review.panel
    shown = panel.current_id
    other = Project.open(tmp_path / "proj")
    other.set_status(shown, "rejected")
    other.close()
    panel.accept()
    qtbot.waitUntil(lambda: "elsewhere meanwhile" in window.statusBar().currentMessage(), timeout=2000)
    watch.poll()
    assert "elsewhere meanwhile" in window.statusBar().currentMessage()
