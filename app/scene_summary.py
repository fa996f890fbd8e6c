"""What the Whole scene panel says about a run: stage lines while it runs, the summary and each person's state
when it is over, and the frames it could not read.

A frame whose image cannot be read during segmentation has no result for anyone (the core records it in
``SceneRunResult.unreadable`` and in each person's run, metrics ``unreadable_frames``).  The panel says so
after the run, naming the frame, the file and the problem, and each person's row counts the frames that were
stored (the run's ``segmented_frames``), not the frames the progress went through.
"""

from __future__ import annotations

from app.plurals import persons_text, plural
from humanseg_core.osvos.config import FEW_STEPS
from humanseg_core.wording import id_list
from humanseg_core.workflows.agreement import METRIC as AGREEMENT
from humanseg_core.workflows.agreement import drops_text, lowest_text
from humanseg_core.workflows.scene_result import (
    cut_short_text,
    few_steps_text,
    guessed_frames_text,
    labelled_text,
    no_mask_text,
)

STAGES = {"start": "Starting", "propose": "Proposals", "train": "Training", "segment": "Segmenting",
          "store": "Storing", "export": "Exporting",  # the job's stages as the panel names them
          "labels": "Training"}  # a person's labels cleaned before its steps (a re-walk's bar read "Labels 0%")
LISTED = 3  # unreadable frames named in the status line; more are counted


def eta_text(stage: str, eta_s: float | None) -> str:
    """' · ETA 1:15' for the stage; before segmentation the stage's own, said so (a walk read training's 'ETA
    0:52', then segmentation began at 'ETA 9:03')."""
    if eta_s is None:
        return ""
    from app.job_footer import format_eta

    if stage in ("propose", "train"):
        return f" · {STAGES[stage].lower()} ETA {format_eta(eta_s)} (segmentation follows)"
    return f" · ETA {format_eta(eta_s)}"


def stage_text(stage: str, message: str) -> str:
    """'Training: person 3 (2/8): step 40/100'; no stage name twice ('Proposals: preparing…' for the
    job's 'proposals: preparing…')."""
    name = STAGES.get(stage, stage.capitalize())
    if not message:
        return name
    if not name or message.lower().startswith(name.lower()[:7]):
        return message[:1].upper() + message[1:]
    return f"{name}: {message}"


def summary(result) -> str:
    """One line about a finished run; the time per person-frame only when frames were segmented."""
    kept = f"{len(result.kept)} kept, " if getattr(result, "kept", None) else ""
    if getattr(result, "reused", None):  # a cancelled run's networks, not trained again
        kept += f"{len(result.reused)} with the network of a cancelled run, "
    precision = getattr(result, "precision", "")  # what segmentation ran in (bfloat16 or float32)
    note = getattr(result, "precision_note", None)
    precision = f" in {precision}" + (" (this device has no native bfloat16)" if note else "") if precision else ""
    text = (f"{plural(len(result.persons), 'person')} segmented on {result.device}{precision}, {kept}"
            f"{len(result.skipped)} skipped, {len(result.failed)} failed · ")
    if result.person_frames:
        text += f"{result.person_frames} person-frames, {result.ms_per_person_frame:.1f} ms each · "
    else:
        text += "no frames segmented · "
    text += f"{result.seconds:.0f} s"
    lowest = lowest_text(getattr(result, "agreement", None) or {}, frames=getattr(result, "agreement_frames", None),
                         edited=getattr(result, "edited", None), trained=getattr(result, "labels", None))
    nowhere = getattr(result, "found_nowhere", None) or []
    notes = (lowest + "; the Persons tab's Agree column" if lowest else "",
             f"{plural(len(nowhere), 'person')} trained but with no pixel on any frame ({id_list(nowhere, 8)}): "
             "review their proposals or label them by hand" if nowhere else "",
             few_steps_text(getattr(result, "few_steps", None) or {}, "choose \"steps per person\" in the budget box "
                            "(no time bound), which a busy machine does not shorten"),
             drops_text(getattr(result, "drops", None) or {}, "the Play tab's Run box picks the earlier run back"),
             guessed_frames_text(getattr(result, "guessed", None) or {}, getattr(result, "guessed_missing", None)),
             labelled_text(getattr(result, "labelled", None) or {}),
             no_mask_text(getattr(result, "no_mask", None) or {}),  # (a walk: 21 frames of a person, named nowhere)
             cut_short_text(result.cut_short, *result.budget) + '; choose "steps per person" in the budget box '
             "(no time bound) to let them finish" if getattr(result, "cut_short", None)
             and getattr(result, "budget", ()) else "")
    return text + "".join(f" · {n[0].upper()}{n[1:]}" for n in notes if n)


