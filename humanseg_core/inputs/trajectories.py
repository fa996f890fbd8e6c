"""Trajectory files: 4-column `frame pid x y` (TrajNet / Social-GAN), ETH `obsmat.txt` (8 columns) and
TrajNet++ `.ndjson` (a JSON object a line: ``{"track": {"f", "p", "x", "y", ...}}`` rows, ``{"scene": ...}``
lines ignored; reported as ``trajnet++``).

The format is detected by the column count, or a line starting with ``{`` (override with ``fmt``). Columns
may be separated by tabs, spaces or commas; blank lines and ``#`` comments are ignored and the first line may
be a header.
Annotation frame numbers map to video frames as ``frame_offset + frame_step * frame``. Positions between
the first and last annotation of a person are interpolated linearly (:meth:`Track.position`). Where the
file itself starts or stops while a person is in it, :meth:`Trajectories.edge_reach` says how far the
annotation cadence leaves that person unannotated, and :meth:`Track.extended_position` extrapolates there
at the track's end velocity.
Every problem raises :class:`~humanseg_core.errors.TrajectoryError` naming the file and the 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from ..errors import HumansegError, RowsBeforeVideo, TrajectoryError
from ..input_files import binary_kind, read_input_bytes
from .trajectory_fast import fast_rows
from .trajectory_header import header_order, order_text
from .trajectory_rows import (  # noqa: F401  (FORMATS, LOOKS_LIKE_HOMOGRAPHY: read from here too)
    COLUMNS,
    FORMATS,
    LOOKS_LIKE_HOMOGRAPHY,
    MAX_FRAME,
    Rows,
    json_track,
    looks_numeric,
    parse_row,
    split_row,
    text_lines,
)


@dataclass
class Track:
    """One person's annotations: video frames (sorted, unique) and world positions in metres."""

    pid: int
    frames: np.ndarray  # (N,) int64 video frames
    world: np.ndarray  # (N, 2) float64

    @property
    def first(self) -> int:
        return int(self.frames[0])

    @property
    def last(self) -> int:
        return int(self.frames[-1])

    def __len__(self) -> int:
        return len(self.frames)

    def position(self, frame: float) -> np.ndarray | None:
        """World position (2,) at ``frame``, interpolated linearly; None outside [first, last]."""
        if not (self.first <= frame <= self.last):
            return None
        x = np.interp(frame, self.frames, self.world[:, 0])
        y = np.interp(frame, self.frames, self.world[:, 1])
        return np.array([x, y])

    def extended_position(self, frame: float, before: int = 0, after: int = 0,
                          velocity: np.ndarray | None = None) -> np.ndarray | None:
        """As :meth:`position`, and up to ``before`` frames ahead of the first annotation and ``after``
        frames past the last one, extrapolated linearly at the velocity of the first / last two
        annotations; with one annotation at ``velocity`` (world units per frame, e.g. measured in the
        video: :mod:`.edge_motion`), else standing still."""
        if self.first <= frame <= self.last:
            return self.position(frame)
        if not (self.first - before <= frame <= self.last + after):
            return None
        end = 0 if frame < self.first else -1
        near = 1 if end == 0 else -2
        if len(self.frames) >= 2:
            velocity = (self.world[near] - self.world[end]) / float(self.frames[near] - self.frames[end])
        elif velocity is None:
            velocity = np.zeros(2)
        return self.world[end] + np.asarray(velocity, np.float64) * (frame - float(self.frames[end]))

    def positions(self, frames: ArrayLike) -> np.ndarray:
        """World positions (M, 2) at many frames; NaN rows outside [first, last]."""
        f = np.asarray(frames, dtype=float)
        out = np.column_stack(
            [np.interp(f, self.frames, self.world[:, 0]), np.interp(f, self.frames, self.world[:, 1])]
        )
        out[(f < self.first) | (f > self.last)] = np.nan
        return out


