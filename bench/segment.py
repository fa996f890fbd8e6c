"""Segmentation on every scene: per-person fine-tuning from the parent network vs from scratch (issue 8).

Cases (``bench/seg_cases.py``): 2 persons per shared composite scene (zara01, zara01_feet, eth_dense; exact
per-person GT), picked at the 25th and 75th percentile of occlusion, and DAVIS 2016 breakdance and
dance-twirl as real video (5 GT frames as labels, the track point from the GT box). Label sources: the
project's default proposals of the annotated frames without review, and the exact GT masks of the same
frames (the upper bound a careful review reaches; DAVIS has only these). Rows: ``osvos-lite`` from scratch
(the previous default) and ``osvos-parent`` fine-tuned from the shipped parent, each for each budget
(default 15 s and 120 s), plus the parent zero-shot (no fine-tuning). Each run then segments the held-out
frames (up to 30 per case, evenly spaced): J (IoU), F (DAVIS boundary), leakage (share of predicted pixels
on other persons' GT), training steps, CPU ms per frame (read + crop + net + paste; batched for osvos-parent).

    PYTHONPATH=. .venv/bin/python bench/segment.py [--budgets 15,120] [--persons 2] [--cases zara01,davis]
        [--rows scratch,parent,zero] [--results FILE.jsonl] [--resume] [--write]

Every finished row is appended to ``--results`` (JSON lines), so a run can be resumed (``--resume`` skips
rows already there) and the tables are made from the file. ``--write`` replaces the segment section of
BENCHMARKS.md. Data credits: UCY Crowds-by-Example (Lerner, Chrysanthou, Lischinski), ETH BIWI (Pellegrini,
Ess et al.), DAVIS 2016 (Perazzi et al., CC BY-NC 4.0).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seg_cases import DAVIS_SEQS, SCENES, Case, davis_case, scene_cases

from humanseg_core.jobs import run_job
from humanseg_core.metrics import f_boundary, jaccard, leakage
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.guidance import fit_geometry
from humanseg_core.osvos.nets_parent import PARENT_FILE, init_osvos_parent
from humanseg_core.osvos.segment import Segmenter, segment_job
from humanseg_core.osvos.train import train_job

TARGETS = {"J_proposals": 0.85, "leak": 0.03, "J_exact": 0.90}
ROWS = {"scratch": ("osvos-lite from scratch", "osvos-lite", True),
        "parent": ("osvos-parent from the parent", "osvos-parent", False)}
MARK_A, MARK_B = "<!-- bench/segment.py:start -->", "<!-- bench/segment.py:end -->"


def score(out, case: Case) -> dict:
    js, fs, ls = [], [], []
    for f in case.eval_frames:
        gt = case.gt[f]
        pred = out.get(f)
        pred = np.zeros_like(gt) if pred is None else pred
        js.append(jaccard(pred, gt))
        fs.append(f_boundary(pred, gt))
        if case.others_gt is not None:
            ls.append(leakage(pred, [case.others_gt(f)]))
    r = {"J": float(np.mean(js)), "F": float(np.mean(fs)), "n": len(js)}
    r["leak"] = float(np.mean(ls)) if ls else None
    return r


class _CpuClock:
    """Stands in for the ``time`` module inside osvos.train: ``monotonic`` is this process's CPU time, so a
    budget is compute received (one thread), whatever else runs on the machine."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def monotonic() -> float:
        return time.process_time()


@contextlib.contextmanager
def cpu_budget():
    import humanseg_core.osvos.train as train_mod

    saved = train_mod.time
    train_mod.time = _CpuClock()  # type: ignore[assignment]
    try:
        yield
    finally:
        train_mod.time = saved


def run_row(case: Case, source: str, row: str, budget: float, parent: Path | None, opts: dict | None = None,
            steps: int | None = None) -> dict:
    labels = case.labels[source]
    refine = source == "proposals"  # GrabCut cleans unreviewed proposals; exact labels are trained as drawn
    t0 = time.perf_counter()
    if row == "zero":  # the parent as shipped: no fine-tuning, geometry from the labels, threshold 0.5
        init = init_osvos_parent(parent)
        meta = {"model": "osvos-parent", "guidance": True, "in_channels": 5, "norm": "frozen_bn",
                "geometry": fit_geometry(labels, case.track).to_dict(), "parent_config": init.net.config,
                "threshold": 0.5}
        model = Segmenter(init.net.state_dict(), meta)
        steps, train_s, backbone = 0, 0.0, init.backbone
    else:
        _, name, scratch = ROWS[row]
        config = TrainConfig(model=name, seconds=None if steps else budget, steps=steps, allow_download=False,
                             refine_labels=refine, from_scratch=scratch,
                             parent=parent if name == "osvos-parent" else None, **(opts or {}))
        with cpu_budget():
            res = run_job(train_job(case.reader, case.track, labels, config, pid=case.pid,
                                    others_px=case.others_px))
        model, steps, train_s, backbone = res, res.steps, res.seconds, res.meta.get("backbone")
    c0 = time.process_time()
    out = run_job(segment_job(model, case.reader, case.track, case.eval_frames, others_px=case.others_px))
    cpu_ms = 1000 * (time.process_time() - c0) / max(1, len(case.eval_frames))
    r = score(out, case)
    r.update(case=case.name, scene=case.scene, pid=case.pid, occluded=case.occluded, source=source, row=row,
             budget=budget if row != "zero" else 0, steps=steps, train_s=round(train_s, 1), backbone=backbone,
             ms=cpu_ms, wall_ms=1000 * out.seconds / max(1, len(case.eval_frames)), label_j=case.label_j[source],
             n_labels=len(labels), load=os.getloadavg()[0], wall_s=round(time.perf_counter() - t0, 1),
             opts=opts or {})
    return r


