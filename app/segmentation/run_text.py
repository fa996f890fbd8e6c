"""The Train tab's words: the line on a person's newest run (its steps, hold-out J, where it came from, what it
trained on) and the outcome of a training that finished."""

from __future__ import annotations

from typing import Any

from app.job_footer import format_eta
from app.plurals import plural
from humanseg_core.wording import ranges_text
from humanseg_core.workflows.correction import retrain_policy, segment_refine


def segment_button_tip(run: dict) -> str:
    """The Train tab's Segment button's tooltip: the way it segments with ``run``'s network (the Segment tab's)."""
    return ("Segment this person's frames through the per-frame evidence, as Whole scene does (better masks, slower; "
            "the Segment tab's Masks box offers the network alone)" if segment_refine(run) == "evidence" else
            "Segment this person's frames with the network alone")


def last_run_text(run: dict, n_accepted: int) -> str:
    """``run`` (a ``Project.runs()`` row, with ``result_frames``) said in a line or two; ``n_accepted``: the
    person's reviewed labels now."""
    params, metrics = run.get("params") or {}, run.get("metrics") or {}
    bits = [f"Last run #{run.get('id')} ({run.get('model', '?')})"]
    steps, seconds, j = metrics.get("steps"), metrics.get("seconds"), metrics.get("holdout_J")
    if steps is not None:
        took = f" in {format_eta(float(seconds))}" if seconds is not None else ""
        bits.append(plural(int(steps), "step") + took)
    if j is not None:
        # the network alone on its crops (a walk read 0.254 here and 0.563 in Quality for the same frames: the
        # stored results have the per-frame evidence and the frame's edges too)
        bits.append(f"hold-out J {float(j):.3f} (the network alone; Quality scores the results)"
                    + (f", the network of step {metrics['kept_step']} kept (its best)" if metrics.get("kept_step")
                       else ""))  # a walk read the kept J in one place, the last in another, and no word why
    if params.get("scene_run"):
        bits.append("by Whole scene")
    if metrics.get("stopped") == "cancelled":  # its network is stored: Segment uses it
        bits.append("cancelled")
    if run.get("result_frames"):  # already segmented with it (a walk saw 'Segment with the new network' only)
        kept = int(metrics.get("kept_frames") or 0)  # a retrain: the frames outside its span, from the earlier run
        bits.append(f"{plural(int(run['result_frames']) - kept, 'frame')} segmented with it"
                    + (f", {kept} kept from run {metrics.get('kept_from')}" if kept else ""))
    if metrics.get("fixes"):  # a retrain: its results against the analyst's hand-fixed masks
        fixes = plural(int(metrics["fixes"]), "fixed mask")
        bits.append(f"IoU {float(metrics.get('fixes_iou') or 0):.2f} with your {fixes}")
    text = " · ".join(bits)
    trained_on = params.get("accepted_masks", params.get("labels"))
    policy = retrain_policy(run)[0]  # the labels it took: None, the reviewed ones
    taken = str(policy)
    unreviewed = params.get("unreviewed_labels")  # recorded since 5 Dec: how many nobody had reviewed
    if policy is not None and unreviewed == 0:  # a walk's fully reviewed person read "unreviewed … included"
        text += (f"\nIt trained on {plural(int(trained_on or 0), 'mask')} as Accept {taken} took them, every one "
                 "reviewed.")
    elif policy is not None:  # pending proposals too (a walk read "20 accepted; 2 now: Start" and nearly did)
        some = f"{unreviewed} of them unreviewed proposals" if unreviewed else "unreviewed proposals included"
        text += (f"\nIt trained on {plural(int(trained_on or 0), 'mask')} as Accept {taken} took them, {some}"
                 + (f"; Start trains on the {n_accepted} reviewed only (Retrain from here, in the Fix tab, keeps "
                    "the run's)" if n_accepted else "") + ".")  # none reviewed: the Train tab's next line says so
    elif trained_on is not None and int(trained_on) != n_accepted:
        text += (f"\nIt trained on {plural(int(trained_on), 'accepted mask')}; {n_accepted} now: Start or Resume "
                 "to use them.")
    return text


