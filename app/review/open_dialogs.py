"""The Generate and Export dialogs a review controller has on screen (modeless: the window stays usable
while their jobs run): one Export dialog per project, and those of a closed project closed with it."""

from __future__ import annotations

from PySide6.QtCore import Qt


class OpenDialogs(list):
    """The dialogs open, in the order they were shown (``show`` adds one; it leaves when destroyed)."""

    def show(self, dlg) -> None:
        self.append(dlg)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.destroyed.connect(lambda *_: self.remove(dlg) if dlg in self else None)
        dlg.show()

    def raise_open(self, kind: type, project):
        """The dialog of this kind already open for ``project`` (raised), or None: a walk had two Export
        dialogs at once."""
        for dlg in self:
            if isinstance(dlg, kind) and dlg.project is project and dlg.isVisible():
                dlg.raise_()
                dlg.activateWindow()
                return dlg
        return None

    def close_stale(self, project) -> None:
        """The dialogs of another project than ``project`` close (their jobs were cancelled before a project
        closes): a walk's Export dialog, left open across File ▸ Open, wrote nothing and said nothing."""
        for dlg in list(self):
            if getattr(dlg, "project", None) is not project and not getattr(dlg, "running", False):
                dlg.close()
