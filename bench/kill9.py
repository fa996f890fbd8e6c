"""Bench (issue 10): kill -9 during decide, export and train; 0 decisions lost, no debris after the next open.

On a project made from the demo scene (accepted ground-truth masks for person 1, pending proposals for
persons 2-4), each round starts a child process and kills it (SIGKILL) at a random moment:

* decide: the child records random decisions one by one, printing "try" before and "ack" after each call;
  after the kill every acknowledged decision must be in the database (or a later one it was trying).
* export: ``humanseg export --format palette --force`` to the same target; after the kill the next export
  must leave no ``.<target>.tmp-/new-/old-*`` folder, a complete target, and the project untouched.
* train: ``humanseg train`` (a few steps); after the kill the next ``Project.open`` must leave no ``*.tmp``
  in ``checkpoints/`` and record every checkpoint file (adopted with a note if the run was not recorded).

    nice .venv/bin/python bench/kill9.py [--rounds 50] [--train-rounds 50]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from humanseg_core.demo import demo_dir
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

DECIDER = """
import random, sys
from humanseg_core.project import Project
p = Project.open(sys.argv[1])
ids = [q.id for q in p.proposals(with_masks=False) if q.pid != 1]
rng = random.Random(int(sys.argv[2]))
print("ready", flush=True)
while True:
    i, s = rng.choice(ids), rng.choice(["accepted", "rejected", "pending"])
    print("try", i, s, flush=True)
    p.set_status(i, s)
    print("ack", i, s, flush=True)
"""


def make_project(folder: Path) -> Project:
    demo = demo_dir()
    inputs = ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                           homography=str(demo / "H.txt"))
    project = Project.create(folder, inputs)
    props = []
    for pid in (1, 2, 3, 4):
        for png in sorted((demo / "gt" / str(pid)).glob("*.png"))[:40]:
            mask = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE) > 0
            ys, xs = np.nonzero(mask)
            if len(xs) == 0:
                continue
            props.append(Proposal(frame=int(png.stem), pid=pid, box=(xs.min(), ys.min(), xs.max(), ys.max()),
                                  mask=mask, source="gt", status="accepted" if pid == 1 else "pending"))
    project.add_proposals(props)
    return project


def statuses(folder: Path) -> dict[int, str]:
    with Project.open(folder) as p:
        return {q.id: q.status for q in p.proposals(with_masks=False)}


def kill_after(cmd: list[str], delay: float, env=None) -> tuple[str, bool]:
    """Start ``cmd``, SIGKILL it after ``delay`` s; (its stdout, whether it was still running)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
        try:
            proc.wait(timeout=delay)
            alive = False
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            alive = True
        out.seek(0)
        return out.read().decode(errors="replace"), alive


