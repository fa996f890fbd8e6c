"""The Whole scene panel as a new user meets it: every person's results over the video in the person's
colour (by pixels), per-person states from waiting to segmented, a cancel that stays visible, one
"failed" in a failure line, and disabled buttons that look disabled."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import start_scene_job, wait_cancelled

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.colors import person_rgb
from app.scene_install import install_scene_panel
from app.scene_overlay import FILL_ALPHA
from app.scene_panel import ScenePanel, stage_text
from humanseg_core.jobs import Progress

BOXES = {1: (10, 40, 150, 190), 2: (100, 140, 200, 240)}  # pid: rows y0:y1, cols x0:x1, away from the markers


@pytest.fixture
def project(scene_project):
    return scene_project


def _store_results(project, gen) -> dict[int, int]:
    runs = {}
    for pid, (y0, y1, x0, x1) in BOXES.items():
        mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
        mask[y0:y1, x0:x1] = True
        runs[pid] = project.add_run(pid, "osvos-lite")
        project.save_results(pid, runs[pid], {10: mask, 11: mask})
    return runs


def _pixel(window, gen, row: int, col: int) -> tuple[int, int, int]:
    img = window.frame_view.render_image(gen.WIDTH, gen.HEIGHT)
    c = img.pixelColor(col, row)
    return c.red(), c.green(), c.blue()


def _blend(pid: int, grey: int) -> tuple[float, ...]:
    a = FILL_ALPHA / 255
    return tuple(a * c + (1 - a) * grey for c in person_rgb(pid))


def test_every_persons_results_are_drawn_in_the_persons_colour(opened, project, gen, qtbot):
    _store_results(project, gen)
    panel = install_scene_panel(opened, project)
    opened.set_frame(10)
    qtbot.waitUntil(opened.frame_view.has_frame, timeout=5000)
    assert panel.show_all.isChecked()  # two persons segmented: on from the start (a walk's CLI run opened off)
    panel.show_all.setChecked(False)
    assert _pixel(opened, gen, 25, 170) == (gen.GREY,) * 3  # off when asked
    panel.show_all.setChecked(True)
    assert "(2 persons)" in panel.show_all.text()
    overlay = panel.overlay  # composed off the GUI thread (a stall audit): drawn when it arrives
    qtbot.waitUntil(lambda: not overlay.pending() and "scene results" in opened.frame_view.mask_overlay_names(),
                    timeout=5000)
    for pid, (y0, y1, x0, x1) in BOXES.items():
        inside = _pixel(opened, gen, (y0 + y1) // 2, (x0 + x1) // 2)
        assert np.allclose(inside, _blend(pid, gen.GREY), atol=6), (pid, inside)  # the fill, translucent
        assert np.allclose(_pixel(opened, gen, y0, (x0 + x1) // 2), person_rgb(pid), atol=6)  # the outline
    assert _pixel(opened, gen, 70, 250) == (gen.GREY,) * 3  # nobody there
    opened.set_frame(20)  # no results on this frame
    qtbot.waitUntil(lambda: opened.current_frame == 20 and not overlay.pending())
    qtbot.waitUntil(lambda: "scene results" not in opened.frame_view.mask_overlay_names(), timeout=5000)
    panel.show_all.setChecked(False)
    opened.set_frame(10)
    assert "scene results" not in opened.frame_view.mask_overlay_names()


def test_a_finished_run_shows_every_person_and_names_the_export(opened, project, gen, qtbot, monkeypatch, tmp_path):
    from humanseg_core.workflows import scene_run
    from humanseg_core.workflows.scene_run import SceneRunResult

    runs = _store_results(project, gen)

    def fake_job(project, config, cancel):
        yield Progress(0, 1, "starting on cpu (1 thread)", data={"stage": "start", "device": "cpu (1 thread)"})
        yield Progress(0, 2, "2 persons to train", data={"stage": "train", "pids": [1, 2]})
        return SceneRunResult(persons=[1, 2], run_ids=runs, person_frames=4, seconds=2.0, segment_seconds=0.1,
                              device="cpu (1 thread)")

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = install_scene_panel(opened, project)
    panel.out.setText(str(tmp_path / "out"))
    asked = []
    panel.ask_keep = lambda pids: asked.append(pids) or "retrain"  # both have results: asked, retrained
    panel.start()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=5000)
    assert asked == [[1, 2]] and panel.show_all.isChecked() and panel.overlay.pids == [1, 2]
    assert f"exported to {tmp_path / 'out'}" in panel.status.text()
    assert panel.device_label.text() == "in use: cpu (1 thread)"
    panel.table.cellClicked.emit(1, 0)  # a click on person 2's row selects person 2 in the studio
    assert opened.selected_pid == 2
    panel.show_all.setChecked(False)  # turned off by the analyst: the next run leaves it off
    panel.start()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=5000)
    assert not panel.show_all.isChecked() and "exported to" in panel.status.text()


def test_person_states_from_waiting_to_segmented(qtbot):
    panel = ScenePanel()
    qtbot.addWidget(panel)

    def report(stage, message="", **data):
        panel._progress(Progress(0, 2, message, data={"stage": stage, **data}))

    report("train", "2 persons to train", pids=[1, 2], skipped={3: "0 usable label(s)"})
    assert [panel.state(p) for p in (1, 2)] == ["waiting", "waiting"]
    assert panel.state(3).startswith("skipped")
    report("train", "person 1 (1/2): training starts", pid=1, step=0, steps=0)
    assert panel.state(1).startswith("preparing")
    report("train", "person 1 (1/2): step 3", pid=1, step=3, steps=10)
    assert panel.state(1) == "training step 3/10"
    # the steps asked for, and those the time bound is expected to let run (a walk read 7/100 in the status line,
    # 7/20 in the table)
    report("train", "person 1 (1/2): step 3/100", pid=1, step=3, steps=20, budget_steps=100)
    assert panel.state(1) == "training step 3/100 (about 20 fit in the time bound)"
    report("train", "person 1 (1/2): step 3", pid=1, step=3, steps=10)
    report("train", "person 2 (2/2): step 1", pid=2, step=1, steps=10)
    assert panel.state(1) == ("trained (3 steps: too few to learn the person, choose steps per person), waiting to "
                              "segment")
    report("segment", "segmenting frames 0-31", person_frames={1: 32})
    assert panel.state(1) == "segmenting: 32 frames so far"  # not "segmented": a walk read it as the last count
    assert panel.state(2).startswith("trained (1 step: too few")
    assert panel.status.text() == "Segmenting frames 0-31"  # the stage named once
    panel._progress(Progress(1, 4, "segmenting frames 32-63", data={"stage": "segment"}, eta_s=75))
    assert panel.status.text() == "Segmenting frames 32-63 · ETA 1:15"
    assert panel.progress.format() == "Segmenting %p%"
    panel._cancelled()
    # person 2's network is stored: it was trained, the cancel stopped its segmentation
    assert panel.state(2) == "trained, not segmented (cancelled)"
    assert panel.state(1) == "cancelled while segmenting (32 frames done)"
    text = stage_text("propose", "proposals: preparing: sample frame 4 of 8")
    assert text == "Proposals: preparing: sample frame 4 of 8"
    assert stage_text("train", "person 3 (2/8): step 4") == "Training: person 3 (2/8): step 4"


def test_cancel_stays_visible_until_the_job_stops(qtbot, project, monkeypatch):
    import threading
    import time

    go_on = threading.Event()

    def slow_to_cancel(project, config, cancel):  # like the training's preparation: a while between checks
        step = 0
        while True:
            step += 1
            yield Progress(0, 2, f"person 1 (1/2): step {step}", data={"stage": "train", "pid": 1, "step": step})
            if cancel.cancelled and go_on.is_set():
                cancel.raise_if_cancelled()
            time.sleep(0.01)

    panel, _ = start_scene_job(qtbot, project, monkeypatch, slow_to_cancel)
    qtbot.waitUntil(lambda: (panel.state(1) or "").startswith("training"), timeout=5000)
    panel.cancel()
    assert not panel.cancel_button.isEnabled()
    qtbot.wait(100)  # reports keep arriving: the status still says it is cancelling
    assert panel.status.text().startswith("Cancelling") and "Now: Training: person 1" in panel.status.text()
    go_on.set()
    wait_cancelled(qtbot, panel)
    assert panel.state(1) == "cancelled"


def test_an_unexpected_failure_says_failed_once(qtbot, project, monkeypatch):
    def broken(project, config, cancel):
        yield Progress(0, 1, "starting", data={"stage": "start"})
        raise TypeError("takes 4 positional arguments but 6 were given")

    panel, _ = start_scene_job(qtbot, project, monkeypatch, broken)
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=5000)
    assert panel.status.text() == "Whole scene failed: TypeError: takes 4 positional arguments but 6 were given"


def test_a_disabled_button_looks_disabled(qtbot):
    from PySide6.QtWidgets import QPushButton, QWidget

    from app.main import STYLE

    box = QWidget()
    box.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    qtbot.addWidget(box)
    on, off = QPushButton("Run whole scene", box), QPushButton("Run whole scene", box)
    off.setEnabled(False)
    for b, x in ((on, 0), (off, 200)):
        b.setGeometry(x, 0, 180, 30)
    box.resize(400, 30)
    box.show()
    qtbot.waitExposed(box)
    img = box.grab().toImage()

    def brightest(x0):  # the text: the brightest pixels of the button
        return max(img.pixelColor(x, y).lightness() for x in range(x0 + 20, x0 + 160) for y in range(8, 22))

    assert brightest(0) - brightest(200) > 60


def test_the_export_folder_can_be_chosen(qtbot, project, tmp_path):
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.choose_out(str(tmp_path / "masks"))  # what the folder dialog returns
    assert panel.config().out == tmp_path / "masks"
    panel.choose_out("")  # the dialog cancelled: unchanged
    assert panel.out.text() == str(tmp_path / "masks")


def test_a_read_only_project_is_not_run(opened, project):
    """Where another studio window holds the project (the review opened it read-only), the run is off."""
    import types

    opened.review = types.SimpleNamespace(read_only=True)
    panel = install_scene_panel(opened, project)
    assert not panel.run_button.isEnabled() and "read-only here" in panel.status.text()
    assert "another studio window holds it)" in panel.status.text()  # the reason, not "one or the other"
    panel.start()
    assert panel._worker is None
    opened.review = types.SimpleNamespace(read_only=True, read_only_folder=True)  # a folder it cannot write to
    panel.refresh_status()
    assert "its folder cannot be written to): copy the project somewhere writable" in panel.status.text()
    opened.review.read_only = False
    panel.set_project(project)
    assert panel.run_button.isEnabled()


def test_the_options_of_the_last_run_come_back_with_the_project(qtbot, project, monkeypatch):
    from humanseg_core.workflows import scene_run
    from humanseg_core.workflows.scene_run import SceneRunResult

    def fake_job(project, config, cancel):
        return SceneRunResult()
        yield

    monkeypatch.setattr(scene_run, "scene_run_job", fake_job)
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.pids.setText("2,3")
    panel.budget_kind.setCurrentIndex(1)  # the kind first: another kind starts at its own default
    panel.budget.setValue(3)
    panel.accept.setCurrentText("reviewed")
    panel.fmt.setCurrentIndex(panel.fmt.findData("palette"))
    assert panel.fmt.currentText() == "palette PNGs" and "<person>/%05d.png" in panel.fmt.toolTip()
    panel.start()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=5000)
    assert project.setting("scene.options")["format"] == "palette"
    again = ScenePanel()  # e.g. the project reopened later
    qtbot.addWidget(again)
    assert again.budget.value() == 100 and again.budget_kind.currentIndex() == 2 and again.fmt.currentData() == "davis"
    assert again.fmt.currentText() == "PNGs, a folder per person"  # what it writes, not a name read as DAVIS's
    again.set_project(project)
    assert (again.pids.text(), again.budget.value(), again.budget_kind.currentIndex(), again.accept.currentText(),
            again.fmt.currentData()) == ("2,3", 3, 1, "reviewed", "palette")
    project.set_setting("scene.options", {"budget": "x", "device": "tpu"})  # damaged: ignored, no crash
    again.set_project(project)
    assert again.device.currentText() == "auto"


def test_the_eta_before_segmentation_says_it_is_the_stages():
    """A walk read training's 'ETA 0:52'; segmentation then began at 'ETA 9:03'."""
    from app.scene_summary import eta_text

    assert eta_text("train", 52) == " · training ETA 0:52 (segmentation follows)"
    assert eta_text("propose", 14) == " · proposals ETA 0:14 (segmentation follows)"
    assert eta_text("segment", 75) == " · ETA 1:15"
    assert eta_text("train", None) == ""


