"""Which training run's segmentation results Play, Quality and an export of results use, per person.

By default each person's newest run that has stored results and segmented to its end; a Whole scene run
cancelled half-way is the default only when the person has no other results (:meth:`Project.result_runs`,
ADR 0011). An analyst who retrained (the earlier run kept "to compare"), or who wants a cancelled run's
partial results, picks that run: :func:`check_runs` validates such a choice ({pid: run id}) with
a message naming the project and the run, :func:`result_run_choices` lists a person's runs with results,
each named so that the analyst can tell them apart (:func:`run_label`), without decoding a mask.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..run_state import stopped_early
from ..wording import plural, shell_arg
from .atomic import ExportError

__all__ = ["RunChoice", "check_runs", "fuller_older_runs", "result_run_choices", "run_label", "stopped_early",
           "stopped_exported", "stopped_text", "finish_hint",
           "unsegmented_networks", "newer_networks"]


@dataclass(frozen=True)
class RunChoice:
    """One run of a person that has stored results: its id, how many frames, and a label for a list."""

    run_id: int
    frames: int
    label: str
    default: bool  # the run used unless another is picked (listed first)


def _when(created: object) -> str:
    try:
        return datetime.fromisoformat(str(created)).astimezone().strftime("%d %b %H:%M")
    except (TypeError, ValueError):
        return ""


def run_label(run: Mapping, frames: int, newest: bool = False, default: bool = False, later: bool = False) -> str:
    """'run #12 · 01 Dec 18:03 · 190 frames · 60 steps · 14 s · hold-out J 0.81 · newest' (a stopped run:
    'cancelled, 69 frames' when the run recorded its cancel (``metrics["stopped"]``), else 'cancelled or
    failed, 69 frames'); ``default``: the run used unless another is picked, said when it is not the newest
    ('· used by default': the newest stopped early); ``later``: a newer run without results exists (the newest
    is then said as the newest with results: a walk read "newest" of run 1 beside runs 3 and 4)."""
    params, metrics = run.get("params") or {}, run.get("metrics") or {}
    bits = [f"run #{run['id']}"]
    when = _when(run.get("created"))
    if when:
        bits.append(when)
    noun = "frame" if frames == 1 else "frames"
    why = "cancelled" if metrics.get("stopped") == "cancelled" else "cancelled or failed"
    kept = metrics.get("kept_frames")
    # a retrain: the frames it segmented and those copied from the earlier run (a walk read "180 frames" for 80)
    of = f" ({frames - int(kept)} new, {kept} from run #{metrics.get('kept_from')})" \
        if isinstance(kept, int) and 0 < kept < frames else ""
    bits.append(f"{why}, {frames} {noun}" if stopped_early(run) else f"{frames} {noun}{of}")
    steps = metrics.get("steps") or params.get("steps")
    kept = metrics.get("kept_step")
    if steps and kept and int(kept) < int(steps):  # an earlier step's network given back (a walk read "394 steps")
        bits.append(f"step {int(kept)} of {int(steps)} kept")
    elif steps:
        bits.append(plural(int(steps), "step"))  # (a walk read "1 steps")
    seconds = metrics.get("seconds")
    if isinstance(seconds, (int, float)) and seconds > 0:
        bits.append(f"{seconds:.0f} s")
    if isinstance(metrics.get("holdout_J"), (int, float)):
        bits.append(f"hold-out J {metrics['holdout_J']:.2f}")
    if newest:
        bits.append("newest with results" if later else "newest")
    if default and not newest:
        bits.append("used by default")
    return " · ".join(bits)


def result_run_choices(project, pid: int) -> list[RunChoice]:
    """The runs of ``pid`` that have stored results: the default (the run :meth:`Project.result_runs` names,
    marked ``default``) first, then the others newest first."""
    counts = project.result_counts(int(pid))
    if not counts:
        return []
    runs = {int(r["id"]): r for r in project.runs(ids=counts)}  # the runs with results only
    default = project.used_run(int(pid)) or max(counts)
    later = any(int(r["id"]) > max(counts) for r in project.runs(int(pid)))  # a newer run, no results (yet)
    order = [default] + sorted((r for r in counts if r != default), reverse=True)
    return [RunChoice(run_id, counts[run_id], run_label(runs.get(run_id, {"id": run_id}), counts[run_id],
                                                        newest=run_id == max(counts), default=run_id == default,
                                                        later=later),
                      run_id == default)
            for run_id in order]


def check_runs(project, pids: Iterable[int], runs: Mapping[int, int] | None) -> dict[int, int]:
    """{pid: run id} of the chosen runs, each checked: a known run, of that person, with stored results for
    them; raises ExportError naming the project and the run otherwise.  A chosen person outside ``pids``
    is an error too (a typo would otherwise export the newest run silently)."""
    if not runs:
        return {}
    wanted = {int(p) for p in pids}
    known = {int(r["id"]): r for r in project.runs()}
    out: dict[int, int] = {}
    for pid, run_id in sorted((int(p), int(r)) for p, r in runs.items()):
        if pid not in wanted:
            raise ExportError(f"{project.folder}: run {run_id} was chosen for person {pid}, who is not among the "
                              f"persons exported ({', '.join(str(p) for p in sorted(wanted)) or 'none'})")
        have = sorted(project.result_counts(pid))
        listed = f"person {pid}'s runs with results: {', '.join(map(str, have))}" if have else \
            f"person {pid} has no segmentation results"
        run = known.get(run_id)
        if run is None:
            raise ExportError(f"{project.folder}: no training run {run_id} in this project ({listed})")
        if run.get("pid") is not None and int(run["pid"]) != pid:
            raise ExportError(f"{project.folder}: run {run_id} is person {run['pid']}'s training run, not person "
                              f"{pid}'s ({listed})")
        if run_id not in have:
            raise ExportError(f"{project.folder}: run {run_id} has no stored results for person {pid} ({listed})")
        out[pid] = run_id
    return out


def fuller_older_runs(project, used: Mapping[int, int], chosen: Mapping[int, int]) -> dict[int, dict]:
    """{pid: {"run", "frames", "fuller_run", "fuller_frames"}} for the persons whose exported run is the
    default (the newest with results, not chosen) and holds fewer frames than an older run of theirs: a
    cancelled Whole scene run, or a segmentation of part of the video, quietly replaces a complete run
    otherwise (:func:`partial_run_text` says it)."""
    out = {}
    for pid, run_id in sorted(used.items()):
        if pid in chosen:
            continue
        counts = project.result_counts(int(pid))
        n = counts.get(int(run_id), 0)
        fuller = max((r for r in counts if r != run_id), key=lambda r: (counts[r], r), default=None)
        if fuller is not None and counts[fuller] > n:
            out[int(pid)] = {"run": int(run_id), "frames": n, "fuller_run": int(fuller),
                             "fuller_frames": counts[fuller]}
    return out


def partial_run_text(pid: int, partial: Mapping, how: str) -> str:
    """'person 3: the newest run with results, run 12, has 1 frame and was exported; the older run 9 has 190
    (<how>)' for one entry of :func:`fuller_older_runs`; ``how`` says where to choose the other run."""
    n = int(partial["frames"])
    return (f"person {pid}: the newest run with results, run {partial['run']}, has {n} frame{'' if n == 1 else 's'} "
            f"and was exported; the older run {partial['fuller_run']} has {partial['fuller_frames']} ({how})")


def finish_hint(folder, pid: int, run: int) -> str:
    """How the command line finishes a stopped run: its stored network segments the rest (a review: the advice to
    run again meant training again, and `--keep-trained` kept a person whose older run was complete)."""
    return (f"`humanseg segment --project {shell_arg(folder)} --pid {pid} --run {run} --out DIR` segments the rest "
            "with its stored network")


def stopped_exported(project, used: Mapping[int, int]) -> dict[int, dict]:
    """{pid: {"run", "frames", "why"}} of the persons whose exported run (``used``: {pid: run}) stopped before
    segmenting its end: cancelled, failed or killed (a walk's interrupted run exported 86 of a person's 221
    frames, its only results, without a word)."""
    if not used:
        return {}
    known = {int(r["id"]): r for r in project.runs(ids=used.values())}
    out = {}
    for pid, run_id in sorted(used.items()):
        run = known.get(int(run_id))
        if run is not None and stopped_early(run):
            why = "cancelled" if (run.get("metrics") or {}).get("stopped") == "cancelled" else "cancelled or failed"
            out[int(pid)] = {"run": int(run_id), "frames": project.result_counts(int(pid)).get(int(run_id), 0),
                             "why": why}
    return out


def stopped_text(pid: int, stopped: Mapping, how: str = "segment it again with that run in the Segment tab") -> str:
    """'person 55: run 3 was cancelled after segmenting 86 frames: its results are partial (<how>)' (one entry
    of :func:`stopped_exported`)."""
    return (f"person {pid}: run {stopped['run']} was {stopped['why']} after segmenting {stopped['frames']} frames: "
            f"its results are partial ({how})")


def unsegmented_networks(project, pids) -> dict[int, int]:
    """{pid: the newest run with a stored network} of the persons of ``pids`` that have such a run and no result
    at all: a Whole scene run cancelled while training left them so (a walk's export said only "no masks")."""
    have = project.result_runs()
    out = {}
    for pid in pids:
        if int(pid) in have:
            continue
        nets = [int(r["id"]) for r in project.runs(int(pid)) if r.get("checkpoint")]
        if nets:
            out[int(pid)] = max(nets)
    return out


def newer_networks(project, used: Mapping[int, int], chosen: Mapping[int, int]) -> dict[int, int]:
    """{pid: run} of the persons exported with their default run (``used``: {pid: run}, none of ``chosen``) that
    have a newer run with a stored network and no result: a run stopped while it trained (an audit's interrupted
    `run`: `status` said "finish", the export took the older results without a word), or a network trained and never
    segmented."""
    out = {}
    wanted = {int(p): int(r) for p, r in used.items() if int(p) not in chosen}
    later: dict[int, list[dict]] = {}
    for r in project.runs() if wanted else ():  # one read, not one a person
        if r.get("pid") is not None and int(r["pid"]) in wanted and int(r["id"]) > wanted[int(r["pid"])]:
            later.setdefault(int(r["pid"]), []).append(r)
    for pid in sorted(wanted):
        nets = [int(r["id"]) for r in later.get(pid, []) if r.get("checkpoint")
                and Path(r["checkpoint"]).is_file()]  # (one that could segment: `segment --run N` is suggested)
        if nets:
            counts = project.result_counts(int(pid))
            if not counts.get(max(nets)):
                out[int(pid)] = max(nets)
    return out


def newer_network_text(pid: int, run: int, exported: object, how: str = "segment it in the Segment tab") -> str:
    """'person 3: run 7 trained a network that segmented nothing yet; the export holds run 5's results (<how>)'."""
    return (f"person {pid}: run {run} trained a network that segmented nothing yet; the export holds run {exported}'s "
            f"results ({how})")
