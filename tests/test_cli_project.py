"""``humanseg propose/decide/masks/export`` on projects built from records (and end to end on the demo)."""

import cv2
import numpy as np
import pytest
from fakes import jpeg_project
from fakes import run_cli as _run

from humanseg_core.project import Project
from humanseg_core.records import Proposal

H, W = 36, 48


def _mask(seed):
    m = np.zeros((H, W), bool)
    y, x = 2 + seed % 20, 3 + (seed * 7) % 30
    m[y:y + 10, x:x + 8] = True
    return m


@pytest.fixture
def project_dir(tmp_path):
    with jpeg_project(tmp_path, range(10, 16), (H, W), lambda f: 40 + f) as p:
        p.add_proposals([Proposal(frame=f, pid=pid, box=(0, 0, 4, 4), mask=_mask(f + pid), source="bgs",
                                  score=0.5) for pid in (3, 7) for f in range(10, 16)])
        p.set_status(p.proposals(3)[0].id, "rejected")  # frame 10 of person 3, decided before
    return tmp_path / "proj"


def test_decide_accepts_only_pending(capsys, project_dir):
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    assert code == 0 and doc["changed"] == 5
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--reject-all")
    assert code == 0 and doc["changed"] == 0  # nothing pending any more, and said (a walk was told nothing)
    assert "person 3: no pending proposal to decide" in err and "--undecide takes decisions back" in err
    with Project.open(project_dir) as p:
        assert p.counts(3) == {"pending": 0, "accepted": 5, "rejected": 1, "edited": 0}
        assert p.counts(7)["pending"] == 6
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--reject-all")
    assert doc["changed"] == 6 and doc["counts"]["rejected"] == 6


def test_undecide_takes_decisions_back_and_keeps_hand_edits(capsys, project_dir):
    """A re-walk had no way to take back a decision from the command line (the studio has Ctrl+Z)."""
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    with Project.open(project_dir) as p:
        p.set_mask(p.proposals(3)[5].id, _mask(1))  # frame 15 edited by hand
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--undecide", "--frames", "10-12,15")
    assert code == 0 and doc["changed"] == 3 and doc["status"] == "pending"  # 10 (rejected), 11, 12 (accepted)
    assert doc["counts"] == {"pending": 3, "accepted": 2, "rejected": 0, "edited": 1}
    assert "the masks edited or imported on frame 15 stay as they are" in err
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--undecide")
    assert doc["changed"] == 2 and doc["counts"]["pending"] == 5


def test_decide_on_chosen_frames_or_scores_only(capsys, project_dir):
    with Project.open(project_dir) as p:
        with p._tx("test scores") as conn:  # person 7's frame 14 scored low
            conn.execute("UPDATE proposals SET score = 0.2 WHERE pid = 7 AND frame = 14")
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--reject-all", "--frames", "10,12-13")
    assert code == 0 and doc["changed"] == 2  # frame 10 was decided before: kept
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--reject-all", "--score-below", "0.3")
    assert doc["changed"] == 1
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    assert doc["changed"] == 3
    with Project.open(project_dir) as p:
        assert {q.frame: q.status for q in p.proposals(3, with_masks=False)} == {
            10: "rejected", 11: "accepted", 12: "rejected", 13: "rejected", 14: "accepted", 15: "accepted"}
        assert [q.frame for q in p.proposals(7, status="rejected", with_masks=False)] == [14]
    for bad, words in (("12-x", "'12-x' is not a frame number"), ("14-12", "ends before it starts"), (",", "no frame")):
        code, _, err = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--accept-all", "--frames", bad)
        assert code == 2 and words in err


