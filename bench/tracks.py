"""Bench: ``humanseg tracks --json`` on a large scene (issue 10: 1,000 persons x 10,000 frames).

Writes a scene of N persons annotated every 10 frames over F frames (a folder of F tiny JPEGs, a
4-column trajectory file), then runs in child processes, output to /dev/null: the streamed ``--json``,
``--summary``, the table, and (``--baseline``) the package as it was at a revision (``git archive``, e.g.
867c594, before issue 10: a whole JSON document, a dict-of-tuples loader). Prints wall time and peak RSS.

    nice .venv/bin/python bench/tracks.py [--persons 1000] [--frames 10000] [--baseline 867c594]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]

def make_scene(folder: Path, persons: int, frames: int) -> tuple[Path, Path]:
    video = folder / "frames"
    video.mkdir()
    ok, buf = cv2.imencode(".jpg", np.full((48, 64, 3), 90, np.uint8))
    data = buf.tobytes()
    for f in range(frames):
        (video / f"{f:05d}.jpg").write_bytes(data)
    rng = np.random.default_rng(0)
    annotated = np.arange(0, frames, 10)
    traj = folder / "trajectories.txt"
    with open(traj, "w") as fh:
        for f in annotated:
            xy = rng.uniform(0, 10, size=(persons, 2))
            fh.write("".join(f"{f}\t{pid}\t{x:.3f}\t{y:.3f}\n" for pid, (x, y) in enumerate(xy, start=1)))
    return video, traj


def measure(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """(seconds, peak RSS MB of the child, bytes written)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.tell()
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd[:4])} failed: {err.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1000)
    ap.add_argument("--frames", type=int, default=10000)
    ap.add_argument("--baseline", default=None, help="git revision of the pre-streaming command, e.g. 867c594")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video, traj = make_scene(Path(tmp), args.persons, args.frames)
        inputs = ["--video", str(video), "--trajectories", str(traj)]
        py = sys.executable
        runs = [("table", [py, "-m", "humanseg_core", "tracks", *inputs], ROOT),
                ("--json --summary", [py, "-m", "humanseg_core", "tracks", *inputs, "--json", "--summary"], ROOT),
                ("--json (streamed)", [py, "-m", "humanseg_core", "tracks", *inputs, "--json"], ROOT)]
        if args.baseline:  # the whole package as it was at that revision, run from its own folder
            old = Path(tmp) / "baseline"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "humanseg_core"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            runs.append((f"--json (before, {args.baseline})", [py, "-m", "humanseg_core", "tracks", *inputs, "--json"],
                         old))
        rows = []
        for name, cmd, cwd in runs:
            seconds, peak, size = measure(cmd, cwd)
            rows.append((name, seconds, peak, size))
    print(f"tracks on {args.persons} persons x {args.frames} frames ({args.persons * len(range(0, args.frames, 10))}"
          f" annotated points)")
    print(f"{'mode':<28} {'seconds':>8} {'peak RSS MB':>12} {'output MB':>10}")
    for name, seconds, peak, size in rows:
        print(f"{name:<28} {seconds:>8.1f} {peak:>12.0f} {size / 2**20:>10.1f}")


if __name__ == "__main__":
    main()
