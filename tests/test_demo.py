"""The synthetic demo scene: deterministic, several walkers, real occlusions, exact anchors, written layout."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import cv2
import numpy as np
import pytest

from humanseg_core.demo import demo_dir, make_demo, write_demo
from humanseg_core.errors import InputError


@pytest.fixture(scope="module")
def scene():
    return make_demo(seed=0)


def world_to_pixel(H, x, y):
    """Independent of the demo code: inv(H) @ [x, y, 1], then the projective division."""
    p = np.linalg.inv(H) @ np.array([x, y, 1.0])
    return p[0] / p[2], p[1] / p[2]


def test_same_seed_same_scene_other_seed_differs():
    a, b, c = make_demo(seed=5, n_frames=30), make_demo(seed=5, n_frames=30), make_demo(seed=6, n_frames=30)
    assert a.trajectories_text == b.trajectories_text
    np.testing.assert_array_equal(a.background, b.background)
    np.testing.assert_array_equal(a.H, b.H)
    for t in (0, 13, 29):
        np.testing.assert_array_equal(a.frames[t], b.frames[t])
    assert a.pids == b.pids
    for pid in a.pids:
        assert list(a.gt[pid]) == list(b.gt[pid])
        for t in a.gt[pid]:
            np.testing.assert_array_equal(a.gt[pid][t], b.gt[pid][t])
    assert a.trajectories_text != c.trajectories_text
    assert not np.array_equal(a.frames[0], c.frames[0])


def test_frames_are_bgr_and_reading_order_does_not_matter(scene):
    f = scene.frames[57]
    assert f.shape == (576, 720, 3) and f.dtype == np.uint8
    assert len(scene.frames) == 200 and scene.fps == 25
    fresh = make_demo(seed=0)
    np.testing.assert_array_equal(fresh.frames[57], f)  # rendered first here, after others above
    f[:] = 0  # callers get copies
    assert scene.frames[57].any()


def test_at_least_six_distinct_walkers_in_view(scene):
    assert len(scene.pids) >= 6
    with_masks = [pid for pid in scene.pids if len(scene.gt[pid]) > 0]
    assert len(with_masks) >= 6
    torsos = {tuple(scene.looks[pid].colours[4]) for pid in scene.pids}
    assert len(torsos) == len(scene.pids)
    heights = {round(scene.looks[pid].height_m, 3) for pid in scene.pids}
    assert len(heights) > 1


def test_occlusions_happen_and_visible_masks_are_disjoint(scene):
    occluded = 0
    for t in range(0, scene.n_frames, 3):
        union = np.zeros((scene.height, scene.width), np.int32)
        for pid in scene.pids:
            if t not in scene.gt[pid]:
                continue
            vis, sil = scene.gt[pid][t], scene.silhouette(pid, t)
            assert vis.dtype == bool and vis.sum() >= 30
            assert not (vis & ~sil).any()  # visible part lies within the full silhouette
            occluded += int(vis.sum() < sil.sum())
            union += vis
        assert union.max() <= 1  # a pixel belongs to at most one person
    assert occluded >= 5


def test_walkers_are_drawn_where_their_masks_are_and_shadows_are_not_in_gt(scene):
    t = 100
    frame = scene.frames[t].astype(np.float32)
    bg = scene.background.astype(np.float32)
    diff = np.abs(frame - bg).sum(2)
    anyone = np.zeros(diff.shape, bool)
    for pid in scene.pids:
        if t in scene.gt[pid]:
            anyone |= scene.gt[pid][t]
    assert diff[anyone].mean() > 40  # walkers differ clearly from the ground
    # Just below-right of each walker's feet, outside every silhouette: the ground is darker (shadow).
    darker = []
    for pid in scene.pids:
        sil = scene.silhouette(pid, t)
        if sil is None or sil.sum() < 200:
            continue
        u, v = world_to_pixel(scene.H, *scene.world(pid, t))
        rows = np.flatnonzero(sil.any(1))
        h = rows[-1] - rows[0]
        ys, xs = slice(int(v) - 2, int(v) + 3), slice(int(u + 0.1 * h), int(u + 0.3 * h))
        band = ~anyone[ys, xs]
        if band.sum() > 5 and 0 <= ys.start and ys.stop <= scene.height:
            darker.append((bg[ys, xs].mean(2)[band] - frame[ys, xs].mean(2)[band]).mean())
    assert darker and np.median(darker) > 8


def test_annotated_feet_project_onto_the_bottom_of_the_silhouette(scene):
    checked = 0
    for frame, pid, x, y in scene.annotations:
        frame, pid = int(frame), int(pid)
        assert frame % 10 == 0
        u, v = world_to_pixel(scene.H, x, y)
        if not (20 <= u < scene.width - 20 and 0 <= v < scene.height - 2):
            continue
        sil = scene.silhouette(pid, frame)
        ys, xs = np.nonzero(sil)
        if len(ys) < 200:
            continue
        assert abs(ys.max() - v) <= 1.5, (frame, pid, ys.max(), v)
        assert xs.min() <= u <= xs.max()
        bottom = xs[ys >= ys.max() - 3]
        assert np.min(np.abs(bottom - u)) <= 0.2 * (ys.max() - ys.min())
        checked += 1
    assert checked >= 50


def test_trajectory_text_matches_annotations(scene):
    rows = np.array([[float(c) for c in line.split("\t")] for line in scene.trajectories_text.splitlines()])
    assert rows.shape == scene.annotations.shape and rows.shape[1] == 4
    np.testing.assert_allclose(rows, scene.annotations, atol=1e-7)
    assert set(rows[:, 1].astype(int)) == set(scene.pids)


def test_written_layout_round_trips(tmp_path):
    out = write_demo(tmp_path / "demo", seed=2, n_frames=21)
    sc = make_demo(seed=2, n_frames=21)
    frames = sorted((out / "frames").glob("*.jpg"))
    assert [p.name for p in frames] == [f"{t:05d}.jpg" for t in range(21)]
    img = cv2.imread(str(frames[7]))
    assert img.shape == (576, 720, 3)
    assert np.abs(img.astype(int) - sc.frames[7].astype(int)).mean() < 3  # JPEG of the same frame
    H = np.loadtxt(out / "H.txt", comments="#")
    np.testing.assert_allclose(H, sc.H, rtol=1e-9, atol=1e-12)
    assert (out / "H.txt").read_text().startswith("#")
    assert (out / "trajectories.txt").read_text() == sc.trajectories_text
    n = 0
    for pid in sc.pids:
        pngs = sorted((out / "gt" / str(pid)).glob("*.png"))
        assert [int(p.stem) for p in pngs] == list(sc.gt[pid])
        for p in pngs[::5]:
            m = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
            assert m.ndim == 2 and m.dtype == np.uint8 and set(np.unique(m)) <= {0, 255}
            np.testing.assert_array_equal(m > 0, sc.gt[pid][int(p.stem)])
        n += len(pngs)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["counts"]["gt_masks"] == n and meta["anchor"] == "feet" and meta["seed"] == 2
    assert cv2.imread(str(out / "background.png")).shape == (576, 720, 3)
    assert (out / "README.md").is_file() and (out / "visibility.csv").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no temp folder left behind

    with pytest.raises(InputError, match="already exists"):
        write_demo(out, seed=3, n_frames=5)
    write_demo(out, seed=3, n_frames=5, overwrite=True)
    assert len(list((out / "frames").glob("*.jpg"))) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


@pytest.mark.slow
def test_demo_dir_is_written_once_and_cached(tmp_path, monkeypatch):
    from humanseg_core.demo import write as demo_write

    writer, written = demo_write.write_demo_job, []

    def few_frames(out_dir, **kw):  # the demo's writer, of fewer frames (its 200 took 7 s of the suite)
        written.append(out_dir)
        assert kw.get("n_frames", 200) == 200  # asked for the demo's whole length
        return writer(out_dir, **{**kw, "n_frames": 5 if len(written) == 1 else 4})

    monkeypatch.setattr(demo_write, "write_demo_job", few_frames)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = demo_dir(seed=0)
    assert path == tmp_path / "humanseg" / "demo-seed0-v1"
    assert len(list((path / "frames").glob("*.jpg"))) == 5
    marker = path / ".complete"
    stamp = marker.stat().st_mtime_ns
    (path / "frames" / "00000.jpg").unlink()  # a second call must not rewrite a completed folder
    assert demo_dir(seed=0) == path and marker.stat().st_mtime_ns == stamp
    assert not (path / "frames" / "00000.jpg").exists() and written == [path]
    marker.unlink()  # an incomplete folder is rewritten: by the same writer, here of 4 frames (5 above)
    demo_dir(seed=0)
    assert written == [path, path] and (path / "frames" / "00000.jpg").exists() and marker.exists()
    assert len(list((path / "frames").glob("*.jpg"))) == 4  # the folder was written anew


def run_cli(argv):
    from humanseg_core.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_cli_demo_writes_and_refuses_to_clobber(tmp_path):
    target = tmp_path / "scene"
    rc, out, err = run_cli(["demo", "--out", str(target), "--frames", "12", "--seed", "4"])
    assert rc == 0, err
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["out"] == str(target) and doc["frames"] == 12 and doc["persons"] >= 6
    assert len(list((target / "frames").glob("*.jpg"))) == 12
    rc, out, err = run_cli(["demo", "--out", str(target), "--frames", "3"])
    assert rc == 2 and "already exists" in err and str(target) in err
    assert "humanseg demo --force" in err and "overwrite=True" not in err  # the CLI's words, not the API's
    rc, out, err = run_cli(["demo", "--out", str(target), "--frames", "3", "--force"])
    assert rc == 0 and json.loads(out.strip().splitlines()[-1])["frames"] == 3


def test_cli_demo_names_its_folder_absolute(tmp_path, monkeypatch):
    """As the other commands give their folders (a walk read "out": "demo")."""
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli(["demo", "--out", "rel", "--frames", "2"])
    assert rc == 0 and json.loads(out.strip().splitlines()[-1])["out"] == str(tmp_path / "rel")


def test_cli_demo_force_never_replaces_a_project_or_notes_made_inside_the_demo(tmp_path):
    """An audit: `humanseg demo --out D --force` deleted a project made at D/myproject (meta.json alone was
    checked). Only a demo scene holding nothing else is replaced."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs

    target = tmp_path / "scene"
    rc, _out, err = run_cli(["demo", "--out", str(target), "--frames", "4"])
    assert rc == 0, err
    Project.create(target / "myproject", ProjectInputs(video=str(target / "frames"),
                                                       trajectories=str(target / "trajectories.txt"))).close()
    rc, _out, err = run_cli(["demo", "--out", str(target), "--frames", "3", "--force"])
    assert rc == 2 and "myproject/, which humanseg demo did not write" in err
    assert (target / "myproject" / "project.sqlite").is_file() and len(list((target / "frames").glob("*"))) == 4
    for project_file in (target / "myproject").iterdir():
        project_file.unlink()
    (target / "myproject").rmdir()
    (target / "gt" / "notes.txt").write_text("checked by hand")  # inside a folder the demo writes
    rc, _out, err = run_cli(["demo", "--out", str(target), "--frames", "3", "--force"])
    assert rc == 2 and "gt/notes.txt" in err and (target / "gt" / "notes.txt").is_file()
    (target / "gt" / "notes.txt").unlink()
    (target / ".DS_Store").write_bytes(b"\0")  # Finder looked at it: nothing of the analyst's (a review)
    (target / "gt" / "Thumbs.db").write_bytes(b"\0")
    traj = target / "trajectories.txt"
    kept = traj.read_text()
    import os
    import time

    later = time.time_ns() + 10**9
    os.utime(traj, ns=(later, later))  # edited after the demo wrote it (a walk appended a row): refused, kept
    rc, _out, err = run_cli(["demo", "--out", str(target), "--frames", "3", "--force"])
    assert rc == 2 and "trajectories.txt (changed since)" in err and traj.read_text() == kept
    os.utime(traj, ns=((target / ".complete").stat().st_mtime_ns,) * 2)
    rc, _out, err = run_cli(["demo", "--out", str(target), "--frames", "3", "--force"])
    assert rc == 0, err
