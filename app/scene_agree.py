"""After a cancelled Whole scene run: the agreement of the persons it segmented to the end of their spans, measured
in the background (the cancel stays quick; a walk's Agree read "—" for them, and "look at these first" left them
out until the next run)."""

from __future__ import annotations

from typing import Any

from .worker import JobWorker


def measure_after_cancel(panel: Any, pids: list[int]) -> JobWorker | None:
    """Starts the measuring job of ``panel``'s project for ``pids`` (those of them whole without an agreement);
    ``panel.agreement_measured`` is emitted when some were measured. None when there is nothing to write to."""
    from humanseg_core.workflows.agreement import agree_unmeasured_job

    project = panel.project
    if project is None or panel.read_only() or not pids:
        return None

    def measured(found) -> None:
        if found:
            panel.agreement_measured.emit()

    worker = JobWorker(lambda cancel: agree_unmeasured_job(project, pids, cancel), name="Agreement", parent=panel,
                       on_finished=measured)
    worker.start()
    return worker
