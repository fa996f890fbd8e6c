"""Masks stay compressed in the studio: decoded on demand, cached per run, only changed frames re-decoded;
the quality scores come from a background job."""

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from app.segmentation.lazy_masks import LazyMasks
from humanseg_core import rle
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def _mask(i, h=240, w=320):
    m = np.zeros((h, w), bool)
    m[40 + i % 50:100 + i % 50, 30:50] = True
    return m


def test_lazy_masks_decode_only_what_is_read_and_keep_unchanged_frames():
    blobs = {f: rle.to_blob(_mask(f)) for f in range(100)}
    lazy = LazyMasks(blobs, cache=4)
    assert len(lazy) == 100 and 7 in lazy and lazy.decoded == 0  # listing decodes nothing
    assert np.array_equal(lazy[7], _mask(7)) and lazy.decoded == 1
    assert lazy[7] is lazy[7] and lazy.decoded == 1  # cached
    for f in range(10):
        lazy.get(f)
    assert lazy.nbytes() < sum(map(len, blobs.values())) + 5 * _mask(0).nbytes  # the cache is bounded
    lazy[9]
    n = lazy.decoded
    changed = {**blobs, 3: rle.to_blob(_mask(60))}
    del changed[5]
    assert lazy.update(changed) == [3, 5]
    lazy[9]
    assert lazy.decoded == n  # frame 9 did not change: still decoded
    assert np.array_equal(lazy[3], _mask(60)) and lazy.get(5) is None
    assert LazyMasks({1: b"garbage"}).get(1) is None  # a damaged row reads as "no mask", not a crash


def test_refresh_decodes_only_the_frame_shown_and_scores_in_a_job(opened, qtbot, tmp_path, scene_dir):
    from app.segmentation.install import install_segmentation

    window = opened
    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                              trajectories=str(scene_dir / "trajectories.txt"),
                                                              homography=str(scene_dir / "H.txt")))
    frames = list(range(0, 31))
    project.add_proposals([Proposal(f, 1, (30, 40, 50, 100), _mask(f), "bgs:test", status="accepted")
                           for f in frames])
    run_id = project.add_run(1, "osvos-lite", {"holdout_frames": frames[:5], "train_frames": frames[5:]}, None, {})
    project.save_results(1, run_id, {f: _mask(f + 1) for f in frames})
    c = install_segmentation(window, project)
    window.select_person(1)
    accepted, results = c.playback._masks["accepted"], c.playback._masks["results"]
    assert isinstance(accepted, LazyMasks) and isinstance(results, LazyMasks)
    assert len(accepted) == len(results) == len(frames)
    assert accepted.decoded + results.decoded <= 2  # the frame on screen at most, not 62 full frames
    qtbot.waitUntil(lambda: not c.scoring() and len(c.quality.scores()) == len(frames), timeout=20_000)
    assert sum(s.heldout for s in c.quality.scores()) == 5
    before = c.playback._masks["accepted"].decoded
    project.set_status(project.proposals(1, with_masks=False)[3].id, "rejected")
    c.refresh()
    assert c.playback._masks["accepted"] is accepted and len(accepted) == len(frames) - 1  # updated in place
    assert accepted.decoded - before <= 1
    project.close()


def test_the_train_tabs_segment_button_leaves_a_running_segmentation_alone(opened, qtbot, tmp_path, scene_dir,
                                                                          monkeypatch):
    """A review: while a segmentation ran, the Train tab's Segment button rewrote the Segment tab's settings (run,
    masks box, range), locked for the running job, and its start was then refused without a word."""
    import threading

    from app.segmentation.install import install_segmentation

    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                              trajectories=str(scene_dir / "trajectories.txt"),
                                                              homography=str(scene_dir / "H.txt")))
    first = project.add_run(1, "osvos-parent", {}, str(tmp_path / "a.pt"), {})
    second = project.add_run(1, "osvos-parent", {}, str(tmp_path / "b.pt"), {})
    c = install_segmentation(opened, project)
    opened.select_person(1)
    release = threading.Event()

    def slow(request, cancel):
        release.wait(10)
        return {}
        yield

    monkeypatch.setattr(c.segment, "_factory", slow)
    c.segment.select_run(first)
    c.segment.evidence.setChecked(False)
    c.segment.start()
    assert c.segment.is_running()
    c._segment_run(second)
    assert c.segment.run_box.currentData() == first and not c.segment.evidence.isChecked()
    assert "A segmentation is running" in c.segment.footer.status.text()
    release.set()
    qtbot.waitUntil(lambda: not c.segment.is_running(), timeout=10_000)
    project.close()
