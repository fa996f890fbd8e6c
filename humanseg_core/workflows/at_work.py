"""Jobs of other processes at work on a project's persons (a window, a command): their marks and the runs they have
stored so far, read so that a command names them before working beside them."""

from __future__ import annotations

from typing import Any

from ..project.job_marks import jobs_at_work
from .label_changes import newest_networks


def marked_jobs(project, newest: dict[int, dict] | None = None) -> list[tuple[Any, set[int]]]:
    """(mark, its persons still to do) of the jobs of other processes at work on the project: a person whose newest
    run that process stored is whole is done (a review: a long run's finished persons read "wait" until it ended).
    ``newest``: :func:`.label_changes.newest_networks` when the caller has read it."""
    from ..run_state import stopped_early

    marks = jobs_at_work(project.folder)
    if not marks:
        return []
    newest = newest_networks(project) if newest is None else newest

    def done(pid: int, process: dict) -> bool:
        run = newest.get(pid)
        made = ((run or {}).get("metrics") or {}).get("process") or {}
        return run is not None and not stopped_early(run) and isinstance(made, dict) and \
            (made.get("pid"), made.get("host")) == (process.get("pid"), process.get("host"))

    return [(mark, {p for p in mark.pids if not done(p, mark.process)}) for mark in marks]


def stopped_runs(project, pids, newest: dict[int, dict] | None = None,
                 used: dict[int, int] | None = None) -> dict[int, tuple[dict, bool]]:
    """{pid: (run, whether it is still at work)} of the persons whose newest run is not whole: at work (a whole-scene
    run or a Fix-tab retrain, before or while it segments), or stopped part-way (cancelled or killed; a failed one is
    left out). The newest, not the run Play uses: a re-walk's status said "export" of the older whole run while a
    new one segmented, and after it was killed. ``newest``: :func:`.label_changes.newest_networks` when read."""
    from ..run_state import stopped_early
    from .scene_reuse import at_work

    newest = newest_networks(project) if newest is None else newest
    out = {pid: (run, at_work(run)) for pid, run in newest.items()
           if pid in pids and stopped_early(run) and (run.get("metrics") or {}).get("stopped") in (None, "cancelled")}
    # ``used`` ({pid: the run in use}): a run the analyst cancelled while an earlier whole run's results are in use
    # is left out (a walk's status said "finish" of a run it had cancelled on purpose, its exported results whole)
    return {pid: (run, working) for pid, (run, working) in out.items() if used is None or working
            or (run.get("metrics") or {}).get("stopped") != "cancelled" or used.get(pid) in (None, int(run["id"]))}


BESIDE = ("this works beside it, and both store their own runs (wait for it to end, or cancel it, to avoid "
          "two)")  # what a command that stores runs adds


def at_work_text(project, pids, then: str = BESIDE) -> str:
    """A warning when a job of another process is at work on some of ``pids`` (a window, a command), else "": a
    re-walk's `segment` and a second `run` worked beside it without a word, leaving duplicate runs. ``then``: what
    the command asking does meanwhile (said last)."""
    from ..wording import persons_text

    busy = _busy_runs(project, pids)
    said = [f"{persons_text(busy)}: {', '.join(f'run {r}' for r in sorted(set(busy.values())))} of another window or "
            f"command {'is' if len(set(busy.values())) == 1 else 'are'} at work on {_them(busy)}"] if busy else []
    for mark, persons in marked_jobs(project):  # jobs that have not stored their run yet (a note: nothing was said)
        if marked := sorted((persons & {int(p) for p in pids}) - set(busy)):
            said.append(f"{persons_text(marked)}: {mark.text()} is at work on {_them(marked)}")
            busy.update(dict.fromkeys(marked, 0))
    if not said:
        return ""
    return "; ".join(said) + (f"; {then}" if then else "")


def runs_at_work(project, pids) -> set[int]:
    """The ids of the runs of ``pids`` another process is making now (not to be segmented meanwhile)."""
    return set(_busy_runs(project, pids).values())


def _busy_runs(project, pids) -> dict[int, int]:
    """{pid: run id} of ``pids`` whose newest run another process is making now."""
    from .scene_reuse import made_here

    return {pid: int(run["id"]) for pid, (run, working) in stopped_runs(project, {int(p) for p in pids}).items()
            if working and not made_here(run)}


def _them(pids) -> str:
    return "it" if len(pids) == 1 else "them"


AT_WORK = "run-at-work"  # JobWarning kind: another process's run works on some of the persons


def at_work_progress(project, pids):
    """A start Progress carrying :func:`at_work_text`'s warning, or None."""
    from ..jobs import JobWarning, Progress

    busy = at_work_text(project, pids)
    return Progress(0, 1, "another run is at work: see the warning", data={"stage": "start"},
                    warnings=(JobWarning(AT_WORK, busy),)) if busy else None
