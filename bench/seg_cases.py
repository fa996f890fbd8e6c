"""Cases of the segmentation benchmark (bench/segment.py): persons of the shared scenes and DAVIS sequences.

A case is one person: how to read frames, the track point per frame, the other persons' points, the label
sets it can be trained on (``proposals``: the project's default proposals of the annotated frames, no
review; ``exact``: the GT masks of the same frames, the upper bound a careful review reaches), the frames to
score and the GT there. Scenes: the persons at the 25th and 75th percentile of mean occlusion among those
with enough GT frames (``n_persons`` of them, spread evenly over that range). DAVIS: one person, a few GT
frames as labels, the track point = the GT box centre every 10th frame, interpolated (like an ETH/UCY
annotation); no other persons, no proposals (no trajectories or homography for DAVIS).

Proposal labels are cached under ``$TMPDIR/humanseg-bench-labels`` (never in the repo) so that runs made at
different times train on the very same labels; the key names the parent file and the proposal code, so a
change to either makes new labels.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCENES = ("zara01", "zara01_feet", "eth_dense")
DAVIS_SEQS = ("breakdance", "dance-twirl")
CACHE = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "humanseg-bench-labels"
MAX_EVAL = 30  # scored frames per case (evenly spaced over the held-out GT frames)


@dataclass
class Case:
    name: str  # "zara01 pid 58" / "davis breakdance"
    scene: str
    pid: int | None
    occluded: float | None
    reader: Callable[[int], np.ndarray]
    track: Callable[[int], tuple[float, float] | None]
    others_px: Callable[[int], list] | None
    others_gt: Callable[[int], np.ndarray] | None  # frame -> other persons' GT pixels (leakage)
    labels: dict[str, dict[int, np.ndarray]]  # source -> {frame: mask}
    label_j: dict[str, float]
    eval_frames: list[int]
    gt: dict[int, np.ndarray]
    notes: list[str] = field(default_factory=list)
    rank: int = 0  # position among the scene's persons (the longer budgets run for the first ones only)


def _read_gt(folder: Path) -> dict[int, np.ndarray]:
    return {int(p.stem): cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 127 for p in sorted(folder.glob("*.png"))}


def _iou(a, b) -> float:
    u = np.logical_or(a, b).sum()
    return 1.0 if u == 0 else float(np.logical_and(a, b).sum() / u)


def pick_persons(scene_dir: Path, n: int, min_frames: int = 60) -> list[tuple[int, float]]:
    """(pid, mean occluded share) of ``n`` persons spread from the 25th to the 75th occlusion percentile."""
    occ: dict[int, list[float]] = {}
    with open(scene_dir / "visibility.csv") as fh:
        for row in csv.DictReader(fh):
            full = float(row["full_area"])
            if full > 0:
                occ.setdefault(int(row["pid"]), []).append(1 - float(row["visible_area"]) / full)
    cands = sorted((float(np.mean(v)), pid) for pid, v in occ.items() if len(v) >= min_frames)
    if not cands:
        return []
    qs = np.linspace(0.25, 0.75, n) if n > 1 else np.array([0.5])
    idx = sorted({round(float(q) * (len(cands) - 1)) for q in qs})
    return [(cands[i][1], cands[i][0]) for i in idx]


def _others_gt(scene_dir: Path):
    names = json.loads((scene_dir / "gt_index" / "pids.json").read_text())
    label_of = {int(v): int(k) for k, v in names.items() if v != "background"}

    def others(frame: int, pid: int) -> np.ndarray:
        from PIL import Image  # palette PNG: OpenCV would expand it to colours

        lab = np.array(Image.open(scene_dir / "gt_index" / f"{frame:05d}.png"))
        return (lab > 0) & (lab != label_of[pid])
    return others


def default_method() -> str:
    import inspect

    from humanseg_core.proposals.generate import generate_proposals

    return str(inspect.signature(generate_proposals).parameters["method"].default)


def _parent_tag() -> str:
    """The shipped parent file's sha256 prefix: proposals made with another parent are other labels."""
    from humanseg_core.prior.paths import DEFAULT_PARENT
    from humanseg_core.weights import sha256_of

    if not DEFAULT_PARENT.is_file():
        return "noparent"
    return sha256_of(DEFAULT_PARENT)[:12]


