"""One trajectory file's rows, read a line at a time: a line's columns (:func:`split_row`), a TrajNet++ line
(:func:`json_track`), and a row's frame, person and position checked and kept (:func:`parse_row`, :class:`Rows`),
each problem a TrajectoryError naming the file and the line. :mod:`.trajectories` builds the tracks from them."""

from __future__ import annotations

import csv
import json
import math
import re
from array import array
from collections.abc import Iterator
from pathlib import Path

from ..errors import TrajectoryError

FORMATS = {"trajnet": 4, "obsmat": 8}
# Columns used: frame, pid, world x, world y (obsmat: pos_x and pos_y; pos_z is column 3).
COLUMNS = {"trajnet": (0, 1, 2, 3), "obsmat": (0, 1, 2, 4)}
MAX_FRAME = 2**31 - 1
_SPLIT = re.compile(r"\s*,\s*|\s+")
_NO_COMMA_SPLIT = re.compile(r"\s*;\s*|\s+")  # a spreadsheet's export: ';' between columns
_DECIMAL_COMMA = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")  # 1,5 or 1.5: one number


def split_row(line: str) -> list[str]:
    """A row's columns: split at whitespace or commas, or at ';' (a spreadsheet's export), with decimal commas
    read as points ("10;1;1,5;2,3", "10<tab>1<tab>1,5<tab>2,3"): a walk's European files read "found 6 columns"."""
    line = line.rstrip(",;\t ")  # a spreadsheet's empty last column ("3700,1,2.5,3.0,"): a walk read "found 5"
    if '"' in line:  # quoted fields ("3700","1","1,5",...): a walk read '"3700"' is not a number
        delimiter = ";" if ";" in line else "\t" if "\t" in line else ","
        try:
            parts = [t.strip() for t in next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))]
        except csv.Error:  # a stray quote beside a lone carriage return: its columns as split plainly (the fuzz)
            return _SPLIT.split(line.replace('"', " ").strip())
        parts = [t for t in parts if t]
        return [t.replace(",", ".") if _DECIMAL_COMMA.fullmatch(t) else t for t in parts]
    parts = _NO_COMMA_SPLIT.split(line)
    if (len(parts) in FORMATS.values() and any("," in t for t in parts)
            and not any(t.startswith(",") or t.endswith(",") for t in parts)):  # commas inside values: decimal
        # commas read as points, any other value named as it is ("3070<tab>52<tab>7,05x<tab>8.44": not "found 5
        # columns")
        return [t.replace(",", ".") if _DECIMAL_COMMA.fullmatch(t) else t for t in parts]
    return parts if ";" in line else _SPLIT.split(line)


def json_track(path: Path, lineno: int, line: str) -> list[str] | None:
    """A TrajNet++ line's (frame, pid, x, y) as tokens, None for a scene line."""
    try:
        obj = json.loads(line)
    except ValueError:
        obj = None
    if not isinstance(obj, dict) or not ({"track", "scene"} & set(obj)):
        raise TrajectoryError(path, 'not a TrajNet++ line (expected {"track": {"f", "p", "x", "y"}} or '
                                    '{"scene": ...})', lineno)
    track = obj.get("track")
    if track is None:
        return None
    missing = [k for k in ("f", "p", "x", "y") if not isinstance(track, dict) or k not in track]
    if missing:
        raise TrajectoryError(path, f"a track line without {', '.join(repr(k) for k in missing)}", lineno)
    return [str(track[k]) for k in ("f", "p", "x", "y")]


def parse_row(path: Path, lineno: int, tokens: list[str], fmt_found: str | None, rows: Rows, frame_offset: int,
         frame_step: int) -> str:
    """Parse one data row into ``rows``; returns the format (found on the first good row)."""
    if fmt_found is None and lineno > 1 and tokens and not any(looks_numeric(t) for t in tokens):
        # words before any row of numbers (a re-walk's `frame_no person xpos ypos` under a header line)
        raise TrajectoryError(path, f"{' '.join(tokens)!r}: {SECOND_HEADER}", lineno)
    fmt_row = detect_format(path, lineno, len(tokens)) if fmt_found is None else fmt_found
    if len(tokens) != FORMATS[fmt_row]:
        raise TrajectoryError(path, f"expected {FORMATS[fmt_row]} columns ({fmt_row}), found {len(tokens)}", lineno)
    c_frame, c_pid, c_x, c_y = COLUMNS[fmt_row]
    written = tokens[c_pid]
    tokens = [*tokens[:c_pid], _pid_digits(path, lineno, written, rows), *tokens[c_pid + 1:]]
    names = {c_frame: "frame number", c_pid: "person id", c_x: "x", c_y: "y"}
    values = [_number(path, lineno, t, names.get(i, f"column {i + 1}")) for i, t in enumerate(tokens)]
    frame = _whole(path, lineno, values[c_frame], "frame number")
    pid = _whole(path, lineno, values[c_pid], "person id")
    x, y = values[c_x], values[c_y]
    if not (math.isfinite(x) and math.isfinite(y)):
        raise TrajectoryError(path, f"position ({tokens[c_x]}, {tokens[c_y]}) is not a finite number", lineno)
    if rows.pid_prefix is None:  # the first row that reads sets how the ids are written (a review: a bad first
        found = _PREFIXED.fullmatch(written)  # row set it, and --skip-bad-lines then skipped every other)
        rows.pid_prefix, rows.pid_example = (found.group(1) if found else ""), (lineno, written)
    video_frame = frame_offset + frame_step * frame
    if video_frame < 0:  # before the video (a clip of a longer recording): left out, counted
        rows.before += 1
        rows.frames_before.add(video_frame)
        rows.pids_before.add(pid)
        rows.first_before = rows.first_before or (lineno, frame, video_frame)
        return fmt_row
    if video_frame > MAX_FRAME:
        raise TrajectoryError(path, f"frame {frame} maps to video frame {video_frame}, too large", lineno)
    rows.add(video_frame, pid, lineno, x, y)
    return fmt_row


