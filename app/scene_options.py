"""The Whole scene panel's settings as a plain dict: kept in the project after each run, restored when the
project opens again (the export folder is not kept: it names a place of one run)."""

from __future__ import annotations

# the run's export formats (humanseg run --format), said as what they write: the Export Masks dialog's
# "DAVIS" is the dataset's layout (JPEGImages + Annotations), which a walk took for this one
RUN_FORMATS = {"davis": "PNGs, a folder per person", "mots": "MOTS txt", "palette": "palette PNGs"}
RUN_FORMATS_TIP = ("PNGs, a folder per person: <folder>/<person>/%05d.png, 0 or 255, full frame (humanseg run "
                   "--format davis). MOTS txt: one file, run-length encoded masks. Palette PNGs: one indexed image "
                   "per frame, every person in its own index. Project ▸ Export Masks writes a run's results in "
                   "the DAVIS dataset's layout too, frames included (JPEGImages + Annotations).")


def panel_options(panel) -> dict:
    """The settings of the Scene panel ``panel`` a run starts with."""
    return {"pids": panel.pids.text(), "accept": panel.accept.currentText(), "min_score": panel.min_score.value(),
            "budget_kind": panel.budget_kind.currentIndex(), "budget": panel.budget.value(),
            "device": panel.device.currentText(), "backend": panel.backend.currentText(),
            "format": panel.fmt.currentData(), "mixed_precision": panel.mixed.isChecked(),
            "refine": "evidence" if panel.evidence.isChecked() else "none"}


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
        if options.get("budget_kind") in (0, 1):
            panel.budget_kind.setCurrentIndex(int(options["budget_kind"]))
        if "budget" in options:
            panel.budget.setValue(int(options["budget"]))
        if "min_score" in options:
            panel.min_score.setValue(float(options["min_score"]))
        if isinstance(options.get("mixed_precision"), bool):
            panel.mixed.setChecked(options["mixed_precision"])
        if options.get("refine") in ("none", "evidence"):
            panel.evidence.setChecked(options["refine"] == "evidence")
    except (TypeError, ValueError):
        pass
