"""The studio window: opening inputs, the person table, keyboard navigation, what is drawn (by pixels)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from app.colors import person_rgb
from app.open_dialog import scene_folder_inputs
from humanseg_core.records import ProjectInputs

pytestmark = pytest.mark.gui


def viewport_image(window) -> QImage:
    return window.frame_view.viewport().grab().toImage()


def rgb_at(image: QImage, p: QPoint) -> tuple[int, int, int]:
    c = QColor(image.pixel(p))
    return c.red(), c.green(), c.blue()


def close_to(a, b, tol=6) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


@pytest.fixture
def errors(monkeypatch):
    """Captures QMessageBox.critical calls instead of showing a modal box."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def click_row(qtbot, window, pid):
    table = window.person_panel.table
    row = window.person_panel.row_of_pid(pid)
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_window_defaults_and_api(window):
    assert (window.width(), window.height()) == (1400, 900)
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Go"]
    go = [a for a in window.menuBar().actions()[2].menu().actions() if not a.isSeparator()]
    assert any(a.shortcut().toString() == "Space" for a in go)  # shortcuts show in the menu
    assert window.scene is None and window.current_frame is None and window.selected_pid is None


def test_open_scene_fills_table_title_and_timeline(opened, scene_dir, qtbot, gen):
    w = opened
    assert w.scene is not None and w.scene.trajectories.pids == [1, 2, 3]
    assert w.person_panel.model.rowCount() == 3
    assert "scene" in w.windowTitle() or scene_dir.name in w.windowTitle()
    assert w.current_frame == 0  # the first annotated frame
    assert w.timeline.slider.maximum() == gen.N_FRAMES - 1
    assert not w.banner.isVisible()  # a real homography, every point inside: no warning
    # the table's "Points" and "First" columns hold the track facts
    m = w.person_panel.model
    row = m.row_of(2)
    assert m.data(m.index(row, 1)) == "10" and m.data(m.index(row, 3)) == "3"


def test_selecting_in_table_selects_and_jumps(opened, qtbot):
    w = opened
    with qtbot.waitSignal(w.person_selected, timeout=2000) as sig:
        click_row(qtbot, w, 2)
    assert sig.args == [2]
    assert w.selected_pid == 2
    assert w.current_frame == 10  # person 2 starts at frame 10


def test_keys_step_and_jump(opened, qtbot, gen):
    w = opened
    w.select_person(1)
    assert w.current_frame == 0
    view = w.frame_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert w.current_frame == 1
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert w.current_frame == 11
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert w.current_frame == 10
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)  # next annotation of person 1
    assert w.current_frame == 20
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # previous annotation
    assert w.current_frame == 10
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert w.current_frame == gen.N_FRAMES - 1
    qtbot.keyClick(view, Qt.Key.Key_Right)  # clamped at the end
    assert w.current_frame == gen.N_FRAMES - 1
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert w.current_frame == 0
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert w.current_frame == 10


def test_space_plays_and_pauses(opened, qtbot):
    w = opened
    w.frame_view.setFocus()
    qtbot.keyClick(w.frame_view, Qt.Key.Key_Space)
    assert w.timeline.playing
    qtbot.waitUntil(lambda: w.current_frame >= 3, timeout=5000)
    qtbot.keyClick(w.frame_view, Qt.Key.Key_Space)
    assert not w.timeline.playing
    stopped = w.current_frame
    qtbot.wait(150)
    assert w.current_frame == stopped


