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
    later = window.frames.indices[5]
    window.set_frame(later)
    banner.pixels_button.click()
    assert window.current_frame == later  # the frame looked at stays (a walk was sent back to the first)
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
    assert f"Positions read as the video's pixels (identity_H.txt in {tmp_path / 'data'})" in \
        window.status.currentMessage()


def test_the_identity_goes_with_a_project_that_takes_it_else_to_the_studios_data(tmp_path):
    """A review: written into a project that then closed (work placed: it keeps its reading), a stray file stayed and
    the inputs pointed into that project; a file of that name holding something else was replaced."""
    from types import SimpleNamespace

    from app.banner_actions import identity_folder
    from humanseg_core.inputs.homography import IDENTITY_TEXT, write_identity
    from humanseg_core.records import ProjectInputs

    proj, data = tmp_path / "proj", tmp_path / "data"
    data.mkdir()
    files = ProjectInputs(video=str(data / "v.mp4"), trajectories=str(data / "t.txt"))

    def window(read_only=False, proposals=0, runs=(), inputs=files):
        project = SimpleNamespace(folder=proj, inputs=files, counts=lambda: {"pending": proposals},
                                  runs=lambda: list(runs))
        return SimpleNamespace(review=SimpleNamespace(project=project, read_only=read_only), inputs=inputs)

    assert identity_folder(window()) == proj  # the project takes the reading: the file goes with it
    others = ProjectInputs(video=str(tmp_path / "other.mp4"), trajectories=str(data / "t.txt"))
    for w in (window(read_only=True), window(proposals=3), window(runs=[{"id": 1}]), window(inputs=others)):
        assert identity_folder(w) == data  # beside the trajectories, where the user finds it (a walk)
    gone = ProjectInputs(video="v", trajectories=str(tmp_path / "nowhere" / "t.txt"))
    assert identity_folder(SimpleNamespace(inputs=gone)) not in (proj, data)  # the studio's data folder
    (tmp_path / "identity_H.txt").write_text("my own notes")
    made = write_identity(tmp_path)
    assert made.name == "identity_H-2.txt" and made.read_text() == IDENTITY_TEXT
    assert (tmp_path / "identity_H.txt").read_text() == "my own notes" and write_identity(tmp_path) == made


def test_a_project_closed_by_the_pixel_reading_is_said(qtbot, monkeypatch, tmp_path):
    """A re-walk: a project with proposals closed (its files now read another way) and the message said nothing."""
    from types import SimpleNamespace

    from app import banner_actions
    from humanseg_core.records import ProjectInputs

    status = SimpleNamespace(said=[], showMessage=lambda text, ms=0: status.said.append(text))
    review = SimpleNamespace(project=SimpleNamespace(folder=tmp_path / "PP"), read_only=False)

    def open_inputs(inputs):
        review.project = None  # as the review controller closes a project whose files read another way
        return True

    window = SimpleNamespace(inputs=ProjectInputs(video="v", trajectories="t"), review=review, status=status,
                             open_inputs=open_inputs)
    monkeypatch.setattr(banner_actions, "identity_folder", lambda _w: tmp_path / "data")
    asked = []
    monkeypatch.setattr(banner_actions, "confirm", lambda _w, text: asked.append(text) or False)
    assert not banner_actions.use_pixels(window)  # asked first (a re-walk: it closed at once), and No
    assert review.project is not None and "Project PP keeps its own reading" in asked[0]
    monkeypatch.setattr(banner_actions, "confirm", lambda _w, text: True)
    assert banner_actions.use_pixels(window)
    qtbot.waitUntil(lambda: bool(status.said), timeout=2000)
    assert status.said[-1] == (f"Positions read as the video's pixels (identity_H.txt in {tmp_path / 'data'}); "
                               "project PP closed, all saved")


def test_the_banner_stops_promising_an_estimate_once_work_is_placed_without_one(panels_studio, gen, tmp_path, qtbot):
    """A walk: a project whose proposals were placed by the trajectories' extent still read "a project's proposals
    estimate one from the video first", which they no longer do (ADR 0053)."""
    from humanseg_core.inputs.scene import APPROXIMATE_WARNING, PLACED_WARNING
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    window = panels_studio
    folder = gen.write_scene(tmp_path / "scene", homography=False)
    inputs = ProjectInputs(video=str(folder / "frames"), trajectories=str(folder / "trajectories.txt"))
    assert window.open_inputs(inputs)
    banner = window._banner_box
    assert "proposals estimate one from the video first" in banner.label.text()
    project = Project.create(tmp_path / "proj", inputs)
    window.review.set_project(project, window.scene)  # nothing placed yet: the promise holds
    assert APPROXIMATE_WARNING in banner.notes
    project.add_run(1, "osvos-lite")
    window.review.proposals_changed.emit()
    assert PLACED_WARNING in banner.notes and APPROXIMATE_WARNING not in banner.notes
    assert "none is estimated now" in banner.label.text() and "estimate one from the video first" not in \
        banner.label.text()
    model = window.person_panel.model
    tip = model.data(model.index(0, 4), 3)  # Qt.ToolTipRole: the "—" share says so too
    assert "this project's work was placed so" in tip
    import dataclasses

    assert window.open_inputs(dataclasses.replace(window.inputs))  # the same files read again, the project kept
    assert window.review.project is project and PLACED_WARNING in banner.notes  # (a review: the promise came back)
    window.review.set_project(None, None)
    assert APPROXIMATE_WARNING in banner.notes and PLACED_WARNING not in banner.notes  # no project: the promise
    other = Project.create(tmp_path / "proj2", inputs)  # a new project on them: nothing placed, an estimate comes
    window.review.set_project(other, window.scene)
    assert APPROXIMATE_WARNING in banner.notes
    window.review.set_project(None, None)