def _claim(folder: str | None, *key) -> bool:
    """With ``--claims``: parallel runs share out the rows (the first to create a row's claim file runs it)."""
    if not folder:
        return True
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = "_".join(str(k) for k in key).replace(" ", "-").replace("/", "-")
    try:
        (Path(folder) / f"{name}.claim").open("x").close()
    except FileExistsError:
        return False
    return True


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _key(r: dict) -> tuple:
    return (r["case"], r["source"], r["row"], float(r["budget"]))


def _fmt(x, pat="{:.3f}") -> str:
    return "" if x is None else pat.format(x)


def tables(results: list[dict], budgets: list[float]) -> list[str]:
    by = {_key(r): r for r in results}
    cases = list(dict.fromkeys(r["case"] for r in results))
    lines = ["| case | occluded | labels (label J) | row | budget s | J | F | leakage | steps | ms/frame |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in cases:
        for source in ("proposals", "exact"):
            rs = [r for r in results if r["case"] == c and r["source"] == source]
            for r in sorted(rs, key=lambda r: (list(ROWS).index(r["row"]) if r["row"] in ROWS else -1,
                                               r["budget"])):
                name = ROWS[r["row"]][0] if r["row"] in ROWS else "parent zero-shot"
                lines.append(f"| {c} | {_fmt(r['occluded'], '{:.0%}')} | {source} {r['n_labels']} "
                             f"(J {r['label_j']:.2f}) | {name} | {r['budget']:.0f} | {r['J']:.3f} | {r['F']:.3f} | "
                             f"{_fmt(r['leak'], '{:.1%}')} | {r['steps']} | {r['ms']:.1f} |")
    lo, hi = min(budgets), max(budgets)
    head = (f"Summary per scene (mean over its persons); the target ratio: osvos-parent after {lo:.0f} s "
            f"against osvos-lite from scratch after {hi:.0f} s.")
    cols = (f"| scene | labels | scratch {lo:.0f} s | scratch {hi:.0f} s | parent zero-shot | parent {lo:.0f} s | "
            f"parent {hi:.0f} s | parent {lo:.0f} s / scratch {hi:.0f} s | leakage parent {hi:.0f} s |")
    summary = ["", head, "", cols, "|---|---|---|---|---|---|---|---|---|"]
    scenes = list(dict.fromkeys(r["scene"] for r in results))
    for sc in scenes:
        for source in ("proposals", "exact"):
            def mean_j(row, b, key="J", sc=sc, source=source):
                v = [by[k][key] for k in by if by[k]["scene"] == sc and k[1] == source and k[2] == row
                     and k[3] == b and by[k][key] is not None]
                return float(np.mean(v)) if v else None
            vals = [mean_j("scratch", lo), mean_j("scratch", hi), mean_j("zero", 0.0), mean_j("parent", lo),
                    mean_j("parent", hi)]
            if all(v is None for v in vals):
                continue
            ratio = f"{vals[3] / vals[1]:.2f}" if vals[3] is not None and vals[1] else ""
            summary.append(f"| {sc} | {source} | " + " | ".join(_fmt(v) for v in vals)
                           + f" | {ratio} | {_fmt(mean_j('parent', hi, 'leak'), '{:.1%}')} |")
    return lines + summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default="15,120", help="fine-tuning budgets in seconds, comma separated")
    ap.add_argument("--persons", type=int, default=2, help="persons per shared scene")
    ap.add_argument("--full-persons", type=int, default=1,
                    help="persons per scene that also run the longer budgets (the others run the first budget)")
    ap.add_argument("--cases", default=",".join(SCENES) + ",davis", help="scenes (and 'davis') to run")
    ap.add_argument("--rows", default="zero,parent,scratch", help="rows to run: zero, parent, scratch")
    ap.add_argument("--sources", default="proposals,exact", help="label sources to run")
    ap.add_argument("--parent", default=None, help=f"parent file (default {PARENT_FILE})")
    ap.add_argument("--results", default=str(Path(tempfile.gettempdir()) / "humanseg-bench-segment.jsonl"))
    ap.add_argument("--resume", action="store_true", help="skip rows already in --results")
    ap.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    ap.add_argument("--proposals", default=None,
                    help="proposal method of the 'proposals' labels (default: generate_proposals' default)")
    ap.add_argument("--train-opts", default="",
                    help='TrainConfig fields for the fine-tuning rows, e.g. "disagree_conf=0.8,frame_weighting=true"')
    ap.add_argument("--steps", type=int, default=None,
                    help="a steps budget instead of CPU seconds (the budget column then only names the row)")
    ap.add_argument("--claims", default=None, help="folder of row claims shared by parallel runs")
    ap.add_argument("--merge", default=None, help="comma-separated results files: only make the tables from them")
    args = ap.parse_args(argv)
    budgets = [float(b) for b in args.budgets.split(",")]
    opts = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.train_opts.split(",") if kv)}
    wanted = args.cases.split(",")
    torch.set_num_threads(1)  # budgets and ms are CPU time of one thread: robust to the shared machine's load
    cv2.setNumThreads(1)
    res_path = Path(args.results)
    results = _load(res_path) if args.resume and res_path.is_file() else []
    if args.merge:  # only make the tables, from the rows of several (partial, parallel) runs
        merged = {_key(r): r for f in args.merge.split(",") for r in _load(Path(f))}
        results = list(merged.values())
        wanted = sorted({r["scene"] for r in results if r["scene"] in SCENES})
    elif not args.resume:
        res_path.write_text("")
    done = {_key(r) for r in results}
    parent = Path(args.parent) if args.parent else None
    t0 = time.perf_counter()
    notes = []
    cases: list[Case] = []
    for sc in SCENES:
        if sc in wanted and (Path(__file__).resolve().parents[2] / "shared" / "data" / "scenes" / sc).is_dir():
            cs, method = scene_cases(sc, args.persons, args.proposals)
            cases += cs
            notes.append(f"{sc}: proposals = {method}")
    if "davis" in wanted and not args.merge:
        cases += [c for c in (davis_case(s) for s in DAVIS_SEQS) if c is not None]
    if not cases and not args.merge:
        print("skipped: no shared data")
        return 0
    todo = []  # budget-major: every short row first, so a run cut short still has them all
    for case in cases if not args.merge else []:
        for source in args.sources.split(","):
            if source not in case.labels or not case.labels[source]:
                continue
            full = case.pid is None or case.rank < args.full_persons  # the longer budgets: first persons only
            for row in args.rows.split(","):
                for b in ([0.0] if row == "zero" else budgets if full else budgets[:1]):
                    todo.append((b, case, source, row))
    for b, case, source, row in sorted(todo, key=lambda t: t[0]):
        if (case.name, source, row, b) in done or not _claim(args.claims, case.name, source, row, b):
            continue
        r = run_row(case, source, row, b, parent, opts, args.steps)
        print(json.dumps(r), flush=True)
        results.append(r)
        with res_path.open("a") as fh:
            fh.write(json.dumps(r) + "\n")
    total = time.perf_counter() - t0
    parent_path = parent or PARENT_FILE
    pmeta = {}
    if parent_path.is_file():
        from humanseg_core.prior.parent_file import read_parent_file

        pmeta = read_parent_file(parent_path)[1]
    machine = (
        f"Machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, one thread "
        f"(torch.set_num_threads(1)). Budgets and ms/frame are **CPU seconds of that thread** (the training loop's "
        f"clock is the process CPU time), not wall-clock: other engineers' jobs shared the 2 cores (load average "
        f"at the end {os.getloadavg()[0]:.1f}), and CPU time is the compute the run really got. The rows took "
        f"{sum(r.get('wall_s', 0) for r in results) / 60:.0f} min of wall-clock in all ({total / 60:.0f} min "
        f"in this invocation). Parent: {parent_path.name} (steps {pmeta.get('steps')}, trained on DAVIS "
        f"sequences {pmeta.get('sequences')}).")
    text = "\n".join([
        "## Segmentation on every scene (bench/segment.py)", "", machine, "",
        "Labels: " + "; ".join(notes) + ". Exact = the GT masks of the same frames (no GrabCut). "
        "Proposal labels are cleaned by GrabCut before training (the default), exact labels are not.", "",
        *tables(results, budgets), ""])
    print("\n" + text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        old = path.read_text() if path.exists() else "# Benchmarks\n"
        block = f"{MARK_A}\n{text}{MARK_B}\n"
        if MARK_A in old and MARK_B in old:
            new = old[: old.index(MARK_A)] + block + old[old.index(MARK_B) + len(MARK_B) + 1:]
        else:
            new = old.rstrip("\n") + "\n\n" + block
        path.write_text(new)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
