"""Picking another run for one person in Play re-reads that person's results only: the Whole scene overlay
keeps every other person's masks as read (it used to read every person's blobs again on the GUI thread)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QObject, Signal  # noqa: E402


class _View:
    def set_image_overlay(self, *_args) -> None:
        pass


class _Window(QObject):
    frame_changed = Signal(int)

    def __init__(self):
        super().__init__()
        self.frame_view, self.current_frame, self.frames = _View(), None, None


class _Project:
    """Person 1 has runs 1 and 2 with results, person 2 has run 5."""

    def __init__(self):
        self.reads: list[tuple[int, int]] = []
        self.counts = {1: {1: 3, 2: 3}, 2: {5: 3}}

    def result_runs(self):
        return {pid: max(c) for pid, c in self.counts.items()}

    def used_run(self, pid):
        return self.result_runs().get(int(pid))

    def result_counts(self, pid):
        return dict(self.counts.get(int(pid), {}))

    def mask_blobs(self, pid, kind, run_id=None):
        assert kind == "results"
        self.reads.append((int(pid), int(run_id)))
        return {0: b"blob", 1: b"blob"}


def test_a_pick_reads_that_persons_results_only(qtbot):
    from app.scene_overlay import SceneOverlay

    window, project = _Window(), _Project()
    overlay = SceneOverlay(window)
    picks: dict[int, int] = {}
    overlay.picked = lambda: dict(picks)
    overlay.set_project(project)
    overlay.set_enabled(True)
    assert overlay.runs == {1: 2, 2: 5} and sorted(project.reads) == [(1, 2), (2, 5)]
    second = overlay._masks[2]

    project.reads.clear()
    picks[1] = 1
    overlay.picks_changed(1)
    assert project.reads == [(1, 1)]  # person 2 is not read again
    assert overlay.runs == {1: 1, 2: 5} and overlay._masks[2] is second

    project.reads.clear()
    del picks[1]  # the newest again
    overlay.picks_changed(1)
    assert project.reads == [(1, 2)] and overlay.runs == {1: 2, 2: 5}

    overlay.set_enabled(False)
    overlay.picks_changed(2)  # hidden: nothing is read until it is shown again
    assert project.reads == [(1, 2)] and overlay.runs == {}


def test_results_changed_here_reread_that_persons_overlay(qtbot):
    """A re-walk restored replaced masks: the video overlay drew the replaced mask until a restart."""
    from types import SimpleNamespace

    from app.run_follow import follow_play_pick

    class _Seg(QObject):
        run_pick_changed = Signal(int, int)
        results_changed = Signal(int)

    class _Correction(QObject):
        retrained = Signal(object)

    seg, correction, reread, named = _Seg(), _Correction(), [], []
    class _Box(QObject):
        currentIndexChanged = Signal(int)

    class _Win(QObject):
        person_selected = Signal(object)

    seg.picked_runs, seg.shown_run = (lambda: {}), (lambda pid: None)
    seg.playback = SimpleNamespace(own_masks_shown=lambda: None, source=_Box())
    seg.docks, seg.window = {}, _Win()
    correction.pick_changed = lambda *a: None
    overlay = SimpleNamespace(pids=[1, 2], picks_changed=reread.append, refresh=lambda: None)
    scene = SimpleNamespace(overlay=overlay, show_shown=lambda pids: None, pick_changed=named.append)
    follow_play_pick(seg, scene, correction)
    seg.results_changed.emit(2)
    assert reread == [2] and named == [2]
