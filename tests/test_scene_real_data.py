"""The data layer on real ETH/UCY annotations and on the composite zara01 scene (../shared/data)."""

import cv2
import numpy as np
import pytest

from humanseg_core.errors import FrameError, TrajectoryError
from humanseg_core.inputs.homography import load_homography
from humanseg_core.inputs.scene import APPROXIMATE_WARNING, load_scene
from humanseg_core.inputs.trajectories import load_trajectories


def inside(uv, w, h):
    return (uv[:, 0] >= 0) & (uv[:, 0] < w) & (uv[:, 1] >= 0) & (uv[:, 1] < h)


def test_zara01_points_fall_inside_the_image(shared_data):
    d = shared_data / "eth_ucy" / "zara01"
    traj = load_trajectories(d / "crowds_zara01.txt")
    H = load_homography(d / "H_uv.txt")
    uv = H.world_to_pixel(traj.all_world())
    assert len(uv) > 5000
    assert inside(uv, 720, 576).mean() >= 0.99


def test_eth_rowcol_and_uv_matrices_give_the_same_pixels(shared_data):
    d = shared_data / "eth_ucy" / "eth"
    world = load_trajectories(d / "biwi_eth.txt").all_world()
    uv = load_homography(d / "H_uv.txt").world_to_pixel(world)
    rc = load_homography(d / "H_rowcol.txt", order="rowcol").world_to_pixel(world)
    np.testing.assert_allclose(rc, uv, atol=1e-6)
    assert inside(uv, 640, 480).mean() > 0.95
    wrong = load_homography(d / "H_rowcol.txt").world_to_pixel(world)  # rowcol matrix read as uv
    assert np.nanmax(np.abs(wrong - uv)) > 50


def common_pixels(a_traj, a_H, b_traj, b_H):
    """Pixels of the (frame, pid) pairs both files annotate, as two (N, 2) arrays."""
    a_uv, b_uv = [], []
    for pid in set(a_traj.pids) & set(b_traj.pids):
        ta, tb = a_traj.tracks[pid], b_traj.tracks[pid]
        common, ia, ib = np.intersect1d(ta.frames, tb.frames, return_indices=True)
        a_uv.append(a_H.world_to_pixel(ta.world[ia]))
        b_uv.append(b_H.world_to_pixel(tb.world[ib]))
    return np.concatenate(a_uv), np.concatenate(b_uv)


def test_eth_obsmat_and_four_column_file_agree(shared_data):
    d = shared_data / "eth_ucy" / "eth"
    obs = load_trajectories(d / "obsmat.txt")
    four = load_trajectories(d / "biwi_eth.txt")
    assert obs.format == "obsmat" and four.format == "trajnet"
    H = load_homography(d / "H_uv.txt")
    a, b = common_pixels(obs, H, four, H)
    assert len(a) > 200  # frames every 6 vs every 10: only the multiples of 30 are common
    assert np.abs(a - b).max() < 0.5  # the 4-column file rounds to centimetres
    # and the same world frame: positions agree to the rounding
    identity = load_homography_from(np.eye(3))
    a_w, b_w = common_pixels(obs, identity, four, identity)
    assert np.abs(a_w - b_w).max() <= 0.0051


def load_homography_from(matrix):
    from humanseg_core.inputs.homography import Homography

    return Homography(matrix)


def test_zara01_obsmat_agrees_in_pixels_one_frame_later(shared_data):
    # zara01 obsmat has its own world frame (H_uv_obsmat.txt) and counts frames from 1.
    d = shared_data / "eth_ucy" / "zara01"
    obs = load_trajectories(d / "obsmat.txt", frame_offset=-1)
    four = load_trajectories(d / "crowds_zara01.txt")
    a, b = common_pixels(obs, load_homography(d / "H_uv_obsmat.txt"), four, load_homography(d / "H_uv.txt"))
    assert len(a) > 4500
    assert np.abs(a - b).max() < 0.05
    assert np.abs(obs.all_world().mean(0) - four.all_world().mean(0)).max() > 1  # the world frames differ


def test_composite_scene_loads_and_points_lie_on_the_person(shared_data):
    d = shared_data / "scenes" / "zara01"
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    assert scene.warnings == []
    assert scene.frames.indices == list(range(3700, 3950))
    assert (scene.width, scene.height) == (720, 576) and scene.frames.fps == 25
    assert scene.frames.read(3800).shape == (576, 720, 3)
    assert scene.pids == list(range(54, 65))
    assert scene.annotated_frames()[0] == 3700 and all(f % 10 == 0 for f in scene.annotated_frames())

    checked, near = 0, 0
    for pid in scene.pids:
        frames, uv = scene.pixel_track(pid)
        assert scene.inside_share(pid) > 0.5
        for f, (u, v) in zip(frames[::3], uv[::3]):
            mask_path = d / "gt" / str(pid) / f"{f:05d}.png"
            if not mask_path.exists():
                continue
            mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE) > 0
            ys, xs = np.nonzero(mask)
            dist = np.hypot(xs - u, ys - v).min()
            checked += 1
            near += dist <= 4.0
    assert checked > 50
    assert near / checked > 0.95  # the head point is on (or within a few pixels of) the visible silhouette
    scene.close()


