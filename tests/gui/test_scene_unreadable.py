"""A Whole scene run (and one person's segmentation) on a video with an unreadable frame says so in the panel.

Walked on the demo scene with frames/00005.jpg truncated: the run recorded frame 5 as unreadable (the result's
``unreadable``, each run's metrics ``unreadable_frames``) but the panel said only "8 persons segmented … 0
failed" and every row "segmented 191 frames" (the progress count, frame 5 included; 190 were stored).  The
Segment tab said it in green, as a clean run: "190 frames segmented and saved in 0:03; 1 skipped (frame 5:
cannot be read (/…/00005.jpg: frame 5: damaged JPEG (…); the frame is skipped), skipped)".
"""

from __future__ import annotations

import numpy as np
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
        record_unreadable(project, pid, runs[pid], [4, 5, 6], {5: REASON})
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


def test_one_persons_segmentation_warns_of_the_frame_it_could_not_read(qtbot):
    from app.job_footer import OK_STYLE, WARN_STYLE
    from app.segmentation.segment_panel import SegmentPanel
    from humanseg_core.osvos.segment import SegmentResult

    def factory(request, cancel, gap=True):
        out = SegmentResult()
        for f in range(request["first"], request["last"] + 1):
            if f == 5 and gap:
                out.unreadable[5] = REASON
                out.notes.append(f"frame 5: cannot be read ({REASON}), skipped")
            else:
                out[f] = np.ones((4, 4), bool)
        out.notes.append("frame 9: no track position (outside the track), skipped")
        yield Progress(1, 1, "done")
        return out

    panel = SegmentPanel(factory, on_store=lambda pid, run_id, masks: None)
    qtbot.addWidget(panel)
    panel.set_person(3, (4, 9), [{"id": 1, "model": "osvos-parent", "params": {}, "metrics": {}, "checkpoint": "a"}])
    with qtbot.waitSignal(panel.results_saved, timeout=5000):
        panel.start_btn.click()
    text = panel.status.text()
    assert text.startswith("Person 3: 5 frames segmented and saved in ") and "the Play tab shows them" in text
    assert "1 skipped (frame 9: no track position" in text  # the other notes as before
    assert "\nWarning: 1 frame could not be read and has no result (Play shows it hatched" in text and REASON in text
    assert panel.status.styleSheet() == WARN_STYLE
    qtbot.waitUntil(lambda: not panel.is_running())
    panel.set_factory(lambda request, cancel: factory(request, cancel, gap=False), lambda pid, run_id, masks: None)
    with qtbot.waitSignal(panel.results_saved, timeout=5000):
        panel.start_btn.click()
    assert "could not be read" not in panel.status.text() and panel.status.styleSheet() == OK_STYLE


def test_persons_outside_the_run_keep_their_row(qtbot, project, monkeypatch):
    """Walk: Whole scene on persons 1,2 of the demo after a run on all 8: the table listed only 1 and 2 while
    the video showed the results of all 8 ('Show every person's result (8 persons)'); the others could not be
    clicked to select them."""
    from humanseg_core.workflows.scene_run import SceneRunResult

    earlier = project.add_run(3, "osvos-parent")
    project.save_results(3, earlier, {4: np.ones((8, 8), bool)})
    run = project.add_run(1, "osvos-parent")
    project.update_run(run, metrics={"segmented_frames": 1})

    def fake_job(project, config, cancel):
        yield Progress(0, 1, "1 person to train", data={"stage": "train", "pids": [1]})
        return SceneRunResult(persons=[1], run_ids={1: run}, person_frames=1, seconds=1.0, segment_seconds=0.1)

    from app.scene_panel import ScenePanel
    from humanseg_core.workflows import scene_run

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    done: list = []
    panel = ScenePanel(on_done=done.append)
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert panel.state(3) == f"results of run {earlier} (Play, Quality, Export)"  # as before: a reopened project
    panel.pids.setText("1")
    panel.start()
    qtbot.waitUntil(lambda: bool(done) and panel.run_button.isEnabled(), timeout=5000)
    assert panel.state(1) == "segmented 1 frame"
    assert panel.state(3) == f"results of run {earlier} (Play, Quality, Export)"


def test_the_mp4_tab_names_the_frame_it_could_not_read(qtbot, tmp_path):
    from app.job_footer import WARN_STYLE
    from app.segmentation.mp4_export import Mp4ExportPanel
    from humanseg_core.errors import FrameError

    class Damaged:
        indices, fps = list(range(8)), 10.0

        def read(self, index):
            if index == 5:
                raise FrameError("/data/frames/00005.jpg", "damaged JPEG (Premature end of JPEG file)", 5)
            return np.full((48, 64, 3), 90, np.uint8)

    frames = Damaged()
    masks = {f: np.ones((48, 64), bool) for f in (2, 4, 6)}
    panel = Mp4ExportPanel(lambda source: (frames, masks, frames.indices, frames.fps))
    qtbot.addWidget(panel)
    panel.span.setCurrentIndex(panel.span.findData("span"))  # frames 2..6: 5 is in it
    with qtbot.waitSignal(panel.exported, timeout=10000):
        assert panel.export_to(tmp_path / "o.mp4")
    text = panel.status.text()
    assert text.startswith(f"Saved {tmp_path / 'o.mp4'} (5 frames")
    assert "\nWarning: 1 frame could not be read (a dark frame in the video says so): " in text
    assert "00005.jpg: frame 5: damaged JPEG" in text and panel.status.styleSheet() == WARN_STYLE


def test_a_reopened_project_lists_the_unreadable_frames_of_each_result(qtbot, project):
    """Reopening the demo project after the run, the Scene table said 'results of run 12 (Play, Quality,
    Export)' and nothing of frame 5."""
    from app.scene_panel import ScenePanel

    runs = _runs_with_a_gap(project)
    for pid, run in runs.items():
        project.save_results(pid, run, {4: np.ones((8, 8), bool)})
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert panel.state(1) == f"results of run {runs[1]} (Play, Quality, Export), 1 unreadable without a result " \
                             "(frame 5)"


def test_another_person_does_not_read_the_last_persons_outcome(qtbot):
    """A walk segmented person 85, picked person 77 (no network) and read "done · 200 frames segmented"."""
    from app.segmentation.segment_panel import SegmentPanel
    from humanseg_core.jobs import Progress

    def factory(request, cancel):
        yield Progress(1, 1, "done")
        return {4: np.ones((4, 4), bool)}

    panel = SegmentPanel(factory, on_store=lambda pid, run_id, masks: None)
    qtbot.addWidget(panel)
    run = {"id": 1, "model": "osvos-parent", "params": {}, "metrics": {}, "checkpoint": "a"}
    panel.set_person(3, (4, 9), [run])
    with qtbot.waitSignal(panel.results_saved, timeout=5000):
        panel.start_btn.click()
    qtbot.waitUntil(lambda: not panel.is_running())  # (the job ends just after its results are saved)
    assert panel.status.text().startswith("Person 3: 1 frame segmented")
    panel.set_person(3, (4, 9), [run])  # the same person again (a refresh): the outcome stays
    assert panel.status.text().startswith("Person 3: 1 frame segmented")
    panel.set_person(7, (4, 9), [])
    assert panel.status.text() == "" and panel.progress.format() == "idle"
