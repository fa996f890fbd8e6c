"""Exports: DAVIS, palette, COCO and MOTS round trips; atomic writes, --force, sanitised names, full disk."""

import errno
import json

import cv2
import numpy as np
import pytest
from fakes import jpeg_project
from PIL import Image
from pycocotools import mask as mask_utils

from humanseg_core.export import ExportError, atomic, collect_masks, export_job, sanitise_name
from humanseg_core.export.palette import davis_palette
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal

H, W = 40, 56


def _mask(seed):
    m = np.zeros((H, W), bool)
    rng = np.random.default_rng(seed)
    y, x = rng.integers(0, H - 12), rng.integers(0, W - 12)
    m[y:y + 12, x:x + 10] = True
    return m


@pytest.fixture
def project(tmp_path):
    """A project whose video is a folder of 6 JPEG frames (indices 100..105) and proposals of pids 3, 7."""
    p = jpeg_project(tmp_path, range(100, 106), (H, W), lambda f: f)
    props = [Proposal(frame=f, pid=pid, box=(0, 0, 5, 5), mask=_mask(f * 10 + pid), source="bgs")
             for pid in (3, 7) for f in range(100, 106)]
    p.add_proposals(props)
    by = {(q.pid, q.frame): q.id for q in props}
    for f in (100, 101, 103):
        p.set_status(by[(3, f)], "accepted")
    p.set_mask(by[(3, 104)], _mask(999))
    p.set_status(by[(3, 105)], "rejected")
    for f in (101, 102):
        p.set_status(by[(7, f)], "accepted")
    yield p
    p.close()


EXPECT_3 = {100: _mask(1003), 101: _mask(1013), 103: _mask(1033), 104: _mask(999)}
EXPECT_7 = {101: _mask(1017), 102: _mask(1027)}


def test_collect_masks_sources(project):
    got = collect_masks(project, 3, "accepted")
    assert sorted(got) == sorted(EXPECT_3) and all(np.array_equal(got[f], EXPECT_3[f]) for f in got)
    run = project.add_run(3, "fast")
    project.save_results(3, run, {100: _mask(1), 105: _mask(2)})
    assert sorted(collect_masks(project, 3, "results")) == [100, 105]
    both = collect_masks(project, 3, "any")
    assert sorted(both) == [100, 101, 103, 104, 105] and np.array_equal(both[100], EXPECT_3[100])
    with pytest.raises(ExportError, match="unknown mask source"):
        collect_masks(project, 3, "maybe")


def test_davis_round_trip(tmp_path, project):
    out = tmp_path / "davis"
    summary = run_job(export_job(project, [3, 7], "davis", out, names={3: "../evil"}))
    assert summary["masks"] == 6 and summary["sequences"] == {"3": "evil", "7": "person_7"}
    for _pid, seq, expect in ((3, "evil", EXPECT_3), (7, "person_7", EXPECT_7)):
        ann = sorted((out / "Annotations" / f"{H}p" / seq).iterdir())
        assert [a.name for a in ann] == [f"{f:05d}.png" for f in sorted(expect)]
        for a in ann:
            img = cv2.imread(str(a), cv2.IMREAD_UNCHANGED)
            assert img.ndim == 2 and img.dtype == np.uint8 and set(np.unique(img)) <= {0, 255}
            assert np.array_equal(img == 255, expect[int(a.stem)])
        jpgs = sorted((out / "JPEGImages" / f"{H}p" / seq).iterdir())
        assert [j.stem for j in jpgs] == [a.stem for a in ann]
        frame = cv2.imread(str(jpgs[0]))
        assert frame.shape == (H, W, 3) and abs(int(frame.mean()) - int(jpgs[0].stem)) <= 2
    assert not (tmp_path / "evil").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["davis", "proj", "video"]  # no temp left


def test_davis_frames_are_the_source_jpegs_written_once_and_linked(tmp_path, project):
    """A JPEG source frame is copied byte for byte (no second JPEG generation), and a frame two persons
    share is one file on disk (hard link), not one copy per person."""
    out = tmp_path / "davis"
    run_job(export_job(project, [3, 7], "davis", out))
    source = tmp_path / "video" / "00101.jpg"
    mine = out / "JPEGImages" / f"{H}p" / "person_3" / "00101.jpg"
    theirs = out / "JPEGImages" / f"{H}p" / "person_7" / "00101.jpg"
    assert mine.read_bytes() == source.read_bytes() == theirs.read_bytes()
    assert mine.stat().st_ino == theirs.stat().st_ino and mine.stat().st_nlink == 2