def test_decide_lists_the_scores_to_choose_from_and_names_frames_it_does_not_have(capsys, project_dir):
    """A walk: `decide --help` pointed at a score `humanseg masks` never shows, and `--frames 9200` (a
    trajectory frame number, the project's frames are the video's) changed nothing without a word."""
    with Project.open(project_dir) as p:
        with p._tx("test scores") as conn:
            conn.execute("UPDATE proposals SET score = 0.2 WHERE pid = 7 AND frame = 14")
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--list")
    assert code == 0 and [q["frame"] for q in doc["proposals"]] == list(range(10, 16))
    assert {q["frame"]: q["score"] for q in doc["proposals"]}[14] == 0.2 and "   14 pending    0.20" in err
    code, doc, _ = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--list", "--score-below", "0.3")
    assert [q["frame"] for q in doc["proposals"]] == [14]
    with Project.open(project_dir) as p:
        assert p.counts(7)["pending"] == 6  # listing changed nothing
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--accept-all", "--frames", "9200,12")
    assert code == 0 and doc["changed"] == 1
    assert "person 7 has no proposal on frame 9200 (its proposals are on frames 10..15" in err
    # a range's frames between the proposals are expected; a range holding none is named (a walk's 40-60)
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 7, "--reject-all", "--frames",
                          "9-11,13,20-30")
    assert code == 0 and doc["changed"] == 3
    assert "person 7 has no proposal on frames 20-30 (its proposals are on frames 10..15" in err and "9-11" not in err


def test_decide_unknown_person_and_missing_project(capsys, tmp_path, project_dir):
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 99, "--accept-all")
    assert code == 2 and doc is None and "no proposals for person 99" in err
    code, _, err = _run(capsys, "decide", "--project", tmp_path / "nope", "--pid", 3, "--accept-all")
    assert code == 2 and "no such project folder" in err
    # segment with a person the project does not have read "has no trained run: run humanseg train" (a walk)
    code, _, err = _run(capsys, "segment", "--project", project_dir, "--pid", 999, "--out", tmp_path / "s")
    assert code == 2 and "no person with id 999 in this project (its persons: 3, 7)" in err
    code, _, err = _run(capsys, "segment", "--project", project_dir, "--pid", 3, "--out", tmp_path / "s")
    assert code == 2 and "person 3 has no trained run" in err


def test_masks_written_by_frame_index(capsys, tmp_path, project_dir):
    _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    out = tmp_path / "m"
    code, doc, _ = _run(capsys, "masks", "--project", project_dir, "--pid", 3, "--out", out)
    assert code == 0 and doc["masks"] == 5 and (doc["first"], doc["last"]) == (11, 15)
    assert sorted(p.name for p in out.iterdir()) == [".humanseg-export"] + [f"{f:05d}.png" for f in range(11, 16)]
    img = cv2.imread(str(out / "00012.png"), cv2.IMREAD_UNCHANGED)
    assert img.shape == (H, W) and set(np.unique(img)) == {0, 255}
    assert np.array_equal(img == 255, _mask(15))

    code, _, err = _run(capsys, "masks", "--project", project_dir, "--pid", 3, "--status", "any", "--out", out)
    assert code == 2 and "--force" in err and len(list(out.glob("*.png"))) == 5
    code, doc, _ = _run(capsys, "masks", "--project", project_dir, "--pid", 3, "--status", "any", "--out", out,
                        "--force")
    assert code == 0 and doc["masks"] == 6 and (out / "00010.png").is_file()

    code, _, err = _run(capsys, "masks", "--project", project_dir, "--pid", 3, "--source", "results",
                        "--out", tmp_path / "r")
    assert code == 2 and "no segmentation results" in err and not (tmp_path / "r").exists()
    # a person the project knows nothing of is named as such, not as one without accepted masks
    code, _, err = _run(capsys, "masks", "--project", project_dir, "--pid", 42, "--out", tmp_path / "x")
    assert code == 2 and "person 42 has no proposals, results or training runs" in err
    assert "(persons that have: 3" in err


