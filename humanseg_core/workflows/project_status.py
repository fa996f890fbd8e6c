"""Where a project stands: each person's proposals, labels, trained networks and result frames, what the project
was made from and which parent network it uses, and the next step. Counts only (grouped queries of the store,
nothing decoded): the studio's Persons table reads :func:`person_status`, `humanseg status` the whole summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records import STATUSES
from ..wording import plural, reasons_text, shell_arg
from .agreement import FEW_FRAMES
from .agreement import FRAMES as AGREEMENT_FRAMES
from .agreement import METRIC as AGREEMENT
from .at_work import marked_jobs, stopped_runs
from .label_changes import after_export, exports, labels_read, least_score, newest_networks, retrained
from .scene_result import NO_MASK

#: (pending proposals, accepted or edited frames, trained networks, result frames of the run used, that run's
#: agreement with the labels or None)
Status = tuple[int, int, int, int, "float | None"]


def person_status(project, counts: dict | None = None, few: dict[int, int] | None = None,
                  trained_on: dict[int, tuple[int, str]] | None = None,
                  changed: dict[int, tuple[int, str, str, bool]] | None = None,
                  gaps: dict[int, int] | None = None) -> dict[int, Status] | None:
    """{pid: (pending proposals, accepted or edited ones, trained networks, result frames of the run used, that
    run's agreement with the labels or None)}; None: no project. (A walk: a person trained and not segmented
    looked like one never trained.) ``counts``: ``project.counts_by_pid()`` when the caller has read it. The
    agreement is read from the runs' metrics (``workflows.agreement``), nothing decoded. ``few``, when given,
    receives {pid: label frames} of the agreements measured on ``FEW_FRAMES`` or fewer: they say little (a
    walk's one-label person agreed 0.82, at J 0.31). ``trained_on``, when given, receives {pid: (labels, Accept
    policy)} of the persons whose run in use trained on more labels than they have accepted (a Whole scene run
    under Accept all or score>=x takes pending proposals: a walk read "Labels 0" for persons trained on 18).
    ``changed``, when given, receives {pid: (label frames changed since its run in use read its labels, the latest
    change's time, that run's Accept policy: "reviewed" for a Train-tab run, whether a label it counted was taken
    away)} (ADR 0044). ``gaps``, when given, receives {pid: frames of its span the run in use gave no mask} of the
    persons with such frames (a whole-scene run's ``no_mask_frames``)."""
    if project is None:
        return None
    counts = project.counts_by_pid() if counts is None else counts
    labels = project.label_frame_counts()  # frames with a label (one a frame, as training takes them)
    results = project.result_frames()
    networks = project.network_counts()
    used = {int(run) for run, _n in results.values()}  # the runs Play uses only, not every run stored
    rows = project.runs(ids=used) if used else []
    metrics = {int(r["id"]): r.get("metrics") or {} for r in rows}
    params = {int(r["id"]): r.get("params") or {} for r in rows}
    created = {int(r["id"]): r.get("created") for r in rows}  # runs before 6 Dec 17:00 UTC record no labels_at
    since: dict[int, tuple[str, float | None]] = {}
    policy: dict[int, str] = {}
    out = {}
    for pid in set(counts) | set(results) | set(networks):
        c = counts.get(pid, {})
        run, frames = results.get(pid, (None, 0))
        m = metrics.get(int(run), {}) if run is not None else {}
        agreed = m.get(AGREEMENT)
        if gaps is not None and isinstance(m.get(NO_MASK), int) and m[NO_MASK] > 0:
            gaps[int(pid)] = int(m[NO_MASK])
        out[pid] = (c.get("pending", 0), labels.get(pid, 0), networks.get(pid, 0), frames,
                    float(agreed) if isinstance(agreed, (int, float)) else None)
        took = params.get(int(run), {}) if run is not None else {}
        unreviewed = str(took.get("accept") or "reviewed") != "reviewed"  # Accept all / score>=x took pending ones
        # a whole-scene run records "labels"; a retrain (Fix tab) the masks it trained on (a walk's retrain of 10
        # masks read Labels 4, with no "(10)")
        n = took.get("labels") if isinstance(took.get("labels"), int) else took.get("accepted_masks")
        if trained_on is not None and unreviewed and isinstance(n, int) and n > out[pid][1]:
            trained_on[int(pid)] = (n, str(took.get("accept") or ""))
        at = labels_read({"params": took, "created": created.get(int(run)) if run is not None else None})
        if run is not None and isinstance(at, str) and at:
            since[int(pid)] = (at, least_score(took.get("accept")))
            policy[int(pid)] = str(took.get("accept") or "reviewed")
        measured = m.get(AGREEMENT_FRAMES)
        if few is not None and agreed is not None and isinstance(measured, int) and measured <= FEW_FRAMES:
            few[int(pid)] = measured
    if changed is not None:
        changed.update({pid: (n, last, policy[pid], gone)
                        for pid, (n, last, gone) in project.labels_changed_since(since).items()})
    return out


def status_totals(counts: dict | None) -> dict[str, int] | None:
    """{status: proposals} over every person of ``counts`` (``Project.counts_by_pid()``; None: no project)."""
    if counts is None:
        return None
    totals: dict[str, int] = {}
    for by_status in counts.values():
        for status, n in by_status.items():
            totals[status] = totals.get(status, 0) + int(n)
    return totals


@dataclass
class PersonSummary:
    """One person's row of :class:`ProjectSummary`."""

    pid: int
    proposals: dict[str, int]  # {status: proposals}
    labels: int  # frames with an accepted or edited mask
    networks: int  # trained networks stored
    result_frames: int  # segmented frames of the run in use
    agreement: float | None  # that run's agreement with the labels (None: not measured)
    skipped: int  # (frame, person) pairs the proposals skipped
    trained_on: int | None = None  # labels the run in use trained on, when more than are accepted (Accept all)
    stopped_run: int | None = None  # the run in use stopped part-way (its results partial), or None
    at_work: bool = False  # ... and the process running it is still at work
    waiting: int = 0  # frames whose proposals wait for review: pending ones on frames without a label
    exported: bool = False  # its results, as the run in use made them, in its latest export
    exported_to: str = ""  # that export's folder, where known
    labels_changed: int = 0  # label frames changed since the run in use read its labels (ADR 0044)
    changed_after_export: bool = False  # ... some of them after its latest export (or not exported since)
    retrained: bool = False  # ... and a newer network, not yet segmented, read them after the last change
    accept: str = "reviewed"  # the Accept policy of the run in use (a Train-tab run: reviewed)
    fewer: tuple[int, int] | None = None  # (labels its newer network took, labels the run in use took) when fewer
    placed_before: bool = False  # its proposals placed by the inputs as read before (relocated since)
    no_mask: int = 0  # frames of its span the run in use gave no mask (taken for hidden or too little visible)
    gone: bool = False  # proposed with a track the trajectory file no longer holds (removed or renumbered since)
    not_visible: int = 0  # frames the analyst marked not visible (Review's V: an edited label with no pixel)
    blank_edits: int = 0  # its edited proposals with no pixel (the V marks, one a proposal: not "edited" masks)
    newer_network: bool = False  # a network newer than the run in use has segmented nothing yet

    def next_step(self) -> str:
        """The step this person waits for, in a few words."""
        if self.at_work:  # a run of another process, or a job that has not stored its run yet (proposing, training)
            return "wait"
        if self.gone:  # (a walk: a person removed from the trajectory file read on as before)
            return "gone"
        if self.stopped_run is not None:  # (a re-walk's killed run read "export", its results partial)
            return "finish"
        if self.placed_before:  # (a re-walk's relocated homography left its persons "exported ... done")
            return "rerun"
        if self.result_frames and self.labels_changed and (self.changed_after_export or not self.exported):
            # its network never saw them (hand masks imported after an export had read "exported"); a walk's
            # `humanseg train` then still read "retrain"
            return "segment" if self.retrained else "retrain"
        if self.result_frames and self.newer_network:  # (a walk's status read "exported" beside a newer training)
            return "segment"
        if self.result_frames:  # (a first-time walk was sent back to export after each of its three exports)
            return "exported" if self.exported else "export"
        if self.networks:
            return "segment"
        if self.waiting:  # the rest reviewed before training on part of it
            return "review"
        if self.labels:
            return "train"
        if not sum(self.proposals.values()) and not self.skipped:
            return "propose"
        return "label"  # every proposal rejected, or every frame skipped


@dataclass
class ProjectSummary:
    """What :func:`project_status` finds."""

    folder: Path
    read_only: bool
    read_only_why: str  # Project.read_only_why (a walk read "(read-only)" and not why)
    inputs: dict[str, Any]
    missing: list[tuple[str, str]]  # inputs no longer where the project left them
    homography_estimated: bool
    parent: str  # which parent network the project's steps load, in words
    parent_warning: str
    totals: dict[str, int]  # {status: proposals} over every person
    skip_reasons: str  # the skipped pairs counted by kind
    persons: list[PersonSummary] = field(default_factory=list)
    last_export: dict | None = None
    warnings: list[str] = field(default_factory=list)  # the store's own (damaged rows, debris), the video check's
    asked: bool = False  # the persons are those asked for (--pids), not every one with work in the project

    def next_steps(self, studio: bool = False) -> list[str]:
        """What to do next, one line a kind of step, with the command that does it (the studio's tab too);
        ``studio``: in the studio's words alone (its Project Summary: a walk was told to run `humanseg decide`)."""
        p = shell_arg(self.folder)
        waiting: dict[str, list[int]] = {}
        for person in self.persons:
            waiting.setdefault(person.next_step(), []).append(person.pid)
        lines = []
        if self.missing:
            lines.append("relocate the moved inputs: Project ▸ Close Project, then Project ▸ Open Project… on it "
                         "asks for their new place" if studio else
                         f"relocate the moved inputs: humanseg relocate --project {p} "
                         + " ".join(f"--{k} NEW" for k, _path in self.missing))
        if not self.persons:
            lines.append("propose: Project ▸ Generate Proposals… (Ctrl+G), or every step at once: Project ▸ Whole "
                         "Scene…" if studio else
                         f"propose: humanseg propose --project {p} --pids all (the studio: Project ▸ Generate "
                         f"Proposals…), or every step at once: humanseg run --project {p} --pids all --out DIR")
            return lines
        stopped = {q.pid: q.stopped_run for q in self.persons if q.stopped_run is not None}
        fmt = str((self.last_export or {}).get("format") or "davis")
        fmt = fmt if fmt in ("davis", "palette", "coco", "mots") else "davis"  # (a damaged setting: a review)
        for step in ("gone", "propose", "rerun", "review", "label", "train", "retrain", "segment", "finish", "wait",
                     "export", "exported"):
            if step == "exported":  # by folder: each person's latest export may be another's
                by_out: dict[str, list[int]] = {}
                for q in self.persons:
                    if q.next_step() == "exported":
                        by_out.setdefault(q.exported_to or str((self.last_export or {}).get("out") or ""), []).append(
                            q.pid)
                for out, pids in by_out.items():
                    line = f"{_ids(pids)}: {_say(step, pids, p, stopped, fmt, {'out': out} if out else None)}"
                    pending = sum(q.proposals.get("pending", 0) for q in self.persons if q.pid in pids)
                    if pending:  # (a walk: "done" while 40 proposals had never been looked at)
                        n = str(pids[0]) if len(pids) == 1 else "N"
                        line += (f"; {plural(pending, 'proposal')} pending review (trained on unreviewed, or left "
                                 "out): the Review tab" + ("" if studio else f", or humanseg decide --project {p} "
                                                           f"--pid {n} --list") + ", to look at them")
                    line += _gaps_said([q for q in self.persons if q.pid in pids])
                    lines.append(line)
            elif step == "retrain":  # by the Accept policy their runs took the labels with
                by_policy: dict[str, list[int]] = {}
                for q in self.persons:
                    if q.next_step() == "retrain":
                        by_policy.setdefault(q.accept, []).append(q.pid)
                for accept, pids in by_policy.items():
                    lines.append(f"{_ids(pids)}: {_say(step, pids, p, stopped, fmt, accept=accept, studio=studio)}")
            elif step in waiting:
                line = f"{_ids(waiting[step])}: " + _say(step, waiting[step], p, stopped, fmt, self.last_export,
                                                         studio=studio)
                if step == "segment" and not studio and (fewer := [q for q in self.persons
                                                                   if q.pid in waiting[step] and q.fewer]):
                    # (a re-walk: `train` took 3 masks where the run in use had taken 23, and status said segment)
                    said = [f"person {q.pid}'s newest network trained on {plural(n, 'label')}, the run in use on {m}"
                            for q in fewer[:4] for n, m in [q.fewer or (0, 0)]]
                    line += "; " + ", ".join(said) + (
                        f" (humanseg run --project {p} --pids {','.join(str(q.pid) for q in fewer)} --accept "
                        f"{shell_arg(fewer[0].accept)} --out DIR trains on those again)")
                lines.append(line)
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "project": str(self.folder), "read_only": self.read_only, "inputs": self.inputs,
            "missing_inputs": dict(self.missing), "homography_estimated": self.homography_estimated,
            "parent": self.parent, "parent_warning": self.parent_warning, "proposals": self.totals,
            "skip_reasons": self.skip_reasons,
            "persons": {str(p.pid): {"proposals": p.proposals, "labels": p.labels, "networks": p.networks,
                                     "result_frames": p.result_frames, "agreement": p.agreement,
                                     "skipped": p.skipped, "trained_on": p.trained_on,
                                     "stopped_run": p.stopped_run, "at_work": p.at_work,
                                     "labels_changed": p.labels_changed, "no_mask_frames": p.no_mask,
                                     "not_visible": p.not_visible,
                                     "next": p.next_step()}
                        for p in self.persons},
            "last_export": self.last_export, "warnings": self.warnings, "next_steps": self.next_steps(),
        }


