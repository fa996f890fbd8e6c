"""The Review counts' note on a network trained on pending proposals: when it shows, and that it never widens
the dock."""

from __future__ import annotations

import pytest
from test_review import review_panel, review_project

pytestmark = pytest.mark.gui


@pytest.fixture
def project(tmp_path):
    yield from review_project(tmp_path)


@pytest.fixture
def panel(qtbot, project):
    return review_panel(qtbot, project)


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