def test_masks_from_results(capsys, tmp_path, project_dir):
    code, _, err = _run(capsys, "masks", "--project", project_dir, "--pid", 7, "--out", tmp_path / "n")
    assert code == 2 and "its proposals wait for review (--status any writes them as proposed)" in err
    with Project.open(project_dir) as p:
        run = p.add_run(7, "fast")
        p.save_results(7, run, {f: _mask(100 + f) for f in range(10, 16)})
    code, _, err = _run(capsys, "masks", "--project", project_dir, "--pid", 7, "--out", tmp_path / "n")
    assert code == 2 and "it has segmentation results: write those with --source results" in err  # (a walk)
    out = tmp_path / "r"
    code, doc, _ = _run(capsys, "masks", "--project", project_dir, "--pid", 7, "--source", "results", "--out", out)
    assert code == 0 and doc["masks"] == 6
    assert np.array_equal(cv2.imread(str(out / "00013.png"), cv2.IMREAD_UNCHANGED) == 255, _mask(113))


@pytest.mark.parametrize("fmt, expect", [("davis", "Annotations/36p/walker/00011.png"), ("palette", "pids.json"),
                                         ("coco", "annotations.json"), ("mots", "instances.txt")])
def test_export_formats(capsys, tmp_path, project_dir, fmt, expect):
    _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    out = tmp_path / "e"
    name = ["--name", "../walker"] if fmt == "davis" else []
    code, doc, _ = _run(capsys, "export", "--project", project_dir, "--pids", 3, "--format", fmt, "--out", out, *name)
    assert code == 0 and doc["format"] == fmt and doc["masks"] == 5 and doc["persons"] == [3]
    assert (out / expect).is_file()
    code, _, err = _run(capsys, "export", "--project", project_dir, "--pids", 3, "--format", fmt, "--out", out)
    assert code == 2 and "--force" in err
    code, doc, _ = _run(capsys, "export", "--project", project_dir, "--pids", "all", "--format", fmt, "--out", out,
                        "--force")
    assert code == 0 and doc["persons"] == [3] and doc["persons_without_masks"] == [7]


def test_export_errors(capsys, tmp_path, project_dir):
    code, _, err = _run(capsys, "export", "--project", project_dir, "--pids", 7, "--format", "coco",
                        "--out", tmp_path / "x")
    assert code == 2 and "nothing to export" in err
    code, _, err = _run(capsys, "export", "--project", project_dir, "--pids", "3,7", "--format", "davis",
                        "--name", "x", "--out", tmp_path / "x")
    assert code == 2 and "exactly one person" in err
    code, _, err = _run(capsys, "export", "--project", project_dir, "--pids", 3, "--format", "palette",
                        "--out", project_dir, "--force")
    assert code == 2 and "project folder" in err
    assert not (tmp_path / "x").exists()


def test_propose_needs_inputs_for_a_new_project(capsys, tmp_path):
    code, _, err = _run(capsys, "propose", "--project", tmp_path / "new", "--pids", "all")
    assert code == 2 and "give --video and --trajectories" in err and not (tmp_path / "new").exists()


