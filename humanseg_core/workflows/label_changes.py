"""What status knows of a person's labels against its runs and exports (ADR 0044): when a run read its labels,
which Accept policy took them, the newest network of each person, what each person's latest export wrote and when,
and who is to be retrained. Split from :mod:`.project_status` (nothing decoded, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import HumansegError

__all__ = ["after_export", "changed_since_read", "exports", "labels_read", "least_score", "newest_networks",
           "retrain_due", "retrained", "unseen_label_frames"]


def least_score(accept: Any) -> float | None:
    """The score from which a run's Accept policy took pending proposals (all: 0), or None (reviewed, or a run of
    the Train tab: accepted and edited masks alone)."""
    from .scene_config import AcceptPolicy

    try:
        policy = AcceptPolicy.parse(str(accept)) if accept else AcceptPolicy("reviewed")
    except HumansegError:  # a damaged record: as the Train tab
        return None
    return None if policy.kind == "reviewed" else policy.min_score


def labels_read(run: dict) -> str:
    """When a run read its labels: its ``labels_at``, else (runs before 6 Dec 17:00 UTC) its creation; "" when
    unknown (a checkpoint adopted on open is recorded then, not when it trained: a review's read as trained after a
    change)."""
    params = run.get("params") or {}
    if params.get("labels_at"):
        return str(params["labels_at"])
    return "" if params.get("adopted") else str(run.get("created") or "")


def newest_networks(project) -> dict[int, dict]:
    """{pid: its newest run with a stored network} of every person."""
    newest: dict[int, dict] = {}
    for r in project.runs():  # oldest first
        if r.get("pid") is not None and r.get("checkpoint"):
            newest[int(r["pid"])] = r
    return newest


def exports(project, used: dict[int, int]) -> tuple[dict | None, set[int], dict[int, str], dict[int, str]]:
    """(the last export, the persons whose run in use (``used``: {pid: run}) an export wrote, {pid: that export's
    folder}, {pid: when its latest export read its masks})."""
    from ..export import EXPORTED, LAST_EXPORT, RUN_SOURCE

    LABELLED = ("any", RUN_SOURCE)  # sources that write the labels on their frames (ADR 0027)

    last = project.setting(LAST_EXPORT)
    last = last if isinstance(last, dict) else None
    # exported: the results of the run in use, as the last export wrote them (a review: a later run, a person
    # without masks then, or an export of the labels alone had read "exported")
    runs = (last or {}).get("runs")
    now = project.results_stamp(used.values())  # results written again since an export: not that export's (an
    # upgrade walk's segment replaced a run's masks after its export, and status still said "exported: done")

    def same(stamp, run) -> bool:  # (no stamp: an export before 7 Dec, taken as before)
        return stamp is None or now.get(run) == stamp

    stamps = (last or {}).get("stamps")
    stamps = stamps if isinstance(stamps, dict) else {}
    exported = {int(k) for k, r in runs.items() if str(k).isdecimal() and used.get(int(k)) == r
                and same(stamps.get(k), r)} if isinstance(runs, dict) else set()
    each = project.setting(EXPORTED)  # each person's own latest export (since 6 Dec)
    each = each if isinstance(each, dict) else {}
    exported_to = {int(k): str(r.get("out") or "") for k, r in each.items() if str(k).isdecimal()
                   and isinstance(r, dict) and used.get(int(k)) == r.get("run") and same(r.get("stamp"), r.get("run"))}
    # when it read the labels, of an export that wrote them on their frames: results alone hold no change (a
    # re-walk's export cleared "retrain" with the frame as before); "" before 6 Dec 17:00 UTC: every change counts
    # as later
    exported_at = {int(k): str(r.get("at") or "") for k, r in each.items() if str(k).isdecimal()
                   and isinstance(r, dict) and r.get("source") in LABELLED}
    # a folder another project's export has replaced since holds none of these (a walk's status still read
    # "exported to F: done" over another project's masks)
    from .scene_sink import other_projects_export

    mine: dict[str, bool] = {}

    def ours(out: str) -> bool:
        if out not in mine:
            mine[out] = not out or not other_projects_export(Path(out), Path(project.folder))
        return mine[out]

    exported_to = {p: out for p, out in exported_to.items() if ours(out)}
    if not ours(str((last or {}).get("out") or "")):
        exported = set()
    return last, exported | set(exported_to), exported_to, exported_at


def retrained(newest: dict[int, dict], changed: dict, used: dict[int, int]) -> set[int]:
    """The persons of ``changed`` whose newest network (``newest``: :func:`newest_networks`), not the run in use,
    read their labels after the last change (trained again, not yet segmented)."""
    return {pid for pid, net in newest.items() if pid in changed
            and int(net["id"]) != used.get(pid) and labels_read(net) > changed[pid][1]}


def after_export(change: tuple, at: str) -> bool:
    """Whether a person's labels ``change`` (``person_status``'s: frames, latest time, policy, a label taken away) is
    not in its latest labelled export, made at ``at``: made after it, or a label taken away (rejected, undone),
    which no export takes in: the results still come from a network that trained on it (a review)."""
    return bool(change[3]) or str(change[1]) > at


def retrain_due(project, changed: dict[int, tuple[int, str, str, bool]]) -> dict[int, int]:
    """{pid: label frames changed} of the persons :func:`person_status`'s ``changed`` names that status sends to
    "retrain": no labelled export took the changes in since, no newer network read them, and their newest run is
    whole (one stopped part-way or at work is "finish" or "wait" first: an audit). The Persons table marks these."""
    from ..run_state import stopped_early

    used = {pid: run for pid, (run, _n) in project.result_frames().items()}
    _last, exported, _to, exported_at = exports(project, used)
    newest = newest_networks(project)
    again = retrained(newest, changed, used)
    unfinished = {pid for pid, net in newest.items() if pid in changed and stopped_early(net)}
    return {pid: change[0] for pid, change in changed.items() if pid not in again | unfinished
            and (pid not in exported or after_export(change, exported_at.get(pid, "")))}


def unseen_label_frames(project, run: dict) -> set[int]:
    """The frames of ``run``'s person whose label the run never saw: made, accepted or changed after it read its
    labels (as its Accept took them), and, for a Train tab run, any accepted frame outside its training and hold-out
    lists. Quality scores its results there as held out (a walk's 200 masks imported after a Whole scene run all
    read "training, optimistic"; after a Train tab run, 181 were not scored at all)."""
    params = run.get("params") or {}
    pid = int(run["pid"])
    unseen = changed_since_read(project, run)
    if not params.get("scene_run") and ("train_frames" in params or "holdout_frames" in params):
        seen = {int(f) for f in (*params.get("train_frames", []), *params.get("holdout_frames", []))}
        unseen |= {f for f in project.label_frame_sets(pid=pid).get(pid, set()) if f not in seen}
    return unseen


def changed_since_read(project, run: dict) -> set[int]:
    """The frames of ``run``'s person whose label was made, accepted or changed after the run read its labels, as
    its Accept took them (``Project.label_frames_changed_since``); none when that time is unknown."""
    at, pid = labels_read(run), int(run["pid"])
    least = least_score((run.get("params") or {}).get("accept"))
    return project.label_frames_changed_since({pid: (at, least)}).get(pid, set()) if at else set()
