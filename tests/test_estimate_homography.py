"""A project without a homography gets one estimated from the video before its proposals (ADR 0022,
``workflows.estimate``): a walk's zara01_tiny without its H.txt made 2 proposals of 87, both on a building
(J 0); with the estimate, 86 (median IoU 0.63 against 0.70 with the measured matrix)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from humanseg_core.cli.common import scene_warnings
from humanseg_core.inputs.homography import load_homography
from humanseg_core.inputs.scene import APPROXIMATE_WARNING, PLACED_WARNING
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.estimate import (
    ESTIMATED,
    FILE_NAME,
    NOT_ESTIMATED,
    estimate_into,
    needs_estimate,
    will_estimate,
)
from humanseg_core.workflows.propose import ProposeConfig, propose_into


def _on_people(scene, demo) -> float:
    """The share of the annotated positions that land on their person's ground-truth box (3 px of slack)."""
    hits = total = 0
    for pid in scene.pids:
        track = scene.trajectories.tracks[pid]
        for f in track.frames:
            png = demo / "gt" / str(pid) / f"{int(f):05d}.png"
            ys, xs = np.nonzero(cv2.imread(str(png), cv2.IMREAD_GRAYSCALE) > 127) if png.is_file() else ([], [])
            if not len(xs):
                continue
            u, v = scene.position_px(pid, int(f))
            total += 1
            hits += bool(xs.min() - 3 <= u <= xs.max() + 3 and ys.min() - 3 <= v <= ys.max() + 3)
    return hits / max(total, 1)


def _project(folder, demo, frames=None):
    return Project.create(folder, ProjectInputs(video=str(frames or demo / "frames"),
                                                trajectories=str(demo / "trajectories.txt")))


def test_the_estimate_is_saved_in_the_project_and_its_inputs_name_it(demo60, tmp_path):
    project = _project(tmp_path / "proj", demo60)
    (project.folder / FILE_NAME).write_text("the analyst's own file\n")  # never written over
    scene = project.load_scene()
    try:
        assert _on_people(scene, demo60) < 0.5  # the extent fit
        estimated, warned = run_job(estimate_into(project, scene))
    finally:
        scene.close()
    try:
        path = project.folder / "H_estimated_2.txt"
        assert warned.kind == ESTIMATED and str(path) in warned.text and "matched people moving" in warned.text
        assert (project.folder / FILE_NAME).read_text() == "the analyst's own file\n"
        assert project.inputs.homography == str(path.resolve()) and project.inputs.h_order == "uv"
        load_homography(path)  # an ordinary homography file, with its comment
        assert _on_people(estimated, demo60) >= 0.9
        assert run_job(estimate_into(project, estimated)) == (None, None)  # it has one now: nothing to do
    finally:
        estimated.close()
        project.close()
    reopened = Project.open(tmp_path / "proj")  # stored: a later run reads the same positions
    try:
        assert reopened.inputs.homography == str(path.resolve())
    finally:
        reopened.close()


def test_a_video_where_nobody_moves_keeps_the_extent_fit_and_says_why(demo60, still_demo60, tmp_path):
    project = _project(tmp_path / "proj", demo60, frames=still_demo60)
    scene = project.load_scene()
    try:
        estimated, warned = run_job(estimate_into(project, scene))
        assert estimated is None and warned.kind == NOT_ESTIMATED
        assert "matched moving people" in warned.text and "--homography" in warned.text
        assert project.inputs.homography is None and not (project.folder / FILE_NAME).exists()
    finally:
        scene.close()
        project.close()