def _code_tag() -> str:
    """A digest of the code that makes proposals (the proposals and inputs packages): labels cached by other
    code are other labels (the head-point fix of ADR 0012 changed zara01's without changing the parent)."""
    import hashlib

    from humanseg_core import inputs, proposals

    digest = hashlib.sha256()
    for package in (proposals, inputs):
        for path in sorted(Path(package.__file__).parent.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def _proposal_labels(scene, scene_name: str, pids: list[int], method: str | None = None
                     ) -> tuple[dict[int, dict[int, np.ndarray]], str]:
    """{pid: {frame: mask}} of the proposals of ``method`` (default: the project's default; cached), and
    the method's name."""
    from humanseg_core.proposals.generate import generate_proposals

    method = method or default_method()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{scene_name}_{method}_{_parent_tag()}_{_code_tag()}_{'-'.join(map(str, pids))}.npz"
    if path.is_file():
        z = np.load(path)
        out: dict[int, dict[int, np.ndarray]] = {p: {} for p in pids}
        for key in z.files:
            if key.startswith("m_"):
                _, pid, f = key.split("_")
                out[int(pid)][int(f)] = z[key]
        return out, str(z["method"])
    from humanseg_core.jobs import run_job

    t0 = time.perf_counter()
    proposals, _ = run_job(generate_proposals(scene, pids, method=method))
    out = {p: {} for p in pids}
    for p in proposals:
        out[p.pid][p.frame] = np.asarray(p.mask, bool)
    method = proposals[0].source if proposals else "none"
    arrays = {f"m_{pid}_{f}": m for pid, d in out.items() for f, m in d.items()}
    np.savez_compressed(path, method=np.array(f"{method} ({time.perf_counter() - t0:.0f} s)"), **arrays)
    return out, f"{method} ({time.perf_counter() - t0:.0f} s)"


def scene_cases(scene_name: str, n_persons: int = 2, method: str | None = None) -> tuple[list[Case], str]:
    from humanseg_core.inputs.scene import load_scene

    d = DATA / "scenes" / scene_name
    scene = load_scene(d / "frames", d / "trajectories.txt", d / "H.txt")
    persons = pick_persons(d, n_persons)
    pids = [p for p, _ in persons]
    labels, method = _proposal_labels(scene, scene_name, pids, method)
    others = _others_gt(d)
    cases = []
    for rank, (pid, occ) in enumerate(persons):
        gt = _read_gt(d / "gt" / str(pid))
        props = labels.get(pid, {})
        exact = {f: gt[f] for f in props if f in gt and gt[f].any()}  # frames where the person is visible
        track = scene.trajectories.tracks[pid]  # scored inside the annotated rows, as before ADR 0012's spans
        held = [f for f in sorted(gt) if f not in props and track.first <= f <= track.last
                and scene.position_px(pid, f) is not None]
        keep = np.unique(np.linspace(0, len(held) - 1, min(MAX_EVAL, len(held))).round().astype(int))
        cases.append(Case(
            name=f"{scene_name} pid {pid}", scene=scene_name, pid=pid, occluded=occ,
            reader=scene.frames.read, track=lambda f, pid=pid: scene.position_px(pid, f),
            others_px=lambda f, pid=pid: [uv for q, uv in scene.persons_at(f).items() if int(q) != pid],
            others_gt=lambda f, pid=pid: others(f, pid),
            labels={"proposals": props, "exact": exact},
            label_j={"proposals": float(np.mean([_iou(m, gt.get(f, np.zeros_like(m))) for f, m in props.items()]))
                     if props else 0.0,
                     "exact": 1.0},
            eval_frames=[held[i] for i in keep] if held else [], gt=gt, rank=rank))
    return cases, method


def davis_case(seq: str, n_labels: int = 5) -> Case | None:
    root = DATA / "davis"
    jpgs = sorted((root / "JPEGImages" / "480p" / seq).glob("*.jpg"))
    if not jpgs:
        return None
    frames = {int(p.stem): p for p in jpgs}
    gt = _read_gt(root / "Annotations" / "480p" / seq)
    idx = [f for f in sorted(gt) if gt[f].any()]
    keys, pts = [], []
    for f in idx[::10] + ([idx[-1]] if (len(idx) - 1) % 10 else []):
        ys, xs = np.nonzero(gt[f])
        keys.append(f)
        pts.append(((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2))
    arr = np.array(pts)

    def track(f, keys=keys, arr=arr):
        if f < keys[0] or f > keys[-1]:
            return None
        return float(np.interp(f, keys, arr[:, 0])), float(np.interp(f, keys, arr[:, 1]))

    acc = [idx[i] for i in np.linspace(0, len(idx) - 1, n_labels).round().astype(int)]
    held = [f for f in idx if f not in acc]
    keep = np.unique(np.linspace(0, len(held) - 1, min(MAX_EVAL, len(held))).round().astype(int))
    return Case(name=f"davis {seq}", scene=f"DAVIS {seq}", pid=None, occluded=None,
                reader=lambda f: cv2.imread(str(frames[f])), track=track, others_px=None, others_gt=None,
                labels={"exact": {f: gt[f] for f in acc}}, label_j={"exact": 1.0},
                eval_frames=[held[i] for i in keep], gt=gt)
