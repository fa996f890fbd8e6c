"""`humanseg batch`: a manifest checked whole before its first scene runs, and what a batch says as it runs."""

import pytest
from fakes import run_cli

from humanseg_core.errors import HumansegError


def test_a_manifest_is_checked_whole_before_the_first_scene(tmp_path):
    from humanseg_core.cli.batch import read_manifest

    def manifest(body):
        path = tmp_path / "m.toml"
        path.write_text('[[scene]]\nproject = "p1"\nout = "o1"\n[[scene]]\nproject = "p2"\nout = "o2"\n' + body)
        return path

    for body, said in (('steps_per_person = "five"', "steps_per_person must be a whole number"),
                       ("seconds_per_person = nan", "seconds_per_person must be a positive number"),
                       ('seed = "s"', "seed must be a whole number"), ("homography = 3", "homography must be text"),
                       ('skip_bad_lines = "no"', "skip_bad_lines must be true or false"),
                       ("unnamed_walkers = 1", "unnamed_walkers must be true or false"),
                       ('h_order = "xy"', "h_order must be one of uv, rowcol"),
                       ("steps_per_person = 2\nseconds_per_person = 5", "not both"),
                       ('accept = "score>=abc"', "--accept"), ('accept = "score>=2"', "from 0 to 1"),
                       ('format = "coco"', "format must be one of"), ('method = "magic"', "method must be one of")):
        with pytest.raises(HumansegError, match=said) as err:
            read_manifest(manifest(body))
        assert "scene 2" in str(err.value)  # named before scene 1 ran
    defaults, scenes = read_manifest(manifest("skip_bad_lines = true\nunnamed_walkers = true\nsteps_per_person = 3"))
    assert scenes[1]["skip_bad_lines"] is True and scenes[1]["unnamed_walkers"] is True
    typo = tmp_path / "typo.toml"  # a walk's [[scenes]] read only "no [[scene]] tables"
    typo.write_text('[[scenes]]\nproject = "p1"\nout = "o1"\n')
    with pytest.raises(HumansegError, match=r"it has \[\[scenes\]\]: did you mean \[\[scene\]\]\?"):
        read_manifest(typo)


def test_a_batchs_persons_are_checked_before_the_first_scene(tmp_path, capsys, monkeypatch):
    """A walk's scene 2 named person 9999 (then --pids 54 on the command line, then a person annotated only outside
    the clip): the batch ran scene 1 whole, then failed scene 2."""
    from fakes import frames_and_trajectories

    from humanseg_core.cli import run as run_cli_module

    ran = []
    monkeypatch.setattr(run_cli_module, "run_one_scene", lambda sargs, where="": ran.append(sargs) or 1 / 0)
    frames, traj = frames_and_trajectories(tmp_path, 12, "0 1 1.0 2.0\n10 1 1.5 2.0\n0 4 3.0 2.0\n500 7 1.0 1.0\n")
    path = tmp_path / "m.toml"
    p2 = tmp_path / "p2"
    for pids, given, said in (('"9999"', (), f"scene 2 ({p2}): --pids: no person with id 9999 in"),
                              ('"all"', ("--pids", "54"), f"scene 1 ({tmp_path / 'p1'}): --pids: no person with id 54"),
                              ('"7"', (), f"scene 2 ({p2}): person 7 is never in the video (the video's frames "
                                          "are 0..11)")):
        path.write_text(f'[defaults]\nvideo = "{frames}"\ntrajectories = "{traj}"\n[[scene]]\nproject = "p1"\n'
                        f'out = "o1"\n[[scene]]\nproject = "p2"\nout = "o2"\npids = {pids}\n')
        code, _doc, err = run_cli(capsys, "batch", "--manifest", path, *given)
        assert code == 2 and said in err and not ran, err
    path.write_text(f'[defaults]\nvideo = "{frames}"\ntrajectories = "{traj}"\n[[scene]]\nproject = "p1"\n'
                    'out = "o1"\npids = [1, 4]\n')
    with pytest.raises(ZeroDivisionError):  # checked, then run
        run_cli(capsys, "batch", "--manifest", path)
    assert len(ran) == 1 and ran[0].unnamed_walkers is None  # not said: the project's own
    path.write_text(path.read_text() + "unnamed_walkers = true\n")
    with pytest.raises(ZeroDivisionError):
        run_cli(capsys, "batch", "--manifest", path)
    assert ran[-1].unnamed_walkers is True