def test_the_proposals_are_made_on_the_estimate_unless_told_not_to(demo60, tmp_path, monkeypatch):
    """``propose_into`` (the CLI's propose and the studio's Generate) estimates first; the generator gets
    the scene placed by the estimate, the caller's scene stays open and as it was."""
    from humanseg_core.proposals import generate as gen_mod

    seen = []

    def fake_generate(scene, pids, **_kw):
        seen.append(_on_people(scene, demo60))
        return [], []
        yield  # a job

    monkeypatch.setattr(gen_mod, "generate_proposals", fake_generate)
    for estimate, folder in ((False, "plain"), (True, "estimated")):
        project = _project(tmp_path / folder, demo60)
        scene = project.load_scene()
        try:
            done = run_job(propose_into(project, list(scene.pids)[:2], ProposeConfig(estimate_homography=estimate),
                                        scene=scene))
            assert scene.homography.approximate and scene.frames.read(scene.frames.indices[0]) is not None
            assert bool(done.homography) == estimate == bool(project.inputs.homography)
        finally:
            scene.close()
            project.close()
    assert seen[0] < 0.5 <= 0.9 <= seen[1]


def test_an_estimate_that_cannot_be_kept_leaves_the_extent_fit_and_says_so(demo60, tmp_path, monkeypatch):
    from humanseg_core.errors import HomographyError
    from humanseg_core.inputs import calibrate

    def refuse(path, found, video):
        raise HomographyError(path, "cannot write the homography (Read-only file system)")

    monkeypatch.setattr(calibrate, "save_homography", refuse)
    project = _project(tmp_path / "proj", demo60)
    scene = project.load_scene()
    try:
        estimated, warned = run_job(estimate_into(project, scene))
        assert estimated is None and warned.kind == NOT_ESTIMATED and "Read-only" in warned.text
        assert project.inputs.homography is None
    finally:
        scene.close()
        project.close()


def test_told_not_to_estimate_the_run_says_what_it_placed_the_persons_by(demo60, tmp_path, monkeypatch):
    """A walk's --no-estimate printed only 'approximate until one is estimated…, which generating proposals
    does first', which this run had just been told not to do."""
    from humanseg_core.proposals import generate as gen_mod

    def fake_generate(scene, pids, **_kw):
        return [], []
        yield  # a job

    monkeypatch.setattr(gen_mod, "generate_proposals", fake_generate)
    project = _project(tmp_path / "proj", demo60)
    said = []
    try:
        run_job(propose_into(project, [1], ProposeConfig(estimate_homography=False)),
                lambda p: said.extend(w.text for w in p.warnings))
        assert any("none estimated (--no-estimate)" in w for w in said) and project.inputs.homography is None
        said.clear()  # a whole-scene run estimated (or was told not to) first and said so: not said again (a walk's
        run_job(propose_into(project, [1], ProposeConfig(estimate_homography=None)),  # batch read "--no-estimate"
                lambda p: said.extend(w.text for w in p.warnings))  # after its own failed estimate)
        assert not any("estimate" in w for w in said), said
    finally:
        project.close()


def test_a_run_over_an_estimate_made_earlier_says_its_positions_are_estimated(small_demo, tmp_path, capsys):
    """A walk's `humanseg run` after a `propose` that had estimated the homography printed
    "homography_estimated": null, "approximate": false: only stderr said the masks came from an estimate."""
    import json

    from humanseg_core.cli import main

    estimate = tmp_path / "H_estimated.txt"  # as calibrate writes it: its comments say it is an estimate
    estimate.write_text("# pixel (u, v, 1) -> world metres, estimated by humanseg calibrate from the video\n"
                        "# approximate: 40 of 80 positions matched moving people (median 2.0 px), the track points "
                        "taken as the feet\n" + (small_demo / "H.txt").read_text())
    base = ["run", "--video", str(small_demo / "frames"), "--trajectories", str(small_demo / "trajectories.txt"),
            "--pids", "1", "--accept", "reviewed", "--steps-per-person", "1", "--device", "cpu"]
    for name, homography, estimated in (("est", estimate, True), ("own", small_demo / "H.txt", False)):
        rc = main(base + ["--project", str(tmp_path / name), "--homography", str(homography),
                          "--out", str(tmp_path / f"o-{name}")])
        captured = capsys.readouterr()
        doc = json.loads(captured.out.strip().splitlines()[-1])
        assert rc == 1 and doc["approximate"] is estimated  # nothing reviewed: nothing segmented, said
        assert doc["homography_estimated"] == (str(estimate.resolve()) if estimated else None)
        assert ("homography estimated from the video" in captured.err.splitlines()[-1]) is estimated
        assert main(["tracks", "--video", str(small_demo / "frames"), "--trajectories",  # tracks too (a walk read
                     str(small_demo / "trajectories.txt"), "--homography", str(homography), "--json"]) == 0  # false)
        assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["approximate"] is estimated


