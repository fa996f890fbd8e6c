"""Playback of results over the frame view, the quality chart, and the MP4 export panel."""

import cv2
import numpy as np
import pytest
from fakes import FlatFrames, rect_mask

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from app.frame_view import FrameView
from app.segmentation.mp4_export import Mp4ExportPanel
from app.segmentation.playback_panel import LAYER, OUTLINE_LAYER, PlaybackPanel
from app.segmentation.quality_panel import FrameScore, QualityPanel, score_frames

H, W = 40, 60


def box(x0, y0, x1, y1):
    return rect_mask((H, W), x0, y0, x1, y1)


@pytest.fixture
def playback(qtbot):
    view = FrameView()
    qtbot.addWidget(view)
    view.set_frame(np.zeros((H, W, 3), np.uint8))
    seeks = []
    frames = FlatFrames(10, H, W)

    def seek(f):
        seeks.append(f)
        panel.show_frame(f)

    panel = PlaybackPanel(view, seek=seek, read_frame=frames.read)
    qtbot.addWidget(panel)
    panel.set_video(frames.indices, frames.fps)
    panel.set_masks("results", {3: box(10, 10, 30, 30), 4: box(12, 10, 32, 30), 6: box(14, 10, 34, 30)})
    panel.set_masks("accepted", {4: box(0, 0, 5, 5)})
    return panel, view, seeks


def overlay_pixels(view):
    """Rendered pixels of the frame view that are not black (the frame is black)."""
    img = view.render_image()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())[:, : 4 * img.width()]
    return arr.reshape(img.height(), img.width(), 4)[:, :, :3].max(axis=2) > 0


def test_the_overlay_follows_the_frame_and_the_source(playback):
    panel, view, _ = playback
    panel.show_frame(3)
    assert set(view.mask_overlay_names()) == {LAYER, OUTLINE_LAYER}
    painted = overlay_pixels(view)
    assert painted[20, 20] and not painted[35, 50]
    panel.show_frame(5)  # no result here
    assert view.mask_overlay_names() == []
    assert "no mask on this frame" in panel.info.text()
    panel.set_masks("results", {3: box(10, 10, 30, 30), 4: box(12, 10, 32, 30), 6: box(0, 0, 0, 0)})
    panel.show_frame(6)  # an empty result: said, not "mask on this frame" over nothing (a walk)
    assert panel.info.text().endswith("· an empty mask on this frame (nothing of the person found)")
    panel.set_masks("accepted", {6: box(0, 0, 0, 0)})  # the analyst's V there: the result withheld, said so (a walk)
    panel.show_frame(6)
    assert panel.info.text().endswith("· marked not visible here (V)")
    panel.set_masks("accepted", {4: box(0, 0, 5, 5)})
    panel.set_source("accepted")
    panel.show_frame(4)
    painted = overlay_pixels(view)
    assert painted[2, 2] and not painted[20, 20]


def test_the_frames_beyond_the_annotations_are_named(playback):
    """Where the person's position is extrapolated (the trajectory file stops while it is in view), the info
    line says so: a walk's person drifted onto a neighbour there and the tab gave no hint."""
    panel, _view, _ = playback
    panel.set_person(7)
    panel.show_frame(3)
    assert "beyond" not in panel.info.text()
    panel.set_beyond([(5, 6)])
    assert panel.info.text() == ("Person 7 · 3 frames with masks (3–6) · annotated once, guessed beyond: 5–6 · "
                                 "mask on this frame")
    panel.show_frame(6)
    assert panel.info.text().endswith("· mask on this frame, its position guessed")
    panel.set_beyond([], [(3, 4)])  # annotated frames skipped as hidden: no label there
    assert "· no label, hidden behind a nearer person: 3–4 ·" in panel.info.text()


def test_outline_toggle_and_opacity(playback):
    panel, view, _ = playback
    panel.show_frame(3)
    panel.outline.setChecked(False)
    assert view.mask_overlay_names() == [LAYER]
    panel.opacity.setValue(0)
    assert not overlay_pixels(view)[20, 20]
    panel.outline.setChecked(True)
    painted = overlay_pixels(view)
    assert painted[10, 20] and not painted[20, 20]  # only the boundary shows at opacity 0


