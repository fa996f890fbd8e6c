"""The Review view's overlays and info line: the mask in the person's colour with a thin outline, the fill turned
off (H), who stands in front, a steady layout; the counts' note on a network trained on pending proposals, which
never widens the dock."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import BoxScene, rect_mask
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from test_review import GREY, H, W

from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui


def test_h_turns_the_masks_fill_off_and_its_outline_stays(qtbot, panel):
    """A fill had hidden a raised leg of another person under a mask (a walk): H (or the Fill box) shows the
    image under the mask, the outline still drawn; H again fills it."""
    view = panel.view
    box = panel._record(panel.current_id).box
    inside = view.mapFromScene(QPointF((box[0] + box[2]) / 2, (box[1] + 2 * box[3]) / 3))
    edge = view.mapFromScene(QPointF(box[0] + 0.5, (box[1] + box[3]) / 2))

    def colours():
        QApplication.processEvents()
        img = view.viewport().grab().toImage()
        return img.pixelColor(inside).getRgb()[:3], img.pixelColor(edge).getRgb()[:3]

    filled, outline = colours()
    assert max(abs(c - GREY) for c in filled) > 20
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_H)
    assert not panel.fill_check.isChecked()
    plain, outline_now = colours()
    assert plain == (GREY, GREY, GREY) and outline_now == outline == view.mask_color
    from app.review.proposal_view import OUTLINE_ALONE_PX, OUTLINE_PX

    assert view._outline_item.pen().widthF() == OUTLINE_ALONE_PX > OUTLINE_PX  # the outline alone: wider
    panel.go_to(panel.current_id)  # another frame or the same: the fill stays off until turned on
    assert colours()[0] == (GREY, GREY, GREY)
    # the other persons' proposals lose their fill too (a walk: the neighbours' fills still tinted the overlap)
    others = view._others_item.pixmap().toImage()
    assert others.isNull() or all(others.pixelColor(x, y).alpha() in (0, 255)
                                  for x in range(0, others.width(), 3) for y in range(0, others.height(), 3))
    qtbot.keyClick(panel, Qt.Key.Key_H)
    assert panel.fill_check.isChecked() and colours()[0] == filled


def test_the_info_line_names_the_nearer_persons_whose_proposals_touch_the_mask(qtbot, project):
    """A walk saw a mask 58 % another person's with only '12 % nearly another person's' said; the Fix tab named
    'behind person 20', Review did not. Now Review names the nearer persons whose proposals touch the mask (the
    points alone named a true one for 46-74 % of the occluded persons, the touching proposals for 90-95 %)."""
    from app.review.review_panel import ReviewPanel

    touching = Proposal(frame=10, pid=3, box=(64, 40, 80, 95), mask=rect_mask((H, W), 64, 40, 80, 95),
                        source="bgs:test")
    project.add_proposals([touching])
    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}

    class Crowd(BoxScene):
        points = {2: (55.0, 60.0), 3: (72.0, 95.0)}  # 2: on person 1's body column, not touching; 3: touching

        def persons_at(self, frame):
            return {1: self.position_px(1, frame), **self.points}

    scene = Crowd(boxes, (H, W), GREY)
    w = ReviewPanel(project, scene)
    qtbot.addWidget(w)
    w.set_person(1)
    assert w._record(w.current_id).frame == 10
    assert "person 3 stands in front" in w.info.text()  # one name: 2's point is on the body, its mask apart
    scene.points = {2: (55.0, 60.0), 3: (72.0, 20.0)}  # 3 farther (its point higher): not in front
    w._front_of = (None, [])
    w._update_info(*w._info_of)
    assert "stands in front" not in w.info.text()
    # a frame where no other person has a proposal: the points on the body say it
    rec = next(p for p in w._props if p.frame == 30)
    project.set_status(next(p.id for p in project.proposals(2, with_masks=False) if p.frame == 30), "rejected")
    w.go_to(rec.id)
    assert "person 2 stands in front" in w.info.text()


def test_the_view_keeps_its_place_when_the_info_line_shortens(qtbot, panel):
    """A walk's second Refine click landed 7 px off: the info line had gone from three lines to two."""
    panel.info.setText("first line<br>second line<br>third line")
    QApplication.processEvents()
    before = panel.view.geometry()
    panel.info.setText("short")
    QApplication.processEvents()
    assert panel.view.geometry() == before


