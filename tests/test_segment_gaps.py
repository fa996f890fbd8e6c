"""A frame the segmentation could not read is a named gap of the person's results, never a silent one.

Before: ``segment_job`` and the whole-scene run only wrote "frame N: cannot be read" into their notes; the
project kept nothing of it, so an export of the results (DAVIS, palette, MOTS, ``humanseg masks --source
results``) had a hole there and said nothing, unlike frames the proposal step could not read.
"""

import json

import numpy as np
import pytest
from test_osvos_checkpoint import _tiny_project

from humanseg_core.export import export_job
from humanseg_core.export.skipped import segmentation_gaps, skipped_lines
from humanseg_core.jobs import run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.project import Project
from humanseg_core.workflows import SegmentConfig, segment_person, train_person
from humanseg_core.workflows.person import record_unreadable


def test_a_frame_unreadable_when_segmenting_is_recorded_and_named_by_the_export(tmp_path):
    folder, _ = _tiny_project(tmp_path)
    frame3 = tmp_path / "frames" / "00003.png"
    with Project.open(folder) as project:
        done = run_job(train_person(project, 1, TrainConfig(steps=1, holdout=0, allow_download=False)))
        frame3.write_bytes(frame3.read_bytes()[:30])  # truncated after training: segmentation meets it
        seg = run_job(segment_person(project, 1, done.run_id, SegmentConfig(first=1, last=4)))
        assert sorted(seg.masks) == [1, 2, 4] and list(seg.masks.unreadable) == [3]
        stored = project.runs(1)[-1]["metrics"]["unreadable_frames"]
        assert list(stored) == ["3"] and "00003.png" in stored["3"]
        summary = run_job(export_job(project, [1], "palette", tmp_path / "pal", source="results"))
        [entry] = summary["skipped_frames"]
        assert entry["frame"] == 3 and entry["persons"] == [1] and entry["at"] == "segmentation"
        assert entry["file"].endswith("00003.png")
        assert "when the person was segmented" in skipped_lines(summary["skipped_frames"])[0]
        assert json.loads((tmp_path / "pal" / "skipped_frames.json").read_text()) == summary["skipped_frames"]
        # the accepted proposals are not the results: their export has no such gap
        accepted = run_job(export_job(project, [1], "palette", tmp_path / "acc", source="accepted"))
        assert accepted["skipped_frames"] == [] and not (tmp_path / "acc" / "skipped_frames.json").exists()


def test_a_frame_missing_from_the_folder_is_recorded_when_one_person_is_segmented(tmp_path):
    folder, _ = _tiny_project(tmp_path)
    with Project.open(folder) as project:
        done = run_job(train_person(project, 1, TrainConfig(steps=1, holdout=0, allow_download=False)))
        (tmp_path / "frames" / "00003.png").unlink()  # moved away after training (a data-safety walk)
        project.close()
    with Project.open(folder) as project:
        seg = run_job(segment_person(project, 1, done.run_id, SegmentConfig(first=1, last=4)))
        assert 3 not in seg.masks
        stored = project.runs(1)[-1]["metrics"]["unreadable_frames"]
        assert list(stored) == ["3"] and "has no image for frame 3" in stored["3"]


def test_segmenting_again_clears_the_frames_it_could_read_and_keeps_the_others(tmp_path):
    folder, _ = _tiny_project(tmp_path)
    with Project.open(folder) as project:
        run_id = project.add_run(1, "osvos-lite")
        record_unreadable(project, 1, run_id, [1, 2, 3, 4], {2: "f: frame 2: bad", 3: "f: frame 3: bad"})
        record_unreadable(project, 1, run_id, [3, 4], {})  # frame 3 read fine this time; 2 was not redone
        assert project.runs(1)[-1]["metrics"]["unreadable_frames"] == {"2": "f: frame 2: bad"}
        m = np.zeros((120, 160), bool)
        project.save_results(1, run_id, {1: m, 3: m, 4: m})
        assert [e["frame"] for e in segmentation_gaps(project, {1: {1: m, 3: m, 4: m}})] == [2]
        # a mask exists there after all (drawn on a later segmentation): no gap
        assert segmentation_gaps(project, {1: {1: m, 2: m, 3: m, 4: m}}) == []


