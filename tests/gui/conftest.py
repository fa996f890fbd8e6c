"""Fixtures for the studio's GUI tests (pytest-qt, offscreen): a small generated scene and a window."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest

WIDTH, HEIGHT, N_FRAMES = 320, 240, 40
SCALE = 0.05  # metres per pixel of the generated homography (pixel -> world)
GREY = 90  # the frames' colour: nothing like a person colour
# pid -> [(annotation frame, u, v)] in pixels; written in world metres
TRACKS = {
    1: [(0, 40, 60), (10, 80, 70), (20, 120, 80), (30, 160, 90)],
    2: [(10, 280, 200), (20, 240, 190), (30, 200, 180)],
    3: [(0, 60, 200), (10, 60, 170), (20, 60, 140)],
}


def write_scene(folder: Path, n_frames: int = N_FRAMES, homography: bool = True) -> Path:
    """A scene folder: frames/%05d.jpg (flat grey), trajectories.txt (4 columns), H.txt (pixel -> world)."""
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    frame = np.full((HEIGHT, WIDTH, 3), GREY, np.uint8)
    for i in range(n_frames):
        cv2.imwrite(str(folder / "frames" / f"{i:05d}.jpg"), frame)
    rows = [f"{f}\t{pid}\t{u * SCALE:.4f}\t{v * SCALE:.4f}" for pid, pts in TRACKS.items() for f, u, v in pts]
    (folder / "trajectories.txt").write_text("\n".join(sorted(rows, key=lambda r: int(r.split()[0]))) + "\n")
    if homography:
        (folder / "H.txt").write_text(f"# pixel (u, v) -> world\n{SCALE} 0 0\n0 {SCALE} 0\n0 0 1\n")
    return folder


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread():
    """As in the studio (app/gc_guard.py): no cyclic collection may start in a worker thread during a GUI
    test, where it could destroy Qt objects off the GUI thread; automatic collection resumes after it."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect(0)  # the young garbage now, on this thread (a full collection per test costs ~0.2 s)
    if was_enabled:
        gc.enable()


STUCK_MODAL_S = 20  # a modal box open this long in a test is one nobody answers: closed, and the test fails


@pytest.fixture(autouse=True)
def _no_modal_box_waits_forever(qapp):
    """An unexpected modal box (an error a test did not replace) waited forever offscreen and hung the suite
    (twice, 3 Dec). A timer running in the box's own event loop closes one left open ``STUCK_MODAL_S`` seconds
    and the test fails naming its text; boxes a test answers itself (a ``singleShot``) are gone long before."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    stuck: list[str] = []
    seen: dict = {"box": None, "ticks": 0}

    def check() -> None:
        box = QApplication.activeModalWidget()
        if box is None or box is not seen["box"]:
            seen.update(box=box, ticks=0)
            return
        seen["ticks"] += 1
        if seen["ticks"] >= STUCK_MODAL_S:
            text = getattr(box, "text", lambda: "")() or box.windowTitle()
            stuck.append(f"{type(box).__name__}: {text}")
            box.reject()

    timer = QTimer()
    timer.setInterval(1000)
    timer.timeout.connect(check)
    timer.start()
    yield
    timer.stop()
    assert not stuck, f"a modal box waited for an answer nobody gave: {stuck}"


@pytest.fixture(autouse=True)
def _bad_lines_not_skipped(monkeypatch):
    """The question whether to skip a trajectory file's bad rows is a modal box that would wait forever
    offscreen: declined (the error box, as before the question), unless a test answers it itself."""
    from app.main_window import MainWindow

    asked = MainWindow.ask_skip_bad_lines
    monkeypatch.setattr(MainWindow, "ask_skip_bad_lines", lambda self, message: False)
    return asked


@pytest.fixture(scope="session")
def scene_dir(tmp_path_factory) -> Path:
    return write_scene(tmp_path_factory.mktemp("scene"))


@pytest.fixture
def scene_project(scene_dir, tmp_path):
    """A new project in ``tmp_path / "proj"`` on the generated scene (frames, trajectories, homography),
    closed after the test."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    p = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                        trajectories=str(scene_dir / "trajectories.txt"),
                                                        homography=str(scene_dir / "H.txt")))
    yield p
    p.close()


@pytest.fixture
def decodes(monkeypatch):
    """Counter: 'main' / 'worker' decodes of RLE mask blobs (``rle.from_blob``, the one mask decoder)."""
    import threading
    from collections import Counter

    from humanseg_core import rle

    seen: Counter = Counter()
    original = rle.from_blob

    def counting(blob, *args, **kwargs):
        seen["main" if threading.current_thread() is threading.main_thread() else "worker"] += 1
        return original(blob, *args, **kwargs)

    monkeypatch.setattr(rle, "from_blob", counting)
    return seen


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from app.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.close()


@pytest.fixture
def zoomed_play(window, scene_dir, qtbot):
    """The studio (every panel) at 1280x720 on the generated scene, person 1 selected on frame 10, the Play
    dock in front with Zoom on person ticked; returns (Play's dock, its panel)."""
    from PySide6.QtWidgets import QDockWidget

    from app.open_dialog import scene_folder_inputs
    from app.panels import install_panels

    install_panels(window)
    window.resize(1280, 720)
    assert window.open_inputs(scene_folder_inputs(scene_dir))
    window.select_person(1)
    window.set_frame(10)
    dock = window.findChild(QDockWidget, "dock_Playback")
    dock.show()
    dock.raise_()
    panel = window.segmentation.playback
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    panel.zoom.setChecked(True)
    return dock, panel


@pytest.fixture
def opened(window, scene_dir, qtbot):
    """The window with the generated scene open and its first frame shown."""
    from app.open_dialog import scene_folder_inputs

    assert window.open_inputs(scene_folder_inputs(scene_dir))
    qtbot.waitUntil(window.frame_view.has_frame, timeout=5000)
    return window


@pytest.fixture(scope="session")
def gen():
    """The generated scene's constants and writer (tests import nothing from conftest)."""
    import types

    return types.SimpleNamespace(
        GREY=GREY, WIDTH=WIDTH, HEIGHT=HEIGHT, N_FRAMES=N_FRAMES, SCALE=SCALE, TRACKS=TRACKS, write_scene=write_scene
    )


@pytest.fixture
def panels_studio(window):
    """The studio window with every panel installed (``app.panels.install_panels``)."""
    from app.panels import install_panels

    install_panels(window)
    return window


@pytest.fixture
def project(tmp_path):
    """Two persons' proposals on frames 10-40 (``test_review.review_project``), for the Review tests; a module with
    a ``project`` of its own uses that."""
    from test_review import review_project

    yield from review_project(tmp_path)


@pytest.fixture
def panel(qtbot, project):
    """The review panel on ``project``, person 1 shown (``test_review.review_panel``)."""
    from test_review import review_panel

    return review_panel(qtbot, project)