def test_a_network_trained_on_pending_proposals_is_noted(qtbot, panel, project):
    """A walk read "0/20 reviewed" for a person whose Whole scene network (Accept all) had trained on all 20."""
    panel.set_person(1)
    assert panel.counts.trained_label.text() == ""  # no network yet
    project.add_run(1, "osvos-parent", {"seconds": 30}, "a.pt")  # a Train tab run: reviewed labels only
    panel.refresh()
    assert panel.counts.trained_label.text() == ""
    panel.show()
    panel.layout().activate()
    narrowest = panel.minimumSizeHint().width()
    run = project.add_run(1, "osvos-parent", {"scene_run": True, "accept": "all"}, "b.pt")
    panel.refresh()
    assert panel.counts.trained_label.text() == f"run {run} trained on pending ones too"
    assert "Accept all" in panel.counts.trained_label.toolTip()
    panel.layout().activate()
    assert panel.minimumSizeHint().width() == narrowest  # it wraps: the dock is no wider (a walk: 28 px)
    panel.set_person(2)  # another person: its own runs
    assert panel.counts.trained_label.text() == ""
    panel.set_person(1)  # every proposal of person 1 decided since: nothing pending to have trained on (a walk)
    project.set_statuses([q.id for q in project.proposals(1, with_masks=False)], "accepted")
    panel.refresh()
    assert panel.counts.trained_label.text() == ""
    # a result Fix frame put up (pending until saved) is nothing the run trained on (a walk read the note there)
    from humanseg_core.workflows.labels import result_for_review

    result_for_review(project, 1, 15, project.proposals(1)[0].mask)
    panel.refresh()
    assert panel.counts.trained_label.text() == ""
    # a whole-scene run that recorded taking nothing unreviewed: no note whatever is pending now
    project.set_statuses([q.id for q in project.proposals(1, with_masks=False)][:1], "pending")
    project.add_run(1, "osvos-parent", {"scene_run": True, "accept": "all", "unreviewed_labels": 0}, "c.pt")
    panel.refresh()
    assert panel.counts.trained_label.text() == ""
    # a retrain of such a run on the fixes alone: it names the frames it took, none pending (a crowd walk read it)
    pending = [q.frame for q in project.proposals(1, with_masks=False) if q.status == "pending"]
    fixed = [q.frame for q in project.proposals(1, with_masks=False) if q.status != "pending"][:2]
    retrain = {"accept": "all", "train_frames": fixed, "holdout_frames": []}
    project.add_run(1, "osvos-parent", retrain, "d.pt")
    panel.refresh()
    assert panel.counts.trained_label.text() == ""
    run = project.add_run(1, "osvos-parent", {**retrain, "train_frames": fixed + pending[:1]}, "e.pt")
    panel.refresh()
    assert panel.counts.trained_label.text() == f"run {run} trained on pending ones too"


def test_persons_annotated_here_without_a_proposal_are_marked_at_their_points(qtbot, project):
    """A walk's proposal, a blob over three people skipped as hidden, showed none of them in Review: each other
    person annotated on the frame without a proposal there is marked by a ring in its colour at its point, with
    its id; Others hides them with the neighbours' proposals."""
    from app.colors import person_rgb
    from app.review.review_panel import ReviewPanel

    class Crowd(BoxScene):
        def persons_at(self, frame):
            return {1: self.position_px(1, frame), 7: (30.0, 100.0), 8: (-5.0, 10.0)}  # 7: annotated, no proposal
            # anywhere; 8: its point off the image, no ring

    boxes = {(p.pid, p.frame): p.box for p in project.proposals(with_masks=False)}
    w = ReviewPanel(project, Crowd(boxes, (H, W), GREY))
    qtbot.addWidget(w)
    w.resize(700, 600)
    w.show()
    w.set_person(1)
    view = w.view
    view.show_whole()
    centre = view.mapFromScene(QPointF(30.0, 100.0))
    ring = centre + type(centre)(4, 0)  # on the ring's right edge (its size is the screen's, at any zoom)

    def near_ring():
        QApplication.processEvents()
        img = view.viewport().grab().toImage()
        return [img.pixelColor(ring.x() + dx, ring.y() + dy).getRgb()[:3] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]

    colour = person_rgb(7)
    assert any(max(abs(a - b) for a, b in zip(px, colour)) < 40 for px in near_ring())
    labels = [item for item in view._labels if item.childItems()]
    assert [item.childItems()[0].text() for item in labels] == ["7"]
    view.set_fill(False)  # redrawn: the rings stay
    assert [item.childItems()[0].text() for item in view._labels if item.childItems()] == ["7"]
    w.others_check.setChecked(False)
    assert all(max(abs(c - GREY) for c in px) < 8 for px in near_ring())
    # a person with a proposal on the frame is drawn by it: no ring
    view._set_others([(2, None, (10, 10, 20, 30))], (H, W), {2: (15.0, 10.0), 7: (30.0, 100.0)})
    assert [item.childItems()[0].text() for item in view._labels if item.childItems()] == ["7"]


