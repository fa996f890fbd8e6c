"""Review and another process on one project: a decision, or its undo, leaves a proposal decided elsewhere
meanwhile as it is, and says so (ADR 0033; split from test_review.py)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from test_review import _statuses, review_panel, review_project  # noqa: E402

from humanseg_core.project import Project  # noqa: E402


@pytest.fixture
def panel_and_project(qtbot, tmp_path):
    """The Review panel on person 1 of ``test_review``'s two-person project, and that project."""
    made = review_project(tmp_path)
    project = next(made)
    yield review_panel(qtbot, project), project
    made.close()


def test_a_decision_made_elsewhere_meanwhile_is_left_as_it_is_and_said(qtbot, panel_and_project):
    """An audit: with Review open, `humanseg decide --reject-all --frames 20` ran in another process; Shift+A then
    accepted frame 20 from the panel's cached statuses, and Ctrl+Z made it pending: the reject was lost."""
    panel, project = panel_and_project
    said = []
    panel.message.connect(said.append)
    with Project.open(project.folder) as other:  # another process's connection to the same store
        rid = next(p.id for p in other.proposals(1, with_masks=False) if p.frame == 20)
        other.set_status(rid, "rejected")
    panel.confirm_bulk = lambda n: True
    panel.accept_remaining()
    assert _statuses(project.folder, 1) == {10: "accepted", 20: "rejected", 30: "accepted", 40: "accepted"}
    qtbot.waitUntil(lambda: any("elsewhere meanwhile" in s for s in said))
    assert said[-1] == "Frame 20 was rejected elsewhere meanwhile (a command, another window)"
    panel.undo()
    assert _statuses(project.folder, 1) == {10: "pending", 20: "rejected", 30: "pending", 40: "pending"}
    with Project.open(project.folder) as other:  # decided elsewhere again, after a redo: undo leaves it too
        panel.redo()
        other.set_status(rid, "pending")
        other.set_status(next(p.id for p in other.proposals(1, with_masks=False) if p.frame == 30), "rejected")
    panel.undo()
    assert _statuses(project.folder, 1) == {10: "pending", 20: "pending", 30: "rejected", 40: "pending"}


def test_an_undo_leaves_a_decision_made_elsewhere_to_the_same_status(qtbot, panel_and_project):
    """A review: another process accepted a proposal the panel showed pending; Shift+A left it, but Ctrl+Z set it
    back to pending, and the other process's accept was lost."""
    panel, project = panel_and_project
    with Project.open(project.folder) as other:
        rid = next(p.id for p in other.proposals(1, with_masks=False) if p.frame == 30)
        other.set_status(rid, "accepted")
    panel.confirm_bulk = lambda n: True
    panel.accept_remaining()
    panel.undo()
    assert _statuses(project.folder, 1) == {10: "pending", 20: "pending", 30: "accepted", 40: "pending"}


def test_a_key_decision_refused_as_made_elsewhere_stays_on_its_frame(qtbot, panel_and_project):
    """A walk: `humanseg decide --reject-all --frames` on the frame in view, then A: the reject stood, but the panel
    moved on as if accepted, with a status line cut in the middle."""
    panel, project = panel_and_project
    said = []
    panel.message.connect(said.append)
    shown = panel.current_id
    with Project.open(project.folder) as other:
        other.set_status(shown, "rejected")
    panel.accept()
    assert _statuses(project.folder, 1)[10] == "rejected"
    assert panel.current_id == shown and panel._record(shown).status == "rejected"
    qtbot.waitUntil(lambda: bool(said) and "elsewhere" in said[-1])
    assert said[-1] == "Frame 10 was rejected elsewhere meanwhile (a command, another window)"
    assert not panel.undo_stack.canUndo()  # nothing was done: nothing to undo (a data-safety walk's Ctrl+Z said
    panel.undo()  # "Undo: accept frame 5300", an accept that never happened)
    assert said[-1] == "Nothing to undo" and _statuses(project.folder, 1)[10] == "rejected"
    panel.accept()  # the analyst's second word: taken
    assert _statuses(project.folder, 1)[10] == "accepted" and panel.current_id != shown

