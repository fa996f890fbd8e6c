"""What a whole-scene run and a batch of them report beyond their results: a manifest's problems before any work,
persons placed by a homography that does not fit, persons found on no frame, and the frames eval-scene scores
(the tiny demo scene of ``test_scene_run``)."""

import json
import shutil

import numpy as np
from scene_run_setup import PIDS
from scene_run_setup import config as _config

from humanseg_core.cli import main
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.workflows.scene_run import scene_run_job


def test_cli_batch_manifest(local_run, tmp_path, capsys):
    root, *_ = local_run
    manifest = tmp_path / "scenes.toml"
    manifest.write_text(f"""[defaults]
pids = "1,2"
min_labels = 50
steps_per_person = 1

[[scene]]
project = "{root / 'proj'}"
out = "o1"

[[scene]]
project = "new"
out = "o2"
""")
    assert main(["batch", "--manifest", str(manifest), "--device", "cpu", "--steps-per-person", "3"]) == 1
    captured = capsys.readouterr()
    # the manifest's value wins, and says so (a walk's --steps-per-person 2 ran the manifest's 20 silently)
    assert "--steps-per-person 3 is overridden by the manifest in every scene" in captured.err
    assert captured.err.count("is overridden by the manifest") == 1  # not --device, which it does not set
    # scene 1 ran and skipped everyone (too few labels): a failure, as `run` exits 1 for it (a walk: exit 0)
    assert "2 of 2 scenes failed" in captured.err
    assert "humanseg: scene 1: 0 persons segmented" in captured.err  # each scene's closing line, as run's
    assert "scene 1 (" in captured.err and "no person was segmented: 2 skipped" in captured.err
    out = json.loads(captured.out.strip().splitlines()[-1])
    assert out["scenes"] == [] and set(out["failed"][0]["skipped"]) == {"1", "2"}
    assert "no project there yet" in out["failed"][1]["error"]
    manifest.write_text("[[scene]]\nproject = 'p'\nout = 'o'\ncolour = 'red'\n")
    assert main(["batch", "--manifest", str(manifest)]) == 2
    assert "unknown key 'colour' (known: " in capsys.readouterr().err
    # every problem at once, a typo's likely key named, paths as they read (a walk's took four rounds to clear)
    manifest.write_text("[defaults]\nstep_per_person = 3\n[[scene]]\nproject = 'p'\nformat = 'gif'\n"
                        "video = '../in/nowhere'\n")
    assert main(["batch", "--manifest", str(manifest)]) == 2
    err = capsys.readouterr().err
    assert "4 problems:" in err
    assert "[defaults]: unknown key 'step_per_person' (did you mean 'steps_per_person'?)" in err
    assert "scene 1 has no 'out'" in err and "format must be one of" in err
    assert f"its video {(manifest.parent.parent / 'in' / 'nowhere')}: no such file or folder" in err


