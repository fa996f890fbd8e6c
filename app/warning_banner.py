"""The yellow banner above the video: the inputs' warnings, and a frame offset that puts the annotations on the
video offered as one click (a walk had to open File ▸ Open… again to apply the offset the banner named)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QWidget

#: Narrower than this, the offset button goes under the text (beside it, a 330 px wide video area had wrapped
#: the text into a column taller than the video)
STACK_BELOW = 560
PIXELS_NOTE = "they look like pixels, not metres"  # scene_hints.pixel_hint's words


#: a command-line option named beside the Open dialog's field that sets the same (the studio's words are the field's)
_OPTION_BESIDE_FIELD = re.compile(r"--[a-z][a-z-]*(?: [^,;()\s]+)?, (?=[A-Z][^,;()]* in the Open dialog)")
#: ... named before its value and the field in brackets ("try --h-order uv (Homography pixel order in the Open dialog)")
_OPTION_BEFORE_VALUE = re.compile(r"--[a-z][a-z-]* (?=[^,;()\s]+ \([A-Z][^,;()]* in the Open dialog\))")
#: ... named after the field for a command ("(Frame offset in the Open dialog; --frame-offset 25 in a command)")
_OPTION_IN_COMMAND = re.compile(r"(?<= in the Open dialog); --[a-z][a-z-]*(?: [^,;()\s]+)? in a command")
#: ... a command offered after the studio's menu entry ("File ▸ Use a Homography File… or `relocate --homography`")
_COMMAND_AFTER_MENU = re.compile(r"(?<=…) or `[^`]+`")


def _sentence(note: str) -> str:
    """``note`` as a sentence: its first letter capitalised, unless it begins with a file's name (a walk read
    "Crowds_zara02.txt runs beyond the video"); an option named beside the Open dialog's field left out (a walk's
    misfit warning took 7 lines above the video at 1280x800)."""
    for option in (_OPTION_BESIDE_FIELD, _OPTION_BEFORE_VALUE, _OPTION_IN_COMMAND, _COMMAND_AFTER_MENU):
        note = option.sub("", note)
    first = note.split(" ", 1)[0]
    return note[:1].upper() + note[1:] if first.isalpha() else note


class WarningBanner(QWidget):
    """``label`` holds the warnings, ``offset_button`` the offered frame offset; ``offset_chosen(offset)``."""

    offset_chosen = Signal(int)
    order_chosen = Signal(str)  # the homography's other pixel order ("uv" or "rowcol"), offered by the fit check
    pixels_chosen = Signal()  # the trajectory positions read as the video's pixels (an identity homography)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="warningBox", visible=False)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # a subclass paints its sheet's background
        self.setStyleSheet("QWidget#warningBox { background:#f5d90a; }")  # only so (the box had been yellow whole)
        self.label = QLabel(objectName="warningBanner", wordWrap=True)
        self.label.setStyleSheet("background:#f5d90a; color:#1c1c1c; padding:6px 10px; font-weight:600;")
        self.offset_button = QPushButton(visible=False)
        self.offset_button.setToolTip("Open these files again with this frame offset (File ▸ Open… sets it too)")
        self.offset_button.clicked.connect(self._chosen)
        self.offset: int | None = None
        self.order_button = QPushButton(visible=False)
        self.order_button.setToolTip("Open these files again with the homography read in this pixel order "
                                     "(Homography pixel order in File ▸ Open… sets it too)")
        self.order_button.clicked.connect(lambda: self.order and self.order_chosen.emit(self.order))
        self.order: str | None = None
        # positions that look like the video's pixels (scene_hints.pixel_hint): read them so in one click (a walk
        # had to write an identity homography file by hand)
        self.pixels_button = QPushButton("Read the positions as pixels", visible=False)
        self.pixels_button.setToolTip("Open these files again with an identity homography: the trajectory's x, y "
                                      "are the video's column and row")
        self.pixels_button.clicked.connect(self.pixels_chosen.emit)
        self.notes: list[str] = []
        self.generation = 0
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self, spacing=6)
        self.row.setContentsMargins(0, 0, 8, 0)
        self.row.addWidget(self.label, 1)
        self.row.addWidget(self.offset_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.row.addWidget(self.order_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.row.addWidget(self.pixels_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        narrow = event.size().width() < STACK_BELOW
        if narrow == (self.row.direction() == QBoxLayout.Direction.TopToBottom):
            super().resizeEvent(event)  # the layout holds already: not invalidated on every resize
            return
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        self.row.setContentsMargins(10 if narrow else 0, 0, 8, 6 if narrow else 0)
        for button in (self.offset_button, self.order_button, self.pixels_button):
            self.row.setAlignment(button, Qt.AlignmentFlag.AlignLeft if narrow else Qt.AlignmentFlag.AlignVCenter)
        super().resizeEvent(event)

    def set_notes(self, notes: list[str], offset: int | None = None) -> None:
        """The warnings; ``offset``: a frame offset to offer as a button (none of the annotated frames is in the
        video, and this one puts the first on the video's first frame)."""
        self.notes = list(notes)
        self.generation += 1  # a check started before these notes adds nothing to them (add_note's ``of``)
        self.label.setText("\n".join(f"⚠  {_sentence(n)}" for n in notes))
        self.offset = offset
        self.offset_button.setText(f"Use frame offset {offset}" if offset is not None else "")
        self.offset_button.setVisible(offset is not None)
        self.order = None  # offered again by the check of the inputs these notes are for (offer_order)
        self.order_button.setVisible(False)
        self.pixels_button.setVisible(any(PIXELS_NOTE in n for n in notes))
        self.setVisible(bool(notes))
        for note in notes:  # the scene's own offer of the other direction (a walk's inverted matrix had no button)
            found = re.search(r"try --h-direction (pixel-to-world|world-to-pixel)", note)
            if found:
                self.offer_order(found.group(1))

    def swap_note(self, old: str, new: str) -> None:
        """``new`` in place of the warning ``old`` where it is shown; the other warnings and buttons as they are."""
        if old in self.notes:
            self.notes = [new if n == old else n for n in self.notes]
            self.label.setText("\n".join(f"⚠  {_sentence(n)}" for n in self.notes))

    def add_note(self, note: str, of: int | None = None) -> None:
        """One more warning under those shown (a check that finished after the inputs opened); ``of``: the
        :attr:`generation` of the notes it belongs to (others were set since: nothing is added)."""
        if (of is None or of == self.generation) and note not in self.notes:
            self.set_notes([*self.notes, note], self.offset)

    def offer_offset(self, offset: int, note: str, of: int | None = None) -> None:
        """One more warning and ``offset`` offered as the button (found after the inputs opened); ``of`` as in
        :meth:`add_note`."""
        if of is None or of == self.generation:
            self.set_notes([*self.notes, note] if note not in self.notes else self.notes, offset)

    def offer_order(self, order: str, of: int | None = None) -> None:
        """The homography's other pixel order offered as a button; ``of`` as in :meth:`add_note`."""
        if (of is None or of == self.generation) and self.notes:
            self.order = order  # a pixel order (uv, rowcol) or a direction (pixel-to-world, world-to-pixel)
            self.order_button.setText({"rowcol": "Read the homography as (row, col)",
                                       "uv": "Read the homography as (u, v)",
                                       "world-to-pixel": "Read the homography as world → pixel",
                                       "pixel-to-world": "Read the homography as pixel → world"}[order])
            self.order_button.setVisible(True)

    def _chosen(self) -> None:
        if self.offset is not None:
            self.offset_chosen.emit(int(self.offset))
