"""The training panel runs a (fake) training job in the worker: progress, loss plot, cancel, warnings."""

import time

import pytest
from fakes import main_window_api

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QTimer

from app.segmentation.training_panel import TrainingPanel, format_eta
from humanseg_core.jobs import JobWarning, Progress
from humanseg_core.osvos.config import FROM_SCRATCH


def fake_train(n_steps=20, delay=0.0, warning=None, holdout_every=5, log=None):
    """A train_job stand-in: yields Progress with a decreasing loss, checks the cancel token each step."""

    def factory(params, cancel):
        if log is not None:
            log.append(params)
        if warning:
            yield Progress(0, n_steps, warning, warnings=(JobWarning(FROM_SCRATCH, warning),))
        for step in range(1, n_steps + 1):
            cancel.raise_if_cancelled()
            if delay:
                time.sleep(delay)
            data = {"loss": 1.0 / step, "step": step}
            if step % holdout_every == 0:
                data["holdout_J"] = min(1.0, step / n_steps)
            if log is not None:
                log.append(step)
            yield Progress(step, n_steps, f"step {step}", data)
        return {"checkpoint": "/tmp/ck.pt", "steps": n_steps, "metrics": {"holdout_J": 0.8}, "holdout_frames": [10]}

    return factory


def make_panel(qtbot, factory, record=None):
    panel = TrainingPanel(factory, on_record=record)
    qtbot.addWidget(panel)
    panel.set_person(7, n_accepted=12)
    return panel


def test_buttons_need_a_person_with_accepted_masks(qtbot):
    panel = TrainingPanel(fake_train())
    qtbot.addWidget(panel)
    assert not panel.start_btn.isEnabled()
    panel.set_person(3, n_accepted=0)
    assert not panel.start_btn.isEnabled() and "Accept" in panel.status.text()
    panel.set_person(3, n_accepted=5)
    assert panel.start_btn.isEnabled() and not panel.resume_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert panel.holdout.maximum() == 2  # at most half held out, as the training caps it (a walk: "3 held out" of 5)
    panel.holdout.setValue(3)
    assert panel.holdout.value() == 2 and "5 accepted masks, 2 held out to measure J" in panel.status.text()


def test_the_default_hold_out_is_three_masks_and_at_most_a_quarter_a_users_choice_up_to_half(qtbot):
    """A walk's 7 accepted masks trained on 4 (3 held out by default). Unless the user chooses, 3 and at most a
    quarter are held out; a choice is kept (at most half) as the person or the count changes."""
    panel = TrainingPanel(fake_train())
    qtbot.addWidget(panel)
    held = []
    for n in (3, 7, 8, 12, 40):
        panel.set_person(3, n_accepted=n)
        held.append(panel.holdout.value())
    assert held == [0, 1, 2, 3, 3]
    assert "Ready: 3 accepted masks." in (panel.set_person(3, n_accepted=3) or panel.status.text())
    panel.set_person(3, n_accepted=12)
    panel.holdout.setValue(5)  # the user's choice
    panel.set_person(4, n_accepted=7)
    assert panel.holdout.value() == 3  # at most half of 7
    panel.set_person(4, n_accepted=40)
    assert panel.holdout.value() == 5


