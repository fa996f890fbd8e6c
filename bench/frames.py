"""Frame fetch + overlay render latency, and memory while scrubbing, at 720x576.

Generates synthetic 720x576 videos (100 and 10,000 frames, mp4v by default, MJPG with --codec) and a trajectory
file of moving persons with a homography into a temporary folder, opens them as a core Scene and, off
screen, for every sampled frame: reads it through the FrameSource (LRU cache), puts it in the studio's
FrameView with the TrackOverlay and renders the QGraphicsScene into a QImage. Prints p50/p95 of that
time per access pattern (and its two parts), and the peak RSS growth (psutil) over the run, each video
measured in a fresh process, with the target lines: p95 <= 33 ms (one frame at 30 fps) and RSS growth
<= 200 MB. The studio itself never waits for a fetch on the GUI thread (app/frame_loader.py); these
figures are how late a frame can appear.

    python bench/frames.py [--codec mp4v|MJPG] [--samples 300] [--long 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np
import psutil

W, H, FPS = 720, 576, 25.0
N_PERSONS = 20  # persons on screen at any frame (the long video has many more in all)
TRACK_LEN = (100, 400)  # frames per person
SCALE = 0.025  # metres per pixel of the generated homography


def make_video(path: Path, n_frames: int, codec: str) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), FPS, (W, H))
    if not writer.isOpened():
        raise SystemExit(f"OpenCV cannot write {codec} video to {path}")
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.dstack([(xx * 255 // W), (yy * 255 // H), np.full_like(xx, 90)]).astype(np.uint8)
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 40, (H, W, 1), dtype=np.uint8)
    base = cv2.add(base, np.repeat(texture, 3, axis=2))
    for i in range(n_frames):
        frame = base.copy()
        x = int((i * 7) % (W - 60))
        cv2.rectangle(frame, (x, 200), (x + 60, 380), (40, 40, 200), -1)
        cv2.putText(frame, f"{i}", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 3)
        writer.write(frame)
    writer.release()
    return path


def make_annotations(folder: Path, n_frames: int) -> tuple[Path, Path]:
    """Persons crossing the image, annotated every 10 frames (4-column file), and H (pixel -> world).

    About N_PERSONS are on screen at any frame: a long video has proportionally more persons."""
    rng = np.random.default_rng(1)
    rows = []
    mean_len = sum(TRACK_LEN) / 2
    n_persons = max(N_PERSONS, round(N_PERSONS * n_frames / mean_len))
    for pid in range(1, n_persons + 1):
        length = int(rng.integers(*TRACK_LEN)) // 10 * 10
        start = int(rng.integers(-length, n_frames)) // 10 * 10
        u0, v0 = rng.uniform(50, W - 50), rng.uniform(150, H - 30)
        du, dv = rng.uniform(-2.0, 2.0), rng.uniform(-0.6, 0.6)
        for f in range(max(0, start), min(n_frames, start + length + 1), 10):
            t = f - start
            rows.append((f, pid, (u0 + du * t) * SCALE, (v0 + dv * t) * SCALE))
    rows.sort()
    traj = folder / "trajectories.txt"
    traj.write_text("".join(f"{f}\t{p}\t{x:.4f}\t{y:.4f}\n" for f, p, x, y in rows))
    hfile = folder / "H.txt"
    hfile.write_text(f"{SCALE} 0 0\n0 {SCALE} 0\n0 0 1\n")
    return traj, hfile


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def run_pattern(scene, view, overlay, indices, proc, baseline_rss):
    """(fetch ms, render ms, total ms) per frame, and the peak RSS seen."""
    fetch, render, total, peak = [], [], [], baseline_rss
    for i in indices:
        t0 = time.perf_counter()
        frame = scene.frames.read(int(i))
        t1 = time.perf_counter()
        view.set_frame(frame)
        overlay.set_frame(int(i))
        view.render_image()
        t2 = time.perf_counter()
        fetch.append((t1 - t0) * 1000.0)
        render.append((t2 - t1) * 1000.0)
        total.append((t2 - t0) * 1000.0)
        peak = max(peak, proc.memory_info().rss)
    return fetch, render, total, peak


def bench_video(video: Path, n_frames: int, samples: int, folder: Path, proc, baseline: int):
    from app.frame_view import FrameView
    from app.track_overlay import TrackOverlay
    from humanseg_core.inputs.scene import load_scene

    traj, hfile = make_annotations(folder, n_frames)
    scene = load_scene(video, traj, hfile)
    view = FrameView()
    view.resize(1000, 800)
    overlay = TrackOverlay()
    view.add_overlay_item(overlay)
    overlay.set_scene_data(scene)
    overlay.set_selected(scene.trajectories.pids[0])
    rng = np.random.default_rng(2)
    patterns = {
        "random scrub": rng.integers(0, n_frames, samples),
        "sequential play": np.arange(min(samples, n_frames)),
        "cached (replay)": np.arange(min(samples, n_frames, scene.frames.cache_size // 2)),
    }
    rows = []
    persons = len(scene.trajectories.pids)
    peak_all = baseline
    for name, idx in patterns.items():
        fetch, render, total, peak = run_pattern(scene, view, overlay, idx, proc, baseline)
        peak_all = max(peak_all, peak)
        rows.append([f"{n_frames} frames", name, len(idx), *percentiles(fetch), *percentiles(render),
                     *percentiles(total)])  # fmt: skip
    scene.close()
    view.deleteLater()
    return rows, (peak_all - baseline) / 2**20, persons


def run_one(n_frames: int, codec: str, samples: int) -> dict:
    """Generate one video and measure it (in this process); RSS growth counts from before the video opens."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    proc = psutil.Process()
    suffix = ".avi" if codec.upper() == "MJPG" else ".mp4"
    with tempfile.TemporaryDirectory(prefix="humanseg-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        video = make_video(folder / f"synthetic{suffix}", n_frames, codec)
        made_s, size_mb = time.perf_counter() - t0, video.stat().st_size / 2**20
        import app.frame_view
        import app.track_overlay  # noqa: F401
        import humanseg_core.inputs.scene  # noqa: F401

        baseline = proc.memory_info().rss
        rows, growth, persons = bench_video(video, n_frames, samples, folder, proc, baseline)
    return {"rows": rows, "growth_mb": growth, "persons": persons, "made_s": made_s, "size_mb": size_mb,
            "baseline_mb": baseline / 2**20}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codec", default="mp4v", help="FourCC of the generated videos (mp4v or MJPG)")
    ap.add_argument("--samples", type=int, default=300, help="frames fetched per access pattern")
    ap.add_argument("--long", type=int, default=10_000, help="frame count of the long video")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one video, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.codec, args.samples)))
        return 0

    print(f"# frame fetch + overlay render at {W}x{H}, ~{N_PERSONS} persons on screen, codec {args.codec}, "
          f"{os.cpu_count()} CPU cores; each video in a fresh process")
    results = {}
    for n in (100, args.long):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--codec", args.codec, "--samples", str(args.samples)],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(f"the {n}-frame run failed (exit {out.returncode})")
        results[n] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[n]
        print(f"# {n}-frame video: {r['persons']} persons, generated in {r['made_s']:.1f} s, {r['size_mb']:.0f} MB; "
              f"RSS before opening {r['baseline_mb']:.0f} MB", flush=True)
    print()
    head = ("video", "access", "n", "fetch p50", "fetch p95", "render p50", "render p95", "total p50", "total p95")
    widths = (12, 16, 5, 10, 10, 10, 10, 10, 10)
    print("| " + " | ".join(f"{h:>{w}}" for h, w in zip(head, widths)) + " |   (ms)")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for n in results:
        for row in results[n]["rows"]:
            cells = [f"{row[0]:>12}", f"{row[1]:>16}", f"{row[2]:>5}"] + [f"{x:>10.1f}" for x in row[3:]]
            print("| " + " | ".join(cells) + " |")
    print()
    print("| video         | peak RSS growth MB |")
    print("|---------------|--------------------|")
    for n in results:
        print(f"| {n:>6} frames | {results[n]['growth_mb']:>18.1f} |")
    print()
    worst_p95 = max(row[8] for n in results for row in results[n]["rows"])
    worst_growth = max(r["growth_mb"] for r in results.values())
    print(f"target: p95 <= 33 ms (fetch + overlay render): worst p95 {worst_p95:.1f} ms -> "
          f"{'PASS' if worst_p95 <= 33 else 'FAIL'}")
    print(f"target: RSS growth <= 200 MB: worst {worst_growth:.0f} MB -> {'PASS' if worst_growth <= 200 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
