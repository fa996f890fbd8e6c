"""Frames an export leaves out because their image cannot be read are named in the summary, never silently.

New-user walk (students03, a frames folder with one truncated JPEG): the DAVIS export had a gap at that frame
and said nothing; a frame that cannot be read at export time failed the whole export.
"""

import json

import numpy as np
import pytest
from fakes import jpeg_project, run_cli

from humanseg_core.export import export_job
from humanseg_core.jobs import run_job
from humanseg_core.records import Proposal, Skip

H, W = 40, 56
FRAMES = range(100, 106)


def _mask(f):
    m = np.zeros((H, W), bool)
    m[5 + f % 7: 25, 10:30] = True
    return m


@pytest.fixture
def project(tmp_path):
    """Frames 100..105 as JPEGs; person 3 accepted on every frame, person 7 on 101 and 103."""
    p = jpeg_project(tmp_path, FRAMES, (H, W), lambda f: f)
    props = [Proposal(frame=f, pid=3, box=(0, 0, 5, 5), mask=_mask(f), source="bgs") for f in FRAMES]
    props += [Proposal(frame=f, pid=7, box=(0, 0, 5, 5), mask=_mask(f + 1), source="bgs") for f in (101, 103)]
    p.add_proposals(props)
    for q in props:
        p.set_status(q.id, "accepted")
    yield p
    p.close()


def _annotations(out, seq):
    return sorted(int(a.stem) for a in (out / "Annotations" / f"{H}p" / seq).iterdir())


def _images(out, seq):
    return sorted(int(a.stem) for a in (out / "JPEGImages" / f"{H}p" / seq).iterdir())


