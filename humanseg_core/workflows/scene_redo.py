"""What a Whole scene run says of persons that already have results: trained again as new runs, kept
(``--keep-trained``), or segmented again because their run stopped part-way."""

from __future__ import annotations

from ..run_state import stopped_early
from ..wording import plural

__all__ = ["redo_text", "reuse_text", "stopped_runs", "stopped_text"]


def redo_text(redo: dict, limit: int = 10) -> str:
    """Says that persons with results ({pid: newest run}) are trained again, their new runs becoming the ones
    used (a walk's second `run` added runs silently, and the newer, worse one was exported)."""
    n = len(redo)
    shown = ", ".join(f"{p} (run {redo[p]})" for p in sorted(redo)[:limit]) + (f", … ({n - limit} more)"
                                                                               if n > limit else "")
    return (f"{'person' if n == 1 else str(n) + ' persons'} {shown} already {'has' if n == 1 else 'have'} "
            "results: trained and segmented again as new runs, which Play and Export then use (--keep-trained "
            "keeps theirs; the older runs stay, --run picks one)")


def stopped_runs(project, runs: dict[int, int]) -> dict[int, tuple[int, int]]:
    """{pid: (run, frames)} of the persons whose run in ``runs`` ({pid: run}) stopped before segmenting its end
    (cancelled, failed or killed: :func:`~humanseg_core.run_state.stopped_early`)."""
    known = {int(r["id"]): r for r in project.runs(ids=runs.values())} if runs else {}
    return {pid: (run, project.result_counts(pid).get(run, 0)) for pid, run in sorted(runs.items())
            if run in known and stopped_early(known[run])}


def stopped_text(stopped: dict[int, tuple[int, int]], limit: int = 10) -> str:
    """Says that persons whose results a stopped run left part-way ({pid: (run, frames)}) are segmented again."""
    n = len(stopped)
    shown = ", ".join(f"{p} (run {r}, {plural(k, 'frame')})" for p, (r, k) in sorted(stopped.items())[:limit])
    more = f", … ({n - limit} more)" if n > limit else ""
    return (f"{'person' if n == 1 else str(n) + ' persons'} {shown}{more}: results of a run that stopped part-way, "
            "trained and segmented again (the stopped run stays, --run picks it)")


def reuse_text(reusing: dict[int, dict], limit: int = 10) -> str:
    """Says which persons a stopped run's stored network segments (``reusing``: {pid: that run})."""
    n = len(reusing)
    shown = ", ".join(f"{p} (run {int(r['id'])})" for p, r in sorted(reusing.items())[:limit])
    more = f", … ({n - limit} more)" if n > limit else ""
    return (f"{'person' if n == 1 else str(n) + ' persons'} {shown}{more}: segmented with the network "
            f"{'its' if n == 1 else 'their'} stopped run trained, not trained again (--reuse-trained)")
