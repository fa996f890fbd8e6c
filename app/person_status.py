"""The Persons table follows the open project: each person's pending proposals, labels, trained networks and
result frames.

Counts only (three grouped queries of the store, nothing decoded), read again shortly after anything that
changes them: a project opened or closed, a decision or saved edit, new proposals or imported masks,
segmentation results stored (Segment tab, a Fix-tab retrain, a Whole scene run). Bursts (accept all
remaining) are read once.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from humanseg_core.workflows.agreement import FEW_FRAMES
from humanseg_core.workflows.agreement import FRAMES as AGREEMENT_FRAMES
from humanseg_core.workflows.agreement import METRIC as AGREEMENT

Status = tuple[int, int, int, int, "float | None"]


def person_status(project, counts: dict | None = None, few: dict[int, int] | None = None,
                  trained_on: dict[int, tuple[int, str]] | None = None) -> dict[int, Status] | None:
    """{pid: (pending proposals, accepted or edited ones, trained networks, result frames of the run used, that
    run's agreement with the labels or None)}; None: no project. (A walk: a person trained and not segmented
    looked like one never trained.) ``counts``: ``project.counts_by_pid()`` when the caller has read it. The
    agreement is read from the runs' metrics (``workflows.agreement``), nothing decoded. ``few``, when given,
    receives {pid: label frames} of the agreements measured on ``FEW_FRAMES`` or fewer: they say little (a
    walk's one-label person agreed 0.82, at J 0.31). ``trained_on``, when given, receives {pid: (labels, Accept
    policy)} of the persons whose run in use trained on more labels than they have accepted (a Whole scene run
    under Accept all or score>=x takes pending proposals: a walk read "Labels 0" for persons trained on 18)."""
    if project is None:
        return None
    counts = project.counts_by_pid() if counts is None else counts
    labels = project.label_frame_counts()  # frames with a label (one a frame, as training takes them)
    results = project.result_frames()
    networks = project.network_counts()
    used = {int(run) for run, _n in results.values()}  # the runs Play uses only, not every run stored
    rows = project.runs(ids=used) if used else []
    metrics = {int(r["id"]): r.get("metrics") or {} for r in rows}
    params = {int(r["id"]): r.get("params") or {} for r in rows}
    out = {}
    for pid in set(counts) | set(results) | set(networks):
        c = counts.get(pid, {})
        run, frames = results.get(pid, (None, 0))
        m = metrics.get(int(run), {}) if run is not None else {}
        agreed = m.get(AGREEMENT)
        out[pid] = (c.get("pending", 0), labels.get(pid, 0), networks.get(pid, 0), frames,
                    float(agreed) if isinstance(agreed, (int, float)) else None)
        took = params.get(int(run), {}) if run is not None else {}
        unreviewed = str(took.get("accept") or "reviewed") != "reviewed"  # Accept all / score>=x took pending ones
        # a whole-scene run records "labels"; a retrain (Fix tab) the masks it trained on (a walk's retrain of 10
        # masks read Labels 4, with no "(10)")
        n = took.get("labels") if isinstance(took.get("labels"), int) else took.get("accepted_masks")
        more = isinstance(n, int) and n > out[pid][1]
        if trained_on is not None and unreviewed and more:
            trained_on[int(pid)] = (int(n), str(took.get("accept") or ""))
        measured = m.get(AGREEMENT_FRAMES)
        if few is not None and agreed is not None and isinstance(measured, int) and measured <= FEW_FRAMES:
            few[int(pid)] = measured
    return out


def status_totals(counts: dict | None) -> dict[str, int] | None:
    """{status: proposals} over every person of ``counts`` (``Project.counts_by_pid()``; None: no project)."""
    if counts is None:
        return None
    totals: dict[str, int] = {}
    for by_status in counts.values():
        for status, n in by_status.items():
            totals[status] = totals.get(status, 0) + int(n)
    return totals


def install_person_status(window, review, seg, scene) -> QTimer:
    """Keep ``window.person_panel`` showing the open project's counts; returns the coalescing timer."""
    timer = QTimer(window, singleShot=True, interval=0)

    def update() -> None:
        try:
            counts = review.project.counts_by_pid() if review.project is not None else None  # read once
            few: dict[int, int] = {}
            trained_on: dict[int, tuple[int, str]] = {}
            status, totals = person_status(review.project, counts, few, trained_on), status_totals(counts)
            edited = {int(p): int(c.get("edited", 0)) for p, c in (counts or {}).items() if c.get("edited")}
        except Exception:  # a closed or unreadable store: the table says nothing rather than something stale
            status, totals, few, trained_on, edited = None, None, {}, {}, {}
        marked = bool(window.person_panel.model.edited)
        window.person_panel.model.set_status(status, few, trained_on, edited)
        if bool(edited) != marked:  # the Agree column as wide as its marked cells, or no wider
            window.person_panel._fit_columns()
        window.person_panel.set_totals(totals)

    timer.timeout.connect(update)
    later = lambda *_: timer.start()  # noqa: E731
    review.project_changed.connect(later)
    review.panel.status_changed.connect(later)
    review.proposals_changed.connect(later)
    seg.segment.results_saved.connect(later)
    review.correction.retrained.connect(later)
    scene.run_ended.connect(later)
    # what another program or the window's own jobs write (a walk's `humanseg run` on the open project: the table
    # read Results 0 after it) is told by the window's one poll of the project (app.outside_changes), connected
    # in app.panels
    update()
    return timer
