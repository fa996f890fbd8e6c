"""The bad inputs of ``bench/fuzz.py``, one family per function: ``case(rng, box) -> (outcome, note, deleted)``.

``outcome`` is ``"ok"`` (the input was usable) or ``"typed"`` (a HumanSeg error with a message); any other
exception propagates and is counted as a crash by the runner. ``box`` is a scratch folder of the worker;
``deleted`` is the number of bytes an export deleted outside its target (only the export family).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

from humanseg_core import rle
from humanseg_core.errors import HumansegError

WEIRD = ["nan", "inf", "-inf", "1e308", "-1e308", "1e400", "", "0x10", "9" * 400, "1e-320", "-0", "١٢", "1_0",
         "+5", "5.", ".5", "1e", "--1", "NaN", "\x00", "\u202e1", "2147483648", "-9223372036854775809"]


MUTATIONS = ["bit-flip", "truncate", "insert", "overwrite", "duplicate", "random", "delete"]


def mutate_bytes(rng: random.Random, data: bytes, kind: int | None = None) -> bytes:
    b = bytearray(data)
    kind = rng.randrange(7) if kind is None else kind
    if kind == 0 and b:  # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncate
        b = b[: rng.randrange(len(b) + 1)]
    elif kind == 2:  # insert random bytes
        i = rng.randrange(len(b) + 1)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif kind == 3 and b:  # overwrite a run with random bytes
        i = rng.randrange(len(b))
        b[i:i + 32] = bytes(rng.randrange(256) for _ in range(32))
    elif kind == 4:  # duplicate a slice
        i = rng.randrange(len(b) + 1)
        b[i:i] = b[rng.randrange(len(b) + 1):][:rng.randint(1, 200)]
    elif kind == 5:
        b = bytearray(bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))))
    else:  # delete a slice
        i = rng.randrange(len(b) + 1)
        del b[i:i + rng.randint(1, 100)]
    return bytes(b)


def mutate_text(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        tokens = lines[i].split()
        kind = rng.randrange(6)
        if kind == 0 and tokens:
            tokens[rng.randrange(len(tokens))] = rng.choice(WEIRD)
        elif kind == 1:
            tokens.append(rng.choice(WEIRD) or "x")
        elif kind == 2 and tokens:
            tokens.pop(rng.randrange(len(tokens)))
        elif kind == 3:
            lines.insert(i, lines[i])
        elif kind == 4:
            tokens = [rng.choice(WEIRD) for _ in range(rng.randint(1, 9))]
        else:
            lines[i] = lines[i].replace("\t", rng.choice([",", ";", " ", "\r", "\t\t", "\x0b"]))
            continue
        lines[i] = rng.choice(["\t", " ", ","]).join(tokens)
    return "\n".join(lines)


# -- trajectories, homographies, special files ------------------------------------------------------------
def base_trajectories(rng: random.Random, persons: int = 6, rows: int = 8) -> str:
    out = []
    for f in range(rows):
        for pid in range(1, persons + 1):
            out.append(f"{f * 10}\t{pid}\t{rng.uniform(0, 15):.3f}\t{rng.uniform(0, 12):.3f}")
    return "\n".join(out) + "\n"


BASE_H = "# pixel -> world\n0.02104651 0 0\n0 -0.02386598 13.74680448\n0 0 1\n"


def trajectories_case(rng: random.Random, box: Path):
    from humanseg_core.inputs.homography import Homography
    from humanseg_core.inputs.trajectories import load_trajectories

    path = box / "traj.txt"
    text = base_trajectories(rng)
    data = mutate_text(rng, text).encode() if rng.random() < 0.6 else mutate_bytes(rng, text.encode())
    path.write_bytes(data)
    offset, step = (0, 1) if rng.random() < 0.8 else (rng.choice([-100, 0, 3, 1e9, 2.5]), rng.choice([0, 1, -1, 2]))
    traj = load_trajectories(path, fmt=rng.choice(["auto", "auto", "trajnet", "obsmat"]), frame_offset=offset,
                             frame_step=step)
    Homography.fit_to_extent(traj.all_world(), 720, 576).world_to_pixel(traj.all_world())
    return "ok", ""


def homography_case(rng: random.Random, box: Path):
    from humanseg_core.inputs.homography import load_homography

    path = box / "H.txt"
    data = mutate_text(rng, BASE_H).encode() if rng.random() < 0.7 else mutate_bytes(rng, BASE_H.encode())
    path.write_bytes(data)
    H = load_homography(path, direction=rng.choice(["pixel-to-world", "world-to-pixel"]),
                        order=rng.choice(["uv", "rowcol"]))
    H.world_to_pixel(np.array([[1.0, 2.0], [1e308, -1e308], [np.nan, 0.0]]))
    H.pixel_to_world(np.array([[0.0, 0.0], [720.0, 576.0]]))
    return "ok", ""


def special_path(kind: str, box: Path) -> Path:
    """A path that is not a normal file: a device, a FIFO, a folder, a link loop, a huge sparse file..."""
    p = box / f"special_{kind}"
    if kind in ("zero", "urandom", "null"):
        return Path(f"/dev/{kind}")
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "folder":
        p.mkdir()
    elif kind == "loop":
        os.symlink(p, p)
    elif kind == "dangling":
        os.symlink(box / "nowhere", p)
    elif kind == "sparse":  # 300 MB that take no disk
        with open(p, "wb") as fh:
            fh.truncate(300 * 2**20)
    elif kind == "socket":
        import socket

        s = socket.socket(socket.AF_UNIX)
        s.bind(str(p))
        s.close()
    return p


SPECIAL_KINDS = ["zero", "urandom", "null", "fifo", "folder", "loop", "dangling", "sparse", "socket", "missing"]


def special_case(rng: random.Random, box: Path, kind: str, role: str):
    from humanseg_core.inputs.frames import open_frames
    from humanseg_core.inputs.homography import load_homography
    from humanseg_core.inputs.trajectories import load_trajectories

    p = special_path(kind, box)
    if role == "trajectories":
        load_trajectories(p)
    elif role == "homography":
        load_homography(p)
    elif role == "video":
        open_frames(p).close()
    elif role == "frame":  # a special file named like a frame inside a frames folder
        folder = write_frames(box / "frames", 2)
        target = folder / "00001.png"
        target.unlink()
        if kind in ("zero", "urandom", "null"):
            os.symlink(p, target)
        elif p.exists() or p.is_symlink():
            os.replace(p, target)
        with open_frames(folder) as src:
            for i in src.indices:
                try:
                    src.read(i)
                except HumansegError:
                    pass
    else:  # a project whose stored inputs point at it
        from humanseg_core.project import Project
        from humanseg_core.records import ProjectInputs

        with Project.create(box / "proj", ProjectInputs(video=str(p), trajectories=str(p))) as project:
            project.load_scene()
    return "ok", ""


# -- frames -----------------------------------------------------------------------------------------------
def textured(seed: int, w: int = 96, h: int = 64) -> np.ndarray:
    g = np.random.default_rng(seed)
    img = cv2.resize(g.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    return img


def write_frames(folder: Path, n: int, ext: str = ".png") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        ok, buf = cv2.imencode(ext, textured(i))
        (folder / f"{i:05d}{ext}").write_bytes(buf.tobytes())
    return folder


def png_declaring(w: int, h: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def jpeg_declaring(rng: random.Random, w: int, h: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", textured(rng.randrange(99)))
    b = bytearray(buf.tobytes())
    i = b.find(b"\xff\xc0")
    if i >= 0:
        b[i + 5:i + 9] = struct.pack(">HH", h % 65536, w % 65536)
    return bytes(b)


def image_case(rng: random.Random, box: Path):
    from humanseg_core.inputs.frames import open_frames

    ext = rng.choice([".jpg", ".png"])
    folder = write_frames(box / "frames", 3, ext)
    victim = folder / f"{rng.randrange(3):05d}{ext}"
    kind = rng.randrange(9)
    if kind == 0:
        data, what = png_declaring(rng.choice([0, 1, 30000, 50000, 2**31 - 1, 70000]),
                                   rng.choice([1, 30000, 50000, 2**31])), "header bomb"
    elif kind == 1:
        data = jpeg_declaring(rng, rng.choice([0, 1, 30000, 65535]), rng.choice([0, 1, 30000, 65535]))
        what = "header bomb"
    else:
        mutation = rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 6])
        data, what = mutate_bytes(rng, victim.read_bytes(), mutation), MUTATIONS[mutation]
    victim.write_bytes(data)
    index = int(victim.stem)
    try:
        src = open_frames(folder)
    except HumansegError:
        return "typed", f"detect:{ext[1:]} {what}:reported"
    with src:
        reported = False
        for i in src.indices:
            try:
                src.read(i)
            except HumansegError:
                reported = reported or i == index
    return "ok", f"detect:{ext[1:]} {what}:{'reported' if reported else 'read'}"


def video_case(rng: random.Random, box: Path):
    from humanseg_core.inputs.frames import open_frames

    codec, ext = rng.choice([("mp4v", ".mp4"), ("MJPG", ".avi")])
    path = box / f"v{ext}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), 25, (96, 64))
    for i in range(12):
        writer.write(textured(i))
    writer.release()
    mutation = rng.choice([0, 1, 3])
    path.write_bytes(mutate_bytes(rng, path.read_bytes(), mutation))
    what = f"detect:{codec} {MUTATIONS[mutation]}"
    try:
        src = open_frames(path)
    except HumansegError:
        return "typed", f"{what}:reported"
    reported = False
    with src:
        for i in src.indices[:40]:
            try:
                src.read(i)
            except HumansegError:
                reported = True
    return "ok", f"{what}:{'reported' if reported else 'read'}"


def tracks_case(rng: random.Random, box: Path):
    """The whole ``tracks`` path without a homography: absurd positions reach the fitted homography."""
    import io

    from humanseg_core.cli import tracks
    from humanseg_core.inputs.scene import load_scene

    folder = box / "frames_t"
    if not folder.exists():
        write_frames(folder, 2)
    text = base_trajectories(rng, persons=3, rows=3)
    if rng.random() < 0.5:
        extreme = rng.choice(["1e308", "-1e308", "1.7976931348623157e308", "1e-308", "0", "1e15"])
        text += f"0\t9\t{extreme}\t{rng.choice(['1e308', '-1e308', '0'])}\n"
    else:
        text = mutate_text(rng, text)
    (box / "traj_t.txt").write_text(text)
    scene = load_scene(folder, box / "traj_t.txt")
    try:
        if hasattr(tracks, "write_json"):
            tracks.write_json(scene, io.StringIO())
        else:  # the code before issue 10 (bench/fuzz.py --code-root)
            io.StringIO().write(json.dumps(tracks.scene_summary(scene)))
    finally:
        scene.close()
    return "ok", ""


# -- masks ------------------------------------------------------------------------------------------------
def mask_case(rng: random.Random, box: Path):
    m = np.random.default_rng(rng.randrange(1000)).random((rng.randint(1, 40), rng.randint(1, 40))) < 0.3
    blob = rle.to_blob(m)
    kind = rng.randrange(4)
    try:
        if kind == 0:
            rle.from_blob(mutate_bytes(rng, blob))
        elif kind == 1:
            h, w = rng.choice([0, 1, 5, 2**16, 2**31, 2**32 - 1]), rng.choice([0, 1, 7, 2**16, 2**31, 2**32 - 1])
            rle.from_blob(b"RLE1" + struct.pack("<II", h, w) + blob[12:])
        else:
            coco = rle.to_coco(m)
            choice = rng.randrange(5)
            if choice == 0:
                coco["size"] = [rng.choice([-1, 0, 10**6, 2**40, "a", None]), 5]
            elif choice == 1:
                coco["counts"] = mutate_bytes(rng, coco["counts"].encode()).decode("latin-1")
            elif choice == 2:
                coco["counts"] = rng.choice([None, 5, [1, 2], b"\xff"])
            elif choice == 3:
                coco = rng.choice([{}, {"size": [2, 2]}, [], "x"])
            rle.decode(coco)
    except getattr(rle, "MaskDataError", HumansegError):
        return "typed", ""
    return "ok", ""


# -- projects ---------------------------------------------------------------------------------------------
def template_project(box: Path) -> Path:
    """A small project with every kind of row (made once per worker)."""
    from humanseg_core.project import Project
    from humanseg_core.records import Detection, ProjectInputs, Proposal, Skip

    folder = box / "template"
    if (folder / "project.sqlite").exists():
        return folder
    write_frames(box / "tpl_frames", 2)
    (box / "tpl_traj.txt").write_text(base_trajectories(random.Random(0), 3, 3))
    inputs = ProjectInputs(video=str(box / "tpl_frames"), trajectories=str(box / "tpl_traj.txt"))
    with Project.create(folder, inputs) as p:
        g = np.random.default_rng(0)
        props = [Proposal(frame=f, pid=pid, box=(1, 2, 30, 40), mask=g.random((64, 96)) < 0.3, source="bgs",
                          flags=["ambiguous"], score=0.5) for f in (0, 10, 20) for pid in (1, 2, 3)]
        p.add_proposals(props)
        p.set_status(props[0].id, "accepted")
        p.set_mask(props[1].id, g.random((64, 96)) < 0.5)
        p.add_skips([Skip(30, 1, "no box")])
        p.save_detections(Detection(0, "maskrcnn", np.array([[1.0, 2, 3, 4]]), np.array([0.9]),
                                    [g.random((64, 96)) < 0.5]))
        run = p.add_run(1, "osvos-lite", {"steps": 3}, str(folder / "checkpoints" / "pid1_osvos-lite_x.pt"), {"J": 1})
        p.save_results(1, run, {0: g.random((64, 96)) < 0.5, 10: g.random((64, 96)) < 0.5})
    conn = sqlite3.connect(folder / "project.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return folder


_COLUMNS = {"proposals": ["frame", "pid", "source", "x0", "score", "flags", "status", "mask"],
            "runs": ["pid", "params", "checkpoint", "metrics"], "results": ["frame", "mask", "run_id"],
            "history": ["old_mask", "action"], "skips": ["frame", "pid"], "meta": ["value"],
            "detections": ["boxes", "scores", "masks"]}
_VALUES = [None, "abc", "[1,2]", "{", "{}", '{"video": 3}', "[]", 1.5, -1, 2**62, b"\x00\x01\x02\x03", b"RLE1",
           b"RLE1" + struct.pack("<II", 100000, 100000) + b"1", "\udcff".encode("utf-8", "surrogatepass"), "[[1,2"]


def project_case(rng: random.Random, box: Path):
    from humanseg_core.project import Project

    src = template_project(box)
    folder = box / "proj"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(src, folder)
    db = folder / "project.sqlite"
    if rng.random() < 0.5:  # damaged pages
        b = bytearray(db.read_bytes())
        for _ in range(rng.randint(1, 3)):
            off = rng.randrange(0, len(b) - 64) if rng.random() < 0.6 else rng.randrange(3000, 4032)
            b[off:off + rng.choice([1, 8, 64])] = bytes(rng.randrange(256) for _ in range(64))[:rng.choice([1, 8, 64])]
        db.write_bytes(bytes(b))
    else:  # hand-edited values
        conn = sqlite3.connect(db)
        for _ in range(rng.randint(1, 3)):
            table = rng.choice(list(_COLUMNS))
            column = rng.choice(_COLUMNS[table])
            try:
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid IN (SELECT rowid FROM {table} "
                             f"ORDER BY random() LIMIT 1)", (rng.choice(_VALUES),))
            except sqlite3.Error:
                pass  # a constraint refused the edit
        conn.commit()
        conn.close()
    with Project.open(folder) as p:
        for pid in set(p.pids()) | {1, 2}:
            p.proposals(pid)
            p.accepted_masks(pid)
            p.results(pid)
            p.counts(pid)
        p.runs()
        p.skips()
        p.load_detections(0, "maskrcnn")
        for prop in p.proposals(with_masks=False)[:3]:
            p.history(prop.id)
            p.get_proposal(prop.id)
        p.load_scene().close()
    return "ok", ""


# -- the export guard -------------------------------------------------------------------------------------
def _snapshot(root: Path) -> dict:
    """{file: size} under ``root`` (not SQLite's own -wal/-shm files, which a close removes by design)."""
    return {str(p): p.stat().st_size for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and not p.name.endswith(("-wal", "-shm"))}


def export_case(rng: random.Random, box: Path):
    """A sandbox of projects, checkpoints and user files; an export --force to a random target."""
    from humanseg_core.export import export_job
    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project

    sandbox = box / "sandbox"
    shutil.rmtree(sandbox, ignore_errors=True)
    sandbox.mkdir()
    shutil.copytree(template_project(box), sandbox / "P")
    (sandbox / "P" / "checkpoints").mkdir()
    (sandbox / "P" / "checkpoints" / "pid1_osvos-lite_x.pt").write_bytes(os.urandom(3000))
    shutil.copytree(template_project(box), sandbox / "work" / "old" / "Q")
    (sandbox / "models" / "checkpoints").mkdir(parents=True)
    (sandbox / "models" / "checkpoints" / "m.pt").write_bytes(os.urandom(2000))
    (sandbox / "docs").mkdir()
    (sandbox / "docs" / "thesis.txt").write_bytes(os.urandom(1000))
    (sandbox / "P" / "exports" / "old").mkdir(parents=True)
    (sandbox / "P" / "exports" / "old" / "a.png").write_bytes(b"x" * 10)
    candidates = ["P", "P/checkpoints", "P/checkpoints/new", "P/exports/old", "P/exports/new", ".", "work",
                  "work/old", "work/old/Q", "work/old/Q/checkpoints", "models", "models/checkpoints", "docs",
                  "docs/thesis.txt", "fresh/out", "P/project.sqlite", "P/..", "work/../P"]
    target = sandbox / rng.choice(candidates)
    before = _snapshot(sandbox)
    outcome = "ok"
    with Project.open(sandbox / "P") as project:
        try:
            run_job(export_job(project, [1, 2], rng.choice(["mots", "palette", "coco"]), target,
                               force=rng.random() < 0.9))
        except HumansegError:
            outcome = "typed"
    after = _snapshot(sandbox)
    t = target.resolve()
    deleted = sum(size for path, size in before.items() if path not in after
                  and t not in Path(path).resolve().parents)
    protected = sum(size for path, size in before.items() if path not in after
                    and (path.endswith(".sqlite") or path.endswith(".pt")))
    return outcome, "", deleted + protected
