"""The Fix tab's words and its ranking job: what a frame's suspicion is, the retrain's comparison note, the
view around a mask, and the background job that ranks a run's result frames (``correction_panel`` shows them)."""

from __future__ import annotations

import numpy as np

from humanseg_core.jobs import Progress

from ..plurals import plural

# after a ranking where no frame shows a warning sign (a walk read "looks consistent" on every frame of a run
# that missed the person's upper body throughout)
NO_SIGN = (". None shows a warning sign, which is not proof of a good mask: one wrong the same way on every "
           "frame is not flagged; look at a few in Play")
HEADER = ("Frames most likely wrong, worst first: frame · suspicion (higher: likelier wrong) · why (no ground "
          "truth needed)")
HINT = "Press Rank to list the result frames of the run Play shows most likely wrong, worst first"


def suspects_job(project, scene, pid: int, cancel=None, run_id: int | None = None):
    """Job: (run id, ranked suspects, blobs) of run ``run_id`` of ``pid`` (None: the newest run that has
    results)."""
    from humanseg_core.workflows.correction import rank_suspects

    yield Progress(0, 1, "reading results")
    if run_id is None:  # the run whose results these are (not a later run without)
        run_id = project.used_run(int(pid))
    results = project.results(pid, run_id) if run_id is not None else {}
    if cancel is not None:
        cancel.raise_if_cancelled()
    ranked = rank_suspects(results, lambda f: scene.position_px(pid, f) if scene is not None else None,
                           others=None if scene is None else
                           lambda f: {q: uv for q, uv in scene.persons_at(f).items() if q != int(pid)},
                           marked_hidden=project.hidden_frames(int(pid)))
    blobs = project.mask_blobs(pid, "results", run_id) if run_id is not None else {}
    yield Progress(1, 1, "ranked")
    return run_id, ranked, blobs


def retrain_job(project, pid: int, fixed, seconds: float, config=None, cancel=None):
    """Job: Retrain from here (``config``, else the default network trained ``seconds``), its modules (torch, the
    networks) imported on the worker's thread: the first click had frozen the window 1.8 s importing them (a walk)."""
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.nets_parent import default_model
    from humanseg_core.workflows.correction import retrain_from_here
    from humanseg_core.workflows.parent_choice import project_parent_file

    parent = project_parent_file(project)  # the project's own parent network when one was chosen
    chosen = config if config is not None else TrainConfig(model=default_model(parent)[0], seconds=seconds)
    return (yield from retrain_from_here(project, pid, fixed, chosen, cancel))


def suspicion_text() -> str:
    """What a ranked frame's number is (the walks read it unexplained), from the ranking's own weights."""
    from humanseg_core.workflows.correction import SuspectConfig

    c = SuspectConfig()
    return ("Each line: frame · suspicion · the warning signs. Suspicion adds up what is seen without ground "
            f"truth: {c.area_weight:g} x the area change against the {c.window} result frames either side "
            "(|ln(area / their median)|: 0.69 for double or half), "
            f"{c.height_weight:g} x the height change (the same way), "
            f"{c.motion_weight:g} x (1 - the IoU with the frames just before and after, moved with the track "
            "point), "
            f"{c.distance_weight:g} x the distance from the track point to the mask in person heights, "
            f"{c.pieces_weight:g} for each extra piece; an empty mask scores 10. Where a nearer person's track "
            f"point lies on the body (\"behind person N\"), the area change counts {c.behind_weight:g} x: part of "
            "the person is hidden there. A sign is named once it is clear "
            "(an area or height change over 0.3: +35 % or -26 %; an IoU under 0.6 with the frames either side; "
            "over 0.05 heights; a second piece); below that the small "
            "changes still add up, so a frame with no warning sign can score 0.1-0.2. "
            "After a retrain, \"was\" gives the frame's suspicion in the run ranked before.")


