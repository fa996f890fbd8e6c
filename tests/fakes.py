"""Test fakes used by several test files: scenes, frame sources, masks, demo track points, a project on a
folder of JPEG frames, an in-process CLI run and the main window's public API.  Import them with
``from fakes import ...`` (pytest puts the tests folder on ``sys.path`` for tests/conftest.py).  Nothing
here imports Qt, torch or the app at import time."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def rect_mask(shape: tuple[int, int], x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """A bool mask of ``shape`` (H, W), True on the rectangle [y0:y1, x0:x1]."""
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


class FlatFrames:
    """``n`` flat frames of ``height`` x ``width`` whose grey level encodes the index: ``base + step * i``."""

    def __init__(self, n: int, height: int, width: int, fps: float = 10.0, base: int = 0, step: int = 10):
        self.indices = list(range(n))
        self.width, self.height, self.fps = width, height, fps
        self.base, self.step = base, step

    def read(self, index: int) -> np.ndarray:
        return np.full((self.height, self.width, 3), self.base + self.step * index, np.uint8)


class FloorFrames:
    """``n`` frames of ``height`` x ``width`` over one textured grey floor (seeded); ``frame`` is the index read
    last (stand-in parents look there). Subclasses draw their persons in ``read``."""

    def __init__(self, n: int, height: int, width: int, seed: int, path: str = "floor"):
        self.width, self.height, self.path = width, height, path
        self.indices = list(range(n))
        self.frame = 0
        self.bg = np.random.default_rng(seed).integers(120, 160, (height, width, 3)).astype(np.uint8)


class BoxScene:
    """Uniform grey frames of ``shape`` (H, W) and persons' boxes {(pid, frame): (x0, y0, x1, y1)}; each
    track point on its box's top centre (``feet=False``) or bottom centre (``feet=True``)."""

    def __init__(self, boxes: Mapping[tuple[int, int], Sequence[int]], shape: tuple[int, int] = (120, 160),
                 grey: int = 100, feet: bool = False):
        self.boxes = boxes
        self.frames = FlatFrames(1, shape[0], shape[1], base=grey, step=0)
        self.feet = feet

    def position_px(self, pid: int, frame: int) -> tuple[float, float] | None:
        box = self.boxes.get((pid, frame))
        return None if box is None else ((box[0] + box[2]) / 2, box[3] if self.feet else box[1])


class _Frames:
    """What a dialog asks of a scene's frames: their size, and whether a frame is the video's."""

    def __init__(self, width: int, height: int, indices: Sequence[int]) -> None:
        self.width, self.height, self.indices = width, height, sorted(indices)

    def __contains__(self, frame: object) -> bool:
        return frame in self.indices


class OneFrameScene:
    """The least a dialog needs of a scene: persons ``pids``, each annotated on ``frames`` (frame 10 only by
    default)."""

    def __init__(self, pids: Sequence[int] = (1,), outside: Sequence[int] = (), frames: Sequence[int] = (10,),
                 video: Sequence[int] | None = None) -> None:
        self.pids = list(pids)
        self.outside = set(outside)  # persons annotated only beyond the video's frames
        self.frames_annotated = list(frames)
        if video is not None:  # the video's frames, fewer than those annotated (a clip of a longer file)
            self.frames = _Frames(360, 288, video)

    def pixel_track(self, pid: int) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.frames_annotated), np.zeros((len(self.frames_annotated), 2))

    def pids_in_video(self) -> list[int]:
        return [p for p in self.pids if p not in self.outside]


class TrackScene:
    """A scene's track API over ``tracks`` {pid: frame -> (u, v)} annotated on ``annotated`` {pid: [frames]}:
    a person has a position from its first to its last annotated frame.  Subclasses set ``frames``."""

    frames: Any

    def __init__(self, tracks: Mapping[int, Callable[[int], tuple[float, float]]],
                 annotated: Mapping[int, Sequence[int]]):
        self.tracks, self.annotated = tracks, annotated

    @property
    def pids(self) -> list[int]:
        return sorted(self.tracks)

    def pixel_track(self, pid: int) -> tuple[np.ndarray, np.ndarray]:
        f = np.array(self.annotated[pid])
        return f, np.array([self.tracks[pid](i) for i in f], float).reshape(-1, 2)

    def position_px(self, pid: int, frame: int) -> tuple[float, float] | None:
        fr = self.annotated.get(pid)
        if fr is None:
            return None
        return self.tracks[pid](frame) if fr[0] <= frame <= fr[-1] else None

    def span(self, pid: int) -> tuple[int, int]:
        fr = self.annotated[pid]
        return int(fr[0]), int(fr[-1])

    def span_in_video(self, pid: int) -> tuple[int, int]:
        return self.span(pid)

    def persons_at(self, frame: int) -> dict[int, tuple[float, float]]:
        out = {}
        for p in self.tracks:
            uv = self.position_px(p, frame)
            if uv is not None:
                out[p] = uv
        return out


