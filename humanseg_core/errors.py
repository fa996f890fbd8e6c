"""Typed errors. Every bad input raises one of these, naming the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class HumansegError(Exception):
    """Base class for every error the core raises on purpose."""


class InputError(HumansegError):
    """A file the user gave us is unusable.

    ``str(err)`` reads ``"<path>, line <n>: <problem>"`` (line omitted when unknown).
    """

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        where = self.path or "<input>"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {problem}")


class TrajectoryError(InputError):
    """A trajectory file is malformed. ``bad_row``: the problem is one row's (reading with bad lines skipped
    would leave it out), not the whole file's."""

    bad_row = False
    bad_rows = 0  # with ``bad_row``: how many bad rows the file has in all (0: not counted)


class RowsBeforeVideo(TrajectoryError):
    """Every row of a trajectory file maps before the video's first frame: the frame offset is wrong."""


def bad_rows_text(exc: TrajectoryError) -> str:
    """The error with how many bad rows the file has in all, when more than this one (a re-walk read only the
    first one's line)."""
    return f"{exc} ({exc.bad_rows} bad rows in all)" if exc.bad_row and exc.bad_rows > 1 else str(exc)


class HomographyError(InputError):
    """A homography file is malformed, singular or ill-conditioned."""


class FrameError(InputError):
    """A video or a frame cannot be read. ``index`` is the frame index when known."""

    def __init__(self, path: str | Path, problem: str, index: int | None = None):
        self.index = index
        if index is not None:
            problem = f"frame {index}: {problem}"
        super().__init__(path, problem)


class ProjectError(HumansegError):
    """A project folder or database is unusable (corrupt, newer schema, read-only...)."""


class WeightsError(HumansegError):
    """Model weights are missing, corrupt or fail their checksum; the message says what to do."""


class DiskFullError(WeightsError):
    """A trained network could not be written: the disk is full. A Whole scene run stops on it (every later
    person would train its budget to fail the same way: a review)."""


class Cancelled(HumansegError):
    """A long job stopped because its cancel token was set."""


def read_input_bytes(path: Path, error: type[InputError], what: str, **limits: Any) -> bytes:
    """Kept for callers of the old name: see :func:`humanseg_core.input_files.read_input_bytes`."""
    from .input_files import read_input_bytes as bounded_read

    return bounded_read(path, error, what, **limits)