def change_text(earlier, ranked, note: str) -> str:
    """The retrain's note, and whether the earlier ranking's worst frames look better in this one."""
    from humanseg_core.workflows.correction import compare_rankings

    change = compare_rankings(earlier[1], ranked) if earlier is not None else None
    if change is None:
        return note
    verdict = ("less suspect now" if change.after < change.before - 0.01
               else "more suspect now" if change.after > change.before + 0.01 else "unchanged")
    said = (f"against run {earlier[0]}: its {plural(len(change.frames), 'worst frame')} {change.before:.2f} → "
            f"{change.after:.2f} suspicion (mean), {verdict}")
    was, now = {s.frame: s.score for s in earlier[1]}, {s.frame: s.score for s in ranked}
    worse = sorted((f for f in now if f in was and now[f] > was[f] + 0.1), key=lambda f: was[f] - now[f])
    if worse:  # a mean that fell can hide frames the retrain made worse (a walk: 862 0.08 → 0.32)
        said += (f"; {plural(len(worse), 'frame')} more suspect: "
                 + ", ".join(f"{f} {was[f]:.2f} → {now[f]:.2f}" for f in worse[:3]) + (", …" if len(worse) > 3 else ""))
    said += f"; signs, not accuracy: compare the runs in Play (run {earlier[0]} kept)"  # a walk read "less" as better
    return f"{note}\n{said[0].upper()}{said[1:]}" if note else said[0].upper() + said[1:]


def mask_region(mask: np.ndarray, heights: float = 2.0) -> tuple[float, float, float, float] | None:
    """(cx, cy, width, height) of a view ``heights`` times ``mask``'s height (or 2x width), centred; None: empty."""
    from humanseg_core.proposals.person_mask import box_of

    box = box_of(np.asarray(mask))
    if box is None:
        return None
    x0, y0, x1, y1 = (float(c) for c in box)
    h = heights * max(y1 - y0, 2 * (x1 - x0), 16.0)
    return (x0 + x1) / 2, (y0 + y1) / 2, h * 0.75, h


# how to go back to the earlier run: Export Masks starts from the runs picked in Play, for every person exported
PICK_AGAIN = "pick it in Play's Run box, and Export Masks takes it too"
FIXES_WORSE = 0.02  # a retrain's results this much further from the analyst's fixes than the run before: said


def fixes_text(fixes, previous_run: int | None) -> str:
    """The retrain's result against the analyst's own hand-fixed masks, on a line of its own ("Your 3 fixed
    masks: IoU 0.91 with the new results, 0.62 with run 4's"), the lowest frame named when under 0.8; "" when
    none was compared."""
    if fixes is None:
        return ""
    said = f"\nYour {plural(fixes.frames, 'fixed mask')}: IoU {fixes.iou:.2f} with the new results"
    if fixes.before is not None and previous_run is not None:
        said += f", {fixes.before:.2f} with run {previous_run}'s"
    if fixes.worst is not None:
        # the mask itself may be exact (a walk drew ground truth and was told to fix it again): the network has not
        # learnt it; the exports keep the analyst's mask on that frame
        said += (f" (frame {fixes.worst[0]}: {fixes.worst[1]:.2f}: the network does not follow your mask there yet; "
                 "fixes on frames near it, or a longer retrain, teach it; exports keep your mask on that frame)")
    if fixes.before is not None and previous_run is not None and fixes.iou < fixes.before - FIXES_WORSE:
        said += (f". Further from your fixes than run {previous_run}, which stays stored: {PICK_AGAIN}"
                 )  # (a crowd walk's retrain did worse, and its export took it unsaid)
    return said


FIXED_NOTE = "  ·  fixed by you"  # a ranked frame's row once a fix is saved on it
CHECKED_NOTE = "  ·  looks right (you)"  # a ranked frame the analyst marked right


RANKED_ROWS = 300  # rows listed (a walk's frames at J 0.19-0.20 ranked 80th-86th, past the 50 listed then)