def test_the_outline_stays_thin_at_any_zoom(playback, qtbot):
    """A raster outline one image pixel wide was 7 screen pixels on a 32 px person zoomed in (a walk: it hid
    the limbs); the outline is a line of constant screen width."""
    panel, view, _ = playback
    view.resize(480, 320)
    view.show()
    qtbot.waitExposed(view)
    panel.opacity.setValue(0)  # only the outline shows
    panel.show_frame(3)  # box (10, 10)-(30, 30): its top edge on image row 10
    for zoom in (1.0, 8.0):
        view.show_region(20.0, 10.0, 480 / zoom, 320 / zoom)
        img = view.grab().toImage()
        top = view.image_to_viewport(20.0, 10.0)
        column = [QColor(img.pixel(top.x(), y)) for y in range(max(0, top.y() - 20), min(img.height(), top.y() + 20))]
        lit = [c for c in column if c.value() > 100]
        assert 1 <= len(lit) <= 3, f"zoom {zoom}: the outline is {len(lit)} screen px thick"


def test_play_steps_through_masked_frames_at_the_chosen_speed(playback, qtbot):
    panel, _, seeks = playback
    panel.speed.setCurrentIndex(panel.speed.findData(4.0))
    assert panel.timer.interval() == 25  # 10 fps at 4x
    panel.speed.setCurrentIndex(panel.speed.findData(0.25))
    assert panel.timer.interval() == 400
    panel.speed.setCurrentIndex(panel.speed.findData(4.0))
    panel.show_frame(3)
    assert panel.playback_frames() == [3, 4, 5, 6]
    panel.play()
    qtbot.waitUntil(lambda: len(seeks) >= 5, timeout=3000)
    panel.pause()
    assert seeks[:5] == [4, 5, 6, 3, 4]  # loops over the span with masks
    assert not panel.playing()
    panel.masked_only.setChecked(False)
    assert panel.playback_frames() == list(range(10))


def test_blink_alternates_the_overlay(playback, qtbot):
    panel, view, _ = playback
    panel.show_frame(3)
    panel.blink.setChecked(True)
    seen = set()
    qtbot.waitUntil(lambda: seen.add(LAYER in view.mask_overlay_names()) or seen == {True, False}, timeout=3000)
    panel.blink.setChecked(False)
    assert LAYER in view.mask_overlay_names()


def test_side_by_side_shows_frame_and_overlay(playback, qtbot):
    panel, _, _ = playback
    panel.set_color(QColor(255, 0, 0))
    panel.opacity.setValue(100)
    panel.show_frame(3)
    assert panel.side_by_side_image() is None
    panel.zoom.setChecked(False)
    panel.sbs.setChecked(True)
    assert panel.sbs_pending()  # rendered by a background job, not on the GUI thread

    def rendered():
        qtbot.waitUntil(lambda: not panel.sbs_pending(), timeout=5000)
        return panel.side_by_side_image()

    img = rendered()
    assert img.width() == 2 * W + 6 and img.height() == H
    left, right = img.pixelColor(20, 20), img.pixelColor(W + 6 + 20, 20)
    assert (left.red(), left.green()) == (30, 30)  # the raw frame 3
    assert (right.red(), right.green(), right.blue()) == (255, 0, 0)
    panel.zoom.setChecked(True)  # a window around the mask (20x20 box at 10..30): smaller than the frame
    zoomed = rendered()
    assert zoomed.height() == H and zoomed.width() < 2 * W + 6
    panel.show_frame(5)  # no mask: the whole frame
    assert rendered().width() == 2 * W + 6


def test_person_window_surrounds_the_mask():
    from app.segmentation.playback_panel import person_window

    m = np.zeros((400, 600), bool)
    m[100:180, 300:330] = True
    y0, y1, x0, x1 = person_window(m)
    assert y0 < 100 and y1 > 180 and x0 < 300 and x1 > 330
    assert (y1 - y0) < 400 and (x1 - x0) < 600


def test_score_frames_uses_held_out_frames_and_flags_missing_results():
    gt = {1: box(0, 0, 10, 10), 2: box(0, 0, 10, 10), 3: box(0, 0, 10, 10), 9: box(0, 0, 4, 4)}
    results = {1: box(0, 0, 10, 10), 2: box(0, 0, 10, 5)}
    scores = score_frames(results, gt, heldout_frames=[2, 3], train_frames=[1])
    by = {s.frame: s for s in scores}
    assert set(by) == {1, 2, 3}
    assert by[2].heldout and by[2].j == pytest.approx(0.5)
    assert by[3].missing and by[3].j == 0.0
    assert not by[1].heldout and by[1].j == 1.0 and by[1].f == pytest.approx(1.0)