def unreadable_text(unreadable: dict, who: str = " for anyone") -> str:
    """'Warning: 1 frame could not be read and has no result for anyone: <file>: frame 5: damaged JPEG …'
    for ``{frame: problem}`` (the problem names the file and the frame), or '' when there is none; ``who``
    ('' for one person's segmentation) follows 'no result'."""
    if not unreadable:
        return ""
    n = len(unreadable)
    return (f"Warning: {plural(n, 'frame')} could not be read and {'has' if n == 1 else 'have'} "
            f"no result{who} (Play shows {'it' if n == 1 else 'them'} hatched, exports name "
            f"{'it' if n == 1 else 'them'}): {named_frames(unreadable)}")


def named_frames(unreadable: dict) -> str:
    """'<problem>; <problem>; <problem>; and 2 more frames' for ``{frame: problem}``: the first LISTED
    frames' problems (each names the file and the frame), the rest counted."""
    frames = sorted(unreadable)
    more = f"; and {plural(len(frames) - LISTED, 'more frame')}" if len(frames) > LISTED else ""
    return "; ".join(str(unreadable[f]) for f in frames[:LISTED]) + more


def segmented_states(project, run_ids: dict, pids) -> dict[int, str]:
    """{pid: 'segmented 190 frames, 1 unreadable (frame 5)'} from each person's run of this scene run: the
    frames stored (``segmented_frames``) and those its image could not be read for (``unreadable_frames``)."""
    runs = {int(r["id"]): r for r in project.runs()} if project is not None and run_ids else {}
    states = {}
    for pid in pids:
        metrics = (runs.get(int(run_ids.get(pid, -1))) or {}).get("metrics") or {}
        n = metrics.get("segmented_frames")
        if not isinstance(n, int):
            continue
        steps = metrics.get("steps")
        few = f", trained {plural(steps, 'step')} only" if isinstance(steps, int) and steps < FEW_STEPS else ""
        states[int(pid)] = f"segmented {plural(n, 'frame')}" + gap_text(metrics) + agreement_text(metrics) + few
    return states


def agreement_text(metrics: dict) -> str:
    """', agreement 0.81' for a run's metrics (its results against its labels: the lowest are the persons to
    look at first), or '' when it was not measured."""
    agreed = metrics.get(AGREEMENT)
    return f", agreement {agreed:.2f}" if isinstance(agreed, (int, float)) else ""


def gap_text(metrics: dict) -> str:
    """', 1 unreadable without a result (frame 5)' for a run's metrics (``unreadable_frames``), or ''."""
    gaps = metrics.get("unreadable_frames")
    frames = sorted(int(f) for f in gaps if str(f).lstrip("-").isdigit()) if isinstance(gaps, dict) else []
    if not frames:
        return ""
    listed = ", ".join(str(f) for f in frames[:LISTED]) + (", …" if len(frames) > LISTED else "")
    return f", {len(frames)} unreadable without a result (frame{'s' if len(frames) > 1 else ''} {listed})"


NOW_USED = "now the newest, which Play shows"