def test_a_batch_refuses_before_any_work_what_would_run_the_wrong_scene(local_run, tmp_path, capsys):
    """A walk: two scenes sharing a project ran the first one's video twice (exit 0); a typo in scene 2's video
    path was found only after scene 1 had run."""
    root, demo, *_ = local_run
    frames, traj = demo / "frames", demo / "trajectories.txt"
    manifest = tmp_path / "scenes.toml"

    def refused(text: str, *options: str) -> str:
        manifest.write_text(text)
        assert main(["batch", "--manifest", str(manifest), *options]) == 2
        return capsys.readouterr().err

    two = f"[[scene]]\nproject = 'a'\nout = 'o1'\nvideo = '{frames}'\ntrajectories = '{traj}'\n"
    err = refused(two + f"[[scene]]\nproject = 'a'\nout = 'o2'\nvideo = '{frames}'\ntrajectories = '{traj}'\n")
    assert "scenes 1 and 2 both use the project" in err and "give each its own project" in err
    err = refused(two + f"[[scene]]\nproject = 'b'\nout = 'o2'\nvideo = '{frames}z'\ntrajectories = '{traj}'\n")
    assert f"scene 2: its video {frames}z: no such file or folder" in err
    other = tmp_path / "other_frames"
    other.mkdir()
    err = refused(f"[[scene]]\nproject = '{root / 'proj'}'\nout = 'o1'\nvideo = '{other}'\ntrajectories = '{traj}'\n")
    assert f"scene 1: the project {root / 'proj'} was made with the video" in err and "a project of its own" in err
    other_h = tmp_path / "H_other.txt"
    other_h.write_text((demo / "H.txt").read_text())
    err = refused(f"[[scene]]\nproject = '{root / 'proj'}'\nout = 'o1'\nvideo = '{frames}'\ntrajectories = '{traj}'\n"
                  f"homography = '{other_h}'\n")
    assert f"was made with the homography {demo / 'H.txt'}, not {other_h}" in err
    # an export over another scene's project, options its run refuses, an out holding other files (a walk: each
    # found only when its scene started, after the earlier ones had run)
    err = refused(two + f"[[scene]]\nproject = 'b'\nout = 'a'\nvideo = '{frames}'\ntrajectories = '{traj}'\n")
    assert f"scene 2 exports to {(tmp_path / 'a').resolve()}, which is scene 1's project" in err
    err = refused(two + f"[[scene]]\nproject = 'b'\nout = '.'\nvideo = '{frames}'\ntrajectories = '{traj}'\n")
    assert f"scene 2 exports to {tmp_path.resolve()}, which holds scene 1's project" in err  # its parent
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    err = refused(two + f"[[scene]]\nproject = 'b'\nout = '{mine}'\nvideo = '{frames}'\ntrajectories = '{traj}'\n",
                  "--backend", "ray", "--refine", "evidence")
    assert "2 problems" in err, err  # the options' refine (said once) and scene 2's out; Ray not started
    assert "the options of every scene: --refine evidence runs with --backend local only" in err
    assert "--refine evidence runs with --backend local only" in err and "refusing to replace this folder" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "o1").exists()  # nothing started


def test_a_run_on_proposals_placed_by_a_homography_that_does_not_fit_says_so(local_run, tmp_path):
    """A walk's `run` trained on proposals placed by another scene's homography (one scored 0.743 on another
    person), said nothing and scored J 0.000. Proposals so flagged are named in a warning and the JSON."""
    import sqlite3

    from humanseg_core.workflows.propose import NOT_FITTING_FLAG
    from humanseg_core.workflows.scene_run import PLACED_OFF

    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    with sqlite3.connect(copy / "project.sqlite") as conn:
        conn.execute("UPDATE proposals SET flags = ? WHERE pid = 1", (json.dumps([NOT_FITTING_FLAG]),))
    reports = []
    with Project.open(copy) as project:
        result = run_job(scene_run_job(project, _config(pids=PIDS, out=tmp_path / "out")), reports.append)
    assert result.placed_off == [1] and result.to_json()["placed_off"] == [1]
    said = {w.text for r in reports for w in r.warnings if w.kind == PLACED_OFF}
    assert len(said) == 1 and "the proposals of 1 person (1) were placed by a homography" in said.pop()
    with sqlite3.connect(copy / "project.sqlite") as conn:  # only a rejected one so placed: not what it trains on
        conn.execute("UPDATE proposals SET flags = '[]'")
        conn.execute("UPDATE proposals SET flags = ?, status = 'rejected' WHERE id = (SELECT MIN(id) FROM proposals "
                     "WHERE pid = 1)", (json.dumps([NOT_FITTING_FLAG]),))
    with Project.open(copy) as project:
        result = run_job(scene_run_job(project, _config(pids=PIDS, out=tmp_path / "out2")))
    assert result.placed_off == []


def test_a_rerun_that_proposes_nobody_says_the_last_video_checks_warning(local_run, tmp_path, monkeypatch):
    """A walk's second `run` on a project whose homography was read the wrong way exited 0 with no warning (its
    persons had proposals, so nothing checked the video again), and `status` listed none: masks at J 0. The
    check's last warning stands for the inputs as they were read; read otherwise, it no longer does."""
    import dataclasses

    from humanseg_core.cli.common import geometry_job_warning
    from humanseg_core.workflows.project_status import project_status
    from humanseg_core.workflows.propose import PIXEL_ORDER
    from humanseg_core.workflows.video_check import record_check, standing_warning

    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    said = "the homography does not fit this video: the points stand on no moving person (test)"
    with Project.open(copy) as project:
        record_check(project, "")
        assert standing_warning(project) == ""  # a check that found them fitting says nothing
        record_check(project, said)
        from humanseg_core.workflows import scene_run as scene_run_module

        compared: list = []  # the agreement of the runs replaced: compared on the frames both runs have (a review)
        real_drops = scene_run_module.agreement_drops
        monkeypatch.setattr(scene_run_module, "agreement_drops",
                            lambda *a, **kw: compared.append(kw) or real_drops(*a, **kw))
        standing = standing_warning(project)
        assert standing.startswith(said) and "it stands until `humanseg relocate`" in standing  # when, and the way out
        reports: list = []
        run_job(scene_run_job(project, _config(pids=PIDS, out=tmp_path / "out")), reports.append)
        warned = [w for r in reports for w in r.warnings if w.kind == PIXEL_ORDER]
        assert warned and {w.text for w in warned} == {standing} and geometry_job_warning(warned[0])
        assert compared and set(compared[0]["new_runs"]) == set(PIDS)
        assert standing in project_status(project).warnings
        project.use_reading(dataclasses.replace(project.inputs, h_direction="world-to-pixel"))
        assert standing_warning(project) == "" and standing not in project_status(project).warnings