def test_marker_drawn_at_projected_point(opened, qtbot, gen):
    """The colour at the viewport pixel showing the person's (interpolated) position is the person's colour."""
    from PySide6.QtCore import QPoint

    from app.track_overlay import SELECTED_RING

    w = opened
    w.select_person(1)
    w.set_frame(15)  # between annotations 10 and 20: interpolated
    qtbot.waitUntil(w.frame_view.has_frame, timeout=5000)
    u, v = w.scene.position_px(1, 15)
    assert (u, v) == pytest.approx((100.0, 75.0), abs=1e-6)  # halfway between (80, 70) and (120, 80)
    image = viewport_image(w)
    # the selected person: a hollow ring of SELECTED_RING screen pixels around the point (the head stays visible)
    ring = QPoint(-int(SELECTED_RING), 0)
    at = w.frame_view.image_to_viewport(u, v) + ring  # (within a pixel: the view's scale rounds the ring's place)
    assert _ring_at(image, at, person_rgb(1))
    # person 3 (not selected) is drawn in its own colour too
    u3, v3 = w.scene.position_px(3, 15)
    assert close_to(rgb_at(image, w.frame_view.image_to_viewport(u3, v3)), person_rgb(3))
    # and a point away from every person shows the frame
    assert close_to(rgb_at(image, w.frame_view.image_to_viewport(300, 20)), (gen.GREY, gen.GREY, gen.GREY), tol=12)

    # ten frames later the marker has moved with the interpolation; the old place shows no marker
    # (trails off: the selected person's trail passes through the old place in its colour)
    w.act_trails.setChecked(False)
    qtbot.keyClick(w.frame_view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert w.current_frame == 25
    u2, v2 = w.scene.position_px(1, 25)
    image = viewport_image(w)
    assert _ring_at(image, w.frame_view.image_to_viewport(u2, v2) + ring, person_rgb(1))
    assert not _ring_at(image, w.frame_view.image_to_viewport(u, v) + ring, person_rgb(1))


def _ring_at(image, at, rgb) -> bool:
    """The ring's colour within a pixel of ``at`` (the view's scale rounds its place; its edge is antialiased)."""
    from PySide6.QtCore import QPoint

    return any(close_to(rgb_at(image, at + QPoint(dx, 0)), rgb, tol=16) for dx in (-1, 0, 1))


def test_image_viewport_mapping_follows_zoom(opened):
    view = opened.frame_view
    before = view.image_to_viewport(100, 100)
    view.zoom_in()
    after = view.image_to_viewport(100, 100)
    assert before != after
    u, v = view.viewport_to_image(after)
    assert (u, v) == pytest.approx((100, 100), abs=1.0)
    view.fit()
    assert view.image_to_viewport(100, 100) == before


def test_mask_overlay_is_painted_and_removed(opened, qtbot, gen):
    w = opened
    mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    mask[150:200, 200:300] = True
    w.frame_view.set_mask_overlay("test", mask, QColor(255, 0, 0), 1.0)
    p = w.frame_view.image_to_viewport(250, 175)
    assert close_to(rgb_at(viewport_image(w), p), (255, 0, 0))
    w.frame_view.set_mask_overlay("test", None)
    assert close_to(rgb_at(viewport_image(w), p), (gen.GREY, gen.GREY, gen.GREY), tol=12)


def test_labels_and_trails_toggle(opened, gen):
    w = opened
    w.select_person(1)
    w.set_frame(10)
    # a point on person 1's trail (between annotations 20 and 30), far from every marker at frame 10
    p = w.frame_view.image_to_viewport(140, 85)
    assert not close_to(rgb_at(viewport_image(w), p), (gen.GREY, gen.GREY, gen.GREY), tol=12)
    w.act_trails.setChecked(False)
    assert close_to(rgb_at(viewport_image(w), p), (gen.GREY, gen.GREY, gen.GREY), tol=12)
    assert not w.overlay.show_trails
    w.act_labels.setChecked(False)
    assert not w.overlay.show_labels


def test_clicking_a_marker_selects_its_person(opened, qtbot):
    w = opened
    w.set_frame(20)
    u, v = w.scene.position_px(3, 20)
    with qtbot.waitSignal(w.person_selected, timeout=2000):
        qtbot.mouseClick(w.frame_view.viewport(), Qt.MouseButton.LeftButton, pos=w.frame_view.image_to_viewport(u, v))
    assert w.selected_pid == 3
    assert w.current_frame == 20  # a click selects without jumping
    # its number label, beside the marker, picks it too (a walk clicked the numbers and nothing happened)
    other = next(p for p in w.overlay._label_rects if p != 3)
    box = w.overlay._label_rects[other]
    qtbot.mouseClick(w.frame_view.viewport(), Qt.MouseButton.LeftButton, pos=box.center().toPoint())
    qtbot.waitUntil(lambda: w.selected_pid == other, timeout=2000)


def test_bad_trajectory_file_shows_error(window, scene_dir, tmp_path, errors):
    bad = tmp_path / "bad.txt"
    bad.write_text("0\t1\t2.0\t3.0\n10\t1\tnot-a-number\t3.0\n")
    inputs = ProjectInputs(video=str(scene_dir / "frames"), trajectories=str(bad))
    asked = []  # the question to skip the bad line names it; declined, no second box says it again (a walk)
    window.ask_skip_bad_lines = lambda message: asked.append(message) and False
    assert window.open_inputs(inputs) is False
    assert errors == [] and len(asked) == 1
    assert "bad.txt" in asked[0] and "line 2" in asked[0]
    assert window.scene is None  # nothing half-open, and the window still works
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    assert window.scene is not None


def test_missing_video_shows_error(window, scene_dir, tmp_path, errors):
    inputs = ProjectInputs(video=str(tmp_path / "nope.mp4"), trajectories=str(scene_dir / "trajectories.txt"))
    assert window.open_inputs(inputs) is False
    assert errors and "nope.mp4" in errors[0][1]


def test_no_homography_shows_yellow_banner(window, tmp_path, qtbot, gen):
    folder = gen.write_scene(tmp_path / "noh", n_frames=12, homography=False)
    assert window.open_inputs(scene_folder_inputs(folder))
    assert window.banner.isVisible()
    assert "approximate" in window.banner.text()
    assert window.scene.homography.approximate
    m = window.person_panel.model  # inside by construction: no share said (a walk read 100 %)
    assert m.data(m.index(0, 4)) == "—" and "No homography" in m.data(m.index(0, 4), Qt.ItemDataRole.ToolTipRole)


def test_drop_of_unknown_text_file_shows_error(window, tmp_path, errors):
    junk = tmp_path / "notes.txt"
    junk.write_text("just some words\n")
    assert window.open_paths([junk]) is False
    assert errors and "notes.txt" in errors[0][1]


def test_cursor_shows_pixel_and_world(opened, qtbot, gen):
    w = opened
    p = w.frame_view.image_to_viewport(100, 60)
    qtbot.mouseMove(w.frame_view.viewport(), p)
    qtbot.waitUntil(lambda: "world" in w.status.cursor_label.text(), timeout=2000)
    text = w.status.cursor_label.text()
    assert "px (100, 60)" in text
    assert f"({100 * gen.SCALE:.2f}, {60 * gen.SCALE:.2f})" in text


def test_recent_inputs_are_remembered(opened, settings):
    from app.recent import RecentInputs

    items = RecentInputs(settings).items()
    assert items and items[0] == opened.inputs


def test_add_panel_and_signals(opened, qtbot):
    from PySide6.QtWidgets import QLabel

    w = opened
    dock = w.add_panel("Extra", QLabel("hello"), Qt.DockWidgetArea.LeftDockWidgetArea)
    assert dock.widget().text() == "hello"
    assert w.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    with qtbot.waitSignal(w.frame_changed, timeout=1000) as sig:
        w.set_frame(7)
    assert sig.args == [7]


def test_frame_loader_drops_stale_requests(scene_dir, qtbot):
    from app.frame_loader import FrameLoader
    from humanseg_core.inputs.frames import open_frames

    src = open_frames(scene_dir / "frames")
    loader = FrameLoader()
    loader.set_source(src)
    got = []
    loader.frame_ready.connect(lambda i, f: got.append(i))
    for i in (20, 25, 30):  # none cached: the first decode runs, the later requests replace each other
        loader.request(i)
    qtbot.waitUntil(lambda: 30 in got, timeout=5000)
    loader.wait_idle()
    assert got == [30]
    assert loader.dropped == 1
    src.close()


def test_cli_arguments(scene_dir):
    from app.main import build_parser, inputs_from_args

    args = build_parser().parse_args([str(scene_dir)])
    assert args.demo is False
    inputs = inputs_from_args(args)
    assert inputs.trajectories.endswith("trajectories.txt") and inputs.homography.endswith("H.txt")
    args = build_parser().parse_args(["v.mp4", "--trajectories", "t.txt", "--h-order", "rowcol", "--demo"])
    assert args.demo is True and inputs_from_args(args).h_order == "rowcol"
    assert not inputs_from_args(args).skip_bad_lines
    assert inputs_from_args(build_parser().parse_args([str(scene_dir), "--skip-bad-lines"])).skip_bad_lines
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--h-order", "colrow"])


def test_screenshot_and_quit_from_the_command_line(scene_dir, tmp_path, qapp):
    from app.main import main

    shot = tmp_path / "shot.png"
    try:
        assert main([str(scene_dir), "--select", "2", "--screenshot", str(shot), "--quit-after", "600"]) == 0
    finally:
        qapp.setStyleSheet("")
    image = QImage(str(shot))
    avail = qapp.primaryScreen().availableGeometry()  # the window never opens larger than the screen
    assert image.width() <= avail.width() and image.height() <= avail.height()
    if avail.width() <= 1366:  # a small screen (offscreen: 800x800): maximised, it fills the screen
        assert image.width() >= avail.width() - 8 and image.height() >= avail.height() - 8


def test_a_bad_input_does_not_block_a_scripted_screenshot(scene_dir, tmp_path, qapp, capsys):
    """A walk: `humanseg-studio … -H H_2rows.txt --screenshot … --quit-after …` showed the (clear) message box
    and then never quit nor wrote the screenshot, nothing on stderr: the timers were set after the inputs
    opened, behind the box's own event loop."""
    from app.main import main

    bad = tmp_path / "H_2rows.txt"
    bad.write_text("1 0 0\n0 1 0\n")
    shot = tmp_path / "shot.png"
    try:
        assert main([str(scene_dir / "frames"), "--trajectories", str(scene_dir / "trajectories.txt"), "-H",
                     str(bad), "--screenshot", str(shot), "--quit-after", "600"]) == 0
    finally:
        qapp.setStyleSheet("")
    assert shot.is_file()
    assert f"Cannot open the input: {bad}: expected a 3x3 matrix, found 2 row(s)" in capsys.readouterr().err


def test_demo_opens_with_every_person_drawn(window, qtbot):
    """The demo scene (written once to the user cache): persons listed, markers in their colours."""
    assert window.open_demo()
    qtbot.waitUntil(window.frame_view.has_frame, timeout=10000)
    scene = window.scene
    assert window.person_panel.model.rowCount() == len(scene.trajectories.pids) > 0
    image = viewport_image(window)
    drawn = window.overlay.positions()
    assert drawn
    hits = 0
    for pid, (u, v) in drawn.items():
        if window.frame_view.inside_image(u, v):
            hits += close_to(rgb_at(image, window.frame_view.image_to_viewport(u, v)), person_rgb(pid), tol=40)
    inside = [p for p, (u, v) in drawn.items() if window.frame_view.inside_image(u, v)]
    assert hits >= len(inside) - 2  # markers may overlap one another; most show their own colour


def test_arrow_keys_work_after_clicking_the_table(opened, qtbot):
    w = opened
    click_row(qtbot, w, 1)
    table = w.person_panel.table
    start = w.current_frame
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert w.current_frame == start + 1
    assert w.selected_pid == 1  # the arrow moved the frame, not the table's row


def test_drop_event_opens_a_scene_folder(window, scene_dir, qtbot):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scene_dir))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dropEvent(event)
    assert window.scene is not None and window.scene.trajectories.pids == [1, 2, 3]