@dataclass
class Trajectories:
    """All tracks of one file, by person id."""

    path: Path
    format: str
    tracks: dict[int, Track]
    frame_offset: int = 0
    frame_step: int = 1
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, problem) of rows left out
    # rows mapping before the video's frame 0 (a clip cut from a longer recording, read with the whole file),
    # left out like frames after its end; a file all of whose rows do so is refused
    before_start: int = 0
    header_columns: str = ""  # "pid frame x y": the other order a header named, which the rows were read in
    frames_before_start: int = 0  # the annotated frames those rows fall on (a clip note counts frames, not rows)
    # (line, the line it repeats) of rows that repeat the row before them exactly (person, frame and position):
    # read once, and said (a walk's file with a row pasted twice was refused as "annotated twice")
    repeated_rows: list[tuple[int, int]] = field(default_factory=list)
    pid_written: str = ""  # the first person id as the file wrote it, when letters came before its number ("p76")
    # persons all of whose rows map before the video's frame 0 (left out: a re-walk read "84 of the 95 persons of
    # obsmat.txt" of a file of 148)
    persons_before_start: int = 0
    pids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.pids = sorted(self.tracks)

    def __len__(self) -> int:
        return len(self.tracks)

    def all_world(self) -> np.ndarray:
        """Every annotated world point, (N, 2)."""
        return np.concatenate([self.tracks[p].world for p in self.pids]) if self.pids else np.zeros((0, 2))

    def annotated_frames(self) -> list[int]:
        """Sorted video frames with at least one annotation."""
        if not self.pids:
            return []
        return np.unique(np.concatenate([self.tracks[p].frames for p in self.pids])).tolist()

    def annotation_step(self) -> int:
        """The usual number of frames between a person's consecutive annotations (10 in ETH/UCY and
        TrajNet); 0 when no person has two."""
        gaps = [np.diff(t.frames) for t in self.tracks.values() if len(t.frames) >= 2]
        return int(np.median(np.concatenate(gaps))) if gaps else 0

    def edge_reach(self, pid: int) -> tuple[int, int]:
        """(before, after): frames ahead of ``pid``'s first annotation and past its last one where the
        person is still in view but unannotated because the *file* starts or stops there. A track that
        reaches the file's last annotated frame was cut by the file, not ended by the person leaving: its
        next annotation would have come within one step. A track ending earlier ended (0)."""
        step, first, last = self._edges
        track = self.tracks[int(pid)]
        if step <= 1:
            return 0, 0
        return (step - 1 if track.first == first else 0), (step - 1 if track.last == last else 0)

    @cached_property
    def _edges(self) -> tuple[int, int, int]:
        """(annotation step, the file's first and last annotated frame)."""
        if not self.tracks:
            return 0, 0, 0
        return (self.annotation_step(), min(t.first for t in self.tracks.values()),
                max(t.last for t in self.tracks.values()))