def _gaps_said(persons: list[PersonSummary]) -> str:
    """'; no mask on part of the span of 252 (21 frames), ...: ...' for those of ``persons`` whose run in use gave
    no pixel on frames of their span, or "" (a walk: "exported: done" of a person with 21 such frames)."""
    gappy = [q for q in persons if q.no_mask]
    if not gappy:
        return ""
    named = ", ".join(f"{q.pid} ({plural(q.no_mask, 'frame')})" for q in gappy[:6]) + (", …" if len(gappy) > 6 else "")
    one = len(gappy) == 1
    return (f"; no mask on part of the span of {named}: taken for hidden or too little visible there, maybe wrongly "
            f"(check {'it' if one else 'them'} in Play)")


def _say_studio(step: str, pids: list[int]) -> str | None:
    """A next step in the studio's words (its Project Summary), or None where the command line's has no command."""
    one = len(pids) == 1
    its, it = ("its", "it") if one else ("their", "them")
    return {
        "review": f"review {its} pending proposals in the Review tab (A accepts, X rejects, E edits)",
        "label": f"label a frame by hand (Review ▸ Label This Frame by Hand) or generate proposals again: "
                 f"{'it has' if one else 'they have'} no label and nothing pending",
        "propose": "propose: Project ▸ Generate Proposals… (Ctrl+G)",
        "gone": (f"not in the trajectory file now (removed or renumbered since {its} proposals were made): {its} "
                 f"proposals, labels and results stay in the project, and exports hold them; put {its} rows back in "
                 f"the file to run {it} again"),
        "rerun": (f"run again: {its} pending proposals{' and results' if one else ''} were made with the inputs as "
                  "read before (relocated or changed since): Project ▸ Whole Scene… proposes, trains and segments "
                  "again (decisions stay)"),
        "train": "train: the Train tab",
        "retrain": (f"retrain: {its} labels changed after {its} network{'' if one else 's'} read them: the Fix tab ▸ "
                    "Retrain from here"),
        "segment": "segment: the Segment tab",
        "finish": (f"{its} newest run{'' if one else 's'} stopped part-way, {its} network{'' if one else 's'} "
                   f"stored: the Segment tab, with that run chosen, segments {its} frames"),
        "export": "export: Project ▸ Export Masks… (Ctrl+E)",
    }.get(step)


