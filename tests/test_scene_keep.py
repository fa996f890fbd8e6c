"""``SceneRunConfig.keep_trained`` (``humanseg run --keep-trained``): persons that already have segmentation
results keep them (no training, no new run, their results stay the newest); without it they are retrained
and a new run is added, and no stored run or result is ever deleted either way.  Tiny demo scene, one
training step, one torch thread, the network's own masks (``refine="none"``: who is kept is decided before
segmentation, whichever way it then segments; the per-frame evidence step tripled the time)."""

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


@pytest.fixture
def project(tmp_path, small_demo):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    demo = small_demo
    p = Project.create(tmp_path / "proj", ProjectInputs(video=str(demo / "frames"),
                                                        trajectories=str(demo / "trajectories.txt"),
                                                        homography=str(demo / "H.txt")))
    yield p
    p.close()
    torch.set_num_threads(before)


def _same(a: dict, b: dict) -> bool:
    return sorted(a) == sorted(b) and all(np.array_equal(a[f], b[f]) for f in a)


def test_keep_trained_leaves_persons_with_results_alone_and_retrain_adds_a_run(project):
    first = run_job(scene_run_job(project, _config(pids=(1,))))
    assert first.persons == [1] and project.result_runs() == {1: first.run_ids[1]}
    before = project.results(1)
    assert before

    reports = []
    kept = run_job(scene_run_job(project, _config(keep_trained=True)), reports.append)
    assert kept.kept == {1: first.run_ids[1]} and kept.persons == [2] and 1 not in kept.run_ids
    assert len(project.runs(1)) == 1  # person 1 was not trained again
    assert project.result_runs()[1] == first.run_ids[1] and _same(project.results(1), before)
    assert not any(r.data.get("pid") == 1 for r in reports if r.data.get("stage") == "train")
    assert kept.to_json()["kept"] == {"1": first.run_ids[1]}

    again = run_job(scene_run_job(project, _config(pids=(1,), keep_trained=False)))  # retrain: a new run
    assert again.persons == [1] and not again.kept and again.run_ids[1] != first.run_ids[1]
    assert [r["id"] for r in project.runs(1)] == [first.run_ids[1], again.run_ids[1]]  # nothing deleted
    assert _same(project.results(1, first.run_ids[1]), before)
    assert project.result_runs()[1] == again.run_ids[1]  # the newer run is the one used now


def test_everybody_kept_trains_nothing(project, monkeypatch):
    from humanseg_core.osvos import device

    first = run_job(scene_run_job(project, _config()))
    assert first.precision == "float32" and first.to_json()["precision"] == "float32" and not first.precision_note
    monkeypatch.setattr(device, "cpu_bf16_native", lambda: True)  # the result says what segmentation ran in
    result = run_job(scene_run_job(project, _config(keep_trained=True, mixed_precision=True)))
    assert result.kept == first.run_ids and result.persons == [] and not result.run_ids and not result.failed
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
