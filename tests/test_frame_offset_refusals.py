"""Trajectories whose persons are not in the video: refused before a project is written, with the frame offset
that lines them up; a project made with a wrong offset and holding no work takes the one given."""

from __future__ import annotations

import os

import numpy as np

from humanseg_core.cli import main
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def test_persons_never_in_the_video_are_refused_before_a_project_is_made(tmp_path, capsys, monkeypatch):
    """A re-walk's clip of zara01 with the whole annotation file: `propose --pids 120` (annotated only after the
    clip) made a project of 0 proposals; `--pids 2,3` (annotated only before it) read "no person with id 2, 3"."""
    import cv2

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    rows = ["0 2 1.0 1.0", "10 1 1.0 1.0", "12 1 1.2 1.0", "30 120 1.0 1.0"]  # offset -10: 2 before, 120 after
    (tmp_path / "t.txt").write_text("\n".join(rows) + "\n")
    base = ["propose", "--video", str(frames), "--trajectories", str(tmp_path / "t.txt"), "--frame-offset", "-10"]
    assert main(base + ["--project", str(tmp_path / "a"), "--pids", "120"]) == 2
    assert "person 120 is never in the video (the video's frames are 0..4)" in capsys.readouterr().err
    assert main(base + ["--project", str(tmp_path / "b"), "--pids", "2"]) == 2
    assert "rows before the video's first frame are left out, 1 here" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    # an existing project says it too (a walk's said "0 proposals stored", exit 0; `run` "0 usable labels")
    assert main(base + ["--project", str(tmp_path / "c"), "--pids", "1", "--method", "bgs"]) == 0
    capsys.readouterr()
    for cmd in ("propose", "run"):
        extra = ["--out", str(tmp_path / "out_c")] if cmd == "run" else []
        assert main([cmd, "--project", str(tmp_path / "c"), "--pids", "120", *extra]) == 2
        assert "person 120 is never in the video (the video's frames are 0..4)" in capsys.readouterr().err
    from humanseg_core.inputs.scene import load_scene

    with load_scene(frames, tmp_path / "t.txt", frame_offset=-10) as scene:  # "all": the persons in the video
        assert scene.pids == [1, 120] and scene.pids_in_video() == [1]
    # a walk's MP4 (frames 0..99) read without the offset of its trajectories (5300..): `--pids all` made a
    # project of 0 proposals, `run` one of 18 skipped persons; now both refuse, with the offset that fits
    (tmp_path / "late.txt").write_text("5300 1 1.0 1.0\n5302 1 1.2 1.0\n5303 2 1.0 1.0\n")
    for cmd in ("propose", "run"):
        argv = [cmd, "--video", str(frames), "--trajectories", str(tmp_path / "late.txt"), "--project",
                str(tmp_path / cmd), "--pids", "all"] + (["--out", str(tmp_path / "out")] if cmd == "run" else [])
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "no person of" in err and "is annotated on a frame of the video (its frames are 0..4)" in err
        assert "--frame-offset -5300" in err and not (tmp_path / cmd).exists()
    assert main(["propose", "--video", str(frames), "--trajectories", str(tmp_path / "late.txt"), "--project",
                 str(tmp_path / "one"), "--pids", "1"]) == 2  # one person asked for: the same offset advised
    err = capsys.readouterr().err
    assert "person 1 is never in the video" in err and "--frame-offset -5300" in err
    # a project made earlier with the wrong offset and no work in it takes the offset given (it had been "not
    # used", and only a new folder got out of it)
    Project.create(tmp_path / "made", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "late.txt"))).close()
    assert main(["propose", "--project", str(tmp_path / "made"), "--pids", "all", "--method", "bgs",
                 "--frame-offset", "-5300"]) == 0
    err = capsys.readouterr().err
    assert "holds no work yet and reads its trajectories with frame offset -5300 from now on (it was 0)" in err
    assert "not used" not in err
    with Project.open(tmp_path / "made") as project:
        assert project.inputs.frame_offset == -5300
    late_inputs = ProjectInputs(video=str(frames), trajectories=str(tmp_path / "late.txt"))
    Project.create(tmp_path / "made2", late_inputs).close()
    assert main(["propose", "--project", str(tmp_path / "made2"), "--pids", "all", "--frame-offset", "-5000"]) == 2
    assert "--frame-offset -5000 puts no annotated frame" in capsys.readouterr().err  # still wrong: not taken
    with Project.open(tmp_path / "made2") as project:
        assert project.inputs.frame_offset == 0
    # a project whose persons are in its video takes it too while it holds no work (a walk's clip of a longer
    # recording overlapped the file's frame numbers: 0 proposals, and the offset it was told was "not used") ...
    from humanseg_core.records import Skip

    with Project.create(tmp_path / "fine", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                                         frame_offset=-10)) as made:
        made.add_skips([Skip(frame=3, pid=7, reason="too little of the person visible")])  # the old offset's
    assert main(["propose", "--project", str(tmp_path / "fine"), "--pids", "all", "--method", "bgs",
                 "--frame-offset", "-11"]) == 0
    assert "reads its trajectories with frame offset -11 from now on (it was -10)" in capsys.readouterr().err
    with Project.open(tmp_path / "fine") as project:
        assert project.inputs.frame_offset == -11
        assert all(s.pid != 7 for s in project.skips())  # forgotten with the old offset (a walk's `decide --list`)
        project.add_proposals([Proposal(frame=1, pid=1, box=(0, 0, 4, 4), mask=np.ones((40, 60), bool),
                                        source="bgs:test")])
    # ... and keeps its own once it holds work: a network trained counts (tested with proposals below and in
    # test_skip_bad_lines too)
    with Project.create(tmp_path / "trained", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                                            frame_offset=-10)) as made:
        made.add_run(1, "osvos-lite", checkpoint="n.pt")
    assert main(["propose", "--project", str(tmp_path / "trained"), "--pids", "all", "--method", "bgs",
                 "--frame-offset", "-11"]) == 2  # refused, as run refuses it (ADR 0049)
    assert "not as --frame-offset -11 would; nothing was run or changed" in capsys.readouterr().err
    # the offset it reads given again: nothing taken, nothing said
    assert main(["propose", "--project", str(tmp_path / "fine"), "--pids", "all", "--method", "bgs",
                 "--frame-offset", "-11"]) == 0
    assert "from now on" not in capsys.readouterr().err
    assert main(["propose", "--project", str(tmp_path / "fine"), "--pids", "all", "--method", "bgs",
                 "--frame-offset", "-12"]) == 2
    assert "not as --frame-offset -12 would" in capsys.readouterr().err
    with Project.open(tmp_path / "fine") as project:
        assert project.inputs.frame_offset == -11
    # the files it reads given again (a batch manifest run twice): nothing said; another video is named
    assert main(["propose", "--project", str(tmp_path / "fine"), "--pids", "all", "--method", "bgs",
                 "--video", str(frames), "--trajectories", str(tmp_path / "t.txt")]) == 0
    assert "not used" not in capsys.readouterr().err
    monkeypatch.chdir(frames.parent)  # the same files named relative to the working folder: nothing said either
    assert main(["propose", "--project", str(tmp_path / "fine"), "--pids", "all", "--method", "bgs",
                 "--video", frames.name, "--trajectories", os.path.relpath(tmp_path / "t.txt")]) == 0
    assert "not used" not in capsys.readouterr().err
    # another video or trajectory file is refused, nothing changed (a walk's `run --video` of another video was
    # told "not used", exit 0, and exported the project's own video's masks under the new name)
    for option, what, name in (("--video", "video", "other.mp4"), ("--trajectories", "trajectory file", "o.txt")):
        for cmd in ("propose", "run"):
            extra = ["--out", str(tmp_path / "out_other")] if cmd == "run" else []
            assert main([cmd, "--project", str(tmp_path / "fine"), "--pids", "all", "--frame-offset", "-12",
                         option, str(tmp_path / name), *extra]) == 2
            err = capsys.readouterr().err
            assert f"was made with the {what} " in err and f"not {tmp_path / name}" in err, err
            assert f"humanseg relocate --project {tmp_path / 'fine'} {option} {tmp_path / name}" in err
            assert "not used" not in err and not (tmp_path / "out_other").exists()
    with Project.open(tmp_path / "fine") as project:
        assert project.inputs.frame_offset == -11 and project.inputs.video == str(frames)