def test_a_run_reports_progress_fills_the_plot_and_offers_to_segment(qtbot):
    params_seen, recorded = [], []

    def record(params, result):
        recorded.append((params, result))
        return 42

    panel = make_panel(qtbot, fake_train(20, log=params_seen), record)
    panel.model_box.setCurrentIndex(panel.model_box.findData("osvos-vgg16"))
    panel.budget_kind.setCurrentIndex(panel.budget_kind.findData("steps"))  # the default is seconds
    panel.budget.setValue(20)
    panel.guidance.setChecked(False)
    panel.holdout.setValue(2)
    with qtbot.waitSignal(panel.run_finished, timeout=5000) as blocker:
        panel.start_btn.click()
        assert panel.is_running() and panel.cancel_btn.isEnabled() and not panel.start_btn.isEnabled()
    assert blocker.args[0]["run_id"] == 42
    assert params_seen[0] == {"pid": 7, "model": "osvos-vgg16", "steps": 20, "seconds": None, "guidance": False,
                              "holdout": 2, "resume": None}
    assert [s for s, _ in panel.plot.loss_points()] == list(range(1, 21))
    assert panel.plot.loss_points()[-1][1] == pytest.approx(1 / 20)
    assert [s for s, _ in panel.plot.holdout_points()] == [5, 10, 15, 20]
    assert recorded[0][1]["checkpoint"] == "/tmp/ck.pt"
    qtbot.waitUntil(lambda: not panel.is_running())
    assert "run #42" in panel.status.text() and "0.800" in panel.status.text()
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.warning.isHidden()
    assert not panel.segment_btn.isHidden()
    assert panel.segment_btn.text() == "Segment with the new network"  # starts at once: no '…' (no dialog)
    assert panel.segment_btn.toolTip().endswith("with the network alone")  # its way said (a walk: it said neither)
    with qtbot.waitSignal(panel.segment_requested) as seg:
        panel.segment_btn.click()
    assert seg.args == [42]
    # the new checkpoint can be resumed
    assert panel.resume_btn.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.resume_btn.click()
    assert params_seen[-21]["resume"] == "/tmp/ck.pt"


def test_cancel_stops_the_job_and_the_gui_stays_responsive(qtbot):
    steps_done = []
    panel = make_panel(qtbot, fake_train(10_000, delay=0.005, log=steps_done))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    panel.start_btn.click()
    qtbot.waitUntil(lambda: len(panel.plot.loss_points()) >= 5, timeout=5000)
    # the GUI thread kept running its event loop while the job worked
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)
    assert panel.progress.maximum() == 10_000 and "ETA" in panel.progress.format()
    with qtbot.waitSignal(panel.running_changed, timeout=5000) as blocker:
        panel.cancel_btn.click()
    timer.stop()
    assert blocker.args == [False]
    assert "cancelled" in panel.status.text().lower()
    qtbot.waitUntil(lambda: panel.progress.format() == "cancelled", timeout=5000)
    assert panel.progress.value() == panel.progress.minimum()  # empty: a full bar read as success (a walk)
    assert len(steps_done) < 10_000
    assert panel.start_btn.isEnabled() and not panel.cancel_btn.isEnabled()
    assert panel.segment_btn.isHidden()


def test_a_cancelled_training_shows_the_stored_run_again(qtbot):
    """A walk: after a cancel the panel kept the discarded run's curve and hold-out J, and the stored run's Segment
    button was gone."""
    panel = make_panel(qtbot, fake_train(10_000, delay=0.005))
    stored = {"id": 1, "model": "osvos-lite", "params": {}, "checkpoint": "a.pt",
              "metrics": {"steps": 3, "holdout_J": 0.892, "curve": {"loss": [[1, 0.9], [2, 0.5], [3, 0.3]]}}}
    panel.set_person(7, n_accepted=12, last_run=stored)
    assert [s for s, _ in panel.plot.loss_points()] == [1, 2, 3] and not panel.segment_btn.isHidden()
    panel.start_btn.click()
    qtbot.waitUntil(lambda: len(panel.plot.loss_points()) >= 5 and panel.plot.loss_points()[0][1] == 1.0, timeout=5000)
    with qtbot.waitSignal(panel.running_changed, timeout=5000):
        panel.cancel_btn.click()
    assert [s for s, _ in panel.plot.loss_points()] == [1, 2, 3] and not panel.segment_btn.isHidden()
    assert "cancelled" in panel.status.text().lower()


def test_training_from_scratch_shows_a_visible_warning(qtbot):
    msg = "training from scratch, no pretrained weights"
    panel = make_panel(qtbot, fake_train(3, warning=msg))
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert not panel.warning.isHidden() and msg in panel.warning.text()


