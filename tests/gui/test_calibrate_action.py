"""File ▸ Estimate Homography from the Video… (ADR 0014): offered while the scene has no homography; the
estimate runs in the background, is saved where the analyst says and the scene is opened again with it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_estimate_is_saved_and_the_scene_uses_it(window, demo60, qtbot, tmp_path):
    from app.calibrate_action import STOP, TITLE, install_calibrate
    from humanseg_core.records import ProjectInputs

    action = install_calibrate(window)
    assert action.action in window.menuBar().actions()[0].menu().actions()  # in the File menu
    assert not action.action.isEnabled()  # nothing open, and the entry says why (a walk could not tell)
    assert action.action.text() == TITLE + " (open a video with its trajectories first)"
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"),
                                            trajectories=str(demo60 / "trajectories.txt")))
    assert window.scene.homography.approximate and action.action.isEnabled()
    target = tmp_path / "H_mine.txt"
    asked = []
    action.ask_path = lambda suggested: asked.append(suggested) or target
    action.tell = lambda title, text: pytest.fail(f"{title}: {text}")
    summaries = []
    action.confirm = lambda summary, shown, weak: summaries.append((summary, shown)) or True
    action.action.trigger()
    assert action.action.text() == STOP  # one estimate at a time: the entry now stops it
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    # the fit is said before anything is saved (a walk saw the estimate used with no word of how good it was)
    [(summary, shown)] = summaries
    assert "annotated positions" in summary and "px from them" in summary
    # ... with a frame showing where the estimate puts the points (a walk could not see them before choosing)
    frame, image, (x0, y0) = shown
    assert image.shape[2] == 3 and 0 < image.shape[0] + y0 <= window.scene.frames.height
    assert frame in window.scene.annotated_frames()
    from app.calibrate_action import preview_pixmap

    assert preview_pixmap(image).width() == 600
    assert asked == [demo60 / "H_estimated.txt"] and target.is_file()
    assert window.inputs.homography == str(target) and not window.scene.homography.approximate
    assert not action.action.isEnabled()  # the scene has a homography now
    assert "Homography estimated" in window.statusBar().currentMessage()
    # ... and stays said while the scene uses it (the banner's warning named nothing once it was in use)
    assert any(w.startswith("Estimated homography (H_mine.txt): ") and "Check that the track points" in w
               for w in window.scene.warnings), window.scene.warnings


def _opened_without_homography(window, demo60, what: str):
    """The action installed, the demo's video and trajectories open (no homography); asking where to save
    ``what`` or telling anything fails the test."""
    from app.calibrate_action import install_calibrate
    from humanseg_core.records import ProjectInputs

    action = install_calibrate(window)
    assert window.open_inputs(ProjectInputs(video=str(demo60 / "frames"),
                                            trajectories=str(demo60 / "trajectories.txt")))
    action.ask_path = lambda suggested: pytest.fail(f"asked where to save {what}")
    action.tell = lambda title, text: pytest.fail(f"{title}: {text}")
    return action


def test_a_discarded_estimate_writes_nothing(window, demo60, qtbot, tmp_path):
    action = _opened_without_homography(window, demo60, "a discarded estimate")
    action.confirm = lambda summary, shown, weak: False
    action.action.trigger()
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    assert "discarded" in window.statusBar().currentMessage()
    assert window.scene.homography.approximate and not list(demo60.glob("H_estimated*.txt"))


def test_a_refused_estimate_is_told_and_nothing_is_written(window, demo60, qtbot, tmp_path):
    import shutil

    from app.calibrate_action import install_calibrate
    from humanseg_core.records import ProjectInputs

    still = tmp_path / "still"
    shutil.copytree(demo60 / "frames", still)
    first = sorted(still.iterdir())[0].read_bytes()
    for frame in sorted(still.iterdir())[1:]:
        frame.write_bytes(first)  # nobody moves
    action = install_calibrate(window)
    assert window.open_inputs(ProjectInputs(video=str(still), trajectories=str(demo60 / "trajectories.txt")))
    told = []
    action.tell = lambda title, text: told.append((title, text))
    action.ask_path = lambda suggested: pytest.fail("asked where to save a refused estimate")
    action.action.trigger()
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    assert told and "matched moving people" in told[0][1]
    assert window.scene.homography.approximate and action.action.isEnabled()  # free to try again


def test_the_running_estimate_can_be_stopped_and_nothing_is_written(window, demo60, qtbot, tmp_path):
    from app.calibrate_action import STOP, TITLE

    action = _opened_without_homography(window, demo60, "a stopped estimate")
    action.action.trigger()
    assert action.action.text() == STOP and action.action.isEnabled()
    action.action.trigger()  # the same entry stops it
    assert action.worker is None or action.worker.token.cancelled
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    assert "stopped" in window.statusBar().currentMessage()
    assert action.action.text() == TITLE and action.action.isEnabled()  # free to try again
    assert window.scene.homography.approximate and not list(demo60.glob("H_estimated*.txt"))


def test_save_and_use_keeps_a_project_made_without_a_homography(window, demo60, qtbot, tmp_path):
    """A walk's Save and Use closed the project ("the same video and trajectories read another way") and
    left it to make a new one: a project made from these files without a homography takes the estimate."""
    from app.calibrate_action import install_calibrate
    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    install_panels(window)
    action = install_calibrate(window)
    inputs = ProjectInputs(video=str(demo60 / "frames"), trajectories=str(demo60 / "trajectories.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    assert window.review.open_project(str(tmp_path / "proj"))
    target = tmp_path / "H_mine.txt"
    asked = []
    action.ask_path = lambda suggested: asked.append(suggested) or target
    action.tell = lambda title, text: pytest.fail(f"{title}: {text}")
    action.confirm = lambda summary, shown, weak: True
    action.action.trigger()
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    project = window.review.project
    assert project is not None and project.folder == (tmp_path / "proj").resolve()  # still open
    assert asked == [project.folder / "H_estimated.txt"]  # where Generate keeps its estimate
    assert project.inputs.homography == str(target.resolve()) and not window.scene.homography.approximate
    said = window.statusBar().currentMessage()
    assert "and the project too" in said and "generate them again" not in said  # it had no proposals


def test_the_window_follows_a_project_that_estimated_its_homography(window, demo60, qtbot, tmp_path):
    """Generate (or a Whole scene run) on a project without a homography estimates one and the project's
    inputs name it (``workflows.estimate``): afterwards the window reads the scene the same way, and the
    project stays open."""
    from app.panels import install_panels
    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows.estimate import estimate_into

    install_panels(window)
    inputs = ProjectInputs(video=str(demo60 / "frames"), trajectories=str(demo60 / "trajectories.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    review = window.review
    assert review.open_project(str(tmp_path / "proj"))
    estimated, _warned = run_job(estimate_into(review.project, window.scene))  # as the proposals job does
    estimated.close()
    assert window.scene.homography.approximate  # the window still reads it by the extent
    review.proposals_added()  # after a job
    assert review.project is not None and window.inputs.homography == review.project.inputs.homography
    assert not window.scene.homography.approximate


def test_a_weak_estimate_is_shown_and_kept_only_by_choice(window, demo60, qtbot, tmp_path, monkeypatch):
    """A walk's davis_shop matched 27 % of 30 %: the studio said only 'give one with --homography'. Its weak
    fit, kept anyway, gave the proposals a median IoU of 0.67 against 0.16 for the extent fit."""
    from humanseg_core.inputs import calibrate

    monkeypatch.setattr(calibrate.calibrate_job, "__defaults__", (calibrate.CalibrateConfig(min_share=0.95), None))
    action = _opened_without_homography(window, demo60, "a weak estimate")
    seen = []
    action.confirm = lambda summary, shown, weak: seen.append((summary, shown, weak)) and False
    action.action.trigger()
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    [(summary, shown, weak)] = seen
    assert weak and summary.startswith("A weak fit: ") and "(at least 95% needed)" in summary and shown is not None
    assert summary.count("positions (") == 1  # the counts said once (a walk read them twice)
    assert "discarded" in window.statusBar().currentMessage() and window.scene.homography.approximate
    target = tmp_path / "H_weak.txt"
    action.confirm = lambda summary, shown, weak: True  # kept anyway, by choice
    action.ask_path = lambda suggested: target
    action.action.trigger()
    qtbot.waitUntil(lambda: action.worker is None, timeout=30_000)
    assert target.is_file() and window.inputs.homography == str(target)


def test_the_scenes_homography_file_is_given_to_the_open_project(window, demo60, qtbot, tmp_path):
    """A walk (davis_shop) had the estimate refused, then reopened the files with H.txt through File ▸ Open: the
    project closed ('the same video and trajectories read another way'). File ▸ Use a Homography File… gives
    the file to the scene and to the open project made without one."""
    from app.calibrate_action import FILE_TITLE
    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    install_panels(window)
    action = window.calibrate
    assert action.file_action in window.menuBar().actions()[0].menu().actions()
    assert action.file_action.text() == FILE_TITLE + " (open a video with its trajectories first)"
    inputs = ProjectInputs(video=str(demo60 / "frames"), trajectories=str(demo60 / "trajectories.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    review = window.review
    assert review.open_project(str(tmp_path / "proj")) and window.scene.homography.approximate
    assert action.file_action.isEnabled() and action.file_action.text() == FILE_TITLE
    told = []
    action.tell = lambda title, text: told.append(title)
    bad = tmp_path / "H_bad.txt"
    bad.write_text("1 2 3\n")
    action.ask_open = lambda folder: bad
    assert not action.use_file() and told == ["Not a homography file"]  # said; nothing changed
    assert window.scene.homography.approximate and not review.project.inputs.homography
    import numpy as np

    from humanseg_core.records import Proposal

    mask = np.zeros((window.scene.frames.height, window.scene.frames.width), bool)
    mask[10:40, 10:20] = True
    review.project.add_proposals([Proposal(frame=0, pid=1, box=(10, 10, 20, 40), mask=mask, source="bgs")])
    action.ask_open = lambda folder: demo60 / "H.txt"
    assert action.use_file()
    assert told[-1] == "Generate the proposals again"  # its proposals were placed without it: said, not lost
    assert review.project is not None and review.project.inputs.homography == str((demo60 / "H.txt").resolve())
    assert window.inputs.homography == review.project.inputs.homography and not window.scene.homography.approximate
    assert "and the project too" in window.statusBar().currentMessage()
    # the scene has its homography now: another can take its place (a walk's project on a homography that did not
    # fit could not be given the right one in the studio)
    assert action.file_action.isEnabled() and action.file_action.text() == FILE_TITLE + " (replaces the scene's)"
    # the Whole scene panel no longer says the project has none (a walk read it after the file was given)
    assert "no homography" not in window.scene_run.status.text()


def test_another_homography_file_takes_the_place_of_one_that_does_not_fit(window, demo60, qtbot, tmp_path):
    """A walk's project, made over another scene's homography (the banner: "does not fit this video"), had both
    File ▸ homography entries greyed "(the scene has its homography)", and File ▸ Open with the right file closed
    the project. Use a Homography File… now replaces it, asked first; the project keeps its decisions."""
    import numpy as np

    from app.panels import install_panels
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    install_panels(window)
    action = window.calibrate
    wrong = tmp_path / "H_other.txt"
    wrong.write_text("0.05 0 -3\n0 -0.05 12\n0 0 1\n")  # another scene's scale and place
    inputs = ProjectInputs(video=str(demo60 / "frames"), trajectories=str(demo60 / "trajectories.txt"),
                           homography=str(wrong))
    Project.create(tmp_path / "proj", inputs).close()
    review = window.review
    assert review.open_project(str(tmp_path / "proj")) and not window.scene.homography.approximate
    assert action.file_action.isEnabled()
    mask = np.zeros((window.scene.frames.height, window.scene.frames.width), bool)
    mask[10:40, 10:20] = True
    review.project.add_proposals([Proposal(frame=0, pid=1, box=(10, 10, 20, 40), mask=mask, source="bgs",
                                           status="accepted")])
    asked, told = [], []
    action.tell = lambda title, text: told.append((title, text))
    action.ask_open = lambda folder: demo60 / "H.txt"
    action.confirm_replace = lambda old, new, placed: asked.append((old, new, placed)) or False
    assert not action.use_file()  # declined: nothing changed
    assert asked == [("H_other.txt", "H.txt", 1)] and review.project.inputs.homography == str(wrong)
    action.confirm_replace = lambda old, new, placed: True
    assert action.use_file()
    assert review.project is not None  # kept open, not closed as files "read another way"
    assert review.project.inputs.homography == str((demo60 / "H.txt").resolve()) == window.inputs.homography
    assert [p.status for p in review.project.proposals()] == ["accepted"]  # the decision kept
    assert told[-1][0] == "Generate the proposals again" and "placed with H_other.txt" in told[-1][1]
    with Project.open(tmp_path / "proj") as again:
        assert again.inputs.homography == str((demo60 / "H.txt").resolve())


def test_an_estimate_without_a_project_is_not_offered_a_read_only_data_folder(tmp_path):
    """A walk's Save and Use… opened in the trajectories' read-only folder (shared data), and root wrote there."""
    from pathlib import Path

    from app.calibrate_action import save_folder

    data = tmp_path / "data"
    data.mkdir()
    (data / "t.txt").write_text("0 1 1 1\n")
    assert save_folder(str(data / "t.txt")) == data
    data.chmod(0o555)
    try:
        assert save_folder(str(data / "t.txt")) == Path.home()
    finally:
        data.chmod(0o755)
