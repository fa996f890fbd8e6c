"""``SceneRunConfig.keep_trained`` (``humanseg run --keep-trained``): persons that already have segmentation
results keep them (no training, no new run, their results stay the newest); without it they are retrained
and a new run is added, and no stored run or result is ever deleted either way.  Tiny demo scene, one
training step, one torch thread, the network's own masks (``refine="none"``: who is kept is decided before
segmentation, whichever way it then segments; the per-frame evidence step tripled the time)."""

import shutil
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from humanseg_core.cli import build_parser
from humanseg_core.cli.run import config_from_args
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_run import scene_run_job


def _config(**kw) -> SceneRunConfig:
    base = dict(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu", chunk_frames=8,
                batch_size=8, refine_labels=False, refine="none")
    return SceneRunConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def kept(tmp_path_factory, small_demo, one_thread):
    """A project on the demo where a run of person 1 alone came first (``first``), then a keep-trained run
    of persons 1 and 2 (``kept``, its reports in ``reports``), with what the project held after each; the
    project is closed: a test that runs more copies it (:func:`_copy`).  Both tests below start from it."""
    folder = tmp_path_factory.mktemp("keep") / "proj"
    project = Project.create(folder, ProjectInputs(video=str(small_demo / "frames"),
                                                   trajectories=str(small_demo / "trajectories.txt"),
                                                   homography=str(small_demo / "H.txt")))
    try:
        first = run_job(scene_run_job(project, _config(pids=(1,))))
        first_result_runs, before = project.result_runs(), project.results(1)
        reports: list = []
        kept = run_job(scene_run_job(project, _config(keep_trained=True)), reports.append)
        kept_runs_1, kept_result_runs, kept_results_1 = project.runs(1), project.result_runs(), project.results(1)
    finally:
        project.close()
    return SimpleNamespace(folder=folder, first=first, first_result_runs=first_result_runs, before=before,
                           kept=kept, reports=reports, kept_runs_1=kept_runs_1, kept_result_runs=kept_result_runs,
                           kept_results_1=kept_results_1)


def _copy(kept, tmp_path) -> Project:
    return Project.open(shutil.copytree(kept.folder, tmp_path / "proj"))


def _same(a: dict, b: dict) -> bool:
    return sorted(a) == sorted(b) and all(np.array_equal(a[f], b[f]) for f in a)


def test_keep_trained_leaves_persons_with_results_alone_and_retrain_adds_a_run(kept, tmp_path):
    first, before = kept.first, kept.before
    assert first.persons == [1] and kept.first_result_runs == {1: first.run_ids[1]}
    assert before

    k, reports = kept.kept, kept.reports
    assert k.kept == {1: first.run_ids[1]} and k.persons == [2] and 1 not in k.run_ids
    assert len(kept.kept_runs_1) == 1  # person 1 was not trained again
    assert kept.kept_result_runs[1] == first.run_ids[1] and _same(kept.kept_results_1, before)
    assert not any(r.data.get("pid") == 1 for r in reports if r.data.get("stage") == "train")
    assert not any(r.data.get("redo") for r in reports)  # nobody is redone when kept
    assert k.to_json()["kept"] == {"1": first.run_ids[1]}

    with _copy(kept, tmp_path) as project:
        said: list = []
        again = run_job(scene_run_job(project, _config(pids=(1,), keep_trained=False)), said.append)  # a new run
        start = [r for r in said if r.data.get("stage") == "start" and "pids" in r.data][0]
        assert start.data["redo"] == {1: first.run_ids[1]}  # said before anything is trained
        assert f"person 1 (run {first.run_ids[1]}) already has results: trained and segmented again" in start.message
        assert again.persons == [1] and not again.kept and again.run_ids[1] != first.run_ids[1]
        assert [r["id"] for r in project.runs(1)] == [first.run_ids[1], again.run_ids[1]]  # nothing deleted
        assert _same(project.results(1, first.run_ids[1]), before)
        assert project.result_runs()[1] == again.run_ids[1]  # the newer run is the one used now


