"""What Export Masks starts with: the source the chosen persons' work suggests, the format and persons of
the project's last export (from the studio or the command line: the project's ``last_export`` setting; else
this studio's settings), and whether a target folder is occupied."""

from __future__ import annotations

from pathlib import Path

from app.plurals import plural


def target_is_occupied(out: str | Path) -> bool:
    p = Path(out).expanduser()
    return p.exists() and (not p.is_dir() or any(p.iterdir()))


def default_source(project, selected_pid: int | None, chosen: list[int] | None = None) -> str:
    """The core's rule (:func:`humanseg_core.export.source_choice.default_source`, as `humanseg export` without
    ``--source``) for the persons the dialog starts with: ``chosen``, else ``selected_pid``, else every person."""
    from humanseg_core.export.source_choice import default_source as core_default

    if chosen is None:
        chosen = [selected_pid] if selected_pid is not None else [int(p) for p in project.pids()]
    return core_default(project, chosen)


FORMAT_KEY = "export/format"  # the format of the last export (a walk re-chose MOTS at every opening)


def read_only_key(project, what: str) -> str:
    """Settings key of a read-only window's own last export (``what``: format, mots_first_frame) of ``project``:
    apart from the studio-wide keys every writable window's exports set (a review: the read-only dialog reopened
    on the format another window had exported since)."""
    return f"export/read_only/{what}/" + str(Path(project.folder).resolve()).replace("/", "|")


def persons_key(project) -> str:
    """Settings key of the persons last exported from ``project`` (its folder, as the key's last part)."""
    return "export/persons/" + str(Path(project.folder).resolve()).replace("/", "|")


def _last_export(project) -> tuple[str | None, list[int] | None]:
    """(format, persons) of the project's last export as the project keeps it (None where it does not)."""
    from humanseg_core.export import FORMATS, LAST_EXPORT

    last = project.setting(LAST_EXPORT)
    if not isinstance(last, dict):
        return None, None
    fmt = last.get("format") if last.get("format") in FORMATS else None
    persons = last.get("persons")
    ok = isinstance(persons, list) and all(isinstance(p, int) for p in persons)
    return fmt, ([int(p) for p in persons] if ok and persons else None)


def remembered_mots_first(project, settings=None, settings_first: bool = False) -> int | None:
    """The MOTS numbering (first frame 0 or 1, None: the video's index) of the project's last MOTS export (kept
    over exports in other formats: a walk's second export went back to the video's index); ``settings_first``:
    this studio's own last MOTS numbering when it has one (a read-only window keeps its exports there)."""
    from humanseg_core.export import LAST_EXPORT

    own = settings.value(read_only_key(project, "mots_first_frame")) if settings is not None and settings_first \
        else None
    if own in (-1, 0, 1, "-1", "0", "1"):
        return int(own) if int(own) >= 0 else None
    last = project.setting(LAST_EXPORT)
    first = last.get("mots_first_frame") if isinstance(last, dict) else None
    return first if first in (0, 1) else None


def remembered(settings, project, selected_pid: int | None,
               settings_first: bool = False) -> tuple[str | None, list[int] | None]:
    """(format, persons) of the project's last export, from the studio or the command line (`humanseg run
    --pids all --format mots`, `humanseg export`: the dialog had started from the studio's own last export
    alone); else of the last export from this studio. The persons only when they still exist and include
    ``selected_pid`` (another person selected since: that person alone, as before). ``settings_first``: this
    studio's own last export before the project's (a read-only window, whose exports the project does not keep:
    a review saw its dialog reopen on another window's format)."""
    fmt, pids = _last_export(project)
    if settings is not None and settings_first and settings.value(read_only_key(project, "format")):
        fmt, pids = settings.value(read_only_key(project, "format")), None
    if settings is not None:
        fmt = fmt or settings.value(FORMAT_KEY)
        if pids is None:
            raw = settings.value(persons_key(project))
            try:
                pids = [int(p) for p in str(raw).split(",") if p.strip()] if raw else []
            except ValueError:
                pids = []
    pids = pids or []
    known = {int(p) for p in project.pids()}
    pids = [p for p in pids if p in known]
    if not pids or (selected_pid is not None and int(selected_pid) not in pids):
        return (str(fmt) if fmt else None), None
    return (str(fmt) if fmt else None), pids


