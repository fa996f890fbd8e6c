"""A whole-scene run's export holds the analyst's masks on their frames (ADR 0027), the stored results stay the
networks'. Measured on zara01_feet / eth_dense with every annotated frame's ground truth imported: the export's
J on those frames was 0.82 / 0.73 while the labels themselves were exact."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image

from humanseg_core import rle
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal
from humanseg_core.workflows.scene_result import labelled_text
from humanseg_core.workflows.scene_sink import ResultWriter, analyst_labels, export_results, labelled_frames

H, W = 40, 60


def _box(x0, y0, x1, y1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def _project(tmp_path):
    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    label = _box(5, 5, 15, 30)  # the analyst's mask of person 1 on frame 10
    project.add_proposals([
        Proposal(frame=10, pid=1, box=(5, 5, 15, 30), mask=label, source="bgs:test", status="edited"),
        Proposal(frame=20, pid=1, box=(5, 5, 15, 30), mask=_box(0, 0, 3, 3), source="bgs:test", status="pending"),
        Proposal(frame=20, pid=2, box=(30, 5, 40, 30), mask=_box(30, 5, 40, 30), source="bgs:test",
                 status="rejected"),
    ])
    runs = {1: project.add_run(1, "osvos-lite"), 2: project.add_run(2, "osvos-lite")}
    return project, runs, label


def _read(path):
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127


def test_the_davis_export_holds_the_label_and_the_project_the_result(tmp_path):
    project, runs, label = _project(tmp_path)
    try:
        # person 2 nearer (its feet lower: depth 35 against 30); its network's mask overlaps person 1's label
        net = {1: _box(8, 8, 20, 35), 2: _box(12, 5, 30, 30)}
        labels = analyst_labels(project, [1, 2])
        assert set(labels) == {1} and set(labels[1]) == {10}  # pending and rejected proposals are no labels
        out = tmp_path / "out"
        writer = ResultWriter(project, runs, lambda pid, f: {1: 30.0, 2: 35.0}[pid], out, "davis", labels=labels)
        for frame in (10, 20):
            writer(frame, {p: m.copy() for p, m in net.items()})
        writer.flush()
        # the analyst's mask whole: the nearer person 2's network result gives up what the label holds (a walk's
        # hand-painted person lost a third of its pixels to a neighbour's unreviewed result); one owner a pixel
        assert np.array_equal(_read(out / "1" / "00010.png"), label)
        assert np.array_equal(_read(out / "2" / "00010.png"), net[2] & ~label)
        # the pixels the export gave the nearer person are counted, the label's too (a walk read 0 for 172)
        both = int((net[1] & net[2]).sum())
        assert writer.overlap_px == 2 * both and writer.export_overlap_px == int((label & net[2]).sum()) + both
        on20 = rle.from_blob(project.mask_blobs(1, "results", runs[1])[20])
        assert np.array_equal(_read(out / "1" / "00020.png"), on20) and on20.any()  # no label on 20: the result
        stored = rle.from_blob(project.mask_blobs(1, "results", runs[1])[10])
        assert not np.array_equal(stored, label) and stored[30:35, 8:20].any()  # the project keeps the network's
        assert not (_read(out / "1" / "00010.png") & _read(out / "2" / "00010.png")).any()  # one owner a pixel
        assert writer.labelled == {1: 1} and labelled_frames(project, [1, 2], writer, "davis") == {1: 1}
        assert labelled_frames(project, [1, 2], writer, "mots") == {1: 1}  # the label frame among its frames
        kept = labelled_frames(project, [2], writer, "mots", kept={1: runs[1]}, kept_labels=labels)
        assert kept == {1: 1}  # a kept person's too
        assert labelled_text(writer.labelled) == ("the export holds the analyst's masks (accepted, edited or "
                                                  "imported) on 1 frame of 1 person, the networks' results elsewhere")
        plain = tmp_path / "plain"
        writer = ResultWriter(project, runs, lambda pid, f: 30.0, plain, "davis")  # --results-only
        writer(10, {p: m.copy() for p, m in net.items()})
        writer.flush()
        assert _read(plain / "1" / "00010.png")[30:35, 8:20].any() and writer.labelled == {}
    finally:
        project.close()


def test_a_frame_marked_not_visible_holds_no_mask_in_the_runs_export(tmp_path):
    """The studio's Not Visible Here (V) keeps an empty mask of the analyst's: the run's export holds no mask of
    the person there (a walk's rejected hidden frame still had one), and the person's network gives way there."""
    project, runs, _label = _project(tmp_path)
    try:
        hidden = next(p for p in project.proposals(1) if p.frame == 10)
        project.set_mask(hidden.id, np.zeros_like(hidden.mask), status="edited")
        out = tmp_path / "out"
        writer = ResultWriter(project, runs, lambda pid, f: 30.0, out, "davis", labels=analyst_labels(project, [1]))
        writer(10, {1: _box(8, 8, 20, 35)})
        writer.flush()
        written = out / "1" / "00010.png"
        assert not written.exists() or not _read(written).any()
        assert writer.labelled == {}  # no mask of the analyst's is held there: not counted as one (a review)
        assert labelled_frames(project, [1], writer, "mots") == {}
    finally:
        project.close()


def test_mots_and_palette_exports_of_a_run_hold_the_labels_too(tmp_path):
    from humanseg_core.jobs import run_job

    project, runs, label = _project(tmp_path)
    try:
        net = _box(8, 8, 20, 35)
        project.save_result_blobs([(1, runs[1], 10, rle.to_blob(net)), (1, runs[1], 11, rle.to_blob(net))])
        project.add_proposals([Proposal(frame=30, pid=1, box=(5, 5, 15, 30), mask=label, source="import",
                                        status="edited")])  # a label where the run segmented nothing
        for with_labels, name in ((True, "with"), (False, "without")):
            run_job(export_results(project, [1], "palette", tmp_path / name, lambda pid, f: 30.0, labels=with_labels))
            frame10 = np.array(Image.open(tmp_path / name / "00010.png")) > 0
            assert np.array_equal(frame10, label if with_labels else net), name
            assert np.array_equal(np.array(Image.open(tmp_path / name / "00011.png")) > 0, net)
            assert not (tmp_path / name / "00030.png").exists()  # as the davis output: the run's frames only (a review)
    finally:
        project.close()


def test_a_runs_mots_or_palette_export_replaces_an_earlier_one(tmp_path):
    """A walk re-ran `run --format mots` into its folder: refused, "--force replaces it", which `run` does not
    take; davis replaced it. Every format replaces an earlier export; a folder of other files stays refused."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_manifest import run_made
    from humanseg_core.workflows.scene_result import SceneRunResult
    from humanseg_core.workflows.scene_sink import check_out

    project, runs, _label = _project(tmp_path)
    try:
        project.save_result_blobs([(1, runs[1], 10, rle.to_blob(_box(8, 8, 20, 35)))])
        for fmt in ("mots", "palette"):
            out = tmp_path / fmt
            made = run_made(project, SceneRunConfig(refine="none"), SceneRunResult(persons=[1], refine="none"))
            for _ in range(3):  # with how its masks were made in export.json, and still replaced (a re-walk: the
                check_out(out, fmt, project.folder)  # file rewritten after the export's record refused the folder)
                run_job(export_results(project, [1], fmt, out, lambda pid, f: 30.0, made=made))
            doc = json.loads((out / "export.json").read_text())  # how they were made, as a davis output says it
            assert doc["format"] == fmt and doc["made"]["refine"] == "none" and doc["made"]["by"]  # (a walk)
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "notes.txt").write_text("mine")
        with pytest.raises(HumansegError, match="refusing to replace this folder"):
            check_out(mine, "mots", project.folder)
    finally:
        project.close()


