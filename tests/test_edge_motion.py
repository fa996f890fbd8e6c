"""A person annotated once where the trajectory file stops moves on in the frames its span reaches past that
annotation, at the velocity measured in the video (inputs.edge_motion), instead of standing still."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from humanseg_core.inputs.edge_motion import edge_velocity, image_velocity, measure_edge_motion, walking_speed
from humanseg_core.inputs.scene import load_scene

W, H, N = 160, 120, 30
SPEED = 2.0  # pixels per frame of the person annotated once (x)


def _box(f: int) -> tuple[int, int, int, int]:
    x0 = int(round(40 + SPEED * f))
    return x0, 50, x0 + 12, 80


def _write(tmp_path, walker_speed: float = 1.5):
    """30 frames of a textured background with a textured person moving SPEED px/frame to the right. The
    trajectory file (an identity homography: world = pixels) has a walker annotated on frames 0, 10, 20
    and the moving person once, on frame 20, the file's last annotated frame: its span reaches frame 29."""
    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 255, (H, W, 3), dtype=np.uint8), (5, 5), 0)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (30, 12, 3), dtype=np.uint8), (3, 3), 0)
    video = tmp_path / "video"
    video.mkdir()
    for f in range(N):
        img = background.copy()
        x0, y0, x1, y1 = _box(f)
        img[y0:y1, x0:x1] = texture
        cv2.imwrite(str(video / f"{f:05d}.png"), img)
    x0, _, x1, y1 = _box(20)
    rows = [f"{f}\t1\t{20 + walker_speed * f:.3f}\t100.0" for f in (0, 10, 20)]
    rows.append(f"20\t2\t{(x0 + x1) / 2:.3f}\t{float(y1):.3f}")
    (tmp_path / "t.txt").write_text("\n".join(rows) + "\n")
    np.savetxt(tmp_path / "H.txt", np.eye(3))
    return load_scene(video, tmp_path / "t.txt", tmp_path / "H.txt")


