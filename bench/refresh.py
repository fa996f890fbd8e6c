"""Bench (issue 7): what the studio's GUI thread does after an accept/reject for a person with many masks.

Writes the 720x576 demo scene (200 frames), makes a project where one person has a proposal accepted on
every frame and a run with a result on every frame: 200 accepted masks + 200 proposals + 200 results =
600 masks.  Then measures, in this process (offscreen Qt):

* before: the data path of ``SegmentationController.refresh()`` as it was before issue 7 (every proposal,
  accepted mask and result decoded into a full-frame array, the quality scores computed on the GUI thread);
* after: ``SegmentationController.refresh()`` as it is (RLE blobs, the frame on screen decoded, scores in a
  background job), the first refresh and the refresh after one decision; and the scoring job itself
  (off the GUI thread);
* the review filmstrip of the same person: the GUI-thread time of building its thumbnails before (every
  mask decoded, frame read and thumbnail rendered on the GUI thread) and after (a core job builds them, the
  GUI thread wraps the 60x80 pictures), and of one decision after.

Prints wall time and the bytes of masks held.  ``nice .venv/bin/python bench/refresh.py [--frames 200]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2
import numpy as np


def build(folder: Path, n_frames: int):
    from humanseg_core.demo import write_demo
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    scene = write_demo(folder / "scene", n_frames=n_frames)
    pid = max((p for p in os.listdir(scene / "gt")), key=lambda p: len(os.listdir(scene / "gt" / p)))
    pid = int(pid)
    gt = {int(f.stem): cv2.imread(str(f), cv2.IMREAD_GRAYSCALE) > 0
          for f in sorted((scene / "gt" / str(pid)).iterdir())}
    frames = sorted(gt)
    project = Project.create(folder / "proj", ProjectInputs(video=str(scene / "frames"),
                                                          trajectories=str(scene / "trajectories.txt"),
                                                          homography=str(scene / "H.txt")))
    props = []
    for f in frames:
        ys, xs = np.nonzero(gt[f])
        box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if len(xs) else (0, 0, 1, 1)
        props.append(Proposal(f, pid, box, gt[f], "bgs:bench", status="accepted"))
    project.add_proposals(props)
    k = len(frames) // 10
    run_id = project.add_run(pid, "osvos-lite", {"holdout_frames": frames[:k], "train_frames": frames[k:]}, None, {})
    kernel = np.ones((3, 3), np.uint8)
    project.save_results(pid, run_id, {f: cv2.dilate(gt[f].astype(np.uint8), kernel) > 0 for f in frames})
    return scene, project, pid, frames, run_id


def before(project, pid: int, run_id: int):
    """The pre-issue-7 refresh's data path (app/segmentation/install.py at 867c594)."""
    from app.segmentation.quality_panel import score_frames

    accepted = project.accepted_masks(pid)
    results = project.results(pid, run_id)
    proposals = {p.frame: p.mask for p in project.proposals(pid) if p.mask is not None}
    run = project.runs(pid)[-1]
    score_frames(results, accepted, run["params"]["holdout_frames"], run["params"]["train_frames"])
    return sum(m.nbytes for d in (accepted, results, proposals) for m in d.values())


def filmstrip_before(project, pid: int, read_frame) -> float:
    """The pre-issue-7 filmstrip's GUI-thread work for one person (spread over timer ticks, summed): every
    proposal's mask decoded, its frame read and its thumbnail rendered on the GUI thread."""
    from app.review.proposal_view import bgr_to_qimage
    from humanseg_core.project.thumbnails import render_thumbnail

    t0 = time.perf_counter()
    for rec in project.proposals(pid, with_masks=False):
        mask = project.get_proposal(rec.id).mask
        bgr_to_qimage(render_thumbnail(read_frame(rec.frame), mask, rec.box))
    return time.perf_counter() - t0


