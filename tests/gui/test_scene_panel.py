"""The Whole scene panel runs the scene job in the worker: per-person states, device shown, cancel."""

import pytest
from fakes import start_scene_job, wait_cancelled

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.scene_device import device_text
from app.scene_panel import ScenePanel
from humanseg_core.errors import Cancelled
from humanseg_core.jobs import Progress


@pytest.fixture
def project(scene_project):
    return scene_project


def test_device_setting_is_shown(qtbot):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    assert panel.device_label.text().startswith("auto:")  # torch is not asked at start-up
    panel.device.setCurrentText("cpu")  # a background job asks torch
    qtbot.waitUntil(lambda: panel.device_label.text().startswith("cpu ("), timeout=10000)
    assert device_text("tpu").startswith("not available")
    assert not panel.run_button.isEnabled()  # no project yet
    panel._progress(Progress(0, 1, "starting", data={"stage": "start", "device": "cuda:0 (NVIDIA H200)"}))
    assert panel.device_label.text() == "in use: cuda:0 (NVIDIA H200)"  # what a run resolved


def test_reviewed_with_nothing_reviewed_skips_everybody(qtbot, project):
    done = []
    panel = ScenePanel(on_done=done.append)
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.accept.setCurrentText("reviewed")
    panel.device.setCurrentText("cpu")
    assert panel.run_button.isEnabled()
    panel.start()
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    result = done[0]
    assert result.persons == [] and set(result.skipped) == {1, 2, 3}
    assert panel.state(2).startswith("skipped: 0 usable labels under Accept reviewed")
    assert "0 persons segmented on cpu" in panel.status.text()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled())


def test_bad_person_list_says_so(qtbot, project):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.pids.setText("3,x")
    panel.start()
    assert "Persons: expected" in panel.status.text() and panel.run_button.isEnabled()
    panel.pids.setText("p3, 1")  # as the trajectory file writes them (--pids took them, the field refused)
    assert panel.config().pids == (3, 1)
    panel.pids.setText("7 9")  # spaces separate too: "7 9" ran person 79 (a walk)
    assert panel.config().pids == (7, 9)


def _training_until_cancelled(pid: int, done: int, cancel):
    """Progress of person ``pid`` training step after step (``done`` persons finished) until cancelled."""
    import time

    for step in range(1, 10_000):
        if cancel.cancelled:
            raise Cancelled("cancelled by the user")
        yield Progress(done, 2, f"step {step}", data={"stage": "train", "pid": pid, "step": step, "steps": 0})
        time.sleep(0.01)


def test_cancel_stops_the_job(qtbot, project, monkeypatch):
    def fake_job(project, config, cancel):
        yield from _training_until_cancelled(7, 0, cancel)

    panel, _ = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: (panel.state(7) or "").startswith("training step"), timeout=5000)
    panel.cancel()
    wait_cancelled(qtbot, panel)


def test_a_cancel_while_proposing_says_none_of_the_runs_proposals_are_stored(qtbot, project, monkeypatch):
    """A walk cancelled at '146 proposals so far' and read 'the results stored so far are kept': none were."""
    import time

    def fake_job(project, config, cancel):
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)
            yield Progress(3, 10, "frame 30: 146 proposals so far", data={"stage": "propose"})

    panel, _ = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: getattr(panel, "_stage", "") == "propose", timeout=5000)
    panel.cancel()
    wait_cancelled(qtbot, panel)
    assert panel.status.text().startswith("Cancelled while making proposals: none of this run's are stored")

    from humanseg_core.workflows import scene_run

    stages = iter(("segment", None))  # a run cancelled in segmentation, then one cancelled before its first report

    def next_job(project, config, cancel):
        stage = next(stages)
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)
            if stage:
                yield Progress(3, 10, "segmenting", data={"stage": stage})

    monkeypatch.setattr(scene_run, "scene_run_job", next_job)
    for said in ("Cancelled: the results stored so far are kept", "Cancelled while making proposals"):
        panel.start()
        if said.startswith("Cancelled:"):
            qtbot.waitUntil(lambda: getattr(panel, "_stage", "") == "segment", timeout=5000)
        panel.cancel()
        wait_cancelled(qtbot, panel)
        assert panel.status.text().startswith(said)  # (a review: the second read the first run's stage)