def test_proposals_placed_by_the_extent_fit_score_under_the_half(demo60, tmp_path):
    """A walk (davis_shop without its H.txt, the estimate refused) read a person's proposals at 0.705 and
    0.76 while their J was 0.0005-0.47: the score said nothing of the points' placement."""
    project = _project(tmp_path / "proj", demo60)
    try:
        run_job(propose_into(project, [1, 2], ProposeConfig(estimate_homography=False)))
        stored = project.proposals(1) + project.proposals(2)
        assert stored and all(p.score <= 0.45 and "placed by the extent fit" in p.flags for p in stored)
    finally:
        project.close()
    project = _project(tmp_path / "own", demo60)
    project.use_homography(str(demo60 / "H.txt"))
    try:
        run_job(propose_into(project, [1, 2], ProposeConfig()))
        stored = project.proposals(1) + project.proposals(2)
        assert max(p.score for p in stored) > 0.45 and not any("placed by the extent fit" in p.flags for p in stored)
    finally:
        project.close()


def test_proposing_again_says_the_decisions_it_kept(demo60, tmp_path):
    """A walk proposed again on a reviewed project and read "178 proposals stored": it could not tell whether its
    decisions were kept (they were)."""
    project = _project(tmp_path / "own", demo60)
    project.use_homography(str(demo60 / "H.txt"))
    try:
        first = run_job(propose_into(project, [1], ProposeConfig()))
        assert first.kept == 0 and "decided earlier" not in first.stored_text()
        ids = [p.id for p in project.proposals(1, with_masks=False)][:3]
        project.set_statuses(ids[:2], "accepted")
        project.set_statuses(ids[2:], "rejected")
        again = run_job(propose_into(project, [1], ProposeConfig()))
        assert again.kept == 3 and "(3 decided earlier, kept as decided)" in again.stored_text()
        assert project.counts(1)["accepted"] == 2 and project.counts(1)["rejected"] == 1
    finally:
        project.close()


def test_the_cli_says_it_estimates_once_and_briefly(demo60, tmp_path, monkeypatch, capsys):
    """A CLI walk: `propose` without a homography said first that the positions were fitted to the trajectories'
    extent (and named a studio menu), then estimated one, in 101 lines of its 126."""
    from fakes import run_cli

    from humanseg_core.proposals import generate as gen_mod

    def fake_generate(scene, pids, **_kw):
        return [], []
        yield  # a job

    monkeypatch.setattr(gen_mod, "generate_proposals", fake_generate)
    from humanseg_core.cli import common

    # a stage's lines within every_s are dropped: 2 s a line counted more on a loaded machine (5 in a 5:37 suite);
    # the lines that always come are counted here (the throttle's clock: test_throttled_progress_...)
    monkeypatch.setattr(common.ThrottledProgress.__init__, "__defaults__", (1e9, None))
    code, _out, err = run_cli(capsys, "propose", "--project", str(tmp_path / "p"), "--video",
                              str(demo60 / "frames"), "--trajectories", str(demo60 / "trajectories.txt"), "--pids",
                              "all")
    assert code == 0, err
    assert "trajectories' extent" not in err and "▸" not in err
    assert "one was estimated from the video" in err
    estimating = [line for line in err.splitlines() if "estimating one from the video" in line]
    assert 1 <= len(estimating) <= 4, estimating


def test_throttled_progress_says_each_stage_first_and_last():
    from humanseg_core.cli.common import ThrottledProgress
    from humanseg_core.jobs import Progress

    now = [0.0]
    said = ThrottledProgress(every_s=2.0, clock=lambda: now[0])
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        for k in range(1, 11):
            now[0] = k * 0.5
            said(Progress(k, 10, f"frame {k}", data={"stage": "a"}))
        said(Progress(1, 3, "other", data={"stage": "b"}))
    lines = buf.getvalue().splitlines()
    assert lines == ["[1/10] frame 1", "[5/10] frame 5", "[9/10] frame 9", "[10/10] frame 10", "[1/3] other"]