def test_everybody_kept_trains_nothing(kept, tmp_path, monkeypatch):
    from humanseg_core.osvos import device

    trained = kept.kept  # the run that trained person 2 (person 1 came first, on its own)
    assert trained.precision == "float32" and trained.to_json()["precision"] == "float32"
    assert not trained.precision_note
    have = {1: kept.first.run_ids[1], 2: trained.run_ids[2]}
    with _copy(kept, tmp_path) as project:
        monkeypatch.setattr(device, "cpu_bf16_native", lambda: True)  # the result says what segmentation ran in
        result = run_job(scene_run_job(project, _config(keep_trained=True, mixed_precision=True)))
        assert result.kept == have and result.persons == [] and not result.run_ids and not result.failed
        assert all(len(project.runs(p)) == 1 for p in (1, 2))
        assert result.precision == "bfloat16" and not result.precision_note
        monkeypatch.setattr(device, "cpu_bf16_native", lambda: False)
        result = run_job(scene_run_job(project, _config(keep_trained=True, mixed_precision=True)))
        assert result.precision == "float32" and "no native bfloat16" in result.precision_note


def test_cli_flag_reaches_the_config():
    parser = build_parser()
    base = ["run", "--project", "p", "--out", "o"]
    assert config_from_args(parser.parse_args(base + ["--keep-trained"])).keep_trained is True
    assert config_from_args(parser.parse_args(base)).keep_trained is False


def test_kept_persons_are_written_to_out_and_nobody_to_write_leaves_it(kept, tmp_path):
    """A walk: a resumed run (--keep-trained) into its earlier --out replaced it with an empty folder (the
    kept persons were not written), and a resumed batch emptied the scenes that were done."""
    have = {1: kept.first.run_ids[1], 2: kept.kept.run_ids[2]}
    with _copy(kept, tmp_path) as project:
        out = tmp_path / "out"
        said = []
        result = run_job(scene_run_job(project, _config(keep_trained=True, out=out)), said.append)
        assert result.kept == have and result.persons == []
        # every person kept: the start says so ("0 persons chosen" read as nobody, a walk)
        assert any(p.message == "2 persons chosen: 2 keeping their results (--keep-trained), 0 to segment"
                   for p in said if p.data.get("stage") == "start"), [p.message for p in said[:3]]
        writing = [p for p in said if p.data.get("stage") == "export" and "persons kept (1, 2)" in p.message]
        n_frames = len({f for pid, run in have.items() for f in project.mask_blobs(pid, "results", run)})
        assert len(writing) == n_frames and writing[-1].done == writing[-1].total == n_frames  # said as it goes
        for pid, run in have.items():  # every chosen person's stored masks, as the run writes its own
            stored = project.mask_blobs(pid, "results", run)
            assert sorted(int(p.stem) for p in (out / str(pid)).glob("*.png")) == sorted(stored)
        before = sorted(p.name for p in out.iterdir())
        result = run_job(scene_run_job(project, _config(pids=(1,), min_labels=10 ** 6, out=out)))  # skipped
        assert result.persons == [] and not result.kept and 1 in result.skipped
        assert sorted(p.name for p in out.iterdir()) == before  # not replaced by an empty folder


def test_writing_the_kept_persons_stops_at_a_cancel(kept, tmp_path):
    """Writing a kept person's stored masks into --out (a few seconds each on 2 cores) honours a cancel."""
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import CancelToken
    from humanseg_core.workflows.scene_sink import write_kept

    have = {1: kept.first.run_ids[1], 2: kept.kept.run_ids[2]}
    token = CancelToken()
    with _copy(kept, tmp_path) as project:
        job = write_kept(project, have, tmp_path / "stage", token)
        first = next(job)
        assert first.done == 1 and first.data["stage"] == "export"
        token.cancel()
        with pytest.raises(Cancelled):
            next(job)
        assert len({p.name for p in (tmp_path / "stage").rglob("*.png")}) == 1  # one frame written