def test_quitting_during_a_whole_scene_run_asks_first(window, qtbot, project, monkeypatch):
    """Like training and export: the window asks before quitting loses a running whole-scene job; told to
    keep working it touches nothing, told to quit it cancels the job."""
    import threading
    import time

    from app import worker as worker_mod
    from app.scene_install import install_scene_panel
    from humanseg_core.workflows import scene_run

    started = threading.Event()

    def fake_job(project, config, cancel):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)
            yield Progress(0, 2, "training", data={"stage": "train", "pid": 1, "step": 1, "steps": 0})

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = install_scene_panel(window, project)
    asked = []
    window.ask_quit = lambda names: asked.append(names) or False  # the user says: keep working
    panel.start()
    assert started.wait(5)
    w = panel._worker
    assert window.close() is False and asked == [["Whole scene"]]
    assert w.running and not w.token.cancelled
    window.ask_quit = lambda names: asked.append(names) or True  # now: quit
    assert window.close() is True
    assert w.token.cancelled and w._ended.is_set()
    assert worker_mod.running_workers() == []


def test_a_failed_run_resets_the_bar_and_says_failed(qtbot, project, monkeypatch):
    from humanseg_core.errors import HumansegError

    def fake_job(project, config, cancel):
        yield Progress(1, 2, "proposals", data={"stage": "propose"})
        raise HumansegError("the disk is full")

    panel, done = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=5000)
    assert panel.status.text() == "Whole scene failed: the disk is full"
    assert panel.progress.value() == 0 and panel.progress.text() == "failed"  # not left at 50 %
    assert done == [] and panel.result is None


def test_a_run_that_segments_no_frame_gives_no_time_per_frame(qtbot, project, monkeypatch):
    from humanseg_core.workflows.scene_run import SceneRunResult

    def fake_job(project, config, cancel):
        yield Progress(1, 2, "training", data={"stage": "train", "pid": 1, "step": 1, "steps": 2})
        return SceneRunResult(failed={1: "out of memory"}, person_frames=0, seconds=3.0, segment_seconds=0.0005)

    panel, done = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    text = panel.status.text()
    assert "ms each" not in text and "no frames segmented" in text and "1 failed" in text
    assert panel.state(1) == "failed: out of memory"
    assert panel.progress.value() == panel.progress.maximum() and panel.progress.text() == "done"


def test_the_threshold_is_enabled_only_for_a_score_policy(qtbot):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    assert panel.accept.currentText() == "score>=" and panel.min_score.isEnabled()  # the CLI's default, 0.7
    assert abs(panel.min_score.value() - 0.7) < 1e-9
    panel.accept.setCurrentText("all")
    assert not panel.min_score.isEnabled()
    panel.accept.setCurrentText("score>=")
    assert panel.min_score.isEnabled()
    panel.accept.setCurrentText("reviewed")
    assert not panel.min_score.isEnabled()


def test_mixed_precision_reaches_the_run_config_and_is_kept(qtbot):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    assert panel.config().mixed_precision is False  # float32 unless asked for
    panel.mixed.setChecked(True)
    assert panel.config().mixed_precision is True
    kept = panel.options()
    other = ScenePanel()
    qtbot.addWidget(other)
    other.set_options(kept)
    assert other.mixed.isChecked() and other.config().mixed_precision is True
    other.set_options({"mixed_precision": "yes"})  # a bad entry keeps the current value
    assert other.mixed.isChecked()


def test_per_frame_evidence_reaches_the_run_config_and_is_kept(qtbot):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    assert panel.config().refine == "evidence"  # on by default (ADR 0010)
    assert panel.config().made_by == "the studio's Whole scene"  # its export.json said "humanseg run" (a walk)
    panel.backend.setCurrentText("ray")
    assert panel.config().refine == "none"  # Ray workers segment with the networks alone
    assert not panel.evidence.isEnabled()  # ... and the box says it does not apply
    panel.backend.setCurrentText("local")
    assert panel.evidence.isEnabled()
    panel.evidence.setChecked(False)
    assert panel.config().refine == "none"
    panel.evidence.setChecked(True)
    other = ScenePanel()
    qtbot.addWidget(other)
    other.evidence.setChecked(False)
    other.set_options(panel.options())
    assert other.evidence.isChecked() and other.config().refine == "evidence"
    other.set_options({"refine": "magic"})  # a bad entry keeps the current value
    assert other.evidence.isChecked()
    other.set_options({"refine": "none"})
    assert not other.evidence.isChecked()


