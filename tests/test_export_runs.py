"""Exports of a chosen run's results (not only the newest): core ``export_job(runs=...)``, ``collect_masks`` /
``source_frames`` with a run, the gaps of that run, run labels, and ``humanseg export --run/--runs`` and
``humanseg masks --run`` with their messages for a bad run id."""

import json

import numpy as np
import pytest
from fakes import jpeg_project
from fakes import run_cli as _run
from PIL import Image

from humanseg_core.export import ExportError, collect_masks, export_job, source_frames
from humanseg_core.export.runs import check_runs, result_run_choices
from humanseg_core.export.skipped import segmentation_gaps
from humanseg_core.jobs import run_job

H, W = 30, 40


def _mask(x0):
    m = np.zeros((H, W), bool)
    m[5:25, x0:x0 + 8] = True
    return m


@pytest.fixture
def project(tmp_path):
    """Person 3: a complete run (frames 100..103, masks at x 4) then a cancelled whole-scene run (frame 100
    only, mask at x 20) that is the newest but not the default; person 7: one run (frames 101, 102)."""
    p = jpeg_project(tmp_path, range(100, 105), (H, W), lambda f: 60)
    p.complete = p.add_run(3, "osvos-lite", params={"steps": 60}, metrics={"steps": 60, "seconds": 14.2,
                                                                            "holdout_J": 0.81,
                                                                            "unreadable_frames": {"104": "bad"}})
    p.save_results(3, p.complete, {f: _mask(4) for f in range(100, 104)})
    p.other = p.add_run(7, "osvos-lite")
    p.save_results(7, p.other, {101: _mask(10), 102: _mask(10)})
    p.partial = p.add_run(3, "osvos-parent", params={"scene_run": True}, metrics={"steps": 30})
    p.save_results(3, p.partial, {100: _mask(20)})
    yield p
    p.close()


def _thin(project):
    """A newer run of person 3 that finished (a Segment of one frame, not a Whole scene run): the default now,
    thinner than the complete run."""
    thin = project.add_run(3, "osvos-lite")
    project.save_results(3, thin, {102: _mask(20)})
    return thin


def test_the_default_run_is_the_newest_that_was_not_cut_short(project):
    """A Whole scene run cancelled half-way (ADR 0011): Play and Export go on using the complete run; the
    cancelled one is picked by hand, or is the default when the person has nothing else."""
    assert project.result_runs() == {3: project.complete, 7: project.other}
    assert project.result_frames() == {3: (project.complete, 4), 7: (project.other, 2)}
    assert sorted(project.results(3)) == [100, 101, 102, 103]
    assert sorted(project.results(3, project.partial)) == [100]
    alone = project.add_run(7, "osvos-parent", params={"scene_run": True}, metrics={"stopped": "cancelled"})
    project.save_results(7, alone, {101: _mask(2)})
    assert project.result_runs()[7] == project.other  # still the run that finished
    project.update_run(alone, metrics={"segmented_frames": 1})  # it did finish after all: the newest wins
    assert project.result_runs()[7] == alone
    lone = project.add_run(9, "osvos-parent", params={"scene_run": True}, metrics={"stopped": "cancelled"})
    project.save_results(9, lone, {100: _mask(2)})
    assert project.result_runs()[9] == lone and sorted(project.results(9)) == [100]  # all there is
    thin = _thin(project)
    assert project.result_runs()[3] == thin and sorted(project.results(3)) == [102]


def test_collect_masks_and_source_frames_of_a_chosen_run(project):
    assert sorted(collect_masks(project, 3, "results")) == [100, 101, 102, 103]  # not the cancelled run's
    partial = collect_masks(project, 3, "results", project.partial)
    assert sorted(partial) == [100] and np.array_equal(partial[100], _mask(20))
    assert source_frames(project, 3, "results", project.partial) == (set(), {100})
    assert source_frames(project, 3, "results") == (set(), {100, 101, 102, 103})
    with pytest.raises(ExportError, match="applies to segmentation results"):
        collect_masks(project, 3, "accepted", project.complete)