@pytest.fixture(scope="module")
def proposed(tmp_path_factory, small_demo):
    """``proposed(frame)``: (a project folder on a copy of the demo whose frame ``frame`` is a truncated JPEG,
    holding persons 1 and 2's proposals as a whole-scene run makes them, the broken file), made once per
    frame by such a run that trains nobody; a test opens a copy of the folder (:func:`_open_copy`), so its
    run goes straight to training and segmentation (no proposal reads the broken frames, between the
    annotated ones)."""
    import torch

    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    made: dict = {}

    def make(frame: int):
        if frame not in made:
            root = tmp_path_factory.mktemp(f"broken{frame}")
            project, broken = _broken_demo(root, small_demo, frame)
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                with project:
                    only = run_job(scene_run_job(project, SceneRunConfig(pids=(1, 2), steps_per_person=1,
                                                                         seconds_per_person=None, device="cpu",
                                                                         min_labels=10**6, refine="none")))
                    assert only.persons == [] and set(only.skipped) == {1, 2} and set(project.pids()) == {1, 2}
            finally:
                torch.set_num_threads(before)
            made[frame] = (root / "proj", broken)
        return made[frame]

    return make


def _open_copy(folder, tmp_path) -> Project:
    import shutil

    return Project.open(shutil.copytree(folder, tmp_path / "proj"))


def _broken_demo(tmp_path, small_demo, frame: int):
    """A copy of the 21-frame demo scene (persons 1 and 2 among others) whose frame ``frame`` is a truncated
    JPEG, and a new project on it; returns (project, the broken file)."""
    import shutil

    from humanseg_core.records import ProjectInputs

    demo = shutil.copytree(small_demo, tmp_path / "demo")
    [broken] = [p for p in (demo / "frames").iterdir() if p.stem.endswith(f"{frame:02d}")]
    broken.write_bytes(broken.read_bytes()[:40])
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(demo / "frames"),
                                                              trajectories=str(demo / "trajectories.txt"),
                                                              homography=str(demo / "H.txt")))
    return project, broken


@pytest.mark.parametrize(("backend", "fmt"), [("local", "mots"), ("ray driver", "mots"), ("local", "davis")])
def test_the_whole_scene_run_records_a_frame_it_could_not_read(tmp_path, backend, fmt, monkeypatch, one_thread,
                                                               proposed):
    """A frame between the annotated ones (no proposal reads it) truncated: the run segments the rest, says
    which frame has no masks (JSON ``unreadable_frames``), each person's run keeps it for later exports, and the
    run's own export names it in skipped_frames.json (mots: through export_job; davis: written frame by frame
    by the run, which had no such file). "ray driver": the Ray backend's driver with its units run in this
    process (as in test_scene_run)."""
    from humanseg_core.workflows import scene_ray
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job
    from humanseg_core.workflows.scene_units import run_unit

    def in_process(units, address, workers, cancel=None):
        return [run_unit(u) for u in units]
        yield  # a job

    monkeypatch.setattr(scene_ray, "map_units_job", in_process)
    folder, frame5 = proposed(5)
    project = _open_copy(folder, tmp_path)
    config = SceneRunConfig(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu",
                            chunk_frames=8, batch_size=8, refine_labels=False, refine="none",
                            backend="ray" if backend == "ray driver" else "local", out=tmp_path / "run", fmt=fmt)
    with project:
        reports: list = []
        result = run_job(scene_run_job(project, config), reports.append)
        assert result.persons == [1, 2] and list(result.unreadable) == [5]
        assert [e["frame"] for e in result.to_json()["unreadable_frames"]] == [5]
        [entry] = json.loads((tmp_path / "run" / "skipped_frames.json").read_text())
        assert (entry["frame"], entry["persons"], entry["at"]) == (5, [1, 2], "segmentation")
        assert entry["file"].endswith(frame5.name)
        if fmt == "davis":
            for pid in (1, 2):
                pngs = {p.name for p in (tmp_path / "run" / str(pid)).iterdir()}
                assert "00004.png" in pngs and "00005.png" not in pngs
        else:  # the export's reports carry the run's stage (they had none)
            assert any(r.data.get("stage") == "export" for r in reports)
        for pid in (1, 2):
            assert 5 not in project.results(pid) and {4, 6} <= set(project.results(pid))
            assert list(project.runs(pid)[-1]["metrics"]["unreadable_frames"]) == ["5"]
        summary = run_job(export_job(project, [1, 2], "palette", tmp_path / "pal", source="results"))
        assert [(e["frame"], e["persons"], e["at"]) for e in summary["skipped_frames"]] == \
            [(5, [1, 2], "segmentation")]