def test_a_person_trained_but_found_on_no_frame_is_named_not_dropped(local_run, tmp_path, monkeypatch, capsys):
    """A walk's person annotated once trained on its best proposal, its network found it nowhere, and it was in
    none of persons, skipped and failed; a run of that person alone exited 0 "0 persons segmented"."""
    from humanseg_core.cli.run import nothing_segmented
    from humanseg_core.osvos import batch

    real = batch.segment_persons_job

    def blind_to_2(models, read, persons_at, frames_by_pid, sink, *a, **kw):
        return real(models, read, persons_at, frames_by_pid, _without_2(sink), *a, **kw)

    monkeypatch.setattr(batch, "segment_persons_job", blind_to_2)
    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    with Project.open(copy) as project:
        result = run_job(scene_run_job(project, _config(out=tmp_path / "out")))
        from humanseg_core.workflows.scene_reuse import reusable_networks

        run2 = next(r for r in project.runs(2) if r["id"] == result.run_ids[2])
        assert run2["metrics"]["segmented_frames"] == 0 and reusable_networks(project, [2], None) == {}  # whole
    assert result.persons == [1] and result.found_nowhere == [2] and result.to_json()["found_nowhere"] == [2]
    assert 2 in result.run_ids and not result.failed and not result.skipped
    assert nothing_segmented(result, False, None) == ""
    result.persons = []
    assert nothing_segmented(result, False, None) == "no person was segmented: 1 person found on no frame"
    result.skipped = {3: "no label"}
    assert nothing_segmented(result, False, None).endswith("1 skipped (the notes above say why), 1 person found on "
                                                           "no frame")
    from app.scene_summary import summary

    assert "1 person trained but with no pixel on any frame (2)" in summary(result)


def test_a_batch_scene_with_nobody_in_its_video_fails_and_writes_no_project(local_run, tmp_path, capsys):
    """A walk: a scene whose frame numbers missed the video by 100000 counted as done (exit 0) and left a
    project behind; `run` alone refuses it, and a batch now before its first scene."""
    _root, demo, *_ = local_run
    shifted = tmp_path / "shifted.txt"
    rows = [line.split() for line in (demo / "trajectories.txt").read_text().splitlines() if line.strip()]
    shifted.write_text("".join(f"{int(float(r[0])) + 100000} {' '.join(r[1:])}\n" for r in rows))
    manifest = tmp_path / "scenes.toml"
    manifest.write_text(f"[[scene]]\nproject = '{tmp_path / 'bad'}'\nout = '{tmp_path / 'o'}'\n"
                        f"video = '{demo / 'frames'}'\ntrajectories = '{shifted}'\n")
    assert main(["batch", "--manifest", str(manifest), "--device", "cpu"]) == 2  # refused before any scene runs
    captured = capsys.readouterr()
    assert not captured.out and "annotated on a frame of the video" in captured.err
    assert not (tmp_path / "bad").exists()


