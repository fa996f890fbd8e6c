"""A whole-scene run cancelled while segmenting: a person whose whole span was segmented before the cancel
has a complete run; only the others' runs say "cancelled" (the studio then offers to complete only them).
Before, every run of the job was marked cancelled, and Keep / Retrain named complete persons as partial."""

from __future__ import annotations

import pytest

from humanseg_core.demo import write_demo
from humanseg_core.errors import Cancelled
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_run import scene_run_job
from humanseg_core.workflows.scene_units import span_frames


def _config(**kw) -> SceneRunConfig:
    """Persons 1 and 2, one training step, the network alone, chunks of 8 frames."""
    return SceneRunConfig(**{**dict(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu",
                                    chunk_frames=8, batch_size=8, refine_labels=False, refine="none"), **kw})


def _leaving_early(tmp_path) -> Project:
    """A project on the demo where person 2 leaves after frame 8 (its rows stop there, the file goes on): its span
    ends early, and it is segmented whole before person 1."""
    demo = write_demo(tmp_path / "demo", n_frames=21, width=360, height=288)
    rows = (demo / "trajectories.txt").read_text().splitlines()
    (demo / "trajectories.txt").write_text("\n".join(
        r for r in rows if not (int(float(r.split()[1])) == 2 and float(r.split()[0]) > 8)) + "\n")
    return Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))


def test_a_person_segmented_to_the_end_before_the_cancel_is_complete(tmp_path, one_thread):
    project = _leaving_early(tmp_path)
    try:
        scene = project.load_scene()
        ends = {p: span_frames(scene, p)[-1] for p in (1, 2)}
        scene.close()
        assert ends[2] < 16 <= ends[1]
        cancel = CancelToken()

        def watch(p):  # cancel once the frames up to 15 are segmented (chunks of 8 frames)
            if p.data.get("stage") == "segment" and p.data.get("frame", -1) >= 15:
                cancel.cancel()

        out = tmp_path / "out"  # an earlier export there: a cancel leaves it as it was
        (out / "7").mkdir(parents=True)
        (out / "7" / "00000.png").write_bytes(b"earlier")
        from humanseg_core.export.guard import stamp_text

        (out / ".humanseg-export").write_text(stamp_text(out))  # (a stamp listing its files, as exports write)
        config = _config(out=out)
        with pytest.raises(Cancelled):
            run_job(scene_run_job(project, config, cancel), watch)
        # the interrupted export was not created (a walk found out/<pid>/00000.png left after Ctrl-C)
        assert sorted(p.name for p in out.iterdir()) == [".humanseg-export", "7"]
        assert (out / "7" / "00000.png").read_bytes() == b"earlier"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []
        runs = {int(r["pid"]): r for r in project.runs()}
        assert (runs[2].get("metrics") or {}).get("stopped") is None
        assert (runs[2].get("metrics") or {}).get("segmented_frames") == project.result_counts(2)[runs[2]["id"]] > 0
        assert (runs[1].get("metrics") or {}).get("stopped") == "cancelled"
    finally:
        project.close()


def test_a_failure_while_segmenting_marks_runs_as_a_cancel_does(tmp_path, one_thread, monkeypatch):
    """A review: only a cancel or Ctrl-C marked the runs; after another error (CUDA out of memory, a write
    error) persons segmented whole were called partial, and --keep-trained trained them again."""
    project = _leaving_early(tmp_path)
    real = Project.save_result_blobs

    def failing(self, rows):
        if any(int(r[2]) >= 16 for r in rows):
            raise RuntimeError("CUDA out of memory")
        return real(self, rows)

    monkeypatch.setattr(Project, "save_result_blobs", failing)
    from humanseg_core.workflows import scene_sink

    monkeypatch.setattr(scene_sink, "FLUSH_FRAMES", 4)  # stored every few frames, as a long video is
    try:
        config = _config()
        with pytest.raises(RuntimeError, match="CUDA out of memory"):
            run_job(scene_run_job(project, config))
        runs = {int(r["pid"]): r for r in project.runs()}
        assert (runs[2].get("metrics") or {}).get("segmented_frames") == project.result_counts(2)[runs[2]["id"]] > 0
        assert (runs[1].get("metrics") or {}).get("stopped") == "failed"
    finally:
        project.close()


def test_a_full_disk_stops_the_run_instead_of_failing_every_person(tmp_path, one_thread, monkeypatch):
    """A review: a full disk while a network was written became one person's failure, and every later person
    trained its whole budget to fail the same way."""
    from humanseg_core.errors import DiskFullError
    from humanseg_core.osvos import train

    demo = write_demo(tmp_path / "demo", n_frames=21, width=360, height=288)
    project = Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))
    tried = []

    def full(path, state, meta):
        tried.append(path)
        raise DiskFullError(f"{path}: the trained network could not be written (the disk is full)")

    monkeypatch.setattr(train, "save_checkpoint", full)
    try:
        config = _config()
        with pytest.raises(DiskFullError):
            run_job(scene_run_job(project, config))
        assert len(tried) == 1
    finally:
        project.close()


def test_a_person_whose_results_were_never_stored_is_not_marked_whole(tmp_path, one_thread, monkeypatch):
    """An audit: the whole marks taken from the frames segmented, not those stored, called a person whole whose
    every store had failed."""
    from humanseg_core.workflows import scene_sink

    project = _leaving_early(tmp_path)

    def failing(self, rows):
        raise RuntimeError("the store failed")

    monkeypatch.setattr(Project, "save_result_blobs", failing)
    monkeypatch.setattr(scene_sink, "FLUSH_FRAMES", 4)
    try:
        config = _config()
        with pytest.raises(RuntimeError, match="the store failed"):
            run_job(scene_run_job(project, config))
        runs = {int(r["pid"]): r for r in project.runs()}
        assert (runs[2].get("metrics") or {}).get("stopped") == "failed"
        assert "segmented_frames" not in (runs[2].get("metrics") or {})
    finally:
        project.close()


def test_a_mark_that_cannot_be_stored_never_hides_the_error_that_stopped_the_run(monkeypatch):
    from types import SimpleNamespace

    from humanseg_core.errors import ProjectError
    from humanseg_core.workflows.scene_records import mark_stopped

    def full(*a, **k):
        raise ProjectError("the disk is full")

    project = SimpleNamespace(update_run=full, result_counts=lambda pid: {})
    mark_stopped(project, SimpleNamespace(run_ids={1: 5}, finished=set()), "failed")  # no error of its own