def test_a_kept_persons_pixels_have_one_owner_with_the_runs(kept, tmp_path):
    """A walk: a Whole scene run that kept person 130's results wrote its masks as stored, 2398 pixels shared
    with the run's persons, while export.json said 0. The nearer one keeps them, the analyst's mask first."""
    from humanseg_core import rle
    from humanseg_core.metrics import read_mask
    from humanseg_core.workflows.scene_sink import write_kept

    run = kept.first.run_ids[1]
    with _copy(kept, tmp_path) as project:
        frame, blob = sorted(project.mask_blobs(1, "results", run).items())[0]
        mine = rle.from_blob(blob).astype(bool)
        depth = {1: 200.0, 7: 100.0}  # person 7 stands behind person 1
        for case, run_labels, nearer in (("depth", None, 1), ("label", {7: {frame: b""}}, 7)):
            out = tmp_path / case
            (out / "7").mkdir(parents=True)
            cv2.imwrite(str(out / "7" / f"{frame:05d}.png"), mine.astype(np.uint8) * 255)  # all of person 1's
            n, gone = run_job(write_kept(project, {1: run}, out, None, None, lambda p, f: depth[p], run_labels))
            one, seven = read_mask(out / "1" / f"{frame:05d}.png"), read_mask(out / "7" / f"{frame:05d}.png")
            assert not (one & seven).any() and gone == int(mine.sum()), case
            assert n == len(project.mask_blobs(1, "results", run)), case  # every stored mask of person 1 written
            assert (one if nearer == 1 else seven).sum() == mine.sum(), case
        # a mask of another size (a video replaced since) is written as it is: no crash after the training (a
        # review: ValueError, and the staged export was lost)
        out = tmp_path / "sizes"
        (out / "8").mkdir(parents=True)
        cv2.imwrite(str(out / "8" / f"{frame:05d}.png"), np.full((16, 20), 255, np.uint8))
        run_job(write_kept(project, {1: run}, out, None, None, lambda p, f: depth.get(p, 0.0), None))
        assert read_mask(out / "8" / f"{frame:05d}.png").shape == (16, 20)
        assert (read_mask(out / "1" / f"{frame:05d}.png") == mine).all()


@pytest.mark.parametrize("fmt", ["mots", "palette"])
def test_kept_persons_are_exported_with_the_trained_ones_in_every_format(kept, tmp_path, fmt):
    """A walk: `run --pids 86,87,91 --keep-trained --format mots` trained 86, then failed with KeyError: 87
    (the kept persons had no depth key for the export)."""
    import json

    with _copy(kept, tmp_path) as project:
        out = tmp_path / "out"
        result = run_job(scene_run_job(project, _config(pids=(1, 2, 3), keep_trained=True, out=out, fmt=fmt)))
        assert sorted(result.kept) == [1, 2] and result.persons == [3]
        if fmt == "mots":
            ids = json.loads((out / "pids.json").read_text())
            lines = (out / "instances.txt").read_text().splitlines()
            assert sorted(ids.values()) == [1, 2, 3]
            assert {int(line.split()[1]) for line in lines} == {int(k) for k in ids}
        else:
            assert any(out.rglob("*.png"))
            assert json.loads((out / "export.json").read_text())["persons"] == [1, 2, 3]