def test_a_long_state_wraps_onto_more_lines(qtbot):
    """A walk read 'Play an…' in a row after a cancel."""
    panel = ScenePanel()
    qtbot.addWidget(panel)
    panel.resize(320, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel._set_state(1, "waiting")
    one_line = panel.table.rowHeight(0)
    long = ("cancelled while segmenting: 10 frames stored (run 41), now the newest, which Play and Export use; "
            "Segment completes it")
    panel._set_state(1, long)
    assert panel.table.rowHeight(0) > one_line and panel.state(1) == long
    panel._set_state(1, "segmented 58 frames")  # short again: one line again
    assert panel.table.rowHeight(0) == one_line


def test_every_persons_masks_are_decoded_off_the_gui_thread(opened, project, gen, qtbot, decodes):
    """A stall audit: with every person shown, each frame step decoded each person's mask on the GUI thread (21 a
    step in a crowd). They are decoded and composed on the overlay's own thread; frames stepped past meanwhile are
    not composed at all, and the frame shown gets its overlay."""
    _store_results(project, gen)
    panel = install_scene_panel(opened, project)
    overlay = panel.overlay
    qtbot.waitUntil(lambda: not overlay.pending(), timeout=5000)
    decodes.clear()
    for frame in (11, 10, 11, 10, 11):
        opened.set_frame(frame)
    qtbot.waitUntil(lambda: not overlay.pending() and opened.current_frame == 11, timeout=5000)
    qtbot.waitUntil(lambda: "scene results" in opened.frame_view.mask_overlay_names(), timeout=5000)
    assert decodes["main"] == 0 and decodes["worker"] > 0
    y0, y1, x0, x1 = BOXES[1]
    assert np.allclose(_pixel(opened, gen, (y0 + y1) // 2, (x0 + x1) // 2), _blend(1, gen.GREY), atol=6)