def test_propose_end_to_end_on_the_demo(capsys, tmp_path):
    pytest.importorskip("humanseg_core.proposals")
    pytest.importorskip("humanseg_core.demo")
    demo = tmp_path / "demo"
    assert _run(capsys, "demo", "--out", demo, "--frames", 21)[0] == 0
    folder = tmp_path / "proj"
    code, doc, err = _run(capsys, "propose", "--project", folder, "--video", demo / "frames", "--trajectories",
                          demo / "trajectories.txt", "--homography", demo / "H.txt", "--pids", "all",
                          "--method", "bgs")
    assert code == 0, err
    assert doc["proposals"] > 0 and doc["persons"] > 0 and set(doc) >= {"proposals", "skipped", "persons", "seconds"}
    assert doc["method"] == "bgs" and doc["anchor"] in ("head", "feet", "centre")
    assert doc["score_bands"] == {} and "scores:" not in err  # bgs's scores are not read in bands
    # the skips counted by kind, on stderr and in the JSON
    assert f"{doc['proposals']} proposals stored" in err and "method bgs, anchor " in err
    with Project.open(folder) as p:
        assert len(p.proposals()) == doc["proposals"] and len(p.skips()) == doc["skipped"]
        from humanseg_core.wording import reasons_text
        assert doc["skip_reasons"] == reasons_text(p.skips()) and \
            (doc["skip_reasons"] in err if doc["skipped"] else doc["skip_reasons"] == "")
        assert p.inputs.video == str((demo / "frames").resolve())
        kept = p.setting("video_fingerprint")  # the video the proposals lie on, kept small (relocate checks it)
        assert kept["size"] == [p.load_scene().height, p.load_scene().width] and len(kept["frames"]) == 4
        pid = p.pids()[0]
        frames = sorted(q.frame for q in p.proposals(pid, with_masks=False))
    assert _run(capsys, "decide", "--project", folder, "--pid", pid, "--accept-all")[1]["changed"] == len(frames)
    # a second run on the existing project uses its stored inputs and keeps the decisions
    code, doc2, _ = _run(capsys, "propose", "--project", folder, "--pids", pid, "--method", "bgs")
    assert code == 0 and doc2["persons"] == 1
    with Project.open(folder) as p:
        assert p.counts(pid)["accepted"] == len(frames) and p.counts(pid)["pending"] == 0
    code, doc, _ = _run(capsys, "export", "--project", folder, "--pids", pid, "--format", "davis",
                        "--out", tmp_path / "davis")
    assert code == 0 and doc["masks"] == len(frames)
    jpgs = sorted((tmp_path / "davis" / "JPEGImages" / "576p" / f"person_{pid}").iterdir())
    assert [j.stem for j in jpgs] == [f"{f:05d}" for f in frames]


def test_a_write_to_a_project_a_studio_holds_is_noted(capsys, project_dir):
    """The CLI wrote into a project a running studio window held without a word (a new-user walk)."""
    import json
    import os
    import socket

    (project_dir / "studio.lock").write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--reject-all")
    assert code == 0 and doc["changed"] > 0
    assert f"is open in a studio window (process {os.getppid()})" in err
    (project_dir / "studio.lock").unlink()
    _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    assert "studio window" not in capsys.readouterr().err


def test_decide_names_frames_decided_already(capsys, project_dir):
    """A walk: `decide --reject-all --frames 5300` on an accepted frame printed 'changed 0' and nothing else."""
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all", "--frames", "10,11")
    assert code == 0 and doc["changed"] == 1  # 10 was rejected before, 11 pending
    assert "frame 10 is decided already and stays as decided" in err


def test_export_without_source_takes_the_results_when_there_are_some(capsys, tmp_path, project_dir):
    """A walk: `export --format davis` after train and segment wrote the 18 accepted labels, not the 200
    segmented frames. The default is the studio's: the results when the person has some, and it says so."""
    _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    with Project.open(project_dir) as p:
        run = p.add_run(3, "fast")
        p.save_results(3, run, {f: _mask(100 + f) for f in range(10, 16)})
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", 3, "--format", "palette",
                          "--out", tmp_path / "a")
    assert code == 0 and doc["source"] == "results"
    assert "exporting the segmentation results (every chosen person has some" in err
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", 3, "--format", "palette",
                          "--out", tmp_path / "b", "--source", "accepted")
    assert code == 0 and doc["source"] == "accepted" and "segmentation results" not in err  # as asked: no note


def test_export_after_a_run_without_labels_exports_the_results(capsys, tmp_path, project_dir):
    """A walk's `export` right after `humanseg run` (no label accepted) failed: "nothing to export … export
    those with --source results"; it exports the results, and says so."""
    with Project.open(project_dir) as p:
        run = p.add_run(7, "fast")
        p.save_results(7, run, {f: _mask(200 + f) for f in range(10, 16)})
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", 7, "--format", "palette",
                          "--out", tmp_path / "r")
    assert code == 0 and doc["source"] == "results" and doc["masks"] == 6
    assert "exporting the segmentation results" in err
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", 7, "--format", "palette",
                          "--out", tmp_path / "a", "--source", "accepted")
    assert code == 2 and "nothing to export" in err  # asked for by name: as asked


