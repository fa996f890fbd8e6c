"""``humanseg tracks``: load a scene and list its persons with their annotated points in pixels."""

from __future__ import annotations

import argparse
import math

from .common import add_input_args, load_scene_from_args, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tracks",
        help="list the persons of a scene and their annotated points in pixels",
        description="Load video + trajectories (+ homography) and print each person's annotated frames, "
        "pixel positions and the share of them inside the image.",
    )
    add_input_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    p.set_defaults(func=run)


def scene_summary(scene) -> dict:
    """The JSON document describing a scene and its persons."""
    persons = []
    for pid in scene.pids:
        frames, uv = scene.pixel_track(pid)
        persons.append(
            {
                "pid": pid,
                "frames": frames.tolist(),
                "pixels": [[_num(u), _num(v)] for u, v in uv],
                "inside_share": round(scene.inside_share(pid), 4),
            }
        )
    return {
        "video": str(scene.frames.path),
        "trajectories": str(scene.trajectories.path),
        "format": scene.trajectories.format,
        "homography": None if scene.homography.path is None else str(scene.homography.path),
        "approximate": scene.homography.approximate,
        "width": scene.width,
        "height": scene.height,
        "frame_count": len(scene.frames),
        "first_frame": scene.frames.indices[0],
        "last_frame": scene.frames.indices[-1],
        "fps": scene.frames.fps,
        "warnings": list(scene.warnings),
        "persons": persons,
    }


def run(args: argparse.Namespace) -> int:
    scene = load_scene_from_args(args)
    try:
        doc = scene_summary(scene)
    finally:
        scene.close()
    if args.json:
        print_json(doc)
    else:
        print(format_table(doc))
    return 0


def format_table(doc: dict) -> str:
    lines = [
        f"{doc['video']}: {doc['width']}x{doc['height']}, {doc['frame_count']} frames "
        f"({doc['first_frame']}..{doc['last_frame']}), {doc['fps']:g} fps",
        f"{doc['trajectories']} ({doc['format']}): {len(doc['persons'])} persons",
    ]
    lines += [f"warning: {w}" for w in doc["warnings"]]
    lines.append(f"{'pid':>6} {'points':>7} {'first':>7} {'last':>7} {'inside':>7}")
    for p in doc["persons"]:
        lines.append(
            f"{p['pid']:>6} {len(p['frames']):>7} {p['frames'][0]:>7} {p['frames'][-1]:>7} "
            f"{p['inside_share']:>7.0%}"
        )
    return "\n".join(lines)


def _num(x: float) -> float | None:
    """A pixel coordinate for JSON: rounded to 1/100 px; None when it has no image (NaN)."""
    x = float(x)
    return round(x, 2) if math.isfinite(x) else None
