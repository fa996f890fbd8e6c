"""Edges the rest of the GUI suite left open: the banner's offset taken by an open project (and when it is not), a
close deciding over an earlier one waiting for its jobs, the Review panel drawn late while covered, and the Whole
scene overlay's persons and compositions."""

from __future__ import annotations

import types

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QObject, Signal  # noqa: E402

from humanseg_core.errors import HumansegError  # noqa: E402
from humanseg_core.records import ProjectInputs  # noqa: E402

# --- the banner's offset and pixel order taken by the open project (offset_taker.py) -------------------------


class _Review:
    """What the offset taker uses of the review controller: its project, read-only flag, window and messages."""

    def __init__(self, project, read_only: bool = False):
        self.project, self.read_only, self.said, self.opened = project, read_only, [], []
        self.window = types.SimpleNamespace(open_inputs=self.opened.append)

    def _message(self, text, ms=0):
        self.said.append(text)


def _same_files(project) -> ProjectInputs:
    return ProjectInputs(video=project.inputs.video, trajectories=project.inputs.trajectories)


def test_a_project_with_a_training_run_keeps_its_frame_offset(bare_project):
    """A run is work placed by the old offset (its network learnt those frames' masks) even without a proposal:
    the project keeps the offset and the scene opens without it."""
    from app.review.offset_taker import take_frame_offset

    bare_project.add_run(1, "osvos")
    review = _Review(bare_project)
    assert not take_frame_offset(review, _same_files(bare_project), 7)
    assert bare_project.inputs.frame_offset == 0 and not review.opened


def test_a_read_only_review_does_not_give_the_project_an_offset(bare_project):
    """A window that only reads the project (another holds it) must not write its inputs."""
    from app.review.offset_taker import take_frame_offset

    review = _Review(bare_project, read_only=True)
    assert not take_frame_offset(review, _same_files(bare_project), 7)
    assert bare_project.inputs.frame_offset == 0 and not review.opened


def test_another_scenes_inputs_do_not_give_the_project_an_offset(bare_project, tmp_path):
    """The banner of other files (another video and trajectories) says nothing about the open project's reading."""
    from app.review.offset_taker import take_frame_offset

    review = _Review(bare_project)
    other = ProjectInputs(video=str(tmp_path / "other_v"), trajectories=str(tmp_path / "other_t"))
    assert not take_frame_offset(review, other, 7)
    assert bare_project.inputs.frame_offset == 0 and not review.opened


def test_a_store_that_refuses_the_offset_is_said_and_the_project_keeps_it(bare_project, monkeypatch):
    """The store's error (read-only folder, a full disk) is said in the status bar; the scene opens without the
    project (nothing raised on the GUI thread, no claim that the project took the offset)."""
    from app.review.offset_taker import take_frame_offset

    def refuse(offset):
        raise HumansegError("the project folder is read-only")

    monkeypatch.setattr(bare_project, "use_frame_offset", refuse)
    review = _Review(bare_project)
    assert not take_frame_offset(review, _same_files(bare_project), 7)
    assert review.said == ["The project keeps its frame offset: the project folder is read-only"]
    assert not review.opened


def test_the_pixel_order_taken_is_said_as_row_col(bare_project):
    """The message names the order the project now reads its homography in, in the words the Open dialog uses."""
    from app.review.offset_taker import take_h_order

    review = _Review(bare_project)
    assert take_h_order(review, _same_files(bare_project), "rowcol")
    assert bare_project.inputs.h_order == "rowcol" and len(review.opened) == 1
    assert "reads its homography as (row, col) from now on" in review.said[-1]


def test_another_frame_step_is_named_among_the_reading_changes():
    """Opening the same files with another frame step says so (a walk's message was the same whatever changed)."""
    from app.review.offset_taker import reading_changes

    before = ProjectInputs(video="v", trajectories="t")
    assert reading_changes(before, ProjectInputs(video="v", trajectories="t", frame_step=3)) == "frame step 3"
    assert reading_changes(before, ProjectInputs(video="v", trajectories="t", frame_offset=4)) == "frame offset 4"


# --- a close deciding over an earlier one that waits for its jobs (install.py) -------------------------------


