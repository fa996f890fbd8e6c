"""eval-scene on synthetic predictions: per-person J/F/leakage, identity switches, TrackEval metrics."""

import json

import cv2
import numpy as np
import pytest

from humanseg_core.cli import main
from humanseg_core.scene_metrics import evaluate_scene

pytest.importorskip("trackeval")
H, W, N = 60, 90, 10


def _box(x, y):
    m = np.zeros((H, W), bool)
    m[y:y + 20, x:x + 10] = True
    return m


def _gt():
    return {pid: {f: _box(5 + 25 * (pid - 1) + f, 10 + 5 * (pid - 1)) for f in range(N)} for pid in (1, 2, 3)}


def _write_davis(folder, gt, pred) -> None:
    """``folder``/gt and ``folder``/pred as DAVIS per-person folders of %05d.png (0/255)."""
    for root, sets in (("gt", gt), ("pred", pred)):
        for pid, frames in sets.items():
            (folder / root / str(pid)).mkdir(parents=True)
            for f, m in frames.items():
                cv2.imwrite(str(folder / root / str(pid) / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))


def test_perfect_prediction_scores_one():
    gt = _gt()
    res = evaluate_scene(gt, gt)
    s = res["scene"]
    assert s["J_mean"] == 1.0 and s["identity_switches"] == 0
    assert s["HOTA"] == pytest.approx(1.0) and s["sMOTSA"] == pytest.approx(1.0) and s["IDF1"] == pytest.approx(1.0)
    assert all(r["leakage"] == 0.0 for r in res["per_person"].values())


def test_swapped_identities_and_a_missing_person():
    gt = _gt()
    pred = {1: dict(gt[1]), 2: {f: (gt[2][f] if f < 5 else gt[3][f]) for f in range(N)},
            3: {f: (gt[3][f] if f < 5 else gt[2][f]) for f in range(N)}}
    res = evaluate_scene(pred, gt)
    pp, s = res["per_person"], res["scene"]
    assert pp["1"]["J"] == 1.0
    assert pp["2"]["identity_switches"] == 5 and pp["3"]["identity_switches"] == 5
    assert pp["2"]["J"] == pytest.approx(0.5, abs=0.01) and pp["2"]["leakage"] == pytest.approx(0.5, abs=0.01)
    assert s["identity_switches"] == 10
    assert s["IDF1"] < 1.0 and s["HOTA"] < 1.0 and s["IDSW"] >= 2
    assert s["J_person_frames"] == pytest.approx(np.mean([1.0] * N + [0.5] * 2 * N), abs=0.01)  # every frame's J
    res = evaluate_scene({1: gt[1]}, gt)  # persons 2 and 3 never predicted
    assert res["per_person"]["2"]["J"] == 0.0 and not res["per_person"]["2"]["predicted"]
    assert res["scene"]["J_mean"] == pytest.approx(1 / 3, abs=1e-3)


def test_cli_eval_scene_davis_folders(tmp_path, capsys):
    gt = _gt()
    _write_davis(tmp_path, gt, {1: gt[1], 2: gt[2]})
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt")]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out.strip().splitlines()[-1])
    assert out["per_person"]["1"]["J"] == 1.0 and out["per_person"]["3"]["J"] == 0.0
    # a run of some persons: the rest count J 0, and the note says how to score only those segmented
    assert "1 of the 3 persons of the ground truth have no prediction" in captured.err and "--pids 1,2" in captured.err
    assert captured.err.startswith("scoring 3 persons over ")  # said before the work (a walk waited 30 s)
    some = ["--pids", "1,3"]
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), *some]) == 0
    # of those asked for, not "of the 2 persons of the ground truth" (it has 3: a walk)
    assert "1 of the 2 persons asked for (--pids) have no prediction" in capsys.readouterr().err
    # what was scored and how, for whoever reads the numbers later (a walk wanted them for a paper)
    scored = out["scored"]
    assert scored["pred"] == str((tmp_path / "pred").absolute())
    assert scored["gt_root"] == str((tmp_path / "gt").absolute())
    assert scored["format"] == "davis" and scored["frame_offset"] == 0 and "bound_th" in scored and scored["version"]
    assert out["scene"]["shared_pixels"] == 0 and "belong to two or more persons" not in captured.err
    assert "not in the ground truth" not in captured.err and "have no predicted mask" not in captured.err
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--pids",
                 "1,2", "--quiet"]) == 0
    quiet = capsys.readouterr()
    some = json.loads(quiet.out.strip().splitlines()[-1])
    assert sorted(some["per_person"]) == ["1", "2"] and some["scene"]["J_mean"] == 1.0
    assert "scene: 2 persons, J&F" in quiet.err and "pid" not in quiet.err  # the scene's line, not the table
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--pids",
                 "9"]) == 2
    assert "no person with id 9 in the ground truth" in capsys.readouterr().err
    assert 0 < out["scene"]["HOTA"] < 1 and "sMOTSA" in out["scene"]
    assert main(["eval-scene", "--pred", str(tmp_path / "nothing"), "--gt-root", str(tmp_path / "gt")]) == 2


