"""Review: whom it opens on, and what it draws of the neighbours (split from test_review.py)."""


def test_a_neighbours_rejected_proposal_is_not_drawn_as_a_live_one(qtbot, project, panel):
    """A crowd walk rejected all of person 277's proposals; reviewing 272 then still drew 277's rejected mask in
    its colour, labelled, as if it were that person's."""
    frame = 10
    theirs = next(p for p in project.proposals(2) if p.frame == frame)
    mine = next(p.id for p in project.proposals(1) if p.frame == frame)
    panel.go_to(mine)
    assert 2 in {o[0] for o in panel.view._others_drawn[0]}
    project.set_status(theirs.id, "rejected")
    panel.set_person(2)
    panel.set_person(1)
    panel.go_to(mine)
    assert 2 not in {o[0] for o in panel.view._others_drawn[0]}


def test_a_project_opens_on_the_person_with_most_to_review():
    """A fresh clone's demo opened on person 1, cut by the frame's top edge on its first proposal (19 pending),
    where person 2 walks the whole clip (20)."""
    from app.review.status_counts import first_with_work

    class Counts:
        def __init__(self, pending):
            self.pending = pending

        def counts_by_pid(self):
            return {p: {"pending": n} for p, n in self.pending.items()}

    assert first_with_work(Counts({1: 19, 2: 20, 3: 20}), [1, 2, 3]) == 2
    assert first_with_work(Counts({1: 0, 2: 0}), [1, 2]) == 1  # nothing to review: the first
    assert first_with_work(Counts({}), []) is None


def test_the_end_of_a_queue_without_pending_ones_says_they_are_hidden(qtbot, panel):
    """A crowd re-walk hid the pending proposals with the chips: J then said "End of the queue" while 11 were
    pending."""
    said = []
    panel.message.connect(said.append)
    panel.accept()  # frame 10 accepted: one shown once pending is hidden
    panel.counts.buttons["pending"].setChecked(False)
    panel.next_pending()
    assert said[-1] == "End of the queue shown (3 pending hidden: the Pending chip shows them)"


def test_the_filmstrip_selection_follows_the_proposal_shown(qtbot, project, panel):
    """A crowd re-walk clicked the thumbnail of frame 10340, then moved on with the keys: 10340 kept the list's
    selection tint and underline beside the proposal shown."""
    strip = panel.filmstrip
    first, second = (p.id for p in sorted(project.proposals(1, with_masks=False), key=lambda p: p.frame)[:2])
    strip.setCurrentItem(strip._items[first])  # as a click leaves it
    panel.go_to(second)
    assert [int(i.data(256)) for i in strip.selectedItems()] == [second]