def test_the_export_says_which_masks_earlier_runs_made(kept, tmp_path):
    """A walk: after --keep-trained the export.json's `made` gave this run's refine and budget for masks an
    earlier run (another refine, another budget) had made, and eval-scene repeated it."""
    import json

    with _copy(kept, tmp_path) as project:
        out = tmp_path / "out"
        run_job(scene_run_job(project, _config(pids=(1, 2, 3), keep_trained=True, out=out, steps_per_person=2)))
        made = json.loads((out / "export.json").read_text())["made"]
        assert made["steps_per_person"] == 2
        assert made["kept"] == {"1": {"run": kept.first.run_ids[1], "refine": "none", "backend": "local",
                                      "accept": "all", "steps_per_person": 1, "seconds_per_person": None,
                                      "frozen_blocks": 8, "steps": 1},  # decoder alone (ADR 0028)
                                "2": {"run": kept.kept.run_ids[2], "refine": "none", "backend": "local",
                                      "accept": "all", "steps_per_person": 1, "seconds_per_person": None,
                                      "frozen_blocks": 8, "steps": 1}}
        assert "reused" not in made


def test_a_kept_persons_depth_comes_from_its_stored_network(kept, tmp_path):
    """The export orders a kept person by the feet row its stored network's crop geometry gives at the track
    point (a review: a kept person left without depth would lose every shared pixel, unnoticed)."""
    from humanseg_core.workflows.scene_sink import with_kept_depth

    with _copy(kept, tmp_path) as project:
        scene = project.load_scene()
        try:
            depth = with_kept_depth(lambda pid, frame: -1.0, project, scene, {1: kept.first.run_ids[1]})
            frame = next(f for f in sorted(scene.frames.indices) if scene.position_px(1, f) is not None)
            u, v = scene.position_px(1, frame)
            d = depth(1, frame)
            assert isinstance(d, float) and d > 0 and abs(d - v) < scene.height / 2  # near the point's row
            assert depth(2, frame) == -1.0  # the run's own persons: the run's depth
        finally:
            scene.close()