def test_a_close_decided_now_drops_an_earlier_one_waiting_for_its_jobs(window, scene_dir, tmp_path, monkeypatch,
                                                                       qtbot):
    """Other inputs waited for a job slow to stop; a later close asked about (and allowed) once the job ended must
    not let the earlier opening happen behind it: that one is dropped, the later one decides."""
    from test_jobs_keep_project import _other_inputs, _start_scene_run

    from app.panels import install_panels
    from humanseg_core.project import Project

    s = window
    install_panels(s)
    Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                    trajectories=str(scene_dir / "trajectories.txt"),
                                                    homography=str(scene_dir / "H.txt"))).close()
    assert s.review.open_project(str(tmp_path / "proj"))
    s.ask_quit = lambda names: True  # closing the window after the test cancels what still runs
    project = s.review.project
    _log, w = _start_scene_run(s, monkeypatch, step_s=0.6)
    s.review.ask_stop_jobs = lambda jobs, action: True
    assert not s.open_inputs(_other_inputs(scene_dir, tmp_path))  # waits on a timer for the job to stop
    assert s.review._after_jobs.waiting
    assert w.wait(5)  # the GUI thread blocked: the timer has not run the opening yet
    assert s.review.may_close_project("Something else")
    qtbot.wait(500)
    assert s.review.project is project and s.scene.pids == [1, 2, 3]  # the earlier opening did not fire


# --- the Review panel drawn late while covered (review_show.py) ----------------------------------------------


def _covered_review(window, qtbot, scene_dir, tmp_path):
    from test_review_covered import covered_review

    return covered_review(window, qtbot, scene_dir, tmp_path)


def test_a_covered_review_panel_still_takes_the_window_to_what_it_shows(window, qtbot, scene_dir, tmp_path):
    """Next suspect picked while another tab covers Review: the window's person and frame follow at once (only the
    drawing waits)."""
    review = _covered_review(window, qtbot, scene_dir, tmp_path)
    review.panel.next_suspect_any()  # the scene's lowest-scored pending proposal: person 3, frame 7
    assert review.panel.current_record().pid == 3
    assert window.selected_pid == 3 and window.current_frame == 7


def test_generating_keeps_the_proposal_on_screen(window, qtbot, scene_dir, tmp_path):
    """A Generate Proposals job starting while a proposal is shown: the panel keeps it and its buttons (only an
    empty panel says proposals are coming)."""
    from test_review_covered import _open, _reviewing

    review = _open(window, scene_dir, tmp_path)
    _reviewing(window, qtbot, review, 5)
    shown = review.panel.current_id
    review.panel.set_generating(True)
    assert review.panel.current_id == shown
    assert review.panel.buttons["accept"].isEnabled() and review.panel.buttons["reject"].isEnabled()
    assert not review.panel.info.text().startswith("Generating")


def test_an_open_edit_is_not_drawn_over_when_the_panel_comes_in_front(window, qtbot, scene_dir, tmp_path,
                                                                      monkeypatch):
    """A proposal shown while covered, then an edit of it open: the panel coming in front must not draw the stored
    proposal again over the strokes in the editor."""
    from test_review_covered import _spy_shows

    review = _covered_review(window, qtbot, scene_dir, tmp_path)
    panel = review.panel
    window.set_frame(4)
    qtbot.waitUntil(lambda: panel.current_record().frame == 4, timeout=3000)
    assert panel._view_stale is not None  # shown, not drawn
    panel.editor.begin(panel.current_id, panel._current_mask)
    panel.editor.mask[0:5, 0:5] = 1  # a stroke
    edited = panel.editor.mask.copy()
    shown = _spy_shows(panel, monkeypatch)
    review.dock.raise_()
    qtbot.waitUntil(lambda: not review.dock.visibleRegion().isEmpty(), timeout=3000)
    qtbot.wait(50)
    assert shown == [] and np.array_equal(panel.editor.mask, edited)


def test_a_zoom_reset_asked_while_covered_is_kept_for_the_drawing(window, qtbot, scene_dir, tmp_path, monkeypatch):
    """Two shows while covered, the first asking to fit the person anew, the second not: the drawing when the panel
    comes in front still fits the person (the later show must not cancel the earlier one's reset)."""
    review = _covered_review(window, qtbot, scene_dir, tmp_path)
    panel = review.panel
    ids = [r.id for r in panel._props if r.pid == 1]
    focused: list = []
    original = panel.view.focus_person
    monkeypatch.setattr(panel.view, "focus_person",
                        lambda box, point, reset_zoom=False: (focused.append(reset_zoom),
                                                              original(box, point, reset_zoom=reset_zoom)))
    panel._show(ids[3], reset_zoom=True)
    panel._show(ids[4], reset_zoom=False)
    assert focused == []  # nothing drawn while covered
    review.dock.raise_()
    qtbot.waitUntil(lambda: bool(focused), timeout=3000)
    assert focused[0] is True


