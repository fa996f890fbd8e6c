"""The track points' place (anchor) a run is told, or its project holds, reaches the per-frame evidence step (a
walk forced feet in `propose`; the evidence step of `run` estimated it again, wrongly, and the masks stayed
half the person)."""

from __future__ import annotations

import argparse

import numpy as np


def test_run_takes_an_anchor_and_passes_it_on():
    from humanseg_core.cli.run import add_run_args, config_from_args

    p = argparse.ArgumentParser()
    p.add_argument("--project")
    add_run_args(p)
    args = p.parse_args(["--project", "P", "--out", "O", "--anchor", "feet"])
    assert config_from_args(args).anchor == "feet"
    assert config_from_args(p.parse_args(["--project", "P", "--out", "O"])).anchor == ""  # the project's


def test_the_evidence_step_runs_the_joint_step_with_the_anchor(monkeypatch):
    from humanseg_core.jobs import run_job
    from humanseg_core.proposals import joint
    from humanseg_core.workflows.scene_evidence import EvidenceConfig, evidence_masks_job

    seen = []

    def fake_joint(scene, pids, **kw):
        seen.append(kw.get("anchor"))
        return [], []
        yield  # a generator, as the real one

    class Scene:
        frames = None

        def pixel_track(self, pid):
            return np.array([0, 10]), np.zeros((2, 2))

    monkeypatch.setattr(joint, "generate_joint", fake_joint)
    for anchor in ("feet", "auto"):
        run_job(evidence_masks_job(Scene(), {}, {}, parent=object(), config=EvidenceConfig(anchor=anchor)))
    assert seen == ["feet", "auto"]


def test_run_says_where_the_proposals_took_the_points(capsys):
    from humanseg_core.cli.run import say_done
    from humanseg_core.workflows.scene_run import SceneRunResult

    say_done(SceneRunResult(persons=[1], person_frames=3, frames=3, anchor="centre"), None)
    assert "the proposals took the track points on the centre (--anchor sets it)" in capsys.readouterr().err
    say_done(SceneRunResult(persons=[1], person_frames=3, frames=3), None)  # no proposals made: nothing said
    assert "track points" not in capsys.readouterr().err


def test_a_projects_estimated_anchor_is_kept_for_the_steps_that_follow(small_demo, tmp_path):
    """A walk proposed with `propose`, then `run` reused those proposals: its JSON said "anchor": "" and its
    evidence step estimated the place of the points again. The proposals' estimate is kept in the project."""
    import dataclasses

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows.propose import ProposeConfig, project_anchor, propose_into
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import SceneRunResult, _propose

    inputs = ProjectInputs(video=str(small_demo / "frames"), trajectories=str(small_demo / "trajectories.txt"),
                           homography=str(small_demo / "H.txt"))
    with Project.create(tmp_path / "auto", inputs) as project:
        assert project_anchor(project) == "auto"  # nothing estimated yet
        summary = run_job(propose_into(project, [1, 2], ProposeConfig(method="bgs-owned")))
        assert summary.anchor in ("head", "feet", "centre")
        assert project_anchor(project) == summary.anchor
        result = SceneRunResult()
        run_job(_propose(project, None, [1, 2], SceneRunConfig(pids=[1, 2]), None, result))  # nothing to propose
        assert result.anchor == summary.anchor
    with Project.create(tmp_path / "named", dataclasses.replace(inputs, anchor="head")) as project:
        project.set_setting("estimated_anchor", "feet")  # the inputs' own anchor wins
        assert project_anchor(project) == "head"
