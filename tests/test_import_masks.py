"""`humanseg import` / workflows.labels: a DAVIS-style mask folder becomes accepted labels to train on."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from fakes import run_cli as _run
from PIL import Image

from humanseg_core.demo import write_demo
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "demo", seed=1, n_frames=21, width=320, height=256)


@pytest.fixture
def project(demo, tmp_path):
    inputs = ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                           homography=str(demo / "H.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    return tmp_path / "proj"


def _pid_with_masks(demo):
    return max((d for d in (demo / "gt").iterdir()), key=lambda d: len(list(d.glob("*.png"))))


def _apart(demo, gt):
    """(the other person standing more than 60 px from gt's person on most of its mask frames, those frames)."""
    from humanseg_core.inputs.scene import load_scene

    pid = int(gt.name)
    scene = load_scene(demo / "frames", demo / "trajectories.txt", demo / "H.txt")
    try:
        def gap(other: int, frame: int) -> float:
            a, b = scene.position_px(pid, frame), scene.position_px(other, frame)
            return float(np.hypot(a[0] - b[0], a[1] - b[1])) if a is not None and b is not None else 0.0

        frames = [int(f.stem) for f in sorted(gt.glob("*.png"))]
        other = max((int(d.name) for d in (demo / "gt").iterdir() if int(d.name) != pid),
                    key=lambda q: sum(gap(q, f) > 60 for f in frames))
        return other, [f for f in frames if gap(other, f) > 60]
    finally:
        scene.close()


@pytest.mark.slow  # trains a few steps
def test_import_binary_masks_then_train(capsys, demo, project):
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import train_person

    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    files = sorted(gt.glob("*.png"))
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", gt)
    assert code == 0, err
    assert doc["imported"] + len(doc["empty"]) == len(files) and doc["imported"] >= 3
    with Project.open(project) as p:
        labels = p.accepted_masks(pid)
        frame = doc["frames"][0]
        truth = cv2.imread(str(gt / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0
        assert np.array_equal(labels[frame], truth)
        config = TrainConfig(model="osvos-lite", steps=2, refine_labels=False, from_scratch=True, prior=False,
                             batch_size=1, max_side=160)
        run = run_job(train_person(p, pid, config))
        assert p.runs(pid)[-1]["id"] == run.run_id and run.steps == 2
    code, doc, _ = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", gt)  # again: no duplicate
    with Project.open(project) as p:
        assert len(p.proposals(pid, with_masks=False)) == doc["imported"]


def test_import_palette_value_and_clear_errors(capsys, demo, project, tmp_path):
    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    frame = int(sorted(gt.glob("*.png"))[0].stem)
    truth = cv2.imread(str(gt / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0
    pal = tmp_path / "pal"
    pal.mkdir()
    index = np.zeros(truth.shape, np.uint8)
    index[truth] = 2
    index[:5, :5] = 1  # another object
    img = Image.fromarray(index, mode="P")
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    img.save(pal / f"{frame:05d}.png")
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal, "--value", 2)
    assert code == 0, err
    with Project.open(project) as p:
        assert np.array_equal(p.accepted_masks(pid)[frame], truth)
    # a new-user walk imported a 24-person palette folder without --value: the whole crowd became one label
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal)
    assert code == 2 and f"{frame:05d}.png" in err and "holds 2 persons (indices 1, 2)" in err and "--value" in err
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal, "--value", 7)
    assert code == 2 and "no mask holds the value 7 (the values in use: 1, 2)" in err  # it exited 0, 0 imported
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal, "--value", 0)
    assert code == 2 and "--value 0" in err
    # a palette export's pids.json names the person's index: no --value needed (a walk was told "values 1, 2, 3")
    (pal / "pids.json").write_text(f'{{"0": "background", "1": "9999", "2": "{pid}"}}\n')
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal)
    assert code == 0 and f"person {pid} is index 2 in" in err and "pids.json" not in str(doc["ignored"])
    with Project.open(project) as p:  # nothing of the refused imports was stored
        assert np.array_equal(p.accepted_masks(pid)[frame], truth)
    bad = tmp_path / "bad"
    bad.mkdir()
    cv2.imwrite(str(bad / "00003.png"), np.full((10, 10), 255, np.uint8))
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", bad)
    assert code == 2 and "00003.png" in err and "10x10" in err and "320x256" in err
    (bad / "00003.png").unlink()
    cv2.imwrite(str(bad / "09999.png"), np.full((256, 320), 255, np.uint8))
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", bad)
    assert code == 2 and "09999.png" in err and "not a frame of the video" in err