def demo_point(d: Any, pid: int, frame: int) -> tuple[float, float]:
    """Person ``pid``'s track point (u, v) in pixels on ``frame`` of a ``humanseg_core.demo`` scene."""
    from humanseg_core.demo import project

    return tuple(project(d.H, d.world(pid, frame)[None])[0])


def most_seen_person(d: Any) -> int:
    """The person of a demo scene with the most ground-truth masks."""
    return max(d.pids, key=lambda p: len(d.gt[p]))


def demo_points(d: Any, n_frames: int) -> dict[int, dict[int, tuple[float, float]]]:
    """{pid: {frame: (u, v)}} of every person of a demo scene on frames 0 .. n_frames - 1."""
    return {pid: {f: demo_point(d, pid, f) for f in range(n_frames)} for pid in d.pids}


def demo_with_points(seed: int, n_frames: int, n_walkers: int) -> tuple[Any, dict[int, dict[int, tuple[float, float]]]]:
    """A ``humanseg_core.demo`` scene and its :func:`demo_points`."""
    from humanseg_core.demo import make_demo

    d = make_demo(seed=seed, n_frames=n_frames, n_walkers=n_walkers)
    return d, demo_points(d, n_frames)


def tiny_parent_file(folder: Path, config: dict[str, Any], seed: int = 1) -> tuple[Path, Any]:
    """A small parent network of ``config`` (random decoder, ImageNet-free encoder, ``torch.manual_seed(seed)``)
    saved in the shipped format as ``folder / "parent-tiny.pt"``; returns (path, net)."""
    import torch

    from humanseg_core.prior.parent_file import save_parent_file
    from humanseg_core.prior.parent_net import build_parent_net

    torch.manual_seed(seed)
    net = build_parent_net(config, imagenet=False)
    path = folder / "parent-tiny.pt"
    save_parent_file(path, net, dict(config))
    return path, net


def crop_geometry() -> Any:
    """The crop geometry of a guided test model (a 75 px person, the point 30 px above the box centre)."""
    from humanseg_core.osvos.guidance import CropGeometry

    return CropGeometry(dx=0.0, dy=30.0, box_w=30.0, box_h=75.0, v_ref=300.0)


def guided_segmenter(net: Any, model: str, in_channels: int, norm: str, **meta: Any) -> Any:
    """A Segmenter of ``net`` (untrained weights stand in for a trained model) with :func:`crop_geometry`,
    threshold 0.5 and ``meta`` added to its checkpoint meta."""
    from humanseg_core.osvos.segment import Segmenter

    return Segmenter(net.state_dict(), {"model": model, "guidance": True, "in_channels": in_channels, "norm": norm,
                                        "geometry": crop_geometry().to_dict(), "threshold": 0.5, **meta})


def frames_and_trajectories(folder: Path, n_frames: int, rows: str,
                            shape: tuple[int, int] = (60, 100)) -> tuple[Path, Path]:
    """``folder/frames`` (``n_frames`` flat grey PNGs ``%05d.png`` of ``shape``) and ``folder/t.txt`` holding
    ``rows``: a scene to open, e.g. with bad trajectory rows."""
    import cv2

    frames = folder / "frames"
    frames.mkdir()
    for i in range(n_frames):
        cv2.imwrite(str(frames / f"{i:05d}.png"), np.full((*shape, 3), 90, np.uint8))
    traj = folder / "t.txt"
    traj.write_text(rows)
    return frames, traj


def scene_warnings(video: Path, trajectories: Path, word: str) -> list[str]:
    """The warnings holding ``word`` of the scene ``load_scene(video, trajectories)`` (closed after)."""
    from humanseg_core.inputs.scene import load_scene

    scene = load_scene(video, trajectories)
    try:
        return [w for w in scene.warnings if word in w]
    finally:
        scene.close()