def filmstrip_after(app, project, scene, pid: int) -> tuple[float, float, float]:
    """The filmstrip as it is: GUI-thread time (showing the person + receiving the thumbnails the job
    built), the wall time until every thumbnail arrived, and the GUI-thread time of one decision."""
    from app.review.review_panel import ReviewPanel

    panel = ReviewPanel(None, scene)
    strip = panel.filmstrip
    spent = [0.0]
    received = strip._received

    def timed_received(thumbnails):
        t = time.perf_counter()
        received(thumbnails)
        spent[0] += time.perf_counter() - t

    strip._received = timed_received
    t0 = time.perf_counter()
    panel.set_project(project, scene)
    panel.set_person(pid)
    shown = time.perf_counter() - t0
    while strip.thumbnails_pending():
        app.processEvents()
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    spent[0] = 0.0
    t1 = time.perf_counter()
    panel.accept()
    for _ in range(20):
        app.processEvents()
    decision = time.perf_counter() - t1 + spent[0]
    panel.deleteLater()
    return shown + spent[0], wall, decision


def timed(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=200)
    args = ap.parse_args()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.open_dialog import scene_folder_inputs
    from app.segmentation.install import install_segmentation

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        scene, project, pid, frames, run_id = build(Path(tmp), args.frames)
        n_masks = 3 * len(frames)
        t_old, peak_old, held_old = timed(lambda: before(project, pid, run_id))
        window = MainWindow(settings=QSettings(str(Path(tmp) / "studio.ini"), QSettings.Format.IniFormat))
        window.open_inputs(scene_folder_inputs(scene))
        c = install_segmentation(window, project)
        window._selected = pid  # select without the signal: the refresh below is the one measured
        t_new, peak_new, _ = timed(c.refresh)
        held_new = sum(m.nbytes() for m in c._masks.values())
        t0 = time.perf_counter()
        while c.scoring():
            app.processEvents()
            time.sleep(0.005)
        t_score = time.perf_counter() - t0
        project.set_status(project.proposals(pid, with_masks=False)[len(frames) // 2].id, "rejected")
        t_again, peak_again, _ = timed(c.refresh)
        while c.scoring():
            app.processEvents()
            time.sleep(0.005)
        for p in project.proposals(pid, with_masks=False)[: len(frames) // 2]:
            project.set_status(p.id, "pending")  # half left to review: the filmstrip shows them all
        t_strip_old = filmstrip_before(project, pid, window.frames.read)
        t_strip_new, t_strip_wall, t_strip_decision = filmstrip_after(app, project, window.scene, pid)
        stored = sum(len(b) for kind in ("accepted", "proposals") for b in project.mask_blobs(pid, kind).values())
        stored += sum(len(b) for b in project.mask_blobs(pid, "results", run_id).values())
        window.close()
        project.close()
    print(f"SegmentationController.refresh() for one person, {n_masks} masks at 720x576 "
          f"({stored / 1e3:.0f} kB stored as RLE); GUI thread time, masks held, Python allocation peak")
    print(f"{'':32} {'GUI ms':>8} {'held MB':>8} {'peak MB':>8}")
    print(f"{'before (decode all, score)':32} {1e3 * t_old:8.0f} {held_old / 1e6:8.1f} {peak_old / 1e6:8.1f}")
    print(f"{'after: first refresh':32} {1e3 * t_new:8.0f} {held_new / 1e6:8.2f} {peak_new / 1e6:8.1f}")
    print(f"{'after: refresh after a decision':32} {1e3 * t_again:8.0f} {'':>8} {peak_again / 1e6:8.1f}")
    print(f"quality scores in the background job: {1e3 * t_score:.0f} ms (the GUI thread keeps running)")
    print(f"ratio before/after (first refresh): {t_old / max(t_new, 1e-9):.0f}x time, "
          f"{held_old / max(held_new, 1):.0f}x memory held")
    print(f"Review filmstrip of the same person ({len(frames)} thumbnails): GUI thread ms")
    print(f"{'before (decode, read, render on GUI)':40} {1e3 * t_strip_old:8.0f}")
    print(f"{'after (thumbnail job; GUI wraps 60x80)':40} {1e3 * t_strip_new:8.0f}   "
          f"(all thumbnails in {1e3 * t_strip_wall:.0f} ms wall)")
    print(f"{'after: one decision (one item repainted)':40} {1e3 * t_strip_decision:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
