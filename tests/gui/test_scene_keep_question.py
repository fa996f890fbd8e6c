"""Whole scene over persons that already have results: the panel asks first (keep / retrain / cancel); Keep
runs the core with keep_trained (nothing of theirs trained or replaced), Cancel starts nothing."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.scene_keep import KEEP, RETRAIN, question
from app.scene_panel import ScenePanel
from humanseg_core.jobs import Progress
from humanseg_core.workflows.scene_run import SceneRunResult


def _results_for(project, pid: int) -> int:
    run = project.add_run(pid, "osvos-lite", {"steps": 168}, None, {"steps": 168})
    mask = np.zeros((240, 320), bool)
    mask[100:140, 50:70] = True
    project.save_results(pid, run, {10: mask, 20: mask})
    return run


def _panel(qtbot, project, monkeypatch, choice):
    """A panel whose question answers ``choice``; returns (panel, asked, configs, done)."""
    from humanseg_core.workflows import scene_run

    configs, asked, done = [], [], []

    def fake_job(project, config, cancel):
        configs.append(config)
        kept = {2: 1} if config.keep_trained else {}
        yield Progress(0, 1, "1 persons to train", data={"stage": "train", "pids": [1], "kept": kept})
        return SceneRunResult(persons=[1], kept=kept, person_frames=4, seconds=1.0, segment_seconds=0.004)

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = ScenePanel(on_done=done.append)
    qtbot.addWidget(panel)
    panel.ask_keep = lambda pids: asked.append(pids) or choice
    panel.set_project(project)
    panel.device.setCurrentText("cpu")
    return panel, asked, configs, done


def test_keep_asks_first_and_runs_without_retraining(qtbot, scene_project, monkeypatch):
    run = _results_for(scene_project, 2)
    panel, asked, configs, done = _panel(qtbot, scene_project, monkeypatch, KEEP)
    panel.out.setText(str(scene_project.folder / "exports" / "all"))
    panel.start()
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert asked == [[2]] and configs[0].keep_trained is True
    assert panel.state(2).startswith("kept: its results") and "1 kept" in panel.status.text()
    assert "person 2 kept, exported as stored" in panel.status.text()  # in the export folder as they were
    assert scene_project.result_runs() == {2: run}


def test_retrain_runs_them_too_and_cancel_starts_nothing(qtbot, scene_project, monkeypatch):
    _results_for(scene_project, 2)
    _results_for(scene_project, 3)
    panel, asked, configs, done = _panel(qtbot, scene_project, monkeypatch, RETRAIN)
    panel.start()
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert asked == [[2, 3]] and configs[0].keep_trained is False

    panel.ask_keep = lambda pids: asked.append(pids) or None  # Cancel
    panel.pids.setText("1, 3")
    panel.start()
    assert asked[-1] == [3] and len(configs) == 1  # only the chosen persons are named; no job started
    assert panel.status.text().startswith("Not started") and panel.run_button.isEnabled()


def test_no_question_when_nobody_has_results(qtbot, scene_project, monkeypatch):
    panel, asked, configs, done = _panel(qtbot, scene_project, monkeypatch, None)
    panel.start()
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert asked == [] and configs[0].keep_trained is False


def test_keep_when_every_chosen_person_has_results_runs_nothing(qtbot, scene_project):
    """Keep with only persons that have results ran an empty job ('0 persons segmented … 1 kept', a walk)."""
    run = _results_for(scene_project, 2)
    before = scene_project.results(2)
    done = []
    panel = ScenePanel(on_done=done.append)
    qtbot.addWidget(panel)
    panel.ask_keep = lambda pids: KEEP
    panel.set_project(scene_project)
    panel.device.setCurrentText("cpu")
    panel.pids.setText("2")
    panel.start()
    assert panel._worker is None and not done and panel.run_button.isEnabled()
    assert panel.status.text().startswith("Nothing to do: every chosen person keeps its results")
    assert [r["id"] for r in scene_project.runs(2)] == [run]
    after = scene_project.results(2)
    assert sorted(after) == sorted(before) and all((after[f] == before[f]).all() for f in before)


def test_the_question_names_results_a_cancelled_run_left_part_way(scene_project):
    """A walk cancelled a run half-way, ran again and chose Keep: the partial results (55 of 91 frames) were
    kept without a word."""
    from app.scene_keep import partial_results, persons_with_results

    _results_for(scene_project, 2)
    cut = scene_project.add_run(1, "osvos-parent", {"scene_run": True}, None, {"steps": 3, "stopped": "cancelled"})
    scene_project.save_results(1, cut, {f: np.zeros((240, 320), bool) for f in (0, 1, 2)})
    partial = partial_results(scene_project, persons_with_results(scene_project, (1, 2)))
    assert partial == {1: f"run {cut} cancelled after 3 frames"}
    text = question([1, 2], partial)
    assert text.startswith("2 persons already have segmentation results (1, 2). Of these, person 1 has only "
                           f"part of the frames: 1: run {cut} cancelled after 3 frames. Either choice segments them "
                           "again")


def test_the_question_names_the_persons():
    assert question([7, 3]) == "2 persons already have segmentation results (3, 7)."
    assert question([4]) == "1 person already has segmentation results (4)."
    assert question(list(range(20))).endswith("11, …).")


@pytest.mark.parametrize("button, choice", [("Keep their results", KEEP), ("Retrain them too", RETRAIN),
                                            ("Cancel", None)])
def test_the_dialog_gives_the_button_pressed(qtbot, button, choice):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.scene_keep import ask_keep

    seen = []

    def press():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(0, press)
    assert ask_keep(None, [3, 7]) == choice and seen == ["2 persons already have segmentation results (3, 7)."]


@pytest.mark.parametrize("exporting", [False, True])
def test_keep_says_the_kept_persons_stay_out_of_the_export(qtbot, exporting):
    """A walk: Keep for person 3, an export folder named: the folder held 1, 2, 4-8 and only the summary said
    why; the question did not."""
    from app.scene_keep import ask_keep

    seen = _informative(lambda: ask_keep(None, [3], exporting=exporting))
    said = "person 3 keeps the results Play and Export use now, written to this run's export folder as they are"
    assert (said in seen.replace("Person", "person")) is exporting, seen


def _informative(ask) -> str:
    """The informative text of the question ``ask()`` puts up (rejected at once)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen = []

    def press():
        box = QApplication.activeModalWidget()
        seen.append(box.informativeText())
        box.reject()

    QTimer.singleShot(0, press)
    ask()
    return seen[0]


