"""What the Persons tab and `status` count as a person's labels: one a frame, with pixels."""

from __future__ import annotations

import numpy as np
from test_read_only_project import _project

from humanseg_core.project import Project
from humanseg_core.records import Proposal


def test_an_empty_mask_of_the_analysts_is_not_counted_as_a_label(tmp_path):
    """Review's V keeps an empty edited mask (not visible there): a re-walk's Persons tab and `status` said 25 labels
    where the Train tab said 24."""
    folder = _project(tmp_path)  # person 3: accepted on frame 10, pending on 20
    with Project.open(folder) as project:
        empty, dot = np.zeros((40, 60), bool), np.zeros((40, 60), bool)
        dot[5, 5] = True  # a one-pixel mask: a label still, however small
        project.add_proposals([Proposal(frame=30, pid=3, box=(0, 0, 1, 1), mask=empty, source="bgs", status="edited"),
                               Proposal(frame=40, pid=3, box=(5, 5, 6, 6), mask=dot, source="bgs", status="edited"),
                               Proposal(frame=40, pid=3, box=(5, 5, 6, 6), mask=dot, source="hand",
                                        status="edited")])
        assert project.label_frame_counts() == {3: 2}  # frames 10 and 40; not 30


def test_a_frame_counts_as_its_latest_label_says(tmp_path):
    """A review: an accepted mask under a later "not visible" mark (V on another source's proposal) counted as a
    label in the Persons tab and Export Masks, while training and the export took the empty mark (ADR 0051: the
    analyst's latest decision); the export then failed, "every mask of these persons is empty"."""
    folder = _project(tmp_path)  # person 3: accepted on frame 10, pending on 20
    with Project.open(folder) as project:
        empty = np.zeros((40, 60), bool)
        project.add_proposals([Proposal(frame=10, pid=3, box=(0, 0, 1, 1), mask=empty, source="hand",
                                        status="edited")])
        assert project.label_frame_counts() == {} and project.label_frame_sets() == {}
        assert project.label_frame_sets(hidden=True) == {3: {10}}
        assert not project.accepted_masks(3)[10].any()  # as training takes it


def test_the_labels_a_run_never_saw(tmp_path):
    """A re-walk imported 200 masks after its runs: Quality read them all as a Whole scene run's training frames,
    and left out of a Train tab run's scores those outside its training and hold-out lists."""
    from humanseg_core.workflows.label_changes import unseen_label_frames

    folder = _project(tmp_path)  # person 3: accepted on frame 10, pending on 20
    with Project.open(folder) as project:
        dot = np.zeros((40, 60), bool)
        dot[5:9, 5:9] = True
        train_tab = project.add_run(3, "osvos-lite", {"train_frames": [10], "holdout_frames": []}, None, {})
        scene = project.add_run(3, "osvos-parent", {"scene_run": True, "accept": "reviewed",
                                                    "labels_at": "2000-01-01T00:00:00"}, None, {})
        project.add_proposals([Proposal(frame=30, pid=3, box=(5, 5, 9, 9), mask=dot, source="import",
                                        status="edited")])
        runs = {int(r["id"]): r for r in project.runs(3)}
        assert unseen_label_frames(project, runs[train_tab]) == {30}  # outside its lists
        assert unseen_label_frames(project, runs[scene]) == {10, 30}  # both decided after it read its labels
