"""The Persons table shows each person's work in the open project: proposals to review, labels, result
frames (a crowd analyst could not see whom to review or segment next among 40 persons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def _mask():
    m = np.zeros((240, 320), bool)
    m[40:100, 30:50] = True
    return m


def test_the_persons_table_counts_pending_labels_and_results(window, scene_dir, tmp_path, qtbot):
    from app.panels import install_panels
    from app.person_panel import COLUMNS

    install_panels(window)
    model = window.person_panel.model
    assert model.status_of(1) is None  # no project: the columns are blank
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                            trajectories=str(scene_dir / "trajectories.txt"),
                                                            homography=str(scene_dir / "H.txt")))
    proj.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=_mask(), source="bgs:test",
                                 status=s) for f, s in ((0, "pending"), (10, "pending"), (20, "accepted"))])
    run = proj.add_run(2, "osvos-lite", checkpoint="a.pt")
    proj.save_results(2, run, {f: _mask() for f in range(5)})
    proj.add_run(1, "osvos-lite", checkpoint="b.pt")  # trained, not segmented: counted (a walk could not tell)
    proj.close()
    assert window.review.open_project(str(tmp_path / "proj"))
    qtbot.waitUntil(lambda: model.status_of(1) == (2, 1, 1, 0, None), timeout=3000)
    assert model.status_of(2) == (0, 0, 1, 5, None)
    # the whole project's proposals by status above the table (a walk counted rejections person by person)
    summary = window.person_panel.summary.text()
    assert summary.endswith("· proposals: 1 accepted, 0 edited, 0 rejected, 2 pending"), summary
    assert model.data(model.index(model.row_of(1), COLUMNS.index("Trained"))) == "1"
    row = model.row_of(2)
    assert model.data(model.index(row, COLUMNS.index("Results"))) == "5"
    assert model.data(model.index(model.row_of(1), COLUMNS.index("Pending"))) == "2"
    assert model.data(model.index(row, COLUMNS.index("Pending"))) == "0"  # results, no proposal left to review
    never = model.index(model.row_of(3), COLUMNS.index("Pending"))  # nothing proposed: not "0", all reviewed
    assert model.data(never) == "—" and "No proposals" in model.data(never, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of(3), COLUMNS.index("Labels"))) == "0"

    panel = window.review.panel  # a decision: the counts follow
    panel.set_person(1)
    pending = [p for p in window.review.project.proposals(1, with_masks=False) if p.status == "pending"]
    window.review.project.set_status(pending[0].id, "accepted")
    panel.status_changed.emit(pending[0].id, "accepted")
    qtbot.waitUntil(lambda: model.status_of(1) == (1, 2, 1, 0, None), timeout=3000)
    window.review.project.set_status(pending[1].id, "rejected")
    panel.status_changed.emit(pending[1].id, "rejected")
    qtbot.waitUntil(lambda: "2 accepted, 0 edited, 1 rejected, 0 pending" in window.person_panel.summary.text(),
                    timeout=3000)

    window.review.close_project()
    qtbot.waitUntil(lambda: model.status_of(1) is None, timeout=3000)
    assert "proposals:" not in window.person_panel.summary.text()


def test_the_agree_column_shows_the_runs_agreement_lowest_first(window, scene_dir, tmp_path, qtbot):
    """A walk could not tell which of 13 persons to look at first: the run's agreement with the labels (no
    ground truth) is a column; sorted ascending, the lowest come first and persons without results last."""
    from PySide6.QtCore import Qt

    from app.panels import install_panels
    from app.person_panel import COLUMNS

    install_panels(window)
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                            trajectories=str(scene_dir / "trajectories.txt"),
                                                            homography=str(scene_dir / "H.txt")))
    for pid, agreed, measured in ((1, 0.91, 1), (2, 0.41, 3)):
        run = proj.add_run(pid, "osvos-lite", checkpoint=f"{pid}.pt")
        proj.save_results(pid, run, {0: _mask()})
        proj.update_run(run, metrics={"agreement": agreed, "agreement_frames": measured})
    proj.close()
    assert window.review.open_project(str(tmp_path / "proj"))
    model = window.person_panel.model
    qtbot.waitUntil(lambda: model.status_of(2) == (0, 0, 1, 1, 0.41), timeout=3000)
    col = COLUMNS.index("Agree")
    assert model.data(model.index(model.row_of(2), col)) == "0.41"
    assert model.data(model.index(model.row_of(2), col), Qt.ItemDataRole.ForegroundRole) is not None  # low: orange
    # measured on one label frame: greyed, and the tooltip says why (a walk's one-label person agreed 0.82, J 0.31)
    assert model.data(model.index(model.row_of(1), col)) == "0.91"
    assert model.data(model.index(model.row_of(1), col), Qt.ItemDataRole.ForegroundRole).name() == "#8c8c8c"
    assert "1 label frame only" in model.data(model.index(model.row_of(1), col), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of(2), col), Qt.ItemDataRole.ToolTipRole) is None
    table = window.person_panel.table
    table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    proxy = window.person_panel.proxy
    order = [model.pid_at(proxy.mapToSource(proxy.index(r, 0)).row()) for r in range(proxy.rowCount())]
    assert order[:2] == [2, 1] and len(order) > 2  # the others (no results) after them
    assert model.data(model.index(model.row_of(order[-1]), col)) == ""


def test_the_labels_a_whole_scene_run_took_unreviewed_are_shown_beside_the_accepted_ones(window, scene_dir,
                                                                                          tmp_path, qtbot):
    """A walk read "Labels 0" for every person after `humanseg run` (Accept score>=0.7 trained them on 1-20
    pending proposals each): the column says what the run in use trained on."""

    from app.panels import install_panels

    install_panels(window)
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                            trajectories=str(scene_dir / "trajectories.txt"),
                                                            homography=str(scene_dir / "H.txt")))
    proj.add_proposals([Proposal(frame=f, pid=1, box=(30, 40, 50, 100), mask=_mask(), source="bgs:test")
                        for f in (0, 10)])
    for pid, params in ((1, {"scene_run": True, "accept": "score>=0.7", "labels": 2}), (2, {"labels": 0}),
                        (3, {"scene_run": True, "accept": "reviewed", "labels": 2})):  # 3: labels rejected since
        run = proj.add_run(pid, "osvos-lite", params, checkpoint=f"{pid}.pt")
        proj.save_results(pid, run, {0: _mask()})
    labels = _labels_column(window, proj, qtbot, (2, 0, 1, 1, None))
    assert labels(1)[0] == "0 (2)"
    assert "trained on 2 labels (Accept score>=0.7" in labels(1)[1]
    assert labels(2)[0] == "0"  # trained on what it has
    assert labels(3)[0] == "0"  # reviewed: no pending taken


def _labels_column(window, proj, qtbot, first):
    """pid -> (Labels cell's text, its tip) once the window shows the closed ``proj``, person 1's status ``first``."""
    from PySide6.QtCore import Qt

    from app.person_panel import COLUMNS

    folder = proj.folder
    proj.close()
    assert window.review.open_project(str(folder))
    model = window.person_panel.model
    qtbot.waitUntil(lambda: model.status_of(1) == first, timeout=3000)

    def labels(pid):
        cell = model.index(model.row_of(pid), COLUMNS.index("Labels"))
        return model.data(cell), model.data(cell, Qt.ItemDataRole.ToolTipRole)

    return labels


def test_a_person_chosen_elsewhere_is_brought_to_the_middle_of_the_table(qtbot):
    """A crowd walk chose a person near the top after scrolling down: the table put it on the top edge, hid the
    row above and the walk's next click took the wrong person. Out of sight it goes to the middle; in sight the
    table does not move."""
    from app.person_panel import PersonPanel

    panel = PersonPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_scene(_scene(range(200, 241)))
    bar = panel.table.verticalScrollBar()
    panel.select_pid(240)  # the last: scrolled down
    assert bar.value() > 0
    panel.select_pid(201)  # the second: brought back, row 200 above it still in sight
    assert panel.table.rowAt(0) == 0
    shown = bar.value()
    panel.select_pid(202)  # in sight: nothing moves
    assert bar.value() == shown


def test_labels_changed_since_the_run_in_use_read_them_are_marked(window, scene_dir, tmp_path, qtbot):
    """A walk imported hand masks after an export: nothing in the studio said the network had not seen them
    (ADR 0044)."""

    from app.panels import install_panels

    install_panels(window)
    proj = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                            trajectories=str(scene_dir / "trajectories.txt"),
                                                            homography=str(scene_dir / "H.txt")))
    proj.add_proposals([Proposal(frame=f, pid=pid, box=(30, 40, 50, 100), mask=_mask(), source="bgs:test",
                                 status="accepted") for f in (0, 10) for pid in (1, 2)])
    for pid in (1, 2):
        proj.save_results(pid, proj.add_run(pid, "osvos-lite", {}, checkpoint=f"{pid}.pt"), {0: _mask()})
    proj.set_mask(proj.proposals(1)[1].id, _mask()[::-1].copy())  # person 1 fixed after its run
    labels = _labels_column(window, proj, qtbot, (0, 2, 1, 1, None))
    assert labels(1)[0] == "2 *"
    assert "* 1 label frame changed since the run in use read them" in labels(1)[1]
    assert labels(2)[0] == "2"


def _table_on_a_project(window, scene_dir, tmp_path, qtbot):
    """(the Persons table's model, the project folder) of a window with its panels on a new project."""
    from app.panels import install_panels

    install_panels(window)
    folder = tmp_path / "proj"
    Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                         trajectories=str(scene_dir / "trajectories.txt"),
                                         homography=str(scene_dir / "H.txt"))).close()
    assert window.review.open_project(str(folder))
    qtbot.wait(300)  # the table shown for the project as opened
    return window.person_panel.model, folder


