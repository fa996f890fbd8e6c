"""Decoding the rows of the project database into records, every decode wrapped in a typed error.

Each ``*_from_row`` raises :class:`BadRow` (a :class:`ProjectError` naming the project, the table and
the row) when a value was damaged or hand-edited (bad RLE, a 4-byte mask, flags that are not JSON, pid
``abc``...). Listings skip such a row with a warning (:func:`decode_rows`) instead of refusing the project.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from .. import rle
from ..errors import ProjectError
from ..records import STATUSES, Detection, ProjectInputs, Proposal, Skip

T = TypeVar("T")

PROPOSAL_COLUMNS = "id, frame, pid, source, x0, y0, x1, y1, score, distance, flags, status, mask"


class BadRow(ProjectError):
    """One row of the project database cannot be decoded."""

    def __init__(self, db: Path, table: str, row_id: object, problem: str):
        self.table, self.row_id, self.problem = table, row_id, problem
        super().__init__(f"{db}: {table} row {row_id} is damaged ({problem}); it is skipped")


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ValueError(f"{what} {value!r} is not an integer")
    return int(value)


def _float(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} {value!r} is not a number")
    return float(value)


def _json(text: object, what: str, kind: type[T]) -> T:
    if not isinstance(text, str):
        raise ValueError(f"{what} is {type(text).__name__}, not JSON text")
    value = json.loads(text)
    if not isinstance(value, kind):
        raise ValueError(f"{what} is a JSON {type(value).__name__}, not a {kind.__name__}")
    return value


def _decoding(db: Path, table: str, row_id: object, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except BadRow:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, UnicodeError) as exc:  # MaskDataError, JSON...
        raise BadRow(db, table, row_id, f"{type(exc).__name__}: {exc}") from None


def mask_from_blob(db: Path, table: str, row_id: object, blob: bytes) -> np.ndarray:
    return _decoding(db, table, row_id, lambda: rle.from_blob(blob))


def check_blob(db: Path, table: str, row_id: object, blob: bytes) -> None:
    """BadRow unless ``blob`` would decode (:func:`mask_from_blob`), read without decoding it."""
    _decoding(db, table, row_id, lambda: rle.blob_rle(blob))


def proposal_from_row(db: Path, row: Sequence[Any]) -> Proposal:
    row_id = row[0]

    def decode() -> Proposal:
        pk, frame, pid, source, x0, y0, x1, y1, score, distance, flags, status, blob = row
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return Proposal(frame=_int(frame, "frame"), pid=_int(pid, "pid"),
                        box=tuple(_int(v, "box") for v in (x0, y0, x1, y1)),
                        # a light listing (with_masks=False) reads no mask: the record carries None
                        mask=cast(np.ndarray, None) if blob is None else rle.from_blob(blob), source=str(source),
                        score=_float(score, "score"), distance=_float(distance, "distance"),
                        flags=_json(flags, "flags", list), status=status, id=_int(pk, "id"))

    return _decoding(db, "proposals", row_id, decode)


def run_from_row(db: Path, row: Sequence[Any]) -> dict:
    def decode() -> dict:
        i, p, m, pa, c, me, cr, up = row
        return dict(id=_int(i, "id"), pid=_int(p, "pid"), model=str(m), params=_json(pa, "params", dict),
                    checkpoint=c, metrics=_json(me, "metrics", dict), created=cr, updated=up)

    return _decoding(db, "runs", row[0], decode)


def detection_from_row(db: Path, frame: int, method: str, row: Sequence[Any]) -> Detection:
    def decode() -> Detection:
        boxes, scores, masks = row
        masks_list = None if masks is None else [rle.decode(r) for r in _json(masks, "masks", list)]
        return Detection(frame=int(frame), method=method,
                         boxes=np.asarray(_json(boxes, "boxes", list), dtype=float).reshape(-1, 4),
                         scores=np.asarray(_json(scores, "scores", list), dtype=float).reshape(-1),
                         masks=masks_list)

    return _decoding(db, "detections", f"(frame {frame}, {method})", decode)


def skip_from_row(db: Path, row: Sequence[Any]) -> Skip:
    return _decoding(db, "skips", f"(frame {row[0]}, pid {row[1]})",
                     lambda: Skip(_int(row[0], "frame"), _int(row[1], "pid"), str(row[2])))


def inputs_from_json(db: Path, text: object) -> ProjectInputs:
    """The stored inputs; ProjectError (the whole project is unusable without them) when damaged."""
    try:
        stored = _json(text, "inputs", dict)
        fields = {f.name: f for f in dataclasses.fields(ProjectInputs)}
        values = {k: v for k, v in stored.items() if k in fields}
        for key in ("video", "trajectories"):
            if not isinstance(values.get(key), str) or not values[key]:
                raise ValueError(f"{key} is {values.get(key)!r}, not a path")
        if values.get("homography") is not None and not isinstance(values["homography"], str):
            raise ValueError(f"homography is {values['homography']!r}, not a path")
        for key in ("frame_offset", "frame_step"):
            if key in values:
                values[key] = _int(values[key], key)
        for key in ("h_order", "h_direction", "traj_format", "anchor"):
            if key in values and not isinstance(values[key], str):
                raise ValueError(f"{key} is {values[key]!r}, not text")
        for key in ("skip_bad_lines", "unnamed_walkers"):
            if not isinstance(values.get(key, False), bool):
                raise ValueError(f"{key} is {values[key]!r}, not true or false")
        return ProjectInputs(**values)
    except (ValueError, TypeError) as exc:
        raise ProjectError(f"{db}: the stored inputs are unreadable ({exc}); point the project at them again (its "
                           f"decisions and results are kept): humanseg relocate --project {db.parent} --video VIDEO "
                           "--trajectories FILE [--homography H]") from None


def decode_rows(rows: Iterable, decode: Callable, warn: Callable[[str], None]) -> list:
    """``[decode(row) for row in rows]`` skipping (with a warning) the rows that raise BadRow."""
    out = []
    for row in rows:
        try:
            out.append(decode(row))
        except BadRow as exc:
            warn(str(exc))
    return out