def test_a_result_to_fix_shows_the_neighbours_results_on_its_frame(qtbot, panel, project):
    """A crowd walk's Fix frame on a frame without proposals showed no other person, Others ticked: it could not
    see that the mask lay on a neighbour's head."""
    from humanseg_core.workflows.labels import result_for_review

    mine, theirs = np.zeros((H, W), bool), np.zeros((H, W), bool)
    mine[30:90, 40:64] = True
    theirs[30:90, 100:124] = True
    for pid, mask in ((1, mine), (2, theirs)):
        project.save_results(pid, project.add_run(pid, "osvos-lite", {}, f"{pid}.pt"), {15: mask})
    panel.scene.boxes.update({(1, 15): (40, 30, 64, 90), (2, 15): (100, 30, 124, 90), (3, 15): (0, 0, 4, 4)})
    far = np.zeros((H, W), bool)
    far[0:4, 150:160] = True  # person 3, in the corner: farther than 2, past the one neighbour decoded here
    panel.NEAR_PERSONS = 1
    project.save_results(3, project.add_run(3, "osvos-lite", {}, "3.pt"), {15: far})
    panel.scene.boxes[(3, 15)] = (150, 0, 160, 4)
    empty = project.add_run(3, "osvos-lite", {}, "3b.pt")  # person 3's newest: nothing on frame 15 (no crash)
    project.save_results(3, empty, {15: np.zeros((H, W), bool)})
    rid = result_for_review(project, 1, 15, mine)
    panel.refresh()
    panel.go_to(rid)
    drawn = {pid: (mask, box) for pid, mask, box in panel.view._others_drawn[0]}
    assert set(drawn) == {2} and np.array_equal(drawn[2][0], theirs) and drawn[2][1] == (100, 30, 124, 90)
    assert any(np.array_equal(m, theirs) for m, _s in panel._others_masks)  # Refine's prior takes it
    assert 2 in panel._others_by_pid  # who stands in front, for the info line
    panel.NEAR_PERSONS = 2
    panel.go_to(next(p.id for p in project.proposals(1, with_masks=False) if p.frame == 10))
    panel.go_to(rid)
    assert {pid for pid, _m, _b in panel.view._others_drawn[0]} == {2}  # 3's empty result: not drawn
    panel.go_to(next(p.id for p in project.proposals(1, with_masks=False) if p.frame == 10))
    assert {pid for pid, _m, _b in panel.view._others_drawn[0]} == {2}  # a proposal's neighbours: proposals


def test_mask_overlay_is_drawn(qtbot, panel):
    """In the person's colour, as Play draws the person (it was amber for everyone: a person beside one in
    yellow read as one person)."""
    from app.colors import person_rgb

    MASK_COLOR = person_rgb(panel.pid)
    assert MASK_COLOR != person_rgb(2) and panel.view.mask_color == MASK_COLOR
    view = panel.view
    QApplication.processEvents()
    img = view.viewport().grab().toImage()
    box = panel._record(panel.current_id).box
    inside = view.mapFromScene(QPointF((box[0] + box[2]) / 2, (box[1] + 2 * box[3]) / 3))
    outside = view.mapFromScene(QPointF(box[0] - 8, (box[1] + box[3]) / 2))
    c_in, c_out = img.pixelColor(inside), img.pixelColor(outside)
    assert (c_out.red(), c_out.green(), c_out.blue()) == (GREY, GREY, GREY)
    # tinted toward the person's colour
    assert all(abs(c - (0.55 * GREY + 0.45 * m)) < 6 for c, m in zip(c_in.getRgb()[:3], MASK_COLOR))
    assert max(abs(c - GREY) for c in c_in.getRgb()[:3]) > 20
    # the outline is drawn opaque in the mask colour
    edge = view.mapFromScene(QPointF(box[0] + 0.5, (box[1] + box[3]) / 2))
    c_edge = img.pixelColor(edge)
    assert (c_edge.red(), c_edge.green(), c_edge.blue()) == MASK_COLOR


def test_the_mask_outline_stays_thin_zoomed_in(qtbot, panel):
    """On 32 px people zoomed in, a ring one image pixel wide was several screen pixels and hid the limbs: the
    outline is a line of constant screen width."""
    MASK_COLOR = panel.view.mask_color
    view = panel.view
    box = panel._record(panel.current_id).box
    view.zoom_by(8.0 / view.zoom)
    view.centerOn(QPointF(box[0], (box[1] + box[3]) / 2))
    QApplication.processEvents()
    img = view.viewport().grab().toImage()
    left = view.mapFromScene(QPointF(box[0] + 0.5, (box[1] + box[3]) / 2))  # the mask's left edge
    near = [x for x in range(left.x() - 12, left.x() + 13)
            if sum(abs(a - b) for a, b in zip(img.pixelColor(x, left.y()).getRgb()[:3], MASK_COLOR)) < 40]
    assert 1 <= len(near) <= 3, f"the outline is {len(near)} screen px wide at zoom {view.zoom:.1f}"
