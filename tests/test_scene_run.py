"""The whole-scene job on a tiny demo scene (360x288, 21 frames, 2 persons, one training step, one torch
thread): proposals, policy, training, batched segmentation, one owner per pixel, stored results, DAVIS
export, skipped persons, the CLI, the shared defaults, and the Ray backend's driver (same results as the
local one; in-process here, on a real local Ray in the slow test)."""

import json
import shutil

import cv2
import numpy as np
import pytest
from scene_run_setup import PIDS, STEPS
from scene_run_setup import config as _config

from humanseg_core.cli import main
from humanseg_core.errors import HumansegError
from humanseg_core.export import ExportError
from humanseg_core.jobs import run_job
from humanseg_core.metrics import numbered_pngs, read_mask
from humanseg_core.prior.paths import DEFAULT_PARENT
from humanseg_core.project import Project
from humanseg_core.workflows.scene_config import AcceptPolicy, SceneRunConfig, labels_from_proposals
from humanseg_core.workflows.scene_run import SceneRunResult, scene_run_job


def _same_results(a: dict, b: dict) -> None:
    for pid in PIDS:
        assert sorted(a[pid]) == sorted(b[pid])
        ious = [(x & y).sum() / max(1, (x | y).sum()) for f in a[pid]
                for x, y in [(a[pid][f], b[pid][f])] if x.any() or y.any()]
        assert ious and np.mean(ious) > 0.98


def test_run_segments_every_frame_of_each_span(local_run, capsys):
    root, _demo, result, results, reports = local_run
    assert result.persons == list(PIDS) and not result.skipped and not result.failed
    assert result.person_frames == sum(len(r) for r in results.values()) > 0
    assert {r.data.get("stage") for r in reports} >= {"propose", "train", "segment", "store"}  # each named
    said = [r.message for r in reports if r.data.get("stage") == "propose"][-1]  # what was stored, as propose says
    assert said.startswith("proposals: ") and " stored for 2 persons, " in said and "scores: " in said, said
    assert any(r.data.get("stage") == "train" and r.data.get("pid") == 2 for r in reports)  # per person
    assert json.loads((root / "out" / "export.json").read_text())["made"]["by"] == "humanseg run"  # (the studio's:
    for pid in PIDS:  # "the studio's Whole scene")
        files = numbered_pngs(root / "out" / str(pid))
        assert sorted(files) == sorted(results[pid]) and len(files) == 21  # the demo tracks span 0..20
        png = read_mask(files[5])
        assert png.shape == results[pid][5].shape and (png == results[pid][5]).all()
    js = result.to_json()
    assert js["ms_per_person_frame"] > 0 and js["train_seconds"] > 0 and js["frames"] == 21
    assert SceneRunResult(persons=[]).to_json()["ms_per_person_frame"] is None  # nothing segmented: no time
    # where the proposals took the track points (the demo's walkers: feet), said so a wrong estimate is seen
    assert result.anchor == "feet" and js["anchor"] == "feet"
    # each person's label count and who trained on its best proposal alone, in the JSON (a walk found them on
    # stderr only); the demo's run accepts all: nobody on its best alone
    assert js["labels"] == {str(p): n for p, n in result.labels.items()} and set(result.labels) == set(PIDS)
    assert all(n >= 1 for n in result.labels.values()) and js["best_alone"] == []
    assert result.unreviewed == result.labels  # accept all on an unreviewed project: every label a proposal
    # the output says how its masks were made, and eval-scene repeats it (a walk compared local and Ray scores)
    made = json.loads((root / "out" / "export.json").read_text())
    assert made["made"]["refine"] == result.refine and made["made"]["backend"] == "local"
    assert made["made"]["best_alone"] == []  # accept all: nobody on its best proposal alone
    assert made["persons"] == list(PIDS) and made["runs"] == {str(p): result.run_ids[p] for p in PIDS}
    assert made["files"].startswith("<pid>/") and set(made["run_labels"].values()) == {"all"}
    assert made["agreement"] == {str(p): round(result.agreement[p], 4) for p in PIDS}
    # what the written masks gave a nearer person (ADR 0027: labels included), and no label here (accept all)
    assert made["overlap_pixels"] == js["export_overlap_px"] == result.export_overlap_px
    assert made["source"] == "results" and made["labels_in_output"] == {} and result.edited == {p: 0.0 for p in PIDS}
    assert main(["eval-scene", "--pred", str(root / "out"), "--gt-root", str(_demo / "gt"), "--pids",
                 ",".join(map(str, PIDS)), "--quiet"]) == 0
    scored = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scored"]
    assert scored["pred_made"]["refine"] == result.refine
    # each person's results against its proposals (accepted unreviewed here) on the annotated frames, recorded
    from humanseg_core.workflows.agreement import agreement

    project = Project.open(root / "proj")
    try:
        for pid in PIDS:
            found = agreement(project, pid, result.run_ids[pid])
            assert found is not None and found.frames >= 2 and 0.0 < found.mean <= 1.0
            assert js["agreement"][str(pid)] == round(found.mean, 4)
            run = next(r for r in project.runs(pid) if r["id"] == result.run_ids[pid])
            assert run["metrics"]["agreement"] == round(found.mean, 4)
            assert run["metrics"]["no_mask_frames"] == 0  # a mask on every frame of its span (status names others)
            # the parent its network started from, as one person's training records it (a review: not recorded)
            assert run["params"]["parent"] == js["parent"] == str(DEFAULT_PARENT)
            assert run["metrics"]["backbone"] == f"parent:{DEFAULT_PARENT.name}"
        # the studio's Export dialog starts from what the run wrote (the project keeps it)
        # (its folder-per-person layout is none of the dialog's formats: the dialog keeps its own)
        last = project.setting("last_export")
        stamps = last.pop("stamps")  # what the results were when written (status compares: label_changes.exports)
        assert last == {"format": None, "persons": list(PIDS), "source": "results",
                        "out": str((root / "out").absolute()), "mots_first_frame": None,
                        "runs": {str(p): r for p, r in result.run_ids.items()}}
        assert stamps == {str(p): project.results_stamp([r])[r] for p, r in result.run_ids.items()}
    finally:
        project.close()