def test_a_wrong_offset_is_set_back_to_0_and_rows_before_the_video_count_as_lost(tmp_path, capsys):
    """`--frame-offset 0` was the option's default, so a project made with a wrong non-zero offset could not be
    set back to 0 from the command line (only the studio could); a project whose every row maps before the
    video's first frame was not treated as lost at all."""
    import cv2

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("0 1 1.0 1.0\n2 1 1.2 1.0\n3 2 1.0 1.0\n")
    for name, wrong in (("after", 5000), ("before", -100)):
        Project.create(tmp_path / name, ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                                      frame_offset=wrong)).close()
        assert main(["propose", "--project", str(tmp_path / name), "--pids", "all", "--method", "bgs",
                     "--frame-offset", "0"]) == 0, capsys.readouterr().err
        err = capsys.readouterr().err
        assert f"reads its trajectories with frame offset 0 from now on (it was {wrong})" in err
        with Project.open(tmp_path / name) as project:
            assert project.inputs.frame_offset == 0
    # not given: the project keeps its own, lost as it is (a review: -1 was not a lost project at all)
    Project.create(tmp_path / "kept", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                                    frame_offset=5000)).close()
    main(["propose", "--project", str(tmp_path / "kept"), "--pids", "all", "--method", "bgs"])
    assert "from now on" not in capsys.readouterr().err
    with Project.open(tmp_path / "kept") as project:
        assert project.inputs.frame_offset == 5000