def test_a_failing_job_is_reported_not_raised(qtbot):
    from humanseg_core.errors import WeightsError

    def broken(params, cancel):
        yield Progress(0, 5, "loading")
        raise WeightsError("weights.pt: checksum mismatch")

    panel = make_panel(qtbot, broken)
    with qtbot.waitSignal(panel.running_changed, timeout=5000, check_params_cb=lambda on: not on):
        panel.start_btn.click()
    assert "checksum mismatch" in panel.status.text()
    assert panel.start_btn.isEnabled()


def test_seconds_budget_and_log_scale(qtbot):
    log = []
    panel = make_panel(qtbot, fake_train(3, log=log))
    panel.budget_kind.setCurrentIndex(1)
    panel.budget.setValue(30)
    panel.log_box.setChecked(True)
    assert panel.plot.log_scale()
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert log[0]["steps"] is None and log[0]["seconds"] == 30.0


def test_format_eta():
    assert format_eta(None) == "--:--"
    assert format_eta(65) == "1:05"
    assert format_eta(3725) == "1:02:05"


# -- the segment panel and the installed controller --------------------------------------------------

def test_segment_panel_runs_the_job_and_stores_results(qtbot):
    import numpy as np

    from app.segmentation.segment_panel import SegmentPanel

    requests, stored = [], []

    def factory(request, cancel):
        requests.append(request)
        out = {}
        for i, f in enumerate(range(request["first"], request["last"] + 1)):
            cancel.raise_if_cancelled()
            out[f] = np.ones((4, 4), bool)
            yield Progress(i + 1, request["last"] - request["first"] + 1, f"frame {f}")
        return out

    panel = SegmentPanel(factory, on_store=lambda pid, run_id, masks: stored.append((pid, run_id, sorted(masks))))
    qtbot.addWidget(panel)
    assert not panel.start_btn.isEnabled()
    runs = [{"id": 1, "model": "osvos-lite", "params": {}, "metrics": {}, "checkpoint": "a.pt"},
            {"id": 2, "model": "osvos-lite", "params": {"guidance": False}, "metrics": {"holdout_J": 0.7},
             "checkpoint": "b.pt"}]
    panel.set_person(5, (10, 19), runs)
    assert panel.run_box.currentData() == 2 and "hold-out J 0.700" in panel.run_box.currentText()
    with qtbot.waitSignal(panel.results_saved, timeout=5000) as blocker:
        panel.start_btn.click()
    assert blocker.args == [5, 2, 10]
    assert stored == [(5, 2, list(range(10, 20)))]
    qtbot.waitUntil(lambda: not panel.is_running())
    panel.select_run(1)
    panel.ranged.setChecked(True)
    panel.first.setValue(15)
    panel.last.setValue(12)  # reversed: sorted
    with qtbot.waitSignal(panel.results_saved, timeout=5000) as blocker:
        panel.start_btn.click()
    assert blocker.args == [5, 1, 4] and requests[-1]["first"] == 12 and requests[-1]["last"] == 15
    assert requests[0]["refine"] == requests[-1]["refine"] == "none"  # the network alone unless asked
    qtbot.waitUntil(lambda: not panel.is_running())
    panel.evidence.setChecked(True)
    with qtbot.waitSignal(panel.results_saved, timeout=5000):
        panel.start_btn.click()
        # every input off while it runs (a walk unticked the masks box mid-job: the panel then misstated the masks)
        assert not any(w.isEnabled() for w in (panel.evidence, panel.first, panel.last, panel.run_box))
    assert requests[-1]["refine"] == "evidence"
    qtbot.waitUntil(lambda: not panel.is_running())
    # the refresh after storing keeps what was segmented on show (it reset to 10..19 and the newest run)
    panel.set_person(5, (10, 19), runs)
    assert (panel.first.value(), panel.last.value(), panel.run_box.currentData()) == (12, 15, 1)
    panel.set_person(5, (10, 19), [*runs, {**runs[1], "id": 3}])  # a new network stored since: the newest
    assert panel.run_box.currentData() == 3 and (panel.first.value(), panel.last.value()) == (12, 15)
    panel.set_person(6, (30, 40), runs)  # another person: its span and newest network
    assert (panel.first.value(), panel.last.value(), panel.run_box.currentData()) == (30, 40, 2)
    # a Whole scene run segmented its frames through the evidence step: segmenting again does so too (a walk
    # re-segmented with the network alone, then the default, and lost 0.035 J)
    scene_run = {"id": 7, "model": "osvos-parent", "checkpoint": "c.pt", "metrics": {},
                 "params": {"scene_run": True, "accept": "all", "refine": "evidence"}}
    panel.set_person(6, (30, 40), [*runs, scene_run])
    assert panel.run_box.currentData() == 7 and panel.evidence.isChecked()
    panel.evidence.setChecked(False)  # the analyst's choice survives a refresh with the same network
    panel.set_person(6, (30, 40), [*runs, scene_run])
    assert not panel.evidence.isChecked()
    panel.select_run(2)  # a Train tab run: the network alone
    assert not panel.evidence.isChecked()
    panel.select_run(7)
    assert panel.evidence.isChecked()
    # a Train tab run of the parent family: through the evidence too (a walk's J 0.817 and 0.506 with the network
    # alone, 0.860 and 0.554 so); a Whole scene run recorded without it keeps its way
    panel.set_person(6, (30, 40), [*runs, {**scene_run, "id": 8, "params": {"steps": 60}}])
    assert panel.run_box.currentData() == 8 and panel.evidence.isChecked()
    panel.set_person(6, (30, 40), [*runs, {**scene_run, "id": 9, "params": {**scene_run["params"], "refine": "none"}}])
    assert panel.run_box.currentData() == 9 and not panel.evidence.isChecked()