def test_the_summary_says_which_precision_segmentation_ran_in(qtbot, project, monkeypatch):
    from app.scene_panel import summary
    from humanseg_core.workflows.scene_run import SceneRunResult

    def fake_job(project, config, cancel):
        yield Progress(0, 1, "starting", data={"stage": "start"})
        return SceneRunResult(persons=[1], person_frames=10, seconds=2.0, segment_seconds=0.02,
                              device="cpu (2 threads)", precision="bfloat16")

    panel, done = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert panel.status.text().startswith("1 person segmented on cpu (2 threads) in bfloat16, ")
    note = SceneRunResult(device="cpu (2 threads)", precision="float32", precision_note="no native bfloat16")
    assert "on cpu (2 threads) in float32 (this device has no native bfloat16), " in summary(note)
    assert "about 1.3-1.8x faster" in panel.mixed.toolTip() and "depending on load" in panel.mixed.toolTip()


def test_cancel_says_which_persons_keep_their_trained_network(qtbot, project, monkeypatch):
    """students03, 3 persons at 5 s: cancelled while person 172 trained, person 171 (trained and stored as a
    run, waiting to segment) read 'cancelled' like the others, as if nothing of it were kept."""
    def fake_job(project, config, cancel):
        yield Progress(0, 2, "person 7", data={"stage": "train", "pid": 7, "step": 3, "steps": 3})
        yield from _training_until_cancelled(8, 1, cancel)

    panel, _ = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: (panel.state(7) or "").startswith("trained"), timeout=5000)
    panel.cancel()
    wait_cancelled(qtbot, panel)
    assert panel.state(7) == "trained, not segmented (cancelled)"
    assert panel.state(8) == "cancelled"


def test_a_used_export_folder_is_refused_in_words_of_the_panel(qtbot, project, tmp_path):
    """The Scene tab's export folder, not empty, with mots: the run stopped with '... already exists and is
    not empty; use --force to replace it', an option the studio does not have."""
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.out.setText(str(out))
    panel.fmt.setCurrentIndex(panel.fmt.findData("mots"))
    panel.device.setCurrentText("cpu")
    panel.start()
    # refused before anything starts or is asked (a walk was asked "Retrain them too?", read "Starting…" for 5 s,
    # then the folder's refusal)
    assert panel._worker is None and panel.run_button.isEnabled() and "refusing" in panel.status.text()
    text = panel.status.text()  # a folder of other files: refused for what it holds, before any --force
    assert "used" in text and "choose a new or empty folder" in text and "--force" not in text
    assert (out / "keep.txt").read_text() == "old"


def test_another_project_does_not_inherit_the_export_folder(qtbot, project):
    """A walk: after a run on the demo exporting to demo_scene_export, the Scene tab of another scene's project
    still named that folder (and the demo's persons 1,2): a run there would have mixed two scenes' persons."""
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.out.setText("/tmp/demo_scene_export")
    panel.pids.setText("1,2")
    panel.set_project(project)  # the same project again (e.g. after a run): the settings stay
    assert panel.out.text() == "/tmp/demo_scene_export" and panel.pids.text() == "1,2"
    panel.set_project(None)
    assert panel.out.text() == "" and panel.pids.text() == "all"


def test_the_accept_policy_says_what_it_takes(qtbot):
    """A walk: Accept 'all' (the default) trains on unreviewed proposals, and only a tooltip said so."""
    panel = ScenePanel()
    qtbot.addWidget(panel)
    assert panel.accept.currentText() == "score>="  # the default, as the CLI's (a walk found "all")
    panel.accept.setCurrentText("all")
    assert panel.accept_note.text() == "every proposal not rejected, reviewed or not"
    panel.accept.setCurrentText("reviewed")
    assert panel.accept_note.text() == "only what you accepted or edited"


