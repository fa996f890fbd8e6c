"""The segment panel: run a trained network over the person's whole track span, or a chosen frame range.

The job runs in an :class:`app.worker.JobWorker` with a progress bar and Cancel. Collaborators:
``segment_factory(request, cancel) -> job`` where ``request`` is ``{"pid", "run", "first", "last"}``
(the job returns ``{frame: mask}``, e.g. the core's ``SegmentResult``), and
``on_store(pid, run_id, masks) -> None`` which keeps the results (the installer writes them to the project).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.job_footer import READ_ONLY, WARN_STYLE, JobFooter, format_eta
from app.plurals import plural
from app.scene_summary import unreadable_text
from app.worker import failure_text

SegmentFactory = Callable[[dict, Any], Any]
StoreFn = Callable[[int, int, dict], None]


def describe_run(run: dict) -> str:
    """'#3 osvos-lite · 500 steps · J 0.81' for a run record of the project store."""
    metrics = run.get("metrics") or {}
    params = run.get("params") or {}
    bits = [f"#{run['id']} {run.get('model', '?')}"]
    steps = metrics.get("steps") or params.get("steps")
    kept = metrics.get("kept_step")
    if steps and kept and int(kept) < int(steps):  # the network of an earlier step given back: said (a walk read
        bits.append(f"step {int(kept)} of {int(steps)} kept")  # "394 steps" for the network of step 1)
    elif steps:
        bits.append(plural(int(steps), 'step'))
    if metrics.get("holdout_J") is not None:
        bits.append(f"hold-out J {metrics['holdout_J']:.3f}")  # as the Train tab says it (0.93 read beside 0.928)
    if params.get("guidance") is False:
        bits.append("no guidance")
    return " · ".join(bits)


class SegmentPanel(QWidget):
    results_saved = Signal(int, int, int)  # pid, run id, number of frames
    running_changed = Signal(bool)

    def __init__(self, segment_factory: SegmentFactory | None = None, on_store: StoreFn | None = None, parent=None):
        super().__init__(parent)
        self._factory = segment_factory
        self._on_store = on_store
        self._pid: int | None = None
        self._runs: list[dict] = []
        self._request: dict = {}
        self._span: tuple[int, int] | None = None
        self._t0 = 0.0
        self.read_only: Callable[[], bool] = lambda: False  # another studio window holds the project
        self.read_only_why: Callable[[], str] = lambda: READ_ONLY  # which: the window sets it (app.job_footer)

        self.person_label = QLabel("No person selected")
        self.person_label.setStyleSheet("font-weight: bold;")
        self.run_box = QComboBox()
        self.whole = QRadioButton("whole track span")
        self.whole.setChecked(True)
        self.span_label = QLabel("")
        self.ranged = QRadioButton("frames")
        self.first = QSpinBox()
        self.last = QSpinBox()
        for s in (self.first, self.last):
            s.setRange(0, 10_000_000)
            s.setEnabled(False)
        self.ranged.toggled.connect(lambda on: (self.first.setEnabled(on), self.last.setEnabled(on)))
        whole_row = QHBoxLayout()
        whole_row.addWidget(self.whole)
        whole_row.addWidget(self.span_label, 1)
        range_row = QHBoxLayout()
        range_row.addWidget(self.ranged)
        range_row.addWidget(self.first, 1)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.last, 1)
        self.evidence = QCheckBox("per-frame evidence (as Whole scene)")
        self.evidence.setToolTip(
            "Every frame through the proposals' step (background model, the parent network with every person's "
            "point, pixels shared out between persons) with this network blended in, as Whole scene runs do: "
            "better in crowds and on heads and feet, but about 0.1-1 s a frame instead of 10 ms. Needs a network "
            "fine-tuned from the parent (osvos-parent).")
        self._matched: tuple | None = None  # (pid, run id) the evidence box was last set for
        self.run_box.currentIndexChanged.connect(self._match_run)
        form = QFormLayout()
        form.addRow("Network", self.run_box)
        form.addRow("Range", whole_row)
        form.addRow("", range_row)
        form.addRow("Masks", self.evidence)

        self.start_btn = QPushButton("Segment")
        self.start_btn.clicked.connect(self.start)
        self.footer = JobFooter(unit="frames")
        self.footer.running_changed.connect(self.running_changed)
        self.progress, self.cancel_btn, self.status = self.footer.progress, self.footer.cancel_btn, self.footer.status

        lay = QVBoxLayout(self)
        lay.addWidget(self.person_label)
        lay.addLayout(form)
        lay.addWidget(self.start_btn)
        lay.addWidget(self.footer)
        lay.addStretch(1)
        self._update_buttons()

    # -- context ------------------------------------------------------------------------------
    def set_factory(self, segment_factory: SegmentFactory | None, on_store: StoreFn | None = None) -> None:
        self._factory, self._on_store = segment_factory, on_store
        self._update_buttons()

    def set_person(self, pid: int | None, span: tuple[int, int] | None = None, runs: list[dict] | None = None) -> None:
        """The person to segment, its track span (first, last) and its training runs (oldest first). The same
        person again (a refresh after segmenting) keeps the frame range and the network the analyst chose
        (the newest when a run was stored since)."""
        same = pid is not None and pid == self._pid
        newest = self._runs[-1]["id"] if self._runs else None
        if not same and not self.is_running():  # a walk read person 85's "200 frames segmented" on person 77
            self.footer.set_status("")
            self.footer.idle("idle")
        self._pid = pid
        self._runs = list(runs or [])
        # the network chosen stays, unless a new run was stored since (then the newest, as for a new person)
        chosen = self.run_box.currentData() if same and newest == (self._runs[-1]["id"] if self._runs else None) \
            else None
        self.person_label.setText("No person selected" if pid is None else f"Person {pid}")
        job = (self._request or {}).get("pid") if self.is_running() else None
        if job is not None and job != pid:  # the bar and Cancel stay the job's (as in the Train tab: a walk)
            self.person_label.setText(f"Segmenting person {job} · selected: "
                                      + ("nobody" if pid is None else f"person {pid}"))
        self.run_box.clear()
        for run in reversed(self._runs):  # newest first
            self.run_box.addItem(describe_run(run), run["id"])
        if not self._runs:
            self.run_box.addItem("no trained network yet: train one first", None)
        if chosen is not None:
            self.select_run(chosen)
        if span is not None:
            a, b = int(span[0]), int(span[1])
            self.span_label.setText(f"{a} – {b} ({b - a + 1} frames)")
            if not (same and self._span == (a, b)):  # a new person or span: its whole span
                self.first.setValue(a)
                self.last.setValue(b)
            self._span = (a, b)
        else:  # (a person never on the video's frames: said, not a span of frames it lacks, a review)
            self.span_label.setText("not in the video" if pid is not None else "")
            self._span = None
        self._update_buttons()

    def _match_run(self) -> None:
        """The masks made as the chosen run made its own: a Whole scene run's (and its retrains') through the
        per-frame evidence step (a walk re-segmented a Whole scene person with the network alone, the default
        then, and its J fell from 0.771 to 0.736 without a word), and a Train tab run's too (``segment_refine``: a
        walk's J 0.817 and 0.506 with the network alone, 0.860 and 0.554 so); the analyst may still change it."""
        from humanseg_core.workflows.correction import segment_refine

        run = next((r for r in self._runs if r["id"] == self.run_box.currentData()), None)
        if run is not None and (self._pid, run["id"]) != self._matched:  # a refresh keeps the analyst's choice
            self._matched = (self._pid, run["id"])
            self.evidence.setChecked(segment_refine(run) == "evidence")

    def select_run(self, run_id: int, as_made: bool = False) -> bool:
        """Choose run ``run_id``; ``as_made``: its masks made as the run made its own, whatever the box said (the
        Train tab's Segment button, whose tooltip says so: a review saw it segment with the network alone)."""
        i = self.run_box.findData(run_id)
        if i >= 0:
            self.run_box.setCurrentIndex(i)
            if as_made:
                self._matched = None
                self._match_run()
        return i >= 0

    def is_running(self) -> bool:
        return self.footer.is_running()

    def request(self) -> dict | None:
        run_id = self.run_box.currentData()
        run = next((r for r in self._runs if r["id"] == run_id), None)
        if run is None or self._pid is None:
            return None
        if self.whole.isChecked() and self._span is not None:
            first, last = self._span
        else:
            first, last = sorted((self.first.value(), self.last.value()))
        return {"pid": self._pid, "run": run, "first": first, "last": last,
                "refine": "evidence" if self.evidence.isChecked() else "none"}

    def _update_buttons(self) -> None:
        running = self.is_running()
        read_only = self.read_only()
        self.start_btn.setEnabled(not running and not read_only and self._factory is not None
                                  and self.request() is not None)
        if read_only and not running:
            self.footer.set_status(f"Project {self.read_only_why()}")
        for w in (self.run_box, self.whole, self.ranged, self.evidence):  # the masks box too: a walk unticked it
            w.setEnabled(not running)  # while the evidence step ran, and the panel then misstated how they were made
        for w in (self.first, self.last):
            w.setEnabled(not running and self.ranged.isChecked())

    # -- running ------------------------------------------------------------------------------
    def start(self) -> None:
        request = self.request()
        if self.is_running() or request is None or self._factory is None:
            return
        if self.read_only():  # the button is off; any other path is refused too, and says why
            self.footer.set_status(f"Project {self.read_only_why()}")
            return
        self._request = request
        if not self.whole.isChecked() and self.first.value() > self.last.value():  # shown as it is segmented
            self.first.setValue(request["first"])
            self.last.setValue(request["last"])
        factory = self._factory
        self._t0 = time.monotonic()
        self.footer.start(
            lambda cancel: factory(request, cancel), "Segmentation", busy="loading the network…",
            status=f"Segmenting person {request['pid']}, frames {request['first']}–{request['last']}, with run "
                   f"#{request['run']['id']}…",
            on_finished=self._on_finished, on_failed=lambda msg: self.footer.fail(self._whose() + failure_text(
                "Segmentation", msg)),
            on_cancelled=self._on_cancelled, on_done=self._on_done)
        self._update_buttons()

    def cancel(self) -> None:
        self.footer.cancel()

    def _on_done(self) -> None:
        self.person_label.setText("No person selected" if self._pid is None else f"Person {self._pid}")
        self._update_buttons()

    def _on_finished(self, masks) -> None:
        pid, run_id = self._request["pid"], int(self._request["run"]["id"])
        unreadable = dict(getattr(masks, "unreadable", {}) or {})  # {frame: problem}: said apart, as a warning
        notes = [n for n in getattr(masks, "notes", []) or [] if not any(
            str(n).startswith(f"frame {f}: cannot be read") for f in unreadable)]
        chosen = str(getattr(masks, "chosen", "") or "")  # the network alone chosen over the evidence step
        kept = getattr(masks, "kept_set", None)  # the set keeping the masks these replaced (ADR 0052)
        n_kept = int(getattr(masks, "kept_count", 0) or 0)
        masks = dict(masks or {})
        try:
            if self._on_store is not None:
                self._on_store(pid, run_id, masks)
        except Exception as exc:  # the store failed: say so, keep the GUI alive
            self.footer.fail(f"Segmented, but the results could not be saved: {exc}", "not saved")
            return
        took = format_eta(time.monotonic() - self._t0)
        text = f"Person {pid}: {plural(len(masks), 'frame')} segmented" + (f" {chosen}" if chosen else "") + \
            f" and saved in {took}"
        if notes:
            text += f"; {len(notes)} skipped ({notes[0]}{'…' if len(notes) > 1 else ''})"
        text += ": the Play tab shows them"  # this tab draws nothing on the video (a walk looked for them here)
        if kept:
            verb = "is" if n_kept == 1 else "are"
            text += (f". The {plural(n_kept, 'mask')} they replaced {verb} kept as set {kept} (Segmentation ▸ Restore "
                     "Replaced Masks…)")
        self.footer.finish(text)
        if unreadable:  # never a silent gap (and not in the green of a clean run)
            self.footer.set_status(f"{text}\n{unreadable_text(unreadable, who='')}", WARN_STYLE)
        self.results_saved.emit(int(pid), run_id, len(masks))

    def _whose(self) -> str:
        """"Person 86: " when the job is of a person no longer selected (as the Train tab says it), else ""."""
        job = self._request.get("pid")
        return f"Person {job}: " if job is not None and job != self._pid else ""

    def _on_cancelled(self) -> None:
        self.footer.set_status(self._whose() + "Segmentation cancelled: nothing was saved.")
        self.footer.idle("cancelled")