def test_a_homography_given_to_a_project_made_without_one_names_relocate(demo60, tmp_path, capsys):
    """A CLI walk gave --homography to a project made without one: "not used", and nothing said how to use it."""
    import argparse

    from humanseg_core.cli.propose import _note_stored_inputs

    project = _project(tmp_path / "proj", demo60)
    try:
        given = str(demo60 / "H.txt")
        _note_stored_inputs(argparse.Namespace(homography=given), project)
        err = capsys.readouterr().err
        assert f"not used: --homography {given}" in err
        assert f"humanseg relocate --project {project.folder} --homography {given}" in err
    finally:
        project.close()


def test_a_reading_given_to_an_existing_project_names_relocate(demo60, tmp_path, capsys):
    """A walk reran with --h-direction world-to-pixel, as the warning advised: "not used", and nothing said how."""
    import argparse

    from humanseg_core.cli.propose import _note_stored_inputs
    from humanseg_core.records import Proposal

    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(demo60 / "frames"), homography=str(
        demo60 / "H.txt"), trajectories=str(demo60 / "trajectories.txt")))
    try:
        # nothing decided yet: taken (a walk ran propose again with the --h-order the warning advised: "not used")
        project.add_proposals([Proposal(frame=0, pid=1, box=(0, 0, 2, 2), mask=np.ones((2, 2), bool), source="bgs")])
        _note_stored_inputs(argparse.Namespace(h_order="rowcol"), project)
        err = capsys.readouterr().err
        assert "holds no decision yet and reads its homography with --h-order rowcol from now on; the persons " \
               "proposed now" in err
        assert project.inputs.h_order == "rowcol" and "not used" not in err
        # a rerun without the option keeps it (a mutation audit: the parser's default uv undid rowcol)
        from humanseg_core.cli import build_parser

        def parsed(*more):
            return build_parser().parse_args(["propose", "--project", str(project.folder), "--pids", "1", *more])

        _note_stored_inputs(parsed(), project)
        assert project.inputs.h_order == "rowcol" and "from now on" not in capsys.readouterr().err
        # uv given back, as the order warning advises it (a review: uv, the default, could not be given)
        _note_stored_inputs(parsed("--h-order", "uv"), project)
        assert project.inputs.h_order == "uv" and "--h-order uv from now on" in capsys.readouterr().err
        # a reading given with another homography file is that file's: not taken for the project's (a review)
        _note_stored_inputs(parsed("--h-order", "rowcol", "--homography", str(tmp_path / "other_H.txt")), project)
        err = capsys.readouterr().err
        assert project.inputs.h_order == "uv" and "not used: --homography" in err and "--h-order rowcol" in err
        # a reading the scene cannot be read with is not taken (said unused, as before)
        from humanseg_core.errors import HumansegError
        from humanseg_core.inputs import scene as scene_module

        def unreadable(inputs):
            raise HumansegError("cannot read")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(scene_module, "load_scene_of", unreadable)
            _note_stored_inputs(argparse.Namespace(h_direction="world-to-pixel"), project)
        assert project.inputs.h_direction == "pixel-to-world" and "not used: --h-direction" in capsys.readouterr().err
        project.set_status(project.proposals(1)[0].id, "accepted")  # a decision: kept as it reads
        _note_stored_inputs(argparse.Namespace(h_direction="world-to-pixel", h_order="rowcol"), project)
        err = capsys.readouterr().err
        assert project.inputs.h_order == "uv"
        assert "not used: --h-order rowcol, --h-direction world-to-pixel" in err
        assert f"`humanseg relocate --project {project.folder} --h-order rowcol --h-direction world-to-pixel`" in err
        _note_stored_inputs(argparse.Namespace(frame_step=3), project)  # relocate takes it too
        err = capsys.readouterr().err
        assert "not used: --frame-step 3" in err and "--frame-step 3` makes this one read them so" in err
        _note_stored_inputs(parsed("--h-order", "uv", "--traj-format", "obsmat"), project)  # uv as it reads: unsaid
        err = capsys.readouterr().err  # (a review: --format named, the output's in run)
        assert "not used: --traj-format obsmat" in err and "--h-order" not in err
    finally:
        project.close()