def test_a_run_stopped_part_way_is_said_on_export_and_segmented_again(kept, tmp_path, capsys):
    """A walk interrupted a run mid-segmentation: the person's 86 of 221 frames were exported and kept by
    --keep-trained ("kept its results") without a word that they were partial."""
    import json
    import sqlite3

    from humanseg_core.export.runs import stopped_exported

    run2 = kept.kept.run_ids[2]
    folder = shutil.copytree(kept.folder, tmp_path / "proj")
    with sqlite3.connect(folder / "project.sqlite") as conn:  # as a killed run leaves it: never marked whole
        conn.execute("UPDATE runs SET metrics = ? WHERE id = ?", (json.dumps({"stopped": "cancelled"}), run2))
    from humanseg_core.cli import main

    assert main(["masks", "--project", str(folder), "--pid", "2", "--source", "results",
                 "--out", str(tmp_path / "m")]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["stopped_run"]["run"] == run2
    assert f"person 2: run {run2} was cancelled after segmenting" in err
    assert f"`humanseg segment --project {folder} --pid 2 --run {run2} --out DIR` segments the rest" in err
    assert main(["export", "--project", str(folder), "--pids", "1,2", "--source", "results", "--format", "davis",
                 "--out", str(tmp_path / "e")]) == 0
    out, err = capsys.readouterr()
    assert list(json.loads(out.strip().splitlines()[-1])["stopped_runs"]) == ["2"]
    assert "its results are partial" in err and "person 1:" not in err
    assert f"`humanseg segment --project {folder} --pid 2 --run {run2} --out DIR` segments the rest" in err
    with Project.open(folder) as project:
        frames = project.result_counts(2)[run2]
        assert stopped_exported(project, {1: kept.first.run_ids[1], 2: run2}) == {
            2: {"run": run2, "frames": frames, "why": "cancelled"}}
        said: list = []
        again = run_job(scene_run_job(project, _config(keep_trained=True)), said.append)
        assert again.kept == {1: kept.first.run_ids[1]} and again.persons == [2] and again.run_ids[2] != run2
        start = [r for r in said if r.data.get("stage") == "start" and "pids" in r.data][0]
        assert f"person 2 (run {run2}, {frames} frames): results of a run that stopped part-way" in start.message
        assert project.result_runs()[2] == again.run_ids[2] and project.result_counts(2)[run2] == frames  # kept
        assert stopped_exported(project, project.result_runs()) == {}
    # what the warning advised finishes the stopped run with its stored network: whole, nothing said any more
    assert main(["segment", "--project", str(folder), "--pid", "2", "--run", str(run2), "--refine", "none",
                 "--out", str(tmp_path / "s")]) == 0
    with Project.open(folder) as project:
        assert stopped_exported(project, {2: run2}) == {}


def test_the_words_for_persons_segmented_again_name_ten_and_count_the_rest():
    from humanseg_core.workflows.scene_redo import stopped_text

    text = stopped_text({p: (p + 100, 5) for p in range(1, 13)})
    assert text.startswith("12 persons 1 (run 101, 5 frames), 2 (run 102, 5 frames)")
    assert "10 (run 110, 5 frames), … (2 more): results of a run that stopped part-way" in text
    assert "11 (run" not in text
    assert stopped_text({4: (9, 1)}).startswith("person 4 (run 9, 1 frame): results")


def test_kept_persons_agreement_is_measured_where_their_run_stopped_before_it(kept, tmp_path):
    """A studio walk: persons finished before a cancel, kept by the next run, had no agreement, so the closing line's
    "look at these first" left out two of the three worst (J 0.52 and 0.53)."""
    import json
    import sqlite3

    from humanseg_core.workflows.agreement import METRIC, agree_kept
    from humanseg_core.workflows.scene_result import SceneRunResult

    run_1 = kept.first.run_ids[1]
    with _copy(kept, tmp_path) as project:
        metrics = next(r for r in project.runs(1) if int(r["id"]) == run_1)["metrics"]
        stripped = {k: v for k, v in metrics.items() if k not in (METRIC, "agreement_frames")}
        with sqlite3.connect(project.path) as conn:  # as a run cancelled before its store stage left it
            conn.execute("UPDATE runs SET metrics = ? WHERE id = ?", (json.dumps(stripped), run_1))
        result = SceneRunResult()
        result.kept = {1: run_1}
        agree_kept(project, result)
        assert set(result.agreement) == {1} and 0.0 < result.agreement[1] <= 1.0 and result.agreement_frames[1] > 0
        assert next(r for r in project.runs(1) if int(r["id"]) == run_1)["metrics"][METRIC] == round(
            result.agreement[1], 4)  # kept: the Persons tab's Agree column reads it
    k = kept.kept  # a run keeping person 1 names its agreement with the others'
    assert 1 in k.agreement and 2 in k.agreement


def test_kept_persons_networks_share_the_pixels_out_in_the_evidence_step(kept, tmp_path, monkeypatch):
    """A re-walk finished a cancelled run keeping its whole persons: the per-frame evidence step ran without them,
    and their neighbour's J fell from 0.418 to 0.309. The kept persons' networks now join it; their masks are
    made and left (their stored results stay as they were)."""
    from humanseg_core.workflows import scene_evidence

    real, seen = scene_evidence.segment_evidence_job, {}

    def spy(scene, nets, frames_by_pid, sink, *a, **k):
        seen["nets"], seen["frames"] = set(nets), {p: list(f) for p, f in frames_by_pid.items()}
        return (yield from real(scene, nets, frames_by_pid, sink, *a, **k))

    monkeypatch.setattr(scene_evidence, "segment_evidence_job", spy)
    with _copy(kept, tmp_path) as project:
        before = project.results(1)
        result = run_job(scene_run_job(project, _config(pids=(1, 3), keep_trained=True, refine="evidence")))
        assert result.kept == {1: kept.first.run_ids[1]} and result.persons == [3]
        assert seen["nets"] == {1, 3} and seen["frames"][1]  # person 1's network made its masks beside 3's
        assert _same(project.results(1), before) and len(project.runs(1)) == 1  # ... and left them
        assert project.results(3) and set(project.result_runs()) >= {1, 3}
