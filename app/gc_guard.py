"""Python's cyclic garbage collector runs in whichever thread happens to allocate. When a worker thread
(app/worker.py) triggers it and the garbage holds Qt objects (a closed dialog's widgets in a reference
cycle), PySide destroys them off the GUI thread and the process can crash (seen: a segfault while a worker
imported PyAV). So the studio turns automatic collection off and collects on the GUI thread from a timer,
with the same generation thresholds Python would use."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owns the cyclic collection while it lives: ``gc`` is disabled and :meth:`collect_due` runs on the GUI
    thread every :data:`INTERVAL_MS`; :meth:`stop` gives automatic collection back."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds; returns the objects found."""
        counts = gc.get_count()
        generation = -1
        for g in range(3):
            if counts[g] <= self.thresholds[g]:
                break
            generation = g
        return gc.collect(generation) if generation >= 0 else 0

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()