def _write_shifted(folder, sets, shift: int) -> None:
    """``folder``/gt numbered ``shift`` frames on from ``folder``/pred (the same masks): a video file's frames
    from 0, a scene's ground truth with the trajectories' numbers."""
    for root, moved in (("gt", shift), ("pred", 0)):
        for pid, frames in sets.items():
            (folder / root / str(pid)).mkdir(parents=True)
            for f, m in frames.items():
                cv2.imwrite(str(folder / root / str(pid) / f"{f + moved:05d}.png"),
                            np.where(m, 255, 0).astype(np.uint8))


def test_the_offset_advised_is_each_persons_own(tmp_path, capsys):
    """A person entering late, scored alone: its first prediction had been set against the scene's first
    ground-truth frame (a walk was told -5220 where -5300 lines it up)."""
    gt = _gt()
    late = {pid: ({f: m for f, m in frames.items() if f >= 6} if pid == 3 else frames) for pid, frames in gt.items()}
    _write_shifted(tmp_path, late, 9200)
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]
    assert main(argv + ["--pids", "3"]) == 1
    err = capsys.readouterr().err
    assert "ground truth 9206..9209" in err and "--frame-offset -9200" in err
    assert "have no predicted mask" not in err  # nothing lined up: not "the prediction holds only some frames"
    assert main(argv + ["--pids", "3", "--frame-offset", "-9000"]) == 1  # a wrong offset given: the whole one
    assert "--frame-offset -9200" in capsys.readouterr().err
    assert main(argv + ["--pids", "3", "--frame-offset", "-9200"]) == 0


def test_masks_numbered_from_the_videos_start_are_lined_up_with_the_ground_truth(tmp_path, capsys):
    """A video file numbers its frames from 0 while a scene's gt/ keeps the trajectories' numbers: a walk
    scored J 0.000 with no word. The warning names the offset; --frame-offset scores it."""
    gt = _gt()
    _write_shifted(tmp_path, gt, 9200)
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]
    assert main(argv) == 1  # nothing lined up: not a J 0 a script records
    captured = capsys.readouterr()
    assert "frames 0..9 and the ground truth 9200..9209" in captured.err and "--frame-offset -9200" in captured.err
    # said last, with no scene line of zeros above it (a re-walk read "scene: 11 persons, J&F 0.000" after it)
    assert captured.err.strip().splitlines()[-1].startswith("humanseg: error:") and "scene:" not in captured.err
    doc = json.loads(captured.out.strip().splitlines()[-1])
    assert doc["scene"]["J_mean"] == 0.0 and doc["scored"]["lined_up"] is False
    assert main(argv + ["--frame-offset", "-9200"]) == 0
    captured = capsys.readouterr()
    assert "humanseg:" not in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["scene"]["J_mean"] == 1.0
    assert main(argv[:-1] + ["--frame-offset", "-500"]) == 1  # a wrong offset: said of the shifted frames, no table
    err = capsys.readouterr().err
    assert "(the predictions' frames are counted after the frame offset -500)" in err and "gt_frames" not in err
    (tmp_path / "pred" / "export.json").write_text(json.dumps({"format": "davis", "inputs": {"frame_offset": -9200}}))
    assert main(argv) == 0  # the offset the run recorded (a walk was asked for it again)
    captured = capsys.readouterr()
    assert "frame offset -9200, as" in captured.err and "export.json records" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["scene"]["J_mean"] == 1.0


