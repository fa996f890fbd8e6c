"""Review ▸ Label This Frame by Hand (Ctrl+Shift+L): a walk's person walked behind another and 12 of its 13
annotated frames were skipped; nothing let the analyst draw a label there."""

from __future__ import annotations

import pytest

from humanseg_core.records import Skip

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    """Two persons on frames 10-40, each with a proposal on frame 10 only; person 1's frames 20 and 30 were
    skipped as hidden behind person 2."""
    from test_review_loop import make_studio

    from humanseg_core.proposals import parent_masks

    # the network the first click would use, loaded in the background when a hand label opens: not here
    monkeypatch.setattr(parent_masks, "shared_parent", lambda path=None: None)
    window, ctrl = make_studio(qtbot, tmp_path, monkeypatch, proposed=(10,))
    ctrl.project.add_skips([Skip(20, 1, "hidden behind person 2"), Skip(30, 1, "hidden behind person 2")])
    ctrl.panel.refresh()
    return window, ctrl


def test_a_skipped_frame_is_labelled_by_hand(qtbot, studio, monkeypatch):
    from humanseg_core.proposals import parent_masks

    loads = []
    monkeypatch.setattr(parent_masks, "shared_parent", lambda path=None: loads.append(path))  # loaded ahead
    window, ctrl = studio
    window.select_person(1)
    window.set_frame(20)
    assert ctrl.act_label_here.shortcut().toString() == "Ctrl+Shift+L"
    ctrl.act_label_here.trigger()
    panel = ctrl.panel
    rec = panel.current_record()
    assert panel.editing and rec.frame == 20 and rec.pid == 1 and rec.source == "hand" and rec.status == "pending"
    assert not panel.editor.current_mask().any()  # empty: drawn by the analyst
    assert panel.editor.tool == "refine"  # a click in the person gives the parent's mask of it
    qtbot.waitUntil(lambda: loads == [None], timeout=5000)  # loaded while the analyst looks (a walk waited 5-10 s)
    # the view is centred on the person's expected body, not on its track point (a feet point: half grey)
    u, top, bottom = panel._edit_context()[2].own
    centre = panel.view.mapToScene(panel.view.viewport().rect().center())
    assert abs(centre.y() - (top + bottom) / 2) <= 0.1 * (bottom - top) and abs(centre.x() - u) <= 0.1 * (bottom - top)
    panel.editor.mask[60:90, 40:50] = 1
    panel.editor.save()
    saved = ctrl.project.get_proposal(rec.id)
    assert saved.status == "edited" and saved.mask[60:90, 40:50].all() and saved.mask.sum() == 300
    from humanseg_core.workflows.scene_config import AcceptPolicy, labels_from_proposals

    labels, _ = labels_from_proposals(ctrl.project.proposals(1), AcceptPolicy.parse("reviewed"))
    assert set(labels) == {20}  # the drawn frame is a label; the proposal of frame 10 is still pending


def test_a_hand_label_left_without_a_stroke_is_not_kept(qtbot, studio):
    """A walk left the editor without drawing: the empty mask stayed pending and came first for W (score 0)."""
    window, ctrl = studio
    window.select_person(1)
    window.set_frame(30)
    ctrl.act_label_here.trigger()
    panel = ctrl.panel
    assert panel.current_record().source == "hand"
    said = []
    panel.message.connect(said.append)
    panel.toggle_edit()  # Leave edit, nothing drawn
    assert [p.frame for p in ctrl.project.proposals(1, with_masks=False)] == [10]
    assert panel.current_record().frame == 10 and "no label kept" in said[-1]
    assert [s.frame for s in ctrl.project.skips() if s.pid == 1] == [20, 30]  # still said to be skipped


def test_an_empty_hand_label_is_never_accepted_in_bulk_nor_trained_on(qtbot, studio):
    """One left behind (the studio quit while it was open): neither a label nor a suspect for W."""
    from humanseg_core.workflows.labels import hand_label
    from humanseg_core.workflows.scene_config import AcceptPolicy, labels_from_proposals

    window, ctrl = studio
    hand_label(ctrl.project, 1, 30, window.scene.frames.read(30).shape[:2])
    panel = ctrl.panel
    panel.refresh()
    panel.set_person(1)
    panel.next_suspect()
    assert panel.current_record().frame == 10  # W skips it
    panel.confirm_bulk = lambda n: True
    assert panel.accept_remaining() == 1  # frame 10's proposal only
    statuses = {p.frame: (p.source, p.status) for p in ctrl.project.proposals(1, with_masks=False)}
    assert statuses == {10: ("bgs:test", "accepted"), 30: ("hand", "pending")}
    labels, _ = labels_from_proposals(ctrl.project.proposals(1), AcceptPolicy.parse("all"))
    assert set(labels) == {10}  # the empty mask is no label


def test_it_says_what_is_missing(qtbot, studio):
    window, ctrl = studio
    said = []
    window.statusBar().messageChanged.connect(said.append)
    window.select_person(None)
    ctrl.act_label_here.trigger()
    assert said and "Select a person first" in said[-1]
    window.select_person(1)
    window.set_frame(10)
    ctrl.act_label_here.trigger()  # it has a proposal here: that one opens in the editor
    assert ctrl.panel.editing and ctrl.panel.current_record().source == "bgs:test"


def test_saving_a_hand_label_without_a_stroke_says_only_that_none_is_kept(qtbot, studio):
    """A review: Ctrl+S on an empty hand label removed it, then said the mask was 'unchanged: it stays pending (A
    accepts it as proposed)' while another frame was shown."""
    window, ctrl = studio
    window.select_person(1)
    window.set_frame(30)
    ctrl.act_label_here.trigger()
    panel = ctrl.panel
    said = []
    panel.message.connect(said.append)
    panel.editor.save()
    assert not panel.editing and panel.current_record().frame == 10
    assert "no label kept" in said[-1] and not any("unchanged" in s for s in said)