def test_export_job_exports_the_chosen_run_of_each_person(project, tmp_path):
    out = tmp_path / "out"
    thin = _thin(project)
    summary = run_job(export_job(project, [3, 7], "palette", out, source="results", runs={3: project.complete}))
    assert summary["masks"] == 6 and summary["runs"] == {3: project.complete, 7: project.other}
    index = {v: int(k) for k, v in json.loads((out / "pids.json").read_text()).items()}["3"]
    img = np.array(Image.open(next(out.glob("*100*.png"))))
    assert img[15, 6] == index and img[15, 22] == 0  # run 'complete' (x 4..12), not the default (x 20..28)
    # that run's unreadable frames are the gaps named (the newest run has none)
    assert [e["frame"] for e in summary["skipped_frames"]] == [104]
    assert segmentation_gaps(project, {3: {}}) == []
    newest = run_job(export_job(project, [3], "mots", tmp_path / "newest", source="results"))
    assert newest["masks"] == 1 and newest["runs"] == {3: thin}
    # the default quietly exported a 1-frame run over a complete one (a new-user walk): the summary says so
    assert "partial_runs" not in summary  # chosen runs are as asked
    assert newest["partial_runs"] == {3: {"run": thin, "frames": 1, "fuller_run": project.complete,
                                          "fuller_frames": 4}}


@pytest.mark.parametrize("fmt", ["davis", "palette", "mots", "coco"])
def test_an_export_keeps_the_masks_compressed_until_each_is_written(project, tmp_path, monkeypatch, fmt):
    """A scale walk's export of 25 000 masks (87 persons, 1000 frames of 720x576) decoded them all at once: 11 GB,
    kept by the studio until it quit. An export decodes one mask at a time now: never the decoding listings, and
    the same files as before (a label over a result, one owner per pixel; damaged rows: test_mask_blobs)."""
    from humanseg_core import rle
    from humanseg_core.project import Project
    from humanseg_core.records import Proposal

    project.add_proposals([Proposal(frame=101, pid=7, box=(0, 0, W, H), mask=_mask(6), source="hand",
                                    status="accepted")])  # a label over the result, overlapping person 3
    expected = run_job(export_job(project, [3, 7], fmt, tmp_path / "before", source="any"))

    def refused(*a, **k):
        raise AssertionError("an export decoded a whole listing")

    monkeypatch.setattr(Project, "results", refused)
    monkeypatch.setattr(Project, "accepted_masks", refused)
    import weakref

    live, most = [0], [0]
    real = rle.from_blob

    def gone():
        live[0] -= 1

    def counted(blob):  # a decoded mask lives while it or a view of it does
        mask = real(blob)
        live[0] += 1
        most[0] = max(most[0], live[0])
        weakref.finalize(mask, gone)
        return mask

    monkeypatch.setattr(rle, "from_blob", counted)
    reports: list = []
    summary = run_job(export_job(project, [3, 7], fmt, tmp_path / "after", source="any"), reports.append)
    assert most[0] <= 4  # a frame's masks at a time (2 persons), not the 6 of the export
    said = [r.message for r in reports]  # each stage said (a re-walk: 17-30 s of the overlap pass unsaid)
    assert any(m.startswith("reading the masks of 2 persons") for m in said)
    assert any(m.startswith("one owner per pixel where persons overlap: frame 103") for m in said)
    for key in ("masks", "persons", "overlap_pixels", "blank_masks_left_out"):
        assert summary[key] == expected[key], key
    for before in sorted((tmp_path / "before").rglob("*")):
        after = tmp_path / "after" / before.relative_to(tmp_path / "before")
        if before.name == "annotations.json":  # COCO's info dates the file to the second: the rest alike
            docs = [json.loads(p.read_text()) for p in (before, after)]
            for doc in docs:
                doc["info"].pop("date_created")
            assert docs[0] == docs[1]
        elif before.is_file() and before.name not in ("export.json", ".humanseg-export"):
            assert after.read_bytes() == before.read_bytes(), before.name


def test_cli_export_warns_when_the_newest_run_is_thinner(capsys, project, tmp_path):
    thin = _thin(project)
    code, _doc, err = _run(capsys, "export", "--project", project.folder, "--pids", "3,7", "--format", "mots",
                           "--source", "results", "--out", tmp_path / "m")
    assert code == 0, err
    assert (f"humanseg: warning: person 3: the newest run with results, run {thin}, has 1 frame and "
            f"was exported; the older run {project.complete} has 4 (choose it with --runs 3:{project.complete})") in err
    assert "person 7" not in err  # one run: nothing to say