def test_no_keep_when_every_chosen_person_has_results(qtbot):
    """A walk chose persons 251,252, both with results: the question offered 'Keep their results: train and
    segment the other persons only', which would have done nothing."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.scene_keep import RETRAIN, ask_keep

    seen = []

    def press():
        box = QApplication.activeModalWidget()
        seen.append([b.text().replace("&", "") for b in box.buttons()])
        next(b for b in box.buttons() if b.text().replace("&", "") != "Cancel").click()

    QTimer.singleShot(0, press)
    assert ask_keep(None, [251, 252], only_them=True) == RETRAIN
    assert len(seen[0]) == 2 and "Cancel" in seen[0] and not any("other persons" in t for t in seen[0])


@pytest.mark.parametrize("chosen, only", [("251,252", True), ("251", True), ("all", False), ("251,7", False)])
def test_the_panel_asks_without_keep_when_keep_would_do_nothing(qtbot, monkeypatch, chosen, only):
    from app import scene_keep
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.pids.setText(chosen)
    asked = []
    monkeypatch.setattr(scene_keep, "ask_keep", lambda *a, **k: asked.append(k["only_them"]))
    monkeypatch.setattr(scene_keep, "partial_results", lambda project, existing: {})
    monkeypatch.setattr(scene_keep, "persons_with_results", lambda project, pids: {})
    scene_keep.ask_keep_for(panel, [251, 252])
    assert asked == [only]


def test_all_persons_with_every_one_having_results_asks_without_keep(qtbot, monkeypatch):
    """A walk ran Whole scene again on all persons, each with results: Keep, which would do nothing, was the
    default button. A person whose results a stopped run left part-way is segmented again either way."""
    from types import SimpleNamespace

    from app import scene_keep
    from app.scene_panel import ScenePanel

    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.pids.setText("all")
    panel.scene = SimpleNamespace(pids_in_video=lambda: [251, 252])  # the window's scene (the panel is its own)
    asked = []
    monkeypatch.setattr(scene_keep, "ask_keep", lambda *a, **k: asked.append(k["only_them"]))
    monkeypatch.setattr(scene_keep, "persons_with_results", lambda project, pids: {})
    monkeypatch.setattr(scene_keep, "partial_results", lambda project, existing: {})
    scene_keep.ask_keep_for(panel, [251, 252])
    monkeypatch.setattr(scene_keep, "partial_results", lambda project, existing: {252: "run 3 cancelled"})
    scene_keep.ask_keep_for(panel, [251, 252])  # Keep would still segment 252 again
    scene_keep.ask_keep_for(panel, [251])
    assert asked == [True, False, False]


def test_a_killed_run_is_named_partial_and_keep_then_still_has_work(scene_project):
    """A mutation audit: a run killed without a mark (no segmented_frames, no stopped) was not named, and Keep
    with every chosen person holding results, one of them partial, was refused as "Nothing to do"."""
    from types import SimpleNamespace

    from app.scene_keep import KEEP, partial_results, persons_with_results, settle_earlier_runs
    from humanseg_core.workflows.scene_config import SceneRunConfig

    killed = scene_project.add_run(1, "osvos-parent", {"scene_run": True}, None, {"steps": 3})
    scene_project.save_results(1, killed, {f: np.zeros((240, 320), bool) for f in (0, 1)})
    have = persons_with_results(scene_project, (1,))
    assert partial_results(scene_project, have) == {1: f"run {killed} cancelled or failed after 2 frames"}
    panel = SimpleNamespace(project=scene_project, ask_keep=lambda pids: KEEP, ask_reuse=lambda pids: None)
    config, why = settle_earlier_runs(panel, SceneRunConfig(pids=(1,), backend="local"), have)
    assert why is None and config.keep_trained


def test_keep_still_offers_a_part_way_persons_stored_network(scene_project, tmp_path):
    """A review: Keep left persons whose run was cancelled part-way out of "Use those networks", and the core
    (which keeps whole runs only) trained them again from the start."""
    from types import SimpleNamespace

    from app.scene_keep import KEEP, REUSE, persons_with_results, settle_earlier_runs
    from humanseg_core.workflows.scene_config import SceneRunConfig

    checkpoint = tmp_path / "net.pt"
    checkpoint.write_bytes(b"stored")
    cut = scene_project.add_run(1, "osvos-parent", {"scene_run": True}, str(checkpoint),
                                {"steps": 3, "stopped": "cancelled"})
    scene_project.save_results(1, cut, {f: np.zeros((240, 320), bool) for f in (0, 1)})
    asked: list = []
    panel = SimpleNamespace(project=scene_project, ask_keep=lambda pids: KEEP,
                            ask_reuse=lambda pids: asked.append(pids) or REUSE)
    config, why = settle_earlier_runs(panel, SceneRunConfig(pids=(1,), backend="local"),
                                      persons_with_results(scene_project, (1,)))
    assert why is None and asked == [[1]] and config.reuse_trained


def test_the_persons_runs_are_read_once_however_many_have_results(scene_project, monkeypatch):
    """A stall audit: Run whole scene read every person's runs once a person before its question (0.3 s on 94)."""
    from dataclasses import replace
    from types import SimpleNamespace

    from app import scene_keep
    from humanseg_core.workflows.scene_config import SceneRunConfig

    existing = {pid: _results_for(scene_project, pid) for pid in (1, 2, 3)}
    calls: list = []
    real = scene_keep.partial_results
    monkeypatch.setattr(scene_keep, "partial_results", lambda *a: calls.append(1) or real(*a))
    panel = SimpleNamespace(project=scene_project, ask_keep=lambda pids: KEEP, ask_reuse=lambda pids: None)
    config = replace(SceneRunConfig(), pids=(1, 2, 3, 4))
    config, why = scene_keep.settle_earlier_runs(panel, config, existing)
    assert why is None and config.keep_trained and len(calls) == 1


def test_keep_names_only_the_persons_whose_results_stay(qtbot):
    """A studio walk's question said "Either choice segments them again" of the partial persons, then listed them
    among those that keep their results."""
    from app.scene_keep import ask_keep

    said = _informative(lambda: ask_keep(None, [3, 7, 9], partial={7: "run 4 cancelled after 49 frames"}))
    assert "persons 3, 9 keep the results Play and Export use now." in said, said