def test_the_persons_table_follows_what_another_program_writes(window, scene_dir, tmp_path, qtbot):
    """A walk ran `humanseg run` on the project the studio had open: the table still read Results 0 after it."""
    model, folder = _table_on_a_project(window, scene_dir, tmp_path, qtbot)
    assert model.status_of(2) is None or model.status_of(2)[3] == 0
    other = Project.open(folder)  # another program's connection to the same project (the CLI's)
    try:
        run = other.add_run(2, "osvos-lite", checkpoint="a.pt")
        other.save_results(2, run, {f: _mask() for f in range(5)})
    finally:
        other.close()
    qtbot.waitUntil(lambda: model.status_of(2) == (0, 0, 1, 5, None), timeout=6000)


def test_the_persons_table_counts_what_the_windows_own_job_writes_while_it_runs(window, scene_dir, tmp_path, qtbot,
                                                                                monkeypatch):
    """A Whole scene run writes each person's results as it goes: the table counts them then, not at the run's end
    (the window's one poll tells the table of every change, its own jobs' too; the table's own poll is gone)."""
    from app import outside_changes

    model, folder = _table_on_a_project(window, scene_dir, tmp_path, qtbot)
    monkeypatch.setattr(outside_changes, "project_jobs_live", lambda: 1)  # one of the window's own jobs runs
    job = Project.open(folder)  # the job's connection
    try:
        run = job.add_run(2, "osvos-lite", checkpoint="a.pt")
        job.save_results(2, run, {f: _mask() for f in range(5)})
    finally:
        job.close()
    window.outside_changes.poll()
    qtbot.waitUntil(lambda: model.status_of(2) == (0, 0, 1, 5, None), timeout=2000)