def ranked_rows(ranked, fixed: set[int], checked: set[int], was: dict[int, float],
                top: int = RANKED_ROWS) -> list[tuple[str, int]]:
    """(row text, frame) of a ranking's first ``top`` frames, those fixed already and those marked right last (a
    re-walk's next ranking put its own fix first: the exports hold the fix there): frame, suspicion (with the
    earlier ranking's when it moved), why, and whether the analyst fixed it or marked it right."""
    rows = []
    done_with = fixed | checked
    order = [s for s in ranked if s.frame not in done_with] + [s for s in ranked if s.frame in fixed - checked] + \
        [s for s in ranked if s.frame in checked]
    for s in order[:top]:
        why = ", ".join(s.reasons) or (f"no clear sign ({s.slight})" if s.slight else "no warning sign")
        done = FIXED_NOTE if s.frame in fixed else ""  # a fix already saved on this frame
        done += CHECKED_NOTE if s.frame in checked else ""
        then = f" (was {was[s.frame]:.2f})" if s.frame in was and abs(was[s.frame] - s.score) >= 0.005 else ""
        rows.append((f"frame {s.frame}  ·  {s.score:.2f}{then}  ·  {why}{done}", int(s.frame)))
    return rows


def retrain_text(value, pid) -> str:
    """What a finished retrain (``workflows.correction.Retrained``) did, for the tab's status line."""
    a, b = value.span
    hand = getattr(value, "hand_labels", 0)
    if value.accept == "reviewed":
        how = "the reviewed labels"
    elif hand and hand >= value.labels:  # the run's best proposal alone gives way to a fix (a crowd walk read "the
        how = f"your {plural(hand, 'fix', 'fixes')} alone"  # labels run 9 took" of a retrain on its 2 fixes alone)
    else:  # no brackets within brackets (a walk)
        how = (f"the labels run {value.previous_run} took under Accept {value.accept}"
               + (f", your {plural(hand, 'fix', 'fixes')} first" if hand else ""))
    return (f"Person {pid}: run {value.run.run_id} trained on {plural(value.labels, 'mask')} ({how}) and "
            f"re-segmented frames {a}–{b}"
            + (" with per-frame evidence" if value.refine == "evidence" else "")
            + (f" with the network alone (it agreed better with your {value.chose_network[0]} hand-made masks: IoU "
               f"{value.chose_network[2]:.2f}, the per-frame evidence {value.chose_network[1]:.2f})"
               if getattr(value, "chose_network", None) else "")
            + (f" (run {value.previous_run} kept to compare)" if value.previous_run else "")
            + "; the Segment tab segments the whole span with it"  # a walk looked for that here
            + few_steps_text(getattr(value.run, "steps", None))
            + fixes_text(value.fixes, value.previous_run)
            + emptied_text(getattr(value, "emptied", (0, 0)), value.previous_run))


def emptied_text(emptied: tuple[int, int], previous_run: int | None) -> str:
    """A line when a retrain left many re-segmented frames without a mask where the earlier run had one (a re-walk's
    emptied 115 of 180 and Export took it, unsaid), else ""."""
    n, of = emptied
    if previous_run is None or n < max(3, 0.1 * of):
        return ""
    return (f"\n{n} of the {of} frames re-segmented have no mask now where run {previous_run} had one: look at them "
            f"in Play; run {previous_run} stays stored ({PICK_AGAIN})")


def few_steps_text(steps: int | None) -> str:
    """A line when a retrain made fewer steps than a network needs to learn from its labels (a crowd walk's made 7
    in 30 s on a busy machine, unsaid, where a Whole scene run says it), else ""."""
    from humanseg_core.osvos.config import FEW_STEPS

    if steps is None or steps >= FEW_STEPS:
        return ""
    return (f"\nOnly {plural(steps, 'training step')} (a busy machine, or a short budget?): the network learnt little "
            "from your fixes; retrain with more seconds")


def changed_during(project, run_id: int) -> str:
    """The labels of the person of run ``run_id`` (a retrain's) made or changed after the run read them (saved in
    Review while it ran): not in it, said with the way to take them (a review: such a fix was left out without a
    word); "" when none."""
    from humanseg_core.wording import frame_runs, ranges_text
    from humanseg_core.workflows.label_changes import changed_since_read

    # as its Accept took them (a review: accepting a proposal it had trained on, pending, read as a change missed)
    frames = sorted(f for run in project.runs(ids=[int(run_id)]) for f in changed_since_read(project, run))
    if not frames:
        return ""
    return (f"\n{plural(len(frames), 'label')} changed while it retrained (frames "
            f"{ranges_text(frame_runs(frames), sep=', ')}) {'is' if len(frames) == 1 else 'are'} not in it: Retrain "
            "from here again to take them")
