"""How the inputs were read when each person's proposals were made: a person whose proposals were placed by
another reading (the homography relocated, or read in another pixel order or direction since) is proposed again
by the next Whole scene run. A walk relocated a wrong homography and ran again: only the persons without
proposals were proposed, the others trained on proposals the old homography had placed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

READING_KEY = "proposals.reading"  # project setting: {pid: reading_of(inputs) when its proposals were made}


def reading_of(inputs) -> str:
    """What places a person's points, as one comparable string: the homography file by its content (its path
    where it cannot be read), and how the inputs are read. A homography moved elsewhere places nobody anew (an
    audit's project, its folder renamed and relocated, was proposed again beside its old proposals)."""
    return json.dumps([_content(inputs.homography), inputs.h_order, inputs.h_direction, inputs.traj_format,
                       inputs.frame_offset, inputs.frame_step])


def _old_reading(inputs) -> str:
    """The reading as recorded before 6 Dec (the homography's path): still matches."""
    return json.dumps([inputs.homography, inputs.h_order, inputs.h_direction, inputs.traj_format,
                       inputs.frame_offset, inputs.frame_step])


def _content(path) -> str | None:
    """"sha256:<hex>" of the file at ``path``, else ``path`` itself (none given, or unreadable)."""
    if not path:
        return path
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return "sha256:" + digest.hexdigest()
    except OSError:
        return str(path)


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
    now = {reading_of(project.inputs), _old_reading(project.inputs)}
    return [int(p) for p in pids if str(int(p)) in stored and stored[str(int(p))] not in now]


def placed_before_text(pids: Iterable[int], project_folder=None) -> str:
    """What an export says of persons whose proposals another reading placed: their masks come from those."""
    ids = sorted(int(p) for p in pids)
    one = len(ids) == 1
    who = f"person {ids[0]}" if one else "persons " + ", ".join(map(str, ids))
    how = (f"humanseg run --project {project_folder} --pids {','.join(map(str, ids))} --out DIR" if project_folder
           else "a Whole scene run of " + ("it" if one else "them"))
    return (f"{who} {'was' if one else 'were'} proposed with the inputs as read before (relocated since): "
            f"{'its' if one else 'their'} masks come from those proposals; {how} proposes, trains and segments "
            f"{'it' if one else 'them'} again")
