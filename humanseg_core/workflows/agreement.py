"""How well a person's results agree with its labels: a sign of its accuracy that needs no ground truth.

On the annotated frames a person's run has results for, the mean IoU of each result with the person's label
there: its accepted (or edited) mask, else its pending proposal (a rejected one is no label).  Measured over
the whole-scene runs of eleven composed scenes (BENCHMARKS, "Which person to look at first"), it ranks the
persons of a scene as their true J does (Spearman 0.70-0.96 on every scene; the score and the area's
jitter 0.43-0.85 and -0.33-0.85), so the studio's Persons tab and ``humanseg run`` name the persons lowest
in it as the ones to look at first.  It is not J: a result that copies a wrong label agrees with it.

Recorded in the run's metrics (``agreement``, ``agreement_frames``) when its results are stored (a whole-scene
run, a segmentation, a retrain); only the label and result frames compared are decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import rle
from ..metrics import jaccard

METRIC, FRAMES = "agreement", "agreement_frames"


@dataclass(frozen=True)
class Agreement:
    mean: float  # mean IoU of the results with the labels
    frames: int  # annotated frames compared
    lowest: tuple[int, float]  # (frame, IoU) of the least agreeing


def label_blobs(project, pid: int) -> dict[int, bytes]:
    """{frame: RLE blob} of the person's labels: the accepted or edited mask, else the pending proposal (the
    last source of the frame); frames whose proposals were all rejected have none."""
    labels = project.mask_blobs(pid, "accepted")
    rejected = {p.frame for p in project.proposals(pid, status="rejected", with_masks=False)}
    pending = {p.frame for p in project.proposals(pid, status="pending", with_masks=False)}
    for frame, blob in project.mask_blobs(pid, "proposals").items():
        if frame not in labels and (frame in pending or frame not in rejected):
            labels[frame] = blob
    return labels


def agreement(project, pid: int, run_id: int) -> Agreement | None:
    """The agreement of ``pid``'s run ``run_id`` with its labels; None when no label frame has a result."""
    return blobs_agreement(label_blobs(project, pid), project.mask_blobs(pid, "results", run_id))


def blobs_agreement(labels: Mapping[int, bytes], results: Mapping[int, bytes],
                    frames: set[int] | None = None) -> Agreement | None:
    """:func:`agreement` of stored masks ({frame: RLE blob}), on the label frames with a result (of ``frames``
    alone, when given)."""
    shared = set(labels) & set(results)
    if frames is not None:
        shared &= frames
    ious: dict[int, float] = {}
    for f in sorted(shared):
        try:
            label, result = rle.from_blob(labels[f]).astype(bool), rle.from_blob(results[f]).astype(bool)
        except Exception:  # a damaged blob: the frame is left out (the store warns where it reads them)
            continue
        if label.shape == result.shape:
            ious[f] = jaccard(result, label)
    if not ious:
        return None
    low = min(ious, key=lambda f: ious[f])
    return Agreement(float(np.mean(list(ious.values()))), len(ious), (low, ious[low]))


def record_agreement(project, pid: int, run_id: int) -> Agreement | None:
    """Measure and keep the agreement in the run's metrics (None, and nothing kept, when there is none)."""
    found = agreement(project, pid, run_id)
    if found is not None:
        project.update_run(int(run_id), metrics={METRIC: round(found.mean, 4), FRAMES: found.frames})
    return found


def agree_kept(project, result) -> None:
    """The agreement of a whole-scene run's kept persons (``result.kept``: {pid: run}) in ``result.agreement`` and
    ``agreement_frames``, measured and kept where their run stopped before measuring it (a walk's persons finished
    before a cancel had none, and the closing line's "look at these first" left out two of the three worst)."""
    runs = {int(r["id"]): r for r in project.runs(ids={int(r) for r in result.kept.values()})} if result.kept else {}
    for pid, run_id in sorted(result.kept.items()):
        metrics = (runs.get(int(run_id)) or {}).get("metrics") or {}
        if METRIC in metrics:
            result.agreement[pid], result.agreement_frames[pid] = float(metrics[METRIC]), metrics.get(FRAMES)
        elif (found := record_agreement(project, pid, run_id)) is not None:
            result.agreement[pid], result.agreement_frames[pid] = found.mean, found.frames


