"""``humanseg status``: each person's proposals, labels, networks and results, the project's inputs and parent, and
the next step with its command; it reads only."""

import os
import socket

import pytest
from fakes import run_cli as _run
from status_project import _mask, status_project

from humanseg_core.project import Project
from humanseg_core.records import Proposal


@pytest.fixture
def project_dir(tmp_path):
    return status_project(tmp_path)


def test_status_counts_each_person_and_names_its_next_step(capsys, project_dir):
    before = os.stat(project_dir / "project.sqlite").st_mtime_ns
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert code == 0
    persons = doc["persons"]
    assert persons["3"]["proposals"] == {"pending": 0, "accepted": 5, "rejected": 1, "edited": 0}
    assert (persons["3"]["labels"], persons["3"]["networks"], persons["3"]["result_frames"]) == (5, 1, 4)
    assert [persons[p]["next"] for p in ("3", "7", "9", "12")] == ["export", "review", "train", "label"]
    assert persons["12"]["skipped"] == 2 and doc["skip_reasons"] == "2 hidden behind a nearer person"
    assert doc["proposals"] == {"pending": 6, "accepted": 11, "rejected": 1, "edited": 0}
    assert "shipped parent network" in doc["parent"] and doc["missing_inputs"] == {}
    steps = "\n".join(doc["next_steps"])
    assert "person 7: review its pending proposals" in steps and "--pid 7 --list" in steps
    assert f"person 9: train: humanseg train --project {project_dir} --pid 9" in steps
    assert f"person 3: export: humanseg export --project {project_dir} --pids 3 --format davis --out DIR" in steps
    row = next(line.split() for line in err.splitlines() if line.split()[:1] == ["3"])
    assert row == ["3", "0", "5", "1", "0", "0", "5", "1", "4", "—", "export"]
    assert os.stat(project_dir / "project.sqlite").st_mtime_ns == before


def test_status_of_chosen_persons_and_a_moved_video(capsys, project_dir, tmp_path):
    with Project.open(project_dir) as p:
        video = p.inputs.video
    os.rename(video, str(video) + ".moved")
    code, doc, err = _run(capsys, "status", "--project", project_dir, "--pids", "7,9")
    assert code == 0 and sorted(doc["persons"]) == ["7", "9"]
    assert doc["proposals"] == {"pending": 6, "accepted": 6, "rejected": 0, "edited": 0}
    assert doc["missing_inputs"] == {"video": str(video)}
    assert "(NOT FOUND there)" in err and "humanseg relocate --project" in doc["next_steps"][0]
    code, _doc, err = _run(capsys, "status", "--project", project_dir, "--pids", "8")
    assert code == 2 and "no person with id 8 in the project" in err
    code, _doc, err = _run(capsys, "status", "--project", tmp_path / "nowhere")
    assert code == 2 and "no such project folder" in err


def test_status_leaves_a_checkpoint_without_its_run_and_partial_files(capsys, project_dir):
    """A review: status adopted a checkpoint a running training had saved but not yet recorded, and removed .tmp
    files."""
    ckpts = project_dir / "checkpoints"
    ckpts.mkdir(exist_ok=True)
    (ckpts / "pid7_osvos-lite_20261206-120000.pt").write_bytes(b"x")
    (ckpts / "pid7_osvos-lite_20261206-120001.pt.tmp").write_bytes(b"x")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert code == 0 and doc["persons"]["7"]["networks"] == 0
    assert (ckpts / "pid7_osvos-lite_20261206-120001.pt.tmp").exists()
    with Project.open(project_dir, reading=True, tidy=False) as p:
        assert 7 not in p.network_counts()


