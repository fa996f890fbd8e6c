"""Scene-level evaluation of many persons' masks: per person J, F, leakage; identity switches; HOTA,
sMOTSA and IDF1 through TrackEval (the maintained reference implementation, ``pip install trackeval``).

Predictions and ground truth are ``{pid: {frame: path or bool mask}}``, read one frame at a time (memory
stays flat in the number of persons and frames: only COCO RLEs are kept for the tracking metrics).
Per person, frames are those of that person's ground truth and a missing prediction counts as empty (as
``humanseg eval``).  An identity switch is a frame where a person's predicted mask lies mostly (more than
half its pixels) on another person's ground truth.  TrackEval's CLEAR ``sMOTA`` on mask IoU is sMOTSA.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from .errors import HumansegError
from .metrics import DEFAULT_BOUND_TH, bound_pixels, f_boundary, jaccard, numbered_pngs, read_mask
from .overlap import bounding_slices
from .wording import shell_arg

MaskSets = Mapping[int, Mapping[int, object]]  # {pid: {frame: path | bool mask}}


def _dataset_sequences(root: Path) -> tuple[Path, dict[str, int]] | None:
    """(the Annotations/<resolution> folder, {sequence name: pid}) of an export in the DAVIS dataset layout
    (its sequences.json maps pids to sequence names), or None for another folder."""
    import json

    folders = [p for p in (root / "Annotations").glob("*") if p.is_dir()] if (root / "Annotations").is_dir() else []
    if len(folders) != 1:
        return None
    try:
        names = json.loads((root / "sequences.json").read_text(encoding="utf-8"))
        pid_of = {str(seq): int(pid) for pid, seq in names.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return folders[0], pid_of


def pred_format(root: Path) -> str:
    """The layout of a prediction folder: ``mots`` (``instances.txt``), ``coco`` (``annotations.json``), ``palette``
    (``pids.json`` beside frame PNGs) or ``davis`` (a folder per person, or the DAVIS dataset layout of Export
    Masks). A file given itself: a ``.txt`` is a MOTS instances file, a ``.json`` COCO annotations (as ``--gt-root``
    takes them: a walk's ``--pred out/instances.txt`` was "a file, not a prediction folder")."""
    root = Path(root)
    if root.is_file() and root.suffix.lower() in (".txt", ".json"):
        return "mots" if root.suffix.lower() == ".txt" else "coco"
    if (root / "instances.txt").is_file():
        return "mots"
    if (root / "annotations.json").is_file():
        return "coco"
    if (root / "pids.json").is_file() and any(root.glob("*.png")):
        return "palette"
    return "davis"


def palette_sets(folder) -> dict[int, dict[int, np.ndarray]]:
    """A palette export folder (``%05d.png`` indexed per frame + ``pids.json``, as ``humanseg run --format palette``
    and ``export --format palette`` write) -> {pid: {frame: bool mask}} (a walk's palette run could not be scored)."""
    import json

    from PIL import Image

    folder = Path(folder)
    try:
        mapping = {int(i): int(p) for i, p in json.loads((folder / "pids.json").read_text()).items()
                   if str(p).lstrip("-").isdigit() and int(i) > 0}
    except (OSError, ValueError, AttributeError) as exc:
        raise HumansegError(f"{folder / 'pids.json'}: not a palette export's index of persons ({exc})") from None
    images = numbered_pngs(folder, "palette export")
    if not images:  # a MOTS export holds a pids.json too: read as a palette, every person had scored 0 (a walk)
        raise HumansegError(f"{folder}: no %05d.png palette images found{_other_layout(folder)}")
    out: dict[int, dict[int, np.ndarray]] = {}
    for frame, path in sorted(images.items()):
        try:
            with Image.open(path) as im:
                index = np.asarray(im if im.mode in ("P", "L") else im.convert("L"))
        except OSError as exc:
            raise HumansegError(f"{path}: unreadable palette image ({exc})") from None
        for i in np.unique(index):
            if int(i) in mapping:
                out.setdefault(mapping[int(i)], {})[frame] = index == i
    return out


def _mots_like(path: Path) -> bool:
    """Whether the text file's first line reads as a MOTS line (time_frame id class_id height width rle), not a
    trajectory file's ``frame pid x y``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            fields = fh.readline().split()
    except OSError:
        return False
    return len(fields) == 6 and all(f.lstrip("-").isdigit() for f in fields[:5])


def _other_layout(root: Path, what: str = "prediction") -> str:
    """What the folder holds instead, when it is another layout the tool writes (a walk: a palette export and
    a MOTS folder both read 'no <pid>/%05d.png masks found')."""
    if (root / "project.sqlite").is_file():  # a walk gave the project itself
        return (f"; it is a project: export its masks first (humanseg export --project {shell_arg(root)} --pids all "
                "--format davis --source any --out DIR), then score DIR")
    for sub in ("gt", "GT", "groundtruth", "ground_truth"):  # a scene's folder given for its gt/ (a walk was told
        if (root / sub).is_dir() and any(p.is_dir() and p.name.isdigit() for p in (root / sub).iterdir()):
            return f"; it holds a {sub}/ folder of them: give --gt-root {root / sub}"  # to add --format mots)
    if (root / "instances.txt").is_file() or any(_mots_like(p) for p in sorted(root.glob("*.txt"))[:5]):
        return "; it holds a MOTS text file: add --format mots"
    if (root / "annotations.json").is_file():
        return "; it holds a COCO annotations file: add --format coco"
    if (root / "pids.json").is_file() and any(root.glob("*.png")) and what == "ground truth":
        beside = root.parent / "gt"  # a composed scene's gt_index/ given for its gt/ (a walk was told to add
        return ("; it is a palette of persons (its pids.json), which --gt-root does not read: give the folder of "  # a
                "<pid>/ masks" + (f", {beside}" if beside.is_dir() else ""))  # --format, which is for --pred)
    if (root / "pids.json").is_file() and any(root.glob("*.png")):
        return "; it is a palette export (its pids.json): add --format palette"
    if any(root.glob("*.png")):
        return ("; it holds PNGs of whole frames: one person's masks (humanseg eval --pred DIR --gt GT/<pid> scores "
                "them), or an index export? eval-scene reads a folder per person (export --format davis, or humanseg "
                "run --format davis) or a palette export with its pids.json")
    return ""


def davis_sets(root, what: str) -> dict[int, dict[int, Path]]:
    """``root/<pid>/%05d.png`` -> {pid: {frame: path}} (sub-folders whose name is not a number are ignored)."""
    root = Path(root)
    if not root.is_dir():  # a file there read "folder not found" (a walk)
        raise HumansegError(f"{root}: " + (f"is a file, not a {what} folder" if root.exists() else
                                           f"{what} folder not found"))
    named = _dataset_sequences(root)  # the DAVIS dataset layout of Export Masks: Annotations/<res>/<sequence>
    if named is not None:
        root, pid_of = named
    else:
        pid_of = {sub.name: int(sub.name) for sub in root.iterdir() if sub.name.lstrip("-").isdigit()}
    out = {}
    for sub in sorted(root.iterdir()):
        if sub.is_dir() and sub.name in pid_of:
            files = numbered_pngs(sub, what)
            if files:
                out[pid_of[sub.name]] = files
    if not out:
        raise HumansegError(f"{root}: no <pid>/%05d.png masks found ({what}){_other_layout(root, what)}")
    return out


#: MOTS classes (KITTI MOTS, MOTSChallenge): 2 pedestrian, 1 car, 10 an ignore region
MOTS_PERSON, MOTS_IGNORE = 2, 10


def mots_sets(folder, notes: list[str] | None = None) -> dict[int, dict[int, np.ndarray]]:
    """A MOTS folder (``instances.txt``, with the ``pids.json`` an export writes beside it) -> {pid: {frame: bool
    mask}}, frames numbered as the video's (an export numbered from 0 or 1 says by how much in its ``export.json``:
    taken back). Persons only: a file holding pedestrians (class 2) leaves its other classes out, and an ignore
    region (class 10) is never a person (a walk's KITTI ground truth counted one as a missed person); ``notes``,
    when given, receives what was left out. A damaged line or mapping names the file and the line."""
    import json

    from . import rle

    folder = Path(folder)
    txt = folder / "instances.txt" if folder.is_dir() else folder
    if not txt.is_file():
        raise HumansegError(f"{txt}: MOTS instances file not found")
    mapping_file = txt.parent / "pids.json"
    try:
        read = json.loads(mapping_file.read_text()) if mapping_file.is_file() else {}
        if not isinstance(read, dict):
            raise ValueError("not an object of MOTS id: person id")
        mapping = {str(k): _person_id(v, k) for k, v in read.items()}
    except (OSError, ValueError) as exc:  # a walk's cut pids.json ended in a traceback
        raise HumansegError(f"{mapping_file}: cannot read the MOTS ids' person ids ({exc})") from None
    shift = time_frame_shift(txt.parent)
    rows: list[tuple[int, int, str, int, int, int, str]] = []  # (line, frame, id, class, h, w, rle)
    try:
        text = txt.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # (a re-walk's appended bytes ended in a traceback)
        line = txt.read_bytes()[:exc.start].count(b"\n") + 1
        raise HumansegError(f"{txt}, line {line}: not text (byte {exc.start} is not UTF-8)") from None
    except OSError as exc:
        raise HumansegError(f"{txt}: cannot be read ({exc.strerror or exc})") from None
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 6:
            raise HumansegError(f"{txt}, line {n}: expected 6 fields (frame id class h w rle), got {len(parts)}")
        try:
            rows.append((n, int(parts[0]), parts[1], int(parts[2]), int(parts[3]), int(parts[4]), parts[5]))
        except ValueError:
            raise HumansegError(f"{txt}, line {n}: frame, class, height and width must be whole numbers") from None
    classes = {r[3] for r in rows}
    left = {c for c in classes if c == MOTS_IGNORE or (MOTS_PERSON in classes and c != MOTS_PERSON)}
    if left and notes is not None:
        counted = ", ".join(f"{sum(r[3] == c for r in rows)} of class {c}"
                            + (" (ignore regions)" if c == MOTS_IGNORE else " (cars)" if c == 1 else "")
                            for c in sorted(left))
        notes.append(f"{txt}: {counted} left out: persons are class {MOTS_PERSON}")
    out: dict[int, dict[int, np.ndarray]] = {}
    for n, frame, ident, cls, h, w, counts in rows:
        if cls in left:
            continue
        try:
            pid = mapping[ident] if ident in mapping else int(ident)
        except ValueError:  # ("²" passes isdigit and int() refuses it: a review)
            raise HumansegError(f"{txt}, line {n}: the id {ident!r} is not a number, and no pids.json beside it "
                                "maps it to a person id") from None
        try:
            mask = rle.decode({"size": [h, w], "counts": counts.encode("ascii")})
        except (ValueError, UnicodeError, rle.MaskDataError) as exc:
            raise HumansegError(f"{txt}, line {n}: {exc}") from None
        out.setdefault(pid, {})[frame - shift] = mask
    return out


def coco_sets(folder) -> dict[int, dict[int, np.ndarray]]:
    """A COCO export folder (``annotations.json``: images with ``frame_index``, annotations with ``track_id``
    and RLE masks, as ``humanseg export --format coco`` writes) -> {pid: {frame: bool mask}}."""
    import json

    from . import rle

    folder = Path(folder)
    path = folder / "annotations.json" if folder.is_dir() else folder
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        frames = {int(im["id"]): int(im.get("frame_index", Path(str(im["file_name"])).stem))
                  for im in doc["images"]}
        out: dict[int, dict[int, np.ndarray]] = {}
        for ann in doc["annotations"]:
            pid = ann.get("track_id", (ann.get("attributes") or {}).get("pid"))
            seg = ann["segmentation"]
            if pid is None or not isinstance(seg, dict):
                raise ValueError(f"annotation {ann.get('id')} has no track_id or no RLE mask")
            out.setdefault(int(pid), {})[frames[int(ann["image_id"])]] = rle.decode(
                {"size": seg["size"], "counts": str(seg["counts"]).encode("ascii")})
    except FileNotFoundError:
        raise HumansegError(f"{path}: COCO annotations file not found") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HumansegError(f"{path}: not a COCO export of person tracks ({exc})") from None
    return out


def _person_id(value: Any, key: Any) -> int:
    """A pids.json value: a whole number (or its text), else ValueError naming the entry (a review: null, a list or
    1.7 had ended in a traceback or been cut to 1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    import json

    raise ValueError(f"the person id of {key!r} is {json.dumps(value)}, not a whole number")


def time_frame_shift(folder: Path) -> int:
    """What a MOTS export in ``folder`` added to the video frame indices (``time_frame_shift`` in its
    ``export.json``; 0)."""
    import json

    try:
        shift = json.loads((Path(folder) / "export.json").read_text()).get("time_frame_shift", 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return shift if isinstance(shift, int) else 0


def mask_of(item) -> np.ndarray:
    """A mask given as a bool array or a PNG file, as bool."""
    if isinstance(item, np.ndarray):
        return item.astype(bool, copy=False)
    return read_mask(item)


def _encode(mask: np.ndarray):
    from pycocotools import mask as mask_utils

    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))


def _tracking_data(frames: list[int], gt_rles: dict[int, dict], pr_rles: dict[int, dict], gt_ids: list[int],
                   pr_ids: list[int]) -> dict[str, Any]:
    from pycocotools import mask as mask_utils

    gi = {p: k for k, p in enumerate(gt_ids)}
    pi = {p: k for k, p in enumerate(pr_ids)}
    data: dict[str, Any] = {"num_timesteps": len(frames), "num_gt_ids": len(gt_ids), "num_tracker_ids": len(pr_ids),
            "gt_ids": [], "tracker_ids": [], "similarity_scores": [], "num_gt_dets": 0, "num_tracker_dets": 0}
    for f in frames:
        g, p = gt_rles.get(f, {}), pr_rles.get(f, {})
        gk, pk = sorted(g), sorted(p)
        data["gt_ids"].append(np.array([gi[q] for q in gk], int))
        data["tracker_ids"].append(np.array([pi[q] for q in pk], int))
        if gk and pk:
            sim = np.asarray(mask_utils.iou([p[q] for q in pk], [g[q] for q in gk], [0] * len(gk)), float).T
        else:
            sim = np.zeros((len(gk), len(pk)))
        data["similarity_scores"].append(sim.reshape(len(gk), len(pk)))
        data["num_gt_dets"] += len(gk)
        data["num_tracker_dets"] += len(pk)
    return data


def tracking_metrics(data: dict) -> dict:
    """HOTA, DetA, AssA, sMOTSA, MOTSA and IDF1 from TrackEval on a prepared data dict."""
    try:
        from trackeval.metrics import CLEAR, HOTA, Identity
    except ImportError:
        raise HumansegError("the tracking metrics need TrackEval: pip install 'humanseg-studio[dev]' "
                            "(or pip install trackeval)") from None
    if data["num_gt_dets"] == 0 and data["num_tracker_dets"] == 0:
        return {}
    hota = HOTA().eval_sequence(data)
    clear = CLEAR({"PRINT_CONFIG": False}).eval_sequence(data)
    ident = Identity({"PRINT_CONFIG": False}).eval_sequence(data)
    return {"HOTA": float(np.mean(hota["HOTA"])), "DetA": float(np.mean(hota["DetA"])),
            "AssA": float(np.mean(hota["AssA"])), "sMOTSA": float(clear["sMOTA"]), "MOTSA": float(clear["MOTA"]),
            "IDSW": int(clear["IDSW"]), "IDF1": float(ident["IDF1"])}


@dataclass
class _Tally:
    J: list[float] = field(default_factory=list)  # noqa: N815 - the metric's name
    F: list[float] = field(default_factory=list)  # noqa: N815
    pred_px: int = 0
    leak_px: int = 0
    switches: int = 0
    heights: list[int] = field(default_factory=list)  # the GT mask's rows, frame by frame (small persons: F)


def _read_frame(pool: ThreadPoolExecutor, gt: MaskSets, pred: MaskSets, f: int, t: _SceneTally) -> tuple[dict, dict]:
    """Frame ``f``'s ({pid: gt mask}, {pid: predicted mask}), the files decoded in ``pool``; every mask the size of
    the first one read (``t.shape``), else an error naming both (a walk's 640x480 ground truth was said to be
    the prediction's 720x576)."""
    items = [(0, pid, m[f]) for pid, m in gt.items() if f in m] + [(1, pid, m[f]) for pid, m in pred.items() if f in m]
    masks = list(pool.map(lambda item: mask_of(item[2]), items))
    out: tuple[dict, dict] = ({}, {})
    for (side, pid, item), mask in zip(items, masks):
        what = mask_words(side, pid, f, item)
        if t.shape is None:
            t.shape, t.first = mask.shape, what
        elif mask.shape != t.shape:
            raise sizes_apart(what, mask.shape, t.first, t.shape)
        out[side][pid] = mask
    return out


SIDES = ("ground truth", "prediction")


def mask_words(side: int, pid: int, frame: int, item: Any) -> str:
    """A mask of side ``side`` (0 ground truth, 1 prediction) in words, its file named when it has one."""
    return f"{SIDES[side]}'s mask of person {pid} on frame {frame}" + (
        f" ({item})" if isinstance(item, (str, Path)) else "")


def sizes_apart(what: str, shape, other: str, other_shape) -> HumansegError:
    """The error of two masks of two sizes (``what`` and ``other``: :func:`mask_words`)."""
    return HumansegError(f"the {what} is {shape[1]}x{shape[0]}, the {other} {other_shape[1]}x{other_shape[0]}: are "
                         "the prediction and the ground truth of one video?")


@dataclass
class _SceneTally:
    """What the frames add up to: per person (``rows``), the RLEs the tracking metrics read, the predicted
    pixels two or more persons claim (each scored for all of them) and their frames, the frames' shape."""

    rows: dict[int, _Tally]
    bound_th: float | None
    switch_share: float
    gt_rles: dict[int, dict] = field(default_factory=dict)
    pr_rles: dict[int, dict] = field(default_factory=dict)
    shared_px: int = 0
    shared_frames: int = 0
    shape: tuple[int, int] | None = None
    first: str = ""  # the mask that set ``shape``, in words
    only_predicted: bool = False  # a person's J and F over the frames it has a predicted mask on


def _score_frame(t: _SceneTally, f: int, g: dict, p: dict) -> None:
    """Add frame ``f``'s scores ({pid: gt mask}, {pid: predicted mask}) to ``t``."""
    rows, bound_th, switch_share = t.rows, t.bound_th, t.switch_share
    if len(p) > 1:
        claims = np.zeros(next(iter(p.values())).shape, np.uint8)
        for m in p.values():
            claims += m.astype(np.uint8)
        n_shared = int(np.count_nonzero(claims > 1))
        t.shared_px += n_shared
        t.shared_frames += bool(n_shared)
    t.gt_rles[f] = {pid: _encode(m) for pid, m in g.items() if m.any() and pid in rows}
    t.pr_rles[f] = {pid: _encode(m) for pid, m in p.items() if m.any()}
    for pid, gm in g.items():
        if pid not in rows or (t.only_predicted and pid not in p):
            continue
        pm = p.get(pid, np.zeros_like(gm))
        r = rows[pid]
        r.J.append(jaccard(pm, gm))
        gm_rows = np.flatnonzero(gm.any(axis=1))
        if len(gm_rows):
            r.heights.append(int(gm_rows[-1] - gm_rows[0] + 1))
        r.F.append(f_boundary(pm, gm, bound_th))
        n = int(pm.sum())
        others = [m for q, m in g.items() if q != pid]
        if n and others:  # counted inside the prediction's box (full frames: 32 s of 86 at full HD)
            box = cast(tuple[slice, slice], bounding_slices(pm))  # n > 0: never None
            mine, theirs = pm[box], [m[box] for m in others]
            on_other = [int((mine & m).sum()) for m in theirs]
            r.pred_px += n
            r.leak_px += int((mine & np.logical_or.reduce(theirs)).sum())
            if max(on_other) > switch_share * n and max(on_other) > int((mine & gm[box]).sum()):
                r.switches += 1
        elif n:
            r.pred_px += n


def evaluate_scene(pred: MaskSets, gt: MaskSets, bound_th: float | None = DEFAULT_BOUND_TH,
                   switch_share: float = 0.5, only: set[int] | None = None, only_predicted: bool = False) -> dict:
    """Per person and scene scores (see the module doc).  Persons are the ground truth's; a predicted pid
    with no ground truth is counted in the tracking metrics (false positives) and listed as ``extra``.
    ``only``: score these persons (and their predictions) alone; every person's ground truth still counts
    for leakage and identity switches (a mask on a neighbour is a leak whether or not it is scored).
    ``only_predicted``: the frames that hold a prediction alone, and each person's J and F over the frames it
    has a predicted mask on (proposals or labels of the annotated frames: a walk's every other frame counted
    J 0)."""
    if only is not None:
        pred = {p: m for p, m in pred.items() if p in only}
    frames = sorted({f for s in ((pred,) if only_predicted else (pred, gt)) for m in s.values() for f in m})
    rows = {pid: _Tally() for pid in gt if only is None or pid in only}
    t = _SceneTally(rows, bound_th, switch_share, only_predicted=only_predicted)
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        for f in frames:  # a frame's masks decoded in threads (OpenCV lets go of the GIL): PNG decoding had been
            _score_frame(t, f, *_read_frame(pool, gt, pred, f, t))  # 35 s of 86 at full HD
    gt_rles, pr_rles, shape, shared_px, shared_frames = t.gt_rles, t.pr_rles, t.shape, t.shared_px, t.shared_frames
    persons: dict[str, dict[str, Any]] = {}
    for pid, r in sorted(rows.items()):
        j, fb = float(np.mean(r.J)) if r.J else 0.0, float(np.mean(r.F)) if r.F else 0.0
        persons[str(pid)] = {"J": round(j, 4), "F": round(fb, 4), "JF": round((j + fb) / 2, 4),
                             "leakage": round(r.leak_px / r.pred_px, 4) if r.pred_px else 0.0,
                             "frames": len(r.J), "identity_switches": r.switches, "predicted": pid in pred}
    gt_ids = sorted(rows)
    pr_ids = sorted(pred)
    track = tracking_metrics(_tracking_data(frames, gt_rles, pr_rles, gt_ids, pr_ids))
    js = [float(v["J"]) for v in persons.values()]
    fs = [float(v["F"]) for v in persons.values()]
    scene: dict[str, Any] = {"persons": len(persons), "J_mean": round(float(np.mean(js)), 4) if js else 0.0,
             "F_mean": round(float(np.mean(fs)), 4) if fs else 0.0,
             "identity_switches": int(sum(v["identity_switches"] for v in persons.values())),
             "extra_predicted": sorted(set(pr_ids) - set(gt_ids)), "frames": len(frames),
             "shared_pixels": shared_px, "shared_frames": shared_frames,
             **{k: round(v, 4) if isinstance(v, float) else v for k, v in track.items()}}
    scene["JF_mean"] = round((scene["J_mean"] + scene["F_mean"]) / 2, 4)
    heights = [h for r in rows.values() for h in r.heights]
    scene["median_height_px"] = int(np.median(heights)) if heights else 0
    # the boundary tolerance F counted in (None: scaled to each person, --bound-th person)
    scene["bound_px"] = bound_pixels(shape, bound_th) if bound_th is not None and shape is not None else None
    # the persons' means weigh a person seen on 1 frame as one seen on 200 (a walk): also over person-frames
    every = [j for r in rows.values() for j in r.J]
    scene["J_person_frames"] = round(float(np.mean(every)), 4) if every else 0.0
    return {"scene": scene, "per_person": persons}
