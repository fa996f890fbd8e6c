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


def track_digests(inputs) -> dict[int, str]:
    """{pid: a digest of the person's rows in the trajectory file} as the project reads it ({} when it cannot be
    read): a track edited in the file places its person anew (a data-safety walk moved a person 3 m in the file
    and `status` said nothing; its next run trained on the old proposals at the new positions)."""
    import numpy as np

    from ..errors import HumansegError
    from ..inputs.trajectories import load_trajectories

    try:
        tracks = load_trajectories(inputs.trajectories, inputs.traj_format, inputs.frame_offset, inputs.frame_step,
                                   skip_bad=bool(getattr(inputs, "skip_bad_lines", False))).tracks
    except (HumansegError, OSError, ValueError):
        return {}
    return {int(p): hashlib.sha256(np.asarray(t.frames, np.int64).tobytes()
                                   + np.round(np.asarray(t.world, np.float64), 4).tobytes()).hexdigest()[:16]
            for p, t in tracks.items()}


def record_reading(project, pids: Iterable[int]) -> None:
    """The persons ``pids`` were just proposed with the project's reading now, and their tracks as they are."""
    stored = project.setting(READING_KEY) or {}
    stored = dict(stored) if isinstance(stored, dict) else {}
    now = reading_of(project.inputs)
    digests = track_digests(project.inputs)
    stored.update({str(int(p)): {"reading": now, **({"track": digests[int(p)]} if int(p) in digests else {})}
                   for p in pids})
    project.set_setting(READING_KEY, stored)


def placed_otherwise(project, pids: Iterable[int]) -> list[int]:
    """The persons of ``pids`` whose proposals were placed by another reading than the project's now, or whose
    track in the trajectory file changed since (persons proposed before readings were recorded are taken as placed
    by it; a person gone from the file, or a file that cannot be read, says nothing of its track)."""
    return placements(project, pids)[0]


def placements(project, pids: Iterable[int]) -> tuple[list[int], list[int]]:
    """(:func:`placed_otherwise`'s persons, the persons of ``pids`` proposed with a track that the trajectory file,
    read as the project reads it, no longer holds: removed or renumbered since; a walk's `status` read on as before).
    The file is read once, and only when a person's track was recorded."""
    stored = project.setting(READING_KEY) or {}
    if not isinstance(stored, dict):
        return [], []
    current = reading_of(project.inputs)  # the homography read once
    now = {current, _old_reading(project.inputs)}
    if project.inputs.homography and not str(json.loads(current)[0]).startswith("sha256:"):
        # the homography cannot be read where the project has it (moved, a drive away): its content is not
        # compared, the rest of the reading is (a walk moved the inputs away; status said "rerun", a full retrain,
        # where "relocate" alone was right)
        rest = _rest_of(current)
        now |= {r for r in (value.get("reading") if isinstance(value, dict) else value for value in stored.values())
                if isinstance(r, str) and _rest_of(r) == rest}
    digests: dict[int, str] | None = None
    out, gone = [], []
    for p in pids:
        value = stored.get(str(int(p)))
        if value is None:
            continue
        if not isinstance(value, dict):  # recorded before 7 Dec: the reading alone
            if value not in now:
                out.append(int(p))
            continue
        if value.get("reading") not in now:
            out.append(int(p))
        if value.get("track"):
            digests = track_digests(project.inputs) if digests is None else digests
            if digests and int(p) not in digests:  # (an unreadable file: {}, nothing said)
                gone.append(int(p))
            elif digests.get(int(p), value["track"]) != value["track"] and int(p) not in out:
                out.append(int(p))
    return out, gone


def _rest_of(reading: str) -> list | None:
    """A recorded reading without its homography (how the inputs are read), or None when it does not parse."""
    try:
        parts = json.loads(reading)
    except ValueError:
        return None
    return parts[1:] if isinstance(parts, list) else None


def placed_before_text(pids: Iterable[int], project_folder=None) -> str:
    """What an export says of persons whose proposals another reading placed: their masks come from those."""
    ids = sorted(int(p) for p in pids)
    one = len(ids) == 1
    who = f"person {ids[0]}" if one else "persons " + ", ".join(map(str, ids))
    how = (f"humanseg run --project {project_folder} --pids {','.join(map(str, ids))} --out DIR" if project_folder
           else "a Whole scene run of " + ("it" if one else "them"))
    return (f"{who} {'was' if one else 'were'} proposed with the inputs as read before (relocated or changed since): "
            f"{'its' if one else 'their'} masks come from those proposals; {how} proposes, trains and segments "
            f"{'it' if one else 'them'} again")