def test_a_failed_open_leaves_the_open_inputs_current(window, scene_dir, tmp_path, errors):
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    good = window.inputs
    bad_h = tmp_path / "H_bad.txt"
    bad_h.write_text("1 0 0\n0 1 0\n")
    attempt = ProjectInputs(video=good.video, trajectories=good.trajectories, homography=str(bad_h))
    assert window.open_inputs(attempt) is False
    assert errors and "H_bad.txt" in errors[-1][1]
    assert window.inputs.homography == good.homography  # a new project now uses what is on screen
    assert window.scene is not None


def test_selecting_an_unknown_person_says_so(opened):
    opened.select_person(42)
    assert opened.selected_pid is None
    assert "No person 42" in opened.status.currentMessage() and "1–3" in opened.status.currentMessage()


def test_first_demo_is_written_in_the_background_then_opened(window, qtbot, tmp_path, monkeypatch):
    """With an empty cache the demo is written by a job (the GUI keeps running), then opened.  The demo's
    writer makes 20 frames here, not 200 (~7 s: test_demo.py checks the cached folder's 200)."""
    from humanseg_core.demo import demo_ready
    from humanseg_core.demo import write as demo_write

    writer = demo_write.write_demo_job
    monkeypatch.setattr(demo_write, "write_demo_job", lambda out_dir, **kw: writer(out_dir, **{**kw, "n_frames": 20}))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert not demo_ready(0)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    assert window.open_demo()
    assert window.scene is None  # not yet: the job runs on the pool
    qtbot.waitUntil(lambda: window.scene is not None, timeout=120_000)
    timer.stop()
    assert demo_ready(0) and len(window.scene.trajectories.pids) >= 6 and len(window.scene.frames) == 20
    assert len(ticks) > 3  # the event loop kept turning while the demo was written


