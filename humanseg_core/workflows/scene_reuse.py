"""Networks a cancelled Whole scene run trained and never used: found, and used instead of training again.

A run cancelled (or killed) while it trained or before it segmented a person leaves that person's network stored (a
checkpoint and a run with ``metrics.stopped == "cancelled"``) and no results, or the frames segmented until then
(Ctrl-C during segmentation: a walk's --reuse-trained then trained 4 persons of 5 again, saying nothing).
Running the scene again would train the person from the start: minutes lost in a crowd at 15 s per person.  With
``SceneRunConfig.reuse_trained`` the run segments such persons with the stored network instead, recorded as
a new run that names the one it reuses (``params.reused_run``); the cancelled run itself is left as it was.
"""

from __future__ import annotations

from pathlib import Path

from ..project.lock import process_gone, this_process
from ..run_state import stopped_early

__all__ = ["at_work", "cancelled_before_segmenting", "made_here", "reusable_networks", "reusing_networks"]


def cancelled_before_segmenting(runs: list[dict], have: dict[int, int], partial: bool = False) -> dict[int, int]:
    """{pid: run id} of the persons whose newest Whole scene run was cancelled before any of its frames was
    stored (newer than the run with results ``have`` names); ``partial``: or part-way through its frames (the
    run ``have`` names itself). ``runs``: ``Project.runs()``, oldest first."""
    newest: dict[int, dict] = {}
    for r in runs:  # oldest first: the newest scene run of each person wins
        if (r.get("params") or {}).get("scene_run") and r.get("pid") is not None:
            newest[int(r["pid"])] = r
    return {pid: int(r["id"]) for pid, r in newest.items() if _unfinished(r)
            and (int(r["id"]) > have.get(pid, -1) or (partial and int(r["id"]) == have.get(pid)))}


def _unfinished(run: dict) -> bool:
    """Cancelled, or killed (no mark at all, and the process that recorded it gone: a walk's SIGKILL during
    segmentation, then --reuse-trained trained all three persons again, saying nothing); not a run that failed,
    nor one still at work (a review)."""
    stopped = (run.get("metrics") or {}).get("stopped")
    if stopped is not None:
        return stopped == "cancelled"
    return stopped_early(run) and not at_work(run)


def at_work(run: dict) -> bool:
    """Whether ``run`` is still being made: neither whole nor marked stopped, and the process it records at work."""
    metrics = run.get("metrics") or {}
    return metrics.get("stopped") is None and stopped_early(run) and not process_gone(metrics.get("process"))


def made_here(run: dict) -> bool:
    """Whether ``run`` records this process (its pid and host) as the one making it."""
    process, me = (run.get("metrics") or {}).get("process"), this_process()
    return isinstance(process, dict) and (process.get("pid"), process.get("host")) == (me["pid"], me["host"])


def reusable_networks(project, pids, model: str | None) -> dict[int, dict]:
    """{pid: run} of ``pids`` (None: every person) whose newest Whole scene run was cancelled before
    segmenting all its frames and whose stored network (of ``model``; None: any; trained at least one step) is still on
    disk."""
    runs = project.runs()
    by_id = {int(r["id"]): r for r in runs}
    found = cancelled_before_segmenting(runs, project.newest_result_runs(), partial=True)
    out = {}
    for pid in found if pids is None else pids:
        run = by_id.get(found.get(int(pid), -1))
        if run is None or (model is not None and run.get("model") != model) or not run.get("checkpoint"):
            continue
        if int((run.get("metrics") or {}).get("steps") or 0) < 1 or not Path(run["checkpoint"]).is_file():
            continue
        out[int(pid)] = run
    return out


def reusing_networks(project, pids, config) -> dict[int, dict]:
    """{pid: run} of ``pids`` that --reuse-trained (``config``, a SceneRunConfig) segments with a stopped run's
    network, before the labels are known (checked again once they are)."""
    if not config.reuse_trained or config.backend != "local":
        return {}
    return reusable_networks(project, list(pids), config.model)