def _mask(f: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    x0, y0, x1, y1 = _box(f)
    m[y0:y1, x0:x1] = True
    return m


def test_the_person_annotated_once_walks_on_at_the_measured_velocity(tmp_path):
    scene = _write(tmp_path)
    try:
        assert scene.span(2) == (20, 29)
        still = scene.position_px(2, 29)
        du, dv = image_velocity(scene.frames.read, 20, _mask(20), 1, 9)
        assert (du, dv) == pytest.approx((SPEED, 0.0), abs=0.25)
        assert walking_speed(scene) == pytest.approx(1.5)
        got = measure_edge_motion(scene, {2: {20: _mask(20)}, 1: {0: _mask(0)}})
        assert set(got) == {2}  # the walker has a track's velocity of its own
        u, v = scene.position_px(2, 29)
        assert u == pytest.approx(still[0] + 9 * SPEED, abs=2.0) and v == pytest.approx(still[1], abs=1.0)
        assert scene.edge_velocities() == {2: got[2]}
        assert scene.beyond_annotations(2) == [(21, 29)] and scene.beyond_annotations(1) == [(21, 29)]
        assert scene.guessed_frames(2) == [(21, 29)] and scene.guessed_frames(1) == []  # 1: its track's velocity
        assert scene.position_px(2, 20) == pytest.approx(still)  # the annotated frame stays where it was
        scene.set_edge_velocity(2, None)
        assert scene.position_px(2, 29) == pytest.approx(still)
    finally:
        scene.close()


def test_a_speed_beyond_belief_is_capped_and_a_tiny_mask_says_nothing(tmp_path):
    scene = _write(tmp_path, walker_speed=0.2)  # the scene walks at 0.2 px/frame: 2 px/frame is 10x
    try:
        v = edge_velocity(scene, 2, _mask(20), cap=0.6)
        assert np.linalg.norm(v) == pytest.approx(0.6) and v[0] > 0
        tiny = np.zeros((H, W), bool)
        tiny[60:62, 50:52] = True
        assert edge_velocity(scene, 2, tiny) is None
        assert edge_velocity(scene, 1, _mask(20)) is None  # annotated three times: its own velocity
        assert measure_edge_motion(scene, {2: {19: _mask(19)}}) == {}  # no label on its annotated frame
    finally:
        scene.close()


def test_segmenting_a_person_annotated_once_measures_its_motion_from_its_accepted_mask(tmp_path):
    """The studio's and the CLI's per-person segmentation (workflows.person) moves the person annotated once
    along before it picks the frames and crops: from its accepted mask on the annotated frame."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal
    from humanseg_core.workflows.person import _edge_motion

    scene = _write(tmp_path)
    try:
        project = Project.create(tmp_path / "proj", ProjectInputs(video=str(tmp_path / "video"),
                                                                  trajectories=str(tmp_path / "t.txt"),
                                                                  homography=str(tmp_path / "H.txt")))
        still = scene.position_px(2, 29)
        _edge_motion(project, scene, 2)  # nothing accepted yet: it stands still
        assert scene.position_px(2, 29) == pytest.approx(still)
        project.add_proposals([Proposal(frame=20, pid=2, box=_box(20), mask=_mask(20), source="bgs",
                                        status="accepted")])
        _edge_motion(project, scene, 2)
        assert scene.position_px(2, 29)[0] == pytest.approx(still[0] + 9 * SPEED, abs=2.0)
        project.close()
    finally:
        scene.close()


def test_a_whole_scene_run_names_the_frames_that_follow_a_guessed_motion(tmp_path, capsys):
    """A walk's person 163, annotated once on the file's last frame, drifted onto a neighbour on the frames
    after it, and nothing said so (its agreement with its one label read 0.94): the run's JSON and its closing
    lines name those frames."""
    from humanseg_core.cli.run import say_done
    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    _write(tmp_path).close()
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(tmp_path / "video"),
                                                              trajectories=str(tmp_path / "t.txt"),
                                                              homography=str(tmp_path / "H.txt")))
    project.add_proposals([Proposal(frame=20, pid=2, box=_box(20), mask=_mask(20), source="bgs", status="accepted"),
                           Proposal(frame=20, pid=1, box=(60, 70, 72, 100), mask=_mask(0), source="bgs",
                                    status="accepted")])
    config = SceneRunConfig(pids=(1, 2), accept="reviewed", steps_per_person=1, seconds_per_person=None,
                            device="cpu", refine="none", refine_labels=False, propose=False, model="osvos-lite")
    try:
        result = run_job(scene_run_job(project, config))
    finally:
        project.close()
    assert result.guessed == {2: [(21, 29)]}  # the walker's frames past its track follow its own velocity
    assert result.to_json()["guessed_frames"] == {"2": [[21, 29]]}
    say_done(result, None)
    assert "(check those frames): 2 (21-29)" in capsys.readouterr().err
    pytest.importorskip("PySide6")
    from app.scene_summary import summary  # the studio's Whole scene says it too

    assert "(check those frames): 2 (21-29)" in summary(result)


def test_the_steps_after_a_drift_do_not_outvote_the_first_ones():
    """davis_park's person 163 (a walk): the mask moved along read 2.9, 3.3 and 2.6 px/frame, then slid onto a
    neighbour walking the other way; the median of all nine steps said 0.7 px/frame (true 3.5) and its mask sat
    on the neighbour. Steps that agree keep their median."""
    from humanseg_core.inputs.edge_motion import steps_velocity

    drift = np.array([[2.96, -0.04], [3.34, 0.0], [2.61, 0.1], [0.72, 0.0], [1.39, 0.0], [-0.89, 0.0],
                      [-0.57, 0.0], [-1.10, 0.0], [-1.99, 0.0]])
    assert steps_velocity(drift)[0] == pytest.approx(2.61) and np.median(drift, axis=0)[0] == pytest.approx(0.72)
    even = np.array([[1.26, 1.3], [2.36, 1.2], [2.28, 1.3], [2.13, 1.4], [1.82, 1.2], [2.26, 1.3], [2.13, 1.2],
                     [0.92, 1.3], [1.29, 1.2]])  # eth_big's person 209: noisy, no drift
    assert np.allclose(steps_velocity(even), np.median(even, axis=0))
    assert np.allclose(steps_velocity(drift[:3]), np.median(drift[:3], axis=0))  # too few steps to halve
    starts = np.array([[0.0, 0.0]] * 4 + [[1.6, 0.0]] * 5)  # stands, then walks: not a drift
    assert np.allclose(steps_velocity(starts), np.median(starts, axis=0))
