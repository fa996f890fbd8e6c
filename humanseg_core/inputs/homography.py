"""Homographies between image pixels and the ground plane in world metres.

Files hold a 3x3 matrix (``#`` comments allowed, whitespace or comma separated, a row a line; or the nine
values in row-major order on one line or one a line; rows may be bracketed ``[[a, b, c], ...]`` as numpy and
JSON print them, or separated by ``;`` as MATLAB writes them). By default the matrix
maps pixel (u = column, v = row, 1) to world; ``direction="world-to-pixel"`` reads the inverse and
``order="rowcol"`` reads a matrix that takes the pixel as (row, col) like the original ETH ``H.txt``
(its columns 0 and 1 are swapped vs uv). Internally :attr:`Homography.matrix` is always pixel(u,v)->world.
Every mapping divides by the third coordinate; points at or beyond the horizon come out as NaN.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ..errors import HomographyError
from ..input_files import binary_kind, read_input_bytes
from .trajectory_rows import looks_numeric

MAX_CONDITION = 1e9  # beyond this a round trip pixel -> world -> pixel loses more than a millipixel
DIRECTIONS = ("pixel-to-world", "world-to-pixel")
ORDERS = ("uv", "rowcol")
_SPLIT = re.compile(r"[\s,]+")
_BRACKETS = re.compile(r"[\[\]()]")
_DECIMAL_COMMA = re.compile(r"^([+-]?\d*),(\d+(?:[eE][+-]?\d+)?)$")


class Homography:
    """A pixel(u, v) -> world plane mapping and its inverse."""

    def __init__(self, matrix: ArrayLike, approximate: bool = False, path: str | Path | None = None,
                 reference_pixel: tuple[float, float] = (0.0, 0.0)):
        m = np.asarray(matrix, dtype=np.float64)
        if m.shape != (3, 3):
            raise HomographyError(path, f"expected a 3x3 matrix, got shape {m.shape}")
        self.path = Path(path) if path is not None else None
        self.approximate = bool(approximate)
        self.reference_pixel = (float(reference_pixel[0]), float(reference_pixel[1]))
        self.direction, self.order = "pixel-to-world", "uv"  # how its file was read (load_homography)
        self.matrix = _oriented(m, self.reference_pixel)
        self._inverse = _checked_inverse(self.matrix, path)

    def with_reference(self, u: float, v: float) -> Homography:
        """The same mapping, with "in front of the camera" meaning "on the side of pixel (u, v)".

        A scene passes a pixel surely on the ground (the bottom centre of its image); the default,
        pixel (0, 0), is right for cameras that see no horizon.
        """
        h = Homography(self.matrix, self.approximate, self.path, (u, v))
        h.direction, h.order = self.direction, self.order
        return h

    def __repr__(self) -> str:
        kind = "approximate " if self.approximate else ""
        return f"Homography({kind}pixel->world {self.matrix.tolist()})"

    @property
    def inverse(self) -> np.ndarray:
        """The world -> pixel(u, v) matrix."""
        return self._inverse.copy()

    def world_to_pixel(self, xy: ArrayLike) -> np.ndarray:
        """World points (N, 2) (or one (2,)) to pixels (u, v); NaN where the point has no image."""
        return _apply(self._inverse, xy)

    def pixel_to_world(self, uv: ArrayLike) -> np.ndarray:
        """Pixels (u, v) (N, 2) (or one (2,)) to world points; NaN on or beyond the horizon."""
        return _apply(self.matrix, uv)

    @classmethod
    def fit_to_extent(cls, world_points: ArrayLike, width: int, height: int, margin: float = 0.05) -> Homography:
        """An approximate homography placing the points' world extent inside a width x height image.

        Same scale on x and y, world y up = image up, ``margin`` (fraction of the size) kept free on each
        side, the extent centred. Marked ``approximate=True``.
        """
        pts = np.asarray(world_points, dtype=np.float64).reshape(-1, 2)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts) == 0:
            raise HomographyError(None, "no finite world point to fit an approximate homography to")
        if width <= 0 or height <= 0:
            raise HomographyError(None, f"cannot fit to an image of {width}x{height}")
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        with np.errstate(over="ignore", invalid="ignore"):
            span = hi - lo
            mid = lo / 2.0 + hi / 2.0  # halves first: (lo + hi) overflows at +-1e308
        if not (np.all(np.isfinite(span)) and np.all(np.isfinite(mid))):
            raise HomographyError(None, f"the world positions span {lo.tolist()}..{hi.tolist()}, too wide to fit "
                                        f"an approximate homography; check the trajectory units or give --homography")
        room = np.array([width, height], dtype=np.float64) * (1.0 - 2.0 * margin)
        scales = [room[i] / span[i] for i in range(2) if span[i] > 1e-9]
        scale = min(scales) if scales else 1.0
        if not (np.isfinite(scale) and 1e-12 < scale < 1e12):
            raise HomographyError(None, f"the world positions span {span.tolist()} m: no usable approximate "
                                        f"homography (scale {scale:g} px/m); check the trajectory units or give "
                                        f"--homography")
        # world -> pixel: u = width/2 + s (X - mx), v = height/2 - s (Y - my)
        to_pixel = np.array(
            [[scale, 0.0, width / 2.0 - scale * mid[0]], [0.0, -scale, height / 2.0 + scale * mid[1]], [0, 0, 1.0]]
        )
        try:
            return cls(np.linalg.inv(to_pixel), approximate=True)
        except np.linalg.LinAlgError:
            raise HomographyError(None, "the world positions give a singular approximate homography; "
                                        "give --homography") from None


def load_homography(path: str | Path, direction: str = "pixel-to-world", order: str = "uv") -> Homography:
    """Read a 3x3 homography file (see the module doc for ``direction`` and ``order``)."""
    path = Path(path)
    if direction not in DIRECTIONS:
        raise HomographyError(path, f"unknown direction {direction!r} (expected one of {', '.join(DIRECTIONS)})")
    if order not in ORDERS:
        raise HomographyError(path, f"unknown pixel order {order!r} (expected uv or rowcol)")
    m = parse_matrix(path)
    if direction == "world-to-pixel":
        m = _checked_inverse(m, path)
    if order == "rowcol":
        m = m[:, [1, 0, 2]]
    h = Homography(m, path=path)
    h.direction, h.order = direction, order  # how the file was read (a warning offers the other direction)
    return h


IDENTITY_FILE = "identity_H.txt"  # the studio's "Read the positions as pixels" writes it (scene_hints.pixel_hint)
IDENTITY_TEXT = ("# identity: the trajectory positions are the video's pixels (u = column, v = row)\n"
                 "1 0 0\n0 1 0\n0 0 1\n")


def write_identity(folder: str | Path) -> Path:
    """``folder``/identity_H.txt, the identity homography (written whole, once): positions read as pixels. A file of
    that name holding something else is never replaced: identity_H-2.txt (-3, …) then."""
    import os

    path, n = Path(folder) / IDENTITY_FILE, 1
    while path.exists() and not (path.is_file() and path.read_text(errors="replace") == IDENTITY_TEXT):
        n += 1
        path = Path(folder) / f"{Path(IDENTITY_FILE).stem}-{n}.txt"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{IDENTITY_FILE}.{os.getpid()}.tmp")
    tmp.write_text(IDENTITY_TEXT)
    os.replace(tmp, path)
    return path


ESTIMATED_MARK = "estimated by humanseg calibrate"  # the first comment line of a file calibrate wrote
_ESTIMATE_LINE = re.compile(r"^#\s*approximate:\s*(.+?)\s*$", re.MULTILINE)
_ANCHOR = re.compile(r"track points taken as the (\w+)")


def estimate_note(path: str | Path) -> tuple[str, str] | None:
    """(how well it matched, the body point) of a homography ``humanseg calibrate`` estimated ("429 of 1005
    positions matched moving people (median 3.5 px), the track points taken as the head", "head"), from the
    comments it wrote; None for any other file (or one that cannot be read: loading it says why)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(2000)
    except OSError:
        return None
    if ESTIMATED_MARK not in head:
        return None
    found = _ESTIMATE_LINE.search(head)
    if found is None:
        return None
    anchor = _ANCHOR.search(found.group(1))
    return found.group(1), anchor.group(1) if anchor else "feet"


def parse_matrix(path: Path) -> np.ndarray:
    """The 3x3 matrix written in ``path`` as it stands (no convention applied). ';' ends a row (``[a b c; d e f;
    g h i]``); a file that does not read so and whose lines read as values split by ';' with decimal commas (a
    European spreadsheet's ``1,5;0;3``) is read that way."""
    data = read_input_bytes(path, HomographyError, "a homography file", max_bytes=1 << 20)
    if (kind := binary_kind(data)) is not None:
        raise HomographyError(path, f"{kind}, not a homography (a text file of a 3x3 matrix, pixel -> world)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HomographyError(path, "not UTF-8 text", data[: exc.start].count(b"\n") + 1) from None
    try:
        return _rows(path, text)
    except HomographyError as first:
        if ";" not in text:
            raise
        parts = [[t.strip() for t in line.split("#", 1)[0].split(";")] for line in text.split("\n")]
        european = "\n".join(" ".join(_DECIMAL_COMMA.sub(r"\1.\2", t) for t in line) for line in parts)
        try:
            return _rows(path, european)
        except HomographyError as second:  # read as European (decimal commas, no value with two): its lines' problem
            decimal = any(_DECIMAL_COMMA.match(t) for line in parts for t in line)
            raise (second if decimal and not any(t.count(",") > 1 for line in parts for t in line) else first) from None


def _words(tokens: list[str]) -> bool:
    """Whether a line's tokens hold a word: a token that is no number and has a letter in it."""
    return any(not looks_numeric(t) and any(c.isalpha() for c in t) for t in tokens)


def _rows(path: Path, text: str) -> np.ndarray:
    lines: list[tuple[int, list[str]]] = []  # (line number, its tokens), a row each (';' splits a line's rows)
    for lineno, raw in enumerate(text.split("\n"), start=1):
        for part in _BRACKETS.sub(" ", raw.split("#", 1)[0]).split(";"):
            line = part.strip(" \t\r\n\x0b\x0c,")
            if line:
                lines.append((lineno, _SPLIT.split(line)))
    counts = [len(tokens) for _n, tokens in lines]
    if sum(counts) == 9 and set(counts) in ({9}, {1}):  # row-major, on one line or one value a line
        lines = [(lines[3 * i][0] if counts == [1] * 9 else lines[0][0],
                  [t for _n, tokens in lines for t in tokens][3 * i:3 * i + 3]) for i in range(3)]
    rows: list[list[float]] = []
    numeric = sum(len(ts) for _n, ts in lines[:12] if all(looks_numeric(x) for x in ts))  # (a long file: its start)
    for lineno, tokens in lines:
        if _words(tokens) and numeric == 9:  # a header over a matrix: said as text (a walk read "found 2", a
            # re-walk "found 4" for "Homography matrix, ETH 2009"); another file's header (a trajectory file's)
            # keeps the count's message and hint
            said = text.split("\n")[lineno - 1].strip()[:40]
            raise HomographyError(path, f"this line is text, not a matrix row ({said!r}); start it with # to make it "
                                        "a comment", lineno)
        if len(tokens) != 3:  # a trajectory file given for the homography: said (a walk's guess)
            hint = (" (rows of 4 or 8 values are how a trajectory file reads: is this the trajectory file?)"
                    if len(tokens) in (4, 8) and len(lines) > 3 else "")
            raise HomographyError(path, f"expected 3 values in a matrix row (or all 9 on one line), found "
                                        f"{len(tokens)}{hint}", lineno)
        if len(rows) == 3:
            raise HomographyError(path, "more than 3 rows: a homography is a 3x3 matrix", lineno)
        row = []
        for t in tokens:
            try:
                value = float(t)
            except ValueError:
                raise HomographyError(path, f"{t[:40]!r} is not a number", lineno) from None
            if not math.isfinite(value):
                raise HomographyError(path, f"{t[:40]!r} is not a finite number", lineno)
            row.append(value)
        rows.append(row)
    if len(rows) != 3:
        raise HomographyError(path, f"expected a 3x3 matrix, found {len(rows)} row(s)")
    return np.array(rows, dtype=np.float64)


def _oriented(m: np.ndarray, ref: tuple[float, float]) -> np.ndarray:
    """The same projective map, scaled so that the reference pixel maps with a positive third coordinate.

    That fixes the sign convention telling points in front of the camera (third coordinate > 0 after
    the inverse, the side of the reference pixel) from points behind it. Only the sign changes.
    """
    w = m[2, 0] * ref[0] + m[2, 1] * ref[1] + m[2, 2]
    if np.all(np.isfinite(m)) and w < -1e-12 * np.abs(m[2]).max(initial=0.0):
        return -m
    return m.copy()


def _checked_inverse(m: np.ndarray, path: str | Path | None) -> np.ndarray:
    """inv(m), or HomographyError when m is singular, ill-conditioned or not finite."""
    if not np.all(np.isfinite(m)):
        raise HomographyError(path, "the matrix holds values that are not finite numbers")
    scale = np.abs(m).max()
    if scale == 0 or not np.isfinite(scale):
        raise HomographyError(path, "the matrix is all zeros")
    normed = m / scale
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(normed)
    if not np.isfinite(cond) or cond > MAX_CONDITION:
        raise HomographyError(path, f"the matrix is singular or ill-conditioned (condition number {cond:.3g})")
    with np.errstate(all="ignore"):
        try:
            inv = np.linalg.inv(normed) / scale
        except np.linalg.LinAlgError:
            raise HomographyError(path, "the matrix is singular") from None
    if not np.all(np.isfinite(inv)):
        raise HomographyError(path, "the matrix cannot be inverted in floating point")
    return inv


def _apply(m: np.ndarray, pts: ArrayLike) -> np.ndarray:
    a = np.asarray(pts, dtype=np.float64)
    single = a.ndim == 1
    a = a.reshape(-1, 2)
    with np.errstate(all="ignore"):
        p = a @ m[:, :2].T + m[:, 2]
        w = p[:, 2]
        tol = 1e-12 * np.abs(p).max(axis=1, initial=0.0)
        bad = ~(w > tol) | ~np.all(np.isfinite(p), axis=1)  # on or beyond the horizon
        out = p[:, :2] / np.where(bad, 1.0, w)[:, None]
    out[bad] = np.nan
    out[~np.all(np.isfinite(out), axis=1)] = np.nan
    return out[0] if single else out
