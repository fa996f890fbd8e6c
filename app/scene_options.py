"""The Whole scene panel's settings as a plain dict: kept in the project after each run, restored when the
project opens again (the export folder is not kept: it names a place of one run). A Whole scene run made
since by ``humanseg run`` gives its own options instead (a walk ran the CLI with 20 steps a person and the
panel offered 15 seconds, as if nothing had run)."""

from __future__ import annotations

from humanseg_core.workflows.scene_config import DEFAULT_SECONDS, DEFAULT_STEPS

# the run's export formats (humanseg run --format), said as what they write: the Export Masks dialog's
# "DAVIS" is the dataset's layout (JPEGImages + Annotations), which a walk took for this one
RUN_FORMATS = {"davis": "PNGs, a folder per person", "mots": "MOTS txt", "palette": "palette PNGs"}
RUN_FORMATS_TIP = ("PNGs, a folder per person: <folder>/<person>/%05d.png, 0 or 255, full frame (humanseg run "
                   "--format davis). MOTS txt: one file, run-length encoded masks. Palette PNGs: one indexed image "
                   "per frame, every person in its own index. Project ▸ Export Masks writes a run's results in "
                   "the DAVIS dataset's layout too, frames included (JPEGImages + Annotations).")


# the training budget's kinds, by index: seconds, steps, and steps bounded in time (the default: DEFAULT_STEPS
# steps or DEFAULT_SECONDS, whichever ends first, as `humanseg run` without a budget)
BUDGET_KINDS = ["seconds per person", "steps per person", f"steps per person, {DEFAULT_SECONDS:g} s at most"]
STEPS_AT_MOST = 2
SECONDS_KIND_START = 15  # what "seconds per person" starts at (the default before ADR 0026)
BUDGET_TIP = (f"Training per person, preparation included (by default {DEFAULT_STEPS} steps, or {DEFAULT_SECONDS:g} s "
              f"if those end first: the same masks on every machine that trains {DEFAULT_STEPS} steps within "
              f"{DEFAULT_SECONDS:g} s). Segmenting every frame comes on top: about 30-150 ms per person-frame with "
              "per-frame evidence, 2-7 ms without (on 2 CPU cores)")


def budget_widgets():
    """The Scene panel's budget kind box and value, at the default kind. Going from seconds to steps or back, the
    value starts at the new unit's default (100 kept as seconds was 37 min of training, a review); between the
    two kinds of steps it stays."""
    from PySide6.QtWidgets import QComboBox, QSpinBox

    kind = QComboBox()
    kind.addItems(BUDGET_KINDS)
    kind.setCurrentIndex(STEPS_AT_MOST)
    value = QSpinBox(minimum=1, maximum=100000, value=DEFAULT_STEPS)
    value.setToolTip(BUDGET_TIP)
    was = [STEPS_AT_MOST]

    def changed(now: int) -> None:
        if (now == 0) != (was[0] == 0):  # the unit changed
            value.setValue(SECONDS_KIND_START if now == 0 else DEFAULT_STEPS)
        was[0] = now

    kind.currentIndexChanged.connect(changed)
    return kind, value


def panel_options(panel) -> dict:
    """The settings of the Scene panel ``panel`` a run starts with."""
    return {"pids": panel.pids.text(), "accept": panel.accept.currentText(), "min_score": panel.min_score.value(),
            "budget_kind": panel.budget_kind.currentIndex(), "budget": panel.budget.value(),
            "device": panel.device.currentText(), "backend": panel.backend.currentText(),
            "format": panel.fmt.currentData(), "mixed_precision": panel.mixed.isChecked(),
            "refine": "evidence" if panel.evidence.isChecked() else "none",
            "out": panel.out.text().strip()}  # this project's own (another project's panel starts without one)


def restore_options(panel, options) -> None:
    """Set :func:`panel_options` back on ``panel`` (unknown or bad entries keep the current value)."""
    if not isinstance(options, dict):
        return
    try:
        if isinstance(options.get("pids"), str):
            panel.pids.setText(options["pids"])
        for box, key in ((panel.accept, "accept"), (panel.device, "device"), (panel.backend, "backend")):
            if box.findText(str(options.get(key))) >= 0:
                box.setCurrentText(str(options[key]))
        if panel.fmt.findData(options.get("format")) >= 0:
            panel.fmt.setCurrentIndex(panel.fmt.findData(options["format"]))
        if options.get("budget_kind") in (0, 1, STEPS_AT_MOST):
            panel.budget_kind.setCurrentIndex(int(options["budget_kind"]))
        if "budget" in options:
            panel.budget.setValue(int(options["budget"]))
        if "min_score" in options:
            panel.min_score.setValue(float(options["min_score"]))
        if isinstance(options.get("mixed_precision"), bool):
            panel.mixed.setChecked(options["mixed_precision"])
        if options.get("refine") in ("none", "evidence"):
            panel.evidence.setChecked(options["refine"] == "evidence")
        if isinstance(options.get("out"), str) and options["out"] and not panel.out.text().strip():
            panel.out.setText(options["out"])  # (a walk retyped it after reopening a run cut short)
    except (TypeError, ValueError):
        pass


def options_from_run(params) -> dict:
    """:func:`panel_options` entries of a whole-scene run's recorded ``params`` (a ``Project.runs()`` row's);
    what the run did not record is left out."""
    if not isinstance(params, dict) or not params.get("scene_run"):
        return {}
    out: dict = {}
    accept = str(params.get("accept") or "")
    if accept in ("all", "reviewed"):
        out["accept"] = accept
    elif accept.startswith("score>="):
        try:
            out.update(accept="score>=", min_score=float(accept[len("score>="):]))
        except ValueError:
            pass
    steps, seconds = params.get("steps_per_person"), params.get("seconds_per_person")
    if isinstance(steps, int) and steps > 0:  # bounded in time too: the default's kind
        out.update(budget_kind=STEPS_AT_MOST if isinstance(seconds, (int, float)) else 1, budget=steps)
    elif isinstance(seconds, (int, float)) and seconds > 0:
        out.update(budget_kind=0, budget=int(round(seconds)))
    for key in ("device", "backend", "refine", "format", "mixed_precision"):
        if params.get(key) is not None:
            out[key] = params[key]
    return out


def newest_scene_run(project) -> dict | None:
    """The newest whole-scene run of ``project`` (a ``Project.runs()`` row), or None."""
    rows = [r for r in project.runs() if isinstance(r.get("params"), dict) and r["params"].get("scene_run")]
    return max(rows, key=lambda r: int(r["id"])) if rows else None


def options_to_restore(project, saved) -> dict:
    """What the Scene panel starts with: the options kept by its last run (``saved``), updated by a whole-scene
    run recorded after them (``saved["after_run"]``: the newest run id when they were kept)."""
    options = dict(saved) if isinstance(saved, dict) else {}
    run = newest_scene_run(project)
    after = options.get("after_run")
    if run is not None and (not isinstance(after, int) or int(run["id"]) > after):
        options.update(options_from_run(run["params"]))
    return options


def options_to_keep(project, options: dict) -> dict:
    """``options`` as the panel keeps them in ``project`` when a run starts: with the newest run id then."""
    return {**options, "after_run": max((int(r["id"]) for r in project.runs()), default=0)}