def scene_run_persons(project, selected_pid: int | None) -> list[int] | None:
    """The persons whose results in use a Whole scene run made, when the selected person is one of them (a walk's
    Export after a Whole scene run offered the selected person alone); None otherwise, or for one person."""
    used = project.result_runs()
    if selected_pid is None or int(selected_pid) not in used:
        return None
    runs = {int(r["id"]): r for r in project.runs()}

    def by_scene(pid: int) -> bool:  # a Whole scene run's, or a Retrain from here built on one (a re-walk: the
        run, seen = runs.get(int(used[pid])), set()  # retrained person was exported alone again)
        while run is not None and int(run["id"]) not in seen:
            if (run.get("params") or {}).get("scene_run"):
                return True
            seen.add(int(run["id"]))
            metrics = run.get("metrics") or {}
            run = runs.get(int(metrics.get("retrained_from") or metrics.get("kept_from") or -1))
        return False

    if not by_scene(int(selected_pid)):
        return None
    persons = sorted(int(p) for p in used if by_scene(int(p)))
    return persons if len(persons) > 1 else None


def source_count_text(project, pid: int, source: str, run: int | None) -> tuple[str, int]:
    """(what the Export dialog's persons list says of ``pid`` for the mask ``source``, how many frames it exports);
    ``run``: the run picked for the person's results (None: the default one)."""
    return source_counts(project, [pid], source, {int(pid): run} if run is not None else {})[int(pid)]


def source_counts(project, pids, source: str, runs: dict[int, int]) -> dict[int, tuple[str, int]]:
    """:func:`source_count_text` of every person of ``pids`` (``runs``: {pid: the run picked}), in a few queries
    whatever their number, no mask read (person by person, the dialog took 0.3 s to open on 94 persons)."""
    from humanseg_core.export.runs import stopped_early

    pids = [int(p) for p in pids]
    default = project.result_runs() if source != "accepted" else {}
    used = {p: r for p in pids if (r := runs.get(p, default.get(p))) is not None} if source != "accepted" else {}
    accepted = project.label_frame_sets() if source in ("accepted", "any") else {}  # (not "not visible" marks,
    hidden = project.label_frame_sets(hidden=True) if source == "any" else {}  # which blank a result there too)
    results = project.result_frame_sets(used)
    records = {r["id"]: r for r in project.runs(ids=used.values())} if used else {}
    pending = project.counts_by_pid() if source == "accepted" else {}
    out = {}
    for pid in pids:
        run, ok, done = runs.get(pid), accepted.get(pid, set()), results.get(pid, set())
        of_run = f" (run #{run})" if run is not None else ""
        record = records.get(used.get(pid, -1))
        if record is not None and stopped_early(record):  # a run stopped part-way says so: its export holds only
            of_run = f" ({'' if run is not None else 'newest '}run #{used[pid]}, cancelled part-way)"  # what was stored
        if source == "results":
            out[pid] = f"person {pid}: {plural(len(done), 'result frame')}{of_run}", len(done)
        elif source == "any":
            done = done - hidden.get(pid, set())  # a V mark blanks the frame (a review: counted as a result)
            n, inner = len(ok | done), of_run.strip()[1:-1]  # "(run #3)" inside the parentheses
            out[pid] = (f"person {pid}: {plural(n, 'frame')} ({plural(len(ok), 'label')}, {len(done - ok)} from "
                        f"results{', ' + inner if inner else ''})"), n
        else:
            # labels: accepted or edited, as the Persons table counts them (a walk read 7 accepted here, 5 in Review)
            out[pid] = (f"person {pid}: {plural(len(ok), 'label')}, {pending.get(pid, {}).get('pending', 0)} "
                        "pending"), len(ok)
    return out
