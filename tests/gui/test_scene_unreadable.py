"""A Whole scene run on a video with an unreadable frame says so in the panel.

Walked on the demo scene with frames/00005.jpg truncated: the run recorded frame 5 as unreadable (the result's
``unreadable``, each run's metrics ``unreadable_frames``) but the panel said only "8 persons segmented … 0
failed" and every row "segmented 191 frames" (the progress count, frame 5 included; 190 were stored).
"""

from __future__ import annotations

import pytest
from fakes import start_scene_job

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.jobs import Progress

REASON = "/data/frames/00005.jpg: frame 5: damaged JPEG (Premature end of JPEG file); the frame is skipped"


@pytest.fixture
def project(scene_project):
    return scene_project


def _runs_with_a_gap(project) -> dict[int, int]:
    """Two persons' runs' metrics as the core leaves them: frames 4 and 6 stored, frame 5 unreadable (no results
    stored here: persons with results would make the panel ask whether to keep them)."""
    from humanseg_core.workflows.person import record_unreadable

    runs = {}
    for pid in (1, 2):
        runs[pid] = project.add_run(pid, "osvos-parent")
        project.update_run(runs[pid], metrics={"segmented_frames": 2})
        record_unreadable(project, runs[pid], [4, 5, 6], {5: REASON})
    return runs


def test_the_panel_names_the_frame_it_could_not_read(qtbot, project, monkeypatch):
    from humanseg_core.workflows.scene_run import SceneRunResult

    runs = _runs_with_a_gap(project)

    def fake_job(project, config, cancel):
        yield Progress(0, 2, "2 persons to train", data={"stage": "train", "pids": [1, 2]})
        yield Progress(1, 2, "frame 6", data={"stage": "segment", "person_frames": {1: 3, 2: 3}})
        return SceneRunResult(persons=[1, 2], run_ids=runs, person_frames=4, seconds=2.0, segment_seconds=0.1,
                              unreadable={5: REASON})

    panel, done = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    text = panel.status.text()
    assert text.startswith("2 persons segmented")
    assert "1 frame could not be read and has no result for anyone" in text and REASON in text
    # each row counts the frames stored, and names the gap
    assert panel.state(1) == "segmented 2 frames, 1 unreadable without a result (frame 5)"
    assert panel.state(2) == panel.state(1)


def test_a_run_without_unreadable_frames_says_nothing_of_them(qtbot, project, monkeypatch):
    from humanseg_core.workflows.scene_run import SceneRunResult

    run = project.add_run(1, "osvos-parent")
    project.update_run(run, metrics={"segmented_frames": 3})

    def fake_job(project, config, cancel):
        yield Progress(1, 2, "frame 6", data={"stage": "segment", "person_frames": {1: 3}})
        return SceneRunResult(persons=[1], run_ids={1: run}, person_frames=3, seconds=2.0, segment_seconds=0.1)

    panel, done = start_scene_job(qtbot, project, monkeypatch, fake_job)
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert "could not be read" not in panel.status.text() and "\n" not in panel.status.text()
    assert panel.state(1) == "segmented 3 frames"


def test_many_unreadable_frames_are_counted_after_three():
    from app.scene_summary import unreadable_text

    text = unreadable_text({f: f"f{f}.jpg: frame {f}: damaged" for f in range(5)})
    assert text.startswith("Warning: 5 frames could not be read and have no result for anyone")
    assert "f2.jpg" in text and "f3.jpg" not in text and text.endswith("and 2 more frames")
    assert unreadable_text({}) == ""