@pytest.mark.slow
def test_installed_panels_train_segment_and_score_a_demo_person(qtbot, tmp_path):
    """End to end with the real core on the demo scene: train a few steps, segment, play back, score."""
    import cv2
    import numpy as np

    from app.segmentation.install import install_segmentation
    from humanseg_core.demo import demo_dir
    from humanseg_core.inputs.scene import load_scene
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    folder = demo_dir(0)
    scene = load_scene(folder / "frames", folder / "trajectories.txt", folder / "H.txt")

    pid = 1
    project = Project.create(tmp_path / "proj", ProjectInputs(str(folder / "frames"), str(folder / "trajectories.txt")))
    track = scene.trajectories.tracks[pid]
    gt = {f: folder / "gt" / str(pid) / f"{f:05d}.png" for f in range(int(track.first), int(track.last) + 1)}
    frames = [f for f in sorted(gt) if gt[f].exists()][:40:8]
    props = []
    for f in frames:
        m = cv2.imread(str(gt[f]), 0) > 0
        ys, xs = np.nonzero(m)
        props.append(Proposal(f, pid, (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())), m, "gt",
                              status="accepted"))
    project.add_proposals(props)

    win = main_window_api(scene, scene.frames)  # the documented public API of app.main_window.MainWindow
    qtbot.addWidget(win)
    c = install_segmentation(win, project)
    assert not c.training.start_btn.isEnabled()
    win.selected_pid = pid
    win.person_selected.emit(pid)
    assert c.training.start_btn.isEnabled() and "5 accepted" in c.training.person_label.text()
    c.training.budget_kind.setCurrentIndex(c.training.budget_kind.findData("steps"))
    c.training.budget.setValue(3)
    c.training.holdout.setValue(1)
    with qtbot.waitSignal(c.training.run_finished, timeout=120_000) as blocker:
        c.training.start_btn.click()
    run_id = blocker.args[0]["run_id"]
    run = project.runs(pid)[-1]
    assert run["id"] == run_id and run["metrics"]["steps"] == 3 and run["checkpoint"]
    assert len(run["params"]["holdout_frames"]) == 1 and len(run["params"]["train_frames"]) == 4
    assert not set(run["params"]["holdout_frames"]) & set(run["params"]["train_frames"])
    qtbot.waitUntil(lambda: not c.training.is_running())
    c.segment.ranged.setChecked(True)
    c.segment.first.setValue(frames[0])
    c.segment.last.setValue(frames[0] + 9)
    with qtbot.waitSignal(c.segment.results_saved, timeout=120_000):
        c.segment.start_btn.click()
    assert sorted(project.results(pid, run_id)) == list(range(frames[0], frames[0] + 10))
    assert len(c.playback._masks["results"]) == 10
    qtbot.waitUntil(lambda: not c.scoring() and bool(c.quality.scores()), timeout=20_000)  # scored by a job
    held = [s for s in c.quality.scores() if s.heldout]
    assert [s.frame for s in held] == run["params"]["holdout_frames"]
    assert all(0.0 <= s.j <= 1.0 for s in held)
    win.set_frame(frames[0])
    assert "segmentation" in win.frame_view.mask_overlay_names()
    project.close()