def test_the_bar_moves_with_the_training_steps_not_only_per_person(qtbot):
    """A walk: 'Training 0%' while person 1 was at step 26/136, then 50 % at once."""
    from humanseg_core.jobs import Progress

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel._progress(Progress(0, 2, "person 1", data={"stage": "train", "pid": 1, "step": 50, "steps": 100}))
    assert panel.progress.value() / panel.progress.maximum() == pytest.approx(0.25)
    panel._progress(Progress(1, 2, "person 2", data={"stage": "train", "pid": 2, "step": 100, "steps": 100}))
    assert panel.progress.value() / panel.progress.maximum() == pytest.approx(1.0)
    panel._progress(Progress(3, 10, "frame 3", data={"stage": "segment"}))
    assert (panel.progress.value(), panel.progress.maximum()) == (3, 10)


def test_the_panel_starts_with_the_options_of_a_later_cli_run(qtbot, project):
    """A walk ran `humanseg run --steps-per-person 20 --format mots`, opened the project and the Scene tab
    offered 15 seconds a person and PNGs, as if nothing had run."""
    from app.scene_options import options_to_keep
    from app.scene_panel import OPTIONS_SETTING

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert panel.budget_kind.currentIndex() == 2 and panel.fmt.currentData() == "davis"  # nothing ran yet
    # the default budget: 100 steps, or 60 s if those end first (as `humanseg run` without one)
    assert (panel.config().steps_per_person, panel.config().seconds_per_person) == (100, 60.0)
    panel.budget_kind.setCurrentIndex(0)  # seconds: its own default, not 100 s (a review)
    assert (panel.config().steps_per_person, panel.config().seconds_per_person) == (None, 15.0)
    panel.budget_kind.setCurrentIndex(1)
    panel.budget.setValue(400)
    panel.budget_kind.setCurrentIndex(2)  # between the two kinds of steps the number stays
    assert (panel.config().steps_per_person, panel.config().seconds_per_person) == (400, 60.0)
    cli = {"scene_run": True, "accept": "score>=0.7", "steps_per_person": 20, "seconds_per_person": None,
           "device": "cpu", "backend": "local", "refine": "none", "format": "mots", "mixed_precision": False}
    project.add_run(1, "osvos-parent", cli, None)
    panel.set_project(None)
    panel.set_project(project)
    assert (panel.budget_kind.currentIndex(), panel.budget.value()) == (1, 20)
    assert panel.accept.currentText() == "score>=" and abs(panel.min_score.value() - 0.7) < 1e-9
    assert panel.fmt.currentData() == "mots" and not panel.evidence.isChecked()
    assert panel.device.currentText() == "cpu"
    # the panel's own run keeps its options after every run then recorded: a later opening keeps them
    panel.budget_kind.setCurrentIndex(0)
    panel.budget.setValue(45)
    project.set_setting(OPTIONS_SETTING, options_to_keep(project, panel.options()))
    panel.set_project(None)
    panel.set_project(project)
    assert (panel.budget_kind.currentIndex(), panel.budget.value()) == (0, 45)
    project.add_run(2, "osvos-parent", {**cli, "steps_per_person": 7}, None)  # another CLI run since
    panel.set_project(None)
    panel.set_project(project)
    assert (panel.budget_kind.currentIndex(), panel.budget.value()) == (1, 7)
    project.add_run(3, "osvos-parent", {**cli, "steps_per_person": 100, "seconds_per_person": 60.0}, None)
    panel.set_project(None)
    panel.set_project(project)  # a run with the default budget: its kind
    assert (panel.budget_kind.currentIndex(), panel.budget.value()) == (2, 100)


def test_show_every_person_is_kept_with_the_project(window, qtbot, project):
    """A walk turned on every person's results, reopened the project and found the overlay off again."""
    from app.scene_install import SHOW_ALL_SETTING, install_scene_panel

    panel = install_scene_panel(window, project)
    assert not panel.show_all.isChecked()  # a new project: off
    panel.show_all.setChecked(True)
    assert project.setting(SHOW_ALL_SETTING) is True
    panel.set_project(None)
    assert not panel.show_all.isChecked()
    panel.set_project(project)  # reopened
    assert panel.show_all.isChecked()
    panel.show_all.setChecked(False)
    panel.set_project(project)
    assert not panel.show_all.isChecked()