def test_a_reading_is_not_taken_for_a_project_with_a_run_or_an_estimated_homography(demo60, tmp_path, capsys):
    """A mutation audit: neither guard was tested. A run was trained on what the old reading placed; an estimated
    homography is read as the estimate wrote it."""
    import argparse

    from humanseg_core.cli.propose import _note_stored_inputs

    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(demo60 / "frames"), homography=str(
        demo60 / "H.txt"), trajectories=str(demo60 / "trajectories.txt")))
    try:
        project.add_run(1, "osvos-lite")
        _note_stored_inputs(argparse.Namespace(h_order="rowcol"), project)
        assert project.inputs.h_order == "uv" and "not used: --h-order rowcol" in capsys.readouterr().err
    finally:
        project.close()
    project = _project(tmp_path / "est", demo60)
    try:
        estimated = tmp_path / "est" / FILE_NAME
        estimated.write_text((demo60 / "H.txt").read_text())
        project.use_homography(str(estimated))
        from humanseg_core.cli import propose

        with pytest.MonkeyPatch.context() as mp:  # the project's file is an estimate
            mp.setattr(propose, "_estimated_or_none", lambda path: True)
            _note_stored_inputs(argparse.Namespace(h_order="rowcol"), project)
        assert project.inputs.h_order == "uv"
    finally:
        project.close()


def test_the_projects_own_homography_named_relative_to_here_is_not_called_unused(demo60, tmp_path, capsys,
                                                                                  monkeypatch):
    """A review: `--homography H.txt` from the scene's folder, the file the project reads, read "not used" and
    advised `humanseg relocate`."""
    import argparse

    from humanseg_core.cli.propose import _note_stored_inputs
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    with Project.create(tmp_path / "proj", ProjectInputs(video=str(demo60 / "frames"),
                                                         trajectories=str(demo60 / "trajectories.txt"),
                                                         homography=str(demo60 / "H.txt"))) as project:
        monkeypatch.chdir(demo60)
        _note_stored_inputs(argparse.Namespace(homography="H.txt"), project)
        assert capsys.readouterr().err == ""
        _note_stored_inputs(argparse.Namespace(homography="other_H.txt"), project)
        assert "not used: --homography other_H.txt" in capsys.readouterr().err


def test_a_project_with_work_placed_by_the_extent_is_not_moved_to_an_estimate(demo60, tmp_path):
    """A walk: `propose --no-estimate`, then `propose` of other persons estimated a homography, and the project then
    held person 63 placed by the extent and 64, 60 and 61 by the estimate."""
    from humanseg_core.records import Proposal

    project = _project(tmp_path / "proj", demo60)
    mask = np.zeros((10, 10), bool)
    mask[2:5, 2:5] = True
    first = project.load_scene()
    try:  # nothing placed yet: the next proposals estimate one, as the banner says
        assert APPROXIMATE_WARNING in first.warnings and will_estimate(project, first)
    finally:
        first.close()
    project.add_proposals([Proposal(frame=0, pid=1, box=(2, 2, 5, 5), mask=mask, source="bgs")])
    scene = project.load_scene()
    try:  # the banner no longer promises an estimate (a walk), and propose and run say it once, in their words
        assert PLACED_WARNING in scene.warnings and APPROXIMATE_WARNING not in scene.warnings
        assert not will_estimate(project, scene) and needs_estimate(project, scene)
        assert not [w for w in scene_warnings(scene) if w.startswith("No homography")]
        estimated, warned = run_job(estimate_into(project, scene))
    finally:
        scene.close()
    try:
        assert estimated is None and warned.kind == NOT_ESTIMATED and project.inputs.homography is None
        assert "this project's work was placed without one" in warned.text and "relocate --homography" in warned.text
        assert not (project.folder / FILE_NAME).exists()
    finally:
        project.close()