def test_a_frame_missing_from_the_folder_is_named_as_an_unreadable_one_is(tmp_path, one_thread, proposed):
    """A data-safety walk moved one JPEG of a frames folder away: the run's export had a gap there that neither its
    JSON's unreadable_frames nor skipped_frames.json named (the frame is not in the video's index at all)."""
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    folder, frame7 = proposed(7)
    frame7.unlink()  # (this frame's fixture alone: no other test reads it)
    project = _open_copy(folder, tmp_path)
    config = SceneRunConfig(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu",
                            chunk_frames=8, batch_size=8, refine_labels=False, refine="none", out=tmp_path / "run",
                            fmt="mots")
    with project:
        result = run_job(scene_run_job(project, config))
        assert result.persons == [1, 2] and list(result.unreadable) == [7]
        assert "frames/ has no image for frame 7" in result.to_json()["unreadable_frames"][0]["reason"]
        [entry] = json.loads((tmp_path / "run" / "skipped_frames.json").read_text())
        assert (entry["frame"], entry["persons"], entry["at"]) == (7, [1, 2], "segmentation")
        for pid in (1, 2):
            assert list(project.runs(pid)[-1]["metrics"]["unreadable_frames"]) == ["7"]


@pytest.mark.parametrize("refine", ["none", "evidence"])
def test_a_cancelled_whole_scene_run_still_records_the_frames_it_could_not_read(tmp_path, refine, one_thread,
                                                                                proposed):
    """Cancelled while segmenting, after it met the truncated frame 2: the partial results are kept (they are
    the newest) and, since today, so is the gap; before, it was only recorded when segmentation finished."""
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import CancelToken
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    project = _open_copy(proposed(2)[0], tmp_path)
    config = SceneRunConfig(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu",
                            chunk_frames=8, batch_size=8, refine_labels=False, refine=refine)
    token = CancelToken()

    def stop_after_some_frames(p):  # once frames past 2 are read (the evidence step's frame), or each person has
        # frames past 2 segmented (per-person progress: the evidence step's counts what it handed on to be stored)
        if p.data.get("stage") != "segment":
            return
        done = p.data.get("person_frames") or {}
        reached = p.data["frame"] if "frame" in p.data else (min(done.values()) if done else -1)
        if reached >= 9:
            token.cancel()

    with project:
        with pytest.raises(Cancelled):
            run_job(scene_run_job(project, config, token), stop_after_some_frames)
        for pid in (1, 2):
            kept = project.results(pid)
            # partial, without frame 2 (the evidence step decides a frame only once it has seen the
            # frames around it, its temporal consensus: cancelled this early it has stored none yet)
            assert 2 not in kept and (refine == "evidence" or 0 < len(kept) < 20)
            assert list(project.runs(pid)[-1]["metrics"]["unreadable_frames"]) == ["2"]
            assert project.runs(pid)[-1]["metrics"]["stopped"] == "cancelled"  # the run says why it is partial
        from humanseg_core.export.runs import run_label

        assert "cancelled, 3 frames" in run_label(project.runs(1)[-1], 3)  # not "cancelled or failed"



def test_a_cut_short_scene_run_segmented_whole_becomes_the_run_used(tmp_path):
    """ADR 0011: a Whole scene run cancelled while segmenting is not what Play and Export use while the person
    has a finished run; Segment over the person's whole span with its network completes it, and then it is."""
    folder, _ = _tiny_project(tmp_path)
    with Project.open(folder) as project:
        first = run_job(train_person(project, 1, TrainConfig(steps=1, holdout=0, allow_download=False)))
        run_job(segment_person(project, 1, first.run_id, SegmentConfig()))
        cut = run_job(train_person(project, 1, TrainConfig(steps=1, holdout=0, allow_download=False)))
        project.update_run(cut.run_id, metrics={"stopped": "cancelled"})
        with project._tx("test") as conn:  # a scene run: as scene_run_job records it
            conn.execute("UPDATE runs SET params = ? WHERE id = ?", (json.dumps({"scene_run": True}), cut.run_id))
        m = np.zeros((120, 160), bool)
        project.save_results(1, cut.run_id, {1: m})
        assert project.result_runs() == {1: first.run_id}  # the cut run is kept, not used
        run_job(segment_person(project, 1, cut.run_id, SegmentConfig(first=1, last=2)))  # part: still cut short
        assert project.result_runs() == {1: first.run_id}
        run_job(segment_person(project, 1, cut.run_id, SegmentConfig()))
        assert project.result_runs() == {1: cut.run_id}
        metrics = project.runs(1)[-1]["metrics"]
        assert metrics["segmented_frames"] == len(project.results(1)) and metrics["stopped"] is None