def test_export_of_reviewed_and_segmented_persons_holds_both(capsys, tmp_path, project_dir):
    """A walk: after a whole-scene run, one person reviewed, `export --pids all` wrote that person's 14 labels
    alone and listed the 14 segmented persons as without masks. Now each person's own: labels where reviewed,
    results elsewhere (--source any), as the studio's Export Masks; a named run takes its results."""
    _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    with Project.open(project_dir) as p:
        run = p.add_run(7, "fast")
        p.save_results(7, run, {f: _mask(200 + f) for f in range(10, 16)})
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", "3,7", "--format", "davis",
                          "--out", tmp_path / "d")
    assert code == 0 and doc["source"] == "any"
    assert "labels where there are some, else the segmentation results (no results for 3)" in err
    assert len(list((tmp_path / "d").rglob("person_7/*.png"))) == 6 and list((tmp_path / "d").rglob("person_3/*.png"))
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--run", run, "--format", "davis",
                          "--out", tmp_path / "e")
    assert code == 0 and doc["source"] == "results"  # a run named: its results (it was refused as 'accepted')
    with Project.open(project_dir) as p:  # a hand edit makes the default 'any'; a named run still its results
        p.set_mask(p.proposals(7, with_masks=False)[0].id, _mask(7))
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--pids", 7, "--format", "davis",
                          "--out", tmp_path / "f")
    assert code == 0 and doc["source"] == "any" and "(masks of yours (drawn, fixed or imported) for 7)" in err
    code, doc, err = _run(capsys, "export", "--project", project_dir, "--run", run, "--format", "davis",
                          "--out", tmp_path / "g")
    assert code == 0 and doc["source"] == "results"


def test_decide_list_says_when_nothing_matches(capsys, project_dir):
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--list", "--score-below", "0.1")
    assert code == 0 and doc["proposals"] == [] and "no proposal of person 3 matches" in err
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--list", "--frames", "11")
    assert "  0.500  " in err  # three decimals


def test_accept_all_leaves_another_methods_proposal_on_a_frame_decided_already(capsys, project_dir):
    """A walk: frame 10 rejected, proposals of another method added, `decide --accept-all`: frame 10 came
    back accepted (the other method's proposal) and the masks exported it."""
    with Project.open(project_dir) as p:
        p.add_proposals([Proposal(frame=f, pid=3, box=(0, 0, 4, 4), mask=_mask(f), source="bgs:median", score=0.9)
                         for f in (10, 11)])
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all")
    # frames 12-15 of the first method, and on frame 11 its better-scored proposal alone: one label a frame (a walk
    assert code == 0 and doc["changed"] == 5  # accepted two methods' proposals on every frame: 8 labels, 4 frames)
    assert "frame 10, decided already through another proposal, stay pending" in err
    assert "1 pending proposal on frames that have another with a higher score stays pending" in err
    with Project.open(project_dir) as p:
        by_frame = {}
        for prop in p.proposals(3, with_masks=False):
            by_frame.setdefault(prop.frame, set()).add((prop.status, prop.source))
        assert by_frame[10] == {("rejected", "bgs"), ("pending", "bgs:median")}
        assert by_frame[11] == {("pending", "bgs"), ("accepted", "bgs:median")}
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--list", "--frames", "10")
    assert "bgs:median" in err and "source" in err.splitlines()[0]


def test_train_without_accepted_masks_after_a_whole_scene_run_names_the_run(capsys, project_dir):
    """A walk: `train` after a whole-scene run said "no accepted masks for person 33: accept some proposals
    first", with no word of the run that had trained on its unreviewed proposals."""
    with Project.open(project_dir) as p:
        run = p.add_run(7, "osvos-parent", {"scene_run": True, "accept": "score>=0.7", "labels": 6})
    code, doc, err = _run(capsys, "train", "--project", project_dir, "--pid", 7, "--steps", 1)
    assert code != 0 and doc is None
    assert f"its whole-scene run #{run} trained on the proposals Accept score>=0.7 took (unreviewed)" in err
    assert f"humanseg decide --project {project_dir} --pid 7 --accept-all" in err
    assert "Retrain from here" in err


