"""A dialog that runs one background job at a time through its :class:`~app.job_footer.JobFooter`: what the
Export and Generate dialogs share (running, cancel on Esc or close, a failure said in the dialog and in a box,
the dialog grown to fit a long status line)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMessageBox

from app.on_screen import keep_on_screen
from app.worker import JobWorker


class JobDialog(QDialog):
    """Subclasses set :attr:`FAILURE_TITLE` and build ``self.footer`` (a JobFooter) and ``self.progress_label``."""

    FAILURE_TITLE = "Failed"

    @property
    def running(self) -> bool:
        return self.footer.is_running()  # type: ignore[attr-defined]

    @property
    def worker(self) -> JobWorker | None:
        return self.footer.worker  # type: ignore[attr-defined]

    def _failed(self, message: str) -> None:
        self.progress_label.setText(  # type: ignore[attr-defined]
            f"<span style='color:#c03030'>Failed: {message}</span>")
        self.fit_height()
        self.show_failure(message)

    def show_failure(self, message: str) -> None:
        QMessageBox.critical(self, self.FAILURE_TITLE, message)

    def fit_height(self) -> None:
        """Grow (never shrink) to the height the layout needs at the dialog's width, within the screen: a wrapped
        status line (an export naming the frames it could not read: 6 lines) otherwise drew over the list above
        it, and a long proposals' summary was cut (walks); the width stays the analyst's."""
        for widget in (self.progress_label, self.footer):  # type: ignore[attr-defined]  # the new text: every
            widget.updateGeometry()  # cached height is stale
        layout = self.layout()
        layout.invalidate()
        layout.activate()
        need = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        need = max(need, layout.totalMinimumSize().height(), self.minimumSizeHint().height())
        screen = self.screen()
        if screen is not None:
            need = min(need, screen.availableGeometry().height())
        if need > self.height():
            self.resize(self.width(), need)
        keep_on_screen(self)

    def _cancel_or_close(self) -> None:
        if self.running:
            self.footer.cancel()  # type: ignore[attr-defined]
            self.progress_label.setText("Cancelling…")  # type: ignore[attr-defined]
        else:
            self.accept()

    def reject(self) -> None:  # Esc / window close while running: cancel first, said as the Cancel button says it
        if self.running:  # (a re-walk's Esc left "reading the persons' networks" up for 8 s)
            self._cancel_or_close()
            return
        super().reject()