def test_an_agreement_against_hand_edited_masks_is_marked_and_sorted_after_the_others(qtbot):
    """A walk fixed persons 176, 364, 185 and 180 by hand: their Agree fell (176: 0.86 -> 0.60) while their true J
    rose, and sorting by Agree put exactly them first. A network agrees with the proposals it copied."""
    from PySide6.QtCore import Qt

    from app.person_panel import COLUMNS, SORT_ROLE, PersonPanel

    panel = PersonPanel()
    qtbot.addWidget(panel)
    panel.set_scene(_scene([176, 177, 178]))
    model = panel.model
    model.set_status({176: (0, 15, 1, 150, 0.60), 177: (15, 0, 1, 150, 0.84), 178: (15, 0, 1, 150, 0.93)},
                     edited={176: 15})
    col = COLUMNS.index("Agree")
    cell = model.index(model.row_of(176), col)
    assert model.data(cell) == "0.60 ✎" and "you edited by hand" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of(177), col)) == "0.84"
    keys = {pid: model.data(model.index(model.row_of(pid), col), SORT_ROLE) for pid in (176, 177, 178)}
    assert sorted(keys, key=keys.get) == [177, 178, 176]  # lowest first: the unreviewed ones before the fixed
    panel.resize(300, 300)  # narrower than the columns (the walk's dock): the last one is not stretched
    panel.show()
    panel.model.set_status({176: (0, 15, 1, 150, 0.60)})
    panel._fit_columns()
    before = panel.table.horizontalHeader().sectionSize(col)
    panel.model.set_status({176: (0, 15, 1, 150, 0.60)}, edited={176: 15})
    panel._fit_columns()  # (person_status refits when the first mark comes): a walk read "0.9…"
    width = panel.table.horizontalHeader().sectionSize(col)
    assert width > before and width >= panel.table.fontMetrics().horizontalAdvance("0.60 ✎")