def test_a_bad_run_choice_names_the_project_and_the_run(project, tmp_path):
    folder = str(project.folder)
    with pytest.raises(ExportError, match=rf"{folder}: no training run 99 .*person 3's runs with results: "
                                          rf"{project.complete}, {project.partial}"):
        check_runs(project, [3], {3: 99})
    with pytest.raises(ExportError, match=rf"run {project.other} is person 7's training run, not person 3's"):
        check_runs(project, [3], {3: project.other})
    bare = project.add_run(3, "osvos-lite")
    with pytest.raises(ExportError, match=rf"{folder}: run {bare} has no stored results for person 3"):
        run_job(export_job(project, [3], "mots", tmp_path / "x", source="results", runs={3: bare}))
    with pytest.raises(ExportError, match="person 7, who is not among the persons exported"):
        check_runs(project, [3], {7: project.other})
    assert not (tmp_path / "x").exists()


def test_run_choices_are_named_the_default_first(project):
    choices = result_run_choices(project, 3)
    assert [c.run_id for c in choices] == [project.complete, project.partial]
    assert [c.default for c in choices] == [True, False]
    assert choices[1].label.endswith("cancelled or failed, 1 frame · 30 steps · newest")
    assert choices[0].label.startswith(f"run #{project.complete} · ")
    assert choices[0].label.endswith("4 frames · 60 steps · 14 s · hold-out J 0.81 · used by default")
    thin = _thin(project)  # newer than both and finished: the default, said as the newest
    assert [(c.run_id, c.default) for c in result_run_choices(project, 3)] == [
        (thin, True), (project.partial, False), (project.complete, False)]
    assert result_run_choices(project, 5) == []
    project.add_run(3, "osvos-parent")  # newer, no results yet: the newest with results is said so (a walk)
    assert result_run_choices(project, 3)[0].label.endswith("· newest with results")


def test_runs_reads_the_runs_asked_for(project):
    """``runs(ids=...)``: only those runs (run choices read the runs with results, not the whole project's)."""
    assert [r["id"] for r in project.runs(ids=[project.partial, project.other])] == [project.other, project.partial]
    assert [r["id"] for r in project.runs(3, ids={project.other, project.complete})] == [project.complete]
    assert project.runs(ids=[]) == [] and len(project.runs()) == 3


def test_cli_export_and_masks_of_a_chosen_run(capsys, project, tmp_path):
    folder = project.folder
    code, doc, _ = _run(capsys, "export", "--project", folder, "--format", "mots", "--out", tmp_path / "a",
                        "--source", "results", "--run", project.complete)
    assert code == 0 and doc["persons"] == [3] and doc["masks"] == 4  # --run alone: the run's person
    code, doc, _ = _run(capsys, "export", "--project", folder, "--format", "mots", "--out", tmp_path / "b",
                        "--source", "results", "--runs", f"3:{project.complete},7:{project.other}")
    assert code == 0 and doc["masks"] == 6 and doc["runs"] == {"3": project.complete, "7": project.other}
    code, doc, _ = _run(capsys, "masks", "--project", folder, "--pid", 3, "--out", tmp_path / "c",
                        "--source", "results", "--run", project.complete)
    assert code == 0 and doc["masks"] == 4 and doc["run"] == project.complete
    assert len(list((tmp_path / "c").glob("*.png"))) == 4
    code, doc, _ = _run(capsys, "masks", "--project", folder, "--pid", 3, "--out", tmp_path / "d",
                        "--source", "results")
    assert code == 0 and doc["masks"] == 4 and doc["run"] == project.complete  # the cancelled run is not the default


@pytest.mark.parametrize("argv, message, names_project", [
    (["export", "--format", "mots", "--source", "results", "--pids", "3", "--run", "99"],
     "no training run 99 in this project (person 3's runs with results: 1, 3)", True),
    (["export", "--format", "mots", "--source", "results", "--run", "99"], "--run 99: no training run 99", True),
    (["export", "--format", "mots", "--source", "results", "--runs", "3:x"], "--runs: expected PID:RUN pairs",
     False),
    (["export", "--format", "mots", "--source", "accepted", "--run", "1", "--pids", "3"],
     "--run: a run's results are exported with", False),  # without --source a named run exports its results
    (["masks", "--pid", "7", "--source", "results", "--run", "1"], "run 1 is person 3's training run, not person 7's",
     True),
    (["masks", "--pid", "3", "--run", "1"], "add --source results", False),
])
def test_cli_bad_run_messages(capsys, project, tmp_path, argv, message, names_project):
    assert (project.complete, project.partial) == (1, 3)  # the ids the messages name
    code, doc, err = _run(capsys, *argv, "--project", project.folder, "--out", tmp_path / "o")
    assert code != 0 and message in err and doc is None
    assert not names_project or str(project.folder.name) in err
    assert not (tmp_path / "o").exists()