def test_the_chosen_persons_are_named_before_the_proposals(local_run):
    """The studio lists the persons from the reports' ``pids``: its table stayed empty while the run
    proposed (a minute on zara02_center)."""
    _root, _demo, _result, _results, reports = local_run
    first_propose = next(k for k, r in enumerate(reports) if r.data.get("stage") == "propose")
    named = [r.data["pids"] for r in reports[:first_propose] if "pids" in r.data]
    assert named == [list(PIDS)]
    # the proposals' preparation (sample frames for the background) says so: its i of 8 is not the frames'
    prepare = [r for r in reports[first_propose:]
               if r.data.get("stage") == "propose" and r.data.get("step") == "prepare"]
    assert prepare and all(r.message.startswith("proposals: preparing") for r in prepare)


def test_stored_results_have_one_owner_per_pixel(local_run):
    _root, _demo, _result, results, _reports = local_run
    for f in results[PIDS[0]]:
        if f in results[PIDS[1]]:
            assert not (results[PIDS[0]][f] & results[PIDS[1]][f]).any()


def test_too_few_labels_are_skipped_not_a_crash(local_run, tmp_path):
    root, _demo, _result, _results, _reports = local_run
    project = Project.open(root / "proj")
    try:
        result = run_job(scene_run_job(project, _config(min_labels=50)))
        assert result.persons == [] and set(result.skipped) == set(PIDS)
        # the count, not a fixed number: person 1's proposal on frame 10 (a sliver, then too small) comes and goes
        usable = len(labels_from_proposals(project.proposals(1), AcceptPolicy.parse("all"))[0])
        said = f"{usable} usable label{'' if usable == 1 else 's'} under Accept"
        assert 0 < usable < 50 and said in result.skipped[1]
    finally:
        project.close()


