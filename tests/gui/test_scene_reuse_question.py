"""Run again after a Whole scene run cancelled while training: the Scene panel asks whether the networks the
cancelled run stored (never used to segment) segment now or train again; before, it retrained them without a
word (a walk: four persons 'trained, not segmented (cancelled)', then 'Training: person 7 (6/7)')."""

from __future__ import annotations

from pathlib import Path

import pytest

from humanseg_core.errors import Cancelled

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def _cancelled_training(project, pid: int) -> int:
    """A Whole scene run of ``pid`` cancelled after its training: a stored network, no results."""
    ckpt = Path(project.folder) / "checkpoints" / f"pid{pid}_osvos-parent_test.pt"
    ckpt.parent.mkdir(exist_ok=True)
    ckpt.write_bytes(b"a network")
    return project.add_run(pid, "osvos-parent", {"scene_run": True}, str(ckpt), {"steps": 40, "stopped": "cancelled"})


def _panel_recording_configs(qtbot, project, monkeypatch):
    """(a Scene panel on ``project``, the list the configs its runs start with go to); the run itself is a
    stand-in that ends at once (cancelled)."""
    from app.scene_panel import ScenePanel
    from humanseg_core.workflows import scene_run

    started: list = []

    def fake_job(project, config, cancel):
        started.append(config)
        raise Cancelled("only the config was wanted")
        yield

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    return panel, started


@pytest.mark.parametrize("answer, reuse", [("reuse", True), ("retrain", False)])
def test_the_panel_asks_before_training_a_stored_network_again(qtbot, scene_project, monkeypatch, answer, reuse):

    _cancelled_training(scene_project, 2)
    panel, started = _panel_recording_configs(qtbot, scene_project, monkeypatch)
    asked = []
    panel.ask_reuse = lambda pids: asked.append(pids) or answer
    panel.start()
    qtbot.waitUntil(lambda: bool(started))
    assert asked == [[2]] and started[0].reuse_trained is reuse
    qtbot.waitUntil(panel.run_button.isEnabled)


def test_cancelling_the_question_starts_nothing(qtbot, scene_project):
    from app.scene_panel import ScenePanel

    _cancelled_training(scene_project, 3)
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(scene_project)
    panel.ask_reuse = lambda pids: None
    panel.start()
    assert panel.status.text() == "Not started: nothing was trained or changed" and panel.run_button.isEnabled()


def test_no_question_without_such_a_network(qtbot, scene_project, monkeypatch):
    """A cancelled run whose network is gone (or that never took a step) is not offered."""

    run = _cancelled_training(scene_project, 2)
    Path(scene_project.runs(ids=[run])[0]["checkpoint"]).unlink()
    panel, started = _panel_recording_configs(qtbot, scene_project, monkeypatch)
    panel.ask_reuse = lambda pids: pytest.fail(f"asked about {pids}")
    panel.start()
    qtbot.waitUntil(lambda: bool(started))
    assert started[0].reuse_trained is False
    qtbot.waitUntil(panel.run_button.isEnabled)