def _say(step: str, pids: list[int], p: str, stopped: dict[int, int], fmt: str = "davis",
         last: dict | None = None, accept: str = "reviewed", studio: bool = False) -> str:
    """A next step for persons ``pids`` of project ``p`` (shell-quoted), with its command and the studio's place;
    ``stopped``: {pid: its run that stopped part-way}; ``fmt``: the last export's format; ``last``: that export;
    ``accept``: the Accept policy their runs in use took their labels with."""
    said = _say_studio(step, pids) if studio else None
    if said is not None:
        return said
    one = len(pids) == 1
    n, its = (str(pids[0]), "its") if one else ("N", "their")
    ids = ",".join(map(str, pids))  # ("all" is every person of the clip to `run`: a re-walk's ran two more)
    run = f" --run {stopped[pids[0]]}" if one and pids[0] in stopped else " --run RUN" + (
        f" ({', '.join(f'{stopped[q]} for {q}' for q in pids[:6] if q in stopped)}{', …' if len(pids) > 6 else ''})"
        if any(q in stopped for q in pids) else "")
    where = f" to {(last or {})['out']}" if isinstance((last or {}).get("out"), str) else ""
    return {
        "review": (f"review {its} pending proposals: the studio's Review tab, or humanseg decide --project {p} "
                   f"--pid {n} --list, then --accept-all"),
        "label": f"label a frame by hand (the studio's Review tab: Review ▸ Label This Frame by Hand) or propose "
                 f"again: {'it has' if one else 'they have'} no label and nothing pending",
        "propose": f"propose: humanseg propose --project {p} --pids {','.join(map(str, pids))}",
        "gone": (f"not in the trajectory file now (removed or renumbered since {its} proposals were made): {its} "
                 f"proposals, labels and results stay in the project, and exports hold them; put {its} rows back, or "
                 f"humanseg relocate --project {p} --trajectories FILE to a file that holds them, to run "
                 f"{'it' if one else 'them'} again"),
        "rerun": (f"run again: {its} pending proposals{' and results' if one else ''} were made with the inputs as "
                  f"read before (relocated or changed since): humanseg run --project {p} --pids {ids} --out DIR "
                  "proposes, trains and segments again (decisions stay; the studio: Whole scene)"),
        "train": f"train: humanseg train --project {p} --pid {n} (the studio's Train tab)",
        # the run's own policy: `humanseg train` takes the reviewed labels alone (a walk's person trained on 2, not 18)
        "retrain": (f"retrain: {its} labels changed after {its} network{'' if one else 's'} read them (fixed, "
                    f"imported, accepted or rejected since): humanseg run --project {p} --pids {ids} --accept "
                    f"{shell_arg(accept)} --out DIR trains and segments {'it' if one else 'them'} again on {its} "
                    "labels as they stand (the studio: Fix tab ▸ Retrain from here); or export as it is with --source "
                    "any, which takes added and fixed labels on their own frames (not one taken away: only a retrain "
                    "unlearns it, and status says retrain until then)"),
        "segment": f"segment: humanseg segment --project {p} --pid {n} --out DIR (the studio's Segment tab)",
        # (a walk: "results are partial" of persons whose older run was whole, and --keep-trained kept that one)
        "finish": ((f"its newest run stopped part-way, its network stored: humanseg segment --project {p} --pid "
                    f"{n}{run} --out DIR segments its frames with it") if one else
                   (f"their newest runs stopped part-way, their networks stored: humanseg segment --project {p} --pid "
                    f"{n}{run} --out DIR segments each one's frames with its network"))
        + f" (or humanseg run --project {p} --pids {ids} --reuse-trained --out DIR)",
        "wait": (f"a job of another window or command (a run, a training, proposals) is at work on "
                 f"{'it' if one else 'them'}: what it stores is partial until it ends; a command on "
                 f"{'it' if one else 'them'} meanwhile would work beside it"),
        "export": (f"export: humanseg export --project {p} --pids {ids} --format {fmt} --out DIR (davis, palette, "
                   "coco or mots; the studio: Project ▸ Export Masks…)"),
        "exported": (f"exported{where}: done, unless {'it changes' if one else 'they change'} (Play and the Fix tab "
                     "to check; export again after a fix or a run)"),
    }[step]


