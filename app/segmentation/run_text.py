"""The Train tab's line on a person's newest run: its steps, hold-out J, where it came from, what it trained on."""

from __future__ import annotations

from app.job_footer import format_eta
from app.plurals import plural
from humanseg_core.workflows.correction import retrain_policy


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
        bits.append(f"hold-out J {float(j):.3f} (the network alone; Quality scores the results)")
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