def test_eval_scene_scores_the_frames_of_the_runs_video(local_run, tmp_path, capsys):
    """A walk ran a 60-frame clip of a 250-frame scene: eval-scene counted the 190 ground-truth frames past the
    clip as missed (J 0.219 for 0.817). The video the export names bounds what is scored, said; --all-gt-frames
    scores them all."""
    root, demo, *_ = local_run
    gt = tmp_path / "gt"
    shutil.copytree(demo / "gt", gt)
    for pid in PIDS:
        last = sorted((gt / str(pid)).glob("*.png"))[-1]
        for f in range(100, 110):  # frames the run's video does not have
            shutil.copy(last, gt / str(pid) / f"{f:05d}.png")
    argv = ["eval-scene", "--pred", str(root / "out"), "--gt-root", str(gt), "--quiet"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "20 ground-truth masks (of every person there) lie on frames the video" in captured.err
    assert "does not have: 20 beyond its frames " in captured.err and "--all-gt-frames" in captured.err
    inside = json.loads(captured.out.strip().splitlines()[-1])["scene"]["J_mean"]
    assert main(argv + ["--all-gt-frames"]) == 0
    every = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["scene"]["J_mean"]
    assert every < inside
    # a ground truth none of whose frames is the video's at the offset given: nothing lines up, exit 1 (a walk's
    # --frame-offset 0 against trajectory-numbered truth left out every frame: "scoring 0 persons", J 0, exit 0)
    far = tmp_path / "far"
    for pid in PIDS:
        (far / str(pid)).mkdir(parents=True)
        for png in sorted((demo / "gt" / str(pid)).glob("*.png")):
            shutil.copy(png, far / str(pid) / f"{int(png.stem) + 4000:05d}.png")
    assert main(["eval-scene", "--pred", str(root / "out"), "--gt-root", str(far), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "no frame in common" in captured.err and "--frame-offset -4000" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["scored"]["lined_up"] is False


def test_segment_makes_a_runs_results_as_the_run_made_them(local_run, tmp_path, capsys):
    """A walk re-segmented a Whole scene person with `segment` (the network alone, the default then): the run's
    stored results, made through the per-frame evidence, were replaced by worse ones without a word."""
    import json
    import shutil
    import sqlite3

    from humanseg_core.cli import main

    root, _demo, result, _results, _reports = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    run1 = result.run_ids[1]
    with sqlite3.connect(folder / "project.sqlite") as conn:  # recorded as a default (evidence) run records it
        params = json.loads(conn.execute("SELECT params FROM runs WHERE id = ?", (run1,)).fetchone()[0])
        conn.execute("UPDATE runs SET params = ? WHERE id = ?", (json.dumps({**params, "refine": "evidence"}), run1))
    first = min(_results[1])
    for extra, refine in (([], "evidence"), (["--refine", "none"], "none")):
        assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", f"{first}:{first + 2}",
                     "--out", str(tmp_path / f"s-{refine}"), *extra]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out.strip().splitlines()[-1])["refine"] == refine
        assert f"run {run1} had results on {len(_results[1])} frames" in err
        assert ("(the per-frame evidence)" if refine == "evidence" else "(the network alone)") in err
        assert ("segmenting through the per-frame evidence, as the run's own results were" in err) == (not extra)


def test_a_run_on_a_homography_the_video_check_rejects_exits_1_and_says_it_in_the_json(local_run, tmp_path, capsys,
                                                                                        monkeypatch):
    """A walk's unattended `run` with the homography in (row, col) order, then inverted: a warning on stderr,
    J 0.02 and 0.00, exit 0, and nothing in the JSON a script could check."""
    from humanseg_core.cli import common
    from humanseg_core.cli import run as run_cli
    from humanseg_core.jobs import JobWarning, Progress
    from humanseg_core.workflows.propose import PIXEL_ORDER

    root, *_ = local_run
    copy = shutil.copytree(root / "proj", tmp_path / "proj")
    said = "only 3% of the annotated points fall inside the 360x288 image: check the homography, its pixel order"
    monkeypatch.setattr(common, "scene_warnings", lambda scene: [said, "a clip of a longer recording"])
    args = ["run", "--project", str(copy), "--pids", "1", "--steps-per-person", "1", "--refine", "none",
            "--out", str(tmp_path / "out")]
    assert main(args) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["homography_warnings"] == [said] and doc["persons"] == [1]
    assert "the masks were written, but the homography or the frame offset does not fit this video (the warnings " \
           "above say which)" in err
    monkeypatch.setattr(common, "scene_warnings", lambda scene: ["a clip of a longer recording"])
    assert main([*args[:-1], str(tmp_path / "out2")]) == 0  # a warning that is not about the homography
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["homography_warnings"] == []
    # a batch says it too, and counts that scene as failed (a walk's batch said only "no person was segmented")
    monkeypatch.setattr(common, "scene_warnings", lambda scene: [said])
    manifest = tmp_path / "scenes.toml"
    manifest.write_text(f"[[scene]]\nproject = '{copy}'\nout = '{tmp_path / 'out3'}'\npids = '1'\n"
                        "steps_per_person = 1\n")
    assert main(["batch", "--manifest", str(manifest), "--refine", "none"]) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["scenes"] == [] and doc["failed"][0]["homography_warnings"] == [said]
    assert "the masks were written, but the homography or the frame offset does not fit" in doc["failed"][0][
        "error"]
    assert f"warning: scene 1: {said}" in err
    # the video check's own verdict during the run, not only the scene's warnings (a mutation audit)

    class Misfit(run_cli.StageProgress):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.geometry = ["the homography H.txt does not fit this video: …"]

    monkeypatch.setattr(common, "scene_warnings", lambda scene: [])
    monkeypatch.setattr(run_cli, "StageProgress", Misfit)
    manifest.write_text(manifest.read_text().replace("out3", "out4"))
    assert main(["batch", "--manifest", str(manifest), "--refine", "none"]) == 1
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "the homography H.txt does not fit this video: …" in doc["failed"][0]["homography_warnings"]
    monkeypatch.setattr(run_cli, "StageProgress", Misfit.__mro__[1])
    from humanseg_core.cli.common import geometry_warning

    assert geometry_warning("and 100% would with the homography's pixel order swapped: check its order (uv")
    assert not geometry_warning("a clip of a longer recording reads so; otherwise check the frame offset")
    progress = run_cli.StageProgress()  # the video check's own words, said while proposing, count too
    progress(Progress(0, 1, "proposing", warnings=(JobWarning(PIXEL_ORDER, "read in the wrong pixel order"),)))
    assert progress.geometry == ["read in the wrong pixel order"]
    progress(Progress(0, 1, "proposing", warnings=(JobWarning("other", "H.txt does not fit this video: …"),)))
    assert progress.geometry[1:] == ["H.txt does not fit this video: …"]  # by its words, as propose keeps it
    from types import SimpleNamespace

    monkeypatch.setattr(common, "scene_warnings", lambda scene: [said])
    monkeypatch.setattr(run_cli, "run_scene", lambda *a, **k: SimpleNamespace(  # everybody skipped: said why
        persons=[], kept={}, skipped={1: "too little of the person visible"}, failed={}, found_nowhere=[],
        reused={}, unreadable={}, run_ids={}, homography="", to_json=lambda: {}))
    monkeypatch.setattr(run_cli, "say_done", lambda *a: None)
    assert main([*args[:-1], str(tmp_path / "out3")]) == 1
    assert "which the skips above count as too little of a person visible" in capsys.readouterr().err
    monkeypatch.setattr(run_cli, "run_scene", lambda *a, **k: SimpleNamespace(  # masks written on a misfit
        persons=[1], kept={}, skipped={}, failed={}, found_nowhere=[], reused={}, unreadable={}, run_ids={1: 1},
        homography="", to_json=lambda: {"persons": [1]}))
    assert main([*args[:-1], str(tmp_path / "out3")]) == 1
    err = capsys.readouterr().err
    assert run_cli.MISFIT_WRITTEN in err and "the skips above count" not in err  # no skips to point at
    # a batch says its persons as run does (a review: a failed person went unsaid, skipped ones only on failure)
    monkeypatch.setattr(common, "scene_warnings", lambda scene: [])
    monkeypatch.setattr(run_cli, "run_scene", lambda *a, **k: SimpleNamespace(
        persons=[1], kept={}, skipped={3: "no labels"}, failed={2: "out of memory"}, found_nowhere=[4], reused={},
        unreadable={}, run_ids={1: 1, 4: 2}, homography="", to_json=lambda: {"persons": [1]}))
    manifest.write_text(manifest.read_text().replace("out4", "out5"))
    assert main(["batch", "--manifest", str(manifest), "--refine", "none"]) == 0
    captured = capsys.readouterr()
    assert "warning: scene 1: person 2 failed: out of memory" in captured.err
    assert "note: scene 1: person 3 skipped: no labels" in captured.err
    assert "warning: scene 1: person 4 has no pixel on any frame" in captured.err
    scene = json.loads(captured.out.strip().splitlines()[-1])["scenes"][0]  # as run's JSON says the homography
    assert scene["homography_warnings"] == [] and scene["approximate"] is False and "homography_estimated" in scene


def test_a_runs_mots_export_says_how_it_was_made_and_is_replaced_by_the_next(local_run, tmp_path, capsys):
    """A re-walk: `run --format mots` twice into one --out was refused the second time ("export.json (changed
    since)"), its how-made entry having been written after the export's record."""
    root, *_ = local_run
    copy = shutil.copytree(root / "proj", tmp_path / "proj")
    args = ["run", "--project", str(copy), "--pids", "1", "--keep-trained", "--refine", "none", "--format", "mots",
            "--out", str(tmp_path / "mots")]
    for _ in range(2):
        assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    made = json.loads((tmp_path / "mots" / "export.json").read_text())
    assert made["format"] == "mots" and made["made"]["by"] == "humanseg run" and made["made"]["kept"]
    with Project.open(copy) as project:  # no mask of the analyst's on its frames: its source named as a davis
        labelled = any(project.accepted_frame_sets().get(1, set()) & set(project.results(1)))  # output's (a walk)
        results = project.results(1)
        frame = next(f for f in sorted(results) if results[f] is not None and results[f].any())
        proposal = next((q for q in project.proposals(1) if q.frame == frame), None)
        if proposal is not None:  # an empty label there (Review's V): the export takes it (a review: it was dropped)
            project.set_mask(proposal.id, np.zeros_like(results[frame], bool), status="edited")
    assert made["source"] == ("results+labels" if labelled else "results")
    assert proposal is not None  # (the demo proposes on the frames it segments)
    if proposal is not None:
        assert main([*args[:-1], str(tmp_path / "mots2")]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert json.loads((tmp_path / "mots2" / "export.json").read_text())["source"] == "results+labels"
        rows = (tmp_path / "mots2" / "instances.txt").read_text().splitlines()
        assert not [r for r in rows if r.split()[:2] == [str(frame), "2001"]]  # no mask where nobody is


def test_a_person_that_fails_in_a_finished_run_is_marked_failed_and_not_reused(local_run, tmp_path, monkeypatch):
    """A review: a person whose segmentation failed in a run that otherwise finished had neither mark, and read as a
    killed run: `--reuse-trained` would take its network, status would say "finish"."""
    from humanseg_core.osvos import batch
    from humanseg_core.osvos.batch import BatchStats
    from humanseg_core.workflows.scene_reuse import reusable_networks

    real = batch.segment_persons_job

    def failing_2(models, read, persons_at, frames_by_pid, sink, *a, **kw):
        stats = next(x for x in (*a, *kw.values()) if isinstance(x, BatchStats))

        done = yield from real(models, read, persons_at, frames_by_pid, _without_2(sink), *a, **kw)
        stats.failures[2] = "segmentation failed: a test's"
        return done

    monkeypatch.setattr(batch, "segment_persons_job", failing_2)
    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    with Project.open(copy) as project:
        result = run_job(scene_run_job(project, _config(out=tmp_path / "out")))
        assert 2 in result.failed and 2 in result.run_ids
        run2 = next(r for r in project.runs(2) if r["id"] == result.run_ids[2])
        assert run2["metrics"]["stopped"] == "failed" and reusable_networks(project, [2], None) == {}


def test_the_runs_writer_keys_depth_with_the_projects_anchor(local_run, tmp_path, monkeypatch):
    """ADR 0041 reaches the whole-scene run's own writer: its depth keys take the anchor the run works with (a
    mutation audit: only the export's were tested)."""
    from humanseg_core.workflows import export_depth
    from humanseg_core.workflows.propose import ESTIMATED_ANCHOR

    seen = set()
    real = export_depth.feet_key

    def spy(geometry, point, anchor):
        seen.add(anchor)
        return real(geometry, point, anchor)

    monkeypatch.setattr(export_depth, "feet_key", spy)
    root, *_ = local_run
    copy = tmp_path / "proj"
    shutil.copytree(root / "proj", copy)
    with Project.open(copy) as project:
        project.set_setting(ESTIMATED_ANCHOR, "feet")
        run_job(scene_run_job(project, _config(out=tmp_path / "out")))
    assert seen == {"feet"}


def _without_2(sink):
    """A segmentation sink that never receives person 2's masks (found nowhere, or failed)."""
    def sunk(frame, masks):
        sink(frame, {p: m for p, m in masks.items() if p != 2})
    return sunk