def _ids(pids: list[int]) -> str:
    from ..wording import id_list

    return ("person " if len(pids) == 1 else f"{len(pids)} persons (") + id_list(pids, limit=8) + (
        ")" if len(pids) > 1 else "")


def _waiting(project) -> dict[int, int]:
    """{pid: frames with a pending proposal and no label}: a frame labelled already keeps another method's proposal
    pending, which `decide --accept-all` leaves (a review: status said "review" for ever after it)."""
    pending: dict[int, set[int]] = {}
    labelled: dict[int, set[int]] = {}
    for p in project.proposals(with_masks=False):
        into = pending if p.status == "pending" else labelled if p.status in ("accepted", "edited") else None
        if into is not None:
            into.setdefault(int(p.pid), set()).add(int(p.frame))
    return {pid: len(frames - labelled.get(pid, set())) for pid, frames in pending.items()}


def project_status(project, pids: list[int] | None = None) -> ProjectSummary:
    """Where ``project`` stands (of the persons ``pids`` only, when given): nothing decoded, nothing written."""
    from ..inputs.moved import moved_inputs
    from .estimate import FILE_NAME
    from .parent_choice import project_parent

    counts = project.counts_by_pid()
    trained_on: dict[int, tuple[int, str]] = {}
    changed: dict[int, tuple[int, str, str, bool]] = {}
    gaps: dict[int, int] = {}
    status = person_status(project, counts, trained_on=trained_on, changed=changed, gaps=gaps) or {}
    skips: dict[int, list] = {}
    for skip in project.skips():
        skips.setdefault(int(skip.pid), []).append(skip)
    newest = newest_networks(project)  # read once: the marks, the stopped runs, the retrained persons
    marked = {pid for _mark, persons in marked_jobs(project, newest) for pid in persons}  # at work before storing a run
    wanted = set(status) | set(skips) | marked if pids is None else {int(p) for p in pids}
    persons = []
    used = {pid: run for pid, (run, _n) in project.result_frames().items()}
    last, exported, exported_to, exported_at = exports(project, used)
    stopped = stopped_runs(project, wanted, newest, used)
    waiting = _waiting(project)
    again = retrained(newest, changed, used)
    newer = {pid for pid, net in newest.items() if pid in used and int(net["id"]) > used[pid]  # a training alone
             and "segmented_frames" not in (net.get("metrics") or {}) and not (net.get("params") or {}).get(
                 "scene_run")}  # (a run's segmenting, or its stop, is said by it)
    fewer = _fewer(newest, again, trained_on)
    from .placed_reading import placements

    before, gone = map(set, placements(project, wanted))
    hidden = project.label_frame_sets(hidden=True)  # the V marks: "edited" in the store, said apart here
    blank = project.blank_edits()
    for pid in sorted(wanted):
        pending, labels, networks, frames, agreed = status.get(pid, (0, 0, 0, 0, None))
        by_status = {s: int(counts.get(pid, {}).get(s, 0)) for s in STATUSES}
        run, at_work = stopped.get(pid, (None, False))
        at_work = at_work or pid in marked
        late = pid in changed and after_export(changed[pid], exported_at.get(pid, ""))  # not in its export
        persons.append(PersonSummary(pid, by_status, labels, networks, frames, agreed, len(skips.get(pid, [])),
                                     trained_on[pid][0] if pid in trained_on else None,
                                     stopped_run=None if run is None else int(run["id"]),
                                     at_work=at_work, waiting=waiting.get(pid, 0), exported=pid in exported,
                                     exported_to=exported_to.get(pid, ""),
                                     labels_changed=changed.get(pid, (0, "", "", False))[0],
                                     changed_after_export=late,
                                     retrained=pid in again, fewer=fewer.get(pid), placed_before=pid in before,
                                     gone=pid in gone,
                                     accept=changed.get(pid, (0, "", "reviewed", False))[2],
                                     no_mask=gaps.get(pid, 0), not_visible=len(hidden.get(pid, ())),
                                     blank_edits=blank.get(pid, 0), newer_network=pid in newer))
    shown = {p.pid for p in persons}
    totals = {s: sum(p.proposals[s] for p in persons) for s in STATUSES}
    chosen = project_parent(project)
    inputs = project.inputs
    return ProjectSummary(
        folder=Path(project.folder), read_only=bool(getattr(project, "read_only", False)),
        read_only_why=str(getattr(project, "read_only_why", "") or ""),
        inputs={"video": inputs.video, "trajectories": inputs.trajectories, "homography": inputs.homography,
                "h_order": inputs.h_order, "h_direction": inputs.h_direction, "frame_offset": inputs.frame_offset,
                "frame_step": inputs.frame_step, "anchor": inputs.anchor, "unnamed_walkers": inputs.unnamed_walkers},
        missing=moved_inputs(inputs),
        homography_estimated=bool(inputs.homography) and Path(str(inputs.homography)).name == FILE_NAME,
        parent=chosen.describe(), parent_warning=chosen.warning, totals=totals,
        skip_reasons=reasons_text([s for pid, ss in skips.items() if pid in shown for s in ss]),
        persons=persons, last_export=last, warnings=[*project.warnings, *_standing(project)], asked=pids is not None)