def _scene(pids, outside=()):
    """A scene the Persons table reads: these persons, each annotated on frames 0 and 10, all inside the image;
    ``outside``: more persons of the file, annotated only beyond the video."""
    from types import SimpleNamespace

    track = SimpleNamespace(first=0, last=10, frames=[0, 10])
    every = [*pids, *outside]
    return SimpleNamespace(trajectories=SimpleNamespace(pids=every, tracks={int(p): track for p in every},
                                                        path=Path("obsmat.txt")),
                           inside_share=lambda pid: 1.0, annotated_frames=lambda: [0, 10, 500],
                           pids_in_video=lambda: list(pids), frames=range(0, 11))


def test_the_table_lists_the_persons_of_the_video(qtbot):
    """A walk's clip read with the whole obsmat.txt: the table listed 360 persons, its 14 around row 44."""
    from app.person_panel import PersonPanel

    panel = PersonPanel()
    qtbot.addWidget(panel)
    panel.set_scene(_scene([3, 5], outside=[4, 6, 7]))
    assert [panel.model.pid_at(r) for r in range(panel.model.rowCount())] == [3, 5]
    assert panel.summary.text() == ("2 persons, 2 annotated frames in the video (3 more persons of obsmat.txt are "
                                    "annotated only outside it)")


def test_a_frame_fixed_beside_its_accepted_proposal_is_one_label(tmp_path):
    """A walk fixed an accepted frame in the Fix tab: the Persons tab read 12 labels, Train and Export 11."""
    import numpy as np

    from app.person_status import person_status
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    mask = np.zeros((20, 30), bool)
    mask[5:15, 5:10] = True
    with Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t")) as project:
        project.add_proposals([Proposal(frame=f, pid=4, box=(5, 5, 10, 15), mask=mask, source="bgs",
                                        status="accepted") for f in (10, 20)]
                              + [Proposal(frame=20, pid=4, box=(5, 5, 10, 15), mask=mask, source="correction",
                                          status="edited")])
        assert person_status(project)[4][1] == 2 == len(project.accepted_masks(4))


def test_a_retrain_that_took_pending_proposals_shows_what_it_trained_on(tmp_path):
    """A walk: after Retrain from here on a whole-scene run (Accept score>=0.7: pending proposals taken), Labels read
    4 while the Fix tab said the run trained on 10 masks: a retrain records accepted_masks, not labels."""
    from app.person_status import person_status

    with Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t")) as project:
        project.add_proposals([Proposal(frame=10, pid=4, box=(30, 40, 50, 100), mask=_mask(), source="bgs",
                                        status="accepted")])
        run = project.add_run(4, "osvos-parent", {"accept": "score>=0.7", "accepted_masks": 10}, checkpoint="4.pt")
        project.save_results(4, run, {10: _mask()})
        trained_on: dict = {}
        person_status(project, trained_on=trained_on)
        assert trained_on == {4: (10, "score>=0.7")}


def test_the_points_column_counts_the_annotations_on_the_videos_frames(window, tmp_path):
    """A walk's clip read with the whole file: the Points column said 19 where 10 of the person's annotated frames
    were in the video."""
    import cv2
    import numpy as np

    from humanseg_core.records import ProjectInputs

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(100, 131):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("".join(f"{f} 1 {1 + 0.01 * f} 1.0\n" for f in range(0, 200, 10)))
    assert window.open_inputs(ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt")))
    m = window.person_panel.model
    assert m.data(m.index(m.row_of(1), 3)) == "4"  # frames 100, 110, 120, 130 of the file's 20
    # First and Last: the annotated frames of the video, not the file's 0 and 190; the file's span in the tip
    assert (m.data(m.index(m.row_of(1), 1)), m.data(m.index(m.row_of(1), 2))) == ("100", "130")
    assert "the trajectory file annotates it over 0–190" in m.data(m.index(m.row_of(1), 1), Qt.ItemDataRole.ToolTipRole)
    (tmp_path / "t2.txt").write_text("".join(f"{f} 1 {1 + 0.01 * f} 1.0\n" for f in range(100, 131, 10)))
    assert window.open_inputs(ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t2.txt")))
    m = window.person_panel.model  # all of it in the video: nothing more to say
    assert "trajectory file" not in m.data(m.index(m.row_of(1), 1), Qt.ItemDataRole.ToolTipRole)
