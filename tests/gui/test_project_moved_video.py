"""A project whose video moved: one question naming the project and what moved, the new place chosen and
kept, every decision intact; never the same error twice (students03: 'no such video file or folder' came
twice, then the project could not be opened at all)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

pytestmark = pytest.mark.gui


@pytest.fixture
def moved(gen, tmp_path):
    """A project made on ``old/`` with one accepted mask; the scene folder then moved to ``new/``."""
    old = gen.write_scene(tmp_path / "old", n_frames=12)
    inputs = ProjectInputs(video=str(old / "frames"), trajectories=str(old / "trajectories.txt"),
                           homography=str(old / "H.txt"))
    m = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    m[60:100, 30:50] = True
    with Project.create(tmp_path / "proj", inputs) as p:
        p.add_proposals([Proposal(10, 1, (30, 60, 50, 100), m, "test", status="accepted")])
    new = old.rename(tmp_path / "new")
    return tmp_path / "proj", new, m


@pytest.fixture
def studio(window, monkeypatch):
    """The window with the review installed; every message box counted instead of shown."""
    from app.review import moved_inputs, project_dialogs
    from app.review.install import install_review

    errors: list[str] = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(project_dialogs, "show_error", lambda parent, title, text: errors.append(text))
    monkeypatch.setattr(moved_inputs, "show_error", lambda parent, title, text: errors.append(text))
    return window, install_review(window), errors


def test_locating_the_moved_inputs_opens_the_project_and_keeps_the_new_place(qtbot, studio, moved, monkeypatch):
    from app.review import moved_inputs

    window, ctrl, errors = studio
    folder, new, mask = moved
    asked = []
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: asked.append((name, what)) or True)
    places = {"video": new / "frames", "trajectories": new / "trajectories.txt", "homography": new / "H.txt"}
    chosen: list = []
    monkeypatch.setattr(moved_inputs, "choose_new_place",
                        lambda parent, key, old: chosen.append(key) or str(places[key]))
    assert ctrl.open_project(folder=folder)
    assert len(asked) == 1 and asked[0][0] == "proj" and [k for k, _p in asked[0][1]] == list(places)
    assert chosen == ["video"]  # the trajectory file and homography found beside it, as before (a walk)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Found"), timeout=3000)
    said = window.statusBar().currentMessage()
    assert said.startswith("Found where they stood before, beside the files given: the trajectory file ")
    assert "H.txt" in said
    assert ctrl.project.inputs.homography == str(places["homography"].resolve())
    assert not errors and window.scene is not None
    assert ctrl.project.inputs.video == str(places["video"].resolve())
    assert ctrl.project.counts(1)["accepted"] == 1
    ctrl.close_project()
    with Project.open(folder) as p:  # the new place is kept
        assert p.inputs.trajectories == str(places["trajectories"].resolve())
        assert np.array_equal(p.accepted_masks(1)[10], mask)


def test_cancel_leaves_the_project_closed_and_unchanged_without_an_error(studio, moved, monkeypatch):
    from app.review import moved_inputs

    window, ctrl, errors = studio
    folder, _new, _mask = moved
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: False)
    assert not ctrl.open_project(folder=folder)
    assert ctrl.project is None and not errors
    with Project.open(folder) as p:
        assert "old" in p.inputs.video
    # said (a walk's window stood empty, and a person's click read "No person 76 in these trajectories")
    assert window.statusBar().currentMessage().startswith(f"Project {folder.name} not opened: its inputs are not "
                                                          "where it left them")


def test_a_video_of_another_size_is_refused_naming_both_sizes(studio, moved, gen, tmp_path, monkeypatch):
    from app.review import moved_inputs

    window, ctrl, errors = studio
    folder, new, _mask = moved
    other = tmp_path / "other"
    other.mkdir()
    gen.write_scene(other)  # same frames count, then made larger
    import cv2

    for f in (other / "frames").iterdir():
        cv2.imwrite(str(f), np.zeros((gen.HEIGHT * 2, gen.WIDTH * 2, 3), np.uint8))
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: True)
    monkeypatch.setattr(moved_inputs, "choose_new_place",
                        lambda parent, key, old: str(other / "frames") if key == "video" else str(new / Path(old).name))
    assert not ctrl.open_project(folder=folder)
    assert len(errors) == 1 and f"{gen.WIDTH * 2}x{gen.HEIGHT * 2}" in errors[0] and "not this project" in errors[0]
    with Project.open(folder) as p:
        assert "old" in p.inputs.video


def test_a_damaged_input_is_reported_once(studio, moved, monkeypatch):
    window, ctrl, errors = studio
    folder, new, _mask = moved
    with Project.open(folder) as p:
        p.relocate_inputs(video=str(new / "frames"), trajectories=str(new / "trajectories.txt"),
                          homography=str(new / "H.txt"))
    (new / "trajectories.txt").write_text("0 1 abc 2\n")
    assert not ctrl.open_project(folder=folder)
    assert len(errors) == 1 and "trajectories.txt" in errors[0] and "abc" in errors[0]


def test_a_shorter_copy_is_taken_and_what_it_loses_said(studio, moved, monkeypatch):
    import shutil

    from app.review import moved_inputs

    window, ctrl, errors = studio
    folder, new, mask = moved
    with Project.open(folder) as p:
        p.add_proposals([Proposal(11, 1, (30, 60, 50, 100), mask, "test")])
    shorter = new / "shorter"
    shutil.copytree(new / "frames", shorter)
    last = sorted(shorter.iterdir())[-1]  # frame 11 cut off
    last.unlink()
    warned: list = []
    monkeypatch.setattr(moved_inputs.QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: True)
    monkeypatch.setattr(moved_inputs, "choose_new_place",
                        lambda parent, key, old: str(shorter) if key == "video" else str(new / Path(old).name))
    assert ctrl.open_project(folder=folder)
    assert not errors and len(warned) == 1 and "on 1 frame this video does not have (11;" in warned[0]
    assert ctrl.project.inputs.video == str(shorter.resolve())


@pytest.mark.parametrize("take_it", [False, True])
def test_another_video_of_the_same_size_and_numbers_is_asked_about_first(studio, moved, monkeypatch, take_it):
    """A data-safety walk's Locate… took another video of the same size and numbering without a word."""
    import shutil

    import cv2

    from app.review import moved_inputs
    from humanseg_core.inputs.fingerprint import SETTING, take
    from humanseg_core.inputs.frames import open_frames

    window, ctrl, errors = studio
    folder, new, _mask = moved
    with Project.open(folder) as p:  # kept when the proposals were made on it
        p.set_setting(SETTING, take(open_frames(new / "frames")))
    other = new / "other"
    shutil.copytree(new / "frames", other)
    for k, f in enumerate(sorted(other.iterdir())):  # the same view, other people in it
        img = cv2.imread(str(f))
        img[20:80, (12 * k) % 100:(12 * k) % 100 + 25] = 255 - img[20:80, (12 * k) % 100:(12 * k) % 100 + 25]
        cv2.imwrite(str(f), img)
    asked: list = []
    monkeypatch.setattr(moved_inputs, "ask_unlike", lambda parent, text: asked.append(text) or take_it)
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: True)
    monkeypatch.setattr(moved_inputs, "choose_new_place",
                        lambda parent, key, old: str(other) if key == "video" else str(new / Path(old).name))
    assert ctrl.open_project(folder=folder) is take_it
    assert len(asked) == 1 and "look unlike the project's video" in asked[0] and not errors
    if take_it:
        assert ctrl.project.inputs.video == str(other.resolve()) and ctrl.project.setting(SETTING) is None
        ctrl.close_project()
    with Project.open(folder) as p:
        assert (p.inputs.video == str(other.resolve())) is take_it


def test_only_the_trajectory_file_moved(studio, gen, tmp_path, monkeypatch):
    """A review: Locate… of a project whose video stayed (its trajectory file moved) failed with an error."""
    from app.review import moved_inputs

    window, ctrl, errors = studio
    scene = gen.write_scene(tmp_path / "scene", n_frames=12)
    inputs = ProjectInputs(video=str(scene / "frames"), trajectories=str(scene / "trajectories.txt"),
                           homography=str(scene / "H.txt"))
    with Project.create(tmp_path / "proj", inputs) as p:
        p.add_proposals([Proposal(10, 1, (30, 60, 50, 100), np.ones((gen.HEIGHT, gen.WIDTH), bool), "test")])
    moved = (scene / "trajectories.txt").rename(tmp_path / "t_moved.txt")
    monkeypatch.setattr(moved_inputs, "ask_locate", lambda parent, name, what: True)
    monkeypatch.setattr(moved_inputs, "choose_new_place", lambda parent, key, old: str(moved))
    assert ctrl.open_project(folder=tmp_path / "proj") and not errors
    assert ctrl.project.inputs.trajectories == str(moved.resolve())