def kill_after_line(cmd: list[str], marker: str, delay: float, env=None) -> bool:
    """Start ``cmd``, SIGKILL it ``delay`` s after ``marker`` appears on its stderr; whether it was running."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True)
    for line in proc.stderr:
        if marker in line:
            break
    time.sleep(delay)
    alive = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    return alive


def kill_on_file(cmd: list[str], folder: Path, pattern: str, env=None, limit: float = 120.0) -> bool:
    """Start ``cmd``, SIGKILL it as soon as a new file matching ``pattern`` appears in ``folder``."""
    before = set(folder.glob(pattern))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    t0 = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - t0 < limit:
        if set(folder.glob(pattern)) - before:
            break
        time.sleep(0.0005)
    alive = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return alive


def decide_rounds(folder: Path, rounds: int, rng: random.Random) -> Counter:
    c: Counter = Counter()
    for r in range(rounds):
        text, alive = kill_after([sys.executable, "-c", DECIDER, str(folder), str(r)], rng.uniform(0.8, 2.5))
        acked: dict[int, str] = {}
        trying: dict[int, set] = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("try", "ack"):
                i, s = int(parts[1]), parts[2]
                if parts[0] == "try":
                    trying.setdefault(i, set()).add(s)
                else:
                    acked[i] = s
                    trying[i] = set()
        db = statuses(folder)
        lost = [i for i, s in acked.items() if db[i] != s and db[i] not in trying.get(i, set())]
        c["kills"] += alive
        c["decisions acknowledged"] += sum(1 for line in text.splitlines() if line.startswith("ack"))
        c["decisions lost"] += len(lost)
    return c


def _tree(folder: Path) -> list:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*")
                  if p.is_file() and not p.name.endswith(("-wal", "-shm")))


def debris(out: Path) -> list[Path]:
    return [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def export_rounds(folder: Path, rounds: int, rng: random.Random) -> Counter:
    from humanseg_core.export import export_job
    from humanseg_core.jobs import run_job

    c: Counter = Counter()
    out = folder.parent / "export_out"
    cmd = [sys.executable, "-m", "humanseg_core", "export", "--project", str(folder), "--format", "palette",
           "--pids", "1", "--out", str(out), "--force"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    full = time.perf_counter() - t0
    reference = _tree(out)
    before = statuses(folder)
    for _ in range(rounds):
        _, alive = kill_after(cmd, rng.uniform(0.3 * full, 1.05 * full))
        c["kills"] += alive
        c["debris left by the kill"] += len(debris(out))
        with Project.open(folder) as p:  # the next open, then the next export of the same target
            run_job(export_job(p, [1], "palette", out, force=True))
        c["debris after the next export"] += len(debris(out))
        c["incomplete exports after the next export"] += _tree(out) != reference
        c["decisions changed"] += statuses(folder) != before
    c["seconds per export"] = round(full, 1)
    return c


def train_rounds(folder: Path, rounds: int, rng: random.Random) -> Counter:
    c: Counter = Counter()
    cmd = [sys.executable, "-m", "humanseg_core", "train", "--project", str(folder), "--pid", "1", "--steps", "3",
           "--offline", "--no-label-refine"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
    full = time.perf_counter() - t0
    ckpts = folder / "checkpoints"
    for r in range(rounds):
        if r % 4 == 0:  # at a random moment
            _, alive = kill_after(cmd, rng.uniform(0.3 * full, 1.1 * full), env)
        elif r % 4 == 1:  # soon after the last step
            alive = kill_after_line(cmd, "[3/3]", rng.uniform(0.0, 1.5), env)
        elif r % 4 == 2:  # while the checkpoint is being written
            alive = kill_on_file(cmd, ckpts, "*.tmp", env)
        else:  # once it is in place, before (or while) the run is recorded
            alive = kill_on_file(cmd, ckpts, "*.pt", env)
        c["kills"] += alive
        c["tmp files left by the kill"] += len(list(ckpts.glob("*.tmp")))
        with Project.open(folder) as p:
            known = {r["checkpoint"] for r in p.runs()}
            c["checkpoints adopted on open"] += sum("adopted on open" in w for w in p.warnings)
            c["partial checkpoints removed on open"] += sum("removed a partial checkpoint" in w for w in p.warnings)
        c["tmp files after the next open"] += len(list(ckpts.glob("*.tmp")))
        c["checkpoints unknown after the next open"] += sum(str(f.resolve()) not in known for f in ckpts.glob("*.pt"))
    c["seconds per train"] = round(full, 1)
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=50, help="kills during decide and during export")
    ap.add_argument("--train-rounds", type=int, default=50)
    ap.add_argument("--stages", default="decide,export,train", help="comma list of decide, export, train")
    args = ap.parse_args()
    stages = args.stages.split(",")
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        make_project(folder).close()
        t0 = time.perf_counter()
        results = {"decide": decide_rounds(folder, args.rounds, rng) if "decide" in stages else Counter(),
                   "export": export_rounds(folder, args.rounds, rng) if "export" in stages else Counter(),
                   "train": train_rounds(folder, args.train_rounds, rng) if "train" in stages else Counter()}
        seconds = time.perf_counter() - t0
    print(f"kill -9 loop: {args.rounds} rounds of decide and export, {args.train_rounds} of train, {seconds:.0f} s")
    for stage, c in results.items():
        if stage not in stages:
            continue
        print(f"{stage}: " + ", ".join(f"{k} {v}" for k, v in c.items()))
    bad = (results["decide"]["decisions lost"] + results["export"]["debris after the next export"]
           + results["export"]["incomplete exports after the next export"] + results["export"]["decisions changed"]
           + results["train"]["tmp files after the next open"]
           + results["train"]["checkpoints unknown after the next open"])
    print(f"target: 0 decisions lost, no debris after the next open -> {'PASS' if bad == 0 else 'FAIL'}")


if __name__ == "__main__":
    main()
