"""A box that picks which training run's segmentation results are shown or exported for one person.

Play (and with it Quality and Export MP4) and Project ▸ Export Masks use a person's newest run that has
stored results and finished (a whole-scene run cancelled half-way is used only when it is all there is, ADR
0011), listed first, unless the analyst picks another here: an earlier, complete run kept after retraining,
or the partial results of a cancelled run.  Each run is named by
:func:`humanseg_core.export.runs.run_label` (id, when, frames stored, steps, seconds, hold-out J, "cancelled
or failed, N frames").  Filling the box reads counts only: no mask is decoded.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QSizePolicy, QStyle, QStyleOptionComboBox, QStylePainter

from humanseg_core.export.runs import RunChoice

ABOUT = ("Which training run's results: by default the newest run that finished (listed first); an earlier one kept "
         "after retraining, or a cancelled run's partial results, can be picked")


class RunPicker(QComboBox):
    """``set_choices(choices, run_id)`` fills it (no signal); ``run_picked(run id)`` when the analyst picks."""

    run_picked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)  # long labels elide in a narrow dock; the list shows them whole
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(ABOUT)
        self._choices: list[RunChoice] = []
        self.currentIndexChanged.connect(self._picked)
        # the chosen run's whole label on hover: a narrow dock elides it (a walk read "…(111 new, 39 from run #6) · 1")
        self.currentIndexChanged.connect(lambda _i: self.setToolTip(f"{self.currentText()}\n\n{ABOUT}"
                                                                    if self._choices else ABOUT))

    def set_choices(self, choices: Sequence[RunChoice], run_id: int | None = None, empty: str = "no results") -> None:
        """The runs to offer (newest first) with ``run_id`` selected (default: the first); ``empty``: the text
        shown, disabled, when there is none."""
        self.blockSignals(True)
        try:
            self.clear()
            self._choices = list(choices)
            for choice in self._choices:
                self.addItem(choice.label, choice.run_id)
                self.setItemData(self.count() - 1, choice.label, Qt.ItemDataRole.ToolTipRole)  # the whole label
            if not self._choices:
                self.addItem(empty, None)
            index = self.findData(run_id) if run_id is not None else -1
            self.setCurrentIndex(index if index >= 0 else 0)
            self.setToolTip(f"{self.currentText()}\n\n{ABOUT}" if self._choices else ABOUT)
            self.setEnabled(bool(self._choices))
            view = self.view()  # the open list shows each label whole, wider than the box when it has to be
            view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 16)
        finally:
            self.blockSignals(False)

    def _label_option(self) -> tuple[QStyleOptionComboBox, int]:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        return opt, field.width()

    def shown_text(self) -> str:
        """The label as drawn: elided with "…" where the box is too narrow (a walk read "hold-out J 0.7" for 0.717,
        the label clipped in the middle of a number)."""
        _opt, width = self._label_option()
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideRight, max(0, width))

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        opt, _width = self._label_option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)

    def choices(self) -> list[RunChoice]:
        return list(self._choices)

    def run_id(self) -> int | None:
        """The run picked (None: no run with results)."""
        data = self.currentData()
        return None if data is None else int(data)

    def is_newest(self) -> bool:
        """True when the default run (listed first) is picked, or there is none."""
        return self.currentIndex() <= 0

    def pick(self, run_id: int) -> bool:
        """Pick ``run_id`` as the analyst would (emits ``run_picked``); False when it is not offered."""
        index = self.findData(int(run_id))
        if index < 0:
            return False
        self.setCurrentIndex(index)
        return True

    def _picked(self, index: int) -> None:
        data = self.itemData(index) if index >= 0 else None
        if data is not None:
            self.run_picked.emit(int(data))