def test_a_scenes_budget_wins_over_the_defaults_other_kind():
    import argparse

    from humanseg_core.cli.batch import _scene_args

    args = argparse.Namespace(steps_per_person=None, seconds_per_person=15.0)
    both = _scene_args(args, {"seconds_per_person": 20.0}, {"steps_per_person": 4})
    assert (both.steps_per_person, both.seconds_per_person) == (4, None)
    both = _scene_args(args, {"steps_per_person": 4}, {"seconds_per_person": 9.0})
    assert (both.steps_per_person, both.seconds_per_person) == (None, 9.0)


def test_a_command_line_budget_the_manifests_other_kind_drops_is_noted(capsys):
    """A review: --seconds-per-person 30 with steps_per_person = 20 in [defaults] ran 20 steps without a note."""
    import argparse

    from humanseg_core.cli import batch

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    batch.register(sub)
    args = parser.parse_args(["batch", "--manifest", "m.toml", "--seconds-per-person", "30"])

    def note(args, defaults, scenes):  # as batch's run takes each scene's options
        batch._note_overridden(args, [batch._scene_args(args, defaults, scene) for scene in scenes])

    note(args, {"steps_per_person": 20}, [{"project": "p1"}, {"project": "p2"}])
    assert "--seconds-per-person 30.0 is overridden by the manifest in every scene" in capsys.readouterr().err
    note(args, {}, [{"project": "p1"}, {"project": "p2", "steps_per_person": 5}])
    assert "--seconds-per-person 30.0 is overridden by the manifest in scene 2 " in capsys.readouterr().err
    note(args, {}, [{"project": "p1"}])
    assert capsys.readouterr().err == ""
    same = parser.parse_args(["batch", "--manifest", "m.toml", "--steps-per-person", "20"])
    note(same, {"steps_per_person": 20}, [{"project": "p1"}])  # the manifest's own value given
    assert capsys.readouterr().err == ""


def test_a_batch_cut_short_says_which_scenes_finished(tmp_path, capsys, monkeypatch):
    """A walk interrupted a batch in scene 2: no JSON (as any interrupted command), and nothing said that scene 1
    had finished and written its masks."""
    import types

    from humanseg_core.cli import run as run_cli_module

    outcome = types.SimpleNamespace(result=None, failure=lambda: "", to_json=lambda: {"persons": [1]})
    calls = []

    def fake(sargs, where=""):
        calls.append(sargs.project)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return outcome

    monkeypatch.setattr(run_cli_module, "run_one_scene", fake)
    monkeypatch.setattr(run_cli_module, "say_person_notes", lambda *a: None)
    monkeypatch.setattr(run_cli_module, "say_done", lambda *a: None)
    manifest = tmp_path / "m.toml"
    manifest.write_text(f'[[scene]]\nproject = "{tmp_path / "p1"}"\nout = "{tmp_path / "o1"}"\n'
                        f'[[scene]]\nproject = "{tmp_path / "p2"}"\nout = "{tmp_path / "o2"}"\n')
    code, doc, err = run_cli(capsys, "batch", "--manifest", manifest)
    assert code == 130 and doc is None
    assert (f"batch cut short in scene 2 ({tmp_path / 'p2'}); scenes finished before it: {tmp_path / 'p1'} (masks "
            f"in {tmp_path / 'o1'})") in err


def test_a_batch_scene_giving_its_project_other_inputs_is_refused_first(tmp_path, capsys, monkeypatch):
    """`run` notes another input than the project's and uses the project's: in a batch that ran another scene's
    trajectories unseen. Refused before any scene runs (a mutation audit: untested)."""
    from fakes import jpeg_project

    from humanseg_core.cli import run as run_cli_module

    ran = []
    monkeypatch.setattr(run_cli_module, "run_one_scene", lambda sargs, where="": ran.append(sargs) or 1 / 0)
    (tmp_path / "t.txt").write_text("10 1 1.0 2.0\n")
    (tmp_path / "other.txt").write_text("10 1 1.0 2.0\n")
    jpeg_project(tmp_path, range(10, 13), (36, 48), lambda f: 40).close()
    path = tmp_path / "m.toml"
    path.write_text(f'[[scene]]\nproject = "{tmp_path / "proj"}"\nout = "{tmp_path / "o"}"\n'
                    f'video = "{tmp_path / "video"}"\ntrajectories = "{tmp_path / "other.txt"}"\n')
    code, _doc, err = run_cli(capsys, "batch", "--manifest", path)
    assert code == 2 and not ran
    assert f"was made with the trajectories {tmp_path / 't.txt'}, not {tmp_path / 'other.txt'}" in err