def test_a_truncated_frame_is_left_out_and_named_the_rest_is_written(tmp_path, project):
    video = tmp_path / "video"
    data = (video / "00101.jpg").read_bytes()
    (video / "00101.jpg").write_bytes(data[: len(data) // 3])  # truncated
    out = tmp_path / "davis"
    summary = run_job(export_job(project, [3, 7], "davis", out))
    assert summary["masks"] == 6  # 8 masks, frame 101 of both persons left out
    [entry] = summary["skipped_frames"]
    assert entry["frame"] == 101 and entry["persons"] == [3, 7] and entry["at"] == "export"
    assert entry["file"] == str(video / "00101.jpg") and "00101.jpg" in entry["reason"]
    assert _annotations(out, "person_3") == _images(out, "person_3") == [100, 102, 103, 104, 105]
    assert _annotations(out, "person_7") == _images(out, "person_7") == [103]
    assert json.loads((out / "skipped_frames.json").read_text()) == summary["skipped_frames"]


def test_a_missing_frame_is_left_out_and_its_folder_named(tmp_path, project):
    (tmp_path / "video" / "00104.jpg").unlink()
    out = tmp_path / "davis"
    summary = run_job(export_job(project, [3, 7], "davis", out))
    [entry] = summary["skipped_frames"]
    assert entry["frame"] == 104 and entry["persons"] == [3] and entry["file"] == str(tmp_path / "video")
    assert "frame 104" in entry["reason"]
    assert _annotations(out, "person_3") == [100, 101, 102, 103, 105]


def test_a_readable_video_skips_nothing(tmp_path, project):
    out = tmp_path / "davis"
    summary = run_job(export_job(project, [3, 7], "davis", out))
    assert summary["skipped_frames"] == [] and summary["masks"] == 8
    assert not (out / "skipped_frames.json").exists()


@pytest.mark.parametrize("fmt", ["davis", "palette", "mots"])
def test_a_frame_unreadable_when_proposed_is_a_named_gap(tmp_path, project, fmt):
    """The proposal step skipped an unreadable annotated frame (stored skip): the export has no mask there and
    says so; a skip for another reason (no box near the point) is not a read problem and is not listed."""
    file = tmp_path / "video" / "00110.jpg"
    project.add_skips([Skip(110, 3, f"frame unreadable: {file}: frame 110: damaged JPEG (Premature end of JPEG "
                                    "file); the frame is skipped"),
                       Skip(120, 3, "no detection within 40 px of the track point")])
    summary = run_job(export_job(project, [3], fmt, tmp_path / fmt))
    [entry] = summary["skipped_frames"]
    assert entry == {"frame": 110, "persons": [3], "file": str(file), "at": "proposals",
                     "reason": f"{file}: frame 110: damaged JPEG (Premature end of JPEG file); the frame is skipped"}
    # inside the export too, whatever its format (it was written by DAVIS exports only, and without the gaps
    # of earlier stages)
    assert json.loads((tmp_path / fmt / "skipped_frames.json").read_text()) == summary["skipped_frames"]


def test_an_empty_frames_file_is_named_not_its_folder(tmp_path, project):
    """A walk's zero-byte JPEG: skipped_frames.json named the frames folder for the proposals' gap (the file
    for the segmentation's): the header's problem carries no frame number to cut the file's name at."""
    file = tmp_path / "video" / "00110.jpg"
    project.add_skips([Skip(110, 3, f"frame unreadable: {file}: the file is empty (0 bytes): it was not written "
                                    "whole")])
    [entry] = run_job(export_job(project, [3], "mots", tmp_path / "mots"))["skipped_frames"]
    assert entry["file"] == str(file) and entry["at"] == "proposals"


def test_the_command_lines_name_the_left_out_frames(tmp_path, project, capsys):
    data = (tmp_path / "video" / "00102.jpg").read_bytes()
    (tmp_path / "video" / "00102.jpg").write_bytes(data[:40])
    project.add_skips([Skip(110, 3, "frame unreadable: /v/00110.jpg: frame 110: damaged JPEG")])
    folder = project.folder
    project.close()
    code, doc, err = run_cli(capsys, "export", "--project", folder, "--pids", 3, "--format", "davis",
                             "--out", tmp_path / "d")
    assert code == 0 and [e["frame"] for e in doc["skipped_frames"]] == [102, 110]
    assert "frame 102 (person 3) left out" in err and "00102.jpg" in err and "/v/00110.jpg" in err
    code, doc, err = run_cli(capsys, "masks", "--project", folder, "--pid", 3, "--out", tmp_path / "m")
    assert code == 0 and [e["frame"] for e in doc["skipped_frames"]] == [110] and "frame 110" in err


def test_coco_with_images_leaves_an_unreadable_frame_out_and_names_it(tmp_path, project):
    """COCO with images read every frame too: one truncated JPEG failed the whole export."""
    video = tmp_path / "video"
    data = (video / "00103.jpg").read_bytes()
    (video / "00103.jpg").write_bytes(data[: len(data) // 3])
    out = tmp_path / "coco"
    summary = run_job(export_job(project, [3, 7], "coco", out, with_images=True))
    [entry] = summary["skipped_frames"]
    assert entry["frame"] == 103 and entry["persons"] == [3, 7] and entry["at"] == "export"
    assert "00103.jpg" in entry["file"]
    doc = json.loads((out / "annotations.json").read_text())
    frames = sorted(i["frame_index"] for i in doc["images"])
    assert frames == [100, 101, 102, 104, 105] and sorted(int(p.stem) for p in (out / "images").iterdir()) == frames
    ids = {i["id"] for i in doc["images"]}
    assert len(doc["annotations"]) == 6 and all(a["image_id"] in ids for a in doc["annotations"])


def test_a_damaged_stored_result_is_a_named_gap(tmp_path, project, capsys):
    """A walk damaged one result row (a bad blob): the export had no 03800.png and skipped_frames said []."""
    import sqlite3

    run = project.add_run(3, "osvos-lite", {}, None, {})
    project.save_results(3, run, {f: _mask(f) for f in FRAMES})
    with sqlite3.connect(project.path) as conn:
        conn.execute("UPDATE results SET mask = ? WHERE run_id = ? AND frame = 102", (b"\xde\xad\xbe\xef", run))
    summary = run_job(export_job(project, [3], "palette", tmp_path / "pal", source="results"))
    [entry] = summary["skipped_frames"]
    assert entry["frame"] == 102 and entry["persons"] == [3] and entry["at"] == "stored"
    assert "could not be decoded" in entry["reason"] and summary["masks"] == len(FRAMES) - 1
    code, doc, err = run_cli(capsys, "masks", "--project", project.folder, "--pid", "3", "--source", "results",
                             "--out", tmp_path / "m")
    assert code == 0 and [e["frame"] for e in doc["skipped_frames"]] == [102]
    assert "frame 102 (person 3) has no mask: its stored result could not be decoded" in err
    assert len([line for line in err.splitlines() if line.startswith("[")]) <= 2  # not a line a mask (a walk: 250)