def test_quality_chart_click_jumps_to_the_frame(qtbot):
    panel = QualityPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 400)
    panel.show()
    scores = [FrameScore(100, 0.9, 0.8, True), FrameScore(150, 0.3, 0.2, True), FrameScore(120, 0.95, 0.9, False)]
    panel.set_scores(scores, span=(100, 200), run_label="#1 osvos-lite")
    assert "2 held-out frames as segmented: mean J" in panel.summary.text()
    assert "worst 0.300 at frame 150" in panel.summary.text()
    panel.set_scores(scores, span=(100, 200), run_label="#1 osvos-lite · hold-out J 0.717")  # two numbers: why
    assert "as segmented (the whole frame, edges refined: the run's hold-out J is the network's on its crops" \
        in panel.summary.text()
    panel.set_scores(scores, span=(100, 200), run_label="#1 osvos-lite")
    assert panel.worst.item(0).text().startswith("frame 150")
    chart = panel.chart
    assert [s.frame for s in chart.visible_scores()] == [100, 150]
    x = int(chart.x_of(150))
    with qtbot.waitSignal(panel.frame_requested) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(x, chart.height() // 2))
    assert blocker.args == [150]
    with qtbot.waitSignal(panel.frame_requested) as blocker:
        panel.worst.itemClicked.emit(panel.worst.item(1))
    assert blocker.args == [100]
    panel.show_train.setChecked(True)
    assert [s.frame for s in chart.visible_scores()] == [100, 150, 120]
    panel.set_scores([FrameScore(120, 0.95, 0.9, False)])
    assert "No held-out" in panel.summary.text()
    # labels accepted as proposed: said (a walk read J 0.650 against labels whose own J was 0.455 and 0.649)
    assert "accepted as proposed" not in panel.summary.text()
    panel.set_scores(scores, span=(100, 200), as_proposed=2)
    assert "against 2 labels accepted as proposed" in panel.summary.text()


def test_the_held_out_labels_accepted_as_proposed_are_counted(tmp_path):
    from app.segmentation.install import _as_proposed
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    project = Project.create(tmp_path / "p", ProjectInputs(video="v", trajectories="t"))
    box = (2, 2, 8, 12)
    mask = np.zeros((H, W), bool)
    mask[2:12, 2:8] = True
    project.add_proposals([Proposal(frame=f, pid=1, box=box, mask=mask, source="bgs:test") for f in (10, 20, 30, 40)])
    ids = {p.frame: p.id for p in project.proposals(1, with_masks=False)}
    project.set_statuses([ids[10], ids[20]], "accepted")
    project.set_mask(ids[20], mask)  # fixed: edited
    project.set_statuses([ids[30]], "rejected")
    try:
        assert _as_proposed(project, 1, [10, 20, 30, 40]) == 1  # 10 only: 20 was fixed, 30 rejected, 40 pending
        assert _as_proposed(project, 1, []) == 0 and _as_proposed(None, 1, [10]) == 0
    finally:
        project.close()


def test_mp4_export_panel_writes_the_video_in_the_worker(qtbot, tmp_path):
    frames = FlatFrames(10, H, W)
    masks = {2: box(10, 10, 30, 30), 5: box(10, 10, 30, 30)}
    panel = Mp4ExportPanel(lambda source: (frames, masks if source == "results" else {}, frames.indices, frames.fps))
    qtbot.addWidget(panel)
    panel.span.setCurrentIndex(1)  # every frame of the span 2..5
    panel.sbs.setChecked(True)
    out = tmp_path / "o.mp4"
    with qtbot.waitSignal(panel.exported, timeout=10000) as blocker:
        assert panel.export_to(out)
    assert blocker.args == [str(out)]
    assert "Saved" in panel.status.text() and "run #" not in panel.status.text()  # no run was named
    panel.set_person(3, 2, 0, run=7)  # the run Play shows: named on the label and in what was saved
    assert panel.person_label.text() == "Person 3 · 2 result frames (run #7, as Play) · 0 accepted masks"
    qtbot.waitUntil(lambda: panel.export_btn.isEnabled(), timeout=10000)
    with qtbot.waitSignal(panel.exported, timeout=10000):
        assert panel.export_to(tmp_path / "run7.mp4")
    assert "frames of run #7's results" in panel.status.text()
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 4 and int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 2 * W + 4
    cap.release()
    qtbot.waitUntil(lambda: panel.export_btn.isEnabled(), timeout=10000)
    panel.source.setCurrentIndex(1)  # accepted: none
    assert not panel.export_to(tmp_path / "none.mp4")
    assert "No accepted masks" in panel.status.text()


def test_play_button_uses_drawn_icons_not_font_glyphs(playback):
    panel, _, _ = playback
    for on in (True, False):
        panel.play() if on else panel.pause()
        assert panel.play_btn.text() == ("Pause" if on else "Play")  # "⏸" shows as a box in common fonts
        assert not panel.play_btn.icon().isNull()


def test_quality_panel_says_f_tolerance_is_scaled_to_the_person(qtbot):
    panel = QualityPanel()
    qtbot.addWidget(panel)
    scores = [FrameScore(100, 0.9, 0.8, True, tolerance=2), FrameScore(150, 0.3, 0.2, True, tolerance=3)]
    panel.set_scores(scores, span=(100, 200))
    assert "mean F 0.500 (boundary ±2–3 px)" in panel.summary.text()
    assert panel.worst.item(0).text().endswith("F 0.200 (±3 px)")
    assert "scaled to the person" in panel.summary.toolTip()


def test_mp4_export_is_off_while_the_chosen_masks_hold_no_frame(qtbot):
    """A walk's fresh project: Export MP4… was on for a person with 0 result frames."""
    frames = FlatFrames(10, H, W)
    panel = Mp4ExportPanel(lambda source: (frames, {}, frames.indices, frames.fps))
    qtbot.addWidget(panel)
    panel.set_person(3, results=0, accepted=2)
    assert not panel.export_btn.isEnabled() and "No results" in panel.export_btn.toolTip()
    panel.source.setCurrentIndex(panel.source.findData("accepted"))
    assert panel.export_btn.isEnabled()
    panel.source.setCurrentIndex(panel.source.findData("results"))
    panel.set_person(3, results=5, accepted=2)
    assert panel.export_btn.isEnabled()


def test_the_quality_tab_without_a_run_says_how_to_get_one(qtbot):
    """A walk's fresh project: Quality said "No held-out accepted masks for this run (it trained on every one …)"
    with no run at all."""
    from app.segmentation.quality_panel import NO_HOLDOUT, NO_RESULTS, QualityPanel

    panel = QualityPanel()
    qtbot.addWidget(panel)
    panel.set_scores([])
    assert panel.summary.text() == NO_RESULTS and "for this run" not in panel.summary.text()
    panel.set_scores([], run_label="#4 osvos-parent")  # a run, nothing held out: the run's words
    assert panel.summary.text() == "#4 osvos-parent · " + NO_HOLDOUT


def test_a_label_marked_not_visible_is_said_so_and_not_counted_as_a_mask(playback):
    """A walk pressed V on a frame: Play's Accepted masks said "an empty mask (nothing of the person found)" there
    and counted "4 frames with masks" of 3 labels and the mark."""
    from app.segmentation.lazy_masks import LazyMasks
    from humanseg_core import rle

    panel, _view, _ = playback
    panel.set_person(76)
    labels = {f: box(0, 0, 5, 5) for f in (3, 4, 6)}
    labels[5] = np.zeros_like(labels[3])  # V: the analyst's empty mask
    panel.set_masks("accepted", LazyMasks({f: rle.to_blob(m) for f, m in labels.items()}))
    panel.set_source("accepted")
    panel.show_frame(5)
    assert panel.info.text() == ("Person 76 · 3 frames with masks (3–6), 1 marked not visible · marked not visible "
                                 "here (V)")
    panel.show_frame(4)
    assert panel.info.text().endswith("1 marked not visible · mask on this frame")
    panel.set_masks("accepted", LazyMasks({4: rle.to_blob(labels[4])}))  # one frame: said as one (a re-walk)
    assert panel.info.text() == "Person 76 · 1 frame with masks (4) · mask on this frame"


def test_empty_results_are_counted_apart_from_masks(playback):
    """An own-data walk's Play said "250 frames with masks (0–249)" of a person whose last 9 results were empty (as the
    export said: "9 empty masks left out"), and frame 245 then read "an empty mask on this frame"."""
    from app.segmentation.lazy_masks import LazyMasks
    from humanseg_core import rle

    panel, _view, _ = playback
    panel.set_person(76)
    results = {f: box(0, 0, 5, 5) for f in (3, 4, 5)}
    results[6] = np.zeros_like(results[3])
    panel.set_masks("results", LazyMasks({f: rle.to_blob(m) for f, m in results.items()}))
    panel.set_source("results")
    panel.show_frame(6)
    assert panel.info.text() == ("Person 76 · 3 frames with masks (3–5), 1 empty · an empty mask on this frame "
                                 "(nothing of the person found)")