def partial_states(project, before: dict, pids, picked: dict[int, int] | None = None) -> dict[int, str]:
    """{pid: state} of the persons that got a new run with results during a cancelled Whole scene run
    (``before``: the project's ``newest_result_runs()`` at its start).  A run the job finished before the cancel
    is complete and the one Play and Export use; a run cut short holds the frames stored until the cancel and
    is used only by a person who has no other results (ADR 0011): the others keep what they had, unless the
    analyst picked another run in Play's Run box (``picked``, {pid: run}); the state names the run used."""
    from app.run_follow import picked_run

    now = project.newest_result_runs() if project is not None else {}
    changed = {int(p): now[int(p)] for p in pids if now.get(int(p)) is not None and now[int(p)] != before.get(int(p))}
    if not changed:
        return {}
    stopped = {int(r["id"]): (r.get("metrics") or {}).get("stopped") for r in project.runs(ids=set(changed.values()))}
    used = project.result_runs()
    states = {}
    for pid, run in changed.items():
        counts = project.result_counts(int(pid))  # counts: no mask read
        n = counts.get(run, 0)
        if stopped.get(run) != "cancelled":  # segmented to the end of its span before the cancel (scene_run)
            states[int(pid)] = f"segmented {plural(n, 'frame')} before the cancel (run {run}, complete)"
            continue
        pick = picked_run(project, picked, int(pid), counts)
        shown = pick if pick is not None else used.get(int(pid))
        text = f"cancelled while segmenting: {plural(n, 'frame')} stored (run {run})"
        if shown == run:
            states[int(pid)] = f"{text}, {NOW_USED}"
        elif pick is not None:
            states[int(pid)] = (f"{text}; Play and Export use run {pick}, picked in Play's Run box (pick run {run} "
                                "there to see these)")
        else:
            kept = plural(counts.get(int(shown or -1), 0), "frame")
            states[int(pid)] = (f"{text}; Play and Export keep run {shown}'s {kept} (pick run {run} in Play's Run "
                                "box to see these)")
    return states


def partial_note(pids: list[int], kept: list[int] | None = None) -> str:
    """What the status adds when a cancel left persons with part of their frames segmented, or '': ``pids``
    now show those partial results (they had none before), ``kept`` keep the results they had."""
    text = ""
    if pids:
        one = len(pids) == 1
        text += (f". {persons_text(pids).capitalize()} {'has' if one else 'have'} partial results, now the newest, "
                 f"which Play shows: Segment tab (with the new network) completes {'it' if one else 'them'}")
    if kept:
        one = len(kept) == 1
        text += (f". {persons_text(kept).capitalize()} {'keeps its' if one else 'keep their'} earlier results in "
                 "Play and Export; the cancelled run's frames are in Play's Run box")
    return text


def training_state(step, expected, budget) -> str:
    """A person's training as the table says it: 'training step 7/100', and when the time bound is expected to
    end it first, 'training step 7/100 (about 20 fit in the time bound)' (a walk read 7/100 in the status line
    and 7/20 in the table)."""
    if not step:
        return "preparing to train (labels, network)"
    if budget and expected and int(expected) < int(budget):
        return f"training step {step}/{budget} (about {expected} fit in the time bound)"
    total = budget or expected
    return f"training step {step}" + (f"/{total}" if total else "")


def person_states(data: dict, kept: set[int]) -> list[tuple[int, str]]:
    """(pid, state) of the Scene table that a whole-scene run's progress ``data`` says: skipped, kept, waiting (every
    person to train, from the start) and frames segmented so far. ``kept``: the persons whose results the run keeps,
    never said to be segmenting (their networks share the frames' pixels out only: a walk read them as segmented
    again)."""
    states = [(int(pid), f"skipped: {why}") for pid, why in (data.get("skipped") or {}).items()]
    states += [(int(pid), f"kept: its results (run {run_id}), not trained again")
               for pid, run_id in (data.get("kept") or {}).items()]
    states += [(int(pid), "waiting") for pid in data.get("pids") or []]
    return states + [(int(pid), f"segmenting: {plural(int(n), 'frame')} so far")  # (a walk read 120 as final)
                     for pid, n in (data.get("person_frames") or {}).items() if int(pid) not in kept]
