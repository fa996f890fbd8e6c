"""`--video SCENE` on the command line reads a scene folder as the studio does (frames/, trajectories.txt, H.txt);
a walk's `run --video scene` read "the folder holds no images", and `--video` without `--trajectories` was told to
give both."""

from __future__ import annotations

from fakes import run_cli

from humanseg_core.project import Project


def test_a_scene_folder_as_the_video_gives_its_files(small_demo, tmp_path, capsys):
    code, doc, err = run_cli(capsys, "propose", "--project", tmp_path / "p", "--video", small_demo, "--pids", "1")
    assert code == 0 and doc["proposals"] > 0, err
    assert f"{small_demo} is a scene folder: its frames/, trajectories.txt and H.txt are used" in err
    with Project.open(tmp_path / "p") as project:
        assert project.inputs.video == str((small_demo / "frames").absolute())
        assert project.inputs.homography == str((small_demo / "H.txt").absolute())
    code, _doc, err = run_cli(capsys, "propose", "--project", tmp_path / "q", "--video", small_demo / "frames",
                              "--pids", "1")
    assert code == 2 and "no project there yet; give --trajectories to create it" in err


def test_files_given_beside_a_scene_folder_are_the_ones_used(small_demo, tmp_path, capsys):
    import shutil

    mine = tmp_path / "mine.txt"
    shutil.copy(small_demo / "trajectories.txt", mine)
    h = tmp_path / "H_mine.txt"
    shutil.copy(small_demo / "H.txt", h)
    code, doc, err = run_cli(capsys, "propose", "--project", tmp_path / "p", "--video", small_demo,
                             "--trajectories", mine, "--homography", h, "--pids", "1")
    assert code == 0, err
    with Project.open(tmp_path / "p") as project:
        assert project.inputs.trajectories == str(mine.absolute()) and project.inputs.homography == str(h.absolute())
    only_frames = tmp_path / "only_frames"
    shutil.copytree(small_demo / "frames", only_frames / "frames")
    code, _doc, err = run_cli(capsys, "propose", "--project", tmp_path / "q", "--video", only_frames, "--pids", "1")
    assert code == 2 and "scene folder" not in err  # no trajectories.txt: not read as a scene
