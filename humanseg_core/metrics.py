"""Segmentation metrics: region similarity J (IoU), the DAVIS boundary F-measure, and leakage.

Definitions follow the DAVIS benchmark (Perazzi et al., CVPR 2016; Pont-Tuset et al., 2017):

- ``J = |P & G| / |P | G|`` (1 when both are empty).
- ``F``: the boundary of each mask is the set of pixels whose right, lower or lower-right neighbour has the
  other value (outside the image counts as background, except that the last row is compared only with its
  right neighbour and the last column only with its lower one). A boundary pixel of one mask is matched when
  a boundary pixel of the other lies within a disk of radius ``bound_pix`` around it, where ``bound_pix =
  ceil(bound_th * image diagonal)`` (``bound_th >= 1`` is taken as pixels). Precision = matched share of the
  predicted boundary, recall = matched share of the true boundary, ``F = 2PR / (P + R)``; both boundaries
  empty gives 1, exactly one empty gives 0.
- ``leakage``: the share of predicted pixels that lie on other persons' ground truth.

Mask folders hold ``%05d.png`` files (any nonzero pixel is foreground); see :func:`evaluate_dirs`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

DEFAULT_BOUND_TH = 0.008
_NUMBERED = re.compile(r"^(\d+)\.png$", re.IGNORECASE)
_PREFIXED = re.compile(r"^(\D*?)(\d+)\.png$", re.IGNORECASE)  # "frame_3700.png": a prefix without digits


def _as_bool(mask: ArrayLike, name: str) -> np.ndarray:
    m = np.asarray(mask)
    if m.ndim == 3:
        m = cast(np.ndarray, m.any(axis=2))
    if m.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D mask, got shape {np.shape(mask)}")
    return m.astype(bool, copy=False)


def _check_same_shape(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"mask shapes differ: {a.shape} vs {b.shape}")


def jaccard(pred: ArrayLike, gt: ArrayLike) -> float:
    """Region similarity (IoU) of two masks; 1.0 when both are empty."""
    p, g = _as_bool(pred, "pred"), _as_bool(gt, "gt")
    _check_same_shape(p, g)
    union = np.count_nonzero(p | g)
    if union == 0:
        return 1.0
    return float(np.count_nonzero(p & g) / union)


def boundary_map(mask: ArrayLike) -> np.ndarray:
    """The DAVIS boundary of a mask (bool, same shape); see the module doc for the exact rule."""
    m = _as_bool(mask, "mask")
    h, w = m.shape
    right = np.zeros_like(m)
    down = np.zeros_like(m)
    diag = np.zeros_like(m)
    right[:, :-1] = m[:, 1:]
    down[:-1, :] = m[1:, :]
    diag[:-1, :-1] = m[1:, 1:]
    b = (m != right) | (m != down) | (m != diag)
    b[-1, :] = m[-1, :] != right[-1, :]
    b[:, -1] = m[:, -1] != down[:, -1]
    b[-1, -1] = False
    return b


def mask_outline(mask: np.ndarray, width: int = 2) -> np.ndarray:
    """The outline drawn over a mask (overlays, thumbnails): its inside pixels within ``width`` of the
    outside, the image border counting as outside. Not the DAVIS boundary of :func:`boundary_map`."""
    m = np.asarray(mask).astype(np.uint8)
    if width <= 0 or not m.any():
        return np.zeros(m.shape, bool)
    kernel = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    eroded = cv2.erode(m, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return (m > 0) & (eroded == 0)


PERSON_BOUND_SHARE = 0.02  # the person-scaled tolerance: 2 % of the ground-truth mask's height


def person_bound(gt: np.ndarray) -> int:
    """The boundary tolerance in pixels scaled to the person whose mask is ``gt``: 2 % of its height, at
    least 1 px (the DAVIS default, 0.008 of the diagonal, is 8 px on a 720 x 576 frame: more than a third of a
    75-px person's width, so any plausible mask scored F near 1)."""
    rows = np.flatnonzero(np.asarray(gt, bool).any(axis=1))
    height = int(rows[-1] - rows[0] + 1) if len(rows) else 0
    return max(1, int(np.ceil(PERSON_BOUND_SHARE * height)))


def bound_pixels(shape: tuple[int, int], bound_th: float | None = DEFAULT_BOUND_TH,
                 gt: np.ndarray | None = None) -> int:
    """Tolerance radius in pixels: ``bound_th`` itself when >= 1, else ``ceil(bound_th * diagonal)``; None:
    scaled to the person (:func:`person_bound` of ``gt``)."""
    if bound_th is None:
        return person_bound(gt) if gt is not None else 1
    if bound_th >= 1:
        return int(round(bound_th))
    return int(math.ceil(bound_th * math.hypot(shape[0], shape[1])))


def _disk(radius: int) -> np.ndarray:
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return (x * x + y * y <= radius * radius).astype(np.uint8)


def _crop_box(p: np.ndarray, g: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """Bounding box of both masks grown by ``margin`` (a cheap window where all boundaries lie)."""
    rows = np.flatnonzero(p.any(1) | g.any(1))
    cols = np.flatnonzero(p.any(0) | g.any(0))
    if len(rows) == 0:
        return None
    h, w = p.shape
    return (slice(max(0, rows[0] - margin), min(h, rows[-1] + margin + 1)),
            slice(max(0, cols[0] - margin), min(w, cols[-1] + margin + 1)))


def f_boundary_prf(pred: ArrayLike, gt: ArrayLike, bound_th: float | None = DEFAULT_BOUND_TH
                   ) -> tuple[float, float, float]:
    """Boundary ``(F, precision, recall)`` as defined by DAVIS (see the module doc); ``bound_th`` None: the
    tolerance scaled to the person (:func:`person_bound`)."""
    p, g = _as_bool(pred, "pred"), _as_bool(gt, "gt")
    _check_same_shape(p, g)
    r = bound_pixels(p.shape, bound_th, g)
    box = _crop_box(p, g, r + 2)
    if box is None:
        return 1.0, 1.0, 1.0
    # Inside the window the boundaries are unchanged: either the window edge is the image edge or the
    # masks are empty for two pixels next to it.
    bp, bg = boundary_map(p[box]), boundary_map(g[box])
    n_p, n_g = int(np.count_nonzero(bp)), int(np.count_nonzero(bg))
    if n_p == 0 and n_g == 0:
        return 1.0, 1.0, 1.0
    if n_p == 0:
        return 0.0, 1.0, 0.0
    if n_g == 0:
        return 0.0, 0.0, 1.0
    disk = _disk(r)
    near_g = cv2.dilate(bg.view(np.uint8), disk) > 0
    near_p = cv2.dilate(bp.view(np.uint8), disk) > 0
    precision = np.count_nonzero(bp & near_g) / n_p
    recall = np.count_nonzero(bg & near_p) / n_g
    if precision + recall == 0:
        return 0.0, float(precision), float(recall)
    return float(2 * precision * recall / (precision + recall)), float(precision), float(recall)


def f_boundary(pred: ArrayLike, gt: ArrayLike, bound_th: float | None = DEFAULT_BOUND_TH) -> float:
    """DAVIS boundary F-measure of two masks (1.0 when both are empty)."""
    return f_boundary_prf(pred, gt, bound_th)[0]


def leakage(pred: ArrayLike, others_masks: np.ndarray | Iterable[ArrayLike]) -> float:
    """Share of predicted pixels on other persons' ground truth (0.0 for an empty prediction).

    ``others_masks``: one mask or an iterable of masks of the other persons in the same frame.
    """
    p = _as_bool(pred, "pred")
    n = np.count_nonzero(p)
    if n == 0:
        return 0.0
    return float(np.count_nonzero(p & _union(others_masks, p.shape)) / n)


def _union(masks: np.ndarray | Iterable[ArrayLike], shape: tuple[int, ...]) -> np.ndarray:
    if isinstance(masks, np.ndarray) and masks.ndim == 2:
        masks = [masks]
    out = np.zeros(shape, bool)
    for m in masks:
        m = _as_bool(m, "others")
        _check_same_shape(out, m)
        out |= m
    return out


# ---------------------------------------------------------------------------------------------- folders

def numbered_pngs(folder: str | Path, what: str = "mask folder") -> dict[int, Path]:
    """``{frame: path}`` for the ``<digits>.png`` files of a folder (other files are ignored); without any, the
    ``<prefix><digits>.png`` files when they all share one prefix without digits (``frame_3700.png``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, f"{what} not found (expected a folder of %05d.png masks)")
    out = {}
    prefixed: dict[str, dict[int, Path]] = {}  # {prefix: {frame: path}} of "frame_3700.png" names
    for p in folder.iterdir():
        m = _NUMBERED.match(p.name)
        if m and p.is_file():
            out[int(m.group(1))] = p
        elif not out and (m := _PREFIXED.match(p.name)) and p.is_file():
            prefixed.setdefault(m.group(1), {})[int(m.group(2))] = p
    if not out and len(prefixed) == 1:  # every mask named with one prefix (a walk's GT "frame_3700.png" was refused)
        return next(iter(prefixed.values()))
    return out


def _per_person_hint(folder: str | Path) -> str:
    """A hint when ``folder`` holds per-person folders of masks (a whole-scene DAVIS export) instead."""
    try:
        subs = sorted(p.name for p in Path(folder).iterdir() if p.is_dir() and p.name.isdigit() and any(
            _NUMBERED.match(q.name) for q in p.iterdir()))
    except OSError:
        return ""
    if not subs:  # a studio DAVIS export: Annotations/<height>p/person_<pid>/ (a walk passed its root)
        people = sorted(Path(folder).glob("Annotations/*/person_*"))
        if not people:
            return ""
        shown = ", ".join(str(p.relative_to(folder)) for p in people[:3]) + (", …" if len(people) > 3 else "")
        return (f"; it is a DAVIS export holding per-person folders ({shown}): pass one person's folder, or "
                "score every person with `humanseg eval-scene`")
    shown = ", ".join(subs[:5]) + (", …" if len(subs) > 5 else "")
    return (f"; it holds per-person folders ({shown}): pass one person's folder, or score every person with "
            "`humanseg eval-scene`")


def read_mask(path: str | Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Read a mask PNG as bool (any nonzero pixel is foreground); InputError names the file."""
    path = Path(path)
    read: np.ndarray | None = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if read is None:
        raise InputError(path, "cannot read this file as an image (missing, corrupt or not a PNG)")
    img = read
    if img.ndim == 3:
        img = cast(np.ndarray, img[..., :3].any(axis=2) if img.shape[2] == 4 else img.any(axis=2))
    if img.ndim != 2:
        raise InputError(path, f"unexpected image shape {img.shape}")
    if shape is not None and img.shape != tuple(shape):
        raise InputError(path, f"mask is {img.shape[1]}x{img.shape[0]} but the ground truth is "
                               f"{shape[1]}x{shape[0]}")
    return img.astype(bool)


def frame_scores(pred: ArrayLike, gt: ArrayLike, others: Sequence[ArrayLike] | None = None,
                 bound_th: float | None = DEFAULT_BOUND_TH) -> dict[str, Any]:
    """J, F (with precision/recall) and leakage of one frame; ``others``: list of other persons' masks."""
    p, g = _as_bool(pred, "pred"), _as_bool(gt, "gt")
    F, prec, rec = f_boundary_prf(p, g, bound_th)
    row = {"J": jaccard(p, g), "F": F, "F_precision": prec, "F_recall": rec,
           "pred_px": int(np.count_nonzero(p)), "gt_px": int(np.count_nonzero(g))}
    if others is not None:
        row["leak_px"] = int(np.count_nonzero(p & _union(others, p.shape))) if len(others) else 0
        row["leakage"] = row["leak_px"] / row["pred_px"] if row["pred_px"] else 0.0
    return row


def summarize(rows: list[dict], with_leakage: bool) -> dict:
    """Means and recalls over per-frame rows; leakage pooled (leaked pixels / predicted pixels)."""
    n = len(rows)
    J = np.array([r["J"] for r in rows], float)
    F = np.array([r["F"] for r in rows], float)
    out = {
        "J_mean": float(J.mean()) if n else float("nan"),
        "F_mean": float(F.mean()) if n else float("nan"),
        "J_recall": float((J > 0.5).mean()) if n else float("nan"),
        "F_recall": float((F > 0.5).mean()) if n else float("nan"),
        "leakage": None,
        "frames": n,
    }
    if with_leakage:
        pred_px = sum(r["pred_px"] for r in rows)
        out["leakage"] = float(sum(r["leak_px"] for r in rows) / pred_px) if pred_px else 0.0
    return out


def evaluate_masks(pred: dict, gt: dict, others: list[dict] | None = None,
                   bound_th: float | None = DEFAULT_BOUND_TH) -> dict:
    """In-memory version of :func:`evaluate_dirs`: ``{frame: mask}`` dicts; frames are those of ``gt``.

    A frame missing from ``pred`` counts as an empty prediction.
    """
    rows = []
    for frame in sorted(gt):
        g = _as_bool(gt[frame], "gt")
        p = _as_bool(pred[frame], "pred") if frame in pred else np.zeros_like(g)
        o = None if others is None else [d[frame] for d in others if frame in d]
        row = {"frame": int(frame), "missing_pred": frame not in pred}
        row.update(frame_scores(p, g, o, bound_th))
        rows.append(row)
    result = summarize(rows, others is not None)
    result["rows"] = rows
    return result


def frames_apart_hint(pred_frames: Iterable[int], gt_frames: Iterable[int], offset: int | None = None) -> str:
    """When no predicted frame number is a ground-truth frame: the two ranges and the ``--frame-offset``
    that lines them up ("" when some frame is shared, or either side is empty).  A video file numbers its
    frames from 0 while a scene's ground truth keeps the trajectories' frame numbers.  ``offset``: the one
    to advise when the caller knows it better (:func:`person_offset`), else the two first frames apart."""
    pred, gt = sorted(set(pred_frames)), sorted(set(gt_frames))
    if not pred or not gt or set(pred) & set(gt):
        return ""
    offset = pred[0] - gt[0] if offset is None else int(offset)
    return (f"the predictions are frames {pred[0]}..{pred[-1]} and the ground truth {gt[0]}..{gt[-1]}: no frame "
            f"in common. If the video numbers its frames from its start while the ground truth keeps the "
            f"trajectories' numbers, score with --frame-offset {offset} (prediction frame = ground-truth frame "
            "+ offset, as the project's --frame-offset)")


def _apart_hint(pred_files: Mapping[int, Any], gt_files: Mapping[int, Any], frame_offset: int) -> str:
    """:func:`frames_apart_hint` of predictions already shifted by ``frame_offset``: the offset it advises is the
    whole one, the given one included (a walk gave 3000 for -3000 and was told -6000, then 3000 again)."""
    if not pred_files or not gt_files:
        return ""
    whole = min(pred_files) - min(gt_files) + int(frame_offset)
    hint = frames_apart_hint(pred_files, gt_files, whole)
    if hint and frame_offset:
        hint += f" (the predictions' frames are counted after the frame offset {frame_offset} given)"
    return hint


def person_offset(pred: Mapping[int, Collection[int]], gt: Mapping[int, Collection[int]]) -> int | None:
    """The frame offset most persons' first frames agree on ({pid: frames} both; the first predicted frame
    minus the first ground-truth frame of each person in both); with no person in both, the two sides' first
    frames apart; None when a side has no frame. Each person's own: a person entering late had been set against
    the scene's first frame (-5220, not -5300)."""
    from collections import Counter

    votes = Counter(min(pred[p]) - min(gt[p]) for p in pred if p in gt and len(pred[p]) and len(gt[p]))
    if votes:
        return votes.most_common(1)[0][0]
    firsts = [min((f for frames in side.values() for f in frames), default=None) for side in (pred, gt)]
    return None if firsts[0] is None or firsts[1] is None else int(firsts[0]) - int(firsts[1])


def evaluate_dirs(pred_dir: str | Path, gt_dir: str | Path, others: Sequence[str | Path] = (),
                  bound_th: float | None = DEFAULT_BOUND_TH, frame_offset: int = 0,
                  only_predicted: bool = False) -> dict:
    """Score a folder of predicted masks against a ground-truth folder (both ``%05d.png``, 0/255).

    Frames are those in ``gt_dir``; a frame missing from ``pred_dir`` counts as an empty prediction.
    ``others``: folders of the other persons' ground truth, for leakage (a frame missing there means that
    person is not visible). Returns ``{"rows": [...], "J_mean", "F_mean", "J_recall", "F_recall",
    "leakage" (pooled over frames; None without ``others``), "frames", "missing_pred", "frames_apart"
    (:func:`frames_apart_hint`)}``.
    Unreadable or wrongly sized files raise :class:`InputError` naming the file. ``frame_offset``: the
    prediction of ground-truth frame ``f`` is the file of frame ``f + frame_offset`` (:func:`frames_apart_hint`).
    ``only_predicted``: the ground-truth frames that have a prediction only (labels exported on annotated
    frames: a walk's 20 labels of J 0.86 scored 0.09 over the 200 frames of their ground truth).
    """
    gt_files = numbered_pngs(gt_dir, "ground-truth folder")
    if not gt_files:
        raise InputError(gt_dir, "no ground-truth masks (<frame>.png files) in this folder" + _per_person_hint(gt_dir))
    pred_files = numbered_pngs(pred_dir, "prediction folder")
    if not pred_files:  # a J of 0 over every frame would hide the wrong folder
        raise InputError(pred_dir, "no predicted masks (<frame>.png files) in this folder" + _per_person_hint(pred_dir))
    pred_files = {f - frame_offset: path for f, path in pred_files.items()}
    other_files = [numbered_pngs(d, "other person's ground-truth folder") for d in (others or ())]
    frames = sorted(gt_files)
    apart = _apart_hint(pred_files, gt_files, frame_offset)
    if only_predicted:
        frames = [f for f in frames if f in pred_files]
        if not frames:
            raise InputError(pred_dir, f"none of its masks is of a frame of {gt_dir}" + (f": {apart}" if apart else ""))
    rows = []
    for frame in frames:
        g = read_mask(gt_files[frame])
        p = read_mask(pred_files[frame], g.shape) if frame in pred_files else np.zeros_like(g)
        o = [read_mask(files[frame], g.shape) for files in other_files if frame in files] if others else None
        row = {"frame": frame, "missing_pred": frame not in pred_files}
        row.update(frame_scores(p, g, o, bound_th))
        rows.append(row)
    result = summarize(rows, bool(others))
    result["missing_pred"] = sum(r["missing_pred"] for r in rows)
    result["frames_apart"] = apart  # "" unless no frame is shared
    result["rows"] = rows
    return result
