"""The Review view's overlays and info line: the fill turned off (H), who stands in front, a steady layout."""

from __future__ import annotations

import pytest
from fakes import BoxScene, rect_mask
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from test_review import GREY, H, W, review_panel, review_project

from humanseg_core.records import Proposal

pytestmark = pytest.mark.gui


@pytest.fixture
def project(tmp_path):
    yield from review_project(tmp_path)


@pytest.fixture
def panel(qtbot, project):
    return review_panel(qtbot, project)


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