def load_trajectories(path: str | Path, fmt: str = "auto", frame_offset: int = 0, frame_step: int = 1,
                      skip_bad: bool = False) -> Trajectories:
    """Parse a 4-column or obsmat trajectory file. ``fmt``: ``auto``, ``trajnet`` or ``obsmat``.

    ``skip_bad``: a bad row (too few columns, not a number, a frame out of range, a person annotated twice at
    a frame: the rows off the person's track) is left out and listed in ``skipped`` instead of refusing the
    file; a file with no good row, binary or not UTF-8 is still refused."""
    path = Path(path)
    if fmt not in ("auto", *FORMATS):
        raise TrajectoryError(path, f"unknown format {fmt!r} (expected auto, trajnet or obsmat)")
    if not _is_int(frame_offset) or not _is_int(frame_step) or int(frame_step) < 1:
        raise HumansegError(  # the options' fault, not the file's (a walk's --frame-step 0 named the file)
            f"--frame-step must be a whole number >= 1 and --frame-offset a whole number (got {frame_step}, "
            f"{frame_offset}; Frame step and Frame offset in the Open dialog)")
    frame_offset, frame_step = int(frame_offset), int(frame_step)
    data = read_input_bytes(path, TrajectoryError, "a trajectory file")
    text = _decode(path, data)
    order = _named_order(text) if fmt in ("auto", "trajnet") else None
    named = "" if order is None else order_text(order)
    if order is not None:  # a header naming the columns in another order: its rows put in `frame pid x y`
        text = _reordered(text, order)
    fast = fast_rows(text, fmt, frame_offset, frame_step, COLUMNS, MAX_FRAME)
    if fast is not None:
        found, video, pids, xs, ys, lines, (before, before_frames, gone) = fast
        tracks = _tracks(path, video, pids, lines, xs, ys, frame_offset, frame_step)  # (no row twice on this path)
        return Trajectories(path, found, tracks, frame_offset, frame_step, before_start=before,
                            frames_before_start=before_frames, header_columns=named, persons_before_start=gone)

    fmt_found = None if fmt == "auto" else fmt
    # one typed array per column (40 bytes a row; a dict of tuples took ~500 on 1,000,000 rows)
    rows = Rows()
    skipped: list[tuple[int, str]] = []
    seen_data = False
    json_lines = False
    for lineno, raw in enumerate(text_lines(text), start=1):
        tokens: list[str] = []
        try:
            if raw.lstrip().startswith("{"):  # TrajNet++ (ndjson): {"track": {...}} rows, {"scene": {...}} lines
                json_lines = seen_data = True
                track = json_track(path, lineno, raw.strip())
                if track is not None:
                    parse_row(path, lineno, track, "trajnet", rows, frame_offset, frame_step)
                continue
            line = raw.split("#", 1)[0].strip()
            if not line.strip(",;\t "):  # blank, or a spreadsheet's empty row (",,,"): no row at all
                continue
            tokens = split_row(line)
            if not seen_data and not any(looks_numeric(t) for t in tokens):
                seen_data = True  # a header line (no number at all): skipped, only as the first line
                continue
            seen_data = True
            fmt_found = parse_row(path, lineno, tokens, fmt_found, rows, frame_offset, frame_step)
        except TrajectoryError as exc:
            other = [name for name, n in FORMATS.items() if n == len(tokens) and name != fmt_found]
            if fmt != "auto" and other and not len(rows.frames) and not skipped:  # the first row: the format
                raise TrajectoryError(path, f"{exc.problem}: the {other[0]} format's count (--traj-format auto or "
                                            f"{other[0]} reads it)", lineno) from None
            short = fmt_found is not None and 0 < len(tokens) < FORMATS[fmt_found]  # too few columns ...
            if short and _cut_short(text, lineno):  # ... on the last line: a walk's truncated copy (said when left
                exc = TrajectoryError(path, f"{exc.problem}; it is the file's last line and has no line end: "  # out
                                            "the file looks cut short (copied or written only in part)", lineno)  # too)
            if not skip_bad:  # leaving the bad rows out is offered when some row is good (a walk's studio offered
                good, exc.bad_rows = _bad_rows(path, fmt, frame_offset, frame_step)  # it for a file none of whose
                exc.bad_row = good  # rows read, and then said "no good trajectory row"); how many (a re-walk)
                raise exc from None
            skipped.append((lineno, exc.problem))

    if not len(rows.frames) and rows.first_before is not None:
        at, frame, video_frame = rows.first_before
        raise RowsBeforeVideo(path, f"every row maps before the video's first frame: frame {frame} maps to video "
                                    f"frame {video_frame} < 0 (frame offset {frame_offset}, step {frame_step})", at)
    if not len(rows.frames):
        raise TrajectoryError(path, "no trajectory rows (the file is empty or holds only comments)"
                              if not skipped else f"no good trajectory row ({len(skipped)} bad ones skipped)")
    found_fmt = "trajnet++" if json_lines and fmt_found is None else cast(str, fmt_found)  # set by a data row
    repeats: list[tuple[int, int]] = []
    tracks = _build_tracks(path, rows, frame_offset, frame_step, skipped if skip_bad else None, repeats)
    return Trajectories(path, found_fmt, tracks, frame_offset, frame_step, sorted(skipped), rows.before, named,
                        frames_before_start=len(rows.frames_before), repeated_rows=repeats,
                        persons_before_start=len(rows.pids_before - set(tracks)),
                        pid_written=rows.pid_example[1] if rows.pid_prefix else "")


