"""``humanseg tracks``: load a scene and list its persons with their annotated points in pixels.

Prints a table (one row per person: points, first and last annotated frame, the span it is segmented on,
inside share) unless ``--json``.
The JSON document is streamed one person at a time, so memory does not grow with the output (1,000
persons x 1,000 points each is ~40 MB of JSON); ``--summary`` leaves out the points and ``--pids`` picks
persons.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TextIO

import numpy as np

from ..inputs.order_check import swapped_order_warning
from ..wording import plural
from .common import add_input_args, load_scene_from_args, parse_pids


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tracks",
        help="list the persons of a scene and their annotated points in pixels",
        description="Load video + trajectories (+ homography) and print each person's annotated frames, "
        "pixel positions and the share of them inside the image.",
    )
    add_input_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    p.add_argument("--summary", action="store_true",
                   help="with --json: per person only the number of points, first and last frame and inside "
                        "share (no frames or pixels: small output for very large scenes); the table is always so")
    p.add_argument("--pids", default="all", help="'all' or a comma list of person ids, e.g. 3,7")
    p.set_defaults(func=run)


def scene_header(scene) -> dict:
    """The scene part of the JSON document (everything but ``persons``)."""
    from .propose import _estimated

    return {
        "video": str(scene.frames.path),
        "trajectories": str(scene.trajectories.path),
        "format": scene.trajectories.format,
        "homography": None if scene.homography.path is None else str(scene.homography.path),
        # an estimated file too (a walk read "approximate": false beside its own "Estimated homography" warning)
        "approximate": bool(scene.homography.approximate or _estimated(scene.homography.path)),
        "width": scene.width,
        "height": scene.height,
        "frame_count": len(scene.frames),
        "first_frame": scene.frames.indices[0],
        "last_frame": scene.frames.indices[-1],
        "fps": scene.frames.fps,
        "warnings": list(scene.warnings),
    }


def person_entries(scene, pids=None, summary: bool = False) -> Iterator[dict]:
    """One dict per person, computed when asked for (nothing is kept once yielded)."""
    for pid in scene.pids if pids is None else pids:
        track = scene.trajectories.tracks[int(pid)]
        frames = np.asarray(track.frames)
        uv = scene.homography.world_to_pixel(track.world).reshape(-1, 2)
        inside = round(scene.in_view_share(frames, uv), 4)
        entry: dict = {"pid": int(pid)}
        if summary:
            entry.update(points=int(len(frames)), first=int(frames[0]) if len(frames) else None,
                         last=int(frames[-1]) if len(frames) else None)
        else:
            rounded = np.round(uv.astype(np.float64), 2)
            entry.update(frames=frames.tolist(), pixels=[[_num(u), _num(v)] for u, v in rounded.tolist()])
        # the frames it is segmented on (ADR 0012), within the video (a walk's 60-frame clip listed "0..110"); None:
        # never in the video
        in_video = scene.span_in_video(int(pid))
        entry["span"] = list(in_video) if in_video is not None else None
        entry["inside_share"] = inside
        yield entry


def scene_summary(scene, pids=None, summary: bool = False) -> dict:
    """The whole JSON document in memory (small scenes, tests); the command streams it instead."""
    return {**scene_header(scene), "persons": list(person_entries(scene, pids, summary))}


def write_json(scene, out: TextIO, pids=None, summary: bool = False) -> None:
    """The JSON document on one line, written person by person."""
    head = json.dumps(scene_header(scene))
    out.write(head[:-1] + ', "persons": [')
    for i, entry in enumerate(person_entries(scene, pids, summary)):
        out.write((", " if i else "") + json.dumps(entry))
    out.write("]}\n")
    out.flush()


def run(args: argparse.Namespace) -> int:
    scene = load_scene_from_args(args)
    try:
        # the video read: all points inside says nothing of it
        said = swapped_order_warning(scene, args.h_order or "uv", direction=args.h_direction or "pixel-to-world")
        if said:
            scene.warnings.append(said)
        if not scene.pids_in_video():  # a clip of a longer recording: the offset looked for, as propose does (a
            from ..inputs.scene import offset_hint  # walk's `tracks` said "0 persons" and gave no lead)
            from .propose import found_offset_hint

            hint = offset_hint(scene) or found_offset_hint(scene, args.h_order or "uv")
            if hint:
                scene.warnings.append(f"no person is annotated on a frame of the video; {hint}")
        pids = None if args.pids.strip().lower() == "all" else parse_pids(args.pids, scene.pids)
        if pids is None and len(in_video := scene.pids_in_video()) < len(scene.pids):
            # all: the persons in the video, as propose and run take them (a walk's ETH obsmat.txt listed 360
            # persons for a 120-frame clip, 347 of them at 0 %)
            early = scene.trajectories.persons_before_start  # read and left out before the video's start
            gone, every = len(scene.pids) - len(in_video) + early, len(scene.pids) + early
            scene.warnings.append(f"{gone} of the {every} persons of {scene.trajectories.path.name} "
                                  f"{'is' if gone == 1 else 'are'} never in the video: left out of this list (--pids "
                                  "lists any of them)")
            pids = in_video
        for warning in scene.warnings:  # on stderr as every command's (a walk: in the table on stdout, or in the
            print(f"humanseg: warning: {warning}", file=sys.stderr)  # JSON alone with --json)
        if args.json:
            write_json(scene, sys.stdout, pids, args.summary)
        else:
            head = {**scene_header(scene), "warnings": []}
            for line in table_lines(head, len(scene.pids if pids is None else pids),
                                    person_entries(scene, pids, summary=True)):
                print(line)
    finally:
        scene.close()
    return 0


def table_lines(head: dict, n_persons: int, entries) -> Iterator[str]:
    yield (f"{head['video']}: {head['width']}x{head['height']}, {head['frame_count']} frames "
           f"({head['first_frame']}..{head['last_frame']}), {head['fps']:g} fps")
    yield f"{head['trajectories']} ({head['format']}): {plural(n_persons, 'person')}"
    yield from (f"warning: {w}" for w in head["warnings"])
    # the frames annotated (in the video's numbering, beyond it too) apart from those segmented, within the video
    # (a walk read "last 131" of an 80-frame clip as a frame of it)
    yield f"{'pid':>6} {'points':>7} {'annotated':>13} {'in video':>13} {'inside':>7}"
    for p in entries:
        span = f"{p['span'][0]}..{p['span'][1]}" if p["span"] is not None else "not in video"
        annotated = f"{p['first']}..{p['last']}"
        yield f"{p['pid']:>6} {p['points']:>7} {annotated:>13} {span:>13} {p['inside_share']:>7.0%}"


def format_table(doc: dict) -> str:
    """The table of a whole document (see :func:`scene_summary`)."""
    entries = ({"pid": p["pid"], "points": len(p["frames"]), "first": p["frames"][0], "last": p["frames"][-1],
                "span": p["span"], "inside_share": p["inside_share"]} for p in doc["persons"])
    return "\n".join(table_lines(doc, len(doc["persons"]), entries))


def _num(x: float) -> float | None:
    """A pixel coordinate for JSON: rounded to 1/100 px; None when it has no image (NaN, inf)."""
    return x if x == x and abs(x) != float("inf") else None