def test_a_recorded_offset_is_not_applied_where_the_ground_truth_is_named_by_video_frame(tmp_path, capsys):
    """A run on zara01's obsmat.txt (1-based: --frame-offset -1) names its masks by video frame, as the composed
    scene's gt/ is: eval-scene applied the recorded -1 and scored J 0.600 for 0.720 (a walk). The offset applies
    only where it lines up more masks than none; given, it applies."""
    gt = _gt()
    _write_shifted(tmp_path, gt, 0)
    (tmp_path / "pred" / "export.json").write_text(json.dumps({"format": "davis", "inputs": {"frame_offset": -1}}))
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "the frame offset -1 that" in captured.err and "is not applied" in captured.err
    doc = json.loads(captured.out.strip().splitlines()[-1])
    assert doc["scene"]["J_mean"] == 1.0 and doc["scored"]["frame_offset"] == 0
    assert main(argv + ["--frame-offset", "-1"]) == 0  # asked for: applied
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["J_mean"] < 1.0


def test_a_recorded_offset_against_sparse_ground_truth_is_decided_by_the_overlap(tmp_path, capsys):
    """A run segments every frame and the truth is every few frames: the masks line up as many frames with the
    recorded offset as without it, and a tie had dropped the offset (a review). The overlap decides then."""
    gt = _gt()
    sparse = {pid: {f: m for f, m in frames.items() if f % 3 == 0 and f > 0} for pid, frames in gt.items()}
    shifted = {pid: {f + 2: m for f, m in frames.items()} for pid, frames in gt.items()}  # video = trajectory + 2
    _write_davis(tmp_path, sparse, shifted)
    (tmp_path / "pred" / "export.json").write_text(json.dumps({"format": "davis", "inputs": {"frame_offset": 2}}))
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "frame offset 2, as" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["scene"]["J_mean"] == 1.0


