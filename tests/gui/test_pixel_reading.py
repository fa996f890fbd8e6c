"""The banner's "Read the positions as pixels": a trajectory file in the video's pixels, opened without a
homography, is read through an identity homography in one click (an own-data walk wrote that file by hand; the
fitted approximation had misplaced every person: proposals of J 0.49 against 0.836)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_banner_reads_pixel_positions_as_pixels(window, small_demo, tmp_path, qtbot, monkeypatch):
    from test_scene_hints import _pixel_file

    from app import banner_actions
    from humanseg_core.inputs.homography import IDENTITY_TEXT
    from humanseg_core.records import ProjectInputs

    pixels = _pixel_file(small_demo, tmp_path)
    monkeypatch.setattr(banner_actions, "identity_folder", lambda _w: tmp_path / "data")
    assert window.open_inputs(ProjectInputs(video=str(small_demo / "frames"), trajectories=str(pixels)))
    banner = window._banner_box
    assert banner.isVisibleTo(window) and banner.pixels_button.isVisibleTo(window)
    assert "look like pixels" in banner.label.text()
    banner.pixels_button.click()
    identity = tmp_path / "data" / "identity_H.txt"
    assert identity.read_text() == IDENTITY_TEXT and window.inputs.homography == str(identity)
    assert not banner.pixels_button.isVisibleTo(window) and "look like pixels" not in banner.label.text()
    scene = window.scene
    first = sorted(scene.pids)[0]
    frame = scene.trajectories.tracks[first].frames[0]
    row = next(line.split() for line in pixels.read_text().splitlines()
               if int(line.split()[0]) == frame and int(line.split()[1]) == first)
    assert np.allclose(scene.position_px(first, frame), (float(row[2]), float(row[3])), atol=0.01)
    qtbot.waitUntil(lambda: "Positions read as the video's pixels" in window.status.currentMessage(), timeout=3000)
    qtbot.wait(50)  # and it stays: the opening's own hint came before it
    assert "Positions read as the video's pixels" in window.status.currentMessage()


def test_the_identity_goes_with_a_writable_project_else_to_the_studios_data(tmp_path):
    from types import SimpleNamespace

    from app.banner_actions import identity_folder

    def window(read_only):
        return SimpleNamespace(review=SimpleNamespace(project=SimpleNamespace(folder=tmp_path), read_only=read_only))

    assert identity_folder(window(False)) == tmp_path
    assert identity_folder(window(True)) != tmp_path and identity_folder(SimpleNamespace()) != tmp_path
