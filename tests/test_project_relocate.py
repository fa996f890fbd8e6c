"""A project whose video moved is pointed at its new place: the decisions stay, the new path is kept."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def test_relocate_inputs_keeps_every_decision_and_survives_reopening(tmp_path):
    old, new = tmp_path / "old" / "frames", tmp_path / "new" / "frames"
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(old), trajectories=str(tmp_path / "t.txt"),
                                                              homography=str(tmp_path / "H.txt"), frame_offset=3))
    m = np.zeros((20, 30), bool)
    m[2:8, 3:9] = True
    project.add_proposals([Proposal(5, 1, (3, 2, 9, 8), m, "test", status="accepted")])
    project.relocate_inputs(video=str(new))
    assert project.inputs.video == str(new.resolve())
    project.close()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.video == str(new.resolve())
        assert p.inputs.trajectories == str((tmp_path / "t.txt").resolve()) and p.inputs.frame_offset == 3
        assert p.counts(1)["accepted"] == 1 and np.array_equal(p.accepted_masks(1)[5], m)


def test_relocate_inputs_inside_the_project_is_stored_relative(tmp_path):
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(tmp_path / "v"), trajectories="t"))
    (tmp_path / "proj" / "frames").mkdir()
    project.relocate_inputs(video=str(tmp_path / "proj" / "frames"))
    project.close()
    (tmp_path / "proj").rename(tmp_path / "copy")  # a moved project finds its own frames
    with Project.open(tmp_path / "copy") as p:
        assert p.inputs.video == str((tmp_path / "copy" / "frames").resolve())


def test_relocate_inputs_refuses_an_unknown_input(tmp_path):
    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    with pytest.raises(ValueError, match="not an input: audio"):
        project.relocate_inputs(audio="x")
    project.close()


def test_a_change_stored_by_another_process_meanwhile_is_kept(tmp_path):
    """An audit: with the project open in the studio, `humanseg relocate --homography H_new.txt` ran; the studio's
    next change of its inputs (a moved video) put the old homography back. Only the fields changed are stored."""
    h_old, h_new = tmp_path / "H_old.txt", tmp_path / "H_new.txt"
    inputs = ProjectInputs(video=str(tmp_path / "v"), trajectories=str(tmp_path / "t"), homography=str(h_old))
    studio = Project.create(tmp_path / "proj", inputs)
    with Project.open(tmp_path / "proj") as cli:  # another process, the same project
        cli.relocate_inputs(homography=str(h_new))
    studio.relocate_inputs(video=str(tmp_path / "moved"))
    studio.use_frame_offset(-7)
    assert studio.inputs.homography == str(h_new.resolve()) and studio.inputs.frame_offset == -7
    studio.close()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.homography == str(h_new.resolve()) and p.inputs.video == str((tmp_path / "moved").resolve())
        assert p.inputs.frame_offset == -7


def test_a_change_equal_to_this_process_stale_copy_is_stored_too(tmp_path):
    """A review: the command line moved the video to B; the studio, which still held A, pointed it back at A, and
    A was dropped as 'no change', leaving B."""
    a, b = tmp_path / "A.mp4", tmp_path / "B.mp4"
    studio = Project.create(tmp_path / "proj", ProjectInputs(video=str(a), trajectories=str(tmp_path / "t")))
    with Project.open(tmp_path / "proj") as cli:
        cli.relocate_inputs(video=str(b))
    studio.relocate_inputs(video=str(a))
    assert studio.inputs.video == str(a.resolve())
    studio.close()
    with Project.open(tmp_path / "proj") as p:
        assert p.inputs.video == str(a.resolve())