def test_a_run_does_not_replace_another_projects_export(tmp_path):
    """A walk's `run --out` replaced another project's export whole, and the command it gave to get those masks
    back failed (the persons were the other project's). Another project's export is refused, left as it was; the
    project's own, also from a copy of it or its moved folder, is replaced as before."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.scene_sink import check_out

    project, runs, _label = _project(tmp_path)
    try:
        project.save_result_blobs([(1, runs[1], 10, rle.to_blob(_box(8, 8, 20, 35)))])
        out = tmp_path / "out"
        run_job(export_results(project, [1], "mots", out, lambda pid, f: 30.0))
        check_out(out, "mots", project.folder)  # its own export: replaced by the rerun, as before
        check_out(out, "mots", tmp_path / "." / project.folder.name)  # (the same folder, named otherwise)
        import shutil

        shutil.copytree(project.folder, tmp_path / "copy")  # a copy of it, or it moved: the same project
        check_out(out, "mots", tmp_path / "copy")
        project.close()
        import shutil as sh

        sh.rmtree(project.folder)  # the project started over at its folder: its old export is replaced
        check_out(out, "mots", tmp_path / "proj")
        project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
        check_out(out, "mots", project.folder)
        other, other_runs, _ = _project(tmp_path / "elsewhere")
        other.save_result_blobs([(1, other_runs[1], 10, rle.to_blob(_box(8, 8, 20, 35)))])
        theirs = tmp_path / "theirs"
        run_job(export_results(other, [1], "mots", theirs, lambda pid, f: 30.0))
        other.close()
        before = sorted((p.name, p.read_bytes()) for p in theirs.iterdir())
        with pytest.raises(HumansegError, match=r"holds an export of another project \(.*elsewhere/proj\)"):
            check_out(theirs, "davis", project.folder)
        assert sorted((p.name, p.read_bytes()) for p in theirs.iterdir()) == before
    finally:
        project.close()


def test_results_only_from_the_command_line():
    import argparse

    from humanseg_core.cli.run import add_run_args, add_scene_inputs, config_from_args

    p = argparse.ArgumentParser()
    add_scene_inputs(p)
    add_run_args(p)
    assert config_from_args(p.parse_args(["--out", "o"]), out="o").labels_in_output
    assert not config_from_args(p.parse_args(["--out", "o", "--results-only"]), out="o").labels_in_output
