"""A person's annotated frames skipped as hidden behind a nearer person have no label: the studio names those
stretches (a walk read Quality 0.70 and Agree 0.77 for a person whose first 8 annotated frames, hidden, were
segmented as its neighbour, J 0.22-0.34 there)."""

from __future__ import annotations

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Skip
from humanseg_core.workflows.labels import hidden_stretches


def test_consecutive_hidden_annotated_frames_are_one_stretch(tmp_path):
    with Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t")) as project:
        project.add_skips([Skip(f, 7, "hidden behind person 8") for f in (10, 20, 30, 60, 90)]
                          + [Skip(40, 7, "too little of the person visible"), Skip(50, 9, "hidden behind person 8")])
        annotated = range(10, 100, 10)  # 10 .. 90
        assert hidden_stretches(project, annotated, 7) == [(10, 30), (60, 60), (90, 90)]
        assert hidden_stretches(project, annotated, 9) == [(50, 50)]
        assert hidden_stretches(project, annotated, 3) == []