def test_a_label_imported_again_gets_the_new_masks_box(project):
    """Re-importing a person's frames replaced the mask but kept the first mask's box, so the review framed
    the wrong place (a crowd mask's box around a 60-px person)."""
    from humanseg_core.workflows.labels import IMPORT_SOURCE, set_label

    crowd = np.zeros((256, 320), bool)
    crowd[20:200, 10:300] = True
    person = np.zeros((256, 320), bool)
    person[60:120, 100:120] = True
    with Project.open(project) as p:
        scene = p.load_scene()
        pid = scene.pids[0]
        scene.close()
        first = set_label(p, pid, 3, crowd, IMPORT_SOURCE)
        again = set_label(p, pid, 3, person, IMPORT_SOURCE)
        stored = p.get_proposal(again)
    assert again == first and stored.box == (100, 60, 120, 120) and np.array_equal(stored.mask, person)


def test_pending_proposals_on_imported_frames_are_set_aside(project, tmp_path):
    """An import left the person's pending proposals on the same frames in the review queue, and `decide
    --accept-all` then accepted a second label there. They are rejected (kept); other frames stay pending."""
    from humanseg_core.jobs import run_job
    from humanseg_core.records import Proposal
    from humanseg_core.workflows.labels import import_masks

    box = (100, 60, 120, 120)
    m = np.zeros((256, 320), bool)
    m[60:120, 100:120] = True
    folder = tmp_path / "masks"
    folder.mkdir()
    cv2.imwrite(str(folder / "00003.png"), m.astype(np.uint8) * 255)
    with Project.open(project) as p:
        scene = p.load_scene()
        pid, other = scene.pids[0], scene.pids[1]
        scene.close()
        p.add_proposals([Proposal(frame=f, pid=q, box=box, mask=m, source="bgs+parent")
                         for f in (3, 5) for q in (pid, other)])
        summary = run_job(import_masks(p, pid, folder))
        status = {(q.pid, q.frame, q.source): q.status for q in p.proposals(with_masks=False)}
    assert summary.imported == [3] and len(summary.set_aside) == 1
    assert status[(pid, 3, "bgs+parent")] == "rejected"
    assert status[(pid, 5, "bgs+parent")] == "pending"
    assert status[(other, 3, "bgs+parent")] == "pending"  # another person's proposal is not touched


