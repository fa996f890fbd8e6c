"""A project whose inputs moved: every command names them as the project's and says how to point it at the new
place; ``humanseg relocate`` does so, refusing a video of another frame size (a walk's CLI said only "no such
video file or folder", and ``propose --video NEW`` called the new place "not used")."""

import json

import cv2
import numpy as np
import pytest
from fakes import jpeg_project
from fakes import run_cli as _run

from humanseg_core.errors import ProjectError
from humanseg_core.project import Project
from humanseg_core.records import Proposal

H, W = 36, 48


@pytest.fixture
def moved(tmp_path):
    (tmp_path / "t.txt").write_text("10 1 1.0 1.0\n12 1 1.5 1.0\n")
    with jpeg_project(tmp_path, range(10, 14), (H, W), lambda f: 40 + f) as p:
        mask = np.zeros((H, W), bool)
        mask[5:20, 10:18] = True
        p.add_proposals([Proposal(frame=10, pid=1, box=(10, 5, 18, 20), mask=mask, source="bgs")])
        p.add_proposals([Proposal(frame=12, pid=1, box=(10, 5, 18, 20), mask=mask, source="bgs", status="accepted")])
        assert p.load_scene() is not None
    (tmp_path / "video").rename(tmp_path / "video_moved")
    return tmp_path


def test_a_moved_video_is_named_as_the_projects_with_the_way_back(moved):
    with Project.open(moved / "proj") as p, pytest.raises(ProjectError) as err:
        p.load_scene()
    text = str(err.value)
    assert f"project {moved / 'proj'}: not found where the project left it: its video {moved / 'video'}" in text
    assert f"humanseg relocate --project {moved / 'proj'} --video NEW" in text and "results are kept" in text