def _standing(project) -> list[str]:
    """The video check's last word on the inputs as read now, when it warned (a walk's status said none)."""
    from .video_check import standing_warning

    said = standing_warning(project)
    return [said] if said else []


def _fewer(newest: dict[int, dict], pids: set[int],
           trained_on: dict[int, tuple[int, str]]) -> dict[int, tuple[int, int]]:
    """{pid: (labels, labels the run in use took)} of the persons ``pids`` (retrained, not yet segmented) whose
    newest network (``newest``) took fewer labels than the run in use, which took pending proposals
    (``trained_on``)."""
    out = {}
    for pid, net in newest.items():
        params = net.get("params") or {}
        n = params.get("accepted_masks", params.get("labels"))
        if pid in pids and pid in trained_on and isinstance(n, int) and n < trained_on[pid][0]:
            out[pid] = (n, trained_on[pid][0])
    return out


def summary_lines(s: ProjectSummary, studio: bool = False) -> list[str]:
    """The summary for a reader (`humanseg status`, the studio's Project Summary: ``studio``, its next steps in the
    studio's words): a head, one row a person, the next steps."""
    lines = [f"project {s.folder}" + (f" (read-only: {s.read_only_why or 'it cannot be written to'})" if s.read_only
                                      else "")]
    missing = dict(s.missing)
    for key in ("video", "trajectories", "homography"):
        value = s.inputs.get(key)
        if key == "homography" and not value:
            value = "none"
        note = " (NOT FOUND there)" if key in missing else ""
        note += " (estimated from the video)" if key == "homography" and s.homography_estimated else ""
        read = [str(s.inputs.get(k)) for k, usual in (("h_order", "uv"), ("h_direction", "pixel-to-world"))
                if s.inputs.get(k) not in (None, usual)]
        note += f" (read {', '.join(read)})" if key == "homography" and s.inputs.get(key) and read else ""  # (a walk)
        walkers = key == "trajectories" and s.inputs.get("unnamed_walkers")  # the project's choice (ADR 0059)
        note += " (leaves walkers out: --unnamed-walkers)" if walkers else ""
        lines.append(f"  {key:<13}{value}{note}")
    lines.append(f"  {'parent':<13}{s.parent}")
    if s.parent_warning:
        lines.append(f"  warning: {s.parent_warning}")
    for warning in s.warnings:
        lines.append(f"  warning: {warning}")
    hidden = sum(p.not_visible for p in s.persons)  # the V marks said apart here too, as in the rows (a review)
    blank = sum(p.blank_edits for p in s.persons)  # the proposals V emptied (two of one frame: one frame hidden)
    counted = ", ".join(f"{n - blank if status == 'edited' else n} {status}" for status, n in s.totals.items()) + (
        f", {hidden} marked not visible" if hidden else "")
    # (a walk read "2 persons" here and "22 persons" in the Persons tab: the video's, these the ones worked on)
    lines.append(f"{plural(len(s.persons), 'person')}{'' if s.asked else ' with work in the project'}; proposals: "
                 f"{counted}"
                 + (f"; skipped: {s.skip_reasons}" if s.skip_reasons else ""))
    if s.persons:
        # the V marks apart from the edited masks (a walk read "edited 2" of one mask edited and one frame marked)
        lines.append(f"  {'pid':>6} {'pending':>7} {'accepted':>8} {'rejected':>8} {'edited':>6} {'not vis.':>8} "
                     f"{'labels':>8} {'networks':>8} {'results':>7} {'agree':>5}  next")
        for p in s.persons:
            agree = f"{p.agreement:.2f}" if p.agreement is not None else "—"
            labels = f"{p.labels}" + (f" ({p.trained_on})" if p.trained_on else "")
            c = p.proposals
            edited = max(0, c["edited"] - p.blank_edits)
            lines.append(f"  {p.pid:>6} {c['pending']:>7} {c['accepted']:>8} {c['rejected']:>8} {edited:>6} "
                         f"{p.not_visible:>8} {labels:>8} {p.networks:>8} {p.result_frames:>7} {agree:>5}  "
                         f"{p.next_step()}")
        if any(p.trained_on for p in s.persons):
            lines.append("  (n): the labels a whole-scene run took unreviewed (Accept all or score>=x)")
    if s.last_export:
        e = s.last_export
        kind = f"{e['format']} format" if e.get("format") else "a run's <pid>/%05d.png folders"
        lines.append(f"last export: {e.get('out')} ({kind}, {e.get('source') or 'results'})")
    lines += [f"next: {line}" for line in s.next_steps(studio)]
    return lines
