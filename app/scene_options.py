"""The Whole scene panel's settings as a plain dict: kept in the project after each run, restored when the
project opens again (the export folder is not kept: it names a place of one run)."""

from __future__ import annotations


def panel_options(panel) -> dict:
    """The settings of the Scene panel ``panel`` a run starts with."""
    return {"pids": panel.pids.text(), "accept": panel.accept.currentText(), "min_score": panel.min_score.value(),
            "budget_kind": panel.budget_kind.currentIndex(), "budget": panel.budget.value(),
            "device": panel.device.currentText(), "backend": panel.backend.currentText(),
            "format": panel.fmt.currentText(), "mixed_precision": panel.mixed.isChecked(),
            "refine": "evidence" if panel.evidence.isChecked() else "none"}


def restore_options(panel, options) -> None:
    """Set :func:`panel_options` back on ``panel`` (unknown or bad entries keep the current value)."""
    if not isinstance(options, dict):
        return
    try:
        if isinstance(options.get("pids"), str):
            panel.pids.setText(options["pids"])
        for box, key in ((panel.accept, "accept"), (panel.device, "device"), (panel.backend, "backend"),
                         (panel.fmt, "format")):
            if box.findText(str(options.get(key))) >= 0:
                box.setCurrentText(str(options[key]))
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