_PREFIXED = re.compile(r"([A-Za-z][A-Za-z_]*-?)(\d+)")  # "p76", "ped_12", "ped-3" (a sign needs no letter)


def typed_pid(token: str) -> int:
    """A person id as the user types it: "54", or "p54" as the trajectory file wrote it (ValueError otherwise);
    --pids, --pid and the studio's Persons fields read them alike."""
    found = _PREFIXED.fullmatch(token.strip())
    return int(found.group(2) if found else token)


def _pid_digits(path: Path, lineno: int, token: str, rows: Rows) -> str:
    """A person id written with a prefix ("p76", "ped_12") as its number, when every id of the file has that
    prefix (a walk's dataset wrote them so and was refused); ids written two ways are refused, naming both."""
    found = _PREFIXED.fullmatch(token)
    prefix, digits = (found.group(1), found.group(2)) if found else ("", token)
    if rows.pid_prefix is not None and prefix.lower() != rows.pid_prefix.lower() and (found or looks_numeric(token)):
        first_line, first = rows.pid_example
        raise TrajectoryError(path, f"person id {token!r} is written unlike {first!r} on line {first_line}: one "
                                    "file's ids are all numbers, or all the same letters before a number", lineno)
    return digits


class Rows:
    """The parsed rows, column by column."""

    def __init__(self) -> None:
        self.pid_prefix: str | None = None  # the letters before every person id's number ("p" of "p76"), "" none
        self.pid_example: tuple[int, str] = (0, "")  # (line, id) of the first row's id
        self.frames, self.pids, self.lines = array("q"), array("q"), array("q")
        self.x, self.y = array("d"), array("d")
        self.before = 0  # rows mapping before video frame 0, left out
        self.frames_before: set[int] = set()  # the video frames (< 0) they map to
        self.pids_before: set[int] = set()  # the persons of those rows
        self.first_before: tuple[int, int, int] | None = None  # (line, frame, video frame) of the first

    def add(self, frame: int, pid: int, line: int, x: float, y: float) -> None:
        self.frames.append(frame)
        self.pids.append(pid)
        self.lines.append(line)
        self.x.append(x)
        self.y.append(y)


def text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (a list of a million lines would double the memory)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


LOOKS_LIKE_HOMOGRAPHY = "3 values a line is how a 3x3 homography file reads: is this the homography?"
SECOND_HEADER = "words, not numbers: a second line of a header? Only the first line may be one; start the others with #"


def detect_format(path: Path, lineno: int, n: int) -> str:
    for name, count in FORMATS.items():
        if n == count:
            return name
    hint = (f" ({LOOKS_LIKE_HOMOGRAPHY})" if n == 3 else
            " (keep the first four columns, frame pid x y: the others are not read)" if 4 < n < 8 else "")
    raise TrajectoryError(
        path, f"expected 4 columns (frame pid x y) or 8 (ETH obsmat), found {n}{hint}", lineno
    )


def looks_numeric(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _number(path: Path, lineno: int, token: str, what: str) -> float:
    try:
        return float(token)
    except ValueError:
        hint = " (person ids must be whole numbers: number the persons 1, 2, …)" if what == "person id" else ""
        raise TrajectoryError(path, f"{what} {token[:40]!r} is not a number{hint}", lineno) from None


def _whole(path: Path, lineno: int, value: float, what: str) -> int:
    if not math.isfinite(value) or value != round(value):
        raise TrajectoryError(path, f"{what} {value!r} is not a whole number", lineno)
    if abs(value) > MAX_FRAME:
        raise TrajectoryError(path, f"{what} {value:.0f} is out of range", lineno)
    return int(value)
