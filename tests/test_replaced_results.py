"""Results written again keep the masks they replace (ADR 0052, schema 2): `segment` on a run with results overwrote
them, and an older network's or the per-frame evidence's masks could not be made again."""

import json
import shutil
import sqlite3

import numpy as np
import pytest

from humanseg_core.cli import main
from humanseg_core.errors import HumansegError, ProjectError
from humanseg_core.project import FILENAME, SCHEMA_VERSION, Project
from humanseg_core.records import ProjectInputs


def _mask(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((24, 32)) > 0.5


@pytest.fixture
def project(tmp_path):
    inputs = ProjectInputs(video=str(tmp_path / "video.mp4"), trajectories="traj.txt", homography="H.txt")
    p = Project.create(tmp_path / "proj", inputs)
    yield p
    p.close()


def test_a_save_over_results_keeps_them_and_a_restore_swaps_them_back(project):
    run = project.add_run(3, "osvos-lite")
    assert project.save_results(3, run, {0: _mask(0), 1: _mask(1)}) is None  # nothing there yet
    assert project.save_results(3, run, {1: _mask(1)}) is None  # the same mask again: nothing to keep
    project.update_run(run, metrics={"refined_with": "evidence", "agreement": 0.97, "steps": 60})
    kept = project.save_results(3, run, {1: _mask(11), 2: _mask(2)}, "a segmentation through the network alone")
    project.update_run(run, metrics={"refined_with": "none", "agreement": 0.85})
    assert kept == 1
    [one] = project.replaced_sets(3)
    assert (one.set_id, one.pid, one.run_id, one.masks, one.absent, one.frames) == (1, 3, run, 1, 1, (1, 2))
    assert one.made == "evidence"  # how the masks it keeps were made (a re-walk could not tell two sets apart)
    assert one.text().startswith(f"set 1: person 3, run {run}, 1 mask of the per-frame evidence and 1 frame without "
                                 "one (frames 1, 2), "
                                 "replaced ") and one.text().endswith(" by a segmentation through the network alone")
    assert project.replaced_sets(4) == []
    restored, again, metrics_back = project.restore_replaced(1)
    assert restored == one and again == 2 and metrics_back
    results = project.results(3, run)  # as before the segmentation: frame 2 had no result (a walk's undo kept it)
    assert sorted(results) == [0, 1] and np.array_equal(results[1], _mask(1))
    [metrics] = [r["metrics"] for r in project.runs(3)]
    assert metrics == {"refined_with": "evidence", "agreement": 0.97, "steps": 60}  # the masks' metrics back too
    project.restore_replaced(2)  # and back: nothing was lost either way
    results = project.results(3, run)
    assert sorted(results) == [0, 1, 2] and np.array_equal(results[1], _mask(11))
    assert [r["metrics"] for r in project.runs(3)] == [{"refined_with": "none", "agreement": 0.85, "steps": 60}]
    assert [s.set_id for s in project.replaced_sets()] == [1, 2, 3]
    assert project.replaced_sets()[1].why == "the restore of set 1"
    with pytest.raises(HumansegError, match="no set 9 of replaced masks .its sets: 1, 2, 3."):
        project.restore_replaced(9)


def test_an_older_set_restored_after_later_writes_leaves_the_runs_metrics(project):
    """A review: restoring set 1 after the run was completed by a later segmentation put its "cancelled" metrics
    back over a whole run, and Play and Export took another run."""
    run = project.add_run(3, "osvos-lite", params={"scene_run": True}, metrics={"stopped": "cancelled"})
    project.save_results(3, run, {0: _mask(0), 1: _mask(1)})
    assert project.save_results(3, run, {0: _mask(10)}) == 1  # set 1: keeps frame 0, metrics "cancelled"
    project.update_run(run, metrics={"stopped": None, "segmented_frames": 3, "completed_by": "segment",
                                     "agreement": 0.9, "refined_with": "none"})
    project.save_results(3, run, {2: _mask(2)})  # frames added since: no set, but the run is not as set 1 left it
    restored, kept, metrics_back = project.restore_replaced(1)
    assert not metrics_back and kept == 2
    assert np.array_equal(project.results(3, run)[0], _mask(0)) and sorted(project.results(3, run)) == [0, 1, 2]
    [metrics] = [r["metrics"] for r in project.runs(3)]
    assert metrics["segmented_frames"] == 3 and metrics["stopped"] is None and project.used_run(3) == run
    assert "agreement" not in metrics and "refined_with" not in metrics  # unknown now, not kept wrong (a re-walk)
    assert project.restore_replaced(2).metrics_back  # its undo, nothing written since: whole again


def test_an_older_set_of_every_frame_keeps_how_its_masks_were_made(project):
    """A re-walk: restoring an older set of a whole span dropped "evidence", which that set records."""
    run = project.add_run(3, "osvos-lite", params={"scene_run": True, "refine": "evidence"})
    project.save_results(3, run, {0: _mask(0), 1: _mask(1)})
    first = project.save_results(3, run, {0: _mask(10), 1: _mask(11)}, "a segmentation through the network alone")
    project.update_run(run, metrics={"refined_with": "none", "agreement": 0.5})
    project.save_results(3, run, {0: _mask(20)})  # written since: not whole
    assert project.replaced_sets()[0].made == "evidence"  # from the Whole scene run's params
    assert not project.restore_replaced(first).metrics_back
    [metrics] = [r["metrics"] for r in project.runs(3)]
    assert metrics.get("refined_with") == "evidence" and "agreement" not in metrics


def test_masks_written_again_as_they_were_leave_the_results_stamp(project):
    """A walk: restoring a set whose masks the run already had changed the results' stamp, and `status` asked for
    an export of the same masks; a segmentation giving the same masks did so too."""
    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {0: _mask(0), 1: _mask(1)})
    stamp = project.results_stamp([run])
    assert project.save_results(3, run, {0: _mask(0), 1: _mask(1)}) is None
    assert project.results_stamp([run]) == stamp
    assert project.save_results(3, run, {1: _mask(11)}) == 1
    stamp = project.results_stamp([run])
    project.restore_replaced(1)  # frame 1 back to mask 1: written, a new stamp
    assert project.results_stamp([run]) != stamp and np.array_equal(project.results(3, run)[1], _mask(1))
    stamp = project.results_stamp([run])
    restored, kept, _back = project.restore_replaced(1)  # the same masks again: nothing written, nothing kept
    assert kept is None and project.results_stamp([run]) == stamp