def test_results_a_stopped_run_left_are_to_be_finished_not_exported(capsys, project_dir):
    """A re-walk killed `run` while it segmented: status said 'export' of its partial results."""
    import json
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    with Project.open(project_dir) as p:
        run = p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7.pt"),
                        {"process": {"pid": gone.pid, "host": socket.gethostname()}})
        p.save_results(7, run, {10: _mask(1)})
    code, doc, err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert code == 0 and doc["persons"]["7"]["next"] == "finish" and doc["persons"]["7"]["stopped_run"] == run
    assert (f"person 7: its newest run stopped part-way, its network stored: humanseg segment --project {project_dir} "
            f"--pid 7 --run {run} --out DIR segments its frames with it (or humanseg run --project {project_dir} "
            "--pids 7 --reuse-trained --out DIR)") in doc["next_steps"][0]  # (a walk: --keep-trained kept older ones)
    from humanseg_core.workflows.project_status import _say

    assert ("their newest runs stopped part-way, their networks stored: humanseg segment --project P --pid N --run RUN "
            "(19 for 1, 20 for 2) --out DIR segments each one's frames with its network") in _say("finish", [1, 2], "P",
                                                                                                {1: 19, 2: 20})
    with Project.open(project_dir) as p:  # its process at work: wait
        with p._tx("test") as conn:
            conn.execute("UPDATE runs SET metrics = ? WHERE id = ?",
                         (json.dumps({"process": {"pid": os.getpid(),
                                                  "host": socket.gethostname()}}), run))
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert doc["persons"]["7"]["next"] == "wait" and "is at work on it: what it stores" in doc["next_steps"][0]
    with Project.open(project_dir) as p:
        p.update_run(run, metrics={"segmented_frames": 1})
        newer = p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7b.pt"),
                          {"process": {"pid": os.getpid(), "host": socket.gethostname()}})
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    # a newer run at work before it stores anything: wait, not "export" of the older whole one (a re-walk)
    assert doc["persons"]["7"]["next"] == "wait" and doc["persons"]["7"]["stopped_run"] == newer
    with Project.open(project_dir) as p:
        p.update_run(newer, metrics={"segmented_frames": 0})
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert doc["persons"]["7"]["next"] == "export" and doc["persons"]["7"]["stopped_run"] is None


def test_a_frame_labelled_already_waits_for_no_review(capsys, project_dir):
    """A review: `decide --accept-all` leaves another method's proposal pending on a frame it labelled; status then
    said "review" for ever."""
    with Project.open(project_dir) as p:
        p.add_proposals([Proposal(frame=10, pid=9, box=(0, 0, 4, 4), mask=_mask(50), source="other", score=0.4)])
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "9")
    assert doc["persons"]["9"]["proposals"]["pending"] == 1 and doc["persons"]["9"]["next"] == "train"


def test_process_records_that_say_nothing_certain():
    from humanseg_core.project.lock import process_gone, this_process

    me = this_process()
    assert not process_gone(me) and process_gone(None) and process_gone({"pid": 2 ** 70, "host": me["host"]})
    assert process_gone({"pid": True, "host": me["host"]})  # a damaged record: not pid 1, always alive
    assert not process_gone({**me, "host": "another-machine"})  # cannot be checked there: taken as at work


def test_a_network_without_results_waits_to_segment_and_an_estimated_homography_is_said(capsys, project_dir):
    (project_dir / "H_estimated.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    with Project.open(project_dir) as p:
        p.add_run(9, "osvos-parent", {}, str(project_dir / "net9.pt"), {})
        p.use_homography(str(project_dir / "H_estimated.txt"))
        video = p.inputs.video
    os.rename(video, str(video) + ".gone")
    code, doc, err = _run(capsys, "status", "--project", project_dir, "--pids", "9")
    assert doc["persons"]["9"]["next"] == "segment" and doc["homography_estimated"] is True
    assert f"person 9: segment: humanseg segment --project {project_dir} --pid 9 --out DIR" in doc["next_steps"][1]
    lines = {line.split()[0]: line for line in err.splitlines() if line.startswith("  ")}
    assert "(NOT FOUND there)" in lines["video"] and "(NOT FOUND there)" not in lines["trajectories"]
    assert "(estimated from the video)" in lines["homography"]


def test_this_process_records_when_it_started():
    from humanseg_core.project.lock import _started, this_process

    me = this_process()
    assert me["pid"] == os.getpid() and me["started"] == _started(os.getpid())
    if _started(os.getpid()) is not None:  # (Linux: /proc) a pid reused by another process is no longer this run's
        from humanseg_core.project.lock import process_gone

        assert process_gone({**me, "started": me["started"] + 1})


def test_a_command_on_persons_another_process_runs_says_so(capsys, project_dir, tmp_path):
    """A re-walk ran `segment` on a person a `run` in another terminal was segmenting, then a second `run --reuse-
    trained` beside the first: neither said a word, and both stored their runs."""
    import subprocess

    from humanseg_core.workflows.at_work import at_work_text

    other = subprocess.Popen(["sleep", "30"])
    try:
        with Project.open(project_dir) as p:
            run = p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7.pt"),
                            {"process": {"pid": other.pid, "host": socket.gethostname()}})
            assert at_work_text(p, [7, 9]) == (f"person 7: run {run} of another window or command is at work on "
                                               "it; this works beside it, and both store their own runs (wait for "
                                               "it to end, or cancel it, to avoid two)")
            assert at_work_text(p, [9]) == ""
            p.update_run(run, metrics={"process": {"pid": os.getpid(), "host": socket.gethostname()}})
            assert at_work_text(p, [7]) == ""  # this process's own run (the studio's job): not another's
            p.update_run(run, metrics={"process": {"pid": other.pid, "host": socket.gethostname()}})
        code, _doc, err = _run(capsys, "segment", "--project", project_dir, "--pid", 7, "--out", tmp_path / "seg")
        # refused: it would write into that run and mark it finished while the other process writes on (a review),
        # and not first told that it works beside it (a walk read both)
        assert code == 2 and f"run {run} of person 7 is still at work in another window or command" in err
        assert "warning" not in err
    finally:
        other.kill()
        other.wait()
    code, _doc, err = _run(capsys, "segment", "--project", project_dir, "--pid", 7, "--out", tmp_path / "seg")
    assert code == 2 and "person 7 is not in this trajectory file" in err  # its process gone (no KeyError traceback)