def test_composite_scene_interpolated_positions(shared_data):
    d = shared_data / "scenes" / "zara01"
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    frames, uv = scene.pixel_track(57)
    mid = scene.position_px(57, int(frames[0]) + 5)
    np.testing.assert_allclose(mid, (uv[0] + uv[1]) / 2, atol=1e-6)  # linear world -> affine H here
    # 57 is in view when the file stops (3940, the video runs to 3949): its span goes one annotation step
    # on, extrapolated, and the point stays on its silhouette; a track that ends earlier ends there
    assert int(frames[-1]) == 3940 and scene.span(57) == (int(frames[0]), 3949)
    assert scene.position_px(57, 3950) is None
    for f in (3941, 3945, 3949):
        u, v = scene.position_px(57, f)
        ys, xs = np.nonzero(cv2.imread(str(d / "gt" / "57" / f"{f:05d}.png"), cv2.IMREAD_GRAYSCALE))
        assert np.hypot(xs - u, ys - v).min() <= 4.0
    ended = [p for p in scene.pids if scene.trajectories.tracks[p].last < 3940]
    assert ended and all(scene.span(p)[1] == scene.trajectories.tracks[p].last for p in ended)
    assert all(scene.position_px(p, scene.span(p)[1] + 1) is None for p in ended)
    at = scene.persons_at(3705)
    assert 57 in at and all(p in scene.pids for p in at)
    assert at[57] == pytest.approx(mid)
    # interpolated points between annotations also lie on the ground-truth silhouettes
    checked, near = 0, 0
    for f in range(3703, 3950, 7):
        for pid, (u, v) in scene.persons_at(f).items():
            mask_path = d / "gt" / str(pid) / f"{f:05d}.png"
            if mask_path.exists():
                ys, xs = np.nonzero(cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE))
                checked += 1
                near += np.hypot(xs - u, ys - v).min() <= 4.0
    assert checked > 100 and near / checked > 0.95
    scene.close()


def test_scene_without_homography_is_approximate(shared_data):
    d = shared_data / "scenes" / "zara01"
    scene = load_scene(d / "frames", d / "trajectories.txt")
    assert scene.homography.approximate
    assert APPROXIMATE_WARNING in scene.warnings
    for pid in scene.pids:
        assert scene.inside_share(pid) == 1.0
    scene.close()


def test_scene_warns_about_frames_outside_the_video(shared_data):
    d = shared_data / "scenes" / "zara01"
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt", frame_offset=1000)
    said = [w for w in scene.warnings if "in the video" in w and "annotated frames" in w]
    assert said and "--frame-offset" in said[0]
    scene.close()
    # the offset it names puts the annotations on the video (a walk's mp4 numbered 0.. against 9200..)
    import re

    offset = int(re.search(r"--frame-offset (-?\d+)", said[0]).group(1))
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt", frame_offset=offset)
    assert not [w for w in scene.warnings if "in the video" in w and "annotated frames" in w]
    assert scene.annotated_frames()[0] == scene.frames.indices[0]
    scene.close()


def test_scene_warns_when_the_points_miss_the_image(shared_data, tmp_path):
    d = shared_data / "eth_ucy" / "zara01"
    H = np.diag([0.01, 0.01, 1.0]) @ np.loadtxt(d / "H_uv.txt")  # a matrix to centimetres, used with metres
    np.savetxt(tmp_path / "H_cm.txt", H)
    scene = load_scene(shared_data / "scenes" / "zara01" / "frames", d / "crowds_zara01.txt", tmp_path / "H_cm.txt")
    assert any("inside" in w and "homography" in w for w in scene.warnings)
    scene.close()


def test_scene_errors_name_the_file(shared_data, tmp_path):
    d = shared_data / "scenes" / "zara01"
    with pytest.raises(FrameError) as err:
        load_scene(tmp_path / "video.mp4", d / "trajectories.txt", d / "H.txt")
    assert "video.mp4" in str(err.value)
    bad = tmp_path / "t.txt"
    bad.write_text("1 2 3\n")
    with pytest.raises(TrajectoryError) as err:
        load_scene(d / "frames", bad)
    assert "t.txt, line 1" in str(err.value)