def test_a_palette_export_is_scored(tmp_path, capsys):
    """A CLI walk's `run --format palette` output could not be scored ("PNGs of whole frames")."""
    from humanseg_core.export.palette import write_palette
    from humanseg_core.jobs import run_job

    gt = _gt()
    _write_davis(tmp_path, gt, {})
    (tmp_path / "pal").mkdir()
    run_job(write_palette(tmp_path / "pal", gt))
    assert main(["eval-scene", "--pred", str(tmp_path / "pal"), "--gt-root", str(tmp_path / "gt"), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["J_mean"] == 1.0
    assert main(["eval-scene", "--pred", str(tmp_path / "pal"), "--gt-root", str(tmp_path / "gt"),
                 "--format", "davis"]) == 2
    assert "it is a palette export (its pids.json): add --format palette" in capsys.readouterr().err
    # given as the ground truth (a composed scene's gt_index/ beside its gt/): --format is for --pred, so the
    # advice names the folder to give (a walk followed "add --format palette" into another error)
    assert main(["eval-scene", "--pred", str(tmp_path / "gt"), "--gt-root", str(tmp_path / "pal")]) == 2
    err = capsys.readouterr().err
    assert "which --gt-root does not read: give the folder of <pid>/ masks, " + str(tmp_path / "gt") in err
    # a MOTS export (it holds a pids.json too) read as a palette: every person had scored 0, exit 0 (a walk)
    mots = tmp_path / "mots"
    mots.mkdir()
    (mots / "pids.json").write_text(json.dumps({"1": 1, "2": 2}))
    (mots / "instances.txt").write_text("0 1 2 4 4 14\n")
    assert main(["eval-scene", "--pred", str(mots), "--gt-root", str(tmp_path / "gt"), "--format", "palette"]) == 2
    assert "no %05d.png palette images found; it holds a MOTS text file: add --format mots" in capsys.readouterr().err


def test_scoring_some_persons_still_counts_leaks_onto_the_others():
    """eval-scene --pids gave leakage 0.000 for everybody: the unscored persons' ground truth was dropped, so a
    mask spilling onto them leaked nowhere."""
    gt = _gt()
    pred = {1: {f: gt[1][f] | gt[2][f] for f in range(N)}}  # person 1's masks also cover person 2
    full = evaluate_scene(pred, gt)["per_person"]["1"]
    some = evaluate_scene(pred, gt, only={1})
    assert sorted(some["per_person"]) == ["1"] and some["scene"]["persons"] == 1
    assert some["per_person"]["1"]["leakage"] == full["leakage"] == pytest.approx(0.5, abs=0.01)
    assert some["per_person"]["1"]["J"] == full["J"]


def test_the_davis_dataset_layout_of_export_masks_is_read_and_other_layouts_are_named(tmp_path, capsys):
    """A walk: eval-scene read neither the studio's DAVIS export (Annotations/<res>/person_<pid>) nor said
    what a palette or MOTS folder was ('no <pid>/%05d.png masks found' for both)."""
    gt = _gt()

    def write(folder, frames):
        folder.mkdir(parents=True)
        for f, m in frames.items():
            cv2.imwrite(str(folder / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))

    for pid in (1, 2, 3):
        write(tmp_path / "gt" / str(pid), gt[pid])
        write(tmp_path / "export" / "Annotations" / "60p" / f"person_{pid}", gt[pid])
    (tmp_path / "export" / "sequences.json").write_text(json.dumps({str(p): f"person_{p}" for p in (1, 2, 3)}))
    assert main(["eval-scene", "--pred", str(tmp_path / "export"), "--gt-root", str(tmp_path / "gt")]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["J_mean"] == 1.0
    (tmp_path / "export" / ".humanseg-export").write_text("stamp")  # swapped: the export given as the truth
    assert main(["eval-scene", "--pred", str(tmp_path / "gt"), "--gt-root", str(tmp_path / "export")]) == 0
    assert "are --pred and --gt-root swapped?" in capsys.readouterr().err  # (a walk's were, said nothing)
    (tmp_path / "palette").mkdir()
    cv2.imwrite(str(tmp_path / "palette" / "00000.png"), np.zeros((H, W), np.uint8))
    (tmp_path / "mots").mkdir()
    (tmp_path / "mots" / "instances.txt").write_text("")
    (tmp_path / "coco").mkdir()
    (tmp_path / "coco" / "annotations.json").write_text("{}")
    for folder, said in (("palette", "PNGs of whole frames"), ("mots", "add --format mots"),
                         ("coco", "add --format coco")):  # read as a folder per person (--format davis)
        assert main(["eval-scene", "--pred", str(tmp_path / folder), "--gt-root", str(tmp_path / "gt"),
                     "--format", "davis"]) == 2
        assert said in capsys.readouterr().err
    # a scene's folder given for its gt/ was said to hold a MOTS file (its trajectories.txt), then refused for
    # having no instances.txt (a walk)
    (tmp_path / "trajectories.txt").write_text("0 1 2.0 3.0\n")
    assert main(["eval-scene", "--pred", str(tmp_path / "export"), "--gt-root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"it holds a gt/ folder of them: give --gt-root {tmp_path / 'gt'}" in err and "MOTS" not in err
    (tmp_path / "proj").mkdir()  # a project given for the prediction: export first (a walk)
    (tmp_path / "proj" / "project.sqlite").write_bytes(b"")
    assert main(["eval-scene", "--pred", str(tmp_path / "proj"), "--gt-root", str(tmp_path / "gt")]) == 2
    assert "it is a project: export its masks first (humanseg export --project" in capsys.readouterr().err
    # a file given for the prediction read "prediction folder not found" (a walk)
    assert main(["eval-scene", "--pred", str(tmp_path / "mots" / "instances.txt"), "--gt-root",
                 str(tmp_path / "gt"), "--format", "davis"]) == 2
    assert "instances.txt: is a file, not a prediction folder" in capsys.readouterr().err


def test_mots_and_coco_exports_are_recognised_and_score_as_the_masks_do(tmp_path, capsys):
    """A walk's `run --format mots` output was refused by eval-scene until --format mots was added, and a COCO
    export could not be scored at all; both are read by their files now, and score as the masks themselves."""
    from humanseg_core.export.coco import write_coco
    from humanseg_core.export.mots import write_mots
    from humanseg_core.jobs import run_job

    gt = _gt()
    pred = {pid: {f: np.roll(m, 1, axis=1) for f, m in frames.items()} for pid, frames in gt.items()}
    _write_davis(tmp_path, gt, pred)
    (tmp_path / "mots").mkdir()
    (tmp_path / "coco").mkdir()
    run_job(write_mots(tmp_path / "mots", pred))
    run_job(write_coco(tmp_path / "coco", pred))
    scores = {}
    for folder in ("pred", "mots", "coco"):
        assert main(["eval-scene", "--pred", str(tmp_path / folder), "--gt-root", str(tmp_path / "gt")]) == 0
        out = capsys.readouterr()
        doc = json.loads(out.out.strip().splitlines()[-1])
        scores[folder] = doc["scene"]["J_mean"]
        assert doc["scored"]["format"] == {"pred": "davis"}.get(folder, folder)
        assert (f"a {folder.upper()} export" in out.err) == (folder != "pred")
    for named in ("mots/instances.txt", "coco/annotations.json"):  # the file itself, as --gt-root takes it (a walk)
        assert main(["eval-scene", "--pred", str(tmp_path / named), "--gt-root", str(tmp_path / "gt")]) == 0
        assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["J_mean"] == scores["pred"]
    one = {1: pred[1]}  # an export of one person: the file form scores the persons its export.json chose, as the
    (tmp_path / "mots_one").mkdir()  # folder does (a re-walk: all the truth's persons, J 0.155 for 0.851)
    run_job(write_mots(tmp_path / "mots_one", one))
    (tmp_path / "mots_one" / "export.json").write_text(json.dumps({"format": "mots", "persons": [1]}))
    for where in (tmp_path / "mots_one", tmp_path / "mots_one" / "instances.txt"):
        assert main(["eval-scene", "--pred", str(where), "--gt-root", str(tmp_path / "gt"), "--quiet"]) == 0
        assert list(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["per_person"]) == ["1"]
    assert scores["pred"] < 1.0 and scores["mots"] == scores["pred"] == scores["coco"]
    # numbered from 1 (MOTSChallenge): the shift its export.json records is taken back, and said; also when
    # --pred names the instances file itself
    (tmp_path / "mots1").mkdir()
    run_job(write_mots(tmp_path / "mots1", pred, first_frame=1, origin=0))
    (tmp_path / "mots1" / "export.json").write_text(json.dumps({"format": "mots", "time_frame_shift": 1}))
    for where in (tmp_path / "mots1", tmp_path / "mots1" / "instances.txt"):
        assert main(["eval-scene", "--pred", str(where), "--gt-root", str(tmp_path / "gt"), "--format", "mots",
                     "--quiet"]) == 0
        doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert doc["scene"]["J_mean"] == scores["pred"] and doc["scored"]["time_frame_shift"] == 1


def test_predicted_pixels_claimed_by_two_persons_are_counted_and_said(tmp_path, capsys):
    """A walk's DAVIS export of a retrained person overlapped its neighbours; eval-scene said nothing."""
    gt = _gt()
    pred = {1: dict(gt[1]), 2: {f: gt[2][f] | gt[1][f] for f in range(N)}}  # person 2 also claims person 1
    res = evaluate_scene(pred, gt)
    shared = sum(int((gt[1][f] & (gt[2][f] | gt[1][f])).sum()) for f in range(N))
    assert res["scene"]["shared_pixels"] == shared and res["scene"]["shared_frames"] == N
    for pid, frames in pred.items():
        (tmp_path / "pred" / str(pid)).mkdir(parents=True)
        for f, m in frames.items():
            cv2.imwrite(str(tmp_path / "pred" / str(pid) / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))
    for pid, frames in gt.items():
        (tmp_path / "gt" / str(pid)).mkdir(parents=True)
        for f, m in frames.items():
            cv2.imwrite(str(tmp_path / "gt" / str(pid) / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]) == 0
    assert f"{shared} predicted pixels on {N} frames belong to two or more persons" in capsys.readouterr().err


def test_a_boundary_tolerance_scaled_to_each_person(tmp_path, capsys):
    """A walk: person 62 had F 0.999 at J 0.81 (DAVIS's tolerance, 8 px on a 720 x 576 frame, is a third of a
    small person's width). --bound-th person: 2 % of each person's height, as the studio's Quality tab."""
    from humanseg_core.metrics import f_boundary, person_bound

    def person(x):
        m = np.zeros((576, 720), bool)
        m[100:150, x:x + 16] = True  # 50 px tall
        return m

    gt = {1: {f: person(100 + f) for f in range(3)}, 2: {f: person(300) for f in range(3)}}
    shifted = {pid: {f: np.roll(m, 3, axis=1) for f, m in frames.items()} for pid, frames in gt.items()}
    davis = evaluate_scene(shifted, gt)
    scaled = evaluate_scene(shifted, gt, bound_th=None)
    assert person_bound(gt[1][0]) == 1 and davis["scene"]["F_mean"] == 1.0  # 3 px off: perfect for DAVIS
    assert scaled["scene"]["F_mean"] < 0.9
    assert f_boundary(shifted[1][0], gt[1][0], None) < f_boundary(shifted[1][0], gt[1][0])
    for root, sets in (("gt", gt), ("pred", shifted)):
        for pid, frames in sets.items():
            (tmp_path / root / str(pid)).mkdir(parents=True)
            for f, m in frames.items():
                cv2.imwrite(str(tmp_path / root / str(pid) / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]
    assert main(argv + ["--bound-th", "person"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["scored"]["bound_th"] == "person" and doc["scene"]["F_mean"] == scaled["scene"]["F_mean"]
    with pytest.raises(SystemExit) as bad:
        main(argv + ["--bound-th", "wide"])
    assert bad.value.code == 2 and "expected a number or 'person'" in capsys.readouterr().err
    assert main(["eval", "--pred", str(tmp_path / "pred" / "1"), "--gt", str(tmp_path / "gt" / "1"), "--quiet",
                 "--bound-th", "person"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["F_mean"] == scaled["per_person"]["1"]["F"]


def test_a_predicted_person_without_ground_truth_is_named(tmp_path, capsys):
    """A walk's extra person 99 lowered HOTA with a word in the JSON only (extra_predicted)."""
    gt = _gt()
    for root, sets in (("gt", gt), ("pred", {**gt, 99: gt[1]})):
        for pid, frames in sets.items():
            (tmp_path / root / str(pid)).mkdir(parents=True)
            for f, m in frames.items():
                cv2.imwrite(str(tmp_path / root / str(pid) / f"{f:05d}.png"), np.where(m, 255, 0).astype(np.uint8))
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "1 predicted person(s) not in the ground truth (99): false positives for HOTA" in err


def test_an_export_of_some_persons_is_scored_on_them_by_default(tmp_path, capsys):
    """A walk scored its 4-person export against all 17 persons of the scene (J 0.124, the others J 0):
    without --pids, eval-scene scores the persons the prediction's export.json names as chosen (an export's
    persons; a run's --pids, where 'all' keeps every person of the ground truth)."""
    gt = _gt()
    _write_davis(tmp_path, gt, {1: gt[1], 2: gt[2]})
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--quiet"]
    manifest = tmp_path / "pred" / "export.json"
    for doc, scored in (({"format": "davis", "persons": [1, 2]}, "1,2"),  # an export of two persons
                        ({"persons": [1, 2], "made": {"by": "humanseg run", "pids": [1, 2]}}, "1,2"),
                        ({"persons": [1, 2], "made": {"by": "humanseg run", "pids": "all"}}, "all"),
                        ({"persons": [1, 2], "made": {"by": "humanseg run"}}, "all")):  # written before 4 Dec
        manifest.write_text(json.dumps(doc))
        assert main(argv) == 0
        out, err = capsys.readouterr()
        res = json.loads(out.strip().splitlines()[-1])
        assert res["scored"]["pids"] == scored
        assert res["scene"]["persons"] == (2 if scored == "1,2" else 3)
        assert ("scoring the 2 persons" in err) == (scored == "1,2")
    assert main(argv[:-1] + ["--quiet", "--pids", "all"]) == 0  # asked for: every person
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["persons"] == 3


def test_a_prediction_of_some_frames_only_is_said(tmp_path, capsys):
    """A walk scored an export of the annotated frames (every 10th) against every frame: J 0.055, and
    nothing said that 180 of 200 frames had no mask."""
    gt = _gt()
    _write_davis(tmp_path, gt, {1: {f: m for f, m in gt[1].items() if f % 2 == 0}, 2: gt[2]})
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"),
                 "--pids", "1,2"]) == 0
    captured = capsys.readouterr()
    assert "5 of the predicted persons' 20 ground-truth frames have no predicted mask" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["per_person"]["1"]["J"] == 0.5
    assert "person 1: 1, 3, 5, 7, …" in captured.err and "only some frames" not in captured.err  # 5 of 20
    # a frame the run could not read: named from the prediction's skipped_frames.json (a walk's damaged JPEG was
    # explained as an export of the labels), one missing frame in the singular
    import shutil

    for f in (1, 3, 5, 7):
        shutil.copy(tmp_path / "gt" / "1" / f"{f:05d}.png", tmp_path / "pred" / "1" / f"{f:05d}.png")
    (tmp_path / "pred" / "skipped_frames.json").write_text(json.dumps(
        [{"frame": 9, "persons": [1, 2], "reason": "09.jpg: damaged JPEG", "at": "segmentation"}]))
    assert main(["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"),
                 "--pids", "1,2", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "1 of the predicted persons' 20 ground-truth frames has no predicted mask and counts as empty" in err
    assert "person 1: 9. The prediction's skipped_frames.json names 1 of these frames unreadable in the video: 9" in err
    # the video's numbers (ground truth + --frame-offset) in skipped_frames.json, and in the note
    off = tmp_path / "pred_off"
    for pid in (1, 2):
        (off / str(pid)).mkdir(parents=True)
        for png in (tmp_path / "pred" / str(pid)).glob("*.png"):
            shutil.copy(png, off / str(pid) / f"{int(png.stem) + 100:05d}.png")
    (off / "skipped_frames.json").write_text(json.dumps(
        [{"frame": 109, "persons": [1, 2], "reason": "109.jpg: damaged JPEG", "at": "segmentation"}]))
    assert main(["eval-scene", "--pred", str(off), "--gt-root", str(tmp_path / "gt"), "--pids", "1,2", "--quiet",
                 "--frame-offset", "100"]) == 0
    assert "names 1 of these frames unreadable in the video: 109" in capsys.readouterr().err


def test_only_the_predicted_frames_are_scored_when_asked(tmp_path, capsys):
    """A walk scored a scene's proposals (the annotated frames) with eval-scene: every other frame counted J 0,
    and `--only-predicted`, which `eval` has, was refused."""
    gt = _gt()
    pred = {1: {f: m for f, m in gt[1].items() if f % 5 == 0}, 2: {f: m for f, m in gt[2].items() if f % 5 == 0}}
    _write_davis(tmp_path, gt, pred)
    argv = ["eval-scene", "--pred", str(tmp_path / "pred"), "--gt-root", str(tmp_path / "gt"), "--pids", "1,2",
            "--quiet"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["per_person"]["1"]["J"] == 0.2 and doc["per_person"]["1"]["frames"] == N
    assert main([*argv, "--only-predicted"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out.strip().splitlines()[-1])
    assert doc["per_person"]["1"]["J"] == 1.0 and doc["per_person"]["1"]["frames"] == 2
    assert doc["scene"]["frames"] == 2 and doc["scored"]["only_predicted"] is True
    assert "no predicted mask" not in out.err


def _block(y0, y1, x0, x1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def test_leakage_pools_every_frame_and_a_mask_split_between_neighbours_is_no_switch():
    """Leakage is the share of all the person's predicted pixels lying on others, frames where it is alone in the
    ground truth included; a mask lying 40 % on its person and 30 % on each of two others has switched to nobody."""
    gt = {1: {0: _block(10, 20, 10, 20), 1: _block(10, 20, 10, 20)}, 2: {1: _block(10, 20, 30, 40)}}
    pred = {1: {0: _block(10, 20, 10, 20), 1: _block(10, 20, 15, 20) | _block(10, 20, 30, 35)}, 2: {}}
    assert evaluate_scene(pred, gt)["per_person"]["1"]["leakage"] == pytest.approx(0.25)
    gt = {1: {0: _block(10, 20, 10, 20)}, 2: {0: _block(10, 20, 30, 40)}, 3: {0: _block(30, 40, 10, 20)}}
    split = _block(10, 14, 10, 20) | _block(10, 13, 30, 40) | _block(30, 33, 10, 20)  # 40 / 30 / 30 px
    res = evaluate_scene({1: {0: split}}, gt)
    assert res["per_person"]["1"]["identity_switches"] == 0 and res["scene"]["identity_switches"] == 0
    onto_one = _block(10, 13, 10, 20) | _block(10, 17, 30, 40)  # 30 px its own, 70 px on person 2: a switch
    assert evaluate_scene({1: {0: onto_one}}, gt)["per_person"]["1"]["identity_switches"] == 1
