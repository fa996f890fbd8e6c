"""The Fix tab's controls (``correction_panel.CorrectionPanel``): Rank, Fix frame, Looks right, Retrain from here,
the retrain budget and the zoom box, made as attributes of the panel (which wires their signals: tests/
test_qt_slots.py checks those connections where they are made)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def add_controls(panel, lay: QVBoxLayout, retrain: str, seconds: float) -> None:
    """Add the Fix tab's button row and budget row to ``lay``; ``retrain``: the retrain button's text,
    ``seconds``: the budget's starting value."""
    row = QHBoxLayout()
    panel.refresh_btn = QPushButton("Rank")
    panel.refresh_btn.setToolTip("Rank the result frames of the run Play shows (its Run box): area and height "
                                 "jumps, masks unlike the frames either side, distance from the track point, pieces")
    panel.fix_btn = QPushButton("Fix frame")
    panel.fix_btn.setToolTip("Open this result frame in the review editor; once saved it is an accepted, "
                             "edited label (double-click or Enter on a frame does the same)")
    panel.fix_btn.setEnabled(False)  # until a ranked frame is chosen (a walk found it enabled on an empty list)
    panel.checked_btn = QPushButton("Looks right")  # a flagged frame the analyst checked (a walk could not say
    panel.checked_btn.setToolTip("This result frame is right as it is: it goes to the end of this run's "  # so)
                                 "ranking, marked, and stays there when the run is ranked again")
    panel.checked_btn.setEnabled(False)
    panel.retrain_btn = QPushButton(retrain)
    panel.retrain_btn.setToolTip("Resume the latest checkpoint on the labels with your fixes (after a Whole "
                                 "scene run: what its Accept took, pending proposals included), then "
                                 "re-segment only the span the fixes affect, as that run did (the earlier run "
                                 "is kept to compare)")
    for b in (panel.refresh_btn, panel.fix_btn, panel.checked_btn, panel.retrain_btn):
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Tab reaches them, a click leaves the keys where they were (a
        # keyboard walk could press none of them: they had no focus at all, and no key)
        row.addWidget(b)
    lay.addLayout(row)
    budget = QHBoxLayout()
    budget.addWidget(QLabel("Retrain budget"))
    panel.seconds = QDoubleSpinBox(minimum=1, maximum=3600, value=seconds, suffix=" s", decimals=0)
    budget.addWidget(panel.seconds)
    budget.addStretch(1)
    # the view follows the ranked result (small persons: at full frame a walk found a 32 px person's mask
    # under its marker ring, and this tab had no zoom)
    panel.zoom = QCheckBox("zoom on person")
    panel.zoom.setChecked(True)
    budget.addWidget(panel.zoom)
    lay.addLayout(budget)


def fix_buttons(panel, ranked: bool | None = None) -> None:
    """Fix frame and Looks right: on for a ranked row (``ranked``; None: the list's current row), off while a
    retrain runs (a walk's fix saved then was left out of the retrain, and the row dropped from the new ranking)."""
    if ranked is None:
        item = panel.list.currentItem()
        ranked = item is not None and item.data(Qt.ItemDataRole.UserRole) is not None
    worker = panel._worker
    for b in (panel.fix_btn, panel.checked_btn):
        b.setEnabled(bool(ranked) and not (worker is not None and worker.name != "Ranking"))  # (the retrain)


def retrain_refusal(panel, project, pid: int) -> tuple[list[int], str]:
    """(the person's fixed or edited frames, why Retrain from here does not start or ""): not without a fix, nor
    while an edit is open in Review (a review: a fix saved during the retrain was left out of it)."""
    if getattr(panel.review.panel, "editing", False):
        return [], ("An edit is open in the Review tab: save it (Ctrl+S) or leave it (Esc) first, so that the retrain "
                    "takes it")
    fixed = sorted({p.frame for p in project.proposals(pid, status="edited", with_masks=False)})  # Review's too
    if not fixed:
        return [], (f"Person {pid} has no fixed or edited mask: fix a result frame first (Fix frame) or edit its "
                    "proposals in the Review tab, then retrain from here")
    return fixed, ""