def test_a_person_with_one_reviewed_label_is_trained_and_segmented(local_run, tmp_path):
    # OSVOS fine-tunes from one annotated frame: by default one usable label is enough (a person the
    # trajectory file holds once, or one accepted mask), where two were needed before
    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    project = Project.open(copy)
    try:
        one = max((p for p in project.proposals(1) if p.mask is not None), key=lambda p: int(p.mask.sum()))
        project.set_status(one.id, "accepted")
        out = tmp_path / "out"  # an earlier run's export (persons 1 and 2)
        shutil.copytree(root / "out", out)
        stray = out / "1" / "00999.png"  # a mask no export wrote (drawn by hand?): refused before any work, kept
        stray.write_bytes((out / "1" / "00000.png").read_bytes())
        runs = len(project.runs(1))
        with pytest.raises(ExportError, match="1/00999.png, which no export wrote"):
            run_job(scene_run_job(project, _config(pids=(1,), accept="reviewed", out=out)))
        assert stray.is_file() and len(project.runs(1)) == runs
        stray.unlink()
        reports = []
        result = run_job(scene_run_job(project, _config(pids=(1,), accept="reviewed", out=out)), reports.append)
        assert result.persons == [1] and not result.skipped and result.person_frames > 0
        assert result.edited == {1: 0.0}  # accepted as it is: a proposal, weighed as one (ADR 0029)
        # the run remembers that none was unreviewed (the Train tab had said "unreviewed proposals included")
        assert result.unreviewed == {1: 0}
        assert project.runs(1)[-1]["params"]["unreviewed_labels"] == 0
        # when it read them: the labels changed since ask for a retrain (ADR 0044)
        assert project.runs(1)[-1]["params"]["labels_at"] < project.runs(1)[-1]["created"]
        # one reviewed label beside pending proposals: said (a walk's careful label lost to eight unreviewed)
        said = "1 person with no more reviewed labels than proposals still pending (1)"
        assert sum(p.status == "pending" for p in project.proposals(1, with_masks=False)) >= 1
        assert any(said in r.message for r in reports)
        assert SceneRunConfig(steps_per_person=1).min_labels == 1
        # the folder holds this run's export only: no earlier person, no stray file (they stayed, a walk)
        names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert "1" in names and names <= {"1", "skipped_frames.json", "export.json"}, names
        assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name] == []
    finally:
        project.close()


def test_cli_run_reviewed_with_nothing_reviewed(local_run, tmp_path, capsys):
    root, *_ = local_run
    rc = main(["run", "--project", str(root / "proj"), "--pids", "1", "--accept", "reviewed",
               "--steps-per-person", str(STEPS), "--out", str(tmp_path / "o"), "--device", "cpu"])
    assert rc == 1  # nothing segmented: a script reads it from the exit status (a walk: rc 0, an empty folder)
    captured = capsys.readouterr()
    out = json.loads(captured.out.strip().splitlines()[-1])
    assert out["persons"] == [] and "1" in out["skipped"]
    # one person of the scene through the evidence step (the default): its per-frame cost is said first
    assert "costs about the same per video frame" in captured.err and "--refine none" in captured.err
    assert "for 1 of the 8 persons in the video --refine none" in captured.err  # those of the clip (a walk)
    assert {"frames", "seconds", "train_seconds", "segment_seconds", "ms_per_person_frame"} <= set(out)
    # a closing line a reader looks for (a walk: the run ended on '[segment 200/200] …')
    closing = captured.err.strip().splitlines()
    assert closing[-2].startswith("humanseg: 0 persons segmented (0 person-frames")
    assert closing[-1] == "humanseg: error: no person was segmented: 1 skipped (the notes above say why)."
    assert out["approximate"] is False and out["out"] == str(tmp_path / "o")


def test_cli_run_keeping_every_chosen_person_says_no_evidence_cost(local_run, tmp_path, capsys):
    """A walk's `run --keep-trained` printed the evidence step's cost note, then "0 persons segmented"."""
    root, *_ = local_run
    rc = main(["run", "--project", str(root / "proj"), "--pids", "1", "--keep-trained",
               "--steps-per-person", str(STEPS), "--out", str(tmp_path / "k"), "--device", "cpu"])
    captured = capsys.readouterr()
    assert rc == 0 and json.loads(captured.out.strip().splitlines()[-1])["kept"]
    assert "costs about the same per video frame" not in captured.err
    # the kept person is written from its stored results, and the closing line says so
    assert "0 persons segmented (0 person-frames on 0 frames) in" in captured.err
    assert f", 1 kept with its stored results; masks in {tmp_path / 'k'}" in captured.err


