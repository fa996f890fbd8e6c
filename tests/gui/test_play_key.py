"""Space while the Play tab is in front plays Play's frames (only those with masks, as its box says); a walk
found the timeline playing the whole video instead."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_space_in_play_plays_only_the_frames_with_masks(window, zoomed_play, qtbot):
    _dock, panel = zoomed_play
    panel.zoom.setChecked(False)
    timeline = window.timeline
    frames = window.scene.frames
    panel.set_masks("results", {f: np.ones((frames.height, frames.width), bool) for f in range(20, 31)})
    panel.set_source("results")
    assert panel.masked_only.isChecked()
    seen: list[int] = []
    panel.frame_requested.connect(seen.append)
    window.set_frame(25)
    timeline.act_play.trigger()  # Space
    assert panel.playing() and not timeline.playing
    # one Play/Pause state on screen: the timeline's button shows Pause too (a walk saw ▶ there)
    assert timeline.act_play.isChecked() and timeline.act_play.icon().cacheKey() == timeline._play_icons[1].cacheKey()
    qtbot.waitUntil(lambda: len(seen) >= 14, timeout=5000)  # past the end: it loops within the masks
    timeline.act_play.trigger()
    assert not panel.playing() and not timeline.playing and not timeline.act_play.isChecked()
    assert seen and all(20 <= f <= 30 for f in seen)
    panel.set_on_screen(False)  # another tab over Play: Space plays the video
    timeline.act_play.trigger()
    assert timeline.playing and not panel.playing()
    timeline.pause()


def test_space_on_a_focused_button_presses_it_not_play(window, scene_dir, qtbot):
    """A keyboard walk: Space on Train's focused Start played the video; no button or check box of the window could
    be pressed from the keyboard. The transport's own buttons still play."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox

    from humanseg_core.records import ProjectInputs

    assert window.open_inputs(ProjectInputs(video=str(scene_dir / "frames"),
                                            trajectories=str(scene_dir / "trajectories.txt"),
                                            homography=str(scene_dir / "H.txt")))
    box = QCheckBox("a check box", window.person_panel)
    box.show()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    timeline = window.timeline
    clicks: list[bool] = []
    box.toggled.connect(clicks.append)
    timeline.act_play.trigger()  # Space, then its release at once (a quick tap): one press, not two (a re-walk)
    qtbot.keyRelease(box, Qt.Key.Key_Space)
    qtbot.wait(250)
    assert box.isChecked() and clicks == [True]
    assert not timeline.act_play.autoRepeat()  # Space held: one press, not a train of them
    assert not timeline.playing and not timeline.act_play.isChecked()
    box.hide()  # nothing focused outside the transport: Space plays
    window.frame_view.setFocus()
    timeline.act_play.trigger()
    assert timeline.playing
    timeline.pause()