def result_field(result: Any, name: str, default=None):
    """A field of a training result, whether it is a dataclass/object or a dict."""
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def fell_text(first: tuple[int, float] | None, last: float, steps: int | None) -> str:
    """Why a hold-out J that fell during the run fell (a walk read 0.833 at the start, 0.808 at the end, and
    nothing said), or ""."""
    if first is None or last >= first[1] - 0.01 or (steps is not None and first[0] >= int(steps)):
        return ""
    return (f", below the {first[1]:.3f} of step {first[0]}: the masks it trained on taught it shapes the held-out "
            "masks do not have (their outlines differ; Quality shows where). On a few held-out masks a small drop "
            "may be noise")


def finished_text(result: Any, run_id: int | None, first_j: tuple[int, float] | None,
                  notices: list) -> tuple[str, bool, float | None, int | None]:
    """(the Train tab's words for a finished training, whether it has notes to read, its hold-out J, its steps):
    "run #12 finished after 60 steps · hold-out J 0.812", the notices (other than the parent's) on lines of their
    own."""
    from humanseg_core.osvos.config import FROM_SCRATCH, NO_PARENT

    metrics = result_field(result, "metrics", {}) or {}
    j = result_field(result, "holdout_J")
    if j is None and isinstance(metrics, dict):
        j = metrics.get("holdout_J")
    steps = result_field(result, "steps")
    bits = [f"run #{run_id}" if run_id is not None else "run", "finished"]
    if steps is not None:
        bits.append(f"after {plural(int(steps), 'step')}")
    fell = fell_text(first_j, float(j), steps) if j is not None else ""
    if j is not None:
        bits.append(f"· hold-out J {j:.3f}" + fell)
    others = [w.text for w in notices if w.kind not in (FROM_SCRATCH, NO_PARENT)]
    if others:
        bits.append("\n" + "\n".join(f"• {w}" for w in others[:4]))
    return " ".join(bits), bool(others or fell), j, steps  # a fall is a note to read (a walk read it in green)


def play_info(pid: int | None, masks, mask, frame: int | None, beyond, hidden, outside, labels: bool = False,
              marked: bool = False) -> str:
    """The Play tab's line: the person's frames with masks, the stretches to know about (positions guessed beyond
    a single annotation, hidden frames without a label, frames with the point outside the image, where masks may
    stop),
    and what this frame holds (an empty mask said as one: a walk read "mask on this frame" over nothing)."""
    if not len(masks):
        return ("No person selected: click a person's marker, or choose one in the Persons tab." if pid is None
                else f"Person {pid} · no masks of this kind.")
    who = f"Person {pid} · " if pid is not None else ""
    # on the analyst's labels an empty mask is a frame marked not visible (V), not a search that found nothing, and
    # it is no frame with a mask (a walk read "4 frames with masks" of 3 labels and one V)
    empty = getattr(masks, "empty_frames", lambda: set())()  # results: frames segmented where nothing was found (a
    # walk read "250 frames with masks (0-249)" of a person whose last 9 were empty, as the export said)
    here = ("no mask on this frame" if mask is None else
            ("marked not visible here (V)" if labels or marked else  # (``marked``: a result there, withheld: a walk)
             "an empty mask on this frame (nothing of the person found)")
            if not mask.any() else "mask on this frame")
    if any(a <= (frame if frame is not None else a - 1) <= b for a, b in beyond):
        here += ", its position guessed"
    said = f" · annotated once, guessed beyond: {ranges_text(beyond, '–')}" if beyond else ""
    if hidden:  # no label where it was hidden: the network guesses there (a walk)
        said += f" · no label, hidden behind a nearer person: {ranges_text(hidden, '–')}"
    if outside:  # a walk saw a person leaving the image unmasked and nothing said why
        said += f" · its point outside the image (masks may stop there): {ranges_text(outside, '–')}"  # (no proposal
        # claimed: a walk's had one on such a frame, placed before the point left)
    shown = [f for f in masks if f not in empty]
    where = f"{min(shown)}–{max(shown)}" if shown and min(shown) != max(shown) else str(min(shown)) if shown else ""
    count = (f"{len(shown)} frame{'' if len(shown) == 1 else 's'} with masks ({where})" if shown
             else "no frame with a mask") + (f", {len(empty)} {'marked not visible' if labels else 'empty'}"
                                             if empty else "")
    return f"{who}{count}{said} · {here}"