def test_train_on_fewer_labels_than_the_run_in_use_took_says_so(capsys, project_dir):
    """A walk followed status's retrain advice with `humanseg train`: it trained on 2 accepted masks where the
    whole-scene run in use had taken 18, and nothing said so."""
    (project_dir.parent / "t.txt").write_text("".join(f"{f} 7 1.0 2.0\n" for f in range(10, 16)))
    with Project.open(project_dir) as p:
        p.set_statuses([q.id for q in p.proposals(7)[:2]], "accepted")
        run = p.add_run(7, "osvos-parent", {"scene_run": True, "accept": "score>=0.4", "labels": 6}, "7.pt")
        p.save_results(7, run, {10: _mask(1)})
    code, doc, err = _run(capsys, "train", "--project", project_dir, "--pid", 7, "--steps", 1, "--model", "osvos-lite")
    assert code == 0, err
    assert doc["train_frames"] == 2 and doc["holdout_frames"] == 0
    assert "the run in use trained on 6 labels (Accept score>=0.4: pending proposals taken)" in err
    assert f"humanseg run --project {project_dir} --pids 7 --accept 'score>=0.4' --out DIR trains on those" in err


def test_accept_all_on_chosen_frames_takes_one_proposal_a_frame(capsys, project_dir):
    with Project.open(project_dir) as p:
        p.add_proposals([Proposal(frame=11, pid=3, box=(0, 0, 4, 4), mask=_mask(11), source="bgs:median", score=0.9)])
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--accept-all", "--frames", "11")
    assert code == 0 and doc["changed"] == 1 and "1 pending proposal on frames that have another" in err
    with Project.open(project_dir) as p:
        assert {(q.source, q.status) for q in p.proposals(3, with_masks=False) if q.frame == 11} == {
            ("bgs", "pending"), ("bgs:median", "accepted")}


def test_rejecting_a_frame_with_an_accepted_label_says_the_label_stays(capsys, project_dir):
    """A review: a frame holding an accepted proposal and a pending one, `--reject-all --frames`: the pending one
    rejected, and the accepted label's staying said (it had been said, clumsily, and then not at all)."""
    with Project.open(project_dir) as p:
        p.set_status(p.proposals(3)[1].id, "accepted")  # frame 11
        p.add_proposals([Proposal(frame=11, pid=3, box=(0, 0, 4, 4), mask=_mask(11), source="bgs:median", score=0.9)])
    code, doc, err = _run(capsys, "decide", "--project", project_dir, "--pid", 3, "--reject-all", "--frames", "11")
    assert code == 0 and doc["changed"] == 1
    assert "on frame 11 the pending proposals are decided, and the ones decided before stay as they were" in err


def test_train_import_and_run_name_an_unknown_person_alike(capsys, tmp_path, small_demo):
    """A walk found train, import, run and segment each saying another way that a person id is unknown: the
    trajectory file, then the ids it holds."""
    from scene_run_setup import inputs

    Project.create(tmp_path / "p", inputs(small_demo)).close()
    said = "no person with id 999 in the trajectories (known: 1, 2"
    for args, where in ((("train", "--pid", 999, "--steps", 1), small_demo / "trajectories.txt"),
                        (("import", "--pid", 999, "--masks", small_demo / "gt" / "1"), small_demo / "trajectories.txt"),
                        (("run", "--pids", "999", "--out", tmp_path / "out"), "--pids")):
        code, _, err = _run(capsys, args[0], "--project", tmp_path / "p", *args[1:])
        assert code == 2 and f"{where}: {said}" in err, err
