"""The Persons table follows the open project: each person's pending proposals, labels, trained networks and
result frames.

Counts only (three grouped queries of the store, nothing decoded), read again shortly after anything that
changes them: a project opened or closed, a decision or saved edit, new proposals or imported masks,
segmentation results stored (Segment tab, a Fix-tab retrain, a Whole scene run). Bursts (accept all
remaining) are read once.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from humanseg_core.workflows.label_changes import retrain_due
from humanseg_core.workflows.project_status import Status, person_status, status_totals

__all__ = ["Status", "install_person_status", "person_status", "status_totals"]


def install_person_status(window, review, seg, scene) -> QTimer:
    """Keep ``window.person_panel`` showing the open project's counts; returns the coalescing timer."""
    timer = QTimer(window, singleShot=True, interval=0)

    def update() -> None:
        try:
            counts = review.project.counts_by_pid() if review.project is not None else None  # read once
            few: dict[int, int] = {}
            trained_on: dict[int, tuple[int, str]] = {}
            since: dict[int, tuple[int, str, str]] = {}
            status = person_status(review.project, counts, few, trained_on, since)
            totals = status_totals(counts)
            edited = {int(p): int(c.get("edited", 0)) for p, c in (counts or {}).items() if c.get("edited")}
        except Exception:  # a closed or unreadable store: the table says nothing rather than something stale
            status, totals, few, trained_on, edited, since = None, None, {}, {}, {}, {}
        model = window.person_panel.model
        marked = (bool(model.edited), bool(model.changed))
        try:  # those status sends to "retrain": not those an export or a newer network took in (a review)
            changed = retrain_due(review.project, since) if since and review.project is not None else {}
        except Exception:
            changed = {}
        window.person_panel.model.set_status(status, few, trained_on, edited, changed)
        if (bool(edited), bool(changed)) != marked:  # Agree and Labels as wide as their marked cells, or no wider
            window.person_panel._fit_columns()
        window.person_panel.set_totals(totals)

    timer.timeout.connect(update)
    later = lambda *_: timer.start()  # noqa: E731
    review.project_changed.connect(later)
    review.panel.status_changed.connect(later)
    review.proposals_changed.connect(later)
    seg.segment.results_saved.connect(later)
    seg.results_changed.connect(later)  # a restore too (a re-walk's Persons table kept the replaced count)
    review.correction.retrained.connect(later)
    scene.run_ended.connect(later)
    scene.agreement_measured.connect(later)  # after a cancel, in the background (app.scene_agree)
    # what another program or the window's own jobs write (a walk's `humanseg run` on the open project: the table
    # read Results 0 after it) is told by the window's one poll of the project (app.outside_changes), connected
    # in app.panels
    update()
    return timer
