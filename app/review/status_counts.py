"""Counts of one person's proposals per status, and a filter by status (toggle buttons).

The status colours live here and are shared by the filmstrip and the review panel.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from humanseg_core.records import STATUSES

from ..flow_layout import FlowLayout

STATUS_COLORS = {
    "pending": QColor(150, 150, 150),
    "accepted": QColor(40, 170, 70),
    "rejected": QColor(210, 50, 50),
    "edited": QColor(50, 120, 230),
}


def text_on(color: QColor) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG contrast: a keyboard walk measured white on the
    pending grey at 2.96:1 and on the accepted green at 3.03:1)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF())
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def count_statuses(proposals) -> dict[str, int]:
    """{status: n} over every status (zeros included) for a list of Proposal records."""
    c = Counter(p.status for p in proposals)
    return {s: c.get(s, 0) for s in STATUSES}


class StatusCounts(QWidget):
    """One toggle button per status showing its count; the checked ones form the filter."""

    filter_changed = Signal(object)  # frozenset of statuses shown

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = FlowLayout(self, spacing=4)  # wraps in a narrow dock instead of widening it
        self.total_label = QLabel()
        # as wide as "999/999 reviewed" at once: the chips after it kept moving sideways between persons
        self.total_label.setMinimumWidth(self.total_label.fontMetrics().horizontalAdvance("999/999 reviewed") + 2)
        lay.addWidget(self.total_label)
        self.buttons: dict[str, QToolButton] = {}
        for status in STATUSES:
            b = QToolButton(checkable=True, checked=True)
            b.setToolTip(f"Show {status} proposals (click to hide them)")
            b.toggled.connect(self._toggled)
            self.buttons[status] = b
            lay.addWidget(b)
        self.skips_label = QLabel()
        self.skips_label.setStyleSheet("color: #d08000;")
        lay.addWidget(self.skips_label)
        self.hidden_label = QLabel()  # frames marked not visible (V): edited, counted apart (a walk read "edited 2"
        self.hidden_label.setStyleSheet("color: #8a8a8a;")  # for one edit and one V)
        self.hidden_label.setToolTip("Frames marked not visible (V): empty labels, among the edited ones; runs "
                                     "give no mask there and exports leave them out")
        lay.addWidget(self.hidden_label)
        self.trained_label = QLabel()  # a network trained on pending proposals too (a Whole scene, --accept all)
        self.trained_label.setStyleSheet("color: #8a8a8a;")
        self.trained_label.setWordWrap(True)  # two lines where the row is narrow: it had widened the dock by 28 px
        lay.addWidget(self.trained_label)
        self.counts = {s: 0 for s in STATUSES}
        self._paint_buttons()

    def set_counts(self, counts: dict[str, int], hidden: int = 0) -> None:
        """The counts by status; ``hidden``: the frames marked not visible (V), said beside them."""
        self.counts = {s: int(counts.get(s, 0)) for s in STATUSES}
        self.hidden_label.setText(f"({hidden} not visible)" if hidden else "")
        self._paint_buttons()

    def _hold_height(self) -> None:
        """The rows the counts need at this width, and never fewer while the width stays: a walk saw the
        proposal view jump a row up and down between persons as a skipped count came and went."""
        need = self.layout().heightForWidth(max(1, self.width()))
        if need > self.minimumHeight():
            self.setMinimumHeight(need)

    def resizeEvent(self, event) -> None:  # (Qt) another width: the rows it needs, afresh
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.setMinimumHeight(0)
            self._hold_height()

    def _paint_buttons(self) -> None:
        total = sum(self.counts.values())
        done = total - self.counts["pending"]
        self.total_label.setText(f"{done}/{total} reviewed")
        for status, b in self.buttons.items():
            c = STATUS_COLORS[status]
            on = b.isChecked()
            bg = c.name() if on else "transparent"
            fg = text_on(c) if on else c.name()
            b.setStyleSheet(  # its focus seen too (its own sheet had hidden the window's: a re-walk)
                f"QToolButton {{ background: {bg}; color: {fg}; border: 1px solid {c.name()};"
                f" border-radius: 3px; padding: 1px 6px; }} QToolButton:focus {{ border: 1px solid #b8d4ff; }}")
            # as wide as "accepted 99" whatever the count: the pills had reflowed, and the buttons under them
            # moved, as counts grew from one digit to two while the analyst reviewed (a walk)
            b.setText(f"{status} 99")
            b.setMinimumWidth(b.sizeHint().width())
            b.setText(f"{status} {self.counts[status]}")
        self._hold_height()

    def set_person(self, project, pid: int | None) -> None:
        """The skips of ``pid`` and, when its newest network trained on proposals nobody reviewed, a note."""
        self.set_skips(project.skips(pid) if project is not None and pid is not None else [])
        note, tip = unreviewed_note(project, pid) if project is not None and pid is not None else ("", "")
        self.trained_label.setText(note)
        self.trained_label.setToolTip(tip)
        self._hold_height()

    def set_skips(self, skips) -> None:
        """Annotated frames without a proposal (Skip records): a count, the reasons in the tooltip."""
        skips = list(skips)
        self.skips_label.setText(f"{len(skips)} skipped" if skips else "")
        lines = [f"frame {s.frame}: {s.reason}" for s in sorted(skips, key=lambda s: s.frame)[:40]]
        if len(skips) > 40:
            lines.append(f"… and {len(skips) - 40} more")
        self.skips_label.setToolTip("Annotated frames with no proposal:\n" + "\n".join(lines) + "\n\nOn one of "
                                    "them, Review ▸ Label This Frame by Hand (Ctrl+Shift+L) draws a label"
                                    if skips else "")
        self._hold_height()

    @property
    def shown(self) -> frozenset:
        return frozenset(s for s, b in self.buttons.items() if b.isChecked())

    def set_shown(self, statuses) -> None:
        statuses = set(statuses)
        for s, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(s in statuses)
            b.blockSignals(False)
        self._paint_buttons()
        self.filter_changed.emit(self.shown)

    def show_quietly(self, status: str) -> None:
        """The chip of ``status`` on, without ``filter_changed``: the caller refilters its queue itself."""
        button = self.buttons[status]
        button.blockSignals(True)
        button.setChecked(True)
        button.blockSignals(False)
        self._paint_buttons()

    def _toggled(self, _checked: bool) -> None:
        self._paint_buttons()
        self.filter_changed.emit(self.shown)


def first_with_work(project, pids: list[int]) -> int | None:
    """The one of ``pids`` with the most proposals to review (the first of them on a tie), else the first (a walk
    opened a project on a person fully done; a fresh clone's demo opened on person 1, cut by the frame's top edge
    on its first proposal, where person 3 walks the whole clip)."""
    counts = project.counts_by_pid() if project is not None else {}
    pending = {p: counts.get(p, {}).get("pending", 0) for p in pids}
    most = max(pending.values(), default=0)
    return next((p for p in pids if most and pending[p] == most), pids[0] if pids else None)


def unreviewed_note(project, pid: int) -> tuple[str, str]:
    """(short note, tooltip) when the newest network of ``pid`` was trained on its pending proposals as well
    (a Whole scene run, Accept all or score>=): a walk read "0/20 reviewed" and "Labels 0" for a person whose
    network had trained on all 20, and could not see why a retrain on its fixes alone did worse."""
    from humanseg_core.workflows.correction import retrain_policy
    from humanseg_core.workflows.labels import CORRECTION_SOURCE

    runs = [r for r in project.runs(pid) if r.get("checkpoint")]
    policy = retrain_policy(runs[-1])[0] if runs else None  # what a retrain from it would train on
    if policy is None or (runs[-1].get("params") or {}).get("unreviewed_labels") == 0:  # it took none unreviewed
        return "", ""  # (a walk read the note for a person fully reviewed when the run trained)
    # pending now, a result put up by Fix frame aside (a walk read the note beside the correction it had opened)
    rows = project.proposals(pid, with_masks=False)
    pending = {p.frame for p in rows if p.status == "pending" and p.source != CORRECTION_SOURCE}
    if not pending:
        return "", ""  # (a walk read the note for a person whose proposals were all decided)
    params = runs[-1].get("params") or {}
    took = params.get("train_frames"), params.get("holdout_frames")
    if all(isinstance(t, list) for t in took):  # the frames it trained on: pending ones among them, not labelled
        labelled = {p.frame for p in rows if p.status in ("accepted", "edited")}  # since (a crowd walk's retrain on
        if not (set(took[0]) | set(took[1])) & (pending - labelled):  # its 2 fixes alone read the note)
            return "", ""
    accept = str(policy)
    return (f"run {runs[-1]['id']} trained on pending ones too",
            f"The network of run {runs[-1]['id']} was trained on this person's proposals as a Whole scene run "
            f"with Accept {accept} took them: the pending ones as well, unreviewed. Reviewing them (accept, reject, "
            "fix) changes what the next training or Retrain from here uses.")
