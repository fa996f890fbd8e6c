"""How the inputs were read when each person's proposals were made: a person whose proposals were placed by
another reading (the homography relocated, or read in another pixel order or direction since) is proposed again
by the next Whole scene run. A walk relocated a wrong homography and ran again: only the persons without
proposals were proposed, the others trained on proposals the old homography had placed."""

from __future__ import annotations

import json
from collections.abc import Iterable

READING_KEY = "proposals.reading"  # project setting: {pid: reading_of(inputs) when its proposals were made}


def reading_of(inputs) -> str:
    """What places a person's points, as one comparable string."""
    return json.dumps([inputs.homography, inputs.h_order, inputs.h_direction, inputs.traj_format,
                       inputs.frame_offset, inputs.frame_step])


def record_reading(project, pids: Iterable[int]) -> None:
    """The persons ``pids`` were just proposed with the project's reading now."""
    stored = project.setting(READING_KEY) or {}
    stored = dict(stored) if isinstance(stored, dict) else {}
    now = reading_of(project.inputs)
    stored.update({str(int(p)): now for p in pids})
    project.set_setting(READING_KEY, stored)


def placed_otherwise(project, pids: Iterable[int]) -> list[int]:
    """The persons of ``pids`` whose proposals were placed by another reading than the project's now (persons
    proposed before readings were recorded are taken as placed by it)."""
    stored = project.setting(READING_KEY) or {}
    if not isinstance(stored, dict):
        return []
    now = reading_of(project.inputs)
    return [int(p) for p in pids if str(int(p)) in stored and stored[str(int(p))] != now]