def _named_order(text: str) -> tuple[int, ...] | None:
    """:func:`.trajectory_header.header_order` of the file's first line (comments and blank lines aside)."""
    for raw in text_lines(text):
        line = raw.split("#", 1)[0].strip()
        if line:
            tokens = split_row(line)
            return None if any(looks_numeric(t) for t in tokens) else header_order(tokens)
    return None


def _reordered(text: str, order: tuple[int, ...]) -> str:
    """``text`` with its 4-column rows' columns in ``order`` (a line out for each line in: messages keep the file's
    line numbers); the header line becomes `frame pid x y`."""
    out, header = [], True
    for raw in text_lines(text):
        line = raw.split("#", 1)[0].strip()
        tokens = split_row(line) if line else []
        if header and tokens:
            out.append("frame\tpid\tx\ty")
            header = False
        else:
            out.append("\t".join(tokens[i] for i in order) if len(tokens) == 4 else raw)
    return "\n".join(out)


def _cut_short(text: str, lineno: int) -> bool:
    """Whether line ``lineno`` (1-based) is the text's last and has no line end: a file copied in part."""
    if not text or text.endswith("\n"):  # (every line end is a "\n" by now: _decode)
        return False
    return lineno == text.count("\n") + 1


def _bad_rows(path: Path, fmt: str, frame_offset: int, frame_step: int) -> tuple[bool, int]:
    """(whether the file read with its bad rows left out keeps a row, how many bad rows it has; 0: unknown)."""
    try:
        return True, len(load_trajectories(path, fmt, frame_offset, frame_step, skip_bad=True).skipped)
    except TrajectoryError:
        return False, 0


def _build_tracks(path: Path, rows: Rows, frame_offset: int, frame_step: int,
                  skipped: list[tuple[int, str]] | None = None,
                  repeats: list[tuple[int, int]] | None = None) -> dict[int, Track]:
    return _tracks(path, np.frombuffer(rows.frames, np.int64), np.frombuffer(rows.pids, np.int64),
                   np.frombuffer(rows.lines, np.int64), np.frombuffer(rows.x, np.float64),
                   np.frombuffer(rows.y, np.float64), frame_offset, frame_step, skipped, repeats)


def _tracks(path: Path, frames: np.ndarray, pids: np.ndarray, lines: np.ndarray, xs: np.ndarray, ys: np.ndarray,
            frame_offset: int, frame_step: int, skipped: list[tuple[int, str]] | None = None,
            repeats: list[tuple[int, int]] | None = None) -> dict[int, Track]:
    """The tracks by person; a person annotated twice at a frame is an error, or with ``skipped`` given the
    rows off the person's track are left out and listed there (:func:`_keep_the_track`). A row the same as the
    one before it (person, frame, position) is read once, and (line, line it repeats) added to ``repeats``."""
    order = np.lexsort((lines, frames, pids))  # by pid, then frame, then line
    frames, pids, lines = frames[order], pids[order], lines[order]
    runs = np.flatnonzero((frames[1:] == frames[:-1]) & (pids[1:] == pids[:-1])) + 1
    same = (xs[order][runs] == xs[order][runs - 1]) & (ys[order][runs] == ys[order][runs - 1])
    if repeats is not None:
        repeats.extend(sorted((int(lines[j]), int(lines[j - 1])) for j in runs[same]))
    twice = runs[~same]  # a row at the same frame elsewhere: which one is meant cannot be told

    def problem(j: int) -> str:
        first = j - 1
        while first in runs:  # the row this one repeats: the first of its run
            first -= 1
        frame = (int(frames[j]) - frame_offset) // frame_step
        return f"person {int(pids[j])} annotated twice at frame {frame} (first on line {int(lines[first])})"

    if len(twice) and skipped is None:  # the repeat that comes first in the file, as a line-by-line reader
        j = int(twice[np.argmin(lines[twice])])
        err = TrajectoryError(path, problem(j), int(lines[j]))
        err.bad_row = True
        raise err
    keep = np.ones(len(frames), bool)
    keep[runs] = False  # a person's frame: its first row in the file, unless the rows disagree (below)
    if len(twice) and skipped is not None:
        _keep_the_track(frames, pids, lines, xs[order], ys[order], keep, twice, skipped, frame_offset, frame_step)
    if len(runs):
        frames, pids, order = frames[keep], pids[keep], order[keep]
    xy = np.stack([xs[order], ys[order]], axis=1)
    unique, starts = np.unique(pids, return_index=True)
    ends = list(starts[1:]) + [len(pids)]
    return {
        int(pid): Track(int(pid), frames[s:e].copy(), xy[s:e].copy()) for pid, s, e in zip(unique, starts, ends)
    }


