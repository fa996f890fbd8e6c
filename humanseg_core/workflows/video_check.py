"""The video check's last verdict on how a project's inputs place the persons, kept in the project.

The check (``inputs.order_check``) runs when proposals are made. A later `run` that proposes nobody (every
person proposed or kept before) and `status` had nothing to say: a walk's second `run` on a project whose
homography was read the wrong way exited 0 with no warning, and `status` listed none, over masks scoring J 0.
The verdict is kept with the reading it was made for (:func:`.placed_reading.reading_of`): once the inputs are
read otherwise (`relocate`), it no longer stands.
"""

from __future__ import annotations

from .placed_reading import reading_of

CHECK_KEY = "video_check"  # project setting: {"reading": reading_of(inputs), "said": the check's warning or ""}


def record_check(project, said: str) -> None:
    """The check just said ``said`` ("" when the inputs fit the video) of the project's inputs as read now."""
    from datetime import datetime, timezone

    at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    project.set_setting(CHECK_KEY, {"reading": reading_of(project.inputs), "said": str(said or ""), "at": at})


def standing_warning(project) -> str:
    """The last check's warning, where it was made for the inputs as the project reads them now, with when it was
    made and how it ends (a review: a false alarm would otherwise fail every later run without a word of why);
    else ""."""
    try:
        stored = project.setting(CHECK_KEY)
    except Exception:  # a store that cannot be read says nothing here (the command says why elsewhere)
        return ""
    if not isinstance(stored, dict) or not stored.get("said") or stored.get("reading") != reading_of(project.inputs):
        return ""
    when = f" of {stored['at']}" if isinstance(stored.get("at"), str) else ""
    return (f"{stored['said']} (the video check{when}, made with these inputs read as now; it stands until "
            "`humanseg relocate` or File ▸ Open reads them otherwise)")