def test_run_keeps_the_projects_offset_when_none_is_given(tmp_path, capsys):
    """A review: `humanseg run` had its own --frame-offset with the old default 0, so every run looked as if
    `--frame-offset 0` had been typed: a note "not used: --frame-offset 0" on a project whose offset is not 0, a
    lost project without work switched to 0 unasked, and an error naming an option nobody gave."""
    import cv2

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("1000 1 1.0 1.0\n1002 1 1.2 1.0\n")
    Project.create(tmp_path / "lost", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                                    frame_offset=5000)).close()
    assert main(["run", "--project", str(tmp_path / "lost"), "--pids", "all", "--out", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err
    assert "--frame-offset 0" not in err and "from now on" not in err, err
    # read with the project's own offset (5000): the offset that fits in all is named, -1000
    assert "is annotated on a frame of the video (its frames are 0..4)" in err and "--frame-offset -1000" in err
    with Project.open(tmp_path / "lost") as project:
        assert project.inputs.frame_offset == 5000


def test_a_persons_span_within_a_clip(tmp_path):
    """A walk's clip (frames 6830 on) read "whole track span 6797 – 6953 (157 frames)" in the Segment tab and
    segmented 124: the annotated span is kept whole, the span in the video is what segmenting covers."""
    import cv2

    from humanseg_core.inputs.scene import load_scene

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5, 15):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("0 1 1.0 1.0\n10 1 1.2 1.0\n20 1 1.4 1.0\n")
    with load_scene(frames, tmp_path / "t.txt") as scene:
        assert scene.span(1) == (0, 20) and scene.span_in_video(1) == (5, 14)
    (tmp_path / "late.txt").write_text("100 1 1.0 1.0\n110 1 1.2 1.0\n")
    with load_scene(frames, tmp_path / "late.txt") as scene:  # never in the video: no span there (a review)
        assert scene.span_in_video(1) is None


def test_no_person_in_the_video_and_no_offset_found_names_the_step_too(monkeypatch):
    """A walk's `--frame-step 6` (1 was right) read "check the frame offset": the step went unnamed."""
    from types import SimpleNamespace

    import pytest

    from humanseg_core.cli import propose
    from humanseg_core.errors import HumansegError
    from humanseg_core.inputs import scene as scene_module

    monkeypatch.setattr(scene_module, "offset_hint", lambda scene: None)
    monkeypatch.setattr(propose, "found_offset_hint", lambda scene, order: None)
    scene = SimpleNamespace(pids_in_video=lambda: [], frames=SimpleNamespace(indices=[0, 79]),
                            trajectories=SimpleNamespace(path="obsmat.txt"))
    with pytest.raises(HumansegError, match=r"frames are 0\.\.79\); check the frame offset and step: video frame = "
                                            r"--frame-offset \+ --frame-step x annotated frame"):
        propose.pids_check("all")(scene)


def test_relocate_changes_the_frame_offset_of_a_project_with_work(tmp_path, capsys):
    """A walk's project made with a wrong --frame-offset held proposals: `propose`/`run --frame-offset 0` read
    "not used", and `relocate` had no option for it. `relocate --frame-offset` takes one that puts persons in the
    video (their pending proposals are made again by the next run), and refuses one that puts nobody there."""
    from humanseg_core.workflows.placed_reading import placed_otherwise

    folder = _project_with_work(tmp_path)
    assert main(["propose", "--project", str(folder), "--pids", "all", "--method", "bgs", "--frame-offset",
                 "-10"]) == 2
    err = capsys.readouterr().err
    assert "nothing was run or changed" in err and f"humanseg relocate --project {folder} --frame-offset -10" in err
    assert main(["relocate", "--project", str(folder), "--frame-offset", "-5000"]) == 2
    err = capsys.readouterr().err
    assert "--frame-offset -5000 and --frame-step 1 put no annotated frame" in err and "keeps frame offset -9" in err
    assert main(["relocate", "--project", str(folder), "--frame-step", "0"]) == 2
    assert "--frame-step 0: must be 1 or more" in capsys.readouterr().err
    assert main(["relocate", "--project", str(folder), "--frame-offset", "-10"]) == 0
    err = capsys.readouterr().err
    assert "frame offset: -9 -> -10" in err and "proposes its persons again" in err
    with Project.open(folder) as project:
        assert project.inputs.frame_offset == -10 and project.inputs.frame_step == 1
        assert placed_otherwise(project, [1]) == [1]


def test_run_refuses_another_reading_than_its_projects_before_any_work(tmp_path, capsys):
    """A walk ran `run --frame-offset -3700` on a project made at offset 0, as the first run had advised: the whole
    job was done again at 0, its export replaced, and "not used" said in passing."""
    folder = _project_with_work(tmp_path)
    with Project.open(folder) as made:
        runs_before = made.runs()
    code = main(["run", "--project", str(folder), "--pids", "all", "--frame-offset", "-10", "--out",
                 str(tmp_path / "out"), "--steps-per-person", "1"])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert f"{folder} reads its inputs with frame offset -9, step 1, homography none (uv, pixel-to-world), not as " \
           f"--frame-offset -10 would; nothing was run or changed; `humanseg relocate --project {folder} " \
           "--frame-offset -10` makes this one read them so" in err, err
    with Project.open(folder) as p:
        assert p.runs() == runs_before and p.inputs.frame_offset == -9
    capsys.readouterr()
    assert main(["propose", "--project", str(folder), "--pids", "all", "--method", "bgs", "--frame-offset",
                 "-10"]) == 2  # proposals too (a re-walk's propose made 150 at the old offset, then advised the one
    assert "nothing was run or changed" in capsys.readouterr().err  # it was given)


def _project_with_work(tmp_path):
    """A project read at frame offset -9 (five grey frames, one person annotated on 10 and 12) holding a proposal
    placed by that reading."""
    import cv2

    from humanseg_core.workflows.placed_reading import record_reading

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((40, 60, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("10 1 1.0 1.0\n12 1 1.2 1.0\n")
    folder = tmp_path / "p"
    with Project.create(folder, ProjectInputs(video=str(frames), trajectories=str(tmp_path / "t.txt"),
                                              frame_offset=-9)) as made:
        made.add_proposals([Proposal(frame=1, pid=1, box=(0, 0, 4, 4), mask=np.ones((40, 60), bool),
                                     source="bgs:test")])
        record_reading(made, [1])
    return folder