def test_a_project_whose_persons_were_segmented_elsewhere_opens_with_every_result_shown(tmp_path):
    """A walk's project from `humanseg run` (11 persons segmented) opened with the overlay off."""
    import numpy as np

    from app.scene_install import SHOW_ALL_SETTING, shows_all
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    with Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t")) as project:
        assert shows_all(project) is False and shows_all(None) is False
        for pid in (1, 2):
            project.save_results(pid, project.add_run(pid, "fast"), {0: np.ones((4, 4), bool)})
        assert shows_all(project) is True
        project.set_setting(SHOW_ALL_SETTING, False)  # the analyst's choice wins
        assert shows_all(project) is False


def test_a_project_without_a_homography_is_told_it_will_be_estimated(qtbot, project, tmp_path):
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)  # made with its homography
    assert "no homography" not in panel.status.text()
    bare = Project.create(tmp_path / "bare", ProjectInputs(video="v", trajectories="t"))
    try:
        panel.set_project(bare)
        assert "no homography: one is estimated from the video first" in panel.status.text()
        assert "ADR" not in panel.status.text()  # (a walk: "ADR 0022" meant nothing to a user)
        bare.use_homography(str(tmp_path / "H.txt"))  # File ▸ Use a Homography File… (the window's scene changes)
        panel.refresh_status()
        assert "no homography" not in panel.status.text()
    finally:
        panel.set_project(None)
        bare.close()


def test_the_jobs_warnings_stay_said_to_the_end(qtbot, project, monkeypatch):
    """A moving camera, or no parent file: the proposals' method changed, and the Scene tab said nothing of it (the
    command line did)."""
    from humanseg_core.jobs import JobWarning
    from humanseg_core.proposals.joint import MOVING_CAMERA

    warned = (JobWarning(MOVING_CAMERA, "the video's background does not hold still"),)

    def fake_job(project, config, cancel):
        yield Progress(0, 2, "frame 3", data={"stage": "propose"}, warnings=warned)
        yield Progress(1, 2, "step 1", data={"stage": "train", "pid": 7, "step": 1, "steps": 0})
        while not cancel.cancelled:
            yield Progress(1, 2, "step 2", data={"stage": "train", "pid": 7, "step": 2, "steps": 0})
        raise Cancelled("cancelled by the user")

    panel, _ = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: "step 2" in panel.status.text(), timeout=5000)
    assert "Warning: the video's background does not hold still" in panel.status.text()  # after the stage it came in
    panel.cancel()
    wait_cancelled(qtbot, panel)


def test_the_export_folder_is_kept_with_its_project_and_not_offered_to_another(qtbot, project, tmp_path):
    """A walk quit a Whole scene run halfway, reopened the project and found the other options but no export
    folder; another project's panel still starts without it (two scenes' persons in one folder)."""
    from app.scene_options import options_to_keep
    from app.scene_panel import OPTIONS_SETTING

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.out.setText(str(tmp_path / "masks"))
    project.set_setting(OPTIONS_SETTING, options_to_keep(project, panel.options()))  # as a run's start keeps them
    panel.set_project(None)
    assert panel.out.text() == ""
    panel.set_project(project)
    assert panel.out.text() == str(tmp_path / "masks")


def test_a_kept_person_is_not_said_to_be_segmenting(qtbot):
    """A walk's run with "Keep their results": persons 318 and 320 read "segmenting: 117/140 frames so far" while
    their stored results stayed as they were (their networks only share the frames' pixels out)."""
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel._progress(Progress(0, 1, "chosen", data={"stage": "start", "pids": [1], "kept": {7: 3}}))
    assert panel.state(1) == "waiting" and panel.state(7) == "kept: its results (run 3), not trained again"
    panel._progress(Progress(3, 10, "frame 3", data={"stage": "segment", "person_frames": {1: 3, 7: 3}}))
    assert panel.state(1) == "segmenting: 3 frames so far"
    assert panel.state(7) == "kept: its results (run 3), not trained again"