def test_hold_out_choice_survives_a_person_with_few_masks(qtbot):
    panel = TrainingPanel(fake_train())
    qtbot.addWidget(panel)
    panel.set_person(3, n_accepted=10)
    panel.holdout.setValue(5)
    panel.set_person(3, n_accepted=2)  # only 1 can be held out now
    assert panel.holdout.value() == 1
    assert "2 accepted masks" in panel.person_label.text()
    panel.set_person(3, n_accepted=1)
    assert "1 accepted mask" in panel.person_label.text() and "masks" not in panel.person_label.text()
    panel.set_person(3, n_accepted=12)
    assert panel.holdout.value() == 5


def test_the_final_hold_out_score_ends_the_plot(qtbot):
    panel = make_panel(qtbot, fake_train(22, holdout_every=5), lambda params, result: 1)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert panel.plot.holdout_points()[-1] == (22, pytest.approx(0.8))  # the J the status line quotes
    assert "0.800" in panel.status.text()


def test_only_the_typed_scratch_warning_raises_the_banner(qtbot):
    """The banner follows JobWarning.kind, never the words of a message."""

    def job(params, cancel):
        yield Progress(0, 1, "from scratch", warnings=(JobWarning("note", "mentions from scratch"),))
        return {"steps": 1, "notices": [JobWarning("note", "mentions from scratch")]}

    panel = make_panel(qtbot, job)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert panel.warning.isHidden() and "mentions from scratch" in panel.status.text()


def test_a_run_that_ends_with_notes_is_not_shown_in_the_all_well_green(qtbot):
    """A walk: 'label cleaning stopped after 0 of 5 masks …' under a finished run, in the success green."""
    from app.segmentation.training_panel import DONE_STYLE, NOTED_STYLE

    def with_note(params, cancel):
        yield Progress(1, 1, "step 1", {"loss": 0.5, "step": 1})
        return {"checkpoint": "/tmp/ck.pt", "steps": 1, "metrics": {}, "holdout_frames": [],
                "notices": [JobWarning("note", "only 1 training step fitted in the 15 s budget")]}

    for factory, style in ((with_note, NOTED_STYLE), (fake_train(3), DONE_STYLE)):
        panel = make_panel(qtbot, factory)
        panel.start_btn.click()
        qtbot.waitUntil(lambda p=panel: "finished" in p.status.text(), timeout=5000)
        assert panel.status.styleSheet() == style, panel.status.text()


def test_a_run_that_already_segmented_says_so(qtbot):
    """A walk: person 15, trained and segmented (71 frames) by the command line, still read 'Segment with the
    new network' in the Train tab, nothing saying its frames were done."""
    panel = TrainingPanel(fake_train())
    qtbot.addWidget(panel)
    run = {"id": 4, "model": "osvos-parent", "checkpoint": "c.pt", "params": {}, "metrics": {"steps": 30},
           "result_frames": 71}
    panel.set_person(15, n_accepted=8, resume_checkpoint="c.pt", last_run=run)
    assert "71 frames segmented with it" in panel.status.text()
    assert panel.segment_btn.text() == "Segment again with this network"
    panel.set_person(16, n_accepted=8, resume_checkpoint="c.pt", last_run={**run, "id": 5, "result_frames": 0})
    assert panel.segment_btn.text() == "Segment with the new network" and "segmented" not in panel.status.text()