def agree_unmeasured_job(project, pids, cancel=None):
    """Job: the agreement of the runs in use of ``pids`` that are whole and have none recorded (a cancelled whole-
    scene run's persons segmented to the end of their spans before the cancel: the studio's Agree read "—" and
    "look at these first" left them out until the next run); returns {pid: agreement}. Measured after the cancel,
    in the background, so that the cancel itself stays quick."""
    from ..jobs import Progress
    from ..run_state import stopped_early

    used = {int(p): int(run) for p, (run, _n) in project.result_frames().items() if int(p) in {int(q) for q in pids}}
    runs = {int(r["id"]): r for r in project.runs(ids=set(used.values()))} if used else {}
    todo = [(p, run) for p, run in sorted(used.items()) if run in runs and not stopped_early(runs[run])
            and METRIC not in (runs[run].get("metrics") or {})]
    found: dict[int, float] = {}
    for i, (pid, run) in enumerate(todo, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        measured = record_agreement(project, pid, run)
        if measured is not None:
            found[pid] = measured.mean
        yield Progress(i, len(todo), f"person {pid}'s results measured against its labels", data={"pid": pid})
    return found


FEW_FRAMES = 2  # an agreement measured on this many label frames or fewer says little


def lowest_text(agreements: dict[int, float], count: int = 3, frames: Mapping[int, int] | None = None,
                edited: Mapping[int, float] | None = None, trained: Mapping[int, int] | None = None) -> str:
    """"lowest agreement with their labels: person 70 0.41, 69 0.52, 156 0.58 (look at these first)"; ""
    when fewer than two persons were measured. ``frames`` ({pid: label frames measured}): the persons measured
    on :data:`FEW_FRAMES` or fewer are named too, whatever their agreement (a walk's person with one label
    agreed 0.82 and came last, at J 0.31: a network fits the frames it was trained on). ``edited`` ({pid: share
    of its labels edited by hand}): those persons come after the others (a walk's four fixed persons were named
    first: a network agrees less with masks it never copied than with the proposals it did). ``trained`` ({pid:
    labels its network trained on}): those trained on :data:`FEW_FRAMES` or fewer are named too (a walk's person
    trained on 2 poor labels agreed 0.91 with its 10 proposals, all on its neighbour, at J 0.44)."""
    if len(agreements) < 2:
        return ""
    hand = {p for p, share in (edited or {}).items() if share}
    low = sorted(agreements, key=lambda p: (p in hand, agreements[p]))[:count]
    listed = ", ".join(f"{p} {agreements[p]:.2f}" for p in low)
    text = f"lowest agreement with their labels: person {listed} (look at these first)"
    counts = dict(frames or {})
    few = sorted(p for p, n in counts.items() if n <= FEW_FRAMES and p not in low)
    if few:
        named = ", ".join(f"{p} ({counts[p]})" for p in few[:10]) + (", …" if len(few) > 10 else "")
        text += f"; measured on {FEW_FRAMES} label frames or fewer, which says little: person {named}"
    thin = sorted(p for p, n in (trained or {}).items() if n <= FEW_FRAMES and p in agreements and p not in low
                  and p not in few)
    if thin:
        named = ", ".join(f"{p} ({(trained or {})[p]})" for p in thin[:10]) + (", …" if len(thin) > 10 else "")
        text += f"; trained on {FEW_FRAMES} labels or fewer, whose network copies them right or wrong: person {named}"
    return text


DROP = 0.05  # a new run's agreement this much under the run it replaced is said


def agreement_drops(project, replaced: Mapping[int, int], now: Mapping[int, float], margin: float = DROP,
                    new_runs: Mapping[int, int] | None = None) -> dict[int, tuple[int, float, float]]:
    """{pid: (replaced run, its agreement, the new one)} of the persons whose new results agree with the labels
    at least ``margin`` less than those of the run they replaced (``replaced``: {pid: run id}), both measured
    against today's labels (a walk's retrain of two persons made one worse, 0.64 -> 0.48, and nothing said
    so while the new run became the one Play and Export use). ``new_runs`` ({pid: the new run}): both are
    measured on the label frames both have results on, none compared where they share none (a walk's run cut
    short had results on 1 of 2 label frames; the same network's whole run, scored on both, read as worse)."""
    drops = {}
    for pid, old_run in replaced.items():
        if pid not in now:
            continue
        new_run = (new_runs or {}).get(pid)
        labels, old = label_blobs(project, int(pid)), project.mask_blobs(int(pid), "results", int(old_run))
        if new_run is None:
            before, after = blobs_agreement(labels, old), float(now[pid])
        else:  # each run's masks read once, both measured on the frames both have
            new = project.mask_blobs(int(pid), "results", int(new_run))
            before = blobs_agreement(labels, old, set(new))
            measured = blobs_agreement(labels, new, set(old)) if before is not None else None
            if measured is None:
                continue
            after = measured.mean
        if before is not None and before.mean - after >= margin:
            drops[int(pid)] = (int(old_run), float(before.mean), float(after))
    return drops


def drops_text(drops: Mapping[int, tuple[int, float, float]], pick: str) -> str:
    """'the new results agree less with the labels than those they replaced: person 252 0.64 -> 0.48 (run 20);
    <pick>' or ''."""
    if not drops:
        return ""
    ranked = sorted(drops.items(), key=lambda item: (item[1][2] - item[1][1], item[0]))  # the largest drop first
    listed = ", ".join(f"{p} {was:.2f} -> {now:.2f} (run {run})" for p, (run, was, now) in ranked[:MOST_SAID])
    more = f" and {len(ranked) - MOST_SAID} more (the JSON's agreement_drops names them)" if len(ranked) > MOST_SAID \
        else ""
    who = "person" if len(ranked) == 1 else "persons"
    return f"the new results agree less with the labels than those they replaced: {who} {listed}{more}; {pick}"


MOST_SAID = 5  # persons named in the line (a scale walk's named 40 in one line)
