"""Which person to look at first: GT-free per-person signals of a whole-scene run against each person's J.

For every project given (a `humanseg run` project folder) with its scene's ground truth, per person of the
run Play uses: J (mean IoU of the results with `gt/<pid>/` on every frame that has both), the agreement of the
results with the labels (``workflows.agreement``), the mean proposal score, and the median frame-to-frame
change of the result's area; then, per scene, Spearman's rho of each signal with J and whether the person
lowest in agreement is among the three lowest in J.

    python bench/person_doubt.py --project P --gt SCENE/gt [--project P2 --gt G2 ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from humanseg_core.project import Project  # noqa: E402
from humanseg_core.workflows.agreement import agreement  # noqa: E402


def person_rows(project: Project, gt_root: Path) -> list[tuple[int, float, float, float, float]]:
    rows = []
    for pid, (run, _n) in sorted(project.result_frames().items()):
        results = project.results(pid, run)
        truth = {int(f.stem): f for f in (gt_root / str(pid)).glob("*.png")}
        js = []
        for f, m in results.items():
            if f in truth:
                g = cv2.imread(str(truth[f]), cv2.IMREAD_GRAYSCALE) > 127
                union = (m | g).sum()
                js.append((m & g).sum() / union if union else 1.0)
        agreed = agreement(project, pid, run)
        if not js or agreed is None:
            continue
        areas = np.array([m.sum() for _f, m in sorted(results.items())], float)
        jitter = float(np.median(np.abs(np.diff(np.log(areas + 1))))) if len(areas) > 2 else 0.0
        scores = [p.score for p in project.proposals(pid, with_masks=False)]
        rows.append((pid, float(np.mean(js)), agreed.mean, float(np.mean(scores)) if scores else np.nan, jitter))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", action="append", required=True)
    ap.add_argument("--gt", action="append", required=True)
    args = ap.parse_args(argv)
    if len(args.project) != len(args.gt):
        ap.error("give one --gt per --project")
    print("| scene | persons | mean J | rho(J, agreement) | rho(J, mean score) | rho(J, −area jitter) | "
          "lowest agreement among 3 lowest J |")
    print("|---|---|---|---|---|---|---|")
    for folder, gt in zip(args.project, args.gt):
        project = Project.open(folder)
        try:
            rows = person_rows(project, Path(gt))
        finally:
            project.close()
        a = np.array([r[1:] for r in rows], float)
        a = a[~np.isnan(a).any(axis=1)]
        if len(a) < 4:
            print(f"| {Path(gt).parent.name} | {len(a)} | too few persons | | | | |")
            continue
        worst3 = set(np.argsort(a[:, 0])[:3].tolist())
        rho = [spearmanr(a[:, 0], col).statistic for col in (a[:, 1], a[:, 2], -a[:, 3])]
        among = "yes" if int(np.argmin(a[:, 1])) in worst3 else "no"
        print(f"| {Path(gt).parent.name} | {len(a)} | {a[:, 0].mean():.3f} | "
              + " | ".join(f"{r:+.2f}" for r in rho) + f" | {among} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