def test_a_restore_that_only_takes_frames_away_moves_the_results_stamp(project):
    """A review: masks written again as they were are not written, so a restore whose only change was to take frames
    away left the stamp (the largest rowid) as it was: an export of those frames read "exported", and an older set
    read "whole" and put its metrics back over a run changed since."""
    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {f: _mask(f) for f in range(3)})
    project.save_results(3, run, {**{f: _mask(100 + f) for f in range(3)}, 3: _mask(3), 4: _mask(4)})  # set 1
    project.save_results(3, run, {f: _mask(f) for f in range(3)})  # set 2: frames 0-2 as set 1 holds them
    exported = project.results_stamp([run])
    restored = project.restore_replaced(1)  # 0-2 the same: only frames 3 and 4 taken away
    assert sorted(project.results(3, run)) == [0, 1, 2] and restored.kept == 3
    assert project.results_stamp([run]) != exported and project.results_stamp([run])[run] > exported[run]
    assert not project.restore_replaced(2).metrics_back  # written to since set 2 was made


def test_frames_text_says_few_frames_by_name_and_gaps_by_count():
    from humanseg_core.project.replaced import frames_text

    assert frames_text([7]) == "frame 7" and frames_text([3800, 3948, 3949]) == "frames 3800, 3948, 3949"
    assert frames_text(list(range(10, 20))) == "frames 10-19"
    assert frames_text([*range(10, 20), 30]) == "frames 10-30, 11 of them"


def _as_version_1(folder):
    conn = sqlite3.connect(folder / FILENAME)
    with conn:
        conn.execute("DROP TABLE replaced_masks")
        conn.execute("DROP TABLE replaced_sets")
        conn.execute("PRAGMA user_version = 1")
    conn.close()


def test_a_version_1_project_is_migrated_and_read_only_ones_still_open(project, monkeypatch):
    assert SCHEMA_VERSION == 2
    run = project.add_run(3, "osvos-lite")
    project.save_results(3, run, {0: _mask(0)})
    folder = project.folder
    project.close()
    _as_version_1(folder)
    import os

    from humanseg_core.project import store

    real = os.access
    monkeypatch.setattr(store.os, "access", lambda p, mode: False if mode == os.W_OK and str(p).startswith(
        str(folder)) else real(p, mode))  # as a read-only mount shows it (tests run as root)
    with Project.open(folder, reading=True) as p:  # read as it is: nothing to migrate for reading
        assert p.read_only and p.replaced_sets() == [] and np.array_equal(p.results(3, run)[0], _mask(0))
    monkeypatch.undo()

    def version():
        conn = sqlite3.connect(folder / FILENAME)
        try:
            return conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()

    with Project.open(folder, reading=True, update=False) as p:  # a command that only reads never updates it
        assert p.read_only and np.array_equal(p.results(3, run)[0], _mask(0))  # (a walk's `status` did)
    assert version() == 1
    from humanseg_core.project import lock
    from humanseg_core.project.lock import LockHolder

    monkeypatch.setattr(lock, "holder", lambda _folder: LockHolder(4242, "elsewhere"))  # an older studio holds it
    with pytest.raises(ProjectError, match="must be updated from schema 1 to 2 to be changed, and a studio window "
                                           "holds it .process 4242 on elsewhere.: close that window first, or "
                                           "delete .*studio.lock if no window there has it open"):
        Project.open(folder)  # (another machine's lock: a crash there left it for good, unsaid: a review)
    with Project.open(folder, reading=True) as p:  # a second studio window: read-only, as it is
        assert p.read_only
    assert version() == 1
    monkeypatch.undo()
    with Project.open(folder, reading=True) as p:  # the studio's own opening updates it
        assert not p.read_only
        assert [n for n in p.notes if "updated from schema 1 to 2" in n and "older than 7 Dec 2026" in n]
        assert not p.warnings  # no problem: the studio says it in its status bar, not the problems strip (a walk)
        assert p.save_results(3, run, {0: _mask(5)}) == 1
        assert np.array_equal(p.results(3, run)[0], _mask(5))
    assert version() == 2
    with Project.open(folder) as p:
        assert not p.notes  # said once