def test_the_open_dialog_comes_back_after_a_bad_input(window, scene_dir, tmp_path, monkeypatch):
    """A walk: a trajectory file with one bad line gave a clear message, then the Open dialog was gone; the
    analyst had to find File ▸ Open again to fix the path. It comes back, with what was typed."""
    import dataclasses

    from app import main_window
    from app.open_dialog import scene_folder_inputs

    bad = tmp_path / "bad.txt"
    bad.write_text("0 1 1.0 1.0\n10 1 abc 1.0\n")
    good = scene_folder_inputs(scene_dir)
    answers = [dataclasses.replace(good, trajectories=str(bad)), good, None]
    shown = []

    class FakeDialog:
        def __init__(self, inputs, parent):
            shown.append(inputs)

        def exec(self):
            return answers[0] is not None

        def inputs(self):
            return answers.pop(0)

    monkeypatch.setattr(main_window, "OpenDialog", FakeDialog)
    said = []
    window.ask_skip_bad_lines = lambda message: said.append(message) and False  # declined: no error box follows
    window.show_error = lambda title, message: said.append(message)
    window._open_dialog()
    assert len(said) == 1 and str(bad) in said[0]
    assert len(shown) == 2 and shown[1].trajectories == str(bad)  # back with the path to fix
    assert window.scene is not None and window.inputs.trajectories == good.trajectories


def test_go_to_frame_takes_the_trajectory_files_frames_on_a_clip_read_with_an_offset(window, scene_dir, tmp_path):
    shifted = tmp_path / "shifted.txt"  # the scene's rows numbered 1000 frames later, read back with offset -1000
    rows = [line.split() for line in (scene_dir / "trajectories.txt").read_text().splitlines() if line.strip()]
    shifted.write_text("".join(f"{int(float(r[0])) + 1000} {' '.join(r[1:])}\n" for r in rows))
    inputs = dataclasses.replace(scene_folder_inputs(scene_dir), trajectories=str(shifted), frame_offset=-1000)
    assert window.open_inputs(inputs)
    first = window.frames.indices[0]
    window.timeline.go_to_typed(str(first + 1000 + 3))  # the file's frame: 3 frames into the video
    assert window.current_frame == window.frames.indices[window.timeline.position_of(first + 3)]
    assert "video frame" in window.statusBar().currentMessage()