def test_an_import_says_what_it_left_out_replaced_or_doubts(capsys, demo, project, tmp_path):
    """A walk importing its own masks: a duplicate frame number silently kept the wrong file, a re-import replaced
    a label without a word, an RGBA mask drawn in its alpha read as empty, an empty mask and a .jpg were left out
    unsaid, and a mask on a frame outside the person's track was taken without a doubt."""
    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    files = sorted(gt.glob("*.png"))
    first, second = files[0], files[1]
    twice = tmp_path / "twice"
    twice.mkdir()
    frame = int(first.stem)
    (twice / first.name).write_bytes(first.read_bytes())
    (twice / f"{frame}.png").write_bytes(second.read_bytes())  # the same frame number, another file
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", twice)
    assert code == 2 and f"frame {frame} again" in err and "nothing was imported" in err
    with Project.open(project) as p:
        assert p.proposals(pid, with_masks=False) == []
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    truth = cv2.imread(str(first), cv2.IMREAD_GRAYSCALE) > 0
    rgba = np.zeros((*truth.shape, 4), np.uint8)
    rgba[..., 3] = truth * 255  # black everywhere, the mask in the alpha channel
    cv2.imwrite(str(mixed / first.name), rgba)
    cv2.imwrite(str(mixed / f"{int(second.stem):05d}.png"), np.zeros(truth.shape, np.uint8))  # empty
    (mixed / "notes.jpg").write_bytes(b"x")
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", mixed)
    assert code == 0 and doc["frames"] == [frame] and doc["empty"] == [int(second.stem)]
    assert "1 empty mask not imported" in err and "notes.jpg" in err and doc["ignored"] == ["notes.jpg"]
    with Project.open(project) as p:
        assert np.array_equal(p.accepted_masks(pid)[frame], truth)  # the alpha channel, read
    again = tmp_path / "again"
    again.mkdir()
    square = np.zeros(truth.shape, np.uint8)
    square[10:30, 10:30] = 255
    cv2.imwrite(str(again / first.name), square)
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", again, "--force")
    assert code == 0 and doc["replaced"] == [frame] and f"1 label of person {pid} replaced" in err
    kept = Path(doc["replaced_kept_in"])  # the earlier mask as a file (a data-safety review: only in the history table)
    assert kept.parent == Path(project) / "replaced_labels" / str(pid) and kept.name in err
    assert [p.name for p in kept.iterdir()] == [f"{frame:05d}.png"]
    assert np.array_equal(cv2.imread(str(kept / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0, truth)
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", kept)  # and back
    assert code == 0 and doc["replaced"] == [frame]
    with Project.open(project) as p:
        assert np.array_equal(p.accepted_masks(pid)[frame], truth)
    code, doc, err = _run(capsys, "import", "--project", tmp_path / "none", "--pid", pid, "--masks", again)
    assert code == 2 and "make the project first: humanseg propose" in err
    late = files[-1]  # a person whose track stops before that frame: another's masks? (said, a walk)
    rows = [r.split() for r in (demo / "trajectories.txt").read_text().splitlines() if r.strip()]
    other = next(int(float(r[1])) for r in rows if int(float(r[1])) != pid)
    cut = tmp_path / "cut.txt"
    cut.write_text("".join("\t".join(r) + "\n" for r in rows
                           if int(float(r[1])) != other or float(r[0]) < int(late.stem) - 5))
    Project.create(tmp_path / "proj2", ProjectInputs(video=str(demo / "frames"), trajectories=str(cut),
                                                     homography=str(demo / "H.txt"))).close()
    one = tmp_path / "one"
    one.mkdir()
    (one / late.name).write_bytes(late.read_bytes())
    code, doc, err = _run(capsys, "import", "--project", tmp_path / "proj2", "--pid", other, "--masks", one)
    assert code == 2 and "1 of these 1 masks lie more than 18 px from" in err and "or outside its track" in err
    code, doc, err = _run(capsys, "import", "--project", tmp_path / "proj2", "--pid", other, "--masks", one,
                          "--force")  # taken when asked for, and said
    assert code == 0 and doc["outside_span"] == [int(late.stem)] and f"lie outside person {other}'s track" in err


def test_masks_far_from_the_persons_track_point_are_imported_and_named(capsys, demo, project, tmp_path):
    """A walk imported another person's masks into frames of a person's track: taken without a word."""

    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", gt)  # its own: quiet
    assert code == 0 and doc["far_from_track"] == [] and "track point" not in err
    assert err.count("] read ") <= 3 < doc["imported"]  # progress throttled (a re-walk read a line per mask)
    other, apart = _apart(demo, gt)
    assert apart
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", other, "--masks", gt, "--force")
    assert code == 0 and set(apart) <= set(doc["far_from_track"]) and set(doc["far_from_track"]) <= set(doc["frames"])
    assert f"the mask lies more than 18 px from person {other}'s track point" in err, err
    assert "another person's mask, or another frame numbering? Imported" in err


def test_replaced_labels_that_cannot_be_written_leave_no_folder_behind(tmp_path, monkeypatch):
    """A review: a failed write of the replaced labels' masks (or a Ctrl-C) left the hidden half-written folder."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.workflows import labels

    calls = []

    def second_fails(path, img):
        calls.append(path)
        return len(calls) < 2 and cv2.imwrite(path, img)

    monkeypatch.setattr(labels.cv2, "imwrite", second_fails)
    masks = {f: np.ones((4, 4), bool) for f in (1, 2, 3)}
    with pytest.raises(HumansegError, match="could not be kept there"):
        labels.keep_replaced_labels(tmp_path, 7, masks)
    assert list((tmp_path / "replaced_labels" / "7").iterdir()) == []
    monkeypatch.undo()
    kept = labels.keep_replaced_labels(tmp_path, 7, masks)
    assert sorted(p.name for p in kept.iterdir()) == ["00001.png", "00002.png", "00003.png"]


def test_another_persons_masks_are_refused_unless_forced(capsys, demo, project, tmp_path):
    """A walk imported person 79's masks as person 80's: 101 labels stored, a note after, and no undo. Most masks
    far from the person's track point: nothing is stored, the command says why; --force imports them."""
    import shutil


    gt = _pid_with_masks(demo)
    other, apart = _apart(demo, gt)
    theirs = tmp_path / "theirs"  # pid's masks where the two stand apart: all far from other's track point
    theirs.mkdir()
    for f in apart:
        shutil.copy(gt / f"{f:05d}.png", theirs / f"{f:05d}.png")
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", other, "--masks", theirs)
    assert code == 2 and f"{len(apart)} of these {len(apart)} masks lie more than 18 px from person {other}'s" in err
    assert "another person's masks, or another frame numbering? Nothing was imported (--force imports them)" in err
    with Project.open(project) as p:
        assert p.accepted_masks(other) == {}
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", other, "--masks", theirs, "--force")
    assert code == 0 and doc["imported"] == len(apart) and doc["far_from_track"] == apart


def test_a_folder_named_for_another_person_is_refused_unless_forced(capsys, demo, project, tmp_path):
    """A walk's crowd: gt/260 imported as person 257's labels without a word (the masks lay near enough 257's
    track to pass the distance check)."""
    import shutil

    gt = _pid_with_masks(demo)
    other = next(int(d.name) for d in (demo / "gt").iterdir() if int(d.name) != int(gt.name))
    named = tmp_path / f"person_{gt.name}"
    shutil.copytree(gt, named)
    code, _doc, err = _run(capsys, "import", "--project", project, "--pid", other, "--masks", named)
    assert code == 2 and f"the folder is named for person {gt.name}, and its masks would be person {other}'s" in err
    assert "(--force imports them)" in err
    with Project.open(project) as p:
        assert p.accepted_masks(other) == {}
    code, doc, _err = _run(capsys, "import", "--project", project, "--pid", gt.name, "--masks", named)
    assert code == 0 and doc["imported"] > 0  # its own person: no question


def test_an_import_replaces_every_label_of_its_frames(demo, project, tmp_path):
    """A data-safety walk imported a mask over an edited frame: the frame kept two labels (the edit and the
    import), and a later save of the edit won, unsaid. The frame's other labels are set aside (rejected, kept)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.labels import import_masks

    gt = _pid_with_masks(demo)
    pid, first = int(gt.name), sorted(gt.glob("*.png"))[0]
    frame = int(first.stem)
    truth = cv2.imread(str(first), cv2.IMREAD_GRAYSCALE) > 0
    with Project.open(project) as p:
        p.add_proposals([Proposal(frame=frame, pid=pid, box=(0, 0, 5, 5), mask=truth, source="bgs", status="accepted"),
                         Proposal(frame=frame, pid=pid, box=(0, 0, 5, 5), mask=truth, source="hand",
                                  status="edited")])
        one = tmp_path / "one"
        one.mkdir()
        (one / first.name).write_bytes(first.read_bytes())
        summary = run_job(import_masks(p, pid, one))
        rows = {r.source: r.status for r in p.proposals(pid, with_masks=False) if r.frame == frame}
        assert rows == {"bgs": "rejected", "hand": "rejected", "import": "edited"} and len(summary.superseded) == 2
        assert p.label_frame_counts()[pid] == 1


def test_a_folder_numbered_for_a_sequence_is_no_persons_name():
    """A review: KITTI-MOTS's ``instances/0002`` (a sequence) was read as named for person 2, and its import refused
    as another person's; a person's folder is ``2``, ``0002`` (elsewhere), ``person_2``, ``p2``."""
    from pathlib import Path

    from humanseg_core.workflows.labels import _named_pid

    names = ("instances/0002", "gt/0002", "2", "260", "person_260", "p007", "pid-7", "0", "2a", "_260",
             "x/instances/p3", "instances/260", "masks/instances/7", "instances/0260")
    # a sequence's number is KITTI-MOTS's four zero-padded digits; any other under instances/ names a person
    assert [_named_pid(Path(n)) for n in names] == [None, 2, 2, 260, 260, 7, 7, 0, None, 260, 3, 260, 7, None]


def test_masks_numbered_on_the_recordings_clock_are_read_with_the_projects_offset(capsys, demo, tmp_path):
    """A walk's MP4 clip (frames 0..99) read its trajectory file with frame offset -10280; the dataset's masks,
    10280.png on, were refused as "not a frame of the video" with no hint. Now read as the trajectories are."""
    import shutil

    rows = []
    for line in (demo / "trajectories.txt").read_text().splitlines():
        if line.strip():
            f, p, x, y = line.split()
            rows.append(f"{int(float(f)) + 10280} {p} {x} {y}")
    (tmp_path / "recording.txt").write_text("\n".join(rows) + "\n")
    inputs = ProjectInputs(video=str(demo / "frames"), trajectories=str(tmp_path / "recording.txt"),
                           homography=str(demo / "H.txt"), frame_offset=-10280)
    Project.create(tmp_path / "proj", inputs).close()
    gt = _pid_with_masks(demo)
    renamed = tmp_path / "masks" / gt.name
    renamed.mkdir(parents=True)
    for png in gt.glob("*.png"):
        shutil.copy(png, renamed / f"{int(png.stem) + 10280:05d}.png")
    code, doc, err = _run(capsys, "import", "--project", tmp_path / "proj", "--pid", int(gt.name), "--masks", renamed)
    assert code == 0, err
    first = min(int(p.stem) for p in gt.glob("*.png"))
    assert doc["renumbered"] and f"{first + 10280:05d}.png is the video's frame {first}" in err
    with Project.open(tmp_path / "proj") as p:
        labels = p.accepted_masks(int(gt.name))
        frame = doc["frames"][0]
        assert np.array_equal(labels[frame], cv2.imread(str(gt / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0)
    shutil.copy(next(gt.glob("*.png")), renamed / "99999.png")  # one not on either clock: refused, with the hint
    code, _doc, err = _run(capsys, "import", "--project", tmp_path / "proj", "--pid", int(gt.name), "--masks", renamed)
    assert code != 0 and "is not a frame of the video" in err and "project's frame offset (-10280)" in err