def test_segment_again_keeps_the_whole_scene_masks_and_replaced_restores_them(local_run, tmp_path, capsys):
    """The walk's case: a Whole scene person segmented again with the network alone; its run's masks come back."""
    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    with Project.open(folder) as p:
        run = p.used_run(1)
        before = p.mask_blobs(1, "results", run)
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", "0:3", "--refine", "evidence",
                 "--out", str(tmp_path / "some")]) == 0  # not as the run made them (the network alone)
    out, err = capsys.readouterr()
    kept = json.loads(out.strip().splitlines()[-1])["kept_set"]
    assert kept == 1 and f"that changed are kept as set 1 (`humanseg replaced --project {folder} --restore 1`" in err
    assert "had results on 21 frames; this segmentation of 3 (the per-frame evidence) replaced 3 of them" in err
    with Project.open(folder) as p:
        changed = [f for f, b in p.mask_blobs(1, "results", run).items() if b != before[f]]
    assert changed and set(changed) <= {0, 1, 2}
    assert main(["replaced", "--project", str(folder)]) == 0
    out, err = capsys.readouterr()
    [listed] = json.loads(out.strip().splitlines()[-1])["sets"]
    assert (listed["pid"], listed["run_id"], listed["masks"]) == (1, run, len(changed))
    assert listed["made"] == "none"  # the Whole scene run's own refine (a re-walk: its evidence masks said nothing)
    assert f"set 1: person 1, run {run}, {len(changed)} mask" in err
    assert main(["replaced", "--project", str(folder), "--pid", "999"]) == 2
    assert "no person with id 999 in this project" in capsys.readouterr().err
    assert main(["replaced", "--project", str(folder), "--pid", "2", "--restore", "1"]) == 2
    assert "set 1 is person 1's, not person 2's (nothing was changed)" in capsys.readouterr().err
    assert main(["replaced", "--project", str(folder), "--restore", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["kept_set"] == 2
    with Project.open(folder) as p:
        assert p.mask_blobs(1, "results", run) == before
    with Project.open(folder) as p:  # a newer run is the one Play and Export use now (a walk: nothing said so)
        newer = p.add_run(1, "osvos-lite", metrics={"segmented_frames": 1})
        p.save_results(1, newer, {0: p.results(1, run)[0]})
    assert main(["replaced", "--project", str(folder), "--restore", "2"]) == 0
    out, err = capsys.readouterr()
    assert f"run {run} is not the run Play and Export use for person 1 (run {newer}" in err
    assert json.loads(out.strip().splitlines()[-1])["used_run"] == newer


def test_segment_again_counts_the_runs_frames_anew(local_run, tmp_path, capsys):
    """A walk's `segment` over a whole-scene person left its run's "no mask on 3 frames" and "147 segmented frames"
    where all 150 frames had masks now (and a restore carried them on)."""
    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    with Project.open(folder) as p:
        run = p.used_run(1)
        p.update_run(run, metrics={"no_mask_frames": 5, "segmented_frames": 3})
        span = p.load_scene()
        first, last = span.span(1)
        span.close()
        blobs = p.mask_blobs(1, "results", run)
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", f"{first}:{first + 2}",
                 "--refine", "evidence", "--out", str(tmp_path / "some")]) == 0  # a range: the span counted whole
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    from humanseg_core.rle import blob_holds_pixels

    with Project.open(folder) as p:
        [metrics] = [r["metrics"] for r in p.runs(1) if r["id"] == run]
        now = p.mask_blobs(1, "results", run)
        assert metrics["segmented_frames"] == len(now) >= len(blobs)
        assert metrics["refined_with"] is None  # 3 evidence masks among network-alone ones: unknown (a walk)
        assert metrics["no_mask_frames"] == sum(1 for f in range(first, last + 1)
                                                if not (f in now and blob_holds_pixels(now[f])))
        assert out["kept_set"] == 1 and out["kept_masks"] >= 1  # the evidence step's masks are not the network's
        p.restore_replaced(out["kept_set"])  # and a restore gives the earlier counts back
        [metrics] = [r["metrics"] for r in p.runs(1) if r["id"] == run]
        assert (metrics["no_mask_frames"], metrics["segmented_frames"]) == (5, 3)
        assert metrics["refined_with"] == "none"  # as the Whole scene run made them (its refine)