def test_a_batch_refuses_up_front_a_project_that_is_a_file_a_homography_it_lacks_and_nested_outs(tmp_path, capsys,
                                                                                                  monkeypatch):
    """A batch walk: a scene whose project was a file, a project made without a homography given one, and one
    scene's out inside another's were each found only when that scene came to run, after the others had."""
    from fakes import jpeg_project

    from humanseg_core.cli import run as run_cli_module

    ran = []
    monkeypatch.setattr(run_cli_module, "run_one_scene", lambda sargs, where="": ran.append(sargs) or 1 / 0)
    (tmp_path / "t.txt").write_text("10 1 1.0 2.0\n")
    (tmp_path / "H.txt").write_text("1 0 0\n0 1 0\n0 0 1\n")
    (tmp_path / "afile").write_text("not a project")
    jpeg_project(tmp_path, range(10, 13), (36, 48), lambda f: 40).close()
    path = tmp_path / "m.toml"
    path.write_text(f'[[scene]]\nproject = "{tmp_path / "proj"}"\nout = "{tmp_path / "o"}"\n'
                    f'video = "{tmp_path / "video"}"\ntrajectories = "{tmp_path / "t.txt"}"\n'
                    f'homography = "{tmp_path / "H.txt"}"\n'
                    f'[[scene]]\nproject = "{tmp_path / "afile"}"\nout = "{tmp_path / "o" / "inner"}"\n')
    code, _doc, err = run_cli(capsys, "batch", "--manifest", path)
    assert code == 2 and not ran and "3 problems" in err
    assert f"scene 1: the project {tmp_path / 'proj'} was made without a homography, not with" in err
    assert f"scene 2: its project {tmp_path / 'afile'} is a file, not a project folder" in err
    assert f"scene 2 exports to {tmp_path / 'o' / 'inner'}, inside scene 1's export {tmp_path / 'o'}" in err


def test_more_workers_than_cores_is_said_locally_and_for_a_local_ray(capsys, monkeypatch):
    """A walk: 64 threads on 2 cores trained 2.7x slower without a word; a batch walk's local Ray alike. A cluster's
    CPUs are its own: nothing said."""
    import os
    import types

    from humanseg_core.cli.run import note_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for backend, address, workers, said in (("local", None, 8, "more threads than cores"),
                                            ("ray", None, 8, "a local Ray runs 8 persons at a time"),
                                            ("ray", "ray://head:10001", 8, ""), ("local", None, 2, ""),
                                            ("ray", None, None, "")):
        note_workers(types.SimpleNamespace(backend=backend, address=address, workers=workers))
        err = capsys.readouterr().err
        assert (said in err and "--workers 8 on 2 CPU cores" in err) if said else not err, (backend, address, err)


def test_a_batch_scene_giving_its_project_another_homography_is_offered_relocate(tmp_path, capsys, monkeypatch):
    """A batch walk: a project whose homography was estimated from the video, given the scene's H.txt, was told
    only to take a project of its own; `relocate --homography` makes it read the file."""
    from fakes import jpeg_project

    from humanseg_core.cli import run as run_cli_module

    monkeypatch.setattr(run_cli_module, "run_one_scene", lambda sargs, where="": 1 / 0)
    (tmp_path / "t.txt").write_text("10 1 1.0 2.0\n")
    for name in ("H.txt", "estimated.txt"):
        (tmp_path / name).write_text("1 0 0\n0 1 0\n0 0 1\n" if name == "H.txt" else "2 0 0\n0 2 0\n0 0 1\n")
    project = jpeg_project(tmp_path, range(10, 13), (36, 48), lambda f: 40)
    project.use_homography(str(tmp_path / "estimated.txt"))  # (as the estimate is kept: another file than H.txt)
    project.close()
    path = tmp_path / "m.toml"
    path.write_text(f'[[scene]]\nproject = "{tmp_path / "proj"}"\nout = "{tmp_path / "o"}"\n'
                    f'video = "{tmp_path / "video"}"\ntrajectories = "{tmp_path / "t.txt"}"\n'
                    f'homography = "{tmp_path / "H.txt"}"\n')
    code, _doc, err = run_cli(capsys, "batch", "--manifest", path)
    assert code == 2 and f"humanseg relocate --project {tmp_path / 'proj'} --homography {tmp_path / 'H.txt'}" in err
