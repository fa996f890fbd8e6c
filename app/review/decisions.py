"""Undoable review decisions: every accept, reject, bulk accept and saved mask edit is one ``QUndoCommand``.

The commands write through the project store at once (``set_statuses`` / ``set_mask``, which keep the
decision history), so an undo is itself a recorded decision that restores the previous status or mask
in the store; nothing is only in memory. They live on the main window's ``QUndoStack`` (Ctrl+Z /
Ctrl+Shift+Z) so they survive panel switches. After each do/undo ``on_change(ids)`` lets the review
panel re-read those proposals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from PySide6.QtGui import QUndoCommand

Changed = Callable[[list[int]], None]


class StatusCommand(QUndoCommand):
    """Set ``status`` on proposals; undo restores each one's previous status (one transaction each way)."""

    def __init__(self, project, old: Mapping[int, str], status: str, on_change: Changed, text: str,
                 on_left: Changed | None = None):
        super().__init__(text)
        self.project = project
        self.status = status
        self.on_change = on_change
        self.old = {int(i): str(s) for i, s in old.items()}  # proposal id -> status before, as the panel saw it
        # the proposals another process (humanseg decide, import) decided since the panel read them: left as
        # they are, both ways, and said (an audit: Shift+A accepted what the command line had just rejected)
        self.on_left = on_left
        self.left: list[int] = []

    @property
    def ids(self) -> list[int]:
        return list(self.old)

    def redo(self) -> None:
        self.left = []
        self.project.set_statuses(self.ids, self.status, expected=self.old, left=self.left)
        if set(self.left) >= set(self.old):  # every one decided elsewhere: nothing done, nothing to undo (the stack
            self.setObsolete(True)  # drops it; a data-safety walk's Ctrl+Z said "Undo: accept frame 5300")
        self._changed()

    def undo(self) -> None:
        by_status: dict[str, list[int]] = {}
        for i, s in self.old.items():
            by_status.setdefault(s, []).append(i)
        redo_left, self.left = set(self.left), []
        for status, ids in by_status.items():
            ids = [i for i in ids if i not in redo_left]  # never set by this command: nothing to undo
            self.project.set_statuses(ids, status, expected=dict.fromkeys(ids, self.status), left=self.left)
        self._changed()

    def _changed(self) -> None:
        self.on_change(self.ids)
        if self.left and self.on_left is not None:
            self.on_left(list(self.left))


def stands_as(stored, status: str | None, mask) -> bool:
    """Whether proposal ``stored`` (as read now) still has ``status`` and ``mask`` (None: its mask unknown, not
    compared): nobody changed it since they were read (another process, an import, another window)."""
    return stored.status == status and (mask is None or stored.mask is None or np.array_equal(stored.mask, mask))


class MaskCommand(QUndoCommand):
    """Replace one proposal's mask (status ``edited``); undo puts back the previous mask and status."""

    def __init__(self, project, proposal_id: int, mask: np.ndarray, on_change: Changed, text: str,
                 status: str = "edited", on_left: Changed | None = None):
        super().__init__(text)
        self.project = project
        self.proposal_id = int(proposal_id)  # not self.id: that would hide QUndoCommand.id()
        before = project.get_proposal(self.proposal_id)
        self.old_mask, self.old_status = before.mask, before.status
        self.mask = np.asarray(mask, bool).copy()
        self.status = status
        self.on_change = on_change
        self.on_left = on_left  # said when another process changed it since: left as it is (as StatusCommand)

    @property
    def ids(self) -> list[int]:
        return [self.proposal_id]

    def redo(self) -> None:
        self._write(self.old_status, self.old_mask, self.status, self.mask)

    def undo(self) -> None:
        self._write(self.status, self.mask, self.old_status, self.old_mask)

    def _write(self, was: str, was_mask, status: str, mask) -> None:
        """``mask`` and ``status`` where the proposal stands as this command left it (``was``); else left as another
        process made it (a review: after an import set the frame's edit aside, Ctrl+Z / Ctrl+Shift+Z made it the
        label again, over the import)."""
        same = stands_as(self.project.get_proposal(self.proposal_id), was, was_mask)
        if same:
            self.project.set_mask(self.proposal_id, mask, status=status)
        self.on_change(self.ids)
        if not same and self.on_left is not None:
            self.on_left(self.ids)



class MarkCommand(QUndoCommand):
    """A step Ctrl+Z does not undo (an import of masks): its undo says so, and only the next Ctrl+Z reaches the
    decisions before it (a walk's Ctrl+Z after an import undid an older accept of another person, unsaid)."""

    def __init__(self, text: str, said: str, say: Callable[[str], None]):
        super().__init__(text)
        self.said, self.say = said, say

    def redo(self) -> None:  # (done already when pushed)
        pass

    def undo(self) -> None:
        self.say(self.said)