def test_programs_opening_an_older_project_at_once_update_it_once(tmp_path):
    """A review: four processes opening a schema 1 project together failed on "table replaced_sets already exists"
    (each read the version before taking the write lock)."""
    import threading

    inputs = ProjectInputs(video=str(tmp_path / "video.mp4"), trajectories="traj.txt")
    failures = []
    for trial in range(6):
        folder = tmp_path / f"p{trial}"
        Project.create(folder, inputs).close()
        _as_version_1(folder)
        start = threading.Barrier(4)

        def opener(start=start, folder=folder):
            start.wait()
            try:
                Project.open(folder).close()
            except Exception as exc:  # noqa: BLE001  (every failure counts)
                failures.append(exc)

        threads = [threading.Thread(target=opener) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        conn = sqlite3.connect(folder / FILENAME)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        conn.close()
    assert failures == []


def test_span_metrics_leave_out_frames_unreadable_now_or_before(project):
    """A review: a ranged segment counted frames the run had recorded unreadable (outside the range) as without a
    mask."""
    from humanseg_core import rle
    from humanseg_core.workflows.segment_range import span_metrics

    run = project.add_run(3, "osvos-lite", metrics={"no_mask_frames": 9, "segmented_frames": 1,
                                                    "unreadable_frames": {"4": "cannot be read"}})
    project.save_result_blobs([(3, run, f, rle.to_blob(_mask(f))) for f in (0, 1, 2)])
    [row] = project.runs(3)
    assert span_metrics(project, 3, row, [0, 1, 2, 3, 4, 5], [5]) == {"segmented_frames": 3, "no_mask_frames": 1}


def test_a_reading_command_leaves_an_older_project_with_an_odd_name_as_it_is(tmp_path):
    """A review: "shot#1" and "take?2" were read as URI parts, the check failed, and `status` updated them."""
    inputs = ProjectInputs(video=str(tmp_path / "video.mp4"), trajectories="traj.txt")
    for name in ("shot#1", "take?2", "50% off"):
        folder = tmp_path / name
        Project.create(folder, inputs).close()
        _as_version_1(folder)
        with Project.open(folder, reading=True, update=False) as p:
            assert p.read_only
        conn = sqlite3.connect(folder / FILENAME)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        conn.close()


def test_replaced_measures_a_run_again_after_an_older_sets_restore(local_run, tmp_path, capsys):
    """A re-walk: after an older set's restore the run kept the later masks' agreement, the next set kept it, and
    that set's restore put it back as true; the note's remedy (`segment`) replaced the masks just restored."""
    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    with Project.open(folder) as p:
        run = p.used_run(1)
        frames = sorted(p.mask_blobs(1, "results", run))[:2]
        p.update_run(run, metrics={"agreement": 0.123})
        first = p.save_results(1, run, {frames[0]: _mask(1)[:1, :1].repeat(288, 0).repeat(360, 1)})
        p.save_results(1, run, {frames[1]: np.zeros((288, 360), bool)})  # written since: set 1 no longer whole
    assert main(["replaced", "--project", str(folder), "--restore", str(first)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["metrics_back"] is False
    assert "its frame counts and agreement were measured again from them" in err
    with Project.open(folder) as p:
        [metrics] = [r["metrics"] for r in p.runs(1) if r["id"] == run]
    assert isinstance(metrics.get("agreement"), float) and metrics["agreement"] != 0.123


def test_a_restore_whose_recount_cannot_run_still_succeeds(local_run, tmp_path, capsys, monkeypatch):
    from humanseg_core.workflows import segment_range

    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    with Project.open(folder) as p:
        run = p.used_run(1)
        frames = sorted(p.mask_blobs(1, "results", run))[:2]
        first = p.save_results(1, run, {frames[0]: np.zeros((288, 360), bool)})
        p.save_results(1, run, {frames[1]: np.zeros((288, 360), bool)})

    def moved(*_a, **_k):
        raise HumansegError("frames: no such folder")
        yield  # a job

    monkeypatch.setattr(segment_range, "recount_job", moved)
    assert main(["replaced", "--project", str(folder), "--restore", str(first)]) == 0
    assert "restored, but its counts and agreement were not measured again: frames: no such folder" in \
        capsys.readouterr().err
