"""The result frames the analyst marked right in the Fix tab ("Looks right"), kept in the project's settings per
person and run, so that a ranking of that run again puts them at the end, marked."""

from __future__ import annotations

CHECKED_SETTING = "fix.checked"  # {"<pid>:<run>": [frames the analyst marked right]}


def checked(project, pid, run_id) -> set[int]:
    """The frames of run ``run_id`` of person ``pid`` marked right (none without a project)."""
    stored = project.setting(CHECKED_SETTING, {}) if project is not None else {}
    frames = stored.get(f"{pid}:{run_id}", []) if isinstance(stored, dict) else []
    return {int(f) for f in frames if isinstance(f, int)} if isinstance(frames, list) else set()


def store_checked(project, pid, run_id: int, frames: set[int]) -> None:
    """``frames`` of run ``run_id`` marked right beside those marked before."""
    stored = project.setting(CHECKED_SETTING, {})
    stored = stored if isinstance(stored, dict) else {}
    stored[f"{pid}:{run_id}"] = sorted(checked(project, pid, run_id) | frames)
    project.set_setting(CHECKED_SETTING, stored)