def test_a_panel_in_a_hidden_window_draws_at_once(window, qtbot, scene_dir, tmp_path):
    """With the main window hidden (minimised to nothing, or not yet shown) nothing covers the panel: a show draws
    at once (no tab will come in front to draw it later)."""
    from test_review_covered import _mask, _open, _reviewing

    review = _open(window, scene_dir, tmp_path)
    _reviewing(window, qtbot, review, 2)
    panel = review.panel
    target = next(r.id for r in panel._props if r.pid == 1 and r.frame == 6)
    window.hide()
    panel._show(target)
    assert np.array_equal(panel.view._mask, _mask(1, 6))


def test_a_neighbour_rejected_is_no_longer_said_to_stand_in_front(window, qtbot, scene_dir, tmp_path):
    """Person 2's proposal touches person 1's on frame 10 and its point is nearer: the info line says person 2
    stands in front. Rejected, it is no one's mask: showing person 1's proposal again no longer names it."""
    from test_review_covered import _open, _reviewing

    review = _open(window, scene_dir, tmp_path)
    _reviewing(window, qtbot, review, 10)
    panel = review.panel
    assert "person 2 stands in front" in panel.info.text()
    other = next(p.id for p in review.project.proposals(2, with_masks=False) if p.frame == 10)
    review.project.set_status(other, "rejected")
    panel._show(panel.current_id)
    assert "person 2" not in panel.info.text()


# --- the Whole scene overlay (scene_overlay.py) --------------------------------------------------------------


class _View:
    def __init__(self):
        self.overlays: list = []

    def set_image_overlay(self, *args) -> None:
        self.overlays.append(args)


class _Window(QObject):
    frame_changed = Signal(int)

    def __init__(self, frames=None):
        super().__init__()
        self.frame_view, self.current_frame, self.frames = _View(), None, frames


class _Project:
    """Results of the persons ``pids``, one run each."""

    def __init__(self, pids):
        self.pids = list(pids)

    def result_runs(self):
        return {p: 1 for p in self.pids}

    def mask_blobs(self, pid, kind, run_id=None):
        return {0: b"blob", 1: b"blob"}


def test_the_overlay_enabled_again_draws_the_new_projects_persons(qtbot):
    """Shown with project A, hidden, another project opened, shown again: every person drawn is B's (A's results
    kept from before would be drawn over B's video)."""
    from app.scene_overlay import SceneOverlay

    window = _Window()
    overlay = SceneOverlay(window)
    overlay.set_project(_Project([1, 2]))
    overlay.set_enabled(True)
    assert overlay.pids == [1, 2]
    overlay.set_enabled(False)
    overlay.set_project(_Project([7]))
    overlay.set_enabled(True)
    assert overlay.pids == [7] and overlay.runs == {7: 1}


def test_frames_stepped_past_during_a_composition_are_not_composed(qtbot, monkeypatch):
    """Ten frame steps while the first frame's overlay is composed: the frames stepped past are skipped, the last
    one is composed next (composing each in turn fell ever further behind the video)."""
    import time

    import app.scene_overlay as so

    composed: list = []

    def slow(masks, shape, fill=so.FILL_ALPHA):
        composed.append(1)
        time.sleep(0.05)
        return np.zeros((*shape, 4), np.uint8)

    monkeypatch.setattr(so, "compose", slow)
    monkeypatch.setattr(so, "masks_at", lambda persons, frame: [(1, np.ones((4, 6), bool))])
    window = _Window(types.SimpleNamespace(height=4, width=6))
    overlay = so.SceneOverlay(window)
    overlay.set_project(_Project([1]))
    window.current_frame = 9
    overlay.set_enabled(True)  # (composes the frame on screen)
    for f in range(10, 20):
        window.current_frame = f
        window.frame_changed.emit(f)
    qtbot.waitUntil(lambda: not overlay.pending(), timeout=3000)
    overlay.wait_idle()
    qtbot.wait(20)
    assert 2 <= len(composed) <= 3, composed  # frame 9's, then the last's
    assert window.frame_view.overlays[-1][1] is not None  # the last frame's overlay is on