def test_a_retrained_runs_label_says_how_many_frames_it_segmented():
    """A walk read "run #42 · 180 frames" for a retrain that re-segmented 80 and copied 100 from run 20."""
    from humanseg_core.export.runs import run_label

    run = {"id": 42, "metrics": {"kept_from": 20, "kept_frames": 100}}
    assert "180 frames (80 new, 100 from run #20)" in run_label(run, 180)
    assert "(" not in run_label({"id": 7, "metrics": {}}, 180)
    assert "250 frames · 1 step ·" in run_label({"id": 8, "metrics": {"steps": 1, "seconds": 3}}, 250)  # not "1 steps"


def test_result_frames_are_read_again_only_after_a_change(project, monkeypatch):
    """The studio asks for every person's result frames several times a click (a stall audit: 11 ms a query on a
    41-person project); the answer is kept until the project changes, by this thread, another one or another
    program."""
    import threading

    from humanseg_core.project import Project

    queries = []
    original = type(project)._used_runs
    monkeypatch.setattr(type(project), "_used_runs", lambda self, pid: (queries.append(pid), original(self, pid))[1])
    first = project.result_frames()
    assert first == {3: (project.complete, 4), 7: (project.other, 2)}
    assert project.result_frames() == first and queries == [None]  # asked again, unchanged: no query
    project.save_results(7, project.other, {103: _mask(10)})  # this thread's write
    assert project.result_frames()[7] == (project.other, 3) and len(queries) == 2
    worker = threading.Thread(target=lambda: project.save_results(7, project.other, {104: _mask(10)}))
    worker.start()
    worker.join()
    assert project.result_frames()[7] == (project.other, 4)  # another thread's connection
    with Project.open(project.folder) as other:  # another program's
        run = other.add_run(9, "osvos-lite")
        other.save_results(9, run, {100: _mask(4)})
    assert project.result_frames()[9] == (run, 1) and len(queries) == 4
    project.result_frames()[3] = (0, 0)  # the caller's copy: the kept answer is not changed by it
    assert project.result_frames()[3] == (project.complete, 4)


def test_result_frames_read_on_a_new_thread_are_never_another_threads(project):
    """A review: a new pool thread may reuse a finished one's ident, and its new connection the old one's address and
    fresh counters; a cache kept across threads then answered with another time's results."""
    import threading

    from humanseg_core.project import Project

    seen = []

    def read():
        seen.append(project.result_frames())

    for step in range(3):
        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        if step == 0:  # written meanwhile on this (the main) thread
            project.save_results(9, project.add_run(9, "osvos-lite"), {100: _mask(4)})
        if step == 1:  # and by another program
            with Project.open(project.folder) as other:
                other.save_results(10, other.add_run(10, "osvos-lite"), {100: _mask(4)})
    assert 9 not in seen[0] and 9 in seen[1] and 10 not in seen[1] and {9, 10} <= set(seen[2])


def test_a_person_trained_but_never_segmented_is_named_with_its_network(project, tmp_path, capsys):
    """A walk cancelled a Whole scene run while it trained: the export said only "no masks" of the persons whose
    networks it had stored."""
    from app.review.export_summary import summary_note

    trained = project.add_run(9, "osvos-parent", {"scene_run": True}, str(project.folder / "9.pt"),
                              {"stopped": "cancelled"})
    summary = run_job(export_job(project, [3, 9], "palette", tmp_path / "out", source="results"))
    assert summary["persons_without_masks"] == [9] and summary["trained_not_segmented"] == {9: trained}
    assert f"Person 9 has a trained network (run {trained}) and no results: segment it in the Segment tab" in (
        summary_note(summary))
    code, doc, err = _run(capsys, "export", "--project", project.folder, "--pids", "3,9", "--format", "palette",
                          "--source", "results", "--out", tmp_path / "cli")
    assert code == 0 and doc["trained_not_segmented"] == {"9": trained}
    assert f"person 9 has a trained network (run {trained}) and no results: `humanseg segment --project" in err
    assert f"--pid 9 --run {trained} --out DIR` segments it with its stored network" in err


def test_the_trained_network_named_is_the_newest_one_with_a_file(project):
    from humanseg_core.export.runs import unsegmented_networks

    first = project.add_run(9, "osvos-parent", {"scene_run": True}, str(project.folder / "a.pt"))
    newest = project.add_run(9, "osvos-parent", {"scene_run": True}, str(project.folder / "b.pt"))
    project.add_run(9, "osvos-parent", {"scene_run": True})  # no network stored
    project.add_run(11, "osvos-parent", {"scene_run": True})  # none at all
    assert unsegmented_networks(project, [3, 9, 11]) == {9: newest} and newest > first  # 3 has results


