"""One stroke, Refine click or lasso of the mask editor (``mask_editor.MaskEditor``) on its undo stack: the changed
rectangle's pixels before and after, and the refine clicks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from .mask_editor import MaskEditor


class StrokeCommand(QUndoCommand):
    """One brush or eraser stroke: the changed rectangle's pixels before and after (bool arrays)."""

    def __init__(self, editor: MaskEditor, y0: int, x0: int, before: np.ndarray, after: np.ndarray,
                 text: str, clicks: tuple | None = None):
        super().__init__(text)
        self.editor = editor
        self.y0, self.x0 = y0, x0
        self.before = before
        self.after = after
        self.clicks = clicks  # (refine clicks before, after) or None
        self._first = True  # the stroke is already on the mask when the command is pushed

    @property
    def nbytes(self) -> int:
        return self.before.nbytes + self.after.nbytes

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.editor._write(self.y0, self.x0, self.after)
        if self.clicks is not None:
            self.editor._set_clicks(self.clicks[1])

    def undo(self) -> None:
        self.editor._write(self.y0, self.x0, self.before)
        if self.clicks is not None:
            self.editor._set_clicks(self.clicks[0])