def test_relocate_points_the_project_at_the_new_place(moved, capsys):
    small = moved / "small"
    small.mkdir()
    cv2.imwrite(str(small / "00010.jpg"), np.zeros((H // 2, W // 2, 3), np.uint8))
    code, doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", small)
    assert code == 2 and "not this project's video" in err and "nothing was changed" in err
    renumbered = moved / "renumbered"  # a re-encoded copy numbered from 0: every later run failed (a walk)
    renumbered.mkdir()
    for f in range(4):
        cv2.imwrite(str(renumbered / f"{f:05d}.jpg"), np.zeros((H, W, 3), np.uint8))
    code, doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", renumbered)
    assert code == 2 and "its frames are numbered 0..3 but the project's masks lie on frames 10..12" in err
    assert "nothing was changed" in err
    code, doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", moved / "nowhere")
    assert code == 2 and "no such file or folder" in err
    shorter = moved / "shorter"  # a copy cut after frame 11: taken, and what it loses said (a walk: not a word)
    shorter.mkdir()
    for f in (10, 11):
        cv2.imwrite(str(shorter / f"{f:05d}.jpg"), np.zeros((H, W, 3), np.uint8))
    code, doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", shorter)
    assert code == 0 and "has proposals or results on 1 frame this video does not have (12; the video: 10..11" in err
    assert "cannot be shown, reviewed or exported with it" in err
    code, doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", moved / "video_moved")
    assert code == 0 and doc["relocated"]["video"] == str(moved / "video_moved") and doc["still_missing"] == {}
    with Project.open(moved / "proj") as p:
        scene = p.load_scene()
        assert scene.frames.indices[0] == 10
        scene.close()
        assert p.counts(1) == {"pending": 1, "accepted": 1, "rejected": 0, "edited": 0}  # kept as they were


def test_an_export_that_reads_the_moved_video_names_it_as_the_projects(moved, capsys):
    """A re-walk's DAVIS export of a project whose video moved said only "no such video file or folder"."""
    code, _doc, err = _run(capsys, "export", "--project", moved / "proj", "--pids", "all", "--format", "davis",
                           "--out", moved / "out")
    assert code == 2 and "humanseg relocate --project" in err and f"its video {moved / 'video'}" in err
    code, _doc, err = _run(capsys, "export", "--project", moved / "proj", "--pids", "all", "--format", "palette",
                           "--out", moved / "pal")
    assert code == 0  # a format that reads no frame exports without the video


def test_relocate_to_another_scenes_homography_says_it_does_not_fit(small_demo, tmp_path, capsys):
    """A walk's `relocate --homography` took another scene's matrix without a word; it is kept as given, and the
    video check's warning is said."""
    from humanseg_core.records import ProjectInputs

    Project.create(tmp_path / "proj", ProjectInputs(video=str(small_demo / "frames"),
                                                    trajectories=str(small_demo / "trajectories.txt"),
                                                    homography=str(small_demo / "H.txt"))).close()
    bad = tmp_path / "other_scene_H.txt"
    np.savetxt(bad, np.array([[1.0, 0, -4.0], [0, 1.0, 4.0], [0, 0, 1.0]]) @ np.loadtxt(small_demo / "H.txt"))
    code, doc, err = _run(capsys, "relocate", "--project", tmp_path / "proj", "--homography", bad)
    assert code == 0 and "warning: the homography other_scene_H.txt does not fit this video" in err
    from humanseg_core.workflows.video_check import standing_warning

    with Project.open(tmp_path / "proj") as project:  # kept: a run that proposes nobody says it (a review)
        assert "does not fit this video" in standing_warning(project)
    code, doc, err = _run(capsys, "relocate", "--project", tmp_path / "proj", "--homography", small_demo / "H.txt")
    assert code == 0 and "warning" not in err
    with Project.open(tmp_path / "proj") as project:
        assert standing_warning(project) == ""


def test_relocate_refuses_a_trajectory_file_the_project_cannot_read(moved, capsys):
    """A walk's `relocate --trajectories` took a file with a bad row (exit 0); the next `propose` failed on it."""
    bad = moved / "bad.txt"
    bad.write_text("10 1 1.0 1.0\n12 abc 1.5 1.0\n")
    code, _doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", moved / "video_moved",
                           "--trajectories", bad)
    assert code == 2 and "bad.txt" in err and "nothing was changed" in err
    with Project.open(moved / "proj") as p:
        assert p.inputs.trajectories == str(moved / "t.txt") and p.inputs.video == str(moved / "video")


def test_relocating_the_homography_makes_the_next_run_propose_again(local_run, tmp_path, capsys):
    """A walk relocated a wrong homography (and could not set its direction: relocate had no --h-direction) and ran
    again: only the persons without proposals were proposed, the others trained on what the old one placed."""
    import shutil

    root, demo, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    same = tmp_path / "H_moved.txt"
    same.write_text((demo / "H.txt").read_text())
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--homography", same)
    assert code == 0 and "proposes its persons again" not in err  # moved, the same file: placed as before (an audit)
    changed = tmp_path / "H_changed.txt"
    changed.write_text((demo / "H.txt").read_text().replace("1.0000000000e+00", "1.0000010000e+00"))
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--homography", changed)
    assert code == 0 and "proposes its persons again" in err
    code, doc, err = _run(capsys, "status", "--project", folder)  # not "exported: done" (a re-walk)
    assert doc["persons"]["1"]["next"] == "rerun" and "run again: their pending proposals were made with the " \
        "inputs as read before (relocated or changed since)" in "\n".join(doc["next_steps"])
    code, doc, err = _run(capsys, "export", "--project", folder, "--pids", "1", "--format", "davis",
                          "--out", tmp_path / "before")
    assert code == 0 and doc["placed_before"] == [1]  # its masks of the old placement, said (a walk: unsaid)
    assert "person 1 was proposed with the inputs as read before (relocated or changed since)" in err
    assert f"humanseg run --project {folder} --pids 1 --out DIR proposes, trains and segments it again" in err
    from app.review.export_summary import summary_note  # the studio's Export says it too

    assert " Person 1 was proposed with the inputs as read before (relocated or changed since): its masks come " \
        "from those proposals; a Whole scene run of it proposes, trains and segments it again." in summary_note(doc)
    assert main_run(folder, tmp_path / "o1") == 0
    err = capsys.readouterr().err
    assert "2 persons (1, 2) proposed again: their pending proposals were placed by the inputs as they were" in err
    assert main_run(folder, tmp_path / "o2") == 0  # placed the way it reads now: not again
    assert "proposed again" not in capsys.readouterr().err
    code, doc, err = _run(capsys, "export", "--project", folder, "--pids", "1", "--format", "davis",
                          "--out", tmp_path / "after")
    assert code == 0 and "placed_before" not in doc and "changed since" not in err
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--h-direction", "pixel-to-world",
                          "--h-order", "uv")
    assert code == 0 and doc["relocated"] == {"h_order": "uv", "h_direction": "pixel-to-world"}
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--h-order", "rowcol")
    assert code == 0 and "h order: uv -> rowcol" in err and "proposes its persons again" in err
    with Project.open(folder) as p:
        assert p.inputs.h_order == "rowcol"
    main_run(folder, tmp_path / "o3")  # (exit 1 or 0: the demo read (row, col) may not fit)
    assert "2 persons (1, 2) proposed again" in capsys.readouterr().err  # a reading alone changed counts too


def test_persons_proposed_before_readings_were_recorded_are_taken_as_placed_by_the_reading_now(tmp_path):
    from types import SimpleNamespace

    from humanseg_core.workflows.placed_reading import READING_KEY, placed_otherwise, reading_of

    (tmp_path / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    (tmp_path / "t.txt").write_text("10 1 1.0 2.0\n")
    inputs = SimpleNamespace(homography=str(tmp_path / "H.txt"), h_order="uv", h_direction="pixel-to-world",
                             traj_format="auto", frame_offset=0, frame_step=1, trajectories=str(tmp_path / "t.txt"))
    settings: dict = {}
    project = SimpleNamespace(inputs=inputs, setting=lambda k, d=None: settings.get(k, d))
    assert placed_otherwise(project, [1, 2]) == []  # nothing recorded: an older project
    (tmp_path / "H2.txt").write_text("2 0 0\n0 1 0\n0 0 1\n")
    for key, value in (("h_direction", "world-to-pixel"), ("frame_offset", 5), ("frame_step", 10),
                       ("traj_format", "obsmat"), ("h_order", "rowcol"), ("homography", str(tmp_path / "H2.txt"))):
        settings[READING_KEY] = {"1": reading_of(inputs)}
        project.inputs = SimpleNamespace(**{**vars(inputs), key: value})
        assert placed_otherwise(project, [1, 2]) == [1], key  # person 2: never recorded, not proposed again
    settings[READING_KEY] = {"1": reading_of(inputs)}  # a homography not where the project has it: not judged
    project.inputs = SimpleNamespace(**{**vars(inputs), "homography": str(tmp_path / "gone" / "H.txt")})
    assert placed_otherwise(project, [1]) == []
    project.inputs = SimpleNamespace(**{**vars(inputs), "homography": str(tmp_path / "gone" / "H.txt"),
                                        "frame_offset": 5})
    assert placed_otherwise(project, [1]) == [1]  # ... the rest of the reading still is
    settings[READING_KEY] = {"1": reading_of(inputs)}
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("H.txt", "t.txt"):
        (moved / name).write_bytes((tmp_path / name).read_bytes())
    project.inputs = SimpleNamespace(**{**vars(inputs), "homography": str(moved / "H.txt"),
                                        "trajectories": str(moved / "t.txt")})
    assert placed_otherwise(project, [1]) == []  # the same files elsewhere (an audit's renamed folder)
    (moved / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1.5\n")
    assert placed_otherwise(project, [1]) == [1]  # a homography changed places its persons anew
    settings[READING_KEY] = {"1": json.dumps([str(tmp_path / "H.txt"), "uv", "pixel-to-world", "auto", 0, 1])}
    project.inputs = inputs
    assert placed_otherwise(project, [1]) == []  # recorded before 6 Dec, by its path: still the reading now


def main_run(folder, out) -> int:
    from humanseg_core.cli import main

    return main(["run", "--project", str(folder), "--pids", "1,2", "--steps-per-person", "1", "--refine", "none",
                 "--out", str(out)])


def test_a_new_place_given_with_a_tilde_is_checked_and_kept_as_the_home_folder(moved, capsys, monkeypatch):
    """An audit: the readability check had not expanded `~` (the file seen missing, nothing checked)."""
    monkeypatch.setenv("HOME", str(moved))
    bad = moved / "bad.txt"
    bad.write_text("10 1 1.0 1.0\n12 abc 1.5 1.0\n")
    code, _doc, err = _run(capsys, "relocate", "--project", moved / "proj", "--video", moved / "video_moved",
                           "--trajectories", "~/bad.txt")
    assert code == 2 and "abc" in err and "nothing was changed: the project keeps its places" in err
    code, doc, _err = _run(capsys, "relocate", "--project", moved / "proj", "--video", moved / "video_moved",
                           "--trajectories", "~/t.txt")
    assert code == 0 and doc["relocated"]["trajectories"] == str(moved / "t.txt")


def test_the_commands_advised_paste_into_a_shell_with_spaces_in_the_paths(tmp_path):
    """A walk pasted `humanseg relocate --project /tmp/walk/Projets/étude 1 copie --video NEW`: "unrecognized
    arguments: 1 copie". The paths of the commands the tool advises are quoted where a shell needs it."""
    import re
    import shlex

    from humanseg_core.export.runs import finish_hint
    from humanseg_core.inputs.moved import moved_message

    folder = tmp_path / "Projets" / "étude 1 copie"
    for text in (moved_message(folder, [("video", str(tmp_path / "v"))]), finish_hint(folder, 3, 7)):
        command = re.search(r"`(humanseg [^`]*)`", text).group(1)
        args = shlex.split(command)
        assert args[args.index("--project") + 1] == str(folder), command
    plain = tmp_path / "plain"
    assert f"--project {plain} --video NEW" in moved_message(plain, [("video", "v")])  # quoted only where needed


def test_relocating_the_video_finds_the_files_that_moved_beside_it(tmp_path, capsys):
    """A walk relocated its video and had to point at its trajectory file too, which had moved beside it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "t.txt").write_text("10 1 1.0 1.0\n12 1 1.5 1.0\n")
    jpeg_project(data, range(10, 14), (H, W), lambda f: 40 + f).close()
    new = tmp_path / "Données" / "data"
    new.parent.mkdir()
    data.rename(new)  # the data folder moved whole, the project in it (its inputs are stored as full paths)
    code, doc, err = _run(capsys, "relocate", "--project", new / "proj", "--video", new / "video")
    assert code == 0 and doc["still_missing"] == {}, err
    assert doc["relocated"]["trajectories"] == str(new / "t.txt")
    assert f"humanseg: note: the trajectory file was found where it stood beside the new video: {new / 't.txt'}" in err


def test_found_beside_follows_the_moved_layout_and_never_replaces_a_file_given(tmp_path):
    from humanseg_core.inputs.moved import found_beside

    old, new = tmp_path / "a" / "data", tmp_path / "b" / "data"
    for rel in ("video/v.mp4", "ann/t.txt", "H.txt"):
        (new / rel).parent.mkdir(parents=True, exist_ok=True)
        (new / rel).write_text("x")
    moved = [("video", str(old / "video/v.mp4")), ("trajectories", str(old / "ann/t.txt")),
             ("homography", str(old / "H.txt"))]
    assert found_beside(moved, {"video": str(new / "video/v.mp4")}) == {
        "trajectories": str(new / "ann/t.txt"), "homography": str(new / "H.txt")}  # the same layout below data/
    mine = tmp_path / "c" / "H2.txt"
    mine.parent.mkdir()
    mine.write_text("x")
    assert found_beside(moved, {"video": str(new / "video/v.mp4"), "homography": str(mine)}) == {
        "trajectories": str(new / "ann/t.txt")}  # the homography given is the one taken
    renamed = tmp_path / "d" / "clip.mp4"  # renamed, in a folder of another name: its own folder looked in
    renamed.parent.mkdir()
    renamed.write_text("x")
    (renamed.parent / "t.txt").write_text("x")
    (renamed.parent / "H.txt").mkdir()  # a folder of that name is not the file
    assert found_beside(moved, {"video": str(renamed)}) == {"trajectories": str(renamed.parent / "t.txt")}
    assert found_beside(moved, {}) == {}


def test_a_renamed_folder_relocated_is_not_proposed_again(small_demo, tmp_path, capsys):
    """An audit renamed the folder of its video, trajectories and homography and relocated the video: relocate said
    the next run proposes its persons again, and it did, beside the old proposals (a review: also once the old
    files were gone)."""
    import shutil

    from humanseg_core.workflows.placed_reading import placed_otherwise

    first = shutil.copytree(small_demo, tmp_path / "first")
    code, _doc, _err = _run(capsys, "propose", "--project", tmp_path / "proj", "--video", first / "frames",
                            "--trajectories", first / "trajectories.txt", "--homography", first / "H.txt",
                            "--pids", "1", "--method", "bgs")
    assert code == 0
    first.rename(tmp_path / "second")
    code, _doc, err = _run(capsys, "relocate", "--project", tmp_path / "proj", "--video",
                           tmp_path / "second" / "frames")
    assert code == 0 and "found where it stood beside the new" in err
    assert "proposes its persons again" not in err
    with Project.open(tmp_path / "proj") as p:
        assert placed_otherwise(p, [1]) == []


def test_a_track_edited_in_the_trajectory_file_makes_its_person_rerun(local_run, tmp_path, capsys):
    """A data-safety walk moved person 54 by 3 m in the trajectory file after its proposals were reviewed: `status`
    said nothing, and the next run trained on the old proposals at the new positions."""
    import shutil

    root, demo, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    mine = tmp_path / "trajectories.txt"
    mine.write_text((demo / "trajectories.txt").read_text())
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--trajectories", mine)
    assert code == 0
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert "rerun" not in (doc["persons"]["1"]["next"], doc["persons"]["2"]["next"])  # the same rows elsewhere
    rows = [line.split() for line in mine.read_text().splitlines() if line.strip()]
    mine.write_text("".join("\t".join(r[:2] + [str(float(r[2]) + 3.0), r[3]]) + "\n" if float(r[1]) == 1.0
                            else "\t".join(r) + "\n" for r in rows))  # person 1 moved 3 m along x
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert doc["persons"]["1"]["next"] == "rerun" and doc["persons"]["2"]["next"] != "rerun"
    assert "(relocated or changed since)" in "\n".join(doc["next_steps"])


def test_a_person_removed_from_the_trajectory_file_is_named_gone_and_its_results_stay(local_run, tmp_path, capsys):
    """A walk removed a person's rows from the trajectory file: `status` read on as before ("exported: done")."""
    import shutil

    root, demo, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    mine = tmp_path / "trajectories.txt"
    rows = [line.split() for line in (demo / "trajectories.txt").read_text().splitlines() if line.strip()]
    mine.write_text("".join("\t".join(r) + "\n" for r in rows if float(r[1]) != 1.0))  # person 1 gone
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--trajectories", mine)
    assert code == 0
    with Project.open(folder) as p:
        results = p.result_frames()[1][1]
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert doc["persons"]["1"]["next"] == "gone" and doc["persons"]["2"]["next"] != "gone"
    assert doc["persons"]["1"]["result_frames"] == results > 0  # nothing of it is lost
    line = next(s for s in doc["next_steps"] if s.startswith("person 1: "))
    assert "not in the trajectory file now (removed or renumbered" in line and "relocate --project" in line
    for fmt in ("davis", "mots"):  # "exports hold them": every export stopped on a KeyError (a data-safety review)
        code, doc, err = _run(capsys, "export", "--project", folder, "--pids", "all", "--format", fmt,
                              "--out", tmp_path / fmt)
        assert code == 0 and doc["persons"] == [1, 2] and not doc["persons_without_masks"], err
    mine.write_text("".join("\t".join(r) + "\n" for r in rows))  # its rows back: as before
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert doc["persons"]["1"]["next"] != "gone"


def test_a_homography_gone_from_its_place_asks_for_a_relocate_not_a_rerun(local_run, tmp_path, capsys):
    """A data-safety walk moved the project's inputs away: status said "rerun" (a full retrain) of every person
    beside "relocate the moved inputs", though nothing had changed."""
    import shutil

    root, demo, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    mine = tmp_path / "H.txt"
    shutil.copy(demo / "H.txt", mine)
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--homography", mine)
    assert code == 0
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert "rerun" not in (doc["persons"]["1"]["next"], doc["persons"]["2"]["next"])
    mine.rename(tmp_path / "H_moved.txt")
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert "homography" in doc["missing_inputs"]
    assert "rerun" not in (doc["persons"]["1"]["next"], doc["persons"]["2"]["next"]), doc["next_steps"]
    assert any(s.startswith("relocate the moved inputs") for s in doc["next_steps"])


def test_a_project_whose_stored_inputs_are_damaged_is_pointed_at_them_again(moved, capsys):
    """A data-safety review: one damaged inputs row locked every command out ("create a new project"), relocate
    too; its decisions and results stood unreachable. relocate --video --trajectories now stores them anew."""
    import sqlite3

    folder = moved / "proj"
    conn = sqlite3.connect(folder / "project.sqlite")
    conn.execute("UPDATE meta SET value = 'garbage' WHERE key = 'inputs'")
    conn.commit()
    conn.close()
    code, doc, err = _run(capsys, "status", "--project", folder)
    assert code == 2 and "stored inputs are unreadable" in err and "humanseg relocate --project" in err
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--video", moved / "video_moved")
    assert code == 2 and "stored inputs are unreadable" in err  # both are needed: the one place is not enough
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--video", moved / "video_moved",
                          "--trajectories", moved / "t.txt")
    assert code == 0 and "its stored inputs were unreadable" in err, err
    with Project.open(folder) as p:
        assert p.counts() == {"pending": 1, "accepted": 1, "rejected": 0, "edited": 0}  # nothing lost
        assert p.load_scene() is not None
    conn = sqlite3.connect(folder / "project.sqlite")
    assert conn.execute("SELECT value FROM meta WHERE key = 'inputs_damaged'").fetchone() == ("garbage",)
    conn.close()


def test_damaged_inputs_keep_what_still_reads_and_a_refused_relocate_changes_nothing(moved, capsys):
    """A review of the repair above: the stored homography and its pixel order were dropped with one damaged field,
    a video of another size was refused ("nothing was changed") after the repair had stored it, a newer schema was
    written to, and a file without the project's tables gave a traceback."""
    import sqlite3

    folder = moved / "proj"
    (moved / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")

    def meta(key):
        conn = sqlite3.connect(folder / "project.sqlite")
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None
        finally:
            conn.close()

    def store(text):
        conn = sqlite3.connect(folder / "project.sqlite")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'inputs'", (text,))
        conn.commit()
        conn.close()

    damaged = json.dumps({"video": "v", "trajectories": "t", "homography": str(moved / "H.txt"), "h_order": "rowcol",
                          "frame_step": "2x"})
    store(damaged)
    small = moved / "small"
    small.mkdir()
    for f in range(10, 14):
        cv2.imwrite(str(small / f"{f:05d}.jpg"), np.zeros((H // 2, W // 2, 3), np.uint8))
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--video", small, "--trajectories", moved / "t.txt")
    assert code == 2 and "nothing was changed" in err
    assert meta("inputs") == damaged and meta("inputs_damaged") is None  # as it was
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--video", moved / "video_moved",
                          "--trajectories", moved / "t.txt")
    assert code == 0 and "these could not be read and are the defaults now: frame_step" in err, err
    with Project.open(folder) as p:
        assert p.inputs.homography == str(moved / "H.txt") and p.inputs.h_order == "rowcol"
        assert p.inputs.frame_step == 1
    store(damaged)
    conn = sqlite3.connect(folder / "project.sqlite")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    code, doc, err = _run(capsys, "relocate", "--project", folder, "--video", moved / "video_moved",
                          "--trajectories", moved / "t.txt")
    assert code == 2 and "newer HumanSeg Studio" in err and meta("inputs") == damaged
    bare = moved / "bare"
    bare.mkdir()
    sqlite3.connect(bare / "project.sqlite").execute("CREATE TABLE x (a)").connection.close()
    code, doc, err = _run(capsys, "relocate", "--project", bare, "--video", moved / "video_moved",
                          "--trajectories", moved / "t.txt")
    assert code == 2 and "project.sqlite" in err and "Traceback" not in err
