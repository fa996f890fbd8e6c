"""Counts and id lists in words for messages (CLI, core errors, the studio): "1 frame", "persons 3, 7"."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterable, Mapping


def shell_arg(value: object) -> str:
    """A path or value as a command to paste gives it to a shell: quoted where it holds spaces or other special
    characters (a walk pasted `humanseg relocate --project /tmp/walk/Projets/étude 1 copie …`: "unrecognized
    arguments: 1 copie")."""
    if os.name == "nt":  # cmd.exe takes double quotes, and backslashes as they are (shlex would quote every path)
        return subprocess.list2cmdline([str(value)])
    return shlex.quote(str(value))


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun in the form that goes with it: plural(1, "frame") == "1 frame"."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def persons_text(pids: Iterable) -> str:
    """The persons in words for a message: "person 3", "persons 3, 7", "no person"."""
    ids = sorted(int(p) for p in pids)
    if not ids:
        return "no person"
    return ("person " if len(ids) == 1 else "persons ") + ", ".join(str(p) for p in ids)


def id_list(ids: Iterable, limit: int = 20) -> str:
    """Ids for a message, sorted: "3, 7", or the first ``limit`` and how many more ("1, 2, … (40 more)")."""
    ids = sorted(int(p) for p in ids)
    shown = ", ".join(str(p) for p in ids[:limit])
    return shown + (f", … ({len(ids) - limit} more)" if len(ids) > limit else "")


def unknown_person(scene, pids: Iterable | int) -> str:
    """The message for person ids ``scene``'s trajectory file does not hold, the same wherever a command or the
    studio is given one (a walk found train, segment and the whole-scene run each saying it another way)."""
    missing = [pids] if isinstance(pids, int) else list(pids)
    return (f"{scene.trajectories.path}: no person with id {id_list(missing)} in the trajectories "
            f"(known: {id_list(int(p) for p in scene.pids)})")


def ranges_text(ranges: Iterable, dash: str = "-", sep: str = ", ") -> str:
    """Frame ranges (first, last) for a message: "8191-8199, 10", ``dash`` between a range's ends."""
    return sep.join(f"{a}{dash}{b}" if b > a else str(a) for a, b in ranges)


def reasons_text(reasons: Iterable, limit: int = 3) -> str:
    """Skip reasons counted by kind, most frequent first: "7 hidden behind a nearer person, 2 too little of the
    person is visible". A kind is the reason up to a parenthesis or colon, numbers aside; it is shown as
    written when all its reasons read the same there, else up to its first number. ``reasons``: texts, or skips
    (``.frame``, ``.reason``), whose unreadable frames are then counted by frame (a walk's truncated video read
    "49 on 1 unreadable frame" for 7: the reason names the file, the same for every frame of a video)."""
    import re
    from collections import Counter

    groups: dict[str, set[str]] = {}
    whole: dict[str, set[str]] = {}  # the reasons in full: an unreadable frame's name its file
    counts: Counter[str] = Counter()
    for item in reasons:
        reason = getattr(item, "reason", item)
        shown = re.split(r"[(:;]", str(reason), maxsplit=1)[0].strip().rstrip(",.") or "other"
        key = re.sub(r"\d+(\.\d+)?", "#", shown)
        groups.setdefault(key, set()).add(shown)
        whole.setdefault(key, set()).add(str(reason) if not hasattr(item, "frame") else f"{item.frame}")
        counts[key] += 1

    def label(key: str) -> str:
        if key == "hidden behind person #":
            return "hidden behind a nearer person"
        texts = groups[key]
        return next(iter(texts)) if len(texts) == 1 else re.split(r"\d", key.replace("#", "0"), maxsplit=1)[0].strip()

    def counted(n: int, text: str) -> str:  # '3 point outside the image' read wrong (a walk): 'points'
        if text == "too little of the person is visible":  # a walk: "(1 too little of the person is visible)"
            return f"{n} with too little of the person visible"
        first, _, rest = text.partition(" ")
        return f"{n} {first}s {rest}" if n != 1 and first in ("point", "frame") and rest else f"{n} {text}"

    def said(key: str, n: int) -> str:  # (frame, person) pairs on one unreadable frame read "2 frames" (a walk)
        frames = len(whole[key])
        if label(key) == "frame unreadable" and frames != n:
            return f"{n} on {frames} unreadable frame{'s' if frames != 1 else ''}"
        return counted(n, label(key))

    ranked = counts.most_common()
    shown = [said(k, n) for k, n in ranked[:limit]]
    rest = sum(n for _k, n in ranked[limit:])
    return ", ".join(shown + ([f"{rest} other"] if rest else []))


def frame_problems(problems: Mapping[int, str]) -> list[tuple[list[tuple[int, int]], int, str]]:
    """``{frame: problem}`` grouped: [(frame ranges, frames, the problem with its own frame number left out)], in
    frame order of each group's first frame; runs of frames with the same problem make one range (a walk's
    truncated video: 122 lines, one a frame, where one said it)."""
    import re

    groups: dict[str, list[int]] = {}
    alone: dict[str, str] = {}  # a group's text with its own file named, for a group of one frame
    for frame in sorted(problems):
        text = str(problems[frame])
        where, sep, rest = text.partition(": ")  # "PATH: frame N: problem", as FrameError words it
        if sep and re.match(rf"frame {int(frame)}\b", rest):
            rest = re.sub(rf"^frame {int(frame)}:? ?", "", rest)
            own = f"{where}: {rest}"
            name = os.path.basename(where)
            if re.search(rf"(?<!\d)0*{int(frame)}(?!\d)", os.path.splitext(name)[0]):  # a folder's image
                where = os.path.join(os.path.dirname(where), "<its image>")
            text = f"{where}: {rest}"
            alone.setdefault(text, own)
        groups.setdefault(text, []).append(int(frame))
    out = [(frame_runs(frames), len(frames), alone.get(text, text) if len(frames) == 1 else text)
           for text, frames in groups.items()]
    return sorted(out, key=lambda g: g[0][0][0])


def frame_runs(frames: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted frame numbers as runs of consecutive ones: [(first, last), ...]."""
    out: list[tuple[int, int]] = []
    for f in frames:
        if out and f == out[-1][1] + 1:
            out[-1] = (out[-1][0], f)
        else:
            out.append((f, f))
    return out
