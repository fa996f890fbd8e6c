"""The frame offset of a clip found in the video (``inputs/offset_estimate.py``), against the right one.

Each scene's frames are read with its place's whole trajectory file shifted ``--shift`` frames
(``frame_offset``), so that no annotated frame is in the video and the annotations span far more than the clip.
The offset found is the file's in all (the shift read with, plus the one found): the right one is 0. Printed per
scene: the offset found, its error in frames, share, recall, agreement, seconds.

    nice .venv/bin/python bench/offset.py [--scenes eth_dense,zara01,...] [--shift 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

UCY = ROOT.parent / "shared" / "data" / "eth_ucy"
# the place's whole trajectory file and homography (H_uv: the scenes' own H.txt is the same matrix)
PLACES = {"eth": ("eth/biwi_eth.txt", "eth/H_uv.txt"), "zara01": ("zara01/crowds_zara01.txt", "zara01/H_uv.txt"),
          "zara02": ("zara02/crowds_zara02.txt", "zara02/H_uv.txt"),
          "students03": ("students03/students003.txt", "students03/H_uv.txt")}
DEFAULT = ("eth_dense,zara01,zara01_feet,students03,zara02_center,zara02_still,davis_shop,eth_big,eth_huge,"
           "zara01_tiny,zara01_night")


def place_of(scene_dir: Path) -> str:
    traj = json.loads((scene_dir / "meta.json").read_text())["args"]["trajectories"]
    for place, (name, _h) in PLACES.items():
        if traj.endswith(Path(name).name) or f"/{place}/" in traj:
            return place
    raise SystemExit(f"{scene_dir}: no place known for {traj}")


def main() -> None:
    from scenes import resolve

    from humanseg_core.inputs.offset_estimate import estimate_offset
    from humanseg_core.inputs.scene import load_scene
    from humanseg_core.jobs import run_job

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", default=DEFAULT)
    ap.add_argument("--shift", type=int, default=20000)
    args = ap.parse_args()
    print("| scene | right offset | found | error (frames) | share | recall | agreement | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    errors = []
    for name in [s for s in args.scenes.split(",") if s]:
        scene_dir = resolve(name)
        traj, hom = PLACES[place_of(scene_dir)]
        homography = scene_dir / "H.txt" if place_of(scene_dir) != "eth" or name.startswith("davis") else UCY / hom
        t0 = time.time()
        with load_scene(scene_dir / "frames", UCY / traj, homography, frame_offset=args.shift) as scene:
            found = run_job(estimate_offset(scene))
        dt = time.time() - t0
        if found is None:
            print(f"| {name} | 0 | not offered | | | | | {dt:.1f} |")
            continue
        err = found.offset
        errors.append(abs(err))
        print(f"| {name} | 0 | {found.offset} | {err:+d} | {found.cover:.3f} | {found.recall:.2f} | "
              f"{found.agreement:.2f} | {dt:.1f} |")
    if errors:
        print(f"\nexact on {sum(e == 0 for e in errors)} of {len(errors)} offered; largest error {max(errors)} frames")


if __name__ == "__main__":
    main()