def test_davis_frames_rotated_by_exif_are_written_upright(tmp_path):
    """A JPEG whose EXIF tag rotates it: the project decodes its stored pixels, so the masks follow them; a
    byte copy would carry the tag and EXIF-aware viewers would turn the frame under unturned masks. It is
    encoded again from the decoded pixels, without the tag."""
    from PIL import Image

    from humanseg_core.export.davis import _write_frame
    from humanseg_core.inputs.frames import open_frames

    video = tmp_path / "video"
    video.mkdir()
    pixels = np.zeros((H, W, 3), np.uint8)
    pixels[:, : W // 4] = 250  # a bright band on the left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 3  # shown rotated by 180 degrees
    Image.fromarray(pixels).save(video / "00000.jpg", exif=exif, quality=95)
    frames = open_frames(video)
    target = tmp_path / "out.jpg"
    assert _write_frame(frames, 0, target) == (H, W)
    assert target.read_bytes() != (video / "00000.jpg").read_bytes()
    with Image.open(target) as im:
        assert im.getexif().get(0x0112, 1) == 1
    written = cv2.imread(str(target), cv2.IMREAD_IGNORE_ORIENTATION | cv2.IMREAD_COLOR)
    assert np.allclose(written.astype(float), frames.read(0).astype(float), atol=12)


def test_palette_round_trip(tmp_path, project):
    out = tmp_path / "pal"
    summary = run_job(export_job(project, [7, 3], "palette", out))
    assert summary["frames"] == 5
    mapping = json.loads((out / "pids.json").read_text())
    assert mapping == {"0": "background", "1": "3", "2": "7"}
    for f in (100, 101, 102, 103, 104):
        im = Image.open(out / f"{f:05d}.png")
        assert im.mode == "P" and im.getpalette()[:9] == davis_palette()[:9]
        index = np.array(im)
        for i, pid in ((1, 3), (2, 7)):
            expect = {3: EXPECT_3, 7: EXPECT_7}[pid].get(f, np.zeros((H, W), bool))
            if pid == 3:  # the larger pid wins overlaps
                expect = expect & ~EXPECT_7.get(f, np.zeros((H, W), bool))
            assert np.array_equal(index == i, expect), (f, pid)
        assert set(np.unique(index)) <= {0, 1, 2}


def test_coco_round_trip(tmp_path, project):
    out = tmp_path / "coco"
    summary = run_job(export_job(project, [3, 7], "coco", out, with_images=True))
    assert summary["annotations"] == 6
    doc = json.loads((out / "annotations.json").read_text())
    assert doc["categories"] == [{"id": 1, "name": "person", "supercategory": "person"}]
    images = {im["id"]: im for im in doc["images"]}
    assert sorted(im["frame_index"] for im in images.values()) == [100, 101, 102, 103, 104]
    for ann in doc["annotations"]:
        frame = images[ann["image_id"]]["frame_index"]
        pid = ann["track_id"]
        assert ann["attributes"]["pid"] == pid and ann["category_id"] == 1
        seg = dict(ann["segmentation"], counts=ann["segmentation"]["counts"].encode())
        decoded = mask_utils.decode(seg).astype(bool)
        expect = {3: EXPECT_3, 7: EXPECT_7}[pid][frame]
        assert np.array_equal(decoded, expect)
        assert ann["area"] == int(expect.sum())
        ys, xs = np.nonzero(expect)
        assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        assert (out / "images" / images[ann["image_id"]]["file_name"]).is_file()


def test_mots_round_trip(tmp_path, project):
    out = tmp_path / "mots"
    run_job(export_job(project, [3, 7], "mots", out))
    mapping = json.loads((out / "pids.json").read_text())
    assert mapping == {"2003": 3, "2007": 7}  # a person's MOTS id is its own, whatever else is exported
    run_job(export_job(project, [7], "mots", tmp_path / "alone"))
    assert json.loads((tmp_path / "alone" / "pids.json").read_text()) == {"2007": 7}
    seen = set()
    for line in (out / "instances.txt").read_text().splitlines():
        t, oid, cls, h, w, counts = line.split(" ")
        assert (int(cls), int(h), int(w)) == (2, H, W)
        pid = mapping[oid]
        decoded = mask_utils.decode({"size": [H, W], "counts": counts.encode()}).astype(bool)
        expect = {3: EXPECT_3, 7: EXPECT_7}[pid][int(t)]
        if pid == 3:
            expect = expect & ~EXPECT_7.get(int(t), np.zeros((H, W), bool))
        assert np.array_equal(decoded, expect)
        seen.add((int(t), pid))
    assert seen == {(f, 3) for f in EXPECT_3} | {(f, 7) for f in EXPECT_7}


def test_mots_frames_numbered_from_0_or_1_and_read_back_as_video_frames(tmp_path, project):
    """KITTI MOTS counts a sequence's frames from 0 and MOTSChallenge from 1; the export wrote video frame indices
    only (the README said to shift them by hand). The shift is recorded, and the reader takes it back."""
    from humanseg_core.scene_metrics import mots_sets

    first = min(set(EXPECT_3) | set(EXPECT_7))
    plain = mots_sets(run_job(export_job(project, [3, 7], "mots", tmp_path / "asis"))["out"])
    assert json.loads((tmp_path / "asis" / "export.json").read_text())["frame_names"].startswith("video frame index")
    for base in (0, 1):
        out = tmp_path / f"from{base}"
        summary = run_job(export_job(project, [3, 7], "mots", out, first_frame=base))
        assert summary["time_frame_shift"] == base - first
        times = {int(line.split()[0]) for line in (out / "instances.txt").read_text().splitlines()}
        assert min(times) == base
        doc = json.loads((out / "export.json").read_text())
        assert doc["time_frame_shift"] == base - first
        # the words say so too (a review: "video frame index" beside a shift)
        assert doc["frame_names"].startswith("MOTS time_frame =") and f"first frame as {base}" in doc["frame_names"]
        back = mots_sets(out)
        assert {p: sorted(m) for p, m in back.items()} == {p: sorted(m) for p, m in plain.items()}
        assert all(np.array_equal(back[p][f], plain[p][f]) for p in plain for f in plain[p])
    # numbered from the video's first frame (100), whatever the persons exported: person 7 alone (frames 101, 102)
    # is not renumbered from its own first mask (a review: frame 50 read time 10 in one export, 40 in another)
    run_job(export_job(project, [7], "mots", tmp_path / "seven", first_frame=0))
    assert sorted({int(line.split()[0]) for line in (tmp_path / "seven" / "instances.txt").read_text().splitlines()}) \
        == [1, 2]
    with pytest.raises(ExportError, match="for the MOTS format"):
        run_job(export_job(project, [3], "palette", tmp_path / "pal", first_frame=1))
    moved = Project.create(tmp_path / "moved", ProjectInputs(video=str(tmp_path / "gone"), trajectories="t"))
    moved.add_proposals([Proposal(frame=4, pid=1, box=(0, 0, 5, 5), mask=_mask(7), source="bgs", status="accepted")])
    with pytest.raises(ExportError, match="need the video's first frame, and the video does not open.*'Video frame"):
        run_job(export_job(moved, [1], "mots", tmp_path / "m1", first_frame=1))
    run_job(export_job(moved, [1], "mots", tmp_path / "m2"))  # the video's own index: no video needed
    moved.close()
    # the command lines: humanseg export, and a whole-scene run's configuration
    from humanseg_core.cli import main
    from humanseg_core.errors import HumansegError
    from humanseg_core.workflows.scene_config import SceneRunConfig

    folder = str(project.folder)
    project.close()
    assert main(["export", "--project", folder, "--format", "mots", "--out", str(tmp_path / "cli"),
                 "--mots-first-frame", "1"]) == 0
    assert min(int(line.split()[0]) for line in (tmp_path / "cli" / "instances.txt").read_text().splitlines()) == 1
    assert SceneRunConfig(fmt="mots", mots_first_frame=0).mots_first_frame == 0
    with pytest.raises(HumansegError, match="--mots-first-frame 1: for --format mots"):
        SceneRunConfig(fmt="davis", mots_first_frame=1)


@pytest.mark.parametrize("name, expect", [("../evil", "evil"), ("../../etc/passwd", "etc_passwd"), ("..", "dflt"),
                                          ("a/b\\c", "a_b_c"), ("", "dflt"), (None, "dflt"), (".hidden", "hidden"),
                                          ("Zoë Ünïcode", "Zoë_Ünïcode"), ("a\x00b\n", "a_b"),
                                          ("/abs/path", "abs_path")])
def test_sanitise_name(name, expect):
    got = sanitise_name(name, "dflt")
    assert got == expect and "/" not in got and "\\" not in got and not got.startswith(".")


def test_no_overwrite_without_force(tmp_path, project):
    out = tmp_path / "pal"
    run_job(export_job(project, [3], "palette", out))
    (out / "marker").write_text("old")
    for force in (False, True):  # said before --force is (a walk was told to use --force, then refused for it)
        with pytest.raises(ExportError, match="holds marker, which no export wrote"):  # added beside the masks: kept
            run_job(export_job(project, [3, 7], "palette", out, force=force))
    assert (out / "marker").read_text() == "old"
    (out / "marker").unlink()
    with pytest.raises(ExportError, match="holds an earlier export.*--force"):
        run_job(export_job(project, [3, 7], "palette", out))
    run_job(export_job(project, [3, 7], "palette", out, force=True))  # the earlier export alone: replaced
    assert json.loads((out / "pids.json").read_text())["2"] == "7"
    empty = tmp_path / "empty"
    empty.mkdir()
    run_job(export_job(project, [3], "mots", empty))  # an empty folder is not overwritten
    assert (empty / "instances.txt").is_file()


def test_never_exports_over_the_project(project):
    with pytest.raises(ExportError, match="project folder"):
        run_job(export_job(project, [3], "palette", project.folder, force=True))
    with pytest.raises(ExportError, match="the folder holds the project"):
        run_job(export_job(project, [3], "palette", project.folder.parent, force=True))
    assert Project.open(project.folder).counts(3)["accepted"] == 3


def test_disk_full_keeps_previous_export_and_project(tmp_path, project, monkeypatch):
    out = tmp_path / "davis"
    run_job(export_job(project, [3], "davis", out))
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    calls = {"n": 0}
    real = atomic.write_bytes

    def full(path, data):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", full)
    with pytest.raises(ExportError) as err:
        run_job(export_job(project, [3, 7], "davis", out, force=True))
    msg = str(err.value)
    assert "disk is full" in msg and "previous export, if any, and the project are untouched" in msg and str(out) in msg
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["davis", "proj", "video"]  # temp folder removed
    monkeypatch.undo()
    again = Project.open(project.folder)
    assert sorted(again.accepted_masks(3)) == sorted(EXPECT_3)
    again.close()


def test_nothing_to_export_and_bad_format(tmp_path, project):
    with pytest.raises(ExportError, match="nothing to export"):
        run_job(export_job(project, [42], "coco", tmp_path / "x"))
    run = project.add_run(42, "osvos-lite")  # results but no accepted masks: the message says what to export
    project.save_results(42, run, {0: np.ones((4, 4), bool)})
    with pytest.raises(ExportError, match=r"no accepted or edited proposals for person 42; they have segmentation "
                                          r"results: export those with --source results"):
        run_job(export_job(project, [42], "coco", tmp_path / "x"))
    # pending proposals only (a walk's --source any): said, with the ways to them
    project.add_proposals([Proposal(frame=0, pid=43, box=(0, 0, 4, 4), mask=np.ones((4, 4), bool), source="bgs")])
    with pytest.raises(ExportError, match=r"no accepted or edited proposals, nor segmentation results for person "
                                          r"43; their proposals wait for review .*humanseg masks --pid N --status any"):
        run_job(export_job(project, [43], "coco", tmp_path / "x", source="any"))
    with pytest.raises(ExportError, match="unknown export format"):
        run_job(export_job(project, [3], "png", tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_mask_size_differs_from_video(tmp_path, project):
    project.add_proposals([Proposal(frame=100, pid=9, box=(0, 0, 1, 1), mask=np.ones((8, 8), bool), source="bgs",
                                    status="accepted")])
    with pytest.raises(ExportError, match="8x8 but the video frame is 56x40"):
        run_job(export_job(project, [9], "davis", tmp_path / "d"))
    assert not (tmp_path / "d").exists()


def test_every_format_gives_a_shared_pixel_to_the_same_person(tmp_path, project):
    """A walk retrained one person after a whole-scene run: its new results overlapped two neighbours', the DAVIS
    export kept 538 pixels on two persons and the MOTS export gave them to one, so the two formats scored
    differently. Every export now resolves overlaps once, nearer (mask reaching lower) wins."""
    far, near = np.zeros((H, W), bool), np.zeros((H, W), bool)
    far[5:30, 10:30] = True  # feet at row 29
    near[10:36, 20:40] = True  # feet at row 35: nearer
    shared = int((far & near).sum())
    for pid, mask in ((3, far), (7, near)):
        run = project.add_run(pid, "fast")
        project.save_results(pid, run, {100: mask})
    summaries = {fmt: run_job(export_job(project, [3, 7], fmt, tmp_path / fmt, source="results"))
                 for fmt in ("davis", "mots", "palette")}
    assert {s["overlap_pixels"] for s in summaries.values()} == {shared}
    davis = {pid: cv2.imread(str(tmp_path / "davis" / "Annotations" / f"{H}p" / f"person_{pid}" / "00100.png"),
                             cv2.IMREAD_GRAYSCALE) > 0 for pid in (3, 7)}
    assert np.array_equal(davis[3], far & ~near) and np.array_equal(davis[7], near)
    mapping = json.loads((tmp_path / "mots" / "pids.json").read_text())
    for line in (tmp_path / "mots" / "instances.txt").read_text().splitlines():
        _t, oid, _c, h, w, counts = line.split(" ")
        decoded = mask_utils.decode({"size": [int(h), int(w)], "counts": counts.encode()}).astype(bool)
        assert np.array_equal(decoded, davis[mapping[oid]])
    index = np.array(Image.open(tmp_path / "palette" / "00100.png"))
    pids = json.loads((tmp_path / "palette" / "pids.json").read_text())
    by_pid = {int(pid): int(i) for i, pid in pids.items() if pid != "background"}
    assert all(np.array_equal(index == by_pid[pid], davis[pid]) for pid in (3, 7))  # not "the larger pid wins"


def test_every_export_says_what_it_holds_and_where_it_came_from(tmp_path, project):
    """A researcher's walk found only file names in an export: no source, no run, no frame numbering."""
    run = project.add_run(3, "fast")
    project.save_results(3, run, {100: _mask(1), 101: _mask(2)})
    out = tmp_path / "res"
    summary = run_job(export_job(project, [3], "mots", out, source="results"))
    doc = json.loads((out / "export.json").read_text())
    assert doc["format"] == "mots" and doc["source"] == "results" and doc["persons"] == [3]
    assert doc["runs"] == {"3": run} and summary["runs"] == {3: run}
    assert doc["project"] == str(project.folder.absolute()) and doc["inputs"]["video"] == project.inputs.video
    assert doc["inputs"]["frame_offset"] == 0 and "video frame index" in doc["frame_names"]
    assert doc["inputs"]["positions"].startswith("approximate: no homography")  # the reader learns it (a walk)
    # how they were read (a walk: an ETH H.txt read as (row, col) was named without it)
    assert {k: doc["inputs"][k] for k in ("h_order", "h_direction", "traj_format")} == \
        {"h_order": project.inputs.h_order, "h_direction": project.inputs.h_direction,
         "traj_format": project.inputs.traj_format}
    assert doc["humanseg_version"] and doc["written"]
    assert doc["run_labels"] == {"3": "reviewed"} and doc["agreement"] == {}  # trained on reviewed labels
    assert doc["files"].startswith("instances.txt") and "pids.json" in doc["files"]
    again = run_job(export_job(project, [3], "mots", out, source="results", force=True))  # replaced as an export
    assert again["persons"] == [3]


@pytest.mark.parametrize("fmt", ["davis", "palette", "coco", "mots"])
def test_an_empty_mask_is_left_out_of_every_format_and_named(tmp_path, project, fmt):
    """A walk found zero-area COCO annotations (bbox [0, 0, 0, 0]) and persons with 250 masks in DAVIS but 244 in
    MOTS, with no word why: a result mask without a pixel (the person hidden or gone there)."""
    run = project.add_run(3, "fast")
    project.save_results(3, run, {100: _mask(1), 101: np.zeros((H, W), bool), 102: _mask(2)})
    summary = run_job(export_job(project, [3], fmt, tmp_path / fmt, source="results"))
    assert summary["masks"] == 2 and summary["blank_masks_left_out"] == {"3": [101]}
    if fmt == "coco":
        doc = json.loads((tmp_path / fmt / "annotations.json").read_text())
        assert [a["area"] > 0 for a in doc["annotations"]] == [True, True]
    if fmt == "mots":
        assert len((tmp_path / fmt / "instances.txt").read_text().splitlines()) == 2


def test_a_mask_whose_every_pixel_a_nearer_person_takes_is_named_as_taken_not_empty(tmp_path, project):
    """A walk imported one person's masks for two: the export called the farther one's "empty ... the person hidden
    or gone there", as if its labels were lost."""
    far, near = np.zeros((H, W), bool), np.zeros((H, W), bool)
    far[5:30, 10:30] = True
    near[0:36, 5:40] = True  # covers all of it, its feet lower: nearer
    runs = {pid: project.add_run(pid, "fast") for pid in (3, 7)}
    project.save_results(3, runs[3], {100: far, 101: np.zeros((H, W), bool), 102: far})
    project.save_results(7, runs[7], {100: near})
    summary = run_job(export_job(project, [3, 7], "davis", tmp_path / "out", source="results"))
    assert summary["blank_masks_left_out"] == {"3": [101]}  # empty as stored
    assert summary["masks_taken_by_others"] == {"3": [100]}  # had pixels: every one went to person 7


def test_the_analysts_mask_keeps_its_pixels_against_a_nearer_persons_result(tmp_path, project):
    """A walk painted person 176 by hand on every annotated frame; the export gave 152 of 514 painted pixels on
    frame 4300 to person 177, whose unreviewed network result stood nearer. With labels in the export (source
    any), the analyst's mask wins; results alone still go by depth, in every format alike."""
    far, near = np.zeros((H, W), bool), np.zeros((H, W), bool)
    far[5:30, 10:30] = True  # person 3's hand-edited mask on frame 104 (feet at row 29)
    near[10:36, 20:40] = True  # person 7's result there, nearer (feet at row 35)
    pid3 = next(p for p in project.proposals(3, with_masks=False) if p.frame == 104)
    project.set_mask(pid3.id, far)
    run = project.add_run(7, "fast")
    project.save_results(7, run, {104: near})
    shared = int((far & near).sum())
    for fmt in ("davis", "mots", "palette"):
        summary = run_job(export_job(project, [3, 7], fmt, tmp_path / fmt, source="any"))
        assert summary["overlap_pixels"] == shared
    davis = {pid: cv2.imread(str(tmp_path / "davis" / "Annotations" / f"{H}p" / f"person_{pid}" / "00104.png"),
                             cv2.IMREAD_GRAYSCALE) > 0 for pid in (3, 7)}
    assert np.array_equal(davis[3], far) and np.array_equal(davis[7], near & ~far)
    index = np.array(Image.open(tmp_path / "palette" / "00104.png"))
    pids = json.loads((tmp_path / "palette" / "pids.json").read_text())
    by_pid = {int(pid): int(i) for i, pid in pids.items() if pid != "background"}
    assert np.array_equal(index == by_pid[3], far)


def test_an_export_says_where_its_points_came_from(tmp_path):
    from humanseg_core.export import positions_text
    from humanseg_core.inputs.homography import ESTIMATED_MARK

    estimated = tmp_path / "H_estimated.txt"
    estimated.write_text(f"# {ESTIMATED_MARK}\n# approximate: 236 of 346 positions matched (median 3.4 px)\n"
                         "1 0 0\n0 1 0\n0 0 1\n")
    given = tmp_path / "H.txt"
    given.write_text("1 0 0\n0 1 0\n0 0 1\n")
    assert positions_text(str(estimated)) == ("approximate: a homography estimated from the video (236 of 346 "
                                              "positions matched (median 3.4 px))")
    assert positions_text(str(given)) == "the homography given"


def test_the_palette_is_davis_own():
    """Person 1 dark red, 2 dark green, 3 olive, 4 dark blue: the DAVIS / PASCAL VOC colours tools expect."""
    assert davis_palette()[:15] == [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0, 0, 0, 128]
    assert len(davis_palette()) == 768
