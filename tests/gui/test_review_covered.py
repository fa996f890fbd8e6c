"""A stall audit: the Review panel decoded every neighbour's proposal for each frame step and person pick while
another tab covered it, and a step to another person's proposal showed three proposals for one. A covered panel now
draws when it comes in front; the window following the panel does not make the panel follow back."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtWidgets import QDockWidget

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

FRAMES = 12


def _mask(pid: int, f: int) -> np.ndarray:
    m = np.zeros((240, 320), bool)
    m[60 + 40 * (pid - 1):100 + 40 * (pid - 1), 20 + 5 * f:40 + 5 * f] = True
    return m


def _open(window, scene_dir, tmp_path):
    from app.panels import install_panels

    install_panels(window)
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                              trajectories=str(scene_dir / "trajectories.txt"),
                                                              homography=str(scene_dir / "H.txt")))
    project.add_proposals([Proposal(frame=f, pid=p, box=(20 + 5 * f, 60, 40 + 5 * f, 100), mask=_mask(p, f),
                                    source="bgs:test", score=0.1 if (p, f) == (3, 7) else 0.9)
                           for p in (1, 2, 3) for f in range(FRAMES)])
    project.close()
    assert window.review.open_project(str(tmp_path / "proj"))
    return window.review


def _reviewing(window, qtbot, review, frame: int) -> None:
    """Review in front, on person 1's proposal of ``frame``."""
    review.dock.raise_()
    window.select_person(1)
    window.set_frame(frame)
    qtbot.waitUntil(lambda: review.panel.current_record() is not None
                    and review.panel.current_record().frame == frame, timeout=3000)


def _spy_shows(panel, monkeypatch) -> list:
    """The proposal ids ``panel`` draws from now on."""
    shown: list = []
    original = panel._show
    monkeypatch.setattr(panel, "_show", lambda pid, *a, **k: (shown.append(pid), original(pid, *a, **k)))
    return shown


def covered_review(window, qtbot, scene_dir, tmp_path):
    """The project open, person 1 on frame 0, then the Play dock in front of Review."""
    review = _open(window, scene_dir, tmp_path)
    window.select_person(1)
    window.set_frame(0)
    play = window.findChild(QDockWidget, "dock_Playback")
    play.show()
    play.raise_()
    qtbot.waitUntil(lambda: review.dock.visibleRegion().isEmpty(), timeout=3000)
    return review


def test_a_covered_review_panel_draws_when_it_comes_in_front(window, qtbot, scene_dir, tmp_path, decodes):
    review = covered_review(window, qtbot, scene_dir, tmp_path)
    decodes.clear()
    for f in range(1, FRAMES):
        window.set_frame(f)
        qtbot.wait(5)
    assert review.panel.current_record().frame == FRAMES - 1  # the panel followed the frames...
    assert decodes["main"] <= FRAMES + 2, decodes  # ...decoding the proposal itself, not its two neighbours each time
    assert not np.array_equal(review.panel.view._mask, _mask(1, FRAMES - 1))  # not drawn yet
    window.set_frame(FRAMES + 3)  # past the person's proposals: Review stays on its last one
    review.dock.raise_()
    qtbot.waitUntil(lambda: np.array_equal(review.panel.view._mask, _mask(1, FRAMES - 1)), timeout=3000)
    assert len(review.panel.view._others_drawn[0]) == 2  # its neighbours drawn with it
    assert window.current_frame == FRAMES + 3  # drawing it late does not take the video back (a walk's did)


def test_stepping_to_another_persons_proposal_shows_it_once(window, qtbot, scene_dir, tmp_path, monkeypatch):
    review = _open(window, scene_dir, tmp_path)
    _reviewing(window, qtbot, review, 5)
    window.set_frame(9)  # the window's frame moves on; the Review shows person 1 at 9
    shown = _spy_shows(review.panel, monkeypatch)
    review.panel.step_person(+1)
    assert review.panel.pid == 2 and window.selected_pid == 2
    assert len(shown) == 1, shown  # not person 2's proposal near frame 9, then another, then back
    shown.clear()
    first = review.panel.current_id
    review.panel.reject()
    assert review.project.get_proposal(first).status == "rejected"
    assert len(shown) == 1 and shown[0] != first  # the next one, without drawing the rejected one again first
    shown.clear()
    review.panel.next_suspect_any()  # the scene's lowest-scored pending proposal: person 3, frame 7
    assert review.panel.current_record().pid == 3 and review.panel.current_record().frame == 7
    assert len(shown) == 1, shown  # not person 3's first pending proposal first (a walk saw it flash)


def test_undo_shows_the_decision_undone_once(window, qtbot, scene_dir, tmp_path, monkeypatch):
    """Undo, and redo, of a decision on another person: that person's proposal, drawn once."""
    review = _open(window, scene_dir, tmp_path)
    _reviewing(window, qtbot, review, 2)
    review.panel.accept()
    review.panel.step_person(+1)  # on to person 2: the undo goes back to person 1's frame 2
    shown = _spy_shows(review.panel, monkeypatch)
    review.panel.undo()
    assert review.panel.pid == 1 and review.panel.current_record().frame == 2
    assert len(shown) == 1, shown  # not person 1's first pending proposal first (a stall audit: two draws an undo)
    shown.clear()
    review.panel.redo()
    assert review.project.get_proposal(review.panel.current_id).status in ("accepted", "pending")
    assert len(shown) <= 1, shown