def test_persons_in_the_last_export_are_exported_and_the_format_is_the_last_ones(capsys, project_dir, tmp_path):
    """A first-time walk exported three times and was sent back to export each time, always to --format davis."""
    code, doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "palette",
                           "--source", "results", "--out", tmp_path / "pal")
    assert code == 0
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "exported"
    assert f"person 3: exported to {tmp_path / 'pal'}: done, unless it changes" in "\n".join(doc["next_steps"])
    with Project.open(project_dir) as p:  # another person with results, not in that export: palette suggested
        p.save_results(9, p.add_run(9, "osvos-lite", {}, str(project_dir / "n9.pt")), {10: _mask(3)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert "person 9: export: humanseg export" in "\n".join(doc["next_steps"])
    assert "--pids 9 --format palette --out DIR" in "\n".join(doc["next_steps"])
    with Project.open(project_dir) as p:  # a later run of person 3: its new results were never exported
        p.save_results(3, p.add_run(3, "osvos-lite", {}, str(project_dir / "n3.pt")), {10: _mask(4)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "export"
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3,7", "--format", "davis",
                            "--source", "accepted", "--out", tmp_path / "labels")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "export"  # its labels were exported, not its results
    with Project.open(project_dir) as p:  # a damaged setting: no crash
        p.set_setting("last_export", {"persons": 3, "runs": [1], "format": 7, "out": None})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert code == 0 and "--format davis" in "\n".join(doc["next_steps"])


def test_each_persons_latest_export_counts_not_only_the_projects_last(capsys, project_dir, tmp_path):
    """A walk: a one-person run (or two runs ending in another order) sent every other person back to "export"."""
    with Project.open(project_dir) as p:
        p.save_results(9, p.add_run(9, "osvos-lite", {}, str(project_dir / "n9.pt")), {10: _mask(3)})
    for pid, out in ((3, "first"), (9, "second")):
        code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", pid, "--format", "palette",
                                "--source", "results", "--out", tmp_path / out)
        assert code == 0
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == doc["persons"]["9"]["next"] == "exported"
    steps = "\n".join(doc["next_steps"])
    assert f"person 3: exported to {tmp_path / 'first'}: done" in steps
    assert f"person 9: exported to {tmp_path / 'second'}: done" in steps
    with Project.open(project_dir) as p:  # person 9 segmented again by the same run after its export (an upgrade
        run9 = p.used_run(9)  # walk's segment replaced a run's masks, and status still said "exported: done")
        p.save_results(9, run9, {10: _mask(5)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["9"]["next"] == "export" and doc["persons"]["3"]["next"] == "exported"
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "9", "--format", "palette",
                            "--source", "results", "--out", tmp_path / "again")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["9"]["next"] == "exported"
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "palette",
                            "--source", "accepted", "--out", tmp_path / "labels")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == "export" and doc["persons"]["9"]["next"] == "exported"  # its labels alone
    # another project's export has replaced person 9's folder since: none of its masks are there (a walk's status
    # still read "exported to F: done" over the other project's)
    import json

    record = json.loads((tmp_path / "again" / "export.json").read_text())
    (tmp_path / "again" / "export.json").write_text(json.dumps({**record, "project": str(tmp_path / "elsewhere"),
                                                                 "project_created": "2026-01-01T00:00:00.000000"}))
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["9"]["next"] == "export" and f"exported to {tmp_path / 'again'}" not in \
        "\n".join(doc["next_steps"])


def test_an_export_before_each_persons_record_seeds_it(capsys, project_dir, tmp_path):
    """A review: in a project exported before each person's latest export was kept, the next export of some persons
    sent the rest back to "export" once; a damaged key had crashed status."""
    from humanseg_core.export import EXPORTED, LAST_EXPORT

    with Project.open(project_dir) as p:
        p.save_results(9, p.add_run(9, "osvos-lite", {}, str(project_dir / "n9.pt")), {10: _mask(3)})
        used = p.result_runs()
        p.set_setting(LAST_EXPORT, {"format": "palette", "out": str(tmp_path / "old"), "runs": {"3": used[3]}})
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "9", "--format", "palette",
                            "--source", "results", "--out", tmp_path / "new")
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["next"] == doc["persons"]["9"]["next"] == "exported"
    with Project.open(project_dir) as p:
        p.set_setting(EXPORTED, {**p.setting(EXPORTED), "\u00b2": {"run": 1}})  # "²".isdigit(): a damaged key
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert code == 0


def test_frames_of_a_span_the_run_gave_no_mask_are_named_not_done(capsys, project_dir, tmp_path):
    """A walk: `status` read "exported: done" of a person whose whole-scene run gave 21 frames of its span no mask."""
    code, _doc, _err = _run(capsys, "export", "--project", project_dir, "--pids", "3", "--format", "davis",
                            "--source", "results", "--out", tmp_path / "out")
    assert code == 0
    code, doc, _err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["no_mask_frames"] == 0 and "no mask" not in "\n".join(doc["next_steps"])
    with Project.open(project_dir) as p:
        run = p.result_frames()[3][0]
        p.update_run(run, metrics={"no_mask_frames": 21})
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert doc["persons"]["3"]["no_mask_frames"] == 21 and doc["persons"]["3"]["next"] == "exported"
    line = next(s for s in doc["next_steps"] if s.startswith("person 3: exported"))
    assert line.endswith("; no mask on part of the span of 3 (21 frames): taken for hidden or too little visible "
                         "there, maybe wrongly (check it in Play)"), line


def test_every_next_step_has_the_studios_words_without_a_command():
    """The studio's Project Summary told a walk to run `humanseg decide …`: its next steps name the studio's places."""
    from humanseg_core.workflows.project_status import _say

    for step in ("gone", "propose", "rerun", "review", "label", "train", "retrain", "segment", "finish", "wait",
                 "export", "exported"):
        for pids in ([3], [3, 4]):
            said = _say(step, pids, "P", {3: 9}, studio=True)
            assert said and "humanseg " not in said and "--" not in said, (step, said)
            assert _say(step, pids, "P", {3: 9}) != said or step in ("wait", "exported", "label")


def test_the_homography_line_says_a_reading_other_than_the_usual():
    """A researcher walk: after `relocate --h-direction world-to-pixel`, status's head did not say it (its JSON did)."""
    from pathlib import Path

    from humanseg_core.workflows.project_status import ProjectSummary, summary_lines

    def head(**reading) -> str:
        inputs = {"video": "v", "trajectories": "t", "homography": "H.txt", "h_order": "uv",
                  "h_direction": "pixel-to-world", **reading}
        s = ProjectSummary(folder=Path("P"), read_only=False, read_only_why="", inputs=inputs, missing=[],
                           homography_estimated=False, parent="p", parent_warning="", totals={},
                           skip_reasons="")
        return next(line for line in summary_lines(s) if line.strip().startswith("homography"))

    assert head().strip() == "homography   H.txt"
    assert head(h_direction="world-to-pixel", h_order="rowcol").endswith("H.txt (read rowcol, world-to-pixel)")


def test_the_studio_says_how_to_relocate_the_inputs_of_the_project_open():
    """A review: the studio's summary of an open project whose video moved said "Project ▸ Open Project asks for
    their new place", and Open Project on the project open does nothing: close it first."""
    from pathlib import Path

    from humanseg_core.workflows.project_status import ProjectSummary

    s = ProjectSummary(folder=Path("P"), read_only=False, read_only_why="", inputs={"video": "v", "trajectories": "t"},
                       missing=[("video", "v")], homography_estimated=False, parent="p", parent_warning="",
                       totals={}, skip_reasons="")
    assert s.next_steps(studio=True)[0] == ("relocate the moved inputs: Project ▸ Close Project, then Project ▸ "
                                            "Open Project… on it asks for their new place")
    assert s.next_steps()[0] == "relocate the moved inputs: humanseg relocate --project P --video NEW"


def test_status_says_frames_marked_not_visible_apart_from_edited_masks(capsys, project_dir):
    """A walk read "edited 2" of one mask edited and one frame marked not visible (V): the V marks have a column
    of their own and are no label (an empty mask is never one)."""
    import numpy as np

    with Project.open(project_dir) as p:
        ids = [q.id for q in p.proposals(7)]
        p.set_mask(ids[0], _mask(1))  # an edit
        p.set_mask(ids[1], np.zeros_like(_mask(1)))  # V: not visible there
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert code == 0
    seven = doc["persons"]["7"]
    assert seven["proposals"]["edited"] == 2 and seven["not_visible"] == 1 and seven["labels"] == 1
    assert "not vis." in err and "1 rejected, 1 edited, 1 marked not visible" in err  # the headline alike
    row = next(line.split() for line in err.splitlines() if line.split()[:1] == ["7"])
    assert row[:7] == ["7", "4", "0", "0", "1", "1", "1"]  # pending, accepted, rejected, edited, not vis., labels


def test_two_proposals_of_one_frame_marked_not_visible_are_no_edited_mask(capsys, project_dir):
    """A review: a second method's proposal of the same frame, both marked not visible (V), read as one frame not
    visible and "1 edited", though no mask was edited."""
    import numpy as np

    from humanseg_core.records import Proposal

    with Project.open(project_dir) as p:
        p.add_proposals([Proposal(frame=10, pid=7, box=(0, 0, 4, 4), mask=_mask(99), source="parent", score=0.4)])
        for q in p.proposals(7):
            if q.frame == 10:
                p.set_mask(q.id, np.zeros_like(_mask(1)))  # V on both
    code, doc, err = _run(capsys, "status", "--project", project_dir)
    assert code == 0 and doc["persons"]["7"]["not_visible"] == 1
    assert "0 edited, 1 marked not visible" in err
    row = next(line.split() for line in err.splitlines() if line.split()[:1] == ["7"])
    assert row[4:6] == ["0", "1"]  # edited, not vis.


def test_a_run_reusing_a_cancelled_runs_network_is_no_second_network(project_dir):
    """A walk's Persons table read "Trained 2" for a person trained once: its second run reused the network of
    the run it had cancelled (the same checkpoint)."""
    with Project.open(project_dir) as p:
        first = p.add_run(7, "osvos-parent", {}, "checkpoints/pid7_a.pt", {"stopped": True})
        p.add_run(7, "osvos-parent", {"reused_run": first}, "checkpoints/pid7_a.pt", {})
        assert p.network_counts()[7] == 1
        p.add_run(7, "osvos-parent", {}, "checkpoints/pid7_b.pt", {})  # trained again: a second network
        assert p.network_counts()[7] == 2


def test_a_newer_network_that_segmented_nothing_is_to_segment_not_exported(capsys, project_dir):
    """A walk: `train` ended after a `run` had exported; status read "exported" while export itself warned that run 5
    trained a network that segmented nothing yet."""
    with Project.open(project_dir) as p:
        run = p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7.pt"),
                        {"segmented_frames": 1})
        p.save_results(7, run, {10: _mask(1)})
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert doc["persons"]["7"]["next"] == "export"
    with Project.open(project_dir) as p:
        p.add_run(7, "osvos-parent", {}, str(project_dir / "net7b.pt"), {"steps": 20})  # a training alone
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert doc["persons"]["7"]["next"] == "segment" and "humanseg segment" in doc["next_steps"][0]


def test_a_run_cancelled_on_purpose_beside_whole_results_is_not_to_be_finished(capsys, project_dir):
    """A walk cancelled a second whole-scene run; status said "finish" of it, while its earlier run's results, whole
    and exported, are the ones in use."""
    with Project.open(project_dir) as p:
        run = p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7.pt"),
                        {"segmented_frames": 1})
        p.save_results(7, run, {10: _mask(1)})
        p.add_run(7, "osvos-parent", {"scene_run": True}, str(project_dir / "net7b.pt"), {"stopped": "cancelled"})
    code, doc, _err = _run(capsys, "status", "--project", project_dir, "--pids", "7")
    assert doc["persons"]["7"]["next"] == "export" and doc["persons"]["7"]["stopped_run"] is None
