"""After a Whole scene run, Review shows the proposals the run made.

Walk: a new project on the demo, Whole scene on persons 2,3 (no proposals before: the run proposes for
them and trains on them).  When it was over, Review still said "No proposals yet: Project > Generate
Proposals... (Ctrl+G)" with an empty person list and 0/0 reviewed, although 2 x 20 proposals were stored.
An edit open in Review is never dropped by that refresh.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.jobs import Progress
from humanseg_core.records import Proposal


def _proposal(pid: int, frame: int, h: int, w: int) -> Proposal:
    mask = np.zeros((h, w), bool)
    mask[20:60, 40:60] = True
    return Proposal(frame=frame, pid=pid, box=(40, 20, 60, 60), mask=mask, source="bgs:test")


@pytest.fixture
def studio(window, scene_dir, qtbot, tmp_path, gen):
    from app.open_dialog import scene_folder_inputs
    from app.panels import install_panels

    install_panels(window)
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    assert window.review.new_project(folder=tmp_path / "proj")
    return window


def _run(studio, qtbot, monkeypatch, new: list[Proposal]) -> None:
    from humanseg_core.workflows import scene_run
    from humanseg_core.workflows.scene_run import SceneRunResult

    def fake_job(project, config, cancel):
        yield Progress(0, 1, "proposals", data={"stage": "propose"})
        project.add_proposals(new)  # as the run's proposal stage does, for persons without any
        return SceneRunResult(seconds=1.0)

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = studio.scene_run
    panel.pids.setText("1")
    panel.start()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled() and panel.result is not None, timeout=5000)


def test_review_lists_the_proposals_a_whole_scene_run_made(studio, qtbot, monkeypatch, gen):
    review = studio.review.panel
    assert review.person_box.count() == 0
    _run(studio, qtbot, monkeypatch, [_proposal(1, f, gen.HEIGHT, gen.WIDTH) for f in (0, 10)])
    qtbot.waitUntil(lambda: review.person_box.count() == 1, timeout=5000)
    assert review.pid == 1 and review.current_id is not None


def test_an_open_edit_is_not_dropped_by_the_refresh(studio, qtbot, monkeypatch, gen):
    review = studio.review.panel
    studio.review.project.add_proposals([_proposal(1, 0, gen.HEIGHT, gen.WIDTH)])
    review.refresh()
    review.toggle_edit()
    assert review.editing
    _run(studio, qtbot, monkeypatch, [_proposal(2, 10, gen.HEIGHT, gen.WIDTH)])
    qtbot.wait(50)
    assert review.editing  # the strokes stay; the list is re-read after the edit