def test_a_run_that_gave_back_its_best_network_ends_its_curve_on_the_last_measure(qtbot):
    """The final hold-out J had replaced the curve's last point: a run that gave back the network of step 10 (J
    0.9) drew J climbing back to 0.9 at step 20, while its note said it fell (a review)."""
    def factory(params, cancel):
        for step, j in ((5, 0.7), (10, 0.9), (15, 0.6), (20, 0.5)):
            yield Progress(step, 20, f"step {step}", {"loss": 1.0 / step, "step": step, "holdout_J": j})
        return {"checkpoint": "/tmp/ck.pt", "steps": 20, "holdout_J": 0.9, "kept_step": 10,
                "notices": [JobWarning("note", "kept the network of step 10 (hold-out J 0.90)")]}

    panel = make_panel(qtbot, factory)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert panel.plot.holdout_points()[-1] == (20, 0.5) and panel.plot.kept == (10, 0.9)  # in the plot's header
    assert not panel.plot.grab().isNull()  # drawn with it
    assert "kept the network of step 10" in panel.status.text()
    panel._last_run, panel._shown = {"id": 3, "metrics": {"steps": 20, "holdout_J": 0.9, "kept_step": 10,
                                                          "curve": {"holdout": [[10, 0.9], [20, 0.5]]}}}, None
    panel._show_last_run()
    assert panel.plot.holdout_points()[-1] == (20, 0.5) and panel.plot.kept == (10, 0.9)  # shown again: the same
    from app.segmentation.run_text import last_run_text

    assert "the network of step 10 kept (its best)" in last_run_text(panel._last_run, 12)


def test_the_train_tabs_segment_button_segments_as_its_tooltip_says(qtbot):
    """A review: after the analyst unticked the Segment tab's evidence box for a run, the Train tab's button (its
    tooltip: "through the per-frame evidence") segmented with the network alone."""
    from app.segmentation.segment_panel import SegmentPanel

    panel = SegmentPanel(lambda request, cancel: iter(()), on_store=lambda *a: None)
    qtbot.addWidget(panel)
    runs = [{"id": 4, "model": "osvos-parent", "params": {}, "metrics": {}, "checkpoint": "a.pt"}]
    panel.set_person(5, (10, 19), runs)
    assert panel.evidence.isChecked()
    panel.evidence.setChecked(False)  # the analyst's choice holds while the run stays chosen
    panel.select_run(4)
    assert not panel.evidence.isChecked()
    panel.select_run(4, as_made=True)  # the Train tab's button
    assert panel.evidence.isChecked()


def test_a_kept_runs_live_curve_ends_on_the_final_measure_as_stored(qtbot):
    """A walk: the live plot's last point (step 144) was the step's live measure, 0.747, the header "hold-out J
    0.747", while the note said the network had fallen to 0.64 there; reopened, the stored curve drew 0.643."""
    def factory(params, cancel):
        for step, j in ((1, 0.75), (72, 0.7), (144, 0.747)):
            yield Progress(step, 144, f"step {step}", {"loss": 1.0 / step, "step": step, "holdout_J": j})
        return {"checkpoint": "/tmp/ck.pt", "steps": 144, "holdout_J": 0.75, "kept_step": 1,
                "curve": {"loss": [[144, 0.1]], "holdout": [[1, 0.75], [72, 0.7], [144, 0.643]]},
                "notices": [JobWarning("note", "kept the network of step 1 (hold-out J 0.75): at the last step, "
                                               "144, it had fallen to 0.64")]}

    panel = make_panel(qtbot, factory)
    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.start_btn.click()
    assert panel.plot.holdout_points()[-1] == (144, 0.643) and panel.plot.kept == (1, 0.75)