def _keep_the_track(frames: np.ndarray, pids: np.ndarray, lines: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                    keep: np.ndarray, twice: np.ndarray, skipped: list[tuple[int, str]], frame_offset: int,
                    frame_step: int) -> None:
    """Where a person's rows at one frame disagree (rows sorted by person, frame, line; ``keep`` marks the first
    of each frame's rows), keep the row nearest the track its other frames draw (between the nearest frames
    before and after, or the one of them there is; the first row where the person has no other frame) and
    list the others in ``skipped``, naming the kept line (a walk's pasted row at (2, 2) had been kept for being
    first, the track's own row left out)."""
    starts = set()
    for j in twice:
        start = int(j) - 1
        while start > 0 and frames[start - 1] == frames[start] and pids[start - 1] == pids[start]:
            start -= 1
        starts.add(start)
    for start in sorted(starts):
        end = start + 1
        while end < len(frames) and frames[end] == frames[start] and pids[end] == pids[start]:
            end += 1
        pid, frame = pids[start], frames[start]
        near = [i for i in (start - 1, end) if 0 <= i < len(frames) and pids[i] == pid]
        chosen, how = start, "the first"
        if near:
            if len(near) == 2:
                t = (frame - frames[near[0]]) / (frames[near[1]] - frames[near[0]])
                at = [(1 - t) * v[near[0]] + t * v[near[1]] for v in (xs, ys)]
            else:
                at = [xs[near[0]], ys[near[0]]]
            dist = np.hypot(xs[start:end] - at[0], ys[start:end] - at[1])
            chosen, how = start + int(np.argmin(dist)), "the nearest its track"  # a tie: the first in the file
        keep[start:end] = False
        keep[chosen] = True
        said = (f"person {int(pid)} annotated twice at frame {(int(frame) - frame_offset) // frame_step} "
                f"(line {int(lines[chosen])} kept, {how})")
        same = (xs[start:end] == xs[chosen]) & (ys[start:end] == ys[chosen])
        skipped.extend((int(lines[i]), said) for i in range(start, end) if not same[i - start])


def _decode(path: Path, data: bytes) -> str:
    return _lone_cr_ends(_decode_text(path, data))


def _lone_cr_ends(text: str) -> str:
    """Lines ended by a lone CR (classic Mac OS, Excel for Mac's "CSV (Macintosh)") as lines: a review's two-row file
    was read as one row of another format, a longer one refused as "12 columns" on line 1."""
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    return text.replace("\r", "\n") if "\r" in text else text


def _decode_text(path: Path, data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its mark (a spreadsheet's "Unicode text": a walk's
        try:  # was refused as binary)
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if (kind := binary_kind(data)) is not None:
        raise TrajectoryError(path, f"{kind}, not a trajectory file (text rows: frame pid x y)")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise TrajectoryError(path, "binary data (a NUL byte): not a text trajectory file", line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TrajectoryError(path, "not UTF-8 text", line) from None


def _is_int(v: Any) -> bool:
    try:
        return float(v) == int(v)
    except (TypeError, ValueError, OverflowError):
        return False
