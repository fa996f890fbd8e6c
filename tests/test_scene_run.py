"""The whole-scene job on a tiny demo scene (a handful of training steps): proposals, policy, training,
batched segmentation, one owner per pixel, stored results, DAVIS export, skipped persons, the CLI and the
Ray backend (same results as the local one)."""

import json

import numpy as np
import pytest

from humanseg_core.cli import main
from humanseg_core.demo import write_demo
from humanseg_core.errors import HumansegError
from humanseg_core.jobs import run_job
from humanseg_core.metrics import numbered_pngs, read_mask
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import AcceptPolicy, SceneRunConfig
from humanseg_core.workflows.scene_run import scene_run_job

PIDS = (1, 2)


def _inputs(demo):
    return ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                         homography=str(demo / "H.txt"))


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("scene")
    demo = write_demo(root / "demo", n_frames=21)
    project = Project.create(root / "proj", _inputs(demo))
    config = SceneRunConfig(pids=PIDS, steps_per_person=2, seconds_per_person=None, out=root / "out",
                            device="cpu", chunk_frames=8, batch_size=8, refine_labels=False)
    reports = []
    try:
        result = run_job(scene_run_job(project, config), reports.append)
        results = {pid: project.results(pid) for pid in PIDS}
    finally:
        project.close()
    return root, demo, result, results, reports


def test_run_segments_every_frame_of_each_span(local_run):
    root, _demo, result, results, reports = local_run
    assert result.persons == list(PIDS) and not result.skipped and not result.failed
    assert result.person_frames == sum(len(r) for r in results.values()) > 0
    assert {r.data.get("stage") for r in reports} >= {"propose", "train", "segment"}
    assert any(r.data.get("stage") == "train" and r.data.get("pid") == 2 for r in reports)  # per person
    for pid in PIDS:
        files = numbered_pngs(root / "out" / str(pid))
        assert sorted(files) == sorted(results[pid]) and len(files) == 21  # the demo tracks span 0..20
        png = read_mask(files[5])
        assert png.shape == results[pid][5].shape and (png == results[pid][5]).all()
    js = result.to_json()
    assert js["ms_per_person_frame"] > 0 and js["train_seconds"] > 0 and js["frames"] == 21


def test_stored_results_have_one_owner_per_pixel(local_run):
    _root, _demo, _result, results, _reports = local_run
    for f in results[PIDS[0]]:
        if f in results[PIDS[1]]:
            assert not (results[PIDS[0]][f] & results[PIDS[1]][f]).any()


def test_too_few_labels_are_skipped_not_a_crash(local_run, tmp_path):
    root, _demo, _result, _results, _reports = local_run
    project = Project.open(root / "proj")
    try:
        config = SceneRunConfig(pids=PIDS, steps_per_person=2, seconds_per_person=None, min_labels=50)
        result = run_job(scene_run_job(project, config))
        assert result.persons == [] and set(result.skipped) == set(PIDS)
        assert "3 usable label(s)" in result.skipped[1]
    finally:
        project.close()


def test_cli_run_reviewed_with_nothing_reviewed(local_run, tmp_path, capsys):
    root, *_ = local_run
    rc = main(["run", "--project", str(root / "proj"), "--pids", "1", "--accept", "reviewed",
               "--steps-per-person", "2", "--out", str(tmp_path / "o"), "--device", "cpu"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["persons"] == [] and "1" in out["skipped"]
    assert {"frames", "seconds", "train_seconds", "segment_seconds", "ms_per_person_frame"} <= set(out)


def test_policy_parsing():
    assert AcceptPolicy.parse("score>=0.8") == AcceptPolicy("score", 0.8)
    assert AcceptPolicy.parse("reviewed").takes("pending", 1.0) is False
    assert AcceptPolicy.parse("score>=0.5").takes("pending", 0.4) is False
    assert AcceptPolicy.parse("all").takes("rejected", 1.0) is False
    with pytest.raises(HumansegError, match="--accept"):
        AcceptPolicy.parse("most")
    with pytest.raises(HumansegError, match="budget"):
        SceneRunConfig(steps_per_person=None, seconds_per_person=None)


def test_ray_backend_gives_the_local_results(local_run, tmp_path):
    ray = pytest.importorskip("ray")
    _root, demo, local, local_results, _reports = local_run
    project = Project.create(tmp_path / "proj", _inputs(demo))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        config = SceneRunConfig(pids=PIDS, steps_per_person=2, seconds_per_person=None, device="cpu",
                                chunk_frames=8, batch_size=8, backend="ray", refine_labels=False)
        result = run_job(scene_run_job(project, config))
        results = {pid: project.results(pid) for pid in PIDS}
    finally:
        project.close()
        ray.shutdown()
    assert result.persons == local.persons and result.person_frames == local.person_frames
    for pid in PIDS:
        assert sorted(results[pid]) == sorted(local_results[pid])
        ious = [(a & b).sum() / max(1, (a | b).sum()) for f in results[pid]
                for a, b in [(results[pid][f], local_results[pid][f])] if a.any() or b.any()]
        assert np.mean(ious) > 0.98


def test_cli_batch_manifest(local_run, tmp_path, capsys):
    root, *_ = local_run
    manifest = tmp_path / "scenes.toml"
    manifest.write_text(f"""[defaults]
pids = "1,2"
min_labels = 50
steps_per_person = 2

[[scene]]
project = "{root / 'proj'}"
out = "o1"

[[scene]]
project = "new"
out = "o2"
""")
    assert main(["batch", "--manifest", str(manifest), "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(out["scenes"]) == 1 and set(out["scenes"][0]["skipped"]) == {"1", "2"}
    assert "no project there yet" in out["failed"][0]["error"]
    manifest.write_text("[[scene]]\nproject = 'p'\nout = 'o'\ncolour = 'red'\n")
    assert main(["batch", "--manifest", str(manifest)]) == 2
    assert "unknown keys ['colour']" in capsys.readouterr().err
