"""Before a Whole scene run: the persons that already have segmentation results, and the analyst's choice.

A run over persons the analyst already trained would add newer runs that silently become the ones Play and
Export use.  :func:`ask_keep` says so first: keep their results (train and segment the others only: the
core's ``SceneRunConfig.keep_trained``), retrain them too (a new run each; the earlier runs stay in the
project), or cancel.  No choice deletes a stored run.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.plurals import persons_text, plural
from app.scene_summary import agreement_text, gap_text
from humanseg_core.workflows.scene_reuse import cancelled_before_segmenting

KEEP, RETRAIN, REUSE = "keep", "retrain", "reuse"
KEEP_TEXT = "Keep their results"
RETRAIN_TEXT = "Retrain them too"
REUSE_TEXT = "Use those networks"
TRAIN_AGAIN_TEXT = "Train them again"
MAX_LISTED = 12  # persons named in the question; more are counted


def persons_with_results(project, pids: tuple[int, ...] | None) -> dict[int, int]:
    """{pid: the run whose results Play and Export use} of the chosen persons (None: every person) that
    already have segmentation results."""
    have = project.result_runs()
    return dict(have) if pids is None else {p: have[p] for p in pids if p in have}


def result_states(project, picked: dict[int, int] | None = None) -> dict[int, str]:
    """{pid: the Scene table's state} of the persons of ``project`` (or None) that already have results: the
    table of a reopened project lists them (it was empty), with the frames their run could not read.  The
    run named is the one Play uses: ``picked`` ({pid: run} picked in Play's Run box), else the newest."""
    from app.run_follow import picked_run

    if project is None:
        return {}
    have = persons_with_results(project, None)
    runs = project.runs()
    metrics = {int(r["id"]): r.get("metrics") or {} for r in runs}
    states = {}
    partial = partial_results(project, have)  # a cut-short run's rows stay partial (a walk: "results of run 1")
    for pid, run in sorted(have.items()):
        pick = picked_run(project, picked, pid)
        used = "Play, Quality, Export" if pick is None else "picked in Play; Play, Quality, Export"
        run = run if pick is None else pick
        part = f"partial: {partial[pid]}; " if pick is None and pid in partial else ""
        states[pid] = f"{part}results of run {run} ({used})" + gap_text(metrics.get(run, {})) + agreement_text(
            metrics.get(run, {}))
    for pid, run_id in sorted(cancelled_before_segmenting(runs, project.newest_result_runs()).items()):
        how = "cancelled" if metrics.get(run_id, {}).get("stopped") == "cancelled" else "stopped (closed or killed)"
        note = f"run {run_id} {how} before any frame was segmented (its network is stored: Train tab, Segment)"
        states[pid] = note + (f"; {states[pid]}" if pid in states else "")
    return states


def question(pids: list[int], partial: dict[int, str] | None = None) -> str:
    """'2 persons already have results (3, 7).' with at most MAX_LISTED ids named; ``partial`` ({pid: what
    is stored}) names the results a stopped run left part-way, which either choice segments again (the core's
    ``keep_trained`` keeps whole runs only)."""
    pids = sorted(pids)
    named = ", ".join(str(p) for p in pids[:MAX_LISTED]) + (", …" if len(pids) > MAX_LISTED else "")
    text = (f"{plural(len(pids), 'person')} already {'has' if len(pids) == 1 else 'have'} segmentation results "
            f"({named}).")
    if partial:
        part = sorted(partial)
        text += (f" Of these, {persons_text(part)} {'has' if len(part) == 1 else 'have'} only part of the frames: "
                 + "; ".join(f"{p}: {partial[p]}" for p in part[:MAX_LISTED])
                 + ". Either choice segments them again.")
    return text


def partial_results(project, have: dict[int, int]) -> dict[int, str]:
    """{pid: 'run 14 cancelled after 55 frames'} of the persons of ``have`` ({pid: run used}) whose run used
    stopped part-way (cancelled, failed or killed: ``stopped_early``)."""
    from humanseg_core.run_state import stopped_early

    runs = {int(r["id"]): r for r in project.runs(ids=set(have.values()))} if have else {}
    out = {}
    for pid, run_id in have.items():
        run = runs.get(int(run_id))
        if run is not None and stopped_early(run):
            why = "cancelled" if (run.get("metrics") or {}).get("stopped") == "cancelled" else "cancelled or failed"
            n = project.result_counts(int(pid)).get(int(run_id), 0)
            out[int(pid)] = f"run {run_id} {why} after {plural(n, 'frame')}"
    return out


def ask_keep(parent: QWidget | None, pids: list[int], partial: dict[int, str] | None = None,
             exporting: bool = False, only_them: bool = False) -> str | None:
    """KEEP, RETRAIN or None (cancel) from a question naming ``pids``; Keep is the default. ``exporting``:
    the run writes an export folder, where Keep writes these persons' results as they are. ``only_them``:
    they are every person chosen, so Keep would do nothing: Retrain or Cancel only (a walk was offered
    'train and segment the other persons only' with no other person chosen)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Whole scene", question(pids, partial), parent=parent)
    if only_them:
        box.setInformativeText(
            f"{RETRAIN_TEXT}: each gets a new run with this run's budget, and its results become the ones Play "
            "and Export use (the earlier runs stay in the project). Cancel keeps everything as it is.")
        retrain = box.addButton(RETRAIN_TEXT, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(retrain)
        box.exec()
        return RETRAIN if box.clickedButton() is retrain else None
    # the partial ones are segmented again either way (a walk read them among the kept too)
    whole = [p for p in pids if p not in (partial or {})]
    keep = (f"{persons_text(whole)} {'keeps' if len(whole) == 1 else 'keep'} the results Play and Export use now"
            + (", written to this run's export folder as they are" if exporting else "")
            if whole else "nobody keeps results as they are")
    box.setInformativeText(
        f"{KEEP_TEXT}: train and segment the other persons only; {keep}.\n"
        f"{RETRAIN_TEXT}: each gets a new run with this run's budget, and its results become the ones Play "
        "and Export use (the earlier runs stay in the project).")
    return _two_ways(box, (KEEP_TEXT, KEEP), (RETRAIN_TEXT, RETRAIN))


def _two_ways(box: QMessageBox, first: tuple[str, str], second: tuple[str, str]) -> str | None:
    """``box`` with buttons ``first`` (the default) and ``second`` ((text, choice) each) and Cancel: the
    choice of the button pressed, None for Cancel."""
    a = box.addButton(first[0], QMessageBox.ButtonRole.AcceptRole)
    b = box.addButton(second[0], QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(a)
    box.exec()
    clicked = box.clickedButton()
    return first[1] if clicked is a else second[1] if clicked is b else None


def ask_keep_for(panel, pids: list[int]) -> str | None:
    """:func:`ask_keep` for the Scene panel's project, naming the partial results among ``pids``."""
    from humanseg_core.errors import HumansegError

    project = panel.project
    try:
        chosen = panel.config().pids
    except HumansegError:
        chosen = None
    if chosen is None:  # every person of the video: Keep would do nothing when all have results (a walk was
        scene = getattr(panel.window(), "scene", None)  # offered it, the default, with all 14 listed)
        chosen = scene.pids_in_video() if scene is not None and hasattr(scene, "pids_in_video") else None
    partial = partial_results(project, persons_with_results(project, tuple(pids)))
    return ask_keep(panel, pids, partial, exporting=bool(panel.out.text().strip()),
                    only_them=bool(chosen) and set(chosen) <= set(pids) - set(partial))


def nothing_to_keep(choice: str | None, pids, existing) -> str | None:
    """Why a run would do nothing (Keep with every chosen person keeping its results), else None: it ran an
    empty job ('0 persons segmented … 1 kept')."""
    if choice == KEEP and pids is not None and set(pids) <= set(existing):
        return f"Nothing to do: every chosen person keeps its results ({RETRAIN_TEXT} redoes them)"
    return None


def ask_reuse(parent: QWidget | None, pids: list[int]) -> str | None:
    """REUSE, RETRAIN or None (cancel) for the persons ``pids`` whose network a cancelled run trained and
    never used on all its frames; using them is the default."""
    pids = sorted(pids)
    named = ", ".join(str(p) for p in pids[:MAX_LISTED]) + (", …" if len(pids) > MAX_LISTED else "")
    box = QMessageBox(QMessageBox.Icon.Question, "Whole scene",
                      f"{plural(len(pids), 'person')} ({named}) {'has' if len(pids) == 1 else 'have'} a network "
                      "trained by a cancelled run before it segmented all its frames.", parent=parent)
    box.setInformativeText(
        f"{REUSE_TEXT}: segment {'this person' if len(pids) == 1 else 'them'} with the stored "
        f"network{'' if len(pids) == 1 else 's'} (no training: faster).\n"
        f"{TRAIN_AGAIN_TEXT}: train from the start with this run's budget and labels (use it after "
        "changing the labels). The cancelled runs stay in the project either way.")
    return _two_ways(box, (REUSE_TEXT, REUSE), (TRAIN_AGAIN_TEXT, RETRAIN))


def settle_earlier_runs(panel, config, existing: dict[int, int]):
    """(config, None) for the Scene panel's run, after asking about the persons that already have results
    (``existing``: keep or retrain them) and those whose network a cancelled run trained (use it or train
    again); (None, why) when the run should not start."""
    from dataclasses import replace

    from humanseg_core.workflows.scene_reuse import reusable_networks

    not_started = "Not started: nothing was trained or changed"
    whole = existing
    if existing:  # never replace the results Play and Export use without asking
        choice = panel.ask_keep(sorted(existing))
        if choice is None:
            return None, not_started
        partial = partial_results(panel.project, existing)  # once (a stall audit: once a person, 0.3 s on 94)
        whole = {p: r for p, r in existing.items() if p not in partial}
        if (why := nothing_to_keep(choice, config.pids, whole)) is not None:
            return None, why
        config = replace(config, keep_trained=choice == KEEP)
    if config.backend != "local":  # Ray units train and segment in one go
        return config, None
    kept = whole if config.keep_trained else {}  # (the core keeps whole runs only: a part-way one is asked about)
    found = reusable_networks(panel.project, config.pids, None if config.model == "auto" else config.model)
    reusable = sorted(p for p in found if p not in kept)
    if reusable:  # a cancelled run's networks, never used: training them again loses minutes
        again = panel.ask_reuse(reusable)
        if again is None:
            return None, not_started
        config = replace(config, reuse_trained=again == REUSE)
    return config, None