def test_a_damaged_label_is_left_out_of_an_export_and_warned(project, tmp_path):
    """A mutation audit: the labels' blobs unchecked, an export of source any crashed on a damaged one."""
    import sqlite3

    from humanseg_core.records import Proposal

    project.add_proposals([Proposal(101, 3, (0, 0, W, H), _mask(20), "hand", status="accepted")])
    with sqlite3.connect(project.path) as db:
        db.execute("UPDATE proposals SET mask = ? WHERE pid = 3 AND frame = 101", (b"\xde\xad\xbe\xef",))
    summary = run_job(export_job(project, [3], "palette", tmp_path / "out", source="any"))
    assert summary["masks"] == 4 and any("101" in w for w in project.warnings)  # the result stands there


def test_a_cancel_is_heard_between_persons_while_their_masks_are_read(project, tmp_path, monkeypatch):
    from humanseg_core import export
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import CancelToken

    cancel, read = CancelToken(), []
    real = export.collect_blob_masks

    def reading(p, pid, *a):
        read.append(pid)
        cancel.cancel()
        return real(p, pid, *a)

    monkeypatch.setattr(export, "collect_blob_masks", reading)
    with pytest.raises(Cancelled):
        run_job(export_job(project, [3, 7], "palette", tmp_path / "out", source="results", cancel=cancel))
    assert read == [3] and not (tmp_path / "out").exists()


def test_a_person_whose_every_mask_is_blank_is_named(project, tmp_path):
    project.save_results(7, project.other, {101: np.zeros((H, W), bool), 102: np.zeros((H, W), bool)})
    summary = run_job(export_job(project, [3, 7], "palette", tmp_path / "out", source="results"))
    assert summary["persons"] == [3] and summary["persons_without_masks"] == [7]


def test_an_export_of_older_results_names_a_newer_network_that_segmented_nothing(project, tmp_path, capsys):
    """An audit interrupted a `run` while it trained persons that had results from an earlier run: `status` said
    "finish", and the export took the older results without a word."""
    from app.review.export_summary import summary_note

    (project.folder / "7.pt").write_bytes(b"a network")
    newer = project.add_run(7, "osvos-parent", {"scene_run": True}, str(project.folder / "7.pt"),
                            {"stopped": "cancelled"})
    project.add_run(7, "osvos-parent", {}, str(project.folder / "gone.pt"))  # its file gone: nothing to segment with
    summary = run_job(export_job(project, [3, 7], "palette", tmp_path / "out", source="results"))
    assert summary["runs"][7] == project.other and summary["newer_networks"] == {7: newer}
    assert (f"Person 7: run {newer} trained a network that segmented nothing yet; the export holds run "
            f"{project.other}'s results (segment it in the Segment tab).") in summary_note(summary)
    code, doc, err = _run(capsys, "export", "--project", project.folder, "--pids", "3,7", "--format", "palette",
                          "--source", "results", "--out", tmp_path / "cli")
    assert code == 0 and doc["newer_networks"] == {"7": newer}
    assert (f"humanseg: warning: person 7: run {newer} trained a network that segmented nothing yet; the export "
            f"holds run {project.other}'s results (`humanseg segment --project") in err
    code, doc, err = _run(capsys, "masks", "--project", project.folder, "--pid", 7, "--source", "results",
                          "--out", tmp_path / "masks")
    assert code == 0 and f"person 7: run {newer} trained a network that segmented nothing yet" in err
    assert doc["newer_networks"] == {"7": newer}
    chosen = run_job(export_job(project, [7], "palette", tmp_path / "chosen", source="results",
                                runs={7: project.other}))
    assert "newer_networks" not in chosen  # picked by the analyst: nothing to say
    project.save_results(7, newer, {101: _mask(12)})  # segmented since: it is the one exported
    assert "newer_networks" not in run_job(export_job(project, [7], "palette", tmp_path / "after", source="results"))


def test_the_studio_names_masks_given_to_another_person_apart_from_empty_ones():
    """A walk read "empty ... hidden or gone" of imported labels whose every pixel went to a nearer person."""
    from app.review.export_summary import summary_note

    said = summary_note({"persons": [3, 7], "masks": 2, "masks_taken_by_others": {"3": [100]}})
    assert "1 mask left out, every pixel given to another person's mask over it (person 3: 1; the project keeps " \
           "them)" in said and "empty" not in said