def test_scene_run_uses_the_defaults_of_propose_and_train():
    """``humanseg run`` proposes with ``humanseg propose``'s default method and trains with ``humanseg
    train``'s settings (the shared core workflow functions), not values of its own."""
    from humanseg_core.cli import build_parser
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import ProposeConfig
    from humanseg_core.workflows.scene_units import train_config

    assert SceneRunConfig().method == ProposeConfig().method
    args = build_parser().parse_args(["run", "--project", "p", "--out", "o"])
    assert args.method == ProposeConfig().method
    ours = train_config(_config(seconds_per_person=15.0, steps_per_person=None, model="osvos-parent"), [])
    theirs = TrainConfig(model="osvos-parent")
    for name in ("guidance", "prior", "others_ignore", "boundary_band", "holdout", "parent", "from_scratch"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert SceneRunConfig().refine_labels == theirs.refine_labels
    with pytest.raises(HumansegError, match="--method"):
        SceneRunConfig(method="magic")


def test_ray_driver_gives_the_local_results(local_run, tmp_path, monkeypatch):
    """The Ray backend's driver (units out, RLE masks and weights back, one writer) with the units run
    in this process instead of on Ray workers."""
    from humanseg_core.workflows import scene_ray
    from humanseg_core.workflows.scene_units import run_unit

    def in_process(units, address, workers, cancel=None):
        return [run_unit(u) for u in units]
        yield  # a job

    monkeypatch.setattr(scene_ray, "map_units_job", in_process)
    root, _demo, local, local_results, _reports = local_run
    shutil.copytree(root / "proj", tmp_path / "proj")  # the same proposals, so the same labels
    project = Project.open(tmp_path / "proj")
    try:
        result = run_job(scene_run_job(project, _config(backend="ray", out=tmp_path / "out")))
        assert result.device == "Ray workers (cpu)"  # the workers' own, not the driver's
        assert set(result.run_ids) == set(PIDS) and set(result.run_ids.values()).isdisjoint(local.run_ids.values())
        results = {pid: project.results(pid, result.run_ids[pid]) for pid in PIDS}
        assert all(r.get("checkpoint") for r in project.runs())
    finally:
        project.close()
    assert result.persons == local.persons and result.person_frames == local.person_frames
    assert sorted(numbered_pngs(tmp_path / "out" / "1")) == sorted(results[1])
    _same_results(results, local_results)


@pytest.mark.slow  # starting a local Ray takes ~15-20 s
def test_ray_backend_gives_the_local_results(local_run, tmp_path):
    ray = pytest.importorskip("ray")
    root, _demo, local, local_results, _reports = local_run
    shutil.copytree(root / "proj", tmp_path / "proj")
    project = Project.open(tmp_path / "proj")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = run_job(scene_run_job(project, _config(backend="ray")))
        results = {pid: project.results(pid, result.run_ids[pid]) for pid in PIDS}
    finally:
        project.close()
        ray.shutdown()
    assert result.persons == local.persons and result.person_frames == local.person_frames
    _same_results(results, local_results)


def test_cli_run_says_the_inputs_warnings_and_how_it_segments(local_run, tmp_path, capsys):
    """A new-user walk: with an inverted homography, `propose` and `tracks` warned, `run` only said
    'person 76 skipped: 0 usable label(s)'; and its JSON did not say the per-frame evidence step ran."""
    import numpy as np

    _root, demo, *_ = local_run
    inverted = tmp_path / "H_inv.txt"
    np.savetxt(inverted, np.linalg.inv(np.loadtxt(demo / "H.txt")))
    rc = main(["run", "--project", str(tmp_path / "p"), "--video", str(demo / "frames"), "--trajectories",
               str(demo / "trajectories.txt"), "--homography", str(inverted), "--pids", "1", "--accept", "reviewed",
               "--steps-per-person", "1", "--out", str(tmp_path / "o"), "--device", "cpu", "--refine", "none"])
    captured = capsys.readouterr()  # refused before any work now, the warning said (a walk's ran for nothing)
    assert rc == 2 and "check the homography" in captured.err and "--h-direction world-to-pixel" in captured.err
    rc = main(["run", "--project", str(tmp_path / "p2"), "--video", str(demo / "frames"), "--trajectories",
               str(demo / "trajectories.txt"), "--homography", str(demo / "H.txt"), "--pids", "1", "--accept", "all",
               "--steps-per-person", "1", "--out", str(tmp_path / "o2"), "--device", "cpu", "--refine", "none"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["refine"] == "none"


def test_under_accept_reviewed_a_person_without_labels_is_told_its_proposals_wait_for_review(local_run):
    """A walk read 'its annotated frames were skipped (4 hidden ...)' for a person whose 7 proposals were
    simply not reviewed yet under --accept reviewed."""
    from humanseg_core.workflows.labels import skipped_clause, why_no_labels

    root, *_ = local_run
    project = Project.open(root / "proj")
    try:
        proposals = project.proposals(PIDS[1])
        pending = sum(1 for p in proposals if p.status == "pending")
        assert pending > 0
        said = why_no_labels(project, PIDS[1], proposals, AcceptPolicy.parse("reviewed"))
        assert said.startswith(f": {pending} proposal") and "not reviewed yet" in said and "Review" in said
        assert why_no_labels(project, PIDS[1], proposals, AcceptPolicy.parse("all")) == skipped_clause(project, PIDS[1])
    finally:
        project.close()


def test_persons_on_their_best_proposal_alone_are_named_in_the_json_and_the_export(local_run, tmp_path):
    """Under score>=x a person none of whose proposals reaches x trains on its best one; export.json's
    run_labels says the policy, so the manifest names those persons (a walk read 'score>=0.7' for them)."""
    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    project = Project.open(copy)
    try:
        out = tmp_path / "out"
        result = run_job(scene_run_job(project, _config(pids=(1,), accept="score>=1", out=out)))
    finally:
        project.close()
    with Project.open(copy) as again:
        assert max(p.score for p in again.proposals(1, with_masks=False)) < 1.0  # none reaches 1
    assert result.best_alone == [1] and result.to_json()["best_alone"] == [1]
    made = json.loads((out / "export.json").read_text())["made"]
    assert made["best_alone"] == [1] and made["accept"] == "score>=1"


def test_cli_run_says_which_persons_an_earlier_export_in_out_loses(local_run, tmp_path, capsys):
    """A walk re-ran 3 persons into the folder of its 12 persons' export and was left with 3, nothing said."""
    import shutil

    root, *_ = local_run
    out = shutil.copytree(root / "out", tmp_path / "out")
    rc = main(["run", "--project", str(root / "proj"), "--pids", "1", "--keep-trained",
               "--steps-per-person", str(STEPS), "--out", str(out), "--device", "cpu"])
    err = capsys.readouterr().err
    assert rc == 0 and PIDS == (1, 2)
    assert "holds an earlier export; this run replaces it, and 1 person not chosen now (2) will not be in it" in err
    assert f"(humanseg export --project {root / 'proj'} --pids 2 --source results --format " in err
    assert "Ctrl-C" not in err  # no one at a terminal to press it (pytest's stdin): a script's run (a walk)
    assert sorted(int(p.name) for p in out.iterdir() if p.is_dir()) == [1]


def test_a_later_export_gives_shared_pixels_to_the_nearer_person_as_the_run_did(local_run, tmp_path, monkeypatch):
    """A walk: after segmenting one person on its own, `humanseg export` of the run's results gave up to 874
    pixels to the other person of a pair than the run's own export had (the mask reaching lower against the
    feet row each network expects at its track point). Exports now use the run's rule where every person has
    a network."""
    from humanseg_core.export import export_job as by_masks
    from humanseg_core.workflows.export_depth import export_job, network_feet, network_geometry

    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    with Project.open(copy) as project:
        runs = project.result_runs()
        a, b = PIDS
        frame = sorted(set(project.results(a)) & set(project.results(b)))[5]
        scene = project.load_scene()
        try:
            feet = network_feet(scene, network_geometry(project, runs))
            near, far = sorted((a, b), key=lambda p: feet(p, frame), reverse=True)
        finally:
            scene.close()
        shape = project.results(a)[frame].shape
        blob = np.zeros(shape, bool)
        blob[10:30, 10:30] = True
        reach = blob.copy()
        reach[30:60, 10:30] = True  # the farther person's mask reaches lower here: it won by the masks' rows
        project.save_results(near, runs[near], {frame: blob})
        project.save_results(far, runs[far], {frame: reach})
        for job, out in ((export_job, tmp_path / "tracks"), (by_masks, tmp_path / "masks")):
            summary = run_job(job(project, list(PIDS), "davis", out, source="results"))
            assert summary["overlap_pixels"] >= 400

        def pixels(out, pid):  # a mask left with no pixel is not written (blank_masks_left_out)
            png = next((out / "Annotations").rglob(f"person_{pid}")) / f"{frame:05d}.png"
            return int((cv2.imread(str(png), 0) > 0).sum()) if png.is_file() else 0

        assert pixels(tmp_path / "tracks", near) == 400 and pixels(tmp_path / "tracks", far) == 600
        assert pixels(tmp_path / "masks", near) == 0 and pixels(tmp_path / "masks", far) == 1000  # the rule before
        import humanseg_core.workflows.export_depth as export_depth

        def never(*_a, **_k):
            raise AssertionError("networks loaded for an export refused anyway")

        monkeypatch.setattr(export_depth, "network_geometry", never)
        with pytest.raises(ExportError, match="already exists"):  # refused before any network is read (a review)
            run_job(export_job(project, list(PIDS), "davis", tmp_path / "tracks", source="results"))


def test_an_export_reads_the_networks_crop_geometry_from_the_runs_record(local_run, monkeypatch):
    """The export's nearer-person rule needs each network's crop geometry: read from the network's file it cost the
    command line 5-7 s of importing torch. The run records it; the file is read only for runs made before."""
    import humanseg_core.workflows.export_depth as export_depth
    from humanseg_core.osvos.guidance import CropGeometry
    from humanseg_core.osvos.weights import load_checkpoint

    root, *_ = local_run
    with Project.open(root / "proj", reading=True) as project:
        runs = project.result_runs()
        from_files = {pid: CropGeometry.from_dict(load_checkpoint(str(r["checkpoint"]))[1]["geometry"])
                      for pid in runs for r in project.runs(pid) if r["id"] == runs[pid]}
        recorded = {pid: r["metrics"].get("geometry")
                    for pid in runs for r in project.runs(pid) if r["id"] == runs[pid]}
        assert all(recorded.values()) and set(recorded) == set(PIDS)

        def no_file(_checkpoint):
            raise AssertionError("a network's file read for its geometry")

        monkeypatch.setattr(export_depth, "_file_geometry", no_file)
        assert export_depth.network_geometry(project, runs) == from_files


def test_the_way_back_for_persons_an_earlier_export_loses_keeps_its_source(tmp_path, capsys):
    """The advice named --source results: for an earlier `--source any` export it would leave out the analyst's
    masks the replaced folder held."""
    from humanseg_core.cli.run import _note_replaced

    (tmp_path / "export.json").write_text(json.dumps({"persons": [1, 2, 5], "source": "any", "format": "mots"}))
    _note_replaced(tmp_path, [1], tmp_path / "my project")
    assert (f"(humanseg export --project '{tmp_path / 'my project'}' --pids 2,5 --source any --format mots --out "
            "DIR)") in capsys.readouterr().err


def test_a_run_record_whose_geometry_does_not_read_falls_back_to_the_networks_file(monkeypatch):
    import humanseg_core.workflows.export_depth as export_depth

    good = {"dx": 0.0, "dy": -30.0, "box_w": 20.0, "box_h": 60.0, "v_ref": 100.0}

    class Runs:
        def runs(self, pid):
            metrics = {1: {"geometry": {"box_h": 60.0}}, 2: "not a dict", 3: {"geometry": good}}[pid]
            return [{"id": 10 + pid, "checkpoint": f"p{pid}.pt", "metrics": metrics}]

    read: list = []
    monkeypatch.setattr(export_depth, "_file_geometry", lambda path: read.append(path) or dict(good, dx=1.0))
    geometry = export_depth.network_geometry(Runs(), {1: 11, 2: 12, 3: 13})
    assert read == ["p1.pt", "p2.pt"]  # the record's when it reads, else the file's
    assert geometry[1].dx == geometry[2].dx == 1.0 and geometry[3].dx == 0.0


def test_the_depth_key_is_the_track_points_row_where_the_points_mark_the_feet():
    """A crowd walk fixed two frames of an occluded person 267 and retrained it: its labels left its feet out, the
    box its network expects ended above its feet, and the export gave its pixels to person 265, whose track point
    lay a pixel higher (farther)."""
    import types

    from humanseg_core.osvos.guidance import CropGeometry
    from humanseg_core.workflows.export_depth import feet_key, network_feet

    cut = CropGeometry(dx=0.0, dy=-40.0, box_w=20.0, box_h=40.0, v_ref=392.0)  # its box ends 20 px above its point
    whole = CropGeometry(dx=0.0, dy=-30.0, box_w=20.0, box_h=60.0, v_ref=391.0)  # ends at its point
    assert feet_key(cut, (50.0, 392.35), "feet") == 392.35
    assert feet_key(cut, (50.0, 392.35), "head") == cut.feet_row((50.0, 392.35)) < 392.0
    scene = types.SimpleNamespace(position_px=lambda pid, frame: {267: (50.0, 392.35), 265: (55.0, 391.41)}[pid],
                                  pids=[265, 267])
    geometry = {267: cut, 265: whole}
    by_points = network_feet(scene, geometry, "feet")
    assert by_points(267, 0) > by_points(265, 0)  # 267 nearer, as the ground truth has it
    by_boxes = network_feet(scene, geometry, "head")
    assert by_boxes(267, 0) < by_boxes(265, 0)  # the boxes' rule put it behind


def test_a_runs_anchor_auto_names_none():
    """A review: `run --anchor auto` stopped the anchor's search at the word "auto", and the writer keyed depth by
    the boxes where the points were feet."""
    import types

    from humanseg_core.workflows.propose import ESTIMATED_ANCHOR, run_anchor

    project = types.SimpleNamespace(inputs=types.SimpleNamespace(anchor="auto"),
                                    setting=lambda name, default=None: "feet" if name == ESTIMATED_ANCHOR else default)
    assert run_anchor(project, "auto", "") == "feet" and run_anchor(project, "", "head") == "head"
    assert run_anchor(project, "centre", "feet") == "centre"


def test_an_export_keys_depth_by_the_points_rows_where_the_project_has_them_at_the_feet():
    """ADR 0041's rule reaches the export of stored results (a mutation audit: only feet_key itself was tested)."""
    import types

    from humanseg_core.workflows.export_depth import _tracks_depth
    from humanseg_core.workflows.propose import ESTIMATED_ANCHOR

    cut = {"dx": 0.0, "dy": -40.0, "box_w": 20.0, "box_h": 40.0, "v_ref": 392.0}  # box ends 20 px above its point
    whole = {"dx": 0.0, "dy": -30.0, "box_w": 20.0, "box_h": 60.0, "v_ref": 391.0}
    runs = {267: [{"id": 11, "checkpoint": "a.pt", "metrics": {"geometry": cut}}],
            265: [{"id": 9, "checkpoint": "b.pt", "metrics": {"geometry": whole}}]}
    points = {267: (50.0, 392.35), 265: (55.0, 391.41)}
    scene = types.SimpleNamespace(position_px=lambda pid, frame: points[pid], close=lambda: None, pids=list(points))

    def project(anchor):
        return types.SimpleNamespace(
            result_runs=lambda: {267: 11, 265: 9}, runs=lambda pid=None, ids=None: runs[pid],
            load_scene=lambda: scene, inputs=types.SimpleNamespace(anchor="auto"),
            setting=lambda name, default=None: anchor if name == ESTIMATED_ANCHOR else default)

    keys, _scene = _tracks_depth(project("feet"), [267, 265], None)
    assert keys(0)[267] > keys(0)[265]  # the point lower: nearer
    keys, _scene = _tracks_depth(project("head"), [267, 265], None)
    assert keys(0)[267] < keys(0)[265]  # head points: the boxes' rule