def jpeg_project(tmp_path: Path, frames: Sequence[int], shape: tuple[int, int],
                 level: Callable[[int], int]) -> Any:
    """A new project in ``tmp_path / "proj"`` whose video is ``tmp_path / "video"``, a folder of flat JPEG
    frames ``%05d.jpg`` of ``shape`` (H, W) and grey level ``level(frame)``; trajectories: a path only."""
    import cv2

    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    video = tmp_path / "video"
    video.mkdir()
    for f in frames:
        cv2.imwrite(str(video / f"{f:05d}.jpg"), np.full((*shape, 3), level(f), np.uint8))
    return Project.create(tmp_path / "proj", ProjectInputs(video=str(video), trajectories=str(tmp_path / "t.txt")))


def run_cli(capsys: Any, *argv: Any) -> tuple[int, Any, str]:
    """Run the ``humanseg`` CLI in-process; (exit code, the last stdout line as JSON or None, stderr)."""
    from humanseg_core.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else None), err


def start_scene_job(qtbot: Any, project: Any, monkeypatch: Any, job: Callable[..., Any]) -> tuple[Any, list[Any]]:
    """A Whole scene panel (app.scene_panel.ScenePanel) on ``project``, started with ``job`` standing in for
    ``scene_run_job`` (GUI tests only); returns (panel, done): ``done`` collects what the panel's ``on_done``
    gets."""
    from app.scene_panel import ScenePanel
    from humanseg_core.workflows import scene_run

    monkeypatch.setattr(scene_run, "scene_run_job", job)
    done: list[Any] = []
    panel = ScenePanel(on_done=done.append)
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.start()
    return panel, done


def wait_cancelled(qtbot: Any, panel: Any) -> None:
    """Until the Whole scene ``panel`` says Cancelled and its run has ended (``_done`` ran: Run is enabled
    again), so that no report of the run reaches the panel after the test's project is closed."""
    qtbot.waitUntil(lambda: panel.status.text().startswith("Cancelled") and panel.run_button.isEnabled(),
                    timeout=5000)


def main_window_api(scene: Any, frames: Any = None) -> Any:
    """A QMainWindow with the public API of app.main_window.MainWindow that the panels' install functions use:
    ``scene``, ``frames``, ``selected_pid``, ``current_frame``, ``frame_view``, ``add_panel``, ``set_frame``
    and the ``scene_changed`` / ``frame_changed`` / ``person_selected`` signals (GUI tests only)."""
    return _main_window_class()(scene, frames)


@functools.cache
def _main_window_class() -> type:
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

    from app.frame_view import FrameView

    class MainWindowApi(QMainWindow):
        scene_changed = Signal(object)
        frame_changed = Signal(int)
        person_selected = Signal(int)

        def __init__(self, scene: Any, frames: Any) -> None:
            super().__init__()
            self.frame_view = FrameView()
            self.setCentralWidget(self.frame_view)
            self.scene, self.frames, self.selected_pid, self.current_frame = scene, frames, None, None

        def add_panel(self, title: str, widget: QWidget, area: Any) -> QDockWidget:
            dock = QDockWidget(title, self)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            return dock

        def set_frame(self, frame: int) -> None:
            self.current_frame = frame
            self.frame_changed.emit(frame)

    return MainWindowApi


def run_collecting(gen: Any, warned: set) -> Any:
    """The job ``gen`` run to its end (its return value), the kinds of its warnings added to ``warned``."""
    from humanseg_core.jobs import run_job

    def job():
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                return stop.value
            warned.update(w.kind for w in p.warnings)
            yield p

    return run_job(job())


def parent_file(out: Path, head_bias: float | None = None, miou: float | None = None) -> Path:
    """A parent network file at ``out``: the shipped weights with the head's bias at ``head_bias`` (None: moved by
    a hair, another network of the same quality) and, with ``miou``, that held-out mean IoU in its record."""
    import torch

    from humanseg_core.prior.parent_file import load_parent_state, save_parent_file
    from humanseg_core.prior.paths import DEFAULT_PARENT

    net, meta = load_parent_state(DEFAULT_PARENT)
    with torch.no_grad():
        if head_bias is None:
            net.head.bias.add_(1e-3)
        else:
            net.head.bias.fill_(head_bias)
    if miou is not None:
        meta = {**meta, "val_composites": {"all": {"miou": miou, "median": miou, "n": 8}}}
    save_parent_file(Path(out), net, meta)
    return Path(out)
