"""A Whole scene run cancelled after training, before segmenting: running the scene again trained every
person from the start (a walk: 'trained, not segmented (cancelled)' for four persons, then 'Training: person
7 (6/7)' on Run again). With ``reuse_trained`` the stored networks segment instead, as new runs naming the
cancelled one; without it the persons train again, as before."""

from __future__ import annotations

import os

import pytest

from humanseg_core.demo import write_demo
from humanseg_core.errors import Cancelled
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_reuse import reusable_networks
from humanseg_core.workflows.scene_run import scene_run_job


@pytest.fixture
def cancelled(tmp_path):
    """A demo project whose Whole scene run on persons 1, 2 was cancelled as person 2 began to train."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    demo = write_demo(tmp_path / "demo", n_frames=13, width=360, height=288)
    project = Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))
    cancel = CancelToken()

    def watch(p):
        if p.data.get("stage") == "train" and p.data.get("pid") == 2:
            cancel.cancel()

    config = SceneRunConfig(pids=(1, 2), steps_per_person=2, seconds_per_person=None, device="cpu",
                            refine_labels=False, refine="none")
    with pytest.raises(Cancelled):
        run_job(scene_run_job(project, config, cancel), watch)
    yield project, config
    project.close()
    torch.set_num_threads(before)


def test_the_networks_of_a_cancelled_run_segment_when_reused(cancelled):
    project, config = cancelled
    old = {int(r["pid"]): r for r in project.runs()}
    assert list(old) == [1] and old[1]["metrics"]["stopped"] == "cancelled" and project.result_runs() == {}
    assert set(reusable_networks(project, None, None)) == {1}
    assert set(reusable_networks(project, (1,), "vgg16")) == set()  # another model's network is not reused
    assert set(reusable_networks(project, (2,), None)) == set()

    import subprocess

    gone = subprocess.Popen(["true"])  # the stopped run's process, ended (a review: copied, it named the new run)
    gone.wait()
    project.update_run(old[1]["id"], metrics={"process": {**old[1]["metrics"]["process"], "pid": gone.pid}})
    seen = []
    from dataclasses import replace

    result = run_job(scene_run_job(project, replace(config, reuse_trained=True)), seen.append)
    assert result.reused == {1: old[1]["id"]}
    assert result.persons == [1, 2]
    trained = {p.data.get("pid") for p in seen if p.data.get("stage") == "train" and p.data.get("step")}
    assert trained == {2}  # person 1 took no training step
    chosen = next(p.message for p in seen if "chosen" in p.message)  # said once (a walk read "trained again" too)
    assert chosen.endswith(f"; person 1 (run {old[1]['id']}): segmented with the network its stopped run "
                           "trained, not trained again (--reuse-trained)")
    assert "trained and segmented again" not in chosen
    said = next(p.message for p in seen if "to train" in p.message)  # (a walk read "5 persons to train", 2 reused)
    assert said.startswith("1 person to train") and "1 with a stored network (1)" in said, said
    new = {r["id"]: r for r in project.runs()}
    run = new[result.run_ids[1]]
    assert run["checkpoint"] == old[1]["checkpoint"] and run["params"]["reused_run"] == old[1]["id"]
    assert "stopped" not in run["metrics"] and run["metrics"]["segmented_frames"] > 0
    assert run["metrics"]["process"]["pid"] == os.getpid()  # its own process, not the stopped run's
    assert new[old[1]["id"]]["metrics"]["stopped"] == "cancelled"  # the cancelled run is left as it was
    assert project.result_runs() == result.run_ids
    assert reusable_networks(project, None, None) == {}  # used now


def test_without_reuse_the_persons_train_again(cancelled):
    project, config = cancelled
    seen = []
    result = run_job(scene_run_job(project, config), seen.append)
    assert result.reused == {} and result.persons == [1, 2]
    trained = {p.data.get("pid") for p in seen if p.data.get("stage") == "train" and p.data.get("step")}
    assert trained == {1, 2}
    assert len({r["checkpoint"] for r in project.runs()}) == 3  # two new networks beside the cancelled run's


def test_ctrl_c_marks_the_runs_as_a_cancel_does(tmp_path):
    """A walk: after Ctrl-C in `humanseg run` the trained persons' runs had no 'stopped' mark, so
    --reuse-trained found nothing and trained them again."""
    import torch

    class CtrlC(CancelToken):  # Ctrl-C arrives where the job checks for a cancel
        def raise_if_cancelled(self):
            if self.cancelled:
                raise KeyboardInterrupt

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    demo = write_demo(tmp_path / "demo", n_frames=13, width=360, height=288)
    with Project.create(tmp_path / "proj", ProjectInputs(
            video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
            homography=str(demo / "H.txt"))) as project:
        token = CtrlC()
        config = SceneRunConfig(pids=(1, 2), steps_per_person=2, seconds_per_person=None, device="cpu",
                                refine_labels=False, refine="none")
        with pytest.raises(KeyboardInterrupt):
            run_job(scene_run_job(project, config, token),
                    lambda p: p.data.get("stage") == "train" and p.data.get("pid") == 2 and token.cancel())
        assert [r["metrics"].get("stopped") for r in project.runs()] == ["cancelled"]
        assert set(reusable_networks(project, None, None)) == {1}
    torch.set_num_threads(before)


def test_a_network_whose_run_was_cancelled_part_way_through_its_frames_is_reused(cancelled):
    """A walk's Ctrl-C during segmentation left 56 of 80 frames stored: --reuse-trained then trained the person
    again, saying nothing. The stored network segments all its frames again, as a new run."""
    import numpy as np

    from humanseg_core import rle
    from humanseg_core.workflows.scene_reuse import cancelled_before_segmenting

    project, config = cancelled
    old = project.runs()[0]
    mask = np.zeros((288, 360), bool)
    mask[100:150, 100:120] = True
    project.save_result_blobs([(1, old["id"], 0, rle.to_blob(mask))])  # frame 0 stored before the cut
    assert project.newest_result_runs() == {1: old["id"]}
    assert cancelled_before_segmenting(project.runs(), project.newest_result_runs()) == {}  # the studio's note
    assert set(reusable_networks(project, None, None)) == {1}
    from dataclasses import replace

    result = run_job(scene_run_job(project, replace(config, reuse_trained=True)))
    assert result.reused == {1: old["id"]} and result.persons == [1, 2]
    assert project.result_counts(1)[result.run_ids[1]] > 1  # every frame, not the one stored


def test_a_cancelled_run_older_than_the_persons_newest_results_is_not_reused(cancelled):
    """The person segmented since by another run (the Segment tab's): its newest results are that run's, and the
    cancelled run's older network is not taken for it (a mutation audit)."""
    import numpy as np

    from humanseg_core import rle

    project, _config = cancelled
    newer = project.add_run(1, "osvos-parent", {"seconds": 5}, "later.pt")
    mask = np.zeros((288, 360), bool)
    mask[100:150, 100:120] = True
    project.save_result_blobs([(1, newer, 0, rle.to_blob(mask))])
    assert reusable_networks(project, None, None) == {}


def test_the_network_of_a_killed_run_is_reused_and_a_failed_ones_is_not(cancelled):
    """A walk killed `run` (SIGKILL) while it segmented, then ran it again with --reuse-trained: every person trained
    again, without a word. A killed run leaves no mark: neither 'stopped' nor 'segmented_frames'."""
    import json
    import subprocess

    project, _config = cancelled
    run = project.runs()[0]
    metrics = {k: v for k, v in run["metrics"].items() if k != "stopped"}
    gone = subprocess.Popen(["true"])  # the killed process: ended
    gone.wait()
    metrics["process"] = {**metrics["process"], "pid": gone.pid, "started": None}
    with project._tx("test: killed") as conn:
        conn.execute("UPDATE runs SET metrics = ? WHERE id = ?", (json.dumps(metrics), run["id"]))
    assert set(reusable_networks(project, None, None)) == {1}
    project.update_run(run["id"], metrics={"stopped": "failed"})  # a failure's network is not taken on trust
    assert reusable_networks(project, None, None) == {}


def test_a_run_still_at_work_or_a_failed_or_empty_person_is_no_killed_run(cancelled):
    """A review: a run whose process still works (another terminal), a person that failed in a finished run and one
    found nowhere were all taken for killed runs, reused and called 'stopped (closed or killed)'."""
    import json
    import subprocess

    from humanseg_core.project.lock import this_process

    project, _config = cancelled
    run = project.runs()[0]
    metrics = {k: v for k, v in run["metrics"].items() if k != "stopped"}

    def recorded(**more):
        with project._tx("test") as conn:
            conn.execute("UPDATE runs SET metrics = ? WHERE id = ?", (json.dumps({**metrics, **more}), run["id"]))
        return set(reusable_networks(project, None, None))

    assert recorded(process=this_process()) == set()  # this process: at work
    other = subprocess.Popen(["sleep", "30"])
    try:
        alive = {**this_process(), "pid": other.pid, "started": None}
        assert recorded(process=alive) == set()
    finally:
        other.kill()
        other.wait()
    assert recorded(process=alive) == {1}  # its process gone: killed
    assert recorded(process=alive, segmented_frames=0) == set()  # found nowhere: whole
    assert recorded(process=alive, stopped="failed") == set()
