"""The Generate dialog's bar follows the proposal job frame by frame ("i of n frames"), never busy to the end."""

import threading

import numpy as np
import pytest
from fakes import OneFrameScene

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.review.generate_dialog import GenerateDialog
from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def test_the_bar_shows_preparing_then_frame_i_of_n_then_done(qtbot, tmp_path):
    go = threading.Semaphore(0)  # the test lets the job take one step at a time

    def generate(scene, pids, method, cancel=None, **kw):
        for i in range(3):
            go.acquire()
            yield Progress(i, 2, f"preparing: sample frame {i} of 2", data={"stage": "prepare"})
        for i in range(1, 5):
            go.acquire()
            cancel.raise_if_cancelled()
            yield Progress(i, 4, f"frame {10 * i}: {i} proposals", data={"frame": 10 * i}, eta_s=3.0)
        m = np.zeros((8, 8), bool)
        m[2:6, 2:6] = True
        return [Proposal(0, 1, (2, 2, 6, 6), m, "bgs:fake")], []

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    dlg = GenerateDialog(OneFrameScene([1], frames=(0, 10, 20, 30)), project, selected_pid=1, generate=generate)
    qtbot.addWidget(dlg)
    bar = dlg.progress
    dlg.start()

    def shows(value, maximum, text):
        go.release()
        qtbot.waitUntil(lambda: (bar.value(), bar.maximum(), bar.format()) == (value, maximum, text), timeout=5000)

    try:
        shows(0, 2, "preparing 0 of 2")  # determinate from the first report
        shows(1, 2, "preparing 1 of 2")
        shows(2, 2, "preparing 2 of 2")
        for i in range(1, 4):
            shows(i, 4, f"{i} of 4 frames")
            assert f"frame {10 * i}" in dlg.progress_label.text() and "3 s left" in dlg.progress_label.text()
        go.release()  # the last frame, then the job stores and ends
        qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
        assert bar.value() == bar.maximum() and bar.format() == "done"
        assert "1 proposal stored" in dlg.progress_label.text()
    finally:  # a failed check must not leave the job waiting (a later window's close would ask to quit)
        if dlg.running:
            dlg.footer.cancel()
            for _ in range(8):
                go.release()
            qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
        project.close()


def test_the_anchor_chosen_reaches_the_proposals(qtbot, tmp_path):
    """The CLI has --anchor; a walk found no way to say where the track points sit in the dialog."""
    seen = []

    def generate(scene, pids, method, cancel=None, anchor=None, **kw):
        seen.append(anchor)
        return [], []
        yield  # a generator

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t", anchor="auto"))
    dlg = GenerateDialog(OneFrameScene([1], frames=(0, 10, 20, 30)), project, selected_pid=1, generate=generate)
    qtbot.addWidget(dlg)
    assert dlg.params()["anchor"] == ""  # the project's own (auto) unless chosen
    dlg.anchor_box.setCurrentIndex(dlg.anchor_box.findData("centre"))
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert seen == ["centre"]
    dlg.anchor_box.setCurrentIndex(0)
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert seen == ["centre", "auto"]  # empty: the project's


def test_a_long_summary_is_read_in_full(qtbot, tmp_path):
    """A walk's dialog cut the summary at '…choose another under Track point on)' and let the Method box sit
    over the person list."""
    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    dlg = GenerateDialog(OneFrameScene([1], frames=(0, 10, 20, 30)), project, selected_pid=1,
                         generate=lambda *a, **k: iter(()))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    before = dlg.height()
    dlg._finished((428, 43, {}, "43 hidden behind a nearer person", "feet", "300 at 0.7 and up; 128 at 0.5-0.7", 0))
    label = dlg.progress_label
    assert "Track point on" in label.text()
    assert "Scores: 300 at 0.7 and up; 128 at 0.5-0.7" in label.text()  # how many to look at first
    assert label.height() >= label.heightForWidth(label.width()), (label.height(), label.heightForWidth(label.width()))
    assert dlg.height() >= before
    project.close()


def test_walkers_left_out_of_the_trajectory_file_are_the_projects_choice(qtbot, tmp_path):
    """As the CLI's --unnamed-walkers (ADR 0059): the box starts as the project says, and a change is kept."""
    seen = []

    def generate(scene, pids, method, cancel=None, **kw):
        seen.append(scene.unnamed_walkers)
        return [], []
        yield  # a generator

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t", unnamed_walkers=True))
    scene = OneFrameScene([1], frames=(0, 10, 20, 30))
    dlg = GenerateDialog(scene, project, selected_pid=1, generate=generate)
    qtbot.addWidget(dlg)
    assert dlg.unnamed_box.isChecked() and dlg.params()["unnamed_walkers"] is True
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    dlg.unnamed_box.setChecked(False)
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=5000)
    assert seen == [True, False] and project.inputs.unnamed_walkers is False
    project.close()
    with Project.open(tmp_path / "proj") as again:
        assert again.inputs.unnamed_walkers is False


def test_every_person_is_offered_when_the_others_were_placed_by_another_homography(qtbot, tmp_path, small_demo):
    """A walk gave its project another homography file, then Ctrl+G offered the selected person alone ("These: 1
    chosen") where every person's proposals were placed by the old one."""
    import shutil

    from humanseg_core.workflows.placed_reading import record_reading

    inputs = ProjectInputs(video=str(small_demo / "frames"), trajectories=str(small_demo / "trajectories.txt"),
                           homography=str(small_demo / "H.txt"))
    project = Project.create(tmp_path / "proj", inputs)
    scene = project.load_scene()
    pids = list(scene.pids_in_video() or scene.pids)
    record_reading(project, pids)
    dlg = GenerateDialog(scene, project, selected_pid=pids[0], generate=lambda *a, **k: iter(()))
    qtbot.addWidget(dlg)
    assert dlg.some_radio.isChecked()  # placed as the project reads them: the selected person, as before
    other = tmp_path / "H2.txt"
    shutil.copy(small_demo / "H.txt", other)
    other.write_text(other.read_text().replace("1", "2", 1))  # another matrix
    project.use_homography(str(other))
    dlg = GenerateDialog(scene, project, selected_pid=pids[0], generate=lambda *a, **k: iter(()))
    qtbot.addWidget(dlg)
    assert dlg.all_radio.isChecked() and dlg.pids() == pids
    scene.close()
    project.close()
